/*
 * notifier_internal.h - the notifier's private layout, shared by its three
 * source files (notifier.c: table and lifecycle; notifier_mailbox.c: one
 * watcher's mailbox and the ready list; notifier_publish.c: broadcast,
 * take and deliver).  Nothing outside core/src includes this.
 *
 * Invariants (asserted where cheap):
 *   - view(w) == current for every live watcher w, where view is what the
 *     watcher will hold after draining its mailbox (pending normal status,
 *     else GOAWAY if pending, else the last status it took);
 *   - a live watcher is on the ready list iff ready_state == LINKED, and
 *     its mailbox is then non-empty;
 *   - pending == number of live watchers with a non-empty mailbox.
 */
#ifndef STORMGLASS_NOTIFIER_INTERNAL_H
#define STORMGLASS_NOTIFIER_INTERNAL_H

#include "stormglass/notifier.h"

#include "ilist.h"

#define SG_NTF_NIL SG_ILIST_NIL

_Static_assert(SG_NOTIFIER_WATCHERS_MAX < SG_NTF_NIL, "slot indices must never reach the NIL sentinel");
_Static_assert(SG_HEALTH_CODE_LAST < 256, "codes are stored in a byte");

typedef enum sg_ntf_ready_state {
    SG_NTF_IDLE = 0, /* mailbox empty, or announced and emptied since */
    SG_NTF_LINKED,   /* non-empty and on the ready list */
    SG_NTF_ANNOUNCED /* non-empty, popped by next_ready, waiting for a take */
} sg_ntf_ready_state;

typedef struct sg_ntf_slot {
    uint64_t cookie;
    sg_time_ns normal_since;   /* pending_since of the pending normal status */
    sg_time_ns terminal_since; /* pending_since of the pending GOAWAY */
    uint32_t generation;
    uint32_t mail_seq;         /* bumped on every mailbox change */
    uint32_t free_next;
    uint32_t live_pos;         /* position in the dense live array */
    uint8_t live;
    uint8_t ready_state;       /* sg_ntf_ready_state */
    uint8_t last_taken;        /* sg_health_code; NONE before the first take */
    uint8_t normal;            /* pending non-terminal code or NONE */
    uint8_t terminal;          /* 1: a GOAWAY is pending */
} sg_ntf_slot;

struct sg_notifier {
    sg_ntf_slot *slots;        /* capacity entries */
    sg_ilink *ready_links;     /* capacity entries: the ready list's links */
    uint32_t *live;            /* dense array of live slot indices (publish iterates it) */
    uint32_t capacity;
    uint32_t watchers;
    uint32_t pending;
    uint32_t free_head;
    sg_ilist ready;            /* watchers announced as having something pending */
    uint8_t current;           /* sg_health_code */
    bool terminal;
    bool delivering;           /* inside sg_notifier_deliver */
    sg_notifier_counters counters;
};

/* The live slot a handle names, or NULL when stale. */
sg_ntf_slot *sg_ntf_lookup(sg_notifier *n, sg_watch_handle handle);

/* Mailbox of one watcher (notifier_mailbox.c). */
bool sg_ntf_mailbox_empty(const sg_ntf_slot *s);
sg_health_code sg_ntf_view(const sg_ntf_slot *s);
void sg_ntf_mailbox_init(sg_notifier *n, uint32_t index, sg_time_ns now);
void sg_ntf_offer(sg_notifier *n, uint32_t index, sg_health_code code, sg_time_ns now);
void sg_ntf_peek(const sg_ntf_slot *s, sg_notification *out);
void sg_ntf_take_slot(sg_notifier *n, uint32_t index, sg_time_ns now, sg_notification *out);
void sg_ntf_mailbox_retire(sg_notifier *n, uint32_t index);
uint32_t sg_ntf_ready_pop(sg_notifier *n);

#endif

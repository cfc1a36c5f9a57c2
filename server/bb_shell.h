/*
 * bb_shell.h - what every network adapter (redis://, postgres://, kafka://)
 * keeps the same way, so each adapter file holds only its backbone's
 * mapping:
 *
 *   - the relay to the driver (bb_relay.h) and the adapter's bounds;
 *   - the connect timer (hiredis 0.14 and non-blocking libpq have none);
 *   - the count of open handles and work in flight: the adapter's memory is
 *     released once destroy() was called and the last of them closed;
 *   - the work waiting inside the adapter (publishes and state reads sent,
 *     not answered), bounded by count and bytes;
 *   - publish and fetch requests (a copy of what the driver gave) and their
 *     answers: counters, the relay, the free;
 *   - the stats every adapter reports.
 */
#ifndef STORMGLASS_SD_BB_SHELL_H
#define STORMGLASS_SD_BB_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "backbone.h"
#include "bb_relay.h"

typedef struct bb_shell bb_shell;

struct bb_shell {
    uv_loop_t *loop;
    bb_relay relay;
    sd_backbone_limits limits;
    uv_timer_t timer;          /* bounds a connect attempt */
    uint32_t open_handles;     /* timer, relay, links, work in flight */
    bool destroyed;
    uint32_t queued;           /* requests sent and not answered */
    uint64_t queued_bytes;
    uint64_t published, publish_failures, received;
    void (*release)(bb_shell *s); /* frees the adapter once all is closed */
};

typedef struct bb_publish_req {
    sd_publish_kind kind;
    size_t len;
    uint8_t msg[];
} bb_publish_req;

typedef struct bb_fetch_req {
    sd_state_cb cb;
    void *arg;
    uint64_t cookie;
    size_t topic_len;
    char topic[];
} bb_fetch_req;

void bb_shell_init(bb_shell *s, uv_loop_t *loop, const sd_backbone_limits *limits, const sd_backbone_events *events,
                   void (*release)(bb_shell *s));
/* destroy(): no callback from now on; release() runs once every handle
 * counted in open_handles has closed. */
void bb_shell_close(bb_shell *s);
/* One counted handle or work item finished closing. */
void bb_shell_handle_closed(bb_shell *s);

void bb_shell_timer_start(bb_shell *s, sg_duration_ns timeout_ns, uv_timer_cb cb);
void bb_shell_timer_stop(bb_shell *s);

/* A copy of a publish, or a state read; NULL (SG_E_FULL / SG_E_NOMEM in
 * *st) when over the bounds or out of memory.  Counted as queued. */
bb_publish_req *bb_shell_publish_req(bb_shell *s, sd_publish_kind kind, const uint8_t *msg, size_t len,
                                     sg_status *st);
bb_fetch_req *bb_shell_fetch_req(bb_shell *s, const char *topic, size_t topic_len, uint64_t cookie, sd_state_cb cb,
                                 void *arg, sg_status *st);
/* A request that never left: uncounted and freed, no answer. */
void bb_shell_publish_cancel(bb_shell *s, bb_publish_req *p);
void bb_shell_fetch_cancel(bb_shell *s, bb_fetch_req *f);

/* Answers (through the relay), uncounts and frees. */
void bb_shell_publish_done(bb_shell *s, bb_publish_req *p, bool ok);
void bb_shell_fetch_done(bb_shell *s, bb_fetch_req *f, sg_status st, const uint8_t *state, size_t len,
                         const char *why);

/* The common front of publish() and fetch_state(): the refusals
 * (SG_E_TOO_BIG, SG_E_STATE when not connected, SG_E_FULL), a counted copy,
 * then the adapter's send; a send that fails cancels the copy. */
sg_status bb_shell_publish(bb_shell *s, bool connected, uint32_t payload_max, sd_publish_kind kind,
                           const uint8_t *msg, size_t len, sg_status (*send)(void *ctx, bb_publish_req *p),
                           void *ctx);
sg_status bb_shell_fetch(bb_shell *s, bool connected, const char *topic, size_t topic_len, uint64_t cookie,
                         sd_state_cb cb, void *arg, sg_status (*send)(void *ctx, bb_fetch_req *f), void *ctx);

void bb_shell_stats(const bb_shell *s, bool connected, bool subscribed, int fd, uint64_t extra_items,
                    sd_backbone_stats *out);

#endif

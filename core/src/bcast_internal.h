/*
 * bcast_internal.h - the private layout of sg_bcast and the functions its
 * files share.  Not installed, not included outside core/src.
 *
 * The broadcaster is split by concern (one file each):
 *   bcast.c           lifecycle, the public event entry points, glue
 *   bcast_config.c    defaults and validation of sg_bcast_config
 *   bcast_reader.c    reader state machine, backoff, timeouts, give-up, watchdog
 *   bcast_registry.c  client slots with generations and registration serials
 *   bcast_replay.c    the replay buffer (count + byte bounded deque)
 *   bcast_publish.c   sequence stamping, publish verdicts, the replay drain
 *   bcast_message.c   inbound verdicts and the gap rules
 *   bcast_peers.c     per-origin (epoch, seq) table with LRU eviction
 *   bcast_recovery.c  settle -> replay -> resync, single flight + rerun, cooldown
 *   bcast_refetch.c   REFETCH of clients registered while the reader was not reading
 *   bcast_actions.c   the bounded action ring and action builders
 *   bcast_health.c    the readiness judgement and its transitions
 *   bcast_header.c    32-byte wire header
 *   bcast_names.c     enum -> name tables
 *
 * Data structures (registry, replay, peers, action ring) know nothing of
 * the broadcaster; state machines (reader, recovery, health, publish,
 * message) take the whole sg_bcast because they coordinate.
 */
#ifndef STORMGLASS_BCAST_INTERNAL_H
#define STORMGLASS_BCAST_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "stormglass/backoff.h"
#include "stormglass/bcast.h"
#include "stormglass/rng.h"

/* ---- action ring (bcast_actions.c) ------------------------------------ */

typedef struct sg_actions {
    sg_bcast_action items[SG_BCAST_ACTION_QUEUE_MAX];
    uint32_t head;
    uint32_t count;
} sg_actions;

_Static_assert(SG_BCAST_ACTION_RESERVE < SG_BCAST_ACTION_QUEUE_MAX, "reserve must leave room for deferrable work");

/* ---- registry (bcast_registry.c) --------------------------------------- */

/* One slot per possible client: 24 bytes, so 40,000 clients cost < 1 MiB. */
typedef struct sg_reg_slot {
    uint64_t cookie;     /* driver's id, echoed in CLOSE_CLIENT */
    uint64_t serial;     /* registration serial; 0 = slot free */
    uint32_t generation; /* bumped when the slot is freed */
    uint32_t next_free;  /* free-list link while free */
} sg_reg_slot;

_Static_assert(sizeof(sg_reg_slot) <= 32, "keep per-client state small");

typedef struct sg_registry {
    sg_reg_slot *slots;
    uint32_t capacity;
    uint32_t count;      /* live clients */
    uint32_t high_water; /* slots [0, high_water) have ever been used */
    uint32_t free_head;  /* SG_REG_NONE when empty */
    uint64_t next_serial;
} sg_registry;

#define SG_REG_NONE UINT32_MAX

sg_status sg_registry_init(sg_registry *r, uint32_t capacity);
void sg_registry_free(sg_registry *r);
sg_status sg_registry_add(sg_registry *r, uint64_t cookie, sg_client_handle *out);
sg_status sg_registry_remove(sg_registry *r, sg_client_handle handle);
/* Live client in slot `index` registered before `serial`: fills its handle
 * and cookie and returns true. */
bool sg_registry_registered_before(const sg_registry *r, uint32_t index, uint64_t serial, sg_client_handle *handle,
                                   uint64_t *cookie);
/* The same for a client registered with a serial in [from, to). */
bool sg_registry_registered_between(const sg_registry *r, uint32_t index, uint64_t from, uint64_t to,
                                    sg_client_handle *handle, uint64_t *cookie);

/* ---- replay buffer (bcast_replay.c) ------------------------------------ */

typedef struct sg_replay_item {
    uint64_t returned_seq; /* != 0: a failed send that held this sequence number */
    uint32_t len;
    bool seq_released;     /* the sender has since reissued returned_seq */
    uint8_t data[];
} sg_replay_item;

/* A deque of unsent payload copies.  The item being replayed leaves the
 * deque for `in_flight` (its payload must stay put until its result); the
 * deque alone is within both bounds.  A failed send returns to the front
 * and the deque is then truncated from the front: the oldest goes first,
 * newer entries are never evicted to make room for older ones. */
typedef struct sg_replay {
    sg_replay_item **ring;
    uint32_t items_max;
    uint32_t head;
    uint32_t count;
    uint64_t bytes_max;
    uint64_t bytes;
    sg_replay_item *in_flight;
    uint64_t in_flight_seq;
    uint32_t snapshot_left; /* items of the current round still to send (in flight included) */
    bool draining;          /* send items while the reader reads */
    uint64_t drops_overflow;
    uint64_t drops_nomem;
    /* Dropped items that held no sequence number of their own (never sent,
     * or their failed send's number was given back): the sender skips this
     * many numbers so peers see the loss (bcast_publish.c). */
    uint64_t lost_unnumbered;
    /* Dropped items that still held the number of their failed send: the
     * number stays a hole, and the next stamp carries the after-loss flag
     * for receivers that hear the origin for the first time after it. */
    uint64_t lost_numbered;
} sg_replay;

sg_status sg_replay_init(sg_replay *q, uint32_t items_max, uint64_t bytes_max);
void sg_replay_free(sg_replay *q);
/* Copies a payload to the back (a new publish).  Evicts from the front to
 * fit.  SG_E_NOMEM (counted) when the copy cannot be allocated. */
sg_status sg_replay_push_back(sg_replay *q, const uint8_t *payload, uint32_t len);
/* Copies a payload whose send failed with `seq` to the front, after older
 * returned sends (ordered by seq).  Evicts from the front to fit. */
sg_status sg_replay_push_returned(sg_replay *q, const uint8_t *payload, uint32_t len, uint64_t seq);
/* A queued failed send still holds `seq` (never reached the wire): mark the
 * number released and return true, so the sender may reissue it. */
bool sg_replay_release_returned(sg_replay *q, uint64_t seq);
/* Marks everything now queued (and in flight) as the round's snapshot. */
void sg_replay_begin_round(sg_replay *q);
/* Moves the front item in flight under `seq`; NULL when empty or busy. */
const sg_replay_item *sg_replay_take(sg_replay *q, uint64_t seq);
/* The in-flight item was sent (ok) or failed (back to the front). */
void sg_replay_finish(sg_replay *q, bool ok);
bool sg_replay_empty(const sg_replay *q); /* nothing queued and nothing in flight */
uint32_t sg_replay_items(const sg_replay *q); /* queued + in flight */
uint64_t sg_replay_total_bytes(const sg_replay *q);

/* ---- peers (bcast_peers.c) --------------------------------------------- */

/* sg_peer.flags */
#define SG_PEER_CLEAN 1u  /* its epoch ended with a goodbye and nothing is missing */
#define SG_PEER_REBASE 2u /* learned in an earlier reader run: its next new message is a baseline */

typedef struct sg_peer {
    uint64_t epoch;
    uint64_t last_seq;
    uint64_t last_use; /* LRU clock */
    uint32_t origin;
    uint16_t slot;     /* its position in the hash index */
    uint8_t flags;     /* SG_PEER_* */
} sg_peer;

_Static_assert(2u * SG_BCAST_PEERS_MAX <= 65536u, "an index slot fits sg_peer.slot");
_Static_assert(sizeof(sg_peer) <= 32, "peer state stays at 32 bytes");

typedef struct sg_peers {
    sg_peer *entries;
    uint32_t *index;   /* open addressing: entry number + 1, 0 = empty */
    uint32_t max;
    uint32_t count;
    uint32_t index_mask;
    uint64_t clock;
    uint64_t evictions;
} sg_peers;

typedef enum sg_peer_verdict {
    SG_PEER_FIRST = 1,      /* never heard of, evicted, or rebased: baseline; *missed = how many of
                               its messages came before (seq - 1, or above what we knew) */
    SG_PEER_NEXT,           /* same epoch, seq == last + 1 */
    SG_PEER_DUPLICATE,      /* same epoch, seq <= last */
    SG_PEER_SEQ_GAP,        /* same epoch, seq > last + 1 */
    SG_PEER_RESTART,        /* new epoch at seq 1 after a clean goodbye: no gap */
    SG_PEER_EPOCH_GAP,      /* new epoch otherwise: its first messages, or the end of the
                               previous epoch (a crash), may have been missed */
    SG_PEER_FIRST_NEW_EPOCH /* rebased (learned in an earlier run) and now in another epoch: a
                               baseline like FIRST, but the epoch we learned may have gone on
                               and ended after this run subscribed (bcast_message.c: blind) */
} sg_peer_verdict;

sg_status sg_peers_init(sg_peers *p, uint32_t max);
void sg_peers_free(sg_peers *p);
/* Records DATA (epoch, seq) from origin; *missed = messages known missing. */
sg_peer_verdict sg_peers_observe(sg_peers *p, uint32_t origin, uint64_t epoch, uint64_t seq, uint64_t *missed);
/* Records origin's goodbye for `epoch` whose last DATA number is `last`:
 * FIRST (unknown origin: a baseline), NEXT (nothing missing), SEQ_GAP
 * (*missed of its last messages never arrived) or, for an epoch we never
 * heard of, RESTART / EPOCH_GAP as a DATA message of that epoch would be.
 * The epoch is then marked clean: the origin's next epoch is no gap. */
sg_peer_verdict sg_peers_goodbye(sg_peers *p, uint32_t origin, uint64_t epoch, uint64_t last, uint64_t *missed);
/* A new reader run subscribed: what every origin sent before is covered by
 * the clients' own fetches, so each entry's next message above what it
 * knows is a baseline (duplicates are still skipped). */
void sg_peers_rebase(sg_peers *p);

/* ---- reader (bcast_reader.c) ------------------------------------------- */

typedef struct sg_reader {
    sg_reader_state state;
    sg_backoff backoff;
    sg_time_ns deadline;       /* BACKOFF: next connect; CONNECTING/SUBSCRIBING: timeout */
    sg_duration_ns last_delay; /* the backoff wait before the current attempt */
    bool session_delivered;    /* this session read a message */
    bool run_delivered;        /* an earlier session of this run read a message */
    bool deaf;                 /* the watchdog fired; cleared when subscribed again */
    uint32_t deaf_sessions;    /* watchdog trips in a row with nothing heard in between */
    sg_time_ns last_heard;
    sg_time_ns heartbeat_at;   /* next canary; SG_TIME_NEVER when off */
    uint64_t heartbeat_seq;
    uint32_t run_subscriptions; /* sessions of this run that subscribed */
    bool blind;                /* a quiet reconnect since the last resync: clients may have missed
                                  what origins we had not heard of yet published meanwhile */
} sg_reader;

/* ---- refetch (bcast_refetch.c) ------------------------------------------ */

#define SG_REFETCH_NONE UINT64_MAX

/* Clients registered while the reader was not reading may have missed what
 * was published before the subscription: when it becomes live (without a
 * gap whose resync covers them) they are asked to refetch, once each. */
typedef struct sg_refetch {
    uint64_t uncovered_from; /* registry serial from which clients lack cover; NONE = all covered */
    bool active;             /* a walk is emitting REFETCH actions */
    uint64_t from, to;       /* the walk: clients with serial in [from, to) */
    uint32_t cursor;         /* next slot to look at */
    uint32_t span;           /* slots [0, span) existed when the walk began */
    uint64_t emitted;        /* REFETCH actions of this walk */
} sg_refetch;

/* ---- recovery (bcast_recovery.c) --------------------------------------- */

/* Replay attempts per recovery round while the reader keeps reading; after
 * that the round resyncs anyway and a later replay-only round retries. */
#define SG_RECOVERY_REPLAY_TRIES 3u

typedef struct sg_recovery {
    sg_recovery_phase phase;
    bool resync_wanted;  /* a gap round; false: replay-only (flush) round */
    bool rerun;          /* a gap arrived after this round replayed: run again */
    bool pinned;         /* the round's pin on the reader */
    sg_time_ns deadline; /* SETTLING: end of settle; RESYNC_WAIT: end of cooldown */
    sg_time_ns last_resync;
    uint32_t replayed;   /* items replayed this round */
    uint32_t replay_tries; /* failed replay attempts this round */
    sg_time_ns resync_next_at; /* RESYNCING: when the next close is due */
    /* resync progress: the slots are walked once over the window */
    sg_time_ns resync_start;
    uint64_t resync_serial;
    uint32_t resync_cursor;  /* next slot to look at */
    uint32_t resync_span;    /* slots [0, span) existed when the resync began */
    uint32_t resync_targets; /* clients registered when it began */
    uint32_t resync_closed;  /* closes emitted so far */
} sg_recovery;

/* ---- the broadcaster --------------------------------------------------- */

struct sg_bcast {
    sg_bcast_config config;
    sg_rng rng;
    sg_time_ns now;        /* the latest time seen (time never goes backwards) */
    uint32_t pins;         /* sg_bcast_pin contexts (the recovery pin is separate) */
    bool work_deferred;    /* deferrable work waits for room in the action ring */
    sg_bcast_health health; /* the judgement last announced */
    uint64_t next_seq;     /* next DATA sequence number to stamp (starts at 1) */
    uint64_t seq_skip;     /* publishes dropped before holding a number: skipped at the next stamp */
    uint64_t loss_mark;    /* the number that carries SG_MSG_FLAG_AFTER_LOSS (0 = none) */
    bool loss_suspect;     /* the next stamp gets the flag: a session we sent in ended, or a
                              failed send's copy could not be kept (its number is a hole) */
    bool sent_in_session;  /* a DATA number was stamped while the current session read */
    uint64_t own_echo_seq; /* ON_ECHO: last own sequence delivered */
    sg_registry registry;
    sg_reader reader;
    sg_replay replay;
    sg_peers peers;
    sg_recovery recovery;
    sg_refetch refetch;
    sg_actions actions;
    sg_bcast_counters counters;
};

/* Time since `then` (then <= now), without signed overflow for any pair
 * of clock values. */
static inline uint64_t sg_elapsed_ns(sg_time_ns now, sg_time_ns then)
{
    return now > then ? (uint64_t)now - (uint64_t)then : 0u;
}

/* bcast_header.c: a header of this worker's own (origin, epoch) */
sg_bcast_header sg_own_header(const sg_bcast *b, sg_msg_kind kind, uint64_t seq);

/* bcast.c: glue */
uint32_t sg_bcast_listeners(const sg_bcast *b);
/* Call after any change of clients/pins: starts or stops the reader run. */
void sg_bcast_listeners_changed(sg_bcast *b, uint32_t before);
/* Allocation with the create_alloc fault point. */
void *sg_bcast_alloc_zeroed(size_t count, size_t size);

/* bcast_actions.c */
void sg_actions_init(sg_actions *q);
uint32_t sg_actions_room_deferrable(const sg_actions *q);
bool sg_actions_pop(sg_actions *q, sg_bcast_action *out);
void sg_emit(sg_bcast *b, const sg_bcast_action *a);
void sg_emit_simple(sg_bcast *b, sg_bcast_action_kind kind);
void sg_emit_note(sg_bcast *b, sg_bcast_note_kind note, uint64_t value, uint32_t peer);

/* bcast_reader.c */
void sg_reader_init(sg_bcast *b);
void sg_reader_start_run(sg_bcast *b);
void sg_reader_stop_run(sg_bcast *b);
void sg_reader_on_connected(sg_bcast *b);
void sg_reader_on_connect_failed(sg_bcast *b);
void sg_reader_on_subscribed(sg_bcast *b);
void sg_reader_on_subscribe_failed(sg_bcast *b);
void sg_reader_on_dropped(sg_bcast *b);
void sg_reader_heard(sg_bcast *b); /* a message was read while READING */
bool sg_reader_on_timer(sg_bcast *b);
sg_time_ns sg_reader_deadline(const sg_bcast *b);

/* bcast_recovery.c */
void sg_recovery_init(sg_recovery *r);
void sg_recovery_gap(sg_bcast *b, sg_bcast_note_kind cause, uint64_t value, uint32_t peer);
void sg_recovery_reader_reading(sg_bcast *b);
void sg_recovery_reader_left(sg_bcast *b);
void sg_recovery_abort(sg_bcast *b);
void sg_recovery_replay_finished(sg_bcast *b, bool ok, uint32_t unsent);
bool sg_recovery_advance(sg_bcast *b);
void sg_recovery_kick(sg_bcast *b);
bool sg_recovery_on_timer(sg_bcast *b);
sg_time_ns sg_recovery_deadline(const sg_bcast *b);

/* bcast_publish.c */
sg_publish_result sg_publish_decide(sg_bcast *b, const uint8_t *payload, uint32_t len);
void sg_publish_result_of_send(sg_bcast *b, const sg_bcast_header *h, const uint8_t *payload, uint32_t len, bool ok);
void sg_publish_replay_result(sg_bcast *b, bool ok);
bool sg_publish_pump(sg_bcast *b);
uint64_t sg_publish_pending_skips(const sg_bcast *b);
void sg_publish_goodbye(sg_bcast *b);
void sg_publish_session_ended(sg_bcast *b, bool failed);
/* Our own DATA `seq` was read back from the backbone. */
void sg_publish_echo_heard(sg_bcast *b, uint64_t seq);

/* bcast_message.c */
sg_msg_verdict sg_message_judge(sg_bcast *b, const sg_bcast_header *h);
void sg_message_rebase(sg_bcast *b);

/* bcast_refetch.c */
void sg_refetch_init(sg_refetch *f);
void sg_refetch_run_started(sg_bcast *b);
void sg_refetch_reader_left(sg_bcast *b);
void sg_refetch_reader_reading(sg_bcast *b, bool resync_covers);
bool sg_refetch_pump(sg_bcast *b);

/* bcast_health.c */
sg_bcast_health sg_health_judge(const sg_bcast *b, sg_time_ns now);
void sg_health_refresh(sg_bcast *b);

#endif

/*
 * bcast.h - the resilient broadcaster core of one server worker.
 *
 * One sg_bcast per worker.  It owns, for that worker:
 *   - the backbone reader's lifecycle: connect -> subscribe -> reading, with
 *     backoff between attempts, give-up after max_retries (health 503 plus a
 *     SHUTDOWN action: never a dead reader left in place);
 *   - listener accounting: registered local clients plus pins; the reader
 *     runs while the count is > 0 and stops when it reaches 0;
 *   - the registry of local clients: handles with generations, so a double
 *     or stale unregister is a counted no-op;
 *   - gap detection: a reconnect after a session that delivered something,
 *     inside the same reader run; a sequence jump from a peer (a publish
 *     lost inside the origin consumes a number too, so it shows); a peer's
 *     new epoch not announced by a complete goodbye (a crash); a
 *     silence-watchdog expiry;
 *   - the replay buffer of outbound broadcasts that could not be sent,
 *     bounded by count and bytes, drop-oldest, poison items dropped;
 *   - recovery after a gap: settle (+ per-worker jitter), replay the buffer,
 *     then resync the worker's own clients with staggered 1012 closes;
 *     single flight with a rerun flag, a cooldown between resyncs, and the
 *     reader pinned for the whole recovery;
 *   - coverage of clients that registered while the reader was not reading
 *     (the startup race): one SG_ACT_REFETCH each once it subscribes, and
 *     the rules for origins heard for the first time (after-loss flag,
 *     blind runs after a quiet reconnect);
 *   - the goodbye of a graceful shutdown (sg_bcast_goodbye), so peers tell
 *     a clean restart from a crash;
 *   - the health judgement (readiness) of the worker.
 *
 * Sans-IO contract (learned from ngtcp2): the driver calls the sg_bcast_on_*
 * functions when something happens, always passing `now` (monotonic ns,
 * never decreasing); then it drains actions with sg_bcast_poll_action and
 * arms one timer for sg_bcast_next_deadline, calling sg_bcast_on_timer when
 * it fires.  The core never reads a clock, sleeps, does I/O, starts threads
 * or calls rand(): randomness comes from the seed in the config.  All
 * memory is allocated in sg_bcast_create (every bound is in the config) and
 * released by sg_bcast_destroy, except replay-buffer payload copies, which
 * are allocated per item within the configured byte bound (an allocation
 * failure drops that item and counts it: it never crashes or corrupts).
 *
 * Messages on the backbone carry an sg_bcast_header (origin worker id,
 * epoch, sequence, kind).  The driver serializes the header with the
 * payload (sg_bcast_header_encode/decode give a fixed 32-byte form) so any
 * backbone that carries bytes works.
 *
 * Per-message decisions are returned synchronously (sg_bcast_publish,
 * sg_bcast_on_message) so the driver can act on the payload it already
 * holds without a copy; everything asynchronous goes through the action
 * queue, which is bounded (SG_BCAST_ACTION_QUEUE_MAX): when it is full the
 * core defers work (for example the rest of a resync's closes) to the next
 * sg_bcast_on_timer and reports next_deadline = now.
 */
#ifndef STORMGLASS_BCAST_H
#define STORMGLASS_BCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/backoff.h"
#include "stormglass/status.h"
#include "stormglass/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- bounds ---------------------------------------------------------- */

#define SG_BCAST_ACTION_QUEUE_MAX 64u       /* pending actions */
#define SG_BCAST_CLIENTS_MAX 1000000u       /* registry capacity limit */
#define SG_BCAST_PEERS_MAX 4096u            /* peer sequence table limit */
#define SG_BCAST_REPLAY_ITEMS_MAX 1000000u  /* replay buffer count limit */
#define SG_BCAST_REPLAY_BYTES_MAX ((uint64_t)1 << 32)
#define SG_BCAST_PAYLOAD_MAX ((uint32_t)64 << 20) /* any single payload */
#define SG_BCAST_HEADER_BYTES 32u
#define SG_CLOSE_CODE_RESYNC 1012u          /* WebSocket "service restart" */
/* Deferrable work (resync closes, replay publishes) leaves this many action
 * slots free, so reader, health and shutdown actions always find room when
 * the driver drains the queue after every event. */
#define SG_BCAST_ACTION_RESERVE 16u
/* Rounds of due-timer processing one sg_bcast_on_timer call performs (a
 * time jump can make several timers due at once; each round is O(1)). */
#define SG_BCAST_TIMER_ROUNDS 16u

/* ---- configuration (mirrors the OPAL seed's documented table) --------- */

typedef enum sg_delivery_policy {
    SG_DELIVERY_IMMEDIATE = 0, /* the origin delivers its own publish at once */
    SG_DELIVERY_ON_ECHO        /* ... only when it reads it back from the backbone */
} sg_delivery_policy;

typedef struct sg_bcast_config {
    /* identity and randomness */
    uint32_t worker_id;        /* unique in the fleet; the `origin` of our messages */
    uint64_t epoch;            /* changes on every process start (driver's choice) */
    uint64_t seed;             /* PRNG seed for jitter; stream = worker_id */

    /* reader (OPAL_BROADCAST_RECONNECT_*) */
    bool reconnect_enabled;    /* default true; false = give up on the first drop */
    sg_backoff_config backoff; /* default equal jitter 0.5 s .. 30 s, max_retries 0 = forever */
    sg_duration_ns connect_timeout_ns; /* a CONNECT or SUBSCRIBE not answered in time = failed; default 10 s */

    /* replay buffer (OPAL_BROADCAST_REPLAY_BUFFER_SIZE + bytes) */
    uint32_t replay_items_max;  /* default 10000; 0 disables buffering */
    uint64_t replay_bytes_max;  /* default 64 MiB */
    uint32_t backbone_payload_max; /* payloads larger than this are poison; default 1 MiB
                                      (the Postgres driver sets 7999) */

    /* recovery (OPAL_BROADCAST_RESYNC_*) */
    bool resync_on_reconnect;        /* default true */
    sg_duration_ns settle_ns;        /* default 2 s */
    sg_duration_ns settle_jitter_ns; /* per-worker extra settle, uniform [0, this]; default 1 s */
    sg_duration_ns resync_window_ns; /* staggered closes spread over this; default 10 s */
    sg_duration_ns resync_cooldown_ns; /* min time between two resyncs; default 30 s */

    /* delivery and watchdog */
    sg_delivery_policy delivery;     /* default IMMEDIATE */
    sg_duration_ns watchdog_ns;      /* 0 = disabled (default): deaf longer than this = dropped */
    sg_duration_ns heartbeat_ns;     /* canary period while the watchdog is on; 0 (default) = watchdog/3 */

    /* health (OPAL_BROADCAST_HEALTHCHECK_ENABLED) */
    bool healthcheck_enabled;        /* default true; false = always healthy */

    /* capacities */
    uint32_t clients_max;            /* registry capacity; default 65536 */
    uint32_t peers_max;              /* peers tracked for sequence gaps; default 256 */

    /* added with the convergence fixes */
    bool after_unclean_exit;         /* the previous instance of this worker ended without its
                                        goodbye reaching the backbone (crash, kill, give-up), so
                                        what it had buffered is lost: this instance's first
                                        message carries SG_MSG_FLAG_AFTER_LOSS, and a peer that
                                        never knew the previous epoch resyncs too.  Default false;
                                        set it only when known (never on a fleet's first start) */
} sg_bcast_config;

sg_bcast_config sg_bcast_config_default(void);

/* Validates every field and their combinations; err names the field
 * (for example "bcast.settle: must be within 0 .. 1h"). */
sg_status sg_bcast_config_check(const sg_bcast_config *config, sg_error *err);

/* ---- messages on the backbone ---------------------------------------- */

typedef enum sg_msg_kind {
    SG_MSG_DATA = 1,      /* a broadcast: apply to topic state, deliver to clients */
    SG_MSG_HEARTBEAT = 2, /* the watchdog's canary: never delivered */
    SG_MSG_GOODBYE = 3    /* the origin's epoch ends gracefully; seq = its last DATA number
                             (sg_bcast_goodbye): never delivered */
} sg_msg_kind;

/* sg_bcast_header.flags */
/* The origin suspects that messages of its right before this one were
 * lost: it skipped the numbers of publishes it dropped, or its previous
 * session ended while what it had sent may not have arrived.  A receiver
 * that knows the origin sees the jump anyway; one that hears the origin
 * for the first time (in this reader run) cannot tell whether the loss
 * predates its subscription, and takes the flag for a gap. */
#define SG_MSG_FLAG_AFTER_LOSS 0x01u
#define SG_MSG_FLAGS_KNOWN SG_MSG_FLAG_AFTER_LOSS

typedef struct sg_bcast_header {
    uint32_t origin;   /* worker_id of the publisher */
    uint8_t kind;      /* sg_msg_kind */
    uint64_t epoch;    /* publisher's epoch */
    uint64_t seq;      /* per (origin, epoch, kind DATA): 1, 2, 3, ... ; heartbeats: own counter;
                          goodbye: the last DATA number of the epoch (0 = none) */
    uint8_t flags;     /* SG_MSG_FLAG_* (0 in heartbeats) */
} sg_bcast_header;

/* Fixed 32-byte big-endian wire form: "SGB1", origin, kind, flags, 2 zero
 * bytes, epoch, seq, 4 reserved zero bytes. */
void sg_bcast_header_encode(const sg_bcast_header *h, uint8_t out[SG_BCAST_HEADER_BYTES]);
/* SG_E_INVALID (with why) for a wrong magic, kind, unknown flag or reserved bytes. */
sg_status sg_bcast_header_decode(const uint8_t *in, size_t len, sg_bcast_header *h, sg_error *err);

/* ---- client handles ---------------------------------------------------- */

typedef struct sg_client_handle {
    uint32_t index;      /* slot in the registry */
    uint32_t generation; /* bumped when the slot is freed: stale handles are detected */
} sg_client_handle;

/* ---- actions: what the driver must do ---------------------------------- */

typedef enum sg_bcast_action_kind {
    SG_ACT_CONNECT = 1,   /* open a backbone connection; report connected/connect_failed */
    SG_ACT_SUBSCRIBE,     /* subscribe on the open connection; report subscribed/subscribe_failed */
    SG_ACT_DISCONNECT,    /* close the backbone connection (reader stopped or declared deaf) */
    SG_ACT_PUBLISH,       /* send header+payload (a replayed item); report sg_bcast_on_replay_result */
    SG_ACT_HEARTBEAT,     /* publish a canary with this header and an empty payload */
    SG_ACT_CLOSE_CLIENT,  /* close this local client with `close_code` (resync: 1012) */
    SG_ACT_HEALTH,        /* the health judgement changed to `healthy` */
    SG_ACT_SHUTDOWN,      /* retries exhausted: the worker must exit (let it restart) */
    SG_ACT_NOTE,          /* informational milestone for traces/logs; no action needed */
    SG_ACT_GOODBYE,       /* publish this header with an empty payload, then exit (sg_bcast_goodbye) */
    SG_ACT_REFETCH        /* send this local client the full current state of its topics again (no
                             close); it may have missed broadcasts before the reader subscribed */
} sg_bcast_action_kind;

typedef enum sg_bcast_note_kind {
    SG_NOTE_GAP_RECONNECT = 1,  /* reconnected after a session that delivered: a gap */
    SG_NOTE_GAP_SEQUENCE,       /* a peer's sequence jumped */
    SG_NOTE_GAP_EPOCH,          /* a peer changed epoch mid-stream */
    SG_NOTE_GAP_WATCHDOG,       /* deaf past the watchdog window */
    SG_NOTE_RECOVERY_START,     /* settle timer armed */
    SG_NOTE_RECOVERY_RERUN,     /* a gap during recovery: another round will follow */
    SG_NOTE_REPLAY_DONE,        /* replay buffer flushed (value = items sent) */
    SG_NOTE_REPLAY_PARTIAL,     /* a replay send failed (value = items re-enqueued) */
    SG_NOTE_RESYNC_START,       /* value = clients to close */
    SG_NOTE_RESYNC_DEFERRED,    /* cooldown: value = ns until allowed */
    SG_NOTE_RESYNC_DONE,
    SG_NOTE_RECOVERY_DONE,
    SG_NOTE_GIVE_UP,
    SG_NOTE_READER_START,       /* a new reader run began (listeners 0 -> 1) */
    SG_NOTE_READER_STOP,        /* the run ended (listeners reached 0) */
    SG_NOTE_REFETCH_DONE        /* the REFETCH actions of a subscription are out (value = clients) */
} sg_bcast_note_kind;

typedef enum sg_health_reason {
    SG_HEALTH_OK_IDLE = 0,      /* healthy: no listeners, nothing depends on the reader */
    SG_HEALTH_OK_READING,       /* healthy: reader subscribed and hearing */
    SG_HEALTH_OK_RECONNECTING,  /* healthy: transient reconnect within retries (no probe flap) */
    SG_HEALTH_OK_DISABLED,      /* healthy: healthcheck disabled by config */
    SG_HEALTH_BAD_GIVEN_UP,     /* unhealthy: retries exhausted */
    SG_HEALTH_BAD_DEAF,         /* unhealthy: connected but silent past the watchdog */
    SG_HEALTH_BAD_NO_READER     /* unhealthy: listeners depend on an absent reader */
} sg_health_reason;

typedef struct sg_bcast_action {
    sg_bcast_action_kind kind;
    union {
        struct { uint32_t attempt; sg_duration_ns timeout_ns; } connect;
        struct { sg_bcast_header header; const uint8_t *payload; uint32_t len; } publish;
        struct { sg_bcast_header header; } heartbeat;
        struct { sg_client_handle handle; uint64_t cookie; uint16_t close_code; } close_client;
        struct { bool healthy; sg_health_reason reason; } health;
        struct { sg_bcast_note_kind note; uint64_t value; uint32_t peer; } note;
        struct { sg_bcast_header header; } goodbye;
        struct { sg_client_handle handle; uint64_t cookie; } refetch;
    } u;
} sg_bcast_action;

/* The PUBLISH payload pointer stays valid until the driver reports the
 * result of that publish (sg_bcast_on_replay_result) or destroys the core. */

/* ---- lifecycle --------------------------------------------------------- */

typedef struct sg_bcast sg_bcast; /* opaque */

/* Allocates everything the configured bounds need.  SG_E_INVALID (err says
 * which field) or SG_E_NOMEM; *out is NULL on failure. */
sg_status sg_bcast_create(const sg_bcast_config *config, sg_time_ns now, sg_bcast **out, sg_error *err);
void sg_bcast_destroy(sg_bcast *b);

/* ---- events: listeners and clients ------------------------------------- */

/* A local client connected.  cookie is the driver's own id for it (echoed
 * in CLOSE_CLIENT).  Counts as a listener: starts the reader if it was not
 * running.  SG_E_FULL when the registry is at clients_max (the driver
 * refuses the client; no count is taken). */
sg_status sg_bcast_client_register(sg_bcast *b, sg_time_ns now, uint64_t cookie, sg_client_handle *out);

/* A local client left.  Idempotent: a second call or a stale handle returns
 * SG_E_NOT_FOUND, counts a double disconnect and changes nothing else. */
sg_status sg_bcast_client_unregister(sg_bcast *b, sg_time_ns now, sg_client_handle handle);

/* A pinned listening context (for example a statistics task) that keeps the
 * reader alive without being a client.  Unpin below zero is refused with
 * SG_E_STATE and counted, never a negative count. */
void sg_bcast_pin(sg_bcast *b, sg_time_ns now);
sg_status sg_bcast_unpin(sg_bcast *b, sg_time_ns now);

/* ---- events: the backbone connection ----------------------------------- */

void sg_bcast_on_connected(sg_bcast *b, sg_time_ns now);
void sg_bcast_on_connect_failed(sg_bcast *b, sg_time_ns now);
void sg_bcast_on_subscribed(sg_bcast *b, sg_time_ns now);
void sg_bcast_on_subscribe_failed(sg_bcast *b, sg_time_ns now);
/* The connection dropped (error, EOF, the server killed us). */
void sg_bcast_on_dropped(sg_bcast *b, sg_time_ns now);

/* ---- events: messages --------------------------------------------------- */

typedef enum sg_msg_verdict {
    SG_MSG_DELIVER = 1,     /* apply and deliver to local clients */
    SG_MSG_SKIP_OWN,        /* our own echo, already delivered (IMMEDIATE policy) */
    SG_MSG_SKIP_DUPLICATE,  /* sequence at or below the last seen from that origin */
    SG_MSG_SKIP_HEARTBEAT,  /* a canary: consumed by the watchdog */
    SG_MSG_SKIP_NOT_READING, /* arrived while the reader is not subscribed: ignored */
    SG_MSG_SKIP_INVALID,    /* NULL header or unknown kind: ignored and counted */
    SG_MSG_SKIP_GOODBYE     /* a peer's goodbye: consumed by the gap rules, never delivered */
} sg_msg_verdict;

/* A message was read from the backbone.  Returns what to do with it; gap
 * detection and the watchdog happen as side effects. */
sg_msg_verdict sg_bcast_on_message(sg_bcast *b, sg_time_ns now, const sg_bcast_header *header,
                                   uint32_t payload_len);

typedef enum sg_publish_verdict {
    SG_PUBLISH_SEND = 1,    /* send `header`+payload now, then report sg_bcast_on_publish_result */
    SG_PUBLISH_BUFFERED,    /* backbone unavailable (or replay pending): copied into the replay buffer */
    SG_PUBLISH_DROPPED      /* poison (over backbone_payload_max) or buffering disabled/failed: counted;
                               the next message on the wire skips its sequence number, so peers
                               see the loss as a gap and resync */
} sg_publish_verdict;

typedef struct sg_publish_result {
    sg_publish_verdict verdict;
    sg_bcast_header header;  /* SEND: the header to put on the wire */
    bool deliver_locally;    /* deliver to this worker's own clients now (IMMEDIATE policy) */
} sg_publish_result;

/* A local publish of `len` bytes.  While a replay is pending, new publishes
 * queue behind it, so each origin's messages stay in order on the wire. */
sg_publish_result sg_bcast_publish(sg_bcast *b, sg_time_ns now, const uint8_t *payload, uint32_t len);

/* Result of sending a SG_PUBLISH_SEND publish.  On failure the core copies
 * the payload into the replay buffer (the copy's resend reuses the sequence
 * number, so peers see no phantom gap; if the copy cannot be kept the
 * number is never reused, so peers see the loss as a gap) and treats the
 * backbone as down only when the driver also reports on_dropped.
 *
 * Report ok=false only when the message certainly did not reach the
 * backbone (never written).  An unknown outcome (written, then the
 * connection died before any reply) must be reported as ok=true: a reused
 * number would make a peer that did receive the first message skip the
 * second as a duplicate, a silent loss; reported as sent, a message that
 * was in fact lost shows up at the peers as a sequence gap, which they
 * recover from.  The same rule holds for sg_bcast_on_replay_result. */
void sg_bcast_on_publish_result(sg_bcast *b, sg_time_ns now, const sg_bcast_header *header,
                                const uint8_t *payload, uint32_t len, bool ok);

/* Result of a SG_ACT_PUBLISH (replay) action, in the order they were
 * emitted.  A failure re-enqueues the unsent tail at the front of the
 * buffer without evicting newer entries beyond the bounds' drop-oldest.
 * The core sends one replay item at a time and waits for this result, so
 * the driver must report every PUBLISH (a dropped connection: ok=false). */
void sg_bcast_on_replay_result(sg_bcast *b, sg_time_ns now, bool ok);

/* ---- graceful shutdown --------------------------------------------------- */

/* The worker is shutting down gracefully (a rolling restart, SIGTERM):
 * emits SG_ACT_GOODBYE, whose header (kind GOODBYE, seq = the last DATA
 * number of this epoch) the driver publishes like a heartbeat before the
 * process exits.  Publishes that will now never be sent (still buffered,
 * or dropped and not yet skipped) are counted into that number, so peers
 * that see the goodbye know whether they missed anything.
 *
 * A peer treats our next epoch as a clean restart (no gap) only after a
 * goodbye that left nothing missing; a new epoch without one (a crash, a
 * kill, a goodbye lost on the way) is an epoch gap and the peer resyncs
 * its clients, because whatever we had buffered died with us.  Call it
 * last, after the final publishes (and, if wanted, after the replay buffer
 * drained: sg_bcast_stats.replay_items == 0).  Calling it twice emits the
 * same goodbye again. */
void sg_bcast_goodbye(sg_bcast *b, sg_time_ns now);

/* ---- time and actions -------------------------------------------------- */

/* Earliest time at which sg_bcast_on_timer has work; SG_TIME_NEVER if none. */
sg_time_ns sg_bcast_next_deadline(const sg_bcast *b);
void sg_bcast_on_timer(sg_bcast *b, sg_time_ns now);

/* Pops the oldest pending action; false when there is none. */
bool sg_bcast_poll_action(sg_bcast *b, sg_bcast_action *out);

/* ---- observation --------------------------------------------------------- */

typedef enum sg_reader_state {
    SG_READER_IDLE = 0,     /* no listeners, no connection */
    SG_READER_BACKOFF,      /* waiting before the next connect attempt */
    SG_READER_CONNECTING,   /* CONNECT emitted, waiting for the result */
    SG_READER_SUBSCRIBING,  /* SUBSCRIBE emitted, waiting for the result */
    SG_READER_READING,      /* subscribed */
    SG_READER_GIVEN_UP      /* retries exhausted; SHUTDOWN emitted */
} sg_reader_state;

typedef enum sg_recovery_phase {
    SG_RECOVERY_NONE = 0,
    SG_RECOVERY_WAIT_READING, /* a gap is known; waiting for the reader to be subscribed */
    SG_RECOVERY_SETTLING,     /* waiting out the settle time */
    SG_RECOVERY_REPLAYING,    /* replay PUBLISH actions outstanding */
    SG_RECOVERY_RESYNC_WAIT,  /* resync deferred by the cooldown */
    SG_RECOVERY_RESYNCING     /* staggered closes in progress */
} sg_recovery_phase;

typedef struct sg_bcast_health {
    bool healthy;
    sg_health_reason reason;
} sg_bcast_health;

/* Readiness judgement at `now`.  Liveness is trivially "the process runs"
 * and needs no call. */
sg_bcast_health sg_bcast_health_at(const sg_bcast *b, sg_time_ns now);

typedef struct sg_bcast_counters {
    uint64_t connect_attempts;
    uint64_t connects_ok;
    uint64_t connect_failures;       /* connect or subscribe failed / timed out */
    uint64_t drops;                  /* on_dropped while connected/subscribed */
    uint64_t reader_runs;            /* listener count went 0 -> 1 */
    uint64_t gaps;                   /* all causes */
    uint64_t gaps_reconnect, gaps_sequence, gaps_epoch, gaps_watchdog;
    uint64_t recoveries;             /* recovery rounds started */
    uint64_t recovery_reruns;        /* gaps that arrived while a recovery ran */
    uint64_t replays;                /* items re-sent from the buffer */
    uint64_t replay_partial;         /* replay rounds cut short by a send failure */
    uint64_t buffered;               /* items put in the replay buffer */
    uint64_t replay_drops_overflow;  /* dropped oldest on count or byte overflow */
    uint64_t replay_drops_poison;    /* too big for the backbone */
    uint64_t replay_drops_nomem;     /* copy allocation failed */
    uint64_t publish_drops;          /* publishes dropped (buffering disabled) */
    uint64_t resyncs;                /* resync rounds */
    uint64_t resyncs_deferred;       /* resyncs held back by the cooldown */
    uint64_t clients_closed_for_resync;
    uint64_t double_disconnects;     /* unregister of a stale or freed handle */
    uint64_t unpin_underflows;
    uint64_t registry_full;
    uint64_t health_transitions;
    uint64_t messages_delivered, duplicates_skipped, own_echoes, heartbeats_sent, heartbeats_seen;
    uint64_t messages_while_not_reading;
    uint64_t peer_evictions;
    uint64_t give_ups;
    /* added with the implementation (issue 3) */
    uint64_t connect_timeouts;       /* CONNECT or SUBSCRIBE unanswered within the timeout */
    uint64_t flush_rounds;           /* replay-only rounds (buffer non-empty, no gap) */
    uint64_t publishes_sent;         /* SG_PUBLISH_SEND results reported ok */
    uint64_t publish_failures;       /* SG_PUBLISH_SEND results reported failed (item buffered) */
    uint64_t replay_results_stale;   /* on_replay_result with no replay in flight */
    uint64_t events_ignored;         /* events that do not apply to the current state */
    uint64_t actions_dropped;        /* the action queue was full (the driver did not drain it) */
    uint64_t gaps_merged;            /* gaps absorbed by a round whose resync had not started */
    uint64_t client_crashes;         /* always 0 in the core; legacy models count /ws handlers
                                        that crashed (client_register returned SG_E_STATE) */
    /* added with the convergence fixes (swarm classes A, B, C) */
    uint64_t seq_skips;              /* sequence numbers skipped for publishes lost before
                                        reaching the backbone, so peers see a gap */
    uint64_t goodbyes_sent;          /* sg_bcast_goodbye calls */
    uint64_t goodbyes_seen;          /* peers' goodbyes read */
    uint64_t peer_restarts_clean;    /* a peer's new epoch after its goodbye left nothing missing */
    uint64_t refetch_rounds;         /* subscriptions that asked clients to refetch */
    uint64_t clients_refetched;      /* REFETCH actions */
} sg_bcast_counters;

typedef struct sg_bcast_stats {
    sg_reader_state reader;
    sg_recovery_phase recovery;
    uint32_t listeners;      /* clients + pins (the recovery's own pin included) */
    uint32_t clients;
    uint32_t pins;
    uint32_t replay_items;   /* buffered + in flight */
    uint64_t replay_bytes;
    uint32_t backoff_attempt;
    bool recovery_rerun_pending;
    sg_time_ns last_resync_ns; /* SG_TIME_NEVER until the first */
    sg_bcast_counters counters;
} sg_bcast_stats;

void sg_bcast_stats_get(const sg_bcast *b, sg_bcast_stats *out);

const char *sg_reader_state_name(sg_reader_state s);
const char *sg_recovery_phase_name(sg_recovery_phase p);
const char *sg_health_reason_name(sg_health_reason r);
const char *sg_bcast_action_name(sg_bcast_action_kind k);
const char *sg_bcast_note_name(sg_bcast_note_kind k);

#ifdef __cplusplus
}
#endif

#endif

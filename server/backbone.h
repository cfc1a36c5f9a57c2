/*
 * backbone.h - the one interface every backbone adapter implements
 * (memory:// here; redis://, postgres://, kafka:// plug in the same way).
 *
 * An adapter is asynchronous and runs on the server's libuv loop: it
 * registers its own watchers (a uv_poll on a socket such as PQsocket, the
 * hiredis libuv adapter, a uv_poll on librdkafka's queue event fd, a
 * timer) and reports what happened through sd_backbone_events, which the
 * driver turns into the core's events exactly as the simulator's models
 * do:
 *
 *   connect()    -> connected | connect_failed     (sg_bcast_on_connected / _connect_failed)
 *   subscribe()  -> subscribed | subscribe_failed  (per session: the core asks again after
 *                                                   every reconnect)
 *   any time     -> dropped                        (sg_bcast_on_dropped; the session is gone,
 *                                                   no more callbacks until the next connect)
 *   any time     -> message                        (sg_bcast_on_message after decoding)
 *   publish()    -> publish_done, in call order    (sg_bcast_on_publish_result /
 *                                                   sg_bcast_on_replay_result)
 *
 * Rules every adapter follows:
 *   - No callback runs from inside the call that caused it (connect,
 *     subscribe, publish, fetch_state defer their results to the loop), so
 *     the driver never re-enters the core.
 *   - disconnect() ends the session silently: no callback for it, and
 *     publishes in flight complete with ok = false.
 *   - publish() makes the message durable as its topic's state (the body
 *     names the topic, see wire.h) and broadcasts it; payload_max says the
 *     largest message it can carry (Postgres NOTIFY: under 8000 bytes, or
 *     the adapter stores the row and notifies its id).
 *   - fetch_state() may fail (backbone down): the driver then answers the
 *     client with an error instead of a stale state.
 *   - Nothing unbounded: an adapter refuses (SG_E_FULL) rather than queue
 *     without limit.
 */
#ifndef STORMGLASS_SD_BACKBONE_H
#define STORMGLASS_SD_BACKBONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "stormglass/status.h"
#include "stormglass/time.h"

typedef struct sd_backbone sd_backbone;

typedef enum sd_publish_kind {
    SD_PUBLISH_LIVE = 0, /* a SG_PUBLISH_SEND verdict: result to sg_bcast_on_publish_result */
    SD_PUBLISH_REPLAY,   /* a SG_ACT_PUBLISH action: result to sg_bcast_on_replay_result */
    SD_PUBLISH_HEARTBEAT /* a SG_ACT_HEARTBEAT canary: no result reported to the core */
} sd_publish_kind;

typedef struct sd_backbone_events {
    void *ctx;
    void (*connected)(void *ctx);
    void (*connect_failed)(void *ctx, const char *why);
    void (*subscribed)(void *ctx);
    void (*subscribe_failed)(void *ctx, const char *why);
    void (*dropped)(void *ctx, const char *why);
    /* One whole message (header + body); valid during the call only. */
    void (*message)(void *ctx, const uint8_t *msg, size_t len);
    /* The bytes given to publish(), back with the outcome; valid during the call. */
    void (*publish_done)(void *ctx, sd_publish_kind kind, const uint8_t *msg, size_t len, bool ok);
} sd_backbone_events;

/* Result of fetch_state for (topic, cookie): st SG_OK with the state
 * (NULL and 0 = the topic has none yet), or an error with why.  The
 * cookie lets the caller notice that the asking client has gone. */
typedef void (*sd_state_cb)(void *arg, uint64_t cookie, const char *topic, size_t topic_len, sg_status st,
                            const uint8_t *state, size_t len, const char *why);

/* Bounds every adapter honours (from the server's settings). */
typedef struct sd_backbone_limits {
    uint32_t topics_max;        /* topic states stored (memory://) */
    uint64_t state_bytes_max;
    uint32_t queue_items_max;   /* work waiting inside the adapter */
    uint64_t queue_bytes_max;
} sd_backbone_limits;

typedef struct sd_backbone_stats {
    bool connected;
    bool subscribed;
    int fd;                     /* socket or event fd watched, -1 if none */
    uint64_t published, publish_failures, received;
    uint64_t queue_depth;       /* messages waiting inside the adapter */
    uint64_t queue_bytes;
} sd_backbone_stats;

typedef struct sd_backbone_ops {
    const char *scheme;   /* "memory" for memory:// */
    const char *summary;  /* for --help and logs */
    /* Parses the URI; registers nothing on the loop until connect(). */
    sg_status (*create)(uv_loop_t *loop, const char *uri, const sd_backbone_limits *limits,
                        const sd_backbone_events *events, sd_backbone **out, sg_error *err);
    /* Ends every watcher; callbacks stop at once.  Memory is freed when the
     * loop has closed the adapter's handles (run the loop once more). */
    void (*destroy)(sd_backbone *bb);
    sg_status (*connect)(sd_backbone *bb, sg_duration_ns timeout_ns);
    sg_status (*subscribe)(sd_backbone *bb);
    void (*disconnect)(sd_backbone *bb);
    /* Copies msg.  SG_E_STATE when not connected (the caller reports the
     * failure itself), SG_E_FULL when the adapter's queue is at its bound,
     * SG_E_TOO_BIG over payload_max. */
    sg_status (*publish)(sd_backbone *bb, sd_publish_kind kind, const uint8_t *msg, size_t len);
    sg_status (*fetch_state)(sd_backbone *bb, const char *topic, size_t topic_len, uint64_t cookie, sd_state_cb cb,
                             void *arg);
    uint32_t (*payload_max)(const sd_backbone *bb);
    void (*stats)(const sd_backbone *bb, sd_backbone_stats *out);
    /* Drills and tests: end the session as if the network failed (reports
     * dropped).  NULL when the adapter cannot. */
    sg_status (*inject_drop)(sd_backbone *bb);
} sd_backbone_ops;

/* The adapter for a URI's scheme; NULL (err says which schemes exist) if none. */
const sd_backbone_ops *sd_backbone_find(const char *uri, sg_error *err);

extern const sd_backbone_ops sd_backbone_memory;

#endif

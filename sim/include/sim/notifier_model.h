/*
 * notifier_model.h - one interface behind which the simulator runs a
 * health fan-out: the stormglass notifier (core/include/stormglass/
 * notifier.h) or a legacy model of what the healthz monitor did.
 *
 * Every function mirrors the sg_notifier_* function of the same name and
 * uses the core's types, so a test or a storm swaps implementations by
 * name.  The legacy models exist only here (the core carries no bug
 * switches):
 *   - "blocking":         the original broadcast loop: each send waits until
 *                         the watcher receives, so one busy watcher stalls
 *                         the whole broadcast (and every later one);
 *   - "drop":             the PR's quick fix: non-blocking send into a
 *                         1-slot buffer, dropped when the buffer is full
 *                         (the older status stays, a GOAWAY can be lost),
 *                         sends to closed mailboxes recovered;
 *   - "send-after-close": the original's other defect: the broadcast walks
 *                         a snapshot of the registry taken when it started,
 *                         so a watcher that leaves mid-broadcast is sent to
 *                         after its mailbox closed: a crash (the model
 *                         counts it and refuses every later call).
 *
 * Legacy semantics in this interface: deliver is the broadcast loop (the
 * callback answering BUSY is a receiver not ready to receive); take is the
 * watcher reading its mailbox when it becomes ready (nothing for an
 * unbuffered channel).  Legacy models have no terminal state (resume is a
 * plain publish) and give a new watcher nothing until the next broadcast.
 */
#ifndef STORMGLASS_SIM_NOTIFIER_MODEL_H
#define STORMGLASS_SIM_NOTIFIER_MODEL_H

#include "stormglass/notifier.h"

typedef struct sim_notifier_stats {
    sg_notifier_stats base;     /* the counters that apply to the model */
    uint64_t dropped;           /* statuses lost because a buffer was full */
    uint64_t dropped_terminal;  /* of which GOAWAY */
    uint64_t blocked_steps;     /* deliver steps that ended stuck on a busy watcher */
    uint64_t recovered;         /* sends to a closed mailbox caught by recover() */
    uint64_t crashes;           /* sends to a closed mailbox that crashed the process */
    uint64_t publish_blocked;   /* publishes refused: the monitor's queue was full */
} sim_notifier_stats;

typedef struct sim_notifier_ops {
    const char *name;         /* "core", "blocking", "drop", "send-after-close" */
    const char *description;  /* one line for reports */
    sg_status (*create)(const sg_notifier_config *config, void **out, sg_error *err);
    void (*destroy)(void *m);
    sg_status (*watch)(void *m, sg_time_ns now, uint64_t cookie, sg_watch_handle *out);
    sg_status (*unwatch)(void *m, sg_time_ns now, sg_watch_handle handle);
    sg_status (*publish)(void *m, sg_time_ns now, sg_health_code code);
    sg_status (*resume)(void *m, sg_time_ns now, sg_health_code code);
    sg_status (*take)(void *m, sg_time_ns now, sg_watch_handle handle, sg_notification *out);
    /* SG_E_STATE from a legacy model that crashed (and from then on). */
    sg_status (*deliver)(void *m, sg_time_ns now, uint32_t budget, sg_notifier_deliver_fn fn, void *ctx,
                         uint32_t *visited);
    void (*stats_get)(const void *m, sim_notifier_stats *out);
} sim_notifier_ops;

extern const sim_notifier_ops sim_notifier_core;
extern const sim_notifier_ops sim_notifier_blocking;
extern const sim_notifier_ops sim_notifier_drop;
extern const sim_notifier_ops sim_notifier_send_after_close;

/* All notifier models, NULL-terminated. */
extern const sim_notifier_ops *const sim_notifier_models[];

/* Looks a model up by name; NULL if unknown. */
const sim_notifier_ops *sim_notifier_model_find(const char *name);

#endif

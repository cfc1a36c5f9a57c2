/*
 * fanout_drive.h - drives any notifier model (sim/notifier_model.h) with
 * simulated watchers in virtual time, and the slow-watcher storm built on
 * it.
 *
 * A simulated watcher is busy until a virtual time; while busy it answers
 * BUSY to a delivery, and the driver remembers it ("parked").  Every step
 * the driver first takes for each parked watcher that is ready again (its
 * stream drained), then runs one deliver round.  Each watcher records the
 * first virtual time it received each status, so latency is measured in
 * virtual time, never wall time.  Watchers can leave at any point,
 * including from inside a delivery (the hook below); a delivery to a
 * watcher that left is counted (it must stay 0).
 */
#ifndef STORMGLASS_SIM_FANOUT_DRIVE_H
#define STORMGLASS_SIM_FANOUT_DRIVE_H

#include "sim/notifier_model.h"

#define SIM_FANOUT_WATCHERS_MAX 100000u

typedef struct sim_fanout_watcher {
    sg_watch_handle handle;
    sg_time_ns busy_until;                        /* BUSY while now < busy_until */
    sg_time_ns got_at[SG_HEALTH_CODE_LAST + 1];   /* first receipt of each code; SG_TIME_NEVER */
    sg_health_code last;                          /* last status received */
    uint32_t received;
    bool parked;
    bool gone;
} sim_fanout_watcher;

typedef struct sim_fanout {
    const sim_notifier_ops *ops;
    void *model;
    sim_fanout_watcher *w;
    uint32_t *parked;            /* indices of parked watchers */
    uint32_t count, parked_len;
    sg_time_ns now;
    uint64_t callbacks;          /* deliver callbacks: the work the broadcast did */
    uint64_t steps;
    uint64_t deliveries_to_gone; /* callbacks for a watcher that had left: must be 0 */
    int64_t leave_when_delivering; /* delivering to this watcher makes `leave_victim` leave; -1 */
    int64_t leave_victim;
} sim_fanout;

/* Creates the model (capacity = watchers) and registers every watcher at
 * `now`.  SG_E_INVALID for 0 or more than SIM_FANOUT_WATCHERS_MAX. */
sg_status sim_fanout_create(sim_fanout *fo, const sim_notifier_ops *ops, uint32_t watchers, sg_time_ns now,
                            sg_error *err);
void sim_fanout_destroy(sim_fanout *fo);

/* Takes for parked watchers that are ready, then one deliver round.
 * Returns the model's deliver status (SG_E_STATE: a legacy model crashed). */
sg_status sim_fanout_step(sim_fanout *fo, sg_time_ns now);

sg_status sim_fanout_publish(sim_fanout *fo, sg_time_ns now, sg_health_code code);
sg_status sim_fanout_leave(sim_fanout *fo, sg_time_ns now, uint32_t index);
void sim_fanout_set_busy(sim_fanout *fo, uint32_t index, sg_time_ns until);

/* ---- the slow-watcher storm ---- */

typedef struct sim_slow_watcher_params {
    uint32_t watchers;         /* e.g. 10000 */
    uint32_t slow;             /* index of the slow watcher (0 = first in line) */
    sg_duration_ns slow_busy_ns; /* it stays busy this long after the change */
    sg_duration_ns step_ns;    /* driver loop period */
    sg_duration_ns horizon_ns; /* give up this long after the change */
    sg_health_code code;       /* the status change published at t0 */
} sim_slow_watcher_params;

typedef struct sim_slow_watcher_result {
    uint32_t fast_reached;          /* fast watchers that received the change */
    sg_duration_ns fast_latency_max_ns;
    sg_duration_ns fast_latency_mean_ns;
    sg_duration_ns slow_latency_ns; /* -1 if it never received it */
    uint64_t callbacks;
    uint64_t steps;                 /* driver steps until everyone had it (or the horizon) */
    sim_notifier_stats stats;
} sim_slow_watcher_result;

/* One change published to `watchers` watchers while one of them is busy.
 * Deterministic: same params, same result. */
sg_status sim_fanout_slow_watcher(const sim_notifier_ops *ops, const sim_slow_watcher_params *params,
                                  sim_slow_watcher_result *out, sg_error *err);

#endif

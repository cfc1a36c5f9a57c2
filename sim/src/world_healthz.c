/*
 * world_healthz.c - the healthz storm world: watchers of a health fan-out
 * model driven in virtual time (sim/fanout_drive.h), with one watcher busy
 * when the change comes, one leaving in the middle of a broadcast, and
 * one or more statuses published together (NOT_SERVING then GOAWAY).
 *
 * It measures what the incidents were about: how late the prompt
 * watchers hear the change when one is busy (the blocking broadcast
 * stalls them all), whether a sender crashes when a watcher leaves
 * mid-broadcast, and whether a GOAWAY reaches a watcher that was busy
 * when it was published (the drop-when-full fix loses it).
 */
#include <assert.h>
#include <string.h>

#include "sim/fanout_drive.h"
#include "sim/storm_world.h"

#define HEALTHZ_T0 SG_NS_PER_S               /* the change is published at 1 s */
#define HEALTHZ_STEPS_MAX 1000000u           /* horizon / step */
#define HEALTHZ_SPAN_MAX ((sg_duration_ns)24 * 3600 * SG_NS_PER_S)

void storm_healthz_defaults(storm_healthz_params *p)
{
    assert(p != NULL);
    memset(p, 0, sizeof *p);
    p->watchers = 1000;
    p->busy = -1;
    p->busy_ns = 30 * SG_NS_PER_S;
    p->leave_when_delivering = -1;
    p->leaver = -1;
    p->publish_count = 1;
    p->publish[0] = SG_HEALTH_CODE_NOT_SERVING;
    p->step_ns = 10 * SG_NS_PER_MS;
    p->horizon_ns = 120 * SG_NS_PER_S;
}

static bool index_ok(int32_t i, uint32_t watchers)
{
    return i >= -1 && (i < 0 || (uint32_t)i < watchers);
}

sg_status storm_healthz_check(const storm_healthz_params *p, sg_error *err)
{
    if (p->watchers == 0 || p->watchers > STORM_HEALTHZ_WATCHERS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "healthz.watchers: must be within 1 .. %u",
                            STORM_HEALTHZ_WATCHERS_MAX);
    }
    if (!index_ok(p->busy, p->watchers) || !index_ok(p->leave_when_delivering, p->watchers) ||
        !index_ok(p->leaver, p->watchers)) {
        return sg_error_set(err, SG_E_INVALID, "healthz.busy/leave-when-delivering/leaver: -1 or a watcher < %u",
                            p->watchers);
    }
    if ((p->leave_when_delivering < 0) != (p->leaver < 0)) {
        return sg_error_set(err, SG_E_INVALID, "healthz.leaver: give both leave-when-delivering and leaver");
    }
    if (p->publish_count == 0 || p->publish_count > STORM_HEALTHZ_PUBLISH_MAX) {
        return sg_error_set(err, SG_E_INVALID, "healthz.publish: 1 .. %u statuses", STORM_HEALTHZ_PUBLISH_MAX);
    }
    for (uint32_t i = 0; i < p->publish_count; i++) {
        if (p->publish[i] <= SG_HEALTH_CODE_NONE || p->publish[i] > SG_HEALTH_CODE_LAST) {
            return sg_error_set(err, SG_E_INVALID, "healthz.publish: unknown status");
        }
    }
    if (p->step_ns <= 0 || p->horizon_ns < p->step_ns || p->horizon_ns > HEALTHZ_SPAN_MAX ||
        p->busy_ns < 0 || p->busy_ns > HEALTHZ_SPAN_MAX || p->horizon_ns / p->step_ns > HEALTHZ_STEPS_MAX) {
        return sg_error_set(err, SG_E_INVALID,
                            "healthz.step/horizon: step > 0, step <= horizon <= 1 day, at most %u steps",
                            HEALTHZ_STEPS_MAX);
    }
    return SG_OK;
}

static bool everyone_has(const sim_fanout *fo, sg_health_code code)
{
    for (uint32_t i = 0; i < fo->count; i++) {
        if (!fo->w[i].gone && fo->w[i].got_at[code] == SG_TIME_NEVER) {
            return false;
        }
    }
    return true;
}

static double seconds(sg_duration_ns d)
{
    return (double)d / (double)SG_NS_PER_S;
}

static bool published(const storm_healthz_params *p, sg_health_code code)
{
    for (uint32_t i = 0; i < p->publish_count; i++) {
        if (p->publish[i] == code) {
            return true;
        }
    }
    return false;
}

static void summarize(const sim_fanout *fo, const storm_healthz_params *p, double *m)
{
    sg_health_code last = p->publish[p->publish_count - 1];
    double prompt_max = 0.0;
    for (uint32_t i = 0; i < fo->count; i++) {
        const sim_fanout_watcher *w = &fo->w[i];
        if (w->gone) {
            continue;
        }
        sg_time_ns got = w->got_at[last];
        double latency = got == SG_TIME_NEVER ? -1.0 : seconds(got - HEALTHZ_T0);
        m[got == SG_TIME_NEVER ? STORM_W_WATCHERS_MISSED : STORM_W_WATCHERS_REACHED] += 1.0;
        if ((int64_t)i == p->busy) {
            m[STORM_W_BUSY_LATENCY_S] = latency;
        } else if (prompt_max >= 0.0) {
            prompt_max = latency < 0.0 ? -1.0 : (latency > prompt_max ? latency : prompt_max);
        }
        if (published(p, SG_HEALTH_CODE_GOAWAY) && w->got_at[SG_HEALTH_CODE_GOAWAY] == SG_TIME_NEVER) {
            m[STORM_W_GOAWAY_LOST] += 1.0;
        }
    }
    m[STORM_W_PROMPT_LATENCY_MAX_S] = prompt_max;
    m[STORM_W_WATCHERS] = (double)fo->count;
    m[STORM_W_DELIVERIES_TO_GONE] = (double)fo->deliveries_to_gone;
    m[STORM_W_BROADCAST_CALLBACKS] = (double)fo->callbacks;
    sim_notifier_stats stats;
    fo->ops->stats_get(fo->model, &stats);
    m[STORM_W_STATUSES_DROPPED] = (double)stats.dropped;
    m[STORM_W_SENDER_CRASHES] = (double)stats.crashes;
    m[STORM_W_BLOCKED_STEPS] = (double)stats.blocked_steps;
}

/* Publishes the change at t0 and steps until everyone alive has the last
 * status, the horizon, or the model crashed (SG_E_STATE: a legacy model's
 * crash is a measurement, not a failure of the run). */
static sg_status drive(sim_fanout *fo, const storm_healthz_params *p)
{
    sg_status st = SG_OK;
    for (uint32_t i = 0; i < p->publish_count && st == SG_OK; i++) {
        st = sim_fanout_publish(fo, HEALTHZ_T0, p->publish[i]);
    }
    sg_health_code last = p->publish[p->publish_count - 1];
    for (sg_time_ns t = HEALTHZ_T0; st == SG_OK && t <= HEALTHZ_T0 + p->horizon_ns; t += p->step_ns) {
        st = sim_fanout_step(fo, t);
        if (st == SG_OK && everyone_has(fo, last)) {
            break;
        }
    }
    return st == SG_E_STATE ? SG_OK : st;
}

sg_status storm_world_healthz(const storm_healthz_params *p, const char *model,
                              double metrics[STORM_WORLD_METRIC_COUNT], sg_error *err)
{
    assert(p != NULL && metrics != NULL);
    memset(metrics, 0, sizeof(double) * STORM_WORLD_METRIC_COUNT);
    const sim_notifier_ops *ops = sim_notifier_model_find(model);
    if (ops == NULL) {
        return sg_error_set(err, SG_E_NOT_FOUND,
                            "model '%s': unknown in the healthz world (core, blocking, drop, send-after-close)",
                            model != NULL ? model : "");
    }
    sg_status st = storm_healthz_check(p, err);
    sim_fanout fo;
    if (st == SG_OK) {
        st = sim_fanout_create(&fo, ops, p->watchers, 0, err);
    }
    if (st != SG_OK) {
        return st;
    }
    (void)sim_fanout_step(&fo, 0); /* watchers take the initial status */
    if (p->busy >= 0) {
        sim_fanout_set_busy(&fo, (uint32_t)p->busy, HEALTHZ_T0 + p->busy_ns);
    }
    fo.leave_when_delivering = p->leave_when_delivering;
    fo.leave_victim = p->leaver;
    fo.callbacks = 0;
    fo.steps = 0;
    st = drive(&fo, p);
    if (st == SG_OK) {
        summarize(&fo, p, metrics);
    } else {
        (void)sg_error_set(err, st, "healthz: model %s failed: %s", ops->name, sg_status_name(st));
    }
    sim_fanout_destroy(&fo);
    return st;
}

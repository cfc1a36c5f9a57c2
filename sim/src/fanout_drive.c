/*
 * fanout_drive.c - simulated watchers around a notifier model, stepped in
 * virtual time (see sim/fanout_drive.h), and the slow-watcher storm.
 */
#include "sim/fanout_drive.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

sg_status sim_fanout_create(sim_fanout *fo, const sim_notifier_ops *ops, uint32_t watchers, sg_time_ns now,
                            sg_error *err)
{
    memset(fo, 0, sizeof *fo);
    if (ops == NULL || watchers == 0 || watchers > SIM_FANOUT_WATCHERS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "fanout.watchers: must be within 1 .. %u", SIM_FANOUT_WATCHERS_MAX);
    }
    fo->ops = ops;
    fo->count = watchers;
    fo->now = now;
    fo->leave_when_delivering = -1;
    fo->leave_victim = -1;
    fo->w = calloc(watchers, sizeof *fo->w);
    fo->parked = calloc(watchers, sizeof *fo->parked);
    if (fo->w == NULL || fo->parked == NULL) {
        sim_fanout_destroy(fo);
        return sg_error_set(err, SG_E_NOMEM, "fanout: out of memory");
    }
    sg_notifier_config config = sg_notifier_config_default();
    config.watchers_max = watchers;
    sg_status st = ops->create(&config, &fo->model, err);
    for (uint32_t i = 0; st == SG_OK && i < watchers; i++) {
        for (int c = 0; c <= (int)SG_HEALTH_CODE_LAST; c++) {
            fo->w[i].got_at[c] = SG_TIME_NEVER;
        }
        st = ops->watch(fo->model, now, i, &fo->w[i].handle);
    }
    if (st != SG_OK) {
        sim_fanout_destroy(fo);
    }
    return st;
}

void sim_fanout_destroy(sim_fanout *fo)
{
    if (fo->model != NULL) {
        fo->ops->destroy(fo->model);
    }
    free(fo->w);
    free(fo->parked);
    memset(fo, 0, sizeof *fo);
}

static void record(sim_fanout *fo, sim_fanout_watcher *w, sg_health_code code)
{
    assert(code > SG_HEALTH_CODE_NONE && code <= SG_HEALTH_CODE_LAST);
    if (w->got_at[code] == SG_TIME_NEVER) {
        w->got_at[code] = fo->now;
    }
    w->last = code;
    w->received++;
}

static sg_deliver_verdict on_deliver(void *ctx, sg_watch_handle h, const sg_notification *note)
{
    sim_fanout *fo = ctx;
    assert(note->cookie < fo->count);
    sim_fanout_watcher *w = &fo->w[note->cookie];
    (void)h;
    fo->callbacks++;
    if (w->gone) {
        fo->deliveries_to_gone++;
        return SG_DELIVER_ACCEPTED;
    }
    if ((int64_t)note->cookie == fo->leave_when_delivering) {
        fo->leave_when_delivering = -1;
        (void)sim_fanout_leave(fo, fo->now, (uint32_t)fo->leave_victim);
    }
    if (fo->now < w->busy_until) {
        if (!w->parked) {
            w->parked = true;
            fo->parked[fo->parked_len++] = (uint32_t)note->cookie;
        }
        return SG_DELIVER_BUSY;
    }
    record(fo, w, note->code);
    return SG_DELIVER_ACCEPTED;
}

/* Parked watchers that are ready again read their mailbox. */
static void take_for_ready(sim_fanout *fo)
{
    for (uint32_t k = 0; k < fo->parked_len;) {
        sim_fanout_watcher *w = &fo->w[fo->parked[k]];
        if (!w->gone && fo->now < w->busy_until) {
            k++;
            continue;
        }
        for (int round = 0; !w->gone && round <= (int)SG_HEALTH_CODE_LAST; round++) {
            sg_notification note;
            if (fo->ops->take(fo->model, fo->now, w->handle, &note) != SG_OK || note.code == SG_HEALTH_CODE_NONE) {
                break;
            }
            record(fo, w, note.code);
        }
        w->parked = false;
        fo->parked[k] = fo->parked[--fo->parked_len];
    }
}

sg_status sim_fanout_step(sim_fanout *fo, sg_time_ns now)
{
    assert(fo->ops != NULL && fo->model != NULL);
    assert(now >= fo->now);
    fo->now = now;
    fo->steps++;
    take_for_ready(fo);
    uint32_t budget = 2 * fo->count + 16;
    return fo->ops->deliver(fo->model, now, budget, on_deliver, fo, NULL);
}

sg_status sim_fanout_publish(sim_fanout *fo, sg_time_ns now, sg_health_code code)
{
    fo->now = now;
    return fo->ops->publish(fo->model, now, code);
}

sg_status sim_fanout_leave(sim_fanout *fo, sg_time_ns now, uint32_t index)
{
    assert(index < fo->count);
    sim_fanout_watcher *w = &fo->w[index];
    if (w->gone) {
        return SG_E_NOT_FOUND;
    }
    w->gone = true;
    return fo->ops->unwatch(fo->model, now, w->handle);
}

void sim_fanout_set_busy(sim_fanout *fo, uint32_t index, sg_time_ns until)
{
    assert(index < fo->count);
    fo->w[index].busy_until = until;
}

static void summarize(const sim_fanout *fo, const sim_slow_watcher_params *p, sg_time_ns t0,
                      sim_slow_watcher_result *out)
{
    sg_duration_ns sum = 0;
    for (uint32_t i = 0; i < fo->count; i++) {
        sg_time_ns got = fo->w[i].got_at[p->code];
        if (i == p->slow) {
            out->slow_latency_ns = got == SG_TIME_NEVER ? -1 : got - t0;
        } else if (got != SG_TIME_NEVER) {
            out->fast_reached++;
            sum += got - t0;
            if (got - t0 > out->fast_latency_max_ns) {
                out->fast_latency_max_ns = got - t0;
            }
        }
    }
    out->fast_latency_mean_ns = out->fast_reached ? sum / out->fast_reached : 0;
    out->callbacks = fo->callbacks;
    out->steps = fo->steps;
    fo->ops->stats_get(fo->model, &out->stats);
}

sg_status sim_fanout_slow_watcher(const sim_notifier_ops *ops, const sim_slow_watcher_params *p,
                                  sim_slow_watcher_result *out, sg_error *err)
{
    memset(out, 0, sizeof *out);
    if (p->slow >= p->watchers || p->step_ns <= 0 || p->horizon_ns < 0) {
        return sg_error_set(err, SG_E_INVALID, "slow_watcher: slow < watchers, step > 0, horizon >= 0");
    }
    sim_fanout fo;
    sg_status st = sim_fanout_create(&fo, ops, p->watchers, 0, err);
    if (st != SG_OK) {
        return st;
    }
    (void)sim_fanout_step(&fo, 0); /* the initial statuses (core: current status on watch) */
    const sg_time_ns t0 = SG_NS_PER_S;
    sim_fanout_set_busy(&fo, p->slow, t0 + p->slow_busy_ns);
    fo.callbacks = 0;
    fo.steps = 0;
    st = sim_fanout_publish(&fo, t0, p->code);
    for (sg_time_ns t = t0; st == SG_OK && t <= t0 + p->horizon_ns; t += p->step_ns) {
        st = sim_fanout_step(&fo, t);
        bool everyone = true;
        for (uint32_t i = 0; everyone && i < fo.count; i++) {
            everyone = fo.w[i].got_at[p->code] != SG_TIME_NEVER;
        }
        if (everyone) {
            break;
        }
    }
    summarize(&fo, p, t0, out);
    sim_fanout_destroy(&fo);
    return st == SG_OK ? SG_OK : sg_error_set(err, st, "slow_watcher: model %s failed", ops->name);
}

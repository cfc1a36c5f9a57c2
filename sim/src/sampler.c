/*
 * sampler.c - the run's time series and the metrics that accumulate over
 * time (health seconds, buffer peaks), sampled every sample period.
 *
 * Sample i is taken at i * period; per-period series hold what was counted
 * since the previous sample.  The period is enlarged when the run would
 * need more than SIM_SERIES_POINTS_MAX points.
 */
#include <stdlib.h>

#include "world.h"

sg_status sampler_init(sim_world *w)
{
    sim_result *r = w->r;
    sg_duration_ns period = w->s->sample_period_ns;
    sg_duration_ns min_period = w->s->duration_ns / (SIM_SERIES_POINTS_MAX - 1) + 1;
    if (period < min_period) {
        period = min_period;
    }
    r->sample_period_ns = period;
    r->samples = (uint32_t)(w->s->duration_ns / period) + 1;
    for (unsigned i = 0; i < SIM_SERIES_COUNT; i++) {
        r->series[i] = calloc(r->samples, sizeof(double));
        if (r->series[i] == NULL) {
            return SG_E_NOMEM;
        }
    }
    r->metrics[SIM_M_CONNECTED_MIN] = -1;
    world_schedule(w, 0, EV_SAMPLE, 0, 0, 0);
    return SG_OK;
}

void sampler_count(sim_world *w, sim_series_id id, double n)
{
    w->period_counts[id] += n;
}

static void peak(double *m, double v)
{
    if (v > *m) {
        *m = v;
    }
}

/* Health seconds and buffer peaks; returns the series' worker values. */
static void sample_workers(sim_world *w, double period_s, double *alive, double *healthy, double *reading,
                           double *buffer)
{
    for (uint32_t i = 0; i < w->nworkers; i++) {
        sim_worker *wk = &w->workers[i];
        sg_bcast_stats st;
        worker_stats(w, wk, &st);
        *buffer += st.replay_items;
        peak(&w->r->metrics[SIM_M_BUFFER_ITEMS_MAX], st.replay_items);
        peak(&w->r->metrics[SIM_M_BUFFER_BYTES_MAX], (double)st.replay_bytes);
        if (!wk->alive) {
            continue;
        }
        *alive += 1;
        *reading += worker_hearing(wk) ? 1 : 0;
        if (w->models->worker->health_at(wk->model, w->now).healthy) {
            *healthy += 1;
        } else {
            w->r->metrics[SIM_M_HEALTH_503_S] += period_s;
        }
    }
}

static void sample_clients(sim_world *w, uint32_t idx)
{
    sim_result *r = w->r;
    double connected = 0;
    for (uint32_t i = 0; i < w->nworkers; i++) {
        connected += w->workers[i].registered;
    }
    r->series[SIM_S_CONNECTED][idx] = connected;
    uint32_t lacking = w->nworkers > 0 ? truth_not_converged(w, NULL) : 0;
    r->series[SIM_S_NOT_CONVERGED][idx] = lacking;
    peak(&r->metrics[SIM_M_NOT_CONVERGED_MAX], lacking);
    if (!w->started_up && connected >= w->nclients && w->nclients > 0) {
        w->started_up = true;
    }
    if (w->started_up && (r->metrics[SIM_M_CONNECTED_MIN] < 0 || connected < r->metrics[SIM_M_CONNECTED_MIN])) {
        r->metrics[SIM_M_CONNECTED_MIN] = connected;
    }
    sim_chrome_counter(&w->trace, w->now, "clients", "connected", connected);
    sim_chrome_counter(&w->trace, w->now, "clients lacking the truth", "clients", lacking);
}

void sampler_on_sample(sim_world *w, const sim_event *ev)
{
    sim_result *r = w->r;
    uint32_t idx = (uint32_t)ev->arg;
    double period_s = (double)r->sample_period_ns / 1e9;
    double alive = 0, healthy = 0, reading = 0, buffer = 0;
    sample_workers(w, idx > 0 ? period_s : 0.0, &alive, &healthy, &reading, &buffer);
    sample_clients(w, idx);
    r->series[SIM_S_BACKBONE_UP][idx] = w->bb.up ? 1 : 0;
    r->series[SIM_S_WORKERS_ALIVE][idx] = alive;
    r->series[SIM_S_WORKERS_HEALTHY][idx] = healthy;
    r->series[SIM_S_WORKERS_READING][idx] = reading;
    r->series[SIM_S_BUFFER_ITEMS][idx] = buffer;
    r->series[SIM_S_REFETCH_QUEUE][idx] = truth_queue_depth(w);
    r->series[SIM_S_UPSTREAM_BUCKET][idx] = sync_bucket_level(w);
    for (unsigned s = 0; s < SIM_SERIES_COUNT; s++) {
        if (sim_series_per_period((sim_series_id)s)) {
            r->series[s][idx] = w->period_counts[s];
            w->period_counts[s] = 0;
        }
    }
    sim_chrome_counter(&w->trace, w->now, "workers", "healthy", healthy);
    sim_chrome_counter(&w->trace, w->now, "replay buffer", "items", buffer);
    sim_chrome_counter(&w->trace, w->now, "refetch queue", "waiting", r->series[SIM_S_REFETCH_QUEUE][idx]);
    if (idx > 0) {
        oracle_check_sample(w);
    }
    if (w->opt->progress != NULL) {
        w->opt->progress(w->opt->progress_ctx, w->now, w->end);
    }
    if (idx + 1 < r->samples) {
        world_schedule(w, (sg_time_ns)(idx + 1) * r->sample_period_ns, EV_SAMPLE, 0, 0, idx + 1);
    }
}

void sampler_finish(sim_world *w)
{
    sim_result *r = w->r;
    uint32_t lacking = w->nworkers > 0 ? truth_not_converged(w, NULL) : 0;
    r->metrics[SIM_M_NOT_CONVERGED_END] = lacking;
    r->metrics[SIM_M_CONVERGED] = (w->nworkers > 0 && lacking == 0) ? 1 : 0;
    if (w->converged_at != SG_TIME_NEVER && w->last_fault_end != SG_TIME_NEVER) {
        r->metrics[SIM_M_CONVERGENCE_TIME_S] = (double)(w->converged_at - w->last_fault_end) / 1e9;
    } else {
        r->metrics[SIM_M_CONVERGENCE_TIME_S] = -1;
    }
    r->metrics[SIM_M_DELIVERIES_MISSED] = (double)truth_missed_deliveries(w);
    if (r->metrics[SIM_M_CONNECTED_MIN] < 0) {
        r->metrics[SIM_M_CONNECTED_MIN] = 0;
    }
    sg_bcast_counters sum = {0};
    for (uint32_t i = 0; i < w->nworkers; i++) {
        sg_bcast_stats st;
        worker_stats(w, &w->workers[i], &st);
        sum.gaps += st.counters.gaps;
        sum.recoveries += st.counters.recoveries;
        sum.resyncs += st.counters.resyncs;
        sum.replays += st.counters.replays;
        sum.replay_drops_overflow += st.counters.replay_drops_overflow + st.counters.replay_drops_poison +
                                     st.counters.replay_drops_nomem;
        sum.publish_drops += st.counters.publish_drops;
        sum.health_transitions += st.counters.health_transitions;
    }
    r->metrics[SIM_M_GAPS] = (double)sum.gaps;
    r->metrics[SIM_M_RECOVERIES] = (double)sum.recoveries;
    r->metrics[SIM_M_RESYNCS] = (double)sum.resyncs;
    r->metrics[SIM_M_REPLAYS] = (double)sum.replays;
    r->metrics[SIM_M_BUFFER_DROPS] = (double)sum.replay_drops_overflow;
    r->metrics[SIM_M_PUBLISH_DROPS] = (double)sum.publish_drops;
    r->metrics[SIM_M_HEALTH_TRANSITIONS] = (double)sum.health_transitions;
}

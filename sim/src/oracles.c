/*
 * oracles.c - the invariants checked while a run goes on.
 *
 * A violation is recorded with the simulated time and a sentence saying
 * what broke (the first SIM_VIOLATIONS_KEPT are kept in time order, all
 * are counted).  Event-driven oracles (spurious drop, model crash) fire
 * where the event happens (client.c); the state oracles below run at
 * every sample: convergence after the last fault, health vs an actual
 * wedge, double disconnects, replay-buffer bounds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "world.h"

bool oracle_enabled(const sim_world *w, sim_oracle_id id)
{
    return (w->s->oracle.checks >> id) & 1u;
}

void oracle_violation(sim_world *w, sim_oracle_id id, int32_t worker, int64_t client, const char *fmt, ...)
{
    if (!oracle_enabled(w, id)) {
        return;
    }
    sim_result *r = w->r;
    r->violation_count++;
    r->violations_per_oracle[id]++;
    r->metrics[SIM_M_ORACLE_VIOLATIONS] += 1;
    world_trace(w, TR_VIOLATION, worker >= 0 ? (uint32_t)worker : UINT32_MAX, id, (uint64_t)client);
    if (w->opt->stop_at_first_violation) {
        w->stop = true;
    }
    if (r->violations_kept >= SIM_VIOLATIONS_KEPT && w->trace.chrome == NULL) {
        return; /* counted; a storm of millions is not formatted */
    }
    char text[SIM_VIOLATION_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sim_chrome_instant(&w->trace, w->now, worker >= 0 ? (uint32_t)worker + 1 : 0, sim_oracle_name(id), text);
    if (r->violations_kept < SIM_VIOLATIONS_KEPT) {
        sim_violation *v = &r->violations[r->violations_kept++];
        v->oracle = id;
        v->at = w->now;
        v->worker = worker;
        v->client = client;
        memcpy(v->event, text, sizeof v->event);
    }
}

static bool flag_once(sim_worker *wk, sim_oracle_id id, bool condition)
{
    uint32_t bit = 1u << id;
    if (!condition) {
        wk->flagged &= ~bit;
        return false;
    }
    if (wk->flagged & bit) {
        return false;
    }
    wk->flagged |= bit;
    return true;
}

static void check_worker(sim_world *w, sim_worker *wk, const sg_bcast_stats *st, double period_s)
{
    const sg_bcast_config *c = &w->s->bcast;
    bool over = st->replay_items > c->replay_items_max || st->replay_bytes > c->replay_bytes_max;
    if (flag_once(wk, SIM_ORACLE_BUFFER_BOUND, over)) {
        oracle_violation(w, SIM_ORACLE_BUFFER_BOUND, (int32_t)wk->index, -1,
                         "worker %u replay buffer %u items / %llu bytes over its bounds", wk->index,
                         st->replay_items, (unsigned long long)st->replay_bytes);
    }
    if (st->counters.double_disconnects > wk->double_disconnects_seen) {
        w->r->metrics[SIM_M_DOUBLE_DISCONNECTS] += (double)(st->counters.double_disconnects - wk->double_disconnects_seen);
        oracle_violation(w, SIM_ORACLE_DOUBLE_DISCONNECT, (int32_t)wk->index, -1,
                         "worker %u counted %llu double disconnects", wk->index,
                         (unsigned long long)(st->counters.double_disconnects - wk->double_disconnects_seen));
        wk->double_disconnects_seen = st->counters.double_disconnects;
    }
    /* Wedged: alive, listeners depend on it (registered clients, or a
     * listener count the model holds, leaked ones included), the backbone
     * is reachable, and yet its session has not been hearing for longer
     * than the grace. */
    bool depended_on = wk->registered > 0 || st->listeners > 0;
    bool deaf = wk->alive && depended_on && !worker_hearing(wk) && backbone_reachable(w, wk);
    if (!deaf) {
        wk->deaf_since = SG_TIME_NEVER;
    } else if (wk->deaf_since == SG_TIME_NEVER) {
        wk->deaf_since = w->now;
    }
    bool wedged = deaf && w->now - wk->deaf_since >= w->s->oracle.wedge_grace_ns;
    bool healthy = wk->alive && w->models->worker->health_at(wk->model, w->now).healthy;
    if (wedged) {
        w->r->metrics[SIM_M_WEDGED_S] += period_s;
        if (healthy) {
            w->r->metrics[SIM_M_HEALTH_LIED_S] += period_s;
        }
    }
    if (flag_once(wk, SIM_ORACLE_HEALTH_LIE, wedged && healthy)) {
        oracle_violation(w, SIM_ORACLE_HEALTH_LIE, (int32_t)wk->index, -1,
                         "worker %u answers 200 while deaf for %.0f s with %u clients, %u listeners", wk->index,
                         (double)(w->now - wk->deaf_since) / 1e9, wk->registered, st->listeners);
    }
}

static void check_convergence(sim_world *w)
{
    uint32_t example = UINT32_MAX;
    uint32_t lacking = truth_not_converged(w, NULL);
    if (lacking == 0 && w->converged_at == SG_TIME_NEVER && w->now >= w->last_fault_end) {
        w->converged_at = w->now;
    }
    if (w->last_fault_end == SG_TIME_NEVER || w->convergence_flagged || lacking == 0 ||
        w->now < w->last_fault_end + w->s->oracle.convergence_bound_ns) {
        return;
    }
    w->convergence_flagged = true;
    (void)truth_not_converged(w, &example);
    const sim_client *c = example != UINT32_MAX ? &w->clients[example] : NULL;
    oracle_violation(w, SIM_ORACLE_CONVERGENCE, c != NULL ? (int32_t)c->worker : -1,
                     example != UINT32_MAX ? (int64_t)example : -1,
                     "%u clients lack the truth %.0f s after the last fault (e.g. client %u: state %u, version "
                     "%u of %u)",
                     lacking, (double)(w->now - w->last_fault_end) / 1e9, example, c != NULL ? c->state : 0,
                     c != NULL ? c->version : 0, w->lag_version);
}

void oracle_check_sample(sim_world *w)
{
    double period_s = (double)w->r->sample_period_ns / 1e9;
    for (uint32_t i = 0; i < w->nworkers; i++) {
        sim_worker *wk = &w->workers[i];
        sg_bcast_stats st;
        worker_stats(w, wk, &st);
        check_worker(w, wk, &st, period_s);
    }
    if (w->nworkers > 0) {
        check_convergence(w);
    }
}

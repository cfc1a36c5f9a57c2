/*
 * probe.c - a Kubernetes-style probe against each worker's readiness.
 *
 * Every period it asks the worker's health judgement (a dead worker does
 * not answer: a timeout); failureThreshold consecutive failures restart
 * the worker when the probe is a liveness probe.  This is what turns a
 * truthful 503 into self-healing, and a lying 200 into hours of outage.
 */
#include "world.h"

void probe_schedule(sim_world *w)
{
    const sim_probe_params *p = &w->s->probe;
    if (!p->enabled) {
        return;
    }
    for (uint32_t i = 0; i < w->nworkers; i++) {
        world_schedule(w, p->initial_delay_ns + p->period_ns, EV_PROBE, i, 0, 0);
    }
}

void probe_on_tick(sim_world *w, const sim_event *ev)
{
    const sim_probe_params *p = &w->s->probe;
    sim_worker *wk = &w->workers[ev->target];
    world_schedule(w, w->now + p->period_ns, EV_PROBE, ev->target, 0, 0);
    bool ok = wk->alive && w->models->worker->health_at(wk->model, w->now).healthy;
    if (ok) {
        wk->probe_failures = 0;
        return;
    }
    if (!wk->alive) {
        return; /* restarting: k8s does not count a container that is not running */
    }
    w->r->metrics[SIM_M_PROBE_FAILURES] += 1;
    if (++wk->probe_failures >= p->failure_threshold && p->restart) {
        wk->probe_failures = 0;
        w->r->metrics[SIM_M_PROBE_RESTARTS] += 1;
        worker_die(w, wk, true, "probe restart");
    }
}

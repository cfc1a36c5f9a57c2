/*
 * faults.c - the fault timeline: each sim_fault starts at its time, acts
 * on the backbone, a worker or the upstream, and (if it has a span) ends.
 *
 * Overlapping faults of one kind nest (depth counters), so a flap inside
 * a longer outage never brings the backbone up early.
 */
#include "world.h"

void faults_schedule(sim_world *w)
{
    for (uint32_t i = 0; i < w->s->fault_count; i++) {
        world_schedule(w, w->s->faults[i].at, EV_FAULT_START, 0, 0, i);
    }
    w->last_fault_end = sim_scenario_last_fault_end(w->s);
}

static void schedule_end(sim_world *w, const sim_fault *f, uint64_t index)
{
    if (f->duration_ns > 0) {
        world_schedule(w, w->now + f->duration_ns, EV_FAULT_END, 0, 0, index);
    }
}

static void slow_clients(sim_world *w, sim_worker *wk, double fraction)
{
    if (!wk->alive) {
        return;
    }
    for (uint32_t k = 0; k < wk->client_count; k++) {
        uint32_t ci = wk->client_base + k;
        if (sg_rng_unit(&wk->rng) < fraction) {
            client_closed(w, ci, 1008, true);
        }
    }
    worker_settle(w, wk);
}

static void half_open(sim_world *w, int32_t target)
{
    if (w->workers == NULL) {
        return;
    }
    for (uint32_t i = 0; i < w->nworkers; i++) {
        sim_worker *wk = &w->workers[i];
        if ((target < 0 || (uint32_t)target == i) && wk->alive && wk->conn != CONN_NONE &&
            wk->conn != CONN_CONNECTING) {
            wk->half_open = true;
            sim_chrome_instant(&w->trace, w->now, i + 1, "session half-open", "");
        }
    }
}

typedef void worker_fault_fn(sim_world *w, sim_worker *wk, const sim_fault *f);

/* Applies fn to worker `target`, or to every worker for -1. */
static void for_targets(sim_world *w, int32_t target, worker_fault_fn *fn, const sim_fault *f)
{
    for (uint32_t i = 0; i < w->nworkers && w->workers != NULL; i++) {
        if (target < 0 || (uint32_t)target == i) {
            fn(w, &w->workers[i], f);
        }
    }
}

static void send_fail_on(sim_world *w, sim_worker *wk, const sim_fault *f)
{
    (void)w;
    wk->send_fail_depth++;
    wk->send_fail_probability = f->value;
}

static void send_fail_off(sim_world *w, sim_worker *wk, const sim_fault *f)
{
    (void)w;
    (void)f;
    if (wk->send_fail_depth > 0 && --wk->send_fail_depth == 0) {
        wk->send_fail_probability = 0.0;
    }
}

static void clients_leave(sim_world *w, sim_worker *wk, const sim_fault *f)
{
    if (!wk->alive) {
        return;
    }
    for (uint32_t k = 0; k < wk->client_count; k++) {
        if (sg_rng_unit(&wk->rng) < f->value) {
            client_leave(w, wk->client_base + k, f->duration_ns);
        }
    }
    worker_settle(w, wk);
}

/* Kinds aimed at one worker (sim_scenario_check guarantees a target). */
static bool needs_worker(sim_fault_kind k)
{
    return k == SIM_FAULT_PARTITION || k == SIM_FAULT_SUBSCRIBER_KILL || k == SIM_FAULT_SLOW_SUBSCRIBER ||
           k == SIM_FAULT_SLOW_CLIENTS || k == SIM_FAULT_WORKER_CRASH || k == SIM_FAULT_GRACEFUL_RESTART;
}

static void act(sim_world *w, const sim_fault *f, uint64_t index)
{
    sim_worker *wk = f->target >= 0 ? &w->workers[f->target] : NULL;
    if (wk == NULL && needs_worker(f->kind)) {
        return;
    }
    switch (f->kind) {
    case SIM_FAULT_BACKBONE_DOWN:
        backbone_set_down(w, true);
        break;
    case SIM_FAULT_FLAP:
        world_schedule(w, w->now, EV_FLAP, 0, 0, index);
        break;
    case SIM_FAULT_LATENCY:
        w->bb.latency_depth++;
        w->bb.extra_latency_ns = f->down_ns;
        w->bb.extra_jitter_ns = f->jitter_ns;
        break;
    case SIM_FAULT_PARTITION:
        if (wk->partition_depth++ == 0) {
            backbone_kill_session(w, wk, w->s->topology.backbone.detect_ns);
        }
        break;
    case SIM_FAULT_CONNECT_DROP:
        w->bb.connect_drop_depth++;
        w->bb.connect_drop_after_ns = f->up_ns;
        break;
    case SIM_FAULT_HALF_OPEN:
        half_open(w, f->target);
        break;
    case SIM_FAULT_SUBSCRIBER_KILL:
        if (wk->alive && wk->conn == CONN_SUBSCRIBED) {
            w->r->metrics[SIM_M_BACKBONE_KILLS] += 1;
            backbone_kill_session(w, wk, 0);
        }
        break;
    case SIM_FAULT_SLOW_SUBSCRIBER:
        wk->slow_depth++;
        wk->drain_bytes_per_s = f->value > 0.0 ? f->value : 1.0;
        break;
    case SIM_FAULT_SLOW_CLIENTS:
        slow_clients(w, wk, f->value);
        break;
    case SIM_FAULT_WORKER_CRASH:
        if (wk->alive) {
            w->r->metrics[SIM_M_WORKER_CRASHES] += 1;
            worker_die(w, wk, true, "injected crash");
        }
        break;
    case SIM_FAULT_GRACEFUL_RESTART:
        if (wk->alive) {
            worker_exit_gracefully(w, wk, true, "graceful restart");
        }
        break;
    case SIM_FAULT_FIU:
        fiu_bridge_enable(w, f);
        break;
    case SIM_FAULT_UPSTREAM_BURST:
        sync_upstream_burst(w, f->count);
        break;
    case SIM_FAULT_SEND_FAIL:
        for_targets(w, f->target, send_fail_on, f);
        break;
    case SIM_FAULT_CLIENTS_LEAVE:
        for_targets(w, f->target, clients_leave, f);
        break;
    default:
        break;
    }
}

void faults_on_start(sim_world *w, const sim_event *ev)
{
    const sim_fault *f = &w->s->faults[ev->arg];
    sim_chrome_instant(&w->trace, w->now, f->target >= 0 ? (uint32_t)f->target + 1 : 0,
                       sim_fault_kind_name(f->kind), "fault");
    act(w, f, ev->arg);
    if (f->kind != SIM_FAULT_FLAP) {
        schedule_end(w, f, ev->arg);
    }
}

void faults_on_end(sim_world *w, const sim_event *ev)
{
    const sim_fault *f = &w->s->faults[ev->arg];
    sim_worker *wk = f->target >= 0 ? &w->workers[f->target] : NULL;
    if (wk == NULL && needs_worker(f->kind)) {
        return;
    }
    switch (f->kind) {
    case SIM_FAULT_BACKBONE_DOWN:
        backbone_set_down(w, false);
        break;
    case SIM_FAULT_LATENCY:
        if (--w->bb.latency_depth == 0) {
            w->bb.extra_latency_ns = 0;
            w->bb.extra_jitter_ns = 0;
        }
        break;
    case SIM_FAULT_PARTITION:
        wk->partition_depth--;
        break;
    case SIM_FAULT_CONNECT_DROP:
        w->bb.connect_drop_depth--;
        break;
    case SIM_FAULT_SLOW_SUBSCRIBER:
        if (--wk->slow_depth == 0) {
            wk->drain_bytes_per_s = 0.0;
        }
        break;
    case SIM_FAULT_FIU:
        fiu_bridge_disable(w, f);
        break;
    case SIM_FAULT_SEND_FAIL:
        for_targets(w, f->target, send_fail_off, f);
        break;
    default:
        break;
    }
}

void faults_on_flap(sim_world *w, const sim_event *ev)
{
    const sim_fault *f = &w->s->faults[ev->arg];
    uint32_t step = ev->gen;
    if (step % 2 == 0) {
        backbone_set_down(w, true);
        world_schedule(w, w->now + f->down_ns, EV_FLAP, 0, step + 1, ev->arg);
        return;
    }
    backbone_set_down(w, false);
    if ((step + 1) / 2 < f->count) {
        world_schedule(w, w->now + f->up_ns, EV_FLAP, 0, step + 1, ev->arg);
    }
}

/*
 * worker.c - a simulated server worker: one process running a worker
 * model (the core or a legacy model) behind sim_worker_ops.
 *
 * The worker owns the model's lifetime (a restart is a fresh instance with
 * a new epoch), drains its actions after every call into it, and keeps the
 * model's single timer armed at next_deadline.  Counters of dead instances
 * are folded into `past` so a run's totals survive restarts.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

static const char *const conn_names[] = {"no session", "connecting", "open", "subscribing", "subscribed"};

_Static_assert(sizeof(sg_bcast_counters) % sizeof(uint64_t) == 0, "counters are all uint64_t");

static void counters_add(sg_bcast_counters *into, const sg_bcast_counters *add)
{
    uint64_t *a = (uint64_t *)(void *)into;
    const uint64_t *b = (const uint64_t *)(const void *)add;
    for (size_t i = 0; i < sizeof *into / sizeof(uint64_t); i++) {
        a[i] += b[i];
    }
}

sg_status workers_init(sim_world *w)
{
    w->nworkers = w->s->topology.workers;
    if (w->nworkers == 0) {
        return SG_OK;
    }
    w->workers = calloc(w->nworkers, sizeof *w->workers);
    if (w->workers == NULL) {
        return SG_E_NOMEM;
    }
    size_t bitmap = (size_t)w->updates_cap / 8 + 1;
    for (uint32_t i = 0; i < w->nworkers; i++) {
        sim_worker *wk = &w->workers[i];
        wk->index = i;
        wk->client_base = i * w->s->topology.clients_per_worker;
        wk->client_count = w->s->topology.clients_per_worker;
        wk->deaf_since = SG_TIME_NEVER;
        wk->timer_at = SG_TIME_NEVER;
        wk->delivered = calloc(bitmap, 1);
        wk->fenwick = calloc((size_t)w->updates_cap + 2, sizeof *wk->fenwick);
        if (wk->delivered == NULL || wk->fenwick == NULL) {
            return SG_E_NOMEM;
        }
        sg_rng_seed(&wk->rng, w->seed, SIM_STREAM_WORKER_BASE + i);
        char lane[32];
        (void)snprintf(lane, sizeof lane, "worker %u", i);
        sim_chrome_lane(&w->trace, i + 1, lane);
        worker_start(w, wk);
        if (w->stop) {
            break;
        }
    }
    return SG_OK;
}

void workers_free(sim_world *w)
{
    for (uint32_t i = 0; i < w->nworkers && w->workers != NULL; i++) {
        sim_worker *wk = &w->workers[i];
        if (wk->model != NULL) {
            w->models->worker->destroy(wk->model);
        }
        free(wk->delivered);
        free(wk->fenwick);
    }
    free(w->workers);
    w->workers = NULL;
}

void worker_set_conn(sim_world *w, sim_worker *wk, uint8_t state)
{
    if (wk->conn != state && w->trace.chrome != NULL) {
        if (wk->conn != CONN_NONE) {
            sim_chrome_span(&w->trace, wk->span_start, w->now, wk->index + 1, conn_names[wk->conn]);
        }
        wk->span_start = w->now;
    }
    wk->conn = state;
}

bool worker_hearing(const sim_worker *wk)
{
    return wk->alive && wk->conn == CONN_SUBSCRIBED && !wk->half_open;
}

void worker_start(sim_world *w, sim_worker *wk)
{
    assert(!wk->alive);
    sg_bcast_config c = w->s->bcast;
    c.worker_id = wk->index + 1;
    c.epoch = (uint64_t)wk->instance + 1;
    c.seed = w->seed;
    c.after_unclean_exit = wk->instance > 0 && !wk->exit_clean; /* a supervisor knows how we ended */
    wk->exit_clean = false;
    sg_error err = {{0}};
    sg_status st = w->models->worker->create(&c, w->now, &wk->model, &err);
    if (st != SG_OK) {
        /* An injected allocation failure at start-up: the process dies and
         * its supervisor tries again. */
        wk->model = NULL;
        sim_chrome_instant(&w->trace, w->now, wk->index + 1, "start failed", err.msg);
        if (w->s->topology.worker_restart) {
            world_schedule(w, w->now + w->s->topology.worker_restart_ns, EV_WORKER_RESTART, wk->index,
                           wk->instance, 0);
        }
        return;
    }
    wk->alive = true;
    wk->crashed_injected = false;
    wk->healthy = true;
    wk->conn = CONN_NONE;
    wk->conn_gen++;
    wk->half_open = false;
    wk->timer_gen++;
    wk->timer_at = SG_TIME_NEVER;
    wk->registered = 0;
    wk->ready = 0;
    wk->probe_failures = 0;
    wk->double_disconnects_seen = wk->past.double_disconnects;
    if (w->s->topology.pin_listener) {
        w->models->worker->pin(wk->model, w->now);
    }
    worker_settle(w, wk);
}

void worker_die(sim_world *w, sim_worker *wk, bool injected, const char *why)
{
    if (!wk->alive) {
        return;
    }
    sg_bcast_stats st;
    w->models->worker->stats_get(wk->model, &st);
    counters_add(&wk->past, &st.counters);
    wk->alive = false;
    wk->crashed_injected = injected;
    worker_set_conn(w, wk, CONN_NONE);
    wk->conn_gen++;
    wk->timer_gen++;
    for (uint32_t i = 0; i < wk->client_count; i++) {
        client_closed(w, wk->client_base + i, 1006, false);
    }
    assert(wk->registered == 0);
    w->models->worker->destroy(wk->model);
    wk->model = NULL;
    sim_chrome_instant(&w->trace, w->now, wk->index + 1, "worker exit", why);
    world_trace(w, EV_WORKER_RESTART, wk->index, injected ? 1u : 0u, wk->instance);
    if (w->s->topology.worker_restart) {
        world_schedule(w, w->now + w->s->topology.worker_restart_ns, EV_WORKER_RESTART, wk->index, wk->instance,
                       0);
    }
}

/* ---- graceful exit (goodbye), kept apart from worker_die: a crash says
 * nothing, so peers can tell the two apart (swarm class B) ---- */

void worker_send_goodbye(sim_world *w, sim_worker *wk, const sg_bcast_header *h)
{
    bool sent = backbone_send(w, wk, h, 0, 0);
    /* Delivered or not, a goodbye without the loss flag says nothing died
     * with us: peers that knew this epoch judge its end by the goodbye
     * itself, the others need no warning. */
    wk->exit_clean = !(h->flags & SG_MSG_FLAG_AFTER_LOSS);
    sim_chrome_instant(&w->trace, w->now, wk->index + 1, "goodbye", sent ? "sent" : "not sent");
}

void worker_exit_gracefully(sim_world *w, sim_worker *wk, bool injected, const char *why)
{
    const sim_worker_ops *ops = w->models->worker;
    if (wk->alive && ops->goodbye != NULL) {
        ops->goodbye(wk->model, w->now);
        sg_bcast_action a;
        for (uint32_t n = 0; n < SIM_ACTIONS_PER_STEP_MAX && ops->poll_action(wk->model, &a); n++) {
            if (a.kind == SG_ACT_GOODBYE) { /* the rest no longer matters: the process ends */
                world_trace(w, TR_ACTION, wk->index, a.kind, a.u.goodbye.header.seq);
                worker_send_goodbye(w, wk, &a.u.goodbye.header);
            }
        }
    }
    worker_die(w, wk, injected, why);
}

void worker_on_restart(sim_world *w, const sim_event *ev)
{
    sim_worker *wk = &w->workers[ev->target];
    if (wk->alive || ev->gen != wk->instance) {
        return;
    }
    wk->instance++;
    w->r->metrics[SIM_M_WORKER_RESTARTS] += 1;
    worker_start(w, wk);
}

void worker_on_timer(sim_world *w, const sim_event *ev)
{
    sim_worker *wk = &w->workers[ev->target];
    if (!wk->alive || ev->gen != wk->timer_gen) {
        return;
    }
    wk->timer_at = SG_TIME_NEVER;
    w->models->worker->on_timer(wk->model, w->now);
    worker_settle(w, wk);
}

void worker_settle(sim_world *w, sim_worker *wk)
{
    const sim_worker_ops *ops = w->models->worker;
    uint32_t instance = wk->instance;
    sg_bcast_action a;
    for (uint32_t n = 0; wk->alive && wk->instance == instance; n++) {
        if (n >= SIM_ACTIONS_PER_STEP_MAX) {
            world_fail(w, SG_E_FULL, "worker model emitted more than SIM_ACTIONS_PER_STEP_MAX actions");
            return;
        }
        if (!ops->poll_action(wk->model, &a)) {
            break;
        }
        worker_handle_action(w, wk, &a);
    }
    if (!wk->alive || wk->instance != instance) {
        return;
    }
    sg_time_ns d = ops->next_deadline(wk->model);
    if (d != wk->timer_at) {
        wk->timer_at = d;
        wk->timer_gen++;
        if (d != SG_TIME_NEVER) {
            world_schedule(w, d > w->now ? d : w->now, EV_WORKER_TIMER, wk->index, wk->timer_gen, 0);
        }
    }
}

void worker_stats(const sim_world *w, const sim_worker *wk, sg_bcast_stats *out)
{
    if (wk->alive) {
        w->models->worker->stats_get(wk->model, out);
    } else {
        memset(out, 0, sizeof *out);
    }
    counters_add(&out->counters, &wk->past);
}

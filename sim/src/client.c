/*
 * client.c - simulated subscribers (OPAL clients, browser tabs, ...).
 *
 * Each client belongs to one worker (sticky load balancing), connects with
 * a WebSocket handshake, registers with the worker's model, and refetches
 * full state from the source of truth on every (re)connect.  When the
 * server closes it (or its worker dies) it reconnects after its own
 * backoff; the backoff resets only after a completed refetch.  The state
 * is 48 bytes so fleets of 10^5 clients stay cheap.
 */
#include <assert.h>
#include <stdlib.h>

#include "world.h"

#define CLOSE_RESYNC SG_CLOSE_CODE_RESYNC
#define CLOSE_ABNORMAL 1006u     /* the worker process went away */
#define CLOSE_POLICY 1008u       /* evicted as a slow consumer (injected) */

sg_status clients_init(sim_world *w)
{
    w->nclients = w->nworkers * w->s->topology.clients_per_worker;
    w->r->metrics[SIM_M_CLIENTS_TOTAL] = w->nclients;
    if (w->nclients == 0) {
        return SG_OK;
    }
    w->clients = calloc(w->nclients, sizeof *w->clients);
    if (w->clients == NULL) {
        return SG_E_NOMEM;
    }
    sg_duration_ns spread = w->s->workload.connect_spread_ns;
    for (uint32_t i = 0; i < w->nclients; i++) {
        sim_client *c = &w->clients[i];
        c->worker = (uint16_t)(i / w->s->topology.clients_per_worker);
        sg_rng_seed(&c->rng, w->seed, SIM_STREAM_CLIENT_BASE + (uint64_t)i);
        sg_time_ns at = spread > 0 ? (sg_time_ns)sg_rng_below(&c->rng, (uint64_t)spread + 1) : 0;
        world_schedule(w, at, EV_CLIENT_CONNECT, i, c->gen, 0);
    }
    return SG_OK;
}

void clients_free(sim_world *w)
{
    free(w->clients);
    w->clients = NULL;
}

static sim_client *live(sim_world *w, const sim_event *ev)
{
    sim_client *c = &w->clients[ev->target];
    return ev->gen == c->gen ? c : NULL;
}

/* Backs off, then schedules the next connect (or gives up). */
static void retry_later(sim_world *w, uint32_t ci, sim_event_kind what)
{
    sim_client *c = &w->clients[ci];
    sg_backoff b;
    sg_backoff_init(&b, &w->s->client.backoff);
    b.attempt = c->attempt;
    b.previous_ns = c->prev_delay_ns;
    sg_duration_ns delay = 0;
    if (sg_backoff_next(&b, &c->rng, &delay) != SG_OK) {
        c->state = CL_GAVE_UP;
        c->gen++;
        return;
    }
    c->attempt = b.attempt;
    c->prev_delay_ns = b.previous_ns;
    if (what == EV_CLIENT_CONNECT) {
        c->state = CL_WAITING;
        c->gen++;
    }
    world_schedule(w, w->now + delay, what, ci, c->gen, 0);
}

void client_on_connect(sim_world *w, const sim_event *ev)
{
    sim_client *c = live(w, ev);
    if (c == NULL) {
        return;
    }
    if (c->connects > 0) {
        w->r->metrics[SIM_M_RECONNECTS] += 1;
        sampler_count(w, SIM_S_RECONNECTS, 1);
    }
    if (c->connects < UINT8_MAX) {
        c->connects++;
    }
    c->state = CL_CONNECTING;
    c->gen++;
    world_schedule(w, w->now + w->s->client.connect_latency_ns, EV_CLIENT_HANDSHAKE, ev->target, c->gen, 0);
}

static void request_refetch(sim_world *w, uint32_t ci)
{
    sim_client *c = &w->clients[ci];
    sg_time_ns done = truth_refetch_admit(w);
    if (done == SG_TIME_NEVER) {
        w->r->metrics[SIM_M_REFETCH_REJECTED] += 1;
        retry_later(w, ci, EV_CLIENT_REFETCH);
        return;
    }
    world_schedule(w, done, EV_CLIENT_REFETCH_DONE, ci, c->gen, 0);
}

void client_on_handshake(sim_world *w, const sim_event *ev)
{
    sim_client *c = live(w, ev);
    if (c == NULL || c->state != CL_CONNECTING) {
        return;
    }
    sim_worker *wk = &w->workers[c->worker];
    if (!wk->alive) {
        retry_later(w, ev->target, EV_CLIENT_CONNECT);
        return;
    }
    sg_status st = w->models->worker->client_register(wk->model, w->now, ev->target, &c->handle);
    if (st == SG_OK) {
        c->state = CL_REGISTERED;
        c->gen++;
        wk->registered++;
        request_refetch(w, ev->target);
    } else {
        if (st == SG_E_STATE) {
            w->r->metrics[SIM_M_CLIENT_CRASHES] += 1;
            oracle_violation(w, SIM_ORACLE_MODEL_CRASH, (int32_t)wk->index, ev->target,
                             "worker %u refused client %u with a crash (%s)", wk->index, ev->target,
                             sg_status_name(st));
        }
        retry_later(w, ev->target, EV_CLIENT_CONNECT);
    }
    worker_settle(w, wk);
}

/* The worker asks a connected client to refetch the truth (SG_ACT_REFETCH)
 * without closing it.  A client whose fetch is still pending needs
 * nothing: that fetch completes after the request.  A ready one counts as
 * lacking until the refetch completes. */
void client_refetch(sim_world *w, uint32_t ci)
{
    sim_client *c = &w->clients[ci];
    if (c->state != CL_READY) {
        return;
    }
    sim_worker *wk = &w->workers[c->worker];
    truth_ready_add(w, wk, c->version, -1);
    assert(wk->ready > 0);
    wk->ready--;
    c->state = CL_REGISTERED;
    c->gen++;
    request_refetch(w, ci);
}

void client_on_refetch(sim_world *w, const sim_event *ev)
{
    sim_client *c = live(w, ev);
    if (c != NULL && c->state == CL_REGISTERED) {
        request_refetch(w, ev->target);
    }
}

void client_on_refetch_done(sim_world *w, const sim_event *ev)
{
    sim_client *c = live(w, ev);
    if (c == NULL || c->state != CL_REGISTERED) {
        return;
    }
    sim_worker *wk = &w->workers[c->worker];
    c->version = w->version;
    c->state = CL_READY;
    c->attempt = 0;
    c->prev_delay_ns = 0;
    wk->ready++;
    truth_ready_add(w, wk, c->version, +1);
    w->r->metrics[SIM_M_REFETCHES] += 1;
    sampler_count(w, SIM_S_REFETCHES, 1);
}

static void count_close(sim_world *w, uint32_t ci, const sim_worker *wk, uint16_t code)
{
    w->r->metrics[SIM_M_CLIENTS_DROPPED] += 1;
    sampler_count(w, SIM_S_CLOSES, 1);
    world_trace(w, TR_CLOSE, wk->index, code, ci);
    if (code == CLOSE_RESYNC) {
        w->r->metrics[SIM_M_RESYNC_CLOSES] += 1;
    } else if (code == CLOSE_ABNORMAL) {
        w->r->metrics[SIM_M_SHUTDOWN_DROPS] += 1;
    } else if (code != CLOSE_POLICY) {
        w->r->metrics[SIM_M_SPURIOUS_DROPS] += 1;
        oracle_violation(w, SIM_ORACLE_SPURIOUS_DROP, (int32_t)wk->index, ci,
                         "worker %u closed client %u with code %u (backbone %s)", wk->index, ci, code,
                         w->bb.up ? "up" : "down");
    }
}

/* Leaves the worker's books (ready count, convergence tree, registry). */
static void detach(sim_world *w, sim_client *c, bool unregister)
{
    sim_worker *wk = &w->workers[c->worker];
    if (c->state == CL_READY) {
        truth_ready_add(w, wk, c->version, -1);
        assert(wk->ready > 0);
        wk->ready--;
    }
    assert(wk->registered > 0);
    wk->registered--;
    c->state = CL_WAITING;
    c->gen++;
    if (unregister) {
        (void)w->models->worker->client_unregister(wk->model, w->now, c->handle);
    }
}

void client_leave(sim_world *w, uint32_t ci, sg_duration_ns away)
{
    sim_client *c = &w->clients[ci];
    if (c->state != CL_REGISTERED && c->state != CL_READY) {
        return;
    }
    detach(w, c, true);
    w->r->metrics[SIM_M_CLIENTS_LEFT] += 1;
    world_trace(w, TR_CLOSE, c->worker, 1000, ci);
    sg_duration_ns spread = (sg_duration_ns)sg_rng_below(&c->rng, (uint64_t)SG_NS_PER_S + 1);
    world_schedule(w, w->now + away + spread, EV_CLIENT_CONNECT, ci, c->gen, 0);
}

void client_closed(sim_world *w, uint32_t ci, uint16_t code, bool unregister)
{
    sim_client *c = &w->clients[ci];
    if (c->state != CL_REGISTERED && c->state != CL_READY) {
        return;
    }
    sim_worker *wk = &w->workers[c->worker];
    detach(w, c, unregister);
    count_close(w, ci, wk, code);
    retry_later(w, ci, EV_CLIENT_CONNECT);
}

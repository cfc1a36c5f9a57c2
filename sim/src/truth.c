/*
 * truth.c - the source of truth and the convergence bookkeeping.
 *
 * The truth is a sequence of versions (one per published update).  A
 * refetch returns everything up to the current version, served by a FIFO
 * with refetch_per_s capacity and queue_max waiting places, so a
 * fleet-wide resync stampede shows as queueing and 503s.
 *
 * A ready client with refetched version P on worker w lacks an update u
 * exactly when u > P and w never delivered u to its clients.  So per
 * worker we keep a bitmap of delivered versions and a Fenwick tree of its
 * ready clients by P: the clients lacking something are those with
 * P < H_w, H_w being the newest undelivered version (older than the lag).
 * Counting them costs O(log n) per worker instead of a pass over clients.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>

#include "world.h"

sg_status truth_init(sim_world *w)
{
    const sim_workload *wl = &w->s->workload;
    double seconds = (double)w->s->duration_ns / 1e9;
    double expected = wl->publish_per_s * seconds;
    double cap = expected + 8.0 * sqrt(expected) + 1024.0;
    w->updates_cap = cap > (double)SIM_UPDATES_MAX ? SIM_UPDATES_MAX : (uint32_t)cap;
    w->update_at = calloc((size_t)w->updates_cap + 1, sizeof *w->update_at);
    w->payload = calloc(wl->payload_bytes, 1);
    if (w->update_at == NULL || w->payload == NULL) {
        return SG_E_NOMEM;
    }
    sg_rng_seed(&w->workload_rng, w->seed, SIM_STREAM_WORKLOAD);
    return SG_OK;
}

void truth_free(sim_world *w)
{
    free(w->update_at);
    free(w->payload);
    w->update_at = NULL;
    w->payload = NULL;
}

static sg_duration_ns next_gap(sim_world *w)
{
    double u = sg_rng_unit(&w->workload_rng);
    double s = -log(1.0 - u) / w->s->workload.publish_per_s;
    return s * 1e9 > 1e15 ? (sg_duration_ns)1e15 : (sg_duration_ns)(s * 1e9) + 1;
}

void truth_schedule_first(sim_world *w)
{
    if (w->s->workload.publish_per_s > 0.0 && w->nworkers > 0) {
        world_schedule(w, w->s->workload.publish_start_ns + next_gap(w), EV_PUBLISH, 0, 0, 0);
    }
}

static sim_worker *pick_publisher(sim_world *w)
{
    int32_t only = w->s->workload.publisher;
    if (only >= 0) {
        return w->workers[only].alive ? &w->workers[only] : NULL;
    }
    uint32_t start = (uint32_t)sg_rng_below(&w->workload_rng, w->nworkers);
    for (uint32_t k = 0; k < w->nworkers; k++) {
        sim_worker *wk = &w->workers[(start + k) % w->nworkers];
        if (wk->alive) {
            return wk;
        }
    }
    return NULL;
}

void truth_on_publish(sim_world *w, const sim_event *ev)
{
    (void)ev;
    const sim_workload *wl = &w->s->workload;
    if (wl->publish_stop_ns > 0 && w->now >= wl->publish_stop_ns) {
        return;
    }
    world_schedule(w, w->now + next_gap(w), EV_PUBLISH, 0, 0, 0);
    sim_worker *wk = pick_publisher(w);
    if (wk == NULL) {
        return; /* no API server up: the update cannot be made */
    }
    if (w->version >= w->updates_cap) {
        world_fail(w, SG_E_FULL, "truth: more updates than the run's update bound");
        return;
    }
    uint32_t v = ++w->version;
    w->update_at[v] = w->now;
    w->r->metrics[SIM_M_UPDATES_PUBLISHED] += 1;
    for (unsigned i = 0; i < 4; i++) {
        w->payload[i] = (uint8_t)(v >> (8 * i));
    }
    const sim_worker_ops *ops = w->models->worker;
    sg_publish_result pr = ops->publish(wk->model, w->now, w->payload, wl->payload_bytes);
    world_trace(w, TR_PUBLISH, wk->index, (uint64_t)pr.verdict, v);
    if (pr.verdict == SG_PUBLISH_SEND) {
        bool ok = backbone_send(w, wk, &pr.header, wl->payload_bytes, v);
        ops->on_publish_result(wk->model, w->now, &pr.header, w->payload, wl->payload_bytes, ok);
    }
    if (pr.deliver_locally) {
        truth_delivered(w, wk, v);
    }
    worker_settle(w, wk);
}

static bool is_delivered(const sim_worker *wk, uint32_t u)
{
    return ((unsigned)wk->delivered[u >> 3] >> (u & 7u)) & 1u;
}

void truth_delivered(sim_world *w, sim_worker *wk, uint32_t update)
{
    if (update == 0 || update > w->version) {
        return;
    }
    wk->delivered[update >> 3] |= (uint8_t)(1u << (update & 7));
    while (wk->delivered_prefix < w->version && is_delivered(wk, wk->delivered_prefix + 1)) {
        wk->delivered_prefix++;
    }
}

sg_time_ns truth_refetch_admit(sim_world *w)
{
    const sim_truth_params *t = &w->s->truth;
    if (t->refetch_per_s <= 0.0) {
        return w->now + t->refetch_latency_ns;
    }
    sg_duration_ns wait = w->truth_busy_until > w->now ? w->truth_busy_until - w->now : 0;
    double queued = (double)wait / 1e9 * t->refetch_per_s;
    if (queued >= (double)t->queue_max) {
        return SG_TIME_NEVER;
    }
    double wait_s = (double)wait / 1e9;
    if (wait_s > w->r->metrics[SIM_M_REFETCH_WAIT_MAX_S]) {
        w->r->metrics[SIM_M_REFETCH_WAIT_MAX_S] = wait_s;
    }
    sg_time_ns start = w->truth_busy_until > w->now ? w->truth_busy_until : w->now;
    w->truth_busy_until = start + (sg_duration_ns)(1e9 / t->refetch_per_s);
    return w->truth_busy_until + t->refetch_latency_ns;
}

double truth_queue_depth(const sim_world *w)
{
    const sim_truth_params *t = &w->s->truth;
    if (t->refetch_per_s <= 0.0 || w->truth_busy_until <= w->now) {
        return 0.0;
    }
    return (double)(w->truth_busy_until - w->now) / 1e9 * t->refetch_per_s;
}

/* Fenwick tree over refetched versions: index = version + 1. */
void truth_ready_add(sim_world *w, sim_worker *wk, uint32_t version, int delta)
{
    assert(version <= w->updates_cap);
    for (uint32_t i = version + 1; i <= w->updates_cap + 1; i += i & (0u - i)) {
        wk->fenwick[i] = (uint32_t)((int64_t)wk->fenwick[i] + delta);
    }
}

/* Ready clients of wk whose version is below `h`. */
static uint32_t ready_below(const sim_world *w, const sim_worker *wk, uint32_t h)
{
    uint32_t n = 0;
    uint32_t i = h < w->updates_cap + 1 ? h : w->updates_cap + 1;
    for (; i > 0; i -= i & (0u - i)) {
        n += wk->fenwick[i];
    }
    return n;
}

/* Newest version <= top that wk never delivered, 0 if none. */
static uint32_t newest_undelivered(const sim_worker *wk, uint32_t top)
{
    for (uint32_t u = top; u > wk->delivered_prefix; u--) {
        if (!is_delivered(wk, u)) {
            return u;
        }
    }
    return 0;
}

static void advance_lag(sim_world *w)
{
    sg_time_ns horizon = w->now - w->s->oracle.convergence_lag_ns;
    while (w->lag_version < w->version && w->update_at[w->lag_version + 1] <= horizon) {
        w->lag_version++;
    }
}

uint32_t truth_not_converged(sim_world *w, uint32_t *example_client)
{
    advance_lag(w);
    uint32_t total = 0;
    if (example_client != NULL) {
        *example_client = UINT32_MAX;
    }
    for (uint32_t i = 0; i < w->nworkers; i++) {
        sim_worker *wk = &w->workers[i];
        uint32_t h = newest_undelivered(wk, w->lag_version);
        uint32_t lacking = (wk->client_count - wk->ready) + ready_below(w, wk, h);
        if (lacking > 0 && example_client != NULL && *example_client == UINT32_MAX) {
            for (uint32_t k = 0; k < wk->client_count; k++) {
                const sim_client *c = &w->clients[wk->client_base + k];
                if (c->state != CL_READY || c->version < h) {
                    *example_client = wk->client_base + k;
                    break;
                }
            }
        }
        total += lacking;
    }
    return total;
}

uint64_t truth_missed_deliveries(const sim_world *w)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < w->nworkers; i++) {
        const sim_worker *wk = &w->workers[i];
        for (uint32_t u = wk->delivered_prefix + 1; u <= w->lag_version; u++) {
            n += is_delivered(wk, u) ? 0u : 1u;
        }
    }
    return n;
}

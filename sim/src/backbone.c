/*
 * backbone.c - the simulated broadcast backbone and each worker's session.
 *
 * One log of every message put on the wire, and per-kind delivery rules:
 *   ideal     every subscribed session gets every message, in order;
 *   redis     same, at most once: a session that is not subscribed at
 *             publish time never sees the message; a subscriber whose
 *             pending output exceeds output_buffer_bytes is killed;
 *   postgres  same loss rule; payloads at or over payload_max are refused;
 *             a session may go half-open (no error, nothing delivered,
 *             sends vanish) until the worker reconnects;
 *   kafka     the log is kept (retention_msgs); each worker's consumer
 *             offset survives reconnects and restarts, so a resubscribed
 *             consumer reads what it missed.
 * Deliveries take latency + uniform jitter and stay FIFO per session; a
 * slow subscriber drains at drain_bytes_per_s.  Every delivery event holds
 * its session's generation, so anything in flight when a session ends is
 * lost with it.
 */
#include <assert.h>
#include <stdlib.h>

#include "world.h"

#define WIRE_OVERHEAD_BYTES SG_BCAST_HEADER_BYTES

sg_status backbone_init(sim_world *w)
{
    sim_backbone *bb = &w->bb;
    bb->up = true;
    sg_rng_seed(&bb->rng, w->seed, SIM_STREAM_BACKBONE);
    double expected = w->s->workload.publish_per_s * ((double)w->s->duration_ns / 1e9) * 2.0;
    if (w->s->bcast.heartbeat_ns > 0 || w->s->bcast.watchdog_ns > 0) {
        expected += (double)w->nworkers * ((double)w->s->duration_ns / 1e9) * 2.0;
    }
    double cap = expected + 4096.0;
    bb->log_cap = cap > (double)SIM_MESSAGES_MAX ? SIM_MESSAGES_MAX : (uint32_t)cap;
    bb->log = malloc((size_t)bb->log_cap * sizeof *bb->log);
    return bb->log == NULL ? SG_E_NOMEM : SG_OK;
}

void backbone_free(sim_world *w)
{
    free(w->bb.log);
    w->bb.log = NULL;
}

bool backbone_reachable(const sim_world *w, const sim_worker *wk)
{
    return w->bb.up && wk->partition_depth == 0;
}

static bool session_open(const sim_worker *wk)
{
    return wk->conn == CONN_OPEN || wk->conn == CONN_SUBSCRIBING || wk->conn == CONN_SUBSCRIBED;
}

static void new_session(sim_world *w, sim_worker *wk, uint8_t state)
{
    worker_set_conn(w, wk, state);
    wk->conn_gen++;
    wk->half_open = false;
    wk->pending_bytes = 0;
    wk->last_arrival = w->now;
    wk->kafka_inflight = false;
    wk->kafka_cursor = wk->kafka_committed;
}

void backbone_connect(sim_world *w, sim_worker *wk)
{
    new_session(w, wk, CONN_CONNECTING);
    w->r->metrics[SIM_M_BACKBONE_CONNECTS] += 1;
    if (wk->partition_depth > 0) {
        return; /* packets vanish: the model's connect timeout decides */
    }
    world_schedule(w, w->now + w->s->topology.backbone.connect_latency_ns, EV_BB_CONNECT_RESULT, wk->index,
                   wk->conn_gen, 0);
}

void backbone_subscribe(sim_world *w, sim_worker *wk)
{
    if (wk->conn == CONN_OPEN) {
        worker_set_conn(w, wk, CONN_SUBSCRIBING);
    }
    if (wk->partition_depth > 0) {
        return;
    }
    world_schedule(w, w->now + w->s->topology.backbone.connect_latency_ns, EV_BB_SUBSCRIBE_RESULT, wk->index,
                   wk->conn_gen, 0);
}

void backbone_close(sim_world *w, sim_worker *wk)
{
    new_session(w, wk, CONN_NONE);
}

void backbone_kill_session(sim_world *w, sim_worker *wk, sg_duration_ns after)
{
    if (session_open(wk)) {
        world_schedule(w, w->now + after, EV_BB_DROP, wk->index, wk->conn_gen, 0);
    }
}

void backbone_set_down(sim_world *w, bool down)
{
    sim_backbone *bb = &w->bb;
    if (down) {
        if (bb->down_depth++ > 0) {
            return;
        }
        bb->up = false;
        w->bb_down_since = w->now;
        for (uint32_t i = 0; i < w->nworkers; i++) {
            backbone_kill_session(w, &w->workers[i], w->s->topology.backbone.detect_ns);
        }
        return;
    }
    assert(bb->down_depth > 0);
    if (--bb->down_depth == 0) {
        bb->up = true;
        sim_chrome_span(&w->trace, w->bb_down_since, w->now, 0, "backbone down");
    }
}

static sim_worker *live_session(sim_world *w, const sim_event *ev)
{
    sim_worker *wk = &w->workers[ev->target];
    if (!wk->alive || ev->gen != wk->conn_gen) {
        return NULL;
    }
    return wk;
}

void backbone_on_connect_result(sim_world *w, const sim_event *ev)
{
    sim_worker *wk = live_session(w, ev);
    if (wk == NULL || wk->conn != CONN_CONNECTING) {
        return;
    }
    if (backbone_reachable(w, wk)) {
        worker_set_conn(w, wk, CONN_OPEN);
        if (w->bb.connect_drop_depth > 0) {
            world_schedule(w, w->now + w->bb.connect_drop_after_ns, EV_BB_DROP, wk->index, wk->conn_gen, 0);
        }
        w->models->worker->on_connected(wk->model, w->now);
    } else {
        new_session(w, wk, CONN_NONE);
        w->models->worker->on_connect_failed(wk->model, w->now);
    }
    worker_settle(w, wk);
}

static void kafka_pump(sim_world *w, sim_worker *wk);

void backbone_on_subscribe_result(sim_world *w, const sim_event *ev)
{
    sim_worker *wk = live_session(w, ev);
    if (wk == NULL) {
        return;
    }
    if (wk->conn == CONN_SUBSCRIBING && backbone_reachable(w, wk)) {
        worker_set_conn(w, wk, CONN_SUBSCRIBED);
        w->models->worker->on_subscribed(wk->model, w->now);
        if (w->s->topology.backbone.kind == SIM_BACKBONE_KAFKA) {
            kafka_pump(w, wk);
        }
    } else {
        w->models->worker->on_subscribe_failed(wk->model, w->now);
    }
    worker_settle(w, wk);
}

void backbone_on_drop(sim_world *w, const sim_event *ev)
{
    sim_worker *wk = live_session(w, ev);
    if (wk == NULL || !session_open(wk)) {
        return;
    }
    new_session(w, wk, CONN_NONE);
    w->models->worker->on_dropped(wk->model, w->now);
    worker_settle(w, wk);
}

/* Schedules delivery of log[idx] to wk's session; false if it killed the session. */
static bool deliver_schedule(sim_world *w, sim_worker *wk, uint32_t idx)
{
    const sim_backbone_params *p = &w->s->topology.backbone;
    sim_backbone *bb = &w->bb;
    const sim_msg *m = &bb->log[idx];
    uint64_t bytes = (uint64_t)m->len + WIRE_OVERHEAD_BYTES;
    sg_duration_ns jitter = p->jitter_ns + bb->extra_jitter_ns;
    sg_time_ns at = m->sent_at + p->latency_ns + bb->extra_latency_ns +
                    (jitter > 0 ? (sg_duration_ns)sg_rng_below(&bb->rng, (uint64_t)jitter + 1) : 0);
    if (at < w->now) {
        at = w->now;
    }
    if (at < wk->last_arrival) {
        at = wk->last_arrival;
    }
    if (wk->drain_bytes_per_s > 0.0) {
        at += (sg_duration_ns)((double)bytes * 1e9 / wk->drain_bytes_per_s);
    }
    wk->last_arrival = at;
    wk->pending_bytes += bytes;
    if (p->kind == SIM_BACKBONE_REDIS && wk->pending_bytes > p->output_buffer_bytes) {
        bb->kills++;
        w->r->metrics[SIM_M_BACKBONE_KILLS] += 1;
        sim_chrome_instant(&w->trace, w->now, wk->index + 1, "redis killed slow subscriber", "");
        /* Everything pending goes with the connection; until the worker
         * reads the EOF nothing more reaches it. */
        wk->conn_gen++;
        wk->half_open = true;
        world_schedule(w, w->now, EV_BB_DROP, wk->index, wk->conn_gen, 0);
        return false;
    }
    world_schedule(w, at, EV_BB_DELIVER, wk->index, wk->conn_gen, idx);
    return true;
}

static uint32_t kafka_log_start(const sim_world *w)
{
    uint32_t keep = w->s->topology.backbone.retention_msgs;
    return w->bb.log_count > keep ? w->bb.log_count - keep : 0;
}

static void kafka_pump(sim_world *w, sim_worker *wk)
{
    if (wk->kafka_inflight || wk->conn != CONN_SUBSCRIBED || wk->half_open || !backbone_reachable(w, wk)) {
        return;
    }
    uint32_t start = kafka_log_start(w);
    if (wk->kafka_cursor < start) {
        wk->kafka_cursor = start; /* offset out of range: reset to earliest */
    }
    if (wk->kafka_cursor >= w->bb.log_count) {
        return;
    }
    wk->kafka_inflight = true;
    (void)deliver_schedule(w, wk, wk->kafka_cursor);
}

bool backbone_send(sim_world *w, sim_worker *from, const sg_bcast_header *h, uint32_t len, uint32_t update)
{
    const sim_backbone_params *p = &w->s->topology.backbone;
    sim_backbone *bb = &w->bb;
    if (!from->alive || !session_open(from) || !backbone_reachable(w, from)) {
        return false;
    }
    if (p->kind == SIM_BACKBONE_POSTGRES && (uint64_t)len + WIRE_OVERHEAD_BYTES >= p->payload_max + 1u) {
        return false; /* ERROR: payload string too long */
    }
    if (from->send_fail_depth > 0 && sg_rng_unit(&bb->rng) < from->send_fail_probability) {
        return false; /* the backbone answered an error */
    }
    if (from->half_open) {
        return true; /* no error, and nobody will ever see it */
    }
    if (bb->log_count >= bb->log_cap) {
        world_fail(w, SG_E_FULL, "backbone log: more messages than SIM_MESSAGES_MAX/estimate");
        return false;
    }
    uint32_t idx = bb->log_count++;
    bb->log[idx] = (sim_msg){.header = *h, .sent_at = w->now, .len = len, .update = update};
    for (uint32_t i = 0; i < w->nworkers; i++) {
        sim_worker *r = &w->workers[i];
        if (!r->alive || r->conn != CONN_SUBSCRIBED || r->half_open || !backbone_reachable(w, r)) {
            continue;
        }
        if (p->kind == SIM_BACKBONE_KAFKA) {
            kafka_pump(w, r);
        } else {
            (void)deliver_schedule(w, r, idx);
        }
    }
    return true;
}

void backbone_on_deliver(sim_world *w, const sim_event *ev)
{
    sim_worker *wk = live_session(w, ev);
    if (wk == NULL || wk->conn != CONN_SUBSCRIBED) {
        return;
    }
    const sim_msg *m = &w->bb.log[ev->arg];
    uint64_t bytes = (uint64_t)m->len + WIRE_OVERHEAD_BYTES;
    wk->pending_bytes = wk->pending_bytes > bytes ? wk->pending_bytes - bytes : 0;
    bool kafka = w->s->topology.backbone.kind == SIM_BACKBONE_KAFKA;
    if (wk->half_open) {
        return; /* the socket is dead; kafka's offset does not move either */
    }
    if (kafka) {
        wk->kafka_inflight = false;
        wk->kafka_cursor = (uint32_t)ev->arg + 1;
        wk->kafka_committed = wk->kafka_cursor;
    }
    sg_msg_verdict v = w->models->worker->on_message(wk->model, w->now, &m->header, m->len);
    world_trace(w, TR_VERDICT, wk->index, (uint64_t)v, ev->arg);
    if (v == SG_MSG_DELIVER && m->update > 0) {
        truth_delivered(w, wk, m->update);
    }
    worker_settle(w, wk);
    if (kafka && wk->alive) {
        kafka_pump(w, wk);
    }
}

/*
 * sim_driver.h - a tiny deterministic driver for worker-model tests: it
 * feeds events to any sim_worker_ops (the core or a legacy model) and
 * answers its actions the way a backbone and a crowd of clients would,
 * so a test reads like an incident timeline:
 *
 *   drv_clients(d, 50); drv_advance(d, S(5));
 *   drv_backbone(d, DRV_DOWN); drv_advance(d, S(20));
 *   drv_backbone(d, DRV_UP); drv_advance(d, S(60));
 *   assert(d->closes_abnormal == 0);
 *
 * Backbone modes: UP answers CONNECT/SUBSCRIBE at once; DOWN refuses them;
 * HANG never answers; FLAKY accepts, subscribes and drops at once.  Clients
 * closed by the model leave after a small per-client delay and, when
 * reconnect_ns > 0, come back after it (a /ws handler that crashes is
 * retried the same way).  Replay PUBLISH actions succeed while the
 * backbone is UP and subscribed, or wait for drv_answer_replay when
 * hold_replays is set.  Everything the backbone carried is logged in
 * `wire` (first payload byte + sequence number).  Header-only.
 */
#ifndef STORMGLASS_SIM_DRIVER_H
#define STORMGLASS_SIM_DRIVER_H

#include "test_util.h"

#include <stdbool.h>
#include <stdlib.h>

#include "sim/worker_model.h"

#define DRV_CLIENTS_MAX 512
#define DRV_WIRE_MAX 4096
#define DRV_HELD_MAX 64

typedef enum drv_mode { DRV_UP = 0, DRV_DOWN, DRV_HANG, DRV_FLAKY } drv_mode;
typedef enum drv_link { DRV_LINK_NONE = 0, DRV_LINK_CONNECTING, DRV_LINK_OPEN, DRV_LINK_SUBSCRIBED } drv_link;

typedef struct drv_client {
    sg_client_handle h;
    bool live;
    sg_time_ns leave_at;     /* closed by the model: unregisters then */
    sg_time_ns reconnect_at; /* comes back then */
} drv_client;

typedef struct drv {
    const sim_worker_ops *ops;
    void *m;
    sg_time_ns now;
    drv_mode mode;
    drv_link link;
    bool hold_replays;
    sg_duration_ns reconnect_ns; /* 0: closed clients stay away */
    drv_client clients[DRV_CLIENTS_MAX];
    uint32_t nclients;
    uint8_t held[DRV_HELD_MAX];  /* first bytes of unanswered replay publishes */
    uint64_t held_seq[DRV_HELD_MAX];
    uint32_t nheld;
    uint8_t wire[DRV_WIRE_MAX];
    uint64_t wire_seq[DRV_WIRE_MAX];
    size_t nwire;
    /* what happened */
    uint64_t closes_resync, closes_abnormal, crashes, shutdowns, connects;
    uint64_t refetches, goodbyes; /* REFETCH and GOODBYE actions (the core's convergence fixes) */
    uint64_t health_actions, unhealthy_actions;
    uint64_t notes[32];
} drv;

static inline drv *drv_new(const sim_worker_ops *ops, const sg_bcast_config *config)
{
    drv *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->ops = ops;
    sg_error err;
    memset(&err, 0, sizeof err);
    if (ops->create(config, 0, &d->m, &err) != SG_OK) {
        fail_msg("%s: create failed: %s", ops->name, err.msg);
    }
    return d;
}

static inline void drv_free(drv *d)
{
    d->ops->destroy(d->m);
    free(d);
}

static inline void drv_wire(drv *d, uint8_t tag, uint64_t seq)
{
    assert_true(d->nwire < DRV_WIRE_MAX);
    d->wire_seq[d->nwire] = seq;
    d->wire[d->nwire++] = tag;
}

static inline bool drv_carrying(const drv *d)
{
    return d->mode == DRV_UP && d->link == DRV_LINK_SUBSCRIBED;
}

static inline drv_client *drv_find(drv *d, sg_client_handle h)
{
    for (uint32_t i = 0; i < d->nclients; i++) {
        drv_client *c = &d->clients[i];
        if (c->live && c->h.index == h.index && c->h.generation == h.generation) {
            return c;
        }
    }
    return NULL;
}

static inline void drv_answer_connect(drv *d, sg_bcast_action_kind kind)
{
    if (d->mode == DRV_HANG) {
        d->link = DRV_LINK_CONNECTING;
    } else if (d->mode == DRV_DOWN) {
        d->link = DRV_LINK_NONE;
        if (kind == SG_ACT_CONNECT) {
            d->ops->on_connect_failed(d->m, d->now);
        } else {
            d->ops->on_subscribe_failed(d->m, d->now);
        }
    } else if (kind == SG_ACT_CONNECT) {
        d->connects++;
        d->link = DRV_LINK_OPEN;
        d->ops->on_connected(d->m, d->now);
    } else {
        d->link = DRV_LINK_SUBSCRIBED;
        d->ops->on_subscribed(d->m, d->now);
        if (d->mode == DRV_FLAKY) {
            d->link = DRV_LINK_NONE;
            d->ops->on_dropped(d->m, d->now);
        }
    }
}

static inline void drv_on_close(drv *d, const sg_bcast_action *a)
{
    if (a->u.close_client.close_code == SG_CLOSE_CODE_RESYNC) {
        d->closes_resync++;
    } else {
        d->closes_abnormal++;
    }
    drv_client *c = drv_find(d, a->u.close_client.handle);
    if (c != NULL && c->leave_at == SG_TIME_NEVER) {
        c->leave_at = d->now + MS(10) * (sg_time_ns)(a->u.close_client.cookie % 50); /* spread */
    }
}

static inline void drv_handle(drv *d, const sg_bcast_action *a)
{
    switch (a->kind) {
    case SG_ACT_CONNECT:
    case SG_ACT_SUBSCRIBE: drv_answer_connect(d, a->kind); break;
    case SG_ACT_DISCONNECT: d->link = DRV_LINK_NONE; break;
    case SG_ACT_PUBLISH: {
        uint8_t tag = a->u.publish.len > 0 ? a->u.publish.payload[0] : 0;
        if (d->hold_replays) {
            assert_true(d->nheld < DRV_HELD_MAX);
            d->held_seq[d->nheld] = a->u.publish.header.seq;
            d->held[d->nheld++] = tag;
            break;
        }
        bool ok = drv_carrying(d);
        if (ok) {
            drv_wire(d, tag, a->u.publish.header.seq);
        }
        d->ops->on_replay_result(d->m, d->now, ok);
        break;
    }
    case SG_ACT_HEARTBEAT:
        if (drv_carrying(d)) {
            (void)d->ops->on_message(d->m, d->now, &a->u.heartbeat.header, 0);
        }
        break;
    case SG_ACT_CLOSE_CLIENT: drv_on_close(d, a); break;
    case SG_ACT_HEALTH:
        d->health_actions++;
        d->unhealthy_actions += a->u.health.healthy ? 0u : 1u;
        break;
    case SG_ACT_SHUTDOWN: d->shutdowns++; break;
    case SG_ACT_NOTE: d->notes[(unsigned)a->u.note.note % 32u]++; break;
    case SG_ACT_REFETCH: d->refetches++; break;
    case SG_ACT_GOODBYE: d->goodbyes++; break;
    default: fail_msg("unknown action %d", (int)a->kind);
    }
}

/* Drains and answers actions until the model is quiet. */
static inline void drv_pump(drv *d)
{
    sg_bcast_action a;
    for (int guard = 0; guard < 1000000 && d->ops->poll_action(d->m, &a); guard++) {
        drv_handle(d, &a);
    }
}

static inline void drv_register(drv *d, drv_client *c, uint64_t cookie)
{
    c->leave_at = SG_TIME_NEVER;
    c->reconnect_at = SG_TIME_NEVER;
    sg_status st = d->ops->client_register(d->m, d->now, cookie, &c->h);
    if (st == SG_OK) {
        c->live = true;
    } else {
        d->crashes += st == SG_E_STATE ? 1u : 0u;
        c->live = false;
        c->reconnect_at = d->reconnect_ns > 0 ? d->now + d->reconnect_ns : SG_TIME_NEVER;
    }
    drv_pump(d);
}

/* n more clients connect now. */
static inline void drv_clients(drv *d, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        assert_true(d->nclients < DRV_CLIENTS_MAX);
        uint32_t k = d->nclients++;
        drv_register(d, &d->clients[k], k);
    }
}

static inline uint32_t drv_live(const drv *d)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < d->nclients; i++) {
        n += d->clients[i].live ? 1u : 0u;
    }
    return n;
}

static inline sg_time_ns drv_next_client_event(const drv *d)
{
    sg_time_ns t = SG_TIME_NEVER;
    for (uint32_t i = 0; i < d->nclients; i++) {
        const drv_client *c = &d->clients[i];
        t = sg_time_min(t, c->live ? c->leave_at : c->reconnect_at);
    }
    return t;
}

static inline void drv_client_events(drv *d)
{
    for (uint32_t i = 0; i < d->nclients; i++) {
        drv_client *c = &d->clients[i];
        if (c->live && c->leave_at <= d->now) {
            (void)d->ops->client_unregister(d->m, d->now, c->h);
            c->live = false;
            c->leave_at = SG_TIME_NEVER;
            c->reconnect_at = d->reconnect_ns > 0 ? d->now + d->reconnect_ns : SG_TIME_NEVER;
            drv_pump(d);
        } else if (!c->live && c->reconnect_at <= d->now) {
            drv_register(d, c, i);
        }
    }
}

static inline void drv_run_until(drv *d, sg_time_ns to)
{
    for (int guard = 0; guard < 1000000; guard++) {
        drv_pump(d);
        sg_time_ns model_at = d->ops->next_deadline(d->m);
        sg_time_ns t = sg_time_min(model_at, drv_next_client_event(d));
        if (t > to) {
            break;
        }
        if (t > d->now) {
            d->now = t;
        }
        drv_client_events(d);
        if (d->ops->next_deadline(d->m) <= d->now) {
            d->ops->on_timer(d->m, d->now);
        }
    }
    d->now = to;
    drv_pump(d);
}

static inline void drv_advance(drv *d, sg_duration_ns by)
{
    drv_run_until(d, d->now + by);
}

/* Changes the backbone; going away drops an open connection. */
static inline void drv_backbone(drv *d, drv_mode mode)
{
    d->mode = mode;
    if (mode != DRV_UP && d->link != DRV_LINK_NONE) {
        d->link = DRV_LINK_NONE;
        d->ops->on_dropped(d->m, d->now);
    }
    drv_pump(d);
}

/* A local publish tagged `tag` (first byte) of len bytes; the send result
 * follows at once. */
static inline sg_publish_result drv_publish(drv *d, uint8_t tag, uint32_t len)
{
    static uint8_t buf[1u << 20];
    assert_true(len <= sizeof buf);
    memset(buf, tag, len);
    sg_publish_result r = d->ops->publish(d->m, d->now, buf, len);
    if (r.verdict == SG_PUBLISH_SEND) {
        bool ok = drv_carrying(d);
        if (ok) {
            drv_wire(d, tag, r.header.seq);
        }
        d->ops->on_publish_result(d->m, d->now, &r.header, buf, len, ok);
    }
    drv_pump(d);
    return r;
}

/* A peer's DATA message arrives (if we are subscribed). */
static inline sg_msg_verdict drv_peer(drv *d, uint32_t origin, uint64_t epoch, uint64_t seq)
{
    sg_bcast_header h = {.origin = origin, .kind = SG_MSG_DATA, .epoch = epoch, .seq = seq};
    sg_msg_verdict v = SG_MSG_SKIP_NOT_READING;
    if (drv_carrying(d)) {
        v = d->ops->on_message(d->m, d->now, &h, 8);
    }
    drv_pump(d);
    return v;
}

/* Answers the oldest held replay publish. */
static inline void drv_answer_replay(drv *d, bool ok)
{
    assert_true(d->nheld > 0);
    uint8_t tag = d->held[0];
    uint64_t seq = d->held_seq[0];
    d->nheld--;
    memmove(d->held, d->held + 1, d->nheld);
    memmove(d->held_seq, d->held_seq + 1, d->nheld * sizeof d->held_seq[0]);
    if (ok) {
        drv_wire(d, tag, seq);
    }
    d->ops->on_replay_result(d->m, d->now, ok);
    drv_pump(d);
}

static inline sg_bcast_stats drv_stats(const drv *d)
{
    sg_bcast_stats s;
    d->ops->stats_get(d->m, &s);
    return s;
}

static inline bool drv_wire_has(const drv *d, uint8_t tag)
{
    for (size_t i = 0; i < d->nwire; i++) {
        if (d->wire[i] == tag) {
            return true;
        }
    }
    return false;
}

static inline size_t drv_wire_index(const drv *d, uint8_t tag)
{
    for (size_t i = 0; i < d->nwire; i++) {
        if (d->wire[i] == tag) {
            return i;
        }
    }
    return SIZE_MAX;
}

#endif

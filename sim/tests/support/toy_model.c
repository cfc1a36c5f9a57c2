/*
 * toy_model.c - the test-only worker models described in toy_model.h.
 */
#include "toy_model.h"

#include <fiu-local.h>
#include <stdlib.h>
#include <string.h>

#define TOY_ACTIONS 64u
#define TOY_RETRY_NS (1 * SG_NS_PER_S)
#define TOY_CLOSES_PER_TICK 16u

typedef enum { TOY_RESYNC, TOY_NORESYNC, TOY_PLANTED } toy_kind;

typedef struct toy_slot {
    uint64_t cookie;
    uint32_t generation;
    bool used;
} toy_slot;

typedef struct toy {
    toy_kind kind;
    sg_bcast_config cfg;
    toy_slot *slots;
    uint32_t clients;
    uint32_t hint;        /* where the next free slot search starts */
    sg_time_ns deaf_since;
    sg_reader_state reader;
    bool delivered_in_session;
    bool wedged;
    sg_time_ns last_drop;
    sg_time_ns timer;
    uint32_t resync_next; /* slot index of the next 1012 close; UINT32_MAX = none */
    uint64_t seq;
    sg_bcast_action q[TOY_ACTIONS];
    uint32_t head, count;
    sg_bcast_stats stats;
} toy;

static void push(toy *t, sg_bcast_action a)
{
    if (t->count < TOY_ACTIONS) {
        t->q[(t->head + t->count++) % TOY_ACTIONS] = a;
    }
}

static void connect_now(toy *t, sg_time_ns now)
{
    t->reader = SG_READER_CONNECTING;
    if (t->deaf_since == SG_TIME_NEVER) {
        t->deaf_since = now;
    }
    t->timer = now + t->cfg.connect_timeout_ns;
    t->stats.counters.connect_attempts++;
    push(t, (sg_bcast_action){.kind = SG_ACT_CONNECT});
}

static void failed(toy *t, sg_time_ns now)
{
    t->reader = SG_READER_BACKOFF;
    t->timer = t->wedged ? SG_TIME_NEVER : now + TOY_RETRY_NS;
}

static sg_status toy_create(toy_kind kind, const sg_bcast_config *c, void **out)
{
    fiu_return_on("stormglass/toy/create", SG_E_NOMEM);
    toy *t = calloc(1, sizeof *t);
    if (t == NULL) {
        return SG_E_NOMEM;
    }
    t->slots = calloc(c->clients_max, sizeof *t->slots);
    if (t->slots == NULL) {
        free(t);
        return SG_E_NOMEM;
    }
    t->kind = kind;
    t->cfg = *c;
    t->timer = SG_TIME_NEVER;
    t->last_drop = SG_TIME_NEVER;
    t->resync_next = UINT32_MAX;
    t->deaf_since = SG_TIME_NEVER;
    *out = t;
    return SG_OK;
}

#define CREATE(fn, kind)                                                                      \
    static sg_status fn(const sg_bcast_config *c, sg_time_ns now, void **out, sg_error *err) \
    {                                                                                         \
        (void)now;                                                                            \
        (void)err;                                                                            \
        return toy_create(kind, c, out);                                                      \
    }
CREATE(create_resync, TOY_RESYNC)
CREATE(create_noresync, TOY_NORESYNC)
CREATE(create_planted, TOY_PLANTED)

static void toy_destroy(void *m)
{
    toy *t = m;
    free(t->slots);
    free(t);
}

static sg_status toy_register(void *m, sg_time_ns now, uint64_t cookie, sg_client_handle *out)
{
    toy *t = m;
    for (uint32_t k = 0; k < t->cfg.clients_max; k++) {
        uint32_t i = (t->hint + k) % t->cfg.clients_max;
        if (!t->slots[i].used) {
            t->hint = i + 1;
            t->slots[i].used = true;
            t->slots[i].cookie = cookie;
            *out = (sg_client_handle){.index = i, .generation = t->slots[i].generation};
            if (t->clients++ == 0 && t->reader == SG_READER_IDLE) {
                connect_now(t, now);
            }
            return SG_OK;
        }
    }
    return SG_E_FULL;
}

static sg_status toy_unregister(void *m, sg_time_ns now, sg_client_handle h)
{
    (void)now;
    toy *t = m;
    if (h.index >= t->cfg.clients_max || !t->slots[h.index].used || t->slots[h.index].generation != h.generation) {
        t->stats.counters.double_disconnects++;
        return SG_E_NOT_FOUND;
    }
    t->slots[h.index].used = false;
    t->slots[h.index].generation++;
    t->clients--;
    return SG_OK;
}

static void toy_pin(void *m, sg_time_ns now)
{
    (void)m;
    (void)now;
}

static sg_status toy_unpin(void *m, sg_time_ns now)
{
    (void)m;
    (void)now;
    return SG_OK;
}

static void toy_connected(void *m, sg_time_ns now)
{
    toy *t = m;
    t->reader = SG_READER_SUBSCRIBING;
    t->timer = now + t->cfg.connect_timeout_ns;
    push(t, (sg_bcast_action){.kind = SG_ACT_SUBSCRIBE});
}

static void toy_connect_failed(void *m, sg_time_ns now)
{
    failed(m, now);
}

static void toy_subscribed(void *m, sg_time_ns now)
{
    (void)now;
    toy *t = m;
    bool gap = t->delivered_in_session || t->stats.counters.drops > 0;
    t->reader = SG_READER_READING;
    t->deaf_since = SG_TIME_NEVER;
    t->timer = SG_TIME_NEVER;
    if (gap && t->kind != TOY_NORESYNC) {
        t->resync_next = 0;
        t->timer = now;
        t->stats.counters.resyncs++;
    }
    t->delivered_in_session = false;
}

static void toy_dropped(void *m, sg_time_ns now)
{
    toy *t = m;
    t->stats.counters.drops++;
    /* The planted bug: a second drop of an established session within
     * 10 s of the previous one makes it stop reconnecting, silently. */
    if (t->kind == TOY_PLANTED && t->last_drop != SG_TIME_NEVER && now - t->last_drop < 10 * SG_NS_PER_S) {
        t->wedged = true;
    }
    t->last_drop = now;
    failed(t, now);
}

static sg_msg_verdict toy_message(void *m, sg_time_ns now, const sg_bcast_header *h, uint32_t len)
{
    (void)now;
    (void)len;
    toy *t = m;
    if (t->reader != SG_READER_READING) {
        return SG_MSG_SKIP_NOT_READING;
    }
    if (h->kind == SG_MSG_HEARTBEAT) {
        return SG_MSG_SKIP_HEARTBEAT;
    }
    if (h->origin == t->cfg.worker_id) {
        return SG_MSG_SKIP_OWN;
    }
    t->delivered_in_session = true;
    t->stats.counters.messages_delivered++;
    return SG_MSG_DELIVER;
}

static sg_publish_result toy_publish(void *m, sg_time_ns now, const uint8_t *p, uint32_t len)
{
    (void)now;
    (void)p;
    (void)len;
    toy *t = m;
    sg_publish_result r = {.verdict = SG_PUBLISH_DROPPED, .deliver_locally = true};
    if (t->reader == SG_READER_READING) {
        r.verdict = SG_PUBLISH_SEND;
        r.header = (sg_bcast_header){.origin = t->cfg.worker_id, .kind = SG_MSG_DATA, .epoch = t->cfg.epoch,
                                     .seq = ++t->seq};
    } else {
        t->stats.counters.publish_drops++;
    }
    return r;
}

static void toy_publish_result(void *m, sg_time_ns now, const sg_bcast_header *h, const uint8_t *p, uint32_t len,
                               bool ok)
{
    (void)m;
    (void)now;
    (void)h;
    (void)p;
    (void)len;
    (void)ok;
}

static void toy_replay_result(void *m, sg_time_ns now, bool ok)
{
    (void)m;
    (void)now;
    (void)ok;
}

static sg_time_ns toy_deadline(const void *m)
{
    return ((const toy *)m)->timer;
}

static void resync_some(toy *t, sg_time_ns now)
{
    uint32_t n = 0;
    while (t->resync_next < t->cfg.clients_max && n < TOY_CLOSES_PER_TICK) {
        toy_slot *s = &t->slots[t->resync_next];
        if (s->used) {
            push(t, (sg_bcast_action){.kind = SG_ACT_CLOSE_CLIENT,
                                      .u.close_client = {.handle = {t->resync_next, s->generation},
                                                         .cookie = s->cookie,
                                                         .close_code = SG_CLOSE_CODE_RESYNC}});
            n++;
        }
        t->resync_next++;
    }
    if (t->resync_next >= t->cfg.clients_max) {
        t->resync_next = UINT32_MAX;
        t->timer = SG_TIME_NEVER;
    } else {
        t->timer = now;
    }
}

static void toy_timer(void *m, sg_time_ns now)
{
    toy *t = m;
    if (t->timer > now) {
        return;
    }
    if (t->reader == SG_READER_READING && t->resync_next != UINT32_MAX) {
        resync_some(t, now);
    } else if (t->reader == SG_READER_CONNECTING || t->reader == SG_READER_SUBSCRIBING) {
        t->stats.counters.connect_failures++;
        push(t, (sg_bcast_action){.kind = SG_ACT_DISCONNECT});
        failed(t, now);
    } else if (t->reader == SG_READER_BACKOFF) {
        connect_now(t, now);
    } else {
        t->timer = SG_TIME_NEVER;
    }
}

static bool toy_poll(void *m, sg_bcast_action *out)
{
    toy *t = m;
    if (t->count == 0) {
        return false;
    }
    *out = t->q[t->head];
    t->head = (t->head + 1) % TOY_ACTIONS;
    t->count--;
    return true;
}

/* "toy" answers 503 once it has been away from the backbone for 5 s with
 * clients; the others always answer 200 (the planted one lies). */
static sg_bcast_health toy_health(const void *m, sg_time_ns now)
{
    const toy *t = m;
    bool away = t->reader != SG_READER_READING && t->reader != SG_READER_IDLE && t->clients > 0;
    if (t->kind == TOY_RESYNC && away && now - t->deaf_since >= 5 * SG_NS_PER_S) {
        return (sg_bcast_health){.healthy = false, .reason = SG_HEALTH_BAD_NO_READER};
    }
    return (sg_bcast_health){.healthy = true, .reason = SG_HEALTH_OK_READING};
}

static void toy_stats(const void *m, sg_bcast_stats *out)
{
    const toy *t = m;
    *out = t->stats;
    out->reader = t->reader;
    out->clients = t->clients;
    out->listeners = t->clients;
}

#define TOY_OPS(var, nm, desc, create_fn)                                                                   \
    const sim_worker_ops var = {                                                                         \
        .name = nm, .description = desc, .create = create_fn, .destroy = toy_destroy,                       \
        .client_register = toy_register, .client_unregister = toy_unregister, .pin = toy_pin,            \
        .unpin = toy_unpin, .on_connected = toy_connected, .on_connect_failed = toy_connect_failed,      \
        .on_subscribed = toy_subscribed, .on_subscribe_failed = toy_connect_failed,                      \
        .on_dropped = toy_dropped, .on_message = toy_message, .publish = toy_publish,                    \
        .on_publish_result = toy_publish_result, .on_replay_result = toy_replay_result,                  \
        .next_deadline = toy_deadline, .on_timer = toy_timer, .poll_action = toy_poll,                   \
        .health_at = toy_health, .stats_get = toy_stats}

TOY_OPS(toy_model_resync, "toy", "test-only: reconnect after 1 s, resync with 1012", create_resync);
TOY_OPS(toy_model_noresync, "toy-noresync", "test-only: reconnect after 1 s, no resync", create_noresync);
TOY_OPS(toy_model_planted, "toy-planted", "test-only: wedges after two drops within 10 s", create_planted);

sim_model_set toy_models(const sim_worker_ops *ops)
{
    return (sim_model_set){.name = ops->name, .worker = ops, .sync = &sim_sync_core,
                           .notifier = &sim_notifier_core, .fence = &sim_fence_core};
}

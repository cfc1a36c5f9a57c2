/*
 * stock.c - legacy model: the stock broadcaster of fastapi_websocket_pubsub
 * as OPAL ran it before the fix (ignore_broadcaster_disconnected=False).
 * A negative control only; never linked into the server.
 *
 * What it reproduces (from the OPAL incident write-up):
 * - One shared reader task, started when the listen count goes 0 -> 1 and
 *   reset only when it returns to 0.  Every client handler waits on
 *   [its socket, the reader task].
 * - Loud storm: a backbone drop completes the reader and nothing restarts
 *   it while clients stay connected, so every waiting client is cancelled
 *   (CLOSE_CLIENT 1011), and so is every client that reconnects, until the
 *   listen count happens to reach zero or the worker is restarted.
 * - Silent wedge: start_reader_task connects inside the listening
 *   context's __aenter__ after incrementing the count; when the backbone is
 *   down the exception skips __aexit__, the count leaks, the reader task
 *   stays None, and every later /ws handler crashes on asyncio.wait([t,
 *   None]) (client_register returns SG_E_STATE, client_crashes counts it)
 *   while /healthcheck keeps answering 200.
 * - Disconnect is not idempotent: a cancelled client's disconnect runs
 *   twice (list.remove ValueError, counted in double_disconnects) and a
 *   driver's second unregister is an error (SG_E_INVALID), not a no-op.
 * No reconnect, no replay, no resync, no gap detection, no timers.
 *
 * "stock-rollback" is the same library as OPAL's rollback path runs it
 * (OPAL_BROADCAST_RECONNECT_ENABLED=False, ignore_broadcaster_disconnected
 * =True): a dropped reader still completes and is never restarted, but the
 * clients are not cancelled - they stay connected and silently stale (no
 * storm, no fan-out, health 200).  The failed-start leak is unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "legacy_util.h"

#define STOCK_CODE_CANCELLED 1011u

typedef enum stock_reader {
    STOCK_NO_TASK = 0,
    STOCK_CONNECTING,
    STOCK_SUBSCRIBING,
    STOCK_RUNNING,
    STOCK_DONE
} stock_reader;

typedef struct stock {
    sg_bcast_config config;
    legacy_actions q;
    legacy_clients clients;
    uint32_t listen_count; /* clients + pins + leaked counts */
    uint32_t pins;
    uint32_t leaked;
    stock_reader reader;
    bool ignore_disconnect; /* stock-rollback: a completed reader cancels nobody */
    uint64_t next_seq;
    sg_bcast_counters counters;
} stock;

static sg_status create_variant(const sg_bcast_config *config, bool ignore_disconnect, void **out, sg_error *err)
{
    *out = NULL;
    sg_status st = sg_bcast_config_check(config, err);
    if (st != SG_OK) {
        return st;
    }
    stock *s = calloc(1, sizeof *s);
    if (s == NULL || legacy_actions_init(&s->q) != SG_OK || legacy_clients_init(&s->clients, config->clients_max) != SG_OK) {
        if (s != NULL) {
            legacy_actions_free(&s->q);
            free(s);
        }
        return sg_error_set(err, SG_E_NOMEM, "stock: out of memory");
    }
    s->config = *config;
    s->next_seq = 1;
    s->ignore_disconnect = ignore_disconnect;
    *out = s;
    return SG_OK;
}

static sg_status stock_create(const sg_bcast_config *config, sg_time_ns now, void **out, sg_error *err)
{
    (void)now;
    return create_variant(config, false, out, err);
}

static sg_status rollback_create(const sg_bcast_config *config, sg_time_ns now, void **out, sg_error *err)
{
    (void)now;
    return create_variant(config, true, out, err);
}

static void stock_destroy(void *m)
{
    stock *s = m;
    if (s == NULL) {
        return;
    }
    legacy_actions_free(&s->q);
    legacy_clients_free(&s->clients);
    free(s);
}

/* Cancels every live client (the reader completed or never existed). */
static void cancel_all(stock *s, bool crashed)
{
    for (uint32_t i = 0; i < s->clients.high_water; i++) {
        legacy_client *c = &s->clients.slots[i];
        if (c->live && !c->cancelled) {
            c->cancelled = true;
            legacy_emit_close(&s->q, i, c, STOCK_CODE_CANCELLED, &s->counters.actions_dropped);
            if (crashed) {
                s->counters.client_crashes++;
            }
        }
    }
}

static void start_reader(stock *s)
{
    s->reader = STOCK_CONNECTING;
    s->counters.reader_runs++;
    s->counters.connect_attempts++;
    legacy_emit_kind(&s->q, SG_ACT_CONNECT, &s->counters.actions_dropped);
}

static void count_up(stock *s)
{
    s->listen_count++;
    if (s->listen_count == 1) {
        start_reader(s);
    }
}

static void count_down(stock *s)
{
    s->listen_count--;
    if (s->listen_count == 0) {
        if (s->reader != STOCK_NO_TASK && s->reader != STOCK_DONE) {
            legacy_emit_kind(&s->q, SG_ACT_DISCONNECT, &s->counters.actions_dropped);
        }
        s->reader = STOCK_NO_TASK; /* the context manager resets the task */
    }
}

static sg_status stock_register(void *m, sg_time_ns now, uint64_t cookie, sg_client_handle *out)
{
    (void)now;
    stock *s = m;
    if (s->listen_count > 0 && s->reader == STOCK_NO_TASK) {
        s->counters.client_crashes++; /* asyncio.wait([task, None]): TypeError */
        return SG_E_STATE;
    }
    if (legacy_clients_add(&s->clients, cookie, out) != SG_OK) {
        s->counters.registry_full++;
        return SG_E_FULL;
    }
    count_up(s);
    if (s->reader == STOCK_DONE && !s->ignore_disconnect) { /* waits on a completed reader: cancelled */
        legacy_client *c = legacy_clients_get(&s->clients, *out);
        c->cancelled = true;
        legacy_emit_close(&s->q, out->index, c, STOCK_CODE_CANCELLED, &s->counters.actions_dropped);
    }
    return SG_OK;
}

static sg_status stock_unregister(void *m, sg_time_ns now, sg_client_handle h)
{
    (void)now;
    stock *s = m;
    legacy_client *c = legacy_clients_get(&s->clients, h);
    if (c == NULL) {
        s->counters.double_disconnects++; /* list.remove(x): x not in list */
        return SG_E_INVALID;
    }
    if (c->cancelled) {
        s->counters.double_disconnects++; /* the except path disconnects again */
    }
    legacy_clients_remove(&s->clients, h);
    count_down(s);
    return SG_OK;
}

static void stock_pin(void *m, sg_time_ns now)
{
    (void)now;
    stock *s = m;
    s->pins++;
    count_up(s);
}

static sg_status stock_unpin(void *m, sg_time_ns now)
{
    (void)now;
    stock *s = m;
    if (s->pins == 0) {
        s->counters.unpin_underflows++;
        return SG_E_STATE;
    }
    s->pins--;
    count_down(s);
    return SG_OK;
}

/* start_reader_task raised inside __aenter__: the count leaks. */
static void failed_start(stock *s)
{
    s->counters.connect_failures++;
    s->reader = STOCK_NO_TASK;
    s->listen_count++;
    s->leaked++;
    cancel_all(s, true);
}

static void stock_on_connected(void *m, sg_time_ns now)
{
    (void)now;
    stock *s = m;
    if (s->reader != STOCK_CONNECTING) {
        s->counters.events_ignored++;
        return;
    }
    s->counters.connects_ok++;
    s->reader = STOCK_SUBSCRIBING;
    legacy_emit_kind(&s->q, SG_ACT_SUBSCRIBE, &s->counters.actions_dropped);
}

static void stock_on_connect_failed(void *m, sg_time_ns now)
{
    (void)now;
    stock *s = m;
    if (s->reader != STOCK_CONNECTING) {
        s->counters.events_ignored++;
        return;
    }
    failed_start(s);
}

static void stock_on_subscribed(void *m, sg_time_ns now)
{
    (void)now;
    stock *s = m;
    if (s->reader != STOCK_SUBSCRIBING) {
        s->counters.events_ignored++;
        return;
    }
    s->reader = STOCK_RUNNING;
}

static void stock_on_subscribe_failed(void *m, sg_time_ns now)
{
    (void)now;
    stock *s = m;
    if (s->reader != STOCK_SUBSCRIBING) {
        s->counters.events_ignored++;
        return;
    }
    failed_start(s);
}

static void stock_on_dropped(void *m, sg_time_ns now)
{
    (void)now;
    stock *s = m;
    if (s->reader == STOCK_CONNECTING || s->reader == STOCK_SUBSCRIBING) {
        failed_start(s);
        return;
    }
    if (s->reader != STOCK_RUNNING) {
        s->counters.events_ignored++;
        return;
    }
    s->counters.drops++;
    s->reader = STOCK_DONE; /* completes; nothing restarts it */
    if (!s->ignore_disconnect) {
        cancel_all(s, false);
    }
}

static sg_msg_verdict stock_on_message(void *m, sg_time_ns now, const sg_bcast_header *h, uint32_t len)
{
    (void)now;
    (void)len;
    stock *s = m;
    if (s->reader != STOCK_RUNNING) {
        s->counters.messages_while_not_reading++;
        return SG_MSG_SKIP_NOT_READING;
    }
    if (h == NULL || h->kind != SG_MSG_DATA) {
        return SG_MSG_SKIP_INVALID;
    }
    if (h->origin == s->config.worker_id) {
        s->counters.own_echoes++;
        return SG_MSG_SKIP_OWN;
    }
    s->counters.messages_delivered++;
    return SG_MSG_DELIVER;
}

static sg_publish_result stock_publish(void *m, sg_time_ns now, const uint8_t *payload, uint32_t len)
{
    (void)now;
    (void)payload;
    (void)len;
    stock *s = m;
    sg_publish_result r;
    memset(&r, 0, sizeof r);
    r.deliver_locally = true;
    if (s->reader == STOCK_RUNNING) {
        r.verdict = SG_PUBLISH_SEND;
        r.header = legacy_header(&s->config, SG_MSG_DATA, s->next_seq++);
    } else {
        r.verdict = SG_PUBLISH_DROPPED; /* the exception is swallowed: lost */
        s->counters.publish_drops++;
    }
    return r;
}

static void stock_on_publish_result(void *m, sg_time_ns now, const sg_bcast_header *h, const uint8_t *p, uint32_t len,
                                    bool ok)
{
    (void)now;
    (void)h;
    (void)p;
    (void)len;
    stock *s = m;
    if (ok) {
        s->counters.publishes_sent++;
    } else {
        s->counters.publish_failures++;
        s->counters.publish_drops++;
    }
}

static void stock_on_replay_result(void *m, sg_time_ns now, bool ok)
{
    (void)now;
    (void)ok;
    ((stock *)m)->counters.replay_results_stale++;
}

static sg_time_ns stock_next_deadline(const void *m)
{
    (void)m;
    return SG_TIME_NEVER;
}

static void stock_on_timer(void *m, sg_time_ns now)
{
    (void)m;
    (void)now;
}

static bool stock_poll(void *m, sg_bcast_action *out)
{
    return legacy_poll(&((stock *)m)->q, out);
}

static sg_bcast_health stock_health(const void *m, sg_time_ns now)
{
    (void)m;
    (void)now;
    sg_bcast_health h = {.healthy = true, .reason = SG_HEALTH_OK_DISABLED}; /* 200, unconditionally */
    return h;
}

static sg_reader_state stock_reader_state(const stock *s)
{
    switch (s->reader) {
    case STOCK_CONNECTING: return SG_READER_CONNECTING;
    case STOCK_SUBSCRIBING: return SG_READER_SUBSCRIBING;
    case STOCK_RUNNING: return SG_READER_READING;
    case STOCK_DONE: return SG_READER_GIVEN_UP; /* a dead reader */
    case STOCK_NO_TASK:
    default: return SG_READER_IDLE;
    }
}

static void stock_stats(const void *m, sg_bcast_stats *out)
{
    const stock *s = m;
    memset(out, 0, sizeof *out);
    out->reader = stock_reader_state(s);
    out->recovery = SG_RECOVERY_NONE;
    out->listeners = s->listen_count;
    out->clients = s->clients.count;
    out->pins = s->pins;
    out->last_resync_ns = SG_TIME_NEVER;
    out->counters = s->counters;
}

#define STOCK_OPS(NAME, DESCRIPTION, CREATE)                                                                         \
    {                                                                                                                \
        .name = (NAME), .description = (DESCRIPTION), .create = (CREATE), .destroy = stock_destroy,                  \
        .client_register = stock_register, .client_unregister = stock_unregister, .pin = stock_pin,                  \
        .unpin = stock_unpin, .on_connected = stock_on_connected, .on_connect_failed = stock_on_connect_failed,      \
        .on_subscribed = stock_on_subscribed, .on_subscribe_failed = stock_on_subscribe_failed,                      \
        .on_dropped = stock_on_dropped, .on_message = stock_on_message, .publish = stock_publish,                    \
        .on_publish_result = stock_on_publish_result, .on_replay_result = stock_on_replay_result,                    \
        .next_deadline = stock_next_deadline, .on_timer = stock_on_timer, .poll_action = stock_poll,                 \
        .health_at = stock_health, .stats_get = stock_stats,                                                         \
    }

const sim_worker_ops sim_model_stock =
    STOCK_OPS("stock", "fastapi_websocket_pubsub before the fix: dead reader cancels clients, leaked count wedges",
              stock_create);

const sim_worker_ops sim_model_stock_rollback =
    STOCK_OPS("stock-rollback", "the stock library as the OPAL rollback runs it: a dead reader leaves clients stale",
              rollback_create);

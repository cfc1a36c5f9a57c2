/*
 * first_fix.c - legacy model: the OPAL reconnecting broadcaster as first
 * submitted (PR #915 before the deep review).  A negative control only.
 *
 * It gets the availability part right (the reader reconnects with backoff
 * and stays pending, disconnect is idempotent, a health check) but keeps
 * every finding of the review:
 *   1  `_had_prior_connection` is instance state: a reader restarted after
 *      the listen count reached zero schedules a spurious gap recovery;
 *   2  a gap during a recovery in flight is skipped;
 *   3  on give-up the dead reader task stays (no shutdown): every waiting
 *      and reconnecting client is dropped (1011) until the count hits 0,
 *      and the attempt counter resets on every connect, so a
 *      connect-then-drop backbone never gives up at all;
 *   4  a live publish goes out at once even while older buffered items
 *      wait for the replay: peers can apply them out of order;
 *   5  partial flush re-enqueue evicts the newest (first_fix_recovery.c);
 *   6  no resync cooldown, no byte bound on the buffer.
 * It has no connect timeout, no sequence numbers checks and no watchdog.
 */
#include <stdlib.h>
#include <string.h>

#include "first_fix.h"

uint32_t ff_listeners(const first_fix *f)
{
    return f->clients.count + f->pins + (f->recovery_pin ? 1u : 0u);
}

static void announce_health(first_fix *f);

static void start_reader(first_fix *f)
{
    f->counters.reader_runs++;
    sg_backoff_reset(&f->backoff); /* the attempt counter lives in the task */
    f->reader = SG_READER_CONNECTING;
    f->counters.connect_attempts++;
    legacy_emit_kind(&f->q, SG_ACT_CONNECT, &f->counters.actions_dropped);
}

void ff_listeners_changed(first_fix *f, uint32_t before)
{
    uint32_t after = ff_listeners(f);
    if (before == 0 && after > 0 && f->reader == SG_READER_IDLE) {
        start_reader(f);
    } else if (before > 0 && after == 0) {
        if (f->reader == SG_READER_CONNECTING || f->reader == SG_READER_SUBSCRIBING ||
            f->reader == SG_READER_READING) {
            legacy_emit_kind(&f->q, SG_ACT_DISCONNECT, &f->counters.actions_dropped);
        }
        f->reader = SG_READER_IDLE; /* the context manager cancels and resets the task */
    }
    announce_health(f);
}

static sg_status ff_create(const sg_bcast_config *config, sg_time_ns now, void **out, sg_error *err)
{
    *out = NULL;
    sg_status st = sg_bcast_config_check(config, err);
    if (st != SG_OK) {
        return st;
    }
    first_fix *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "first-fix: out of memory");
    }
    f->config = *config;
    f->now = now;
    f->next_seq = 1;
    f->next_serial = 1;
    f->announced_healthy = true;
    sg_rng_seed(&f->rng, config->seed, config->worker_id);
    sg_backoff_init(&f->backoff, &config->backoff);
    f->serials = calloc(config->clients_max, sizeof *f->serials);
    if (f->serials == NULL || legacy_actions_init(&f->q) != SG_OK ||
        legacy_clients_init(&f->clients, config->clients_max) != SG_OK || ff_buffer_init(f) != SG_OK) {
        ff_buffer_free(f);
        legacy_clients_free(&f->clients);
        legacy_actions_free(&f->q);
        free(f->serials);
        free(f);
        return sg_error_set(err, SG_E_NOMEM, "first-fix: out of memory");
    }
    *out = f;
    return SG_OK;
}

static void ff_destroy(void *m)
{
    first_fix *f = m;
    if (f == NULL) {
        return;
    }
    ff_buffer_free(f);
    legacy_clients_free(&f->clients);
    legacy_actions_free(&f->q);
    free(f->serials);
    free(f);
}

static void drop_client(first_fix *f, uint32_t i)
{
    legacy_client *c = &f->clients.slots[i];
    if (c->live && !c->cancelled) {
        c->cancelled = true;
        legacy_emit_close(&f->q, i, c, FF_CODE_DROPPED, &f->counters.actions_dropped);
    }
}

static sg_status ff_register(void *m, sg_time_ns now, uint64_t cookie, sg_client_handle *out)
{
    first_fix *f = m;
    f->now = now;
    uint32_t before = ff_listeners(f);
    if (legacy_clients_add(&f->clients, cookie, out) != SG_OK) {
        f->counters.registry_full++;
        return SG_E_FULL;
    }
    f->serials[out->index] = f->next_serial++;
    ff_listeners_changed(f, before);
    if (f->reader == SG_READER_GIVEN_UP) {
        drop_client(f, out->index); /* waits on the dead reader: dropped at once */
    }
    return SG_OK;
}

static sg_status ff_unregister(void *m, sg_time_ns now, sg_client_handle h)
{
    first_fix *f = m;
    f->now = now;
    if (legacy_clients_get(&f->clients, h) == NULL) {
        f->counters.double_disconnects++; /* SafeConnectionManager: a no-op */
        return SG_E_NOT_FOUND;
    }
    uint32_t before = ff_listeners(f);
    legacy_clients_remove(&f->clients, h);
    ff_listeners_changed(f, before);
    return SG_OK;
}

static void ff_pin(void *m, sg_time_ns now)
{
    first_fix *f = m;
    f->now = now;
    uint32_t before = ff_listeners(f);
    f->pins++;
    ff_listeners_changed(f, before);
}

static sg_status ff_unpin(void *m, sg_time_ns now)
{
    first_fix *f = m;
    f->now = now;
    if (f->pins == 0) {
        f->counters.unpin_underflows++;
        return SG_E_STATE;
    }
    uint32_t before = ff_listeners(f);
    f->pins--;
    ff_listeners_changed(f, before);
    return SG_OK;
}

static void give_up(first_fix *f)
{
    f->reader = SG_READER_GIVEN_UP; /* finding 3: no shutdown; the dead task stays */
    f->counters.give_ups++;
    legacy_emit_note(&f->q, SG_NOTE_GIVE_UP, f->backoff.attempt, &f->counters.actions_dropped);
    for (uint32_t i = 0; i < f->clients.high_water; i++) {
        drop_client(f, i);
    }
    announce_health(f);
}

static void attempt_failed(first_fix *f)
{
    sg_duration_ns delay = 0;
    if (!f->config.reconnect_enabled || sg_backoff_next(&f->backoff, &f->rng, &delay) != SG_OK) {
        give_up(f);
        return;
    }
    f->reader = SG_READER_BACKOFF;
    f->reader_at = sg_time_add(f->now, delay);
}

static void ff_on_connected(void *m, sg_time_ns now)
{
    first_fix *f = m;
    f->now = now;
    if (f->reader != SG_READER_CONNECTING) {
        f->counters.events_ignored++;
        return;
    }
    f->counters.connects_ok++;
    sg_backoff_reset(&f->backoff); /* reset on connect: connect-then-drop never gives up */
    f->reader = SG_READER_SUBSCRIBING;
    legacy_emit_kind(&f->q, SG_ACT_SUBSCRIBE, &f->counters.actions_dropped);
}

static void ff_on_connect_failed(void *m, sg_time_ns now)
{
    first_fix *f = m;
    f->now = now;
    if (f->reader != SG_READER_CONNECTING) {
        f->counters.events_ignored++;
        return;
    }
    f->counters.connect_failures++;
    attempt_failed(f);
}

static void ff_on_subscribed(void *m, sg_time_ns now)
{
    first_fix *f = m;
    f->now = now;
    if (f->reader != SG_READER_SUBSCRIBING) {
        f->counters.events_ignored++;
        return;
    }
    f->reader = SG_READER_READING;
    if (f->had_prior_connection) {
        ff_schedule_gap_recovery(f); /* finding 1: any earlier connection, any earlier task */
    }
    f->had_prior_connection = true;
    announce_health(f);
}

static void ff_on_subscribe_failed(void *m, sg_time_ns now)
{
    first_fix *f = m;
    f->now = now;
    if (f->reader != SG_READER_SUBSCRIBING) {
        f->counters.events_ignored++;
        return;
    }
    f->counters.connect_failures++;
    legacy_emit_kind(&f->q, SG_ACT_DISCONNECT, &f->counters.actions_dropped);
    attempt_failed(f);
}

static void ff_on_dropped(void *m, sg_time_ns now)
{
    first_fix *f = m;
    f->now = now;
    if (f->reader != SG_READER_CONNECTING && f->reader != SG_READER_SUBSCRIBING && f->reader != SG_READER_READING) {
        f->counters.events_ignored++;
        return;
    }
    f->counters.drops++;
    attempt_failed(f);
    announce_health(f);
}

static sg_msg_verdict ff_on_message(void *m, sg_time_ns now, const sg_bcast_header *h, uint32_t len)
{
    (void)len;
    first_fix *f = m;
    f->now = now;
    if (f->reader != SG_READER_READING) {
        f->counters.messages_while_not_reading++;
        return SG_MSG_SKIP_NOT_READING;
    }
    if (h == NULL || (h->kind != SG_MSG_DATA && h->kind != SG_MSG_HEARTBEAT)) {
        return SG_MSG_SKIP_INVALID;
    }
    if (h->kind == SG_MSG_HEARTBEAT) {
        return SG_MSG_SKIP_HEARTBEAT;
    }
    if (h->origin == f->config.worker_id) {
        f->counters.own_echoes++;
        return SG_MSG_SKIP_OWN;
    }
    f->counters.messages_delivered++;
    return SG_MSG_DELIVER;
}

static sg_publish_result ff_publish(void *m, sg_time_ns now, const uint8_t *payload, uint32_t len)
{
    first_fix *f = m;
    f->now = now;
    sg_publish_result r;
    memset(&r, 0, sizeof r);
    r.deliver_locally = true;
    if (f->reader == SG_READER_READING) { /* finding 4: ahead of any buffered item */
        r.verdict = SG_PUBLISH_SEND;
        r.header = legacy_header(&f->config, SG_MSG_DATA, f->next_seq++);
        return r;
    }
    uint64_t before = f->counters.buffered;
    ff_buffer_push(f, payload, len);
    r.verdict = f->counters.buffered > before ? SG_PUBLISH_BUFFERED : SG_PUBLISH_DROPPED;
    return r;
}

static void ff_on_publish_result(void *m, sg_time_ns now, const sg_bcast_header *h, const uint8_t *p, uint32_t len,
                                 bool ok)
{
    (void)h;
    first_fix *f = m;
    f->now = now;
    if (ok) {
        f->counters.publishes_sent++;
        return;
    }
    f->counters.publish_failures++;
    ff_buffer_push(f, p, len);
}

static void ff_on_replay_result(void *m, sg_time_ns now, bool ok)
{
    first_fix *f = m;
    f->now = now;
    ff_replay_result(f, ok);
}

static sg_time_ns ff_next_deadline(const void *m)
{
    const first_fix *f = m;
    sg_time_ns d = ff_recovery_deadline(f);
    if (f->reader == SG_READER_BACKOFF) {
        d = sg_time_min(d, f->reader_at);
    }
    return d;
}

static void ff_on_timer(void *m, sg_time_ns now)
{
    first_fix *f = m;
    f->now = now;
    if (f->reader == SG_READER_BACKOFF && now >= f->reader_at) {
        f->reader = SG_READER_CONNECTING;
        f->counters.connect_attempts++;
        legacy_emit_kind(&f->q, SG_ACT_CONNECT, &f->counters.actions_dropped);
    }
    ff_recovery_on_timer(f);
}

static bool ff_poll(void *m, sg_bcast_action *out)
{
    return legacy_poll(&((first_fix *)m)->q, out);
}

/* is_reader_healthy(): unhealthy only when listeners depend on a dead task. */
static sg_bcast_health ff_health(const void *m, sg_time_ns now)
{
    (void)now;
    const first_fix *f = m;
    sg_bcast_health h = {.healthy = true, .reason = SG_HEALTH_OK_IDLE};
    if (!f->config.healthcheck_enabled) {
        h.reason = SG_HEALTH_OK_DISABLED;
    } else if (ff_listeners(f) > 0 && f->reader == SG_READER_GIVEN_UP) {
        h.healthy = false;
        h.reason = SG_HEALTH_BAD_GIVEN_UP;
    } else if (f->reader == SG_READER_READING) {
        h.reason = SG_HEALTH_OK_READING;
    } else if (ff_listeners(f) > 0) {
        h.reason = SG_HEALTH_OK_RECONNECTING;
    }
    return h;
}

static void announce_health(first_fix *f)
{
    sg_bcast_health h = ff_health(f, f->now);
    if (h.healthy != f->announced_healthy) {
        f->announced_healthy = h.healthy;
        f->counters.health_transitions++;
        legacy_emit_health(&f->q, h.healthy, h.reason, &f->counters.actions_dropped);
    }
}

static void ff_stats(const void *m, sg_bcast_stats *out)
{
    const first_fix *f = m;
    memset(out, 0, sizeof *out);
    out->reader = f->reader;
    out->recovery = f->phase;
    out->listeners = ff_listeners(f);
    out->clients = f->clients.count;
    out->pins = f->pins + (f->recovery_pin ? 1u : 0u);
    out->replay_items = f->count + (f->staged - f->sent);
    out->replay_bytes = f->bytes;
    out->backoff_attempt = f->backoff.attempt;
    out->last_resync_ns = SG_TIME_NEVER;
    out->counters = f->counters;
}

const sim_worker_ops sim_model_first_fix = {
    .name = "first-fix",
    .description = "the OPAL reconnecting broadcaster before its review (findings 1-6 present)",
    .create = ff_create,
    .destroy = ff_destroy,
    .client_register = ff_register,
    .client_unregister = ff_unregister,
    .pin = ff_pin,
    .unpin = ff_unpin,
    .on_connected = ff_on_connected,
    .on_connect_failed = ff_on_connect_failed,
    .on_subscribed = ff_on_subscribed,
    .on_subscribe_failed = ff_on_subscribe_failed,
    .on_dropped = ff_on_dropped,
    .on_message = ff_on_message,
    .publish = ff_publish,
    .on_publish_result = ff_on_publish_result,
    .on_replay_result = ff_on_replay_result,
    .next_deadline = ff_next_deadline,
    .on_timer = ff_on_timer,
    .poll_action = ff_poll,
    .health_at = ff_health,
    .stats_get = ff_stats,
};

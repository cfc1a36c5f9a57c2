/*
 * bcast_reader.c - the backbone reader: one run per period with listeners.
 *
 *   IDLE --listeners 0->1--> CONNECTING --connected--> SUBSCRIBING
 *   SUBSCRIBING --subscribed--> READING
 *   CONNECTING/SUBSCRIBING --failed, dropped or timeout--> BACKOFF (or GIVEN_UP)
 *   READING --dropped or watchdog--> BACKOFF (or GIVEN_UP)
 *   BACKOFF --timer--> CONNECTING
 *   any live state --listeners reach 0--> IDLE (DISCONNECT if connected)
 *
 * While it reconnects the reader stays "pending": local clients are never
 * cancelled by a transient drop (the stock library's storm).  The backoff
 * counter resets only when a session actually read a message, so a
 * backbone that accepts and drops at once still runs it up to max_retries;
 * giving up announces health 503 and emits SHUTDOWN instead of leaving a
 * dead reader in place (review finding 3).
 *
 * Gap detection is local to one run (review finding 1): `run_delivered`
 * is cleared when a run starts, set when a session reads a message, and a
 * later subscribe of the same run is then a reconnect gap.  A fresh run
 * after the listener count reached 0 had nobody to miss anything for: its
 * first subscription rebases what is known of every origin, and clients
 * that registered before a subscription get a REFETCH (bcast_refetch.c).
 */
#include <assert.h>
#include <string.h>

#include "bcast_internal.h"

void sg_reader_init(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    memset(r, 0, sizeof *r);
    r->state = SG_READER_IDLE;
    sg_backoff_init(&r->backoff, &b->config.backoff);
    r->deadline = SG_TIME_NEVER;
    r->heartbeat_at = SG_TIME_NEVER;
    r->last_heard = b->now;
}

static sg_duration_ns attempt_timeout(const sg_bcast *b)
{
    const sg_reader *r = &b->reader;
    if (b->config.backoff.policy == SG_BACKOFF_GRPC) {
        sg_duration_ns t = sg_backoff_connect_timeout(&r->backoff, r->last_delay);
        if (t > 0) {
            return t;
        }
    }
    return b->config.connect_timeout_ns;
}

static void emit_attempt(sg_bcast *b, sg_bcast_action_kind kind)
{
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    a.u.connect.attempt = b->reader.backoff.attempt + 1u;
    a.u.connect.timeout_ns = attempt_timeout(b);
    sg_emit(b, &a);
}

static void begin_connect(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    assert(r->state == SG_READER_IDLE || r->state == SG_READER_BACKOFF);
    assert(sg_bcast_listeners(b) > 0);
    r->state = SG_READER_CONNECTING;
    r->deadline = sg_time_add(b->now, attempt_timeout(b));
    r->session_delivered = false;
    b->counters.connect_attempts++;
    emit_attempt(b, SG_ACT_CONNECT);
}

void sg_reader_start_run(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    if (r->state == SG_READER_GIVEN_UP) {
        return; /* terminal: the worker is shutting down */
    }
    assert(r->state == SG_READER_IDLE);
    b->counters.reader_runs++;
    sg_emit_note(b, SG_NOTE_READER_START, b->counters.reader_runs, 0);
    r->run_delivered = false;
    r->run_subscriptions = 0;
    r->blind = false;
    r->deaf = false;
    r->last_delay = 0;
    sg_backoff_reset(&r->backoff);
    sg_refetch_run_started(b);
    begin_connect(b);
}

/* `failed`: the session broke (drop, timeout, deaf), as opposed to the
 * reader stopping because nobody listens any more. */
static void leave_reading(sg_bcast *b, bool failed)
{
    sg_reader *r = &b->reader;
    if (r->state == SG_READER_READING) {
        r->heartbeat_at = SG_TIME_NEVER;
        r->state = SG_READER_BACKOFF; /* provisional; the caller decides */
        sg_recovery_reader_left(b);
        sg_refetch_reader_left(b);
        sg_publish_session_ended(b, failed);
    }
}

void sg_reader_stop_run(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    if (r->state == SG_READER_GIVEN_UP || r->state == SG_READER_IDLE) {
        return;
    }
    assert(b->recovery.phase == SG_RECOVERY_NONE && "a recovery pins the reader");
    bool connected = r->state != SG_READER_BACKOFF;
    leave_reading(b, false);
    if (connected) {
        sg_emit_simple(b, SG_ACT_DISCONNECT);
    }
    r->state = SG_READER_IDLE;
    r->deadline = SG_TIME_NEVER;
    r->heartbeat_at = SG_TIME_NEVER;
    r->deaf = false;
    sg_emit_note(b, SG_NOTE_READER_STOP, b->counters.reader_runs, 0);
}

static void give_up(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    assert(r->state != SG_READER_GIVEN_UP && r->state != SG_READER_IDLE);
    r->state = SG_READER_GIVEN_UP;
    r->deadline = SG_TIME_NEVER;
    r->heartbeat_at = SG_TIME_NEVER;
    b->counters.give_ups++;
    sg_recovery_abort(b);
    sg_health_refresh(b);
    sg_emit_note(b, SG_NOTE_GIVE_UP, r->backoff.attempt, 0);
    sg_emit_simple(b, SG_ACT_SHUTDOWN);
}

/* A session ended or an attempt failed: back off, or give up. */
static void attempt_failed(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    assert(r->state != SG_READER_IDLE && r->state != SG_READER_GIVEN_UP);
    leave_reading(b, true);
    sg_duration_ns delay = 0;
    if (!b->config.reconnect_enabled || sg_backoff_next(&r->backoff, &b->rng, &delay) != SG_OK) {
        give_up(b);
        return;
    }
    assert(delay >= 0);
    r->state = SG_READER_BACKOFF;
    r->last_delay = delay;
    r->deadline = sg_time_add(b->now, delay);
}

void sg_reader_on_connected(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    if (r->state != SG_READER_CONNECTING) {
        b->counters.events_ignored++;
        return;
    }
    b->counters.connects_ok++;
    r->state = SG_READER_SUBSCRIBING;
    r->deadline = sg_time_add(b->now, attempt_timeout(b));
    emit_attempt(b, SG_ACT_SUBSCRIBE);
}

void sg_reader_on_connect_failed(sg_bcast *b)
{
    if (b->reader.state != SG_READER_CONNECTING) {
        b->counters.events_ignored++;
        return;
    }
    b->counters.connect_failures++;
    attempt_failed(b);
}

static sg_duration_ns heartbeat_period(const sg_bcast *b)
{
    return b->config.heartbeat_ns > 0 ? b->config.heartbeat_ns : b->config.watchdog_ns / 3;
}

void sg_reader_on_subscribed(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    if (r->state != SG_READER_SUBSCRIBING) {
        b->counters.events_ignored++;
        return;
    }
    r->state = SG_READER_READING;
    r->deadline = SG_TIME_NEVER;
    r->deaf = false;
    r->last_heard = b->now;
    r->heartbeat_at = SG_TIME_NEVER;
    if (b->config.watchdog_ns > 0) {
        r->heartbeat_at = sg_time_add(b->now, heartbeat_period(b));
    }
    bool gap = r->run_delivered;
    if (r->run_subscriptions == 0) {
        sg_message_rebase(b); /* this run's clients fetched after what came before */
    } else if (!gap) {
        r->blind = true; /* a quiet reconnect: see bcast_message.c */
    }
    if (r->run_subscriptions < UINT32_MAX) {
        r->run_subscriptions++;
    }
    if (gap) {
        sg_recovery_gap(b, SG_NOTE_GAP_RECONNECT, 0, 0);
    }
    sg_refetch_reader_reading(b, gap && b->config.resync_on_reconnect);
    sg_recovery_reader_reading(b);
    assert(r->state == SG_READER_READING);
    assert(b->recovery.phase != SG_RECOVERY_WAIT_READING);
}

void sg_reader_on_subscribe_failed(sg_bcast *b)
{
    if (b->reader.state != SG_READER_SUBSCRIBING) {
        b->counters.events_ignored++;
        return;
    }
    b->counters.connect_failures++;
    sg_emit_simple(b, SG_ACT_DISCONNECT);
    attempt_failed(b);
}

void sg_reader_on_dropped(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    switch (r->state) {
    case SG_READER_CONNECTING:
        b->counters.connect_failures++;
        break;
    case SG_READER_SUBSCRIBING:
    case SG_READER_READING:
        b->counters.drops++;
        break;
    case SG_READER_IDLE:
    case SG_READER_BACKOFF:
    case SG_READER_GIVEN_UP:
    default:
        b->counters.events_ignored++;
        return;
    }
    attempt_failed(b);
}

void sg_reader_heard(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    assert(r->state == SG_READER_READING);
    r->last_heard = b->now;
    r->session_delivered = true;
    r->run_delivered = true;
    if (r->backoff.attempt > 0) {
        sg_backoff_reset(&r->backoff); /* the session proved healthy */
    }
}

/* READING with the watchdog on: deaf past the window, or time for a canary. */
static bool watchdog_on_timer(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    assert(r->state == SG_READER_READING && b->config.watchdog_ns > 0);
    assert(b->now >= r->last_heard);
    uint64_t silence = sg_elapsed_ns(b->now, r->last_heard);
    if (silence >= (uint64_t)b->config.watchdog_ns) {
        r->deaf = true;
        sg_emit_simple(b, SG_ACT_DISCONNECT);
        attempt_failed(b);
        sg_recovery_gap(b, SG_NOTE_GAP_WATCHDOG, silence, 0);
        return true;
    }
    if (b->now < r->heartbeat_at) {
        return false;
    }
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_HEARTBEAT;
    a.u.heartbeat.header = sg_own_header(b, SG_MSG_HEARTBEAT, ++r->heartbeat_seq);
    sg_emit(b, &a);
    b->counters.heartbeats_sent++;
    r->heartbeat_at = sg_time_add(b->now, heartbeat_period(b));
    return true;
}

bool sg_reader_on_timer(sg_bcast *b)
{
    sg_reader *r = &b->reader;
    switch (r->state) {
    case SG_READER_BACKOFF:
        if (b->now < r->deadline) {
            return false;
        }
        begin_connect(b);
        return true;
    case SG_READER_CONNECTING:
    case SG_READER_SUBSCRIBING:
        if (b->now < r->deadline) {
            return false;
        }
        b->counters.connect_timeouts++;
        b->counters.connect_failures++;
        sg_emit_simple(b, SG_ACT_DISCONNECT);
        attempt_failed(b);
        return true;
    case SG_READER_READING:
        return b->config.watchdog_ns > 0 && watchdog_on_timer(b);
    case SG_READER_IDLE:
    case SG_READER_GIVEN_UP:
    default:
        return false;
    }
}

sg_time_ns sg_reader_deadline(const sg_bcast *b)
{
    const sg_reader *r = &b->reader;
    switch (r->state) {
    case SG_READER_BACKOFF:
    case SG_READER_CONNECTING:
    case SG_READER_SUBSCRIBING:
        return r->deadline;
    case SG_READER_READING:
        if (b->config.watchdog_ns == 0) {
            return SG_TIME_NEVER;
        }
        return sg_time_min(sg_time_add(r->last_heard, b->config.watchdog_ns), r->heartbeat_at);
    case SG_READER_IDLE:
    case SG_READER_GIVEN_UP:
    default:
        return SG_TIME_NEVER;
    }
}

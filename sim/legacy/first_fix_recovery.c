/*
 * first_fix_recovery.c - the first fix's replay buffer and post-gap
 * recovery, with the review's findings left in:
 *   2  _schedule_gap_recovery drops a gap when a recovery is in flight;
 *   5  a partial flush re-enqueues the unsent tail with extendleft on a
 *      bounded deque, which evicts the NEWEST entries;
 *   6  no cooldown between resyncs; the buffer is bounded by count only.
 * Recovery: pin, settle (+ jitter), flush a snapshot of the buffer one
 * publish at a time, close every client registered before the resync
 * over the window, sleep a settle-long tail, unpin.
 */
#include <stdlib.h>
#include <string.h>

#include "first_fix.h"

sg_status ff_buffer_init(first_fix *f)
{
    f->cap = f->config.replay_items_max;
    if (f->cap == 0) {
        return SG_OK;
    }
    f->buf = calloc(f->cap, sizeof(ff_item *));     /* NOLINT(bugprone-sizeof-expression) */
    f->staging = calloc(f->cap, sizeof(ff_item *)); /* NOLINT(bugprone-sizeof-expression) */
    return f->buf == NULL || f->staging == NULL ? SG_E_NOMEM : SG_OK;
}

void ff_buffer_free(first_fix *f)
{
    for (uint32_t i = 0; i < f->count; i++) {
        free(f->buf[(f->head + i) % f->cap]);
    }
    for (uint32_t i = f->sent; i < f->staged; i++) {
        free(f->staging[i]);
    }
    free(f->buf);
    free(f->staging);
}

static void drop_item(first_fix *f, ff_item *it)
{
    f->bytes -= it->len;
    free(it);
    f->counters.replay_drops_overflow++;
}

/* deque.append: drops the oldest (left) when full. */
static void append_right(first_fix *f, ff_item *it)
{
    if (f->count == f->cap) {
        drop_item(f, f->buf[f->head]);
        f->head = (f->head + 1) % f->cap;
        f->count--;
    }
    f->buf[(f->head + f->count) % f->cap] = it;
    f->count++;
    f->bytes += it->len;
}

/* deque.appendleft: drops the NEWEST (right) when full (finding 5). */
static void append_left(first_fix *f, ff_item *it)
{
    if (f->count == f->cap) {
        drop_item(f, f->buf[(f->head + f->count - 1) % f->cap]);
        f->count--;
    }
    f->head = (f->head + f->cap - 1) % f->cap;
    f->buf[f->head] = it;
    f->count++;
    f->bytes += it->len;
}

void ff_buffer_push(first_fix *f, const uint8_t *payload, uint32_t len)
{
    if (f->cap == 0) {
        f->counters.publish_drops++;
        return;
    }
    ff_item *it = malloc(sizeof *it + len);
    if (it == NULL) {
        f->counters.replay_drops_nomem++;
        return;
    }
    it->len = len;
    if (len > 0) {
        memcpy(it->data, payload, len);
    }
    append_right(f, it);
    f->counters.buffered++;
}

static void set_pin(first_fix *f, bool on)
{
    uint32_t before = ff_listeners(f);
    f->recovery_pin = on;
    ff_listeners_changed(f, before);
}

void ff_schedule_gap_recovery(first_fix *f)
{
    f->counters.gaps++;
    f->counters.gaps_reconnect++;
    legacy_emit_note(&f->q, SG_NOTE_GAP_RECONNECT, 0, &f->counters.actions_dropped);
    if (f->phase != SG_RECOVERY_NONE) {
        return; /* finding 2: single flight by skipping */
    }
    f->counters.recoveries++;
    set_pin(f, true);
    sg_duration_ns jitter = 0;
    if (f->config.settle_jitter_ns > 0) {
        jitter = (sg_duration_ns)sg_rng_below(&f->rng, (uint64_t)f->config.settle_jitter_ns + 1u);
    }
    f->phase = SG_RECOVERY_SETTLING;
    f->phase_at = sg_time_add(f->now, f->config.settle_ns + jitter);
    legacy_emit_note(&f->q, SG_NOTE_RECOVERY_START, (uint64_t)(f->config.settle_ns + jitter), &f->counters.actions_dropped);
}

static void emit_replay(first_fix *f)
{
    const ff_item *it = f->staging[f->sent];
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_PUBLISH;
    a.u.publish.header = legacy_header(&f->config, SG_MSG_DATA, f->next_seq++);
    a.u.publish.payload = it->data;
    a.u.publish.len = it->len;
    legacy_emit(&f->q, &a, &f->counters.actions_dropped);
}

static void finish(first_fix *f)
{
    legacy_emit_note(&f->q, SG_NOTE_RECOVERY_DONE, 0, &f->counters.actions_dropped);
    f->phase = SG_RECOVERY_NONE;
    set_pin(f, false);
}

static void resync_step(first_fix *f);

static void begin_resync(first_fix *f)
{
    if (!f->config.resync_on_reconnect) {
        finish(f);
        return;
    }
    f->counters.resyncs++;
    f->phase = SG_RECOVERY_RESYNCING; /* no cooldown: finding 6 */
    f->resync_serial = f->next_serial;
    f->close_cursor = 0;
    f->close_span = f->clients.high_water;
    f->close_start = f->now;
    legacy_emit_note(&f->q, SG_NOTE_RESYNC_START, f->clients.count, &f->counters.actions_dropped);
    resync_step(f);
}

static void begin_flush(first_fix *f)
{
    f->phase = SG_RECOVERY_REPLAYING;
    f->staged = 0;
    f->sent = 0;
    while (f->count > 0) { /* snapshot under the lock, publish without it */
        f->staging[f->staged++] = f->buf[f->head];
        f->bytes -= f->buf[f->head]->len;
        f->head = (f->head + 1) % f->cap;
        f->count--;
    }
    if (f->staged == 0) {
        begin_resync(f);
        return;
    }
    emit_replay(f);
}

void ff_replay_result(first_fix *f, bool ok)
{
    if (f->phase != SG_RECOVERY_REPLAYING || f->sent >= f->staged) {
        f->counters.replay_results_stale++;
        return;
    }
    if (ok) {
        free(f->staging[f->sent++]);
        f->counters.replays++;
        if (f->sent < f->staged) {
            emit_replay(f);
            return;
        }
        begin_resync(f);
        return;
    }
    f->counters.replay_partial++;
    for (uint32_t i = f->staged; i > f->sent; i--) { /* extendleft(reversed(unsent)) */
        append_left(f, f->staging[i - 1]);
    }
    f->staged = f->sent = 0;
    begin_resync(f);
}

static sg_time_ns close_time(const first_fix *f, uint32_t slot)
{
    sg_duration_ns w = f->config.resync_window_ns;
    return f->close_start + (w / f->close_span) * slot + ((w % f->close_span) * slot) / f->close_span;
}

static void resync_step(first_fix *f)
{
    while (f->close_cursor < f->close_span) {
        uint32_t i = f->close_cursor;
        const legacy_client *c = &f->clients.slots[i];
        if (!c->live || f->serials[i] >= f->resync_serial) {
            f->close_cursor++;
            continue;
        }
        f->phase_at = close_time(f, i);
        if (f->phase_at > f->now) {
            return;
        }
        legacy_emit_close(&f->q, i, c, SG_CLOSE_CODE_RESYNC, &f->counters.actions_dropped);
        f->counters.clients_closed_for_resync++;
        f->close_cursor++;
    }
    /* _fire_reconnect's tail sleep, then the pin is released. */
    f->phase_at = sg_time_add(f->close_start, f->config.resync_window_ns + f->config.settle_ns);
    if (f->now >= f->phase_at) {
        finish(f);
    }
}

void ff_recovery_on_timer(first_fix *f)
{
    if (f->phase == SG_RECOVERY_SETTLING && f->now >= f->phase_at) {
        if (f->cap == 0) {
            begin_resync(f);
        } else {
            begin_flush(f);
        }
    }
    if (f->phase == SG_RECOVERY_RESYNCING && f->now >= f->phase_at) {
        resync_step(f);
    }
}

sg_time_ns ff_recovery_deadline(const first_fix *f)
{
    if (f->phase == SG_RECOVERY_SETTLING || f->phase == SG_RECOVERY_RESYNCING) {
        return f->phase_at;
    }
    return SG_TIME_NEVER;
}

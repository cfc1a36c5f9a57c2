/*
 * bcast_recovery.c - what a worker does after a gap: settle, replay its
 * buffer, then resync its own clients.
 *
 *   NONE -> WAIT_READING -> SETTLING -> REPLAYING -> [RESYNC_WAIT] -> RESYNCING -> NONE
 *
 * - Single flight: one round at a time.  A gap that arrives before the
 *   round's resync has started is merged into it (the resync that follows
 *   covers it); a gap during the resync sets `rerun`, and a finished round
 *   with `rerun` set starts another one at once: a gap is never dropped
 *   (review finding 2: the first fix skipped it).
 * - Settle (plus uniform per-worker jitter, so the fleet does not resync in
 *   lockstep) gives peers time to re-subscribe before the replay.  Leaving
 *   READING during SETTLING or REPLAYING goes back to WAIT_READING.
 * - A cooldown between resyncs defers (never skips) a resync on a flapping
 *   backbone (review finding 6).
 * - The round pins the reader from the gap to the end, so closing every
 *   client for the resync can never stop the reader under it.
 * - A replay-only round (resync_wanted false) flushes a non-empty buffer
 *   after a reconnect that was not a gap, or after a send failed while
 *   reading; a gap before its resync point upgrades it to a full round.
 *
 * The resync walks registry slots [0, span) once, closing (1012) only the
 * clients registered before it started, the k-th of the n registered then
 * at start + window * k / n (evenly, however sparse the slots); when
 * the action ring has no room it defers the rest to the next on_timer.
 * The round ends at the end of the window, not at the last close: the
 * pin then covers the last clients' reconnection too.
 */
#include <assert.h>
#include <string.h>

#include "bcast_internal.h"

void sg_recovery_init(sg_recovery *r)
{
    assert(r != NULL);
    memset(r, 0, sizeof *r);
    r->phase = SG_RECOVERY_NONE;
    r->deadline = SG_TIME_NEVER;
    r->last_resync = SG_TIME_NEVER;
    r->resync_next_at = SG_TIME_NEVER;
}

static void set_pin(sg_bcast *b, bool pinned)
{
    sg_recovery *r = &b->recovery;
    if (r->pinned == pinned) {
        return;
    }
    uint32_t before = sg_bcast_listeners(b);
    r->pinned = pinned;
    sg_bcast_listeners_changed(b, before);
}

static void arm_settle(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    sg_duration_ns jitter = 0;
    if (b->config.settle_jitter_ns > 0) {
        jitter = (sg_duration_ns)sg_rng_below(&b->rng, (uint64_t)b->config.settle_jitter_ns + 1u);
    }
    sg_duration_ns settle = b->config.settle_ns + jitter;
    r->phase = SG_RECOVERY_SETTLING;
    r->deadline = sg_time_add(b->now, settle);
    sg_emit_note(b, SG_NOTE_RECOVERY_START, (uint64_t)settle, 0);
}

static void wait_or_settle(sg_bcast *b)
{
    if (b->reader.state == SG_READER_READING) {
        arm_settle(b);
    } else {
        b->recovery.phase = SG_RECOVERY_WAIT_READING;
        b->recovery.deadline = SG_TIME_NEVER;
    }
}

static void start_round(sg_bcast *b, bool resync)
{
    sg_recovery *r = &b->recovery;
    assert(b->reader.state != SG_READER_IDLE && b->reader.state != SG_READER_GIVEN_UP);
    assert(!r->rerun || r->pinned);
    r->resync_wanted = resync;
    r->rerun = false;
    r->replayed = 0;
    r->replay_tries = 0;
    if (resync) {
        b->counters.recoveries++;
    } else {
        b->counters.flush_rounds++;
    }
    set_pin(b, true);
    wait_or_settle(b);
}

static void finish_round(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    assert(r->pinned && r->phase != SG_RECOVERY_NONE);
    sg_emit_note(b, SG_NOTE_RECOVERY_DONE, r->replayed, 0);
    r->deadline = SG_TIME_NEVER;
    r->resync_next_at = SG_TIME_NEVER;
    if (r->rerun) {
        start_round(b, true); /* keeps the pin: the reader cannot stop in between */
        return;
    }
    if (b->reader.state == SG_READER_READING && !sg_replay_empty(&b->replay)) {
        start_round(b, false);
        return;
    }
    r->phase = SG_RECOVERY_NONE;
    set_pin(b, false);
}

void sg_recovery_gap(sg_bcast *b, sg_bcast_note_kind cause, uint64_t value, uint32_t peer)
{
    sg_recovery *r = &b->recovery;
    b->counters.gaps++;
    if (cause == SG_NOTE_GAP_RECONNECT) {
        b->counters.gaps_reconnect++;
    } else if (cause == SG_NOTE_GAP_SEQUENCE) {
        b->counters.gaps_sequence++;
    } else if (cause == SG_NOTE_GAP_EPOCH) {
        b->counters.gaps_epoch++;
    } else {
        assert(cause == SG_NOTE_GAP_WATCHDOG);
        b->counters.gaps_watchdog++;
    }
    sg_emit_note(b, cause, value, peer);
    if (b->reader.state == SG_READER_GIVEN_UP || b->reader.state == SG_READER_IDLE) {
        return; /* nobody left to recover for */
    }
    switch (r->phase) {
    case SG_RECOVERY_NONE:
        start_round(b, true);
        return;
    case SG_RECOVERY_WAIT_READING:
    case SG_RECOVERY_SETTLING:
    case SG_RECOVERY_REPLAYING:
    case SG_RECOVERY_RESYNC_WAIT:
        if (!r->resync_wanted) {
            r->resync_wanted = true; /* upgrade a replay-only round */
            b->counters.recoveries++;
        } else {
            b->counters.gaps_merged++;
        }
        return;
    case SG_RECOVERY_RESYNCING:
    default:
        if (!r->rerun) {
            r->rerun = true;
            b->counters.recovery_reruns++;
            sg_emit_note(b, SG_NOTE_RECOVERY_RERUN, b->counters.recovery_reruns, 0);
        } else {
            b->counters.gaps_merged++;
        }
        return;
    }
}

void sg_recovery_kick(sg_bcast *b)
{
    if (b->recovery.phase == SG_RECOVERY_NONE && b->reader.state == SG_READER_READING &&
        !sg_replay_empty(&b->replay)) {
        start_round(b, false);
    }
}

void sg_recovery_reader_reading(sg_bcast *b)
{
    assert(b->reader.state == SG_READER_READING);
    if (b->recovery.phase == SG_RECOVERY_WAIT_READING) {
        arm_settle(b);
        return;
    }
    sg_recovery_kick(b);
}

void sg_recovery_reader_left(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    b->replay.draining = false;
    if (r->phase == SG_RECOVERY_SETTLING || r->phase == SG_RECOVERY_REPLAYING) {
        r->phase = SG_RECOVERY_WAIT_READING;
        r->deadline = SG_TIME_NEVER;
    }
}

void sg_recovery_abort(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    r->phase = SG_RECOVERY_NONE;
    r->rerun = false;
    r->deadline = SG_TIME_NEVER;
    r->resync_next_at = SG_TIME_NEVER;
    set_pin(b, false);
}

/* When the k-th of n closes is due: window * k / n, without overflow. */
static sg_duration_ns close_offset(sg_duration_ns window, uint32_t k, uint32_t n)
{
    assert(n > 0 && k < n);
    return (window / n) * (sg_duration_ns)k + ((window % n) * (sg_duration_ns)k) / n;
}

/* Emits the closes that are due; returns true if it emitted any. */
static bool close_due(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    assert(r->phase == SG_RECOVERY_RESYNCING && r->pinned);
    assert(r->resync_closed <= r->resync_targets);
    bool emitted = false;
    sg_client_handle h;
    uint64_t cookie = 0;
    while (r->resync_cursor < r->resync_span) {
        if (!sg_registry_registered_before(&b->registry, r->resync_cursor, r->resync_serial, &h, &cookie)) {
            r->resync_cursor++; /* free, or registered after the resync began */
            continue;
        }
        r->resync_next_at =
            sg_time_add(r->resync_start, close_offset(b->config.resync_window_ns, r->resync_closed, r->resync_targets));
        if (r->resync_next_at > b->now) {
            return emitted;
        }
        if (sg_actions_room_deferrable(&b->actions) == 0) {
            b->work_deferred = true;
            return emitted;
        }
        sg_bcast_action a;
        memset(&a, 0, sizeof a);
        a.kind = SG_ACT_CLOSE_CLIENT;
        a.u.close_client.handle = h;
        a.u.close_client.cookie = cookie;
        a.u.close_client.close_code = SG_CLOSE_CODE_RESYNC;
        sg_emit(b, &a);
        b->counters.clients_closed_for_resync++;
        r->resync_closed++;
        r->resync_cursor++;
        emitted = true;
    }
    /* The round (and its pin) lasts the whole window, so the last closed
     * clients can come back before the reader could stop. */
    sg_time_ns window_end = sg_time_add(r->resync_start, b->config.resync_window_ns);
    if (b->now < window_end) {
        r->resync_next_at = window_end;
        return emitted;
    }
    sg_emit_note(b, SG_NOTE_RESYNC_DONE, b->counters.clients_closed_for_resync, 0);
    finish_round(b);
    return true;
}

static void begin_resync(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    r->phase = SG_RECOVERY_RESYNCING;
    r->deadline = SG_TIME_NEVER;
    r->resync_start = b->now;
    r->resync_serial = b->registry.next_serial;
    r->resync_cursor = 0;
    r->resync_span = b->registry.high_water;
    r->resync_targets = b->registry.count;
    r->resync_closed = 0;
    r->resync_next_at = b->now;
    r->last_resync = b->now;
    b->reader.blind = false; /* every client is closed and fetches again */
    b->counters.resyncs++;
    sg_emit_note(b, SG_NOTE_RESYNC_START, b->registry.count, 0);
    (void)close_due(b);
}

static void after_replay(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    assert(r->phase == SG_RECOVERY_REPLAYING && r->pinned);
    if (!r->resync_wanted || !b->config.resync_on_reconnect) {
        finish_round(b);
        return;
    }
    sg_time_ns allowed = r->last_resync == SG_TIME_NEVER ? b->now : sg_time_add(r->last_resync, b->config.resync_cooldown_ns);
    if (allowed > b->now) {
        r->phase = SG_RECOVERY_RESYNC_WAIT;
        r->deadline = allowed;
        b->counters.resyncs_deferred++;
        sg_emit_note(b, SG_NOTE_RESYNC_DEFERRED, sg_elapsed_ns(allowed, b->now), 0);
        return;
    }
    begin_resync(b);
}

static void begin_replay(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    assert(b->reader.state == SG_READER_READING);
    r->phase = SG_RECOVERY_REPLAYING;
    r->deadline = SG_TIME_NEVER;
    sg_replay_begin_round(&b->replay);
}

bool sg_recovery_advance(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    if (r->phase != SG_RECOVERY_REPLAYING || b->replay.snapshot_left > 0) {
        return false;
    }
    sg_emit_note(b, SG_NOTE_REPLAY_DONE, r->replayed, 0);
    after_replay(b);
    return true;
}

void sg_recovery_replay_finished(sg_bcast *b, bool ok, uint32_t unsent)
{
    sg_recovery *r = &b->recovery;
    if (r->phase != SG_RECOVERY_REPLAYING) {
        if (!ok) {
            sg_recovery_kick(b); /* a background drain failed: retry later */
        }
        return;
    }
    if (ok) {
        r->replayed++;
        return;
    }
    b->counters.replay_partial++;
    r->replay_tries++;
    sg_emit_note(b, SG_NOTE_REPLAY_PARTIAL, unsent, 0);
    if (r->replay_tries >= SG_RECOVERY_REPLAY_TRIES) {
        after_replay(b); /* give the resync its turn; a later round retries */
        return;
    }
    wait_or_settle(b);
}

bool sg_recovery_on_timer(sg_bcast *b)
{
    sg_recovery *r = &b->recovery;
    switch (r->phase) {
    case SG_RECOVERY_SETTLING:
        if (b->now < r->deadline) {
            return false;
        }
        begin_replay(b);
        return true;
    case SG_RECOVERY_RESYNC_WAIT:
        if (b->now < r->deadline) {
            return false;
        }
        begin_resync(b);
        return true;
    case SG_RECOVERY_RESYNCING:
        if (b->now < r->resync_next_at) {
            return false; /* a deferred close is already due: retried here */
        }
        return close_due(b);
    case SG_RECOVERY_NONE:
    case SG_RECOVERY_WAIT_READING:
    case SG_RECOVERY_REPLAYING:
    default:
        return false;
    }
}

sg_time_ns sg_recovery_deadline(const sg_bcast *b)
{
    const sg_recovery *r = &b->recovery;
    switch (r->phase) {
    case SG_RECOVERY_SETTLING:
    case SG_RECOVERY_RESYNC_WAIT:
        return r->deadline;
    case SG_RECOVERY_RESYNCING:
        return r->resync_next_at;
    case SG_RECOVERY_NONE:
    case SG_RECOVERY_WAIT_READING:
    case SG_RECOVERY_REPLAYING:
    default:
        return SG_TIME_NEVER;
    }
}

/*
 * test_bcast_recovery.c - what happens after a gap: settle, replay first,
 * then staggered 1012 closes; single flight with a rerun that is never
 * dropped (finding 2); the cooldown defers, never skips (finding 6); the
 * reader is pinned through its own recovery; the action ring's bound.
 */
#include "bcast_fixture.h"

/* n clients, a session that delivered, a drop, a reconnect one second
 * later: a reconnect gap with the recovery settling (settle 2 s). */
static fx *gap_world(sg_bcast_config *c, uint64_t nclients)
{
    fx *f = fx_new(c);
    for (uint64_t i = 1; i <= nclients; i++) {
        (void)fx_client(f, i);
    }
    fx_connect(f);
    assert_int_equal(fx_msg(f, 2, 1, 1), SG_MSG_DELIVER);
    sg_bcast_on_dropped(f->b, f->now);
    fx_advance(f, S(1));
    fx_mark(f);
    fx_connect(f);
    assert_int_equal(fx_notes_since(f, SG_NOTE_GAP_RECONNECT), 1);
    assert_int_equal(fx_stats(f).recovery, SG_RECOVERY_SETTLING);
    return f;
}

/* Index of the first logged action of `kind` at or after `from`. */
static size_t first_of(fx *f, size_t from, sg_bcast_action_kind kind)
{
    fx_drain(f);
    for (size_t i = from; i < f->n; i++) {
        if (f->log[i].kind == kind) {
            return i;
        }
    }
    return SIZE_MAX;
}

static void gap_settles_replays_then_resyncs_staggered(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_window_ns = S(10);
    fx *f = fx_new(&c);
    for (uint64_t i = 1; i <= 10; i++) {
        (void)fx_client(f, i);
    }
    fx_connect(f);
    (void)fx_msg(f, 2, 1, 1);
    sg_bcast_on_dropped(f->b, f->now);
    for (uint8_t t = 1; t <= 3; t++) {
        assert_int_equal(fx_publish(f, t, 8).verdict, SG_PUBLISH_BUFFERED);
    }
    fx_advance(f, S(1));
    fx_mark(f);
    sg_time_ns t0 = f->now;
    fx_connect(f);
    fx_advance(f, S(2) - 1);
    assert_int_equal(fx_since(f, SG_ACT_PUBLISH), 0); /* settle not over */
    fx_advance(f, 1);
    uint8_t order[8] = {0};
    assert_int_equal(fx_answer_replays(f, true, 8, order), 3);
    assert_memory_equal(order, ((uint8_t[]){1, 2, 3}), 3);
    size_t first_close = first_of(f, f->mark, SG_ACT_CLOSE_CLIENT);
    size_t last_publish = 0;
    for (size_t i = f->mark; i < f->n; i++) {
        last_publish = f->log[i].kind == SG_ACT_PUBLISH ? i : last_publish;
    }
    assert_true(last_publish < first_close); /* replay first, then resync */
    assert_int_equal(f->log[first_close].u.close_client.close_code, SG_CLOSE_CODE_RESYNC);
    /* One close per second over the 10 s window, starting at settle end. */
    for (int k = 1; k < 10; k++) {
        fx_run_until(f, t0 + S(2) + S(k) - 1);
        assert_int_equal(fx_since(f, SG_ACT_CLOSE_CLIENT), (size_t)k);
        fx_run_until(f, t0 + S(2) + S(k));
        assert_int_equal(fx_since(f, SG_ACT_CLOSE_CLIENT), (size_t)k + 1);
    }
    assert_int_equal(fx_stats(f).recovery, SG_RECOVERY_RESYNCING); /* the window's tail */
    fx_run_until(f, t0 + S(2) + S(10));
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.recovery, SG_RECOVERY_NONE);
    assert_int_equal(s.counters.resyncs, 1);
    assert_int_equal(s.counters.clients_closed_for_resync, 10);
    assert_int_equal(s.counters.replays, 3);
    assert_int_equal(fx_notes_since(f, SG_NOTE_RECOVERY_DONE), 1);
    fx_free(f);
}

static void closes_are_even_over_sparse_slots(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_window_ns = S(10);
    fx *f = fx_new(&c);
    sg_client_handle hs[100];
    for (uint64_t i = 0; i < 100; i++) {
        hs[i] = fx_client(f, i);
    }
    for (int i = 0; i < 95; i++) { /* a burst left: 5 clients in 100 slots */
        assert_int_equal(sg_bcast_client_unregister(f->b, f->now, hs[i]), SG_OK);
    }
    fx_connect(f);
    (void)fx_msg(f, 2, 1, 1);
    sg_bcast_on_dropped(f->b, f->now);
    fx_advance(f, S(1));
    fx_connect(f);
    fx_mark(f);
    sg_time_ns start = f->now + S(2);
    for (int k = 0; k < 5; k++) { /* one close every 2 s, not all at once */
        fx_run_until(f, start + S(2) * k);
        assert_int_equal(fx_since(f, SG_ACT_CLOSE_CLIENT), (size_t)k + 1);
    }
    fx_free(f);
}

static void reader_survives_its_own_recovery(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_window_ns = S(4);
    fx *f = gap_world(&c, 4);
    size_t cursor = f->n;
    for (int step = 0; step < 8; step++) {
        fx_advance(f, S(1));
        (void)fx_close_clients(f, cursor);
        cursor = f->n;
        /* Every client may be gone: the recovery's pin keeps the reader. */
        if (fx_stats(f).recovery != SG_RECOVERY_NONE) {
            assert_int_equal(fx_stats(f).reader, SG_READER_READING);
            assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 0);
        }
    }
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.clients_closed_for_resync, 4);
    assert_int_equal(s.clients, 0);
    /* The round is over and nobody came back: now the reader stops. */
    assert_int_equal(s.recovery, SG_RECOVERY_NONE);
    assert_int_equal(s.reader, SG_READER_IDLE);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 1);
    assert_int_equal(s.listeners, 0);
    fx_free(f);
}

static void clients_leaving_during_settle_do_not_stop_the_reader(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_client_handle hs[3];
    for (uint64_t i = 0; i < 3; i++) {
        hs[i] = fx_client(f, i);
    }
    fx_connect(f);
    (void)fx_msg(f, 2, 1, 1);
    sg_bcast_on_dropped(f->b, f->now);
    (void)fx_publish(f, 7, 4);
    fx_advance(f, S(1));
    fx_connect(f);
    fx_mark(f);
    for (int i = 0; i < 3; i++) { /* everybody leaves on their own */
        assert_int_equal(sg_bcast_client_unregister(f->b, f->now, hs[i]), SG_OK);
    }
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.listeners, 1); /* the recovery's pin */
    assert_int_equal(s.pins, 1);
    assert_int_equal(s.reader, SG_READER_READING);
    fx_advance(f, S(2));
    assert_int_equal(fx_answer_replays(f, true, 4, NULL), 1); /* the replay still goes out */
    fx_advance(f, S(60));
    s = fx_stats(f);
    assert_int_equal(s.recovery, SG_RECOVERY_NONE);
    assert_int_equal(s.reader, SG_READER_IDLE); /* stopped only after the round */
    assert_int_equal(s.listeners, 0);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 1);
    fx_free(f);
}

static void resync_closes_only_clients_registered_before_it(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_window_ns = S(3);
    fx *f = gap_world(&c, 3);
    fx_advance(f, S(2)); /* settle over: resync started, first close out */
    assert_int_equal(fx_stats(f).recovery, SG_RECOVERY_RESYNCING);
    size_t from = f->mark;
    assert_int_equal(fx_close_clients(f, from), 1);
    size_t cursor = f->n;
    (void)fx_client(f, 100); /* reconnects answering the resync ... */
    (void)fx_client(f, 101); /* ... reuse freed slots */
    fx_advance(f, S(5));
    (void)fx_close_clients(f, cursor);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.clients_closed_for_resync, 3);
    for (size_t i = from; i < f->n; i++) {
        if (f->log[i].kind == SG_ACT_CLOSE_CLIENT) {
            assert_true(f->log[i].u.close_client.cookie <= 3);
        }
    }
    assert_int_equal(s.clients, 2);
    assert_int_equal(s.reader, SG_READER_READING);
    fx_free(f);
}

static void gap_during_resync_reruns_and_is_never_dropped(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_window_ns = S(10);
    c.resync_cooldown_ns = S(30);
    fx *f = gap_world(&c, 5);
    fx_advance(f, S(3)); /* resyncing */
    assert_int_equal(fx_stats(f).recovery, SG_RECOVERY_RESYNCING);
    (void)fx_msg(f, 2, 1, 2); /* a healthy session: backoff starts over */
    /* A second gap opens and closes late in the round (finding 2). */
    sg_bcast_on_dropped(f->b, f->now);
    fx_advance(f, S(1));
    fx_connect(f);
    sg_bcast_stats s = fx_stats(f);
    assert_true(s.recovery_rerun_pending);
    assert_int_equal(s.counters.recovery_reruns, 1);
    assert_int_equal(fx_notes_since(f, SG_NOTE_RECOVERY_RERUN), 1);
    fx_advance(f, S(10)); /* the first round ends; the rerun starts at once */
    s = fx_stats(f);
    assert_int_equal(s.counters.recoveries, 2);
    assert_false(s.recovery_rerun_pending);
    /* Its resync waits for the cooldown (deferred, not skipped). */
    assert_int_equal(s.recovery, SG_RECOVERY_RESYNC_WAIT);
    assert_int_equal(s.counters.resyncs_deferred, 1);
    fx_run_until(f, s.last_resync_ns + S(30) - 1);
    assert_int_equal(fx_stats(f).counters.resyncs, 1);
    fx_run_until(f, s.last_resync_ns + S(30));
    assert_int_equal(fx_stats(f).counters.resyncs, 2);
    fx_advance(f, S(20));
    assert_int_equal(fx_stats(f).recovery, SG_RECOVERY_NONE);
    fx_free(f);
}

static void gap_before_the_resync_merges_into_the_round(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = gap_world(&c, 2);
    assert_int_equal(fx_msg(f, 3, 1, 1), SG_MSG_DELIVER);
    assert_int_equal(fx_msg(f, 3, 1, 4), SG_MSG_DELIVER); /* a sequence gap while settling */
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.gaps, 2);
    assert_int_equal(s.counters.gaps_merged, 1);
    assert_int_equal(s.counters.recoveries, 1);
    assert_false(s.recovery_rerun_pending);
    fx_advance(f, S(60));
    s = fx_stats(f);
    assert_int_equal(s.counters.resyncs, 1);
    assert_int_equal(s.recovery, SG_RECOVERY_NONE);
    fx_free(f);
}

static void drop_while_settling_waits_for_the_reader(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = gap_world(&c, 2);
    fx_advance(f, S(1));
    sg_bcast_on_dropped(f->b, f->now);
    assert_int_equal(fx_stats(f).recovery, SG_RECOVERY_WAIT_READING);
    fx_advance(f, S(30)); /* backoff 1 s elapsed; CONNECT pending, unanswered ... */
    assert_int_equal(fx_stats(f).counters.resyncs, 0);
    while (fx_stats(f).reader != SG_READER_CONNECTING) {
        fx_advance(f, S(1));
    }
    sg_time_ns back = f->now;
    fx_connect(f);
    assert_int_equal(fx_stats(f).recovery, SG_RECOVERY_SETTLING);
    assert_int_equal(sg_bcast_next_deadline(f->b), back + S(2));
    fx_advance(f, S(2));
    assert_int_equal(fx_stats(f).counters.resyncs, 1);
    assert_int_equal(fx_stats(f).counters.recoveries, 1);
    fx_free(f);
}

static void cooldown_defers_the_next_resync(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_window_ns = 0;
    c.resync_cooldown_ns = S(30);
    fx *f = gap_world(&c, 1);
    fx_advance(f, S(2));
    sg_time_ns first = fx_stats(f).last_resync_ns;
    assert_int_equal(fx_stats(f).counters.resyncs, 1);
    assert_int_equal(fx_stats(f).recovery, SG_RECOVERY_NONE);
    (void)fx_msg(f, 2, 1, 2);
    /* A flapping backbone: gap after gap. */
    for (int flap = 0; flap < 5; flap++) {
        sg_bcast_on_dropped(f->b, f->now);
        fx_advance(f, S(1));
        fx_connect(f);
        (void)fx_msg(f, 2, 1, (uint64_t)flap + 3);
        fx_advance(f, S(3));
    }
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.resyncs, 1); /* bounded by the cooldown */
    assert_int_equal(s.recovery, SG_RECOVERY_RESYNC_WAIT);
    assert_int_equal(s.counters.resyncs_deferred, 1);
    fx_run_until(f, first + S(30));
    assert_int_equal(fx_stats(f).counters.resyncs, 2); /* deferred, not skipped */
    fx_free(f);
}

static void full_action_ring_defers_the_rest_of_the_closes(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_window_ns = 0; /* every close due at once */
    fx *f = gap_world(&c, 300);
    f->now += S(2);
    sg_bcast_on_timer(f->b, f->now);
    /* Do not drain: the core must stop short of the ring's end. */
    assert_int_equal(sg_bcast_next_deadline(f->b), f->now);
    fx_drain(f);
    size_t closes = fx_since(f, SG_ACT_CLOSE_CLIENT);
    assert_true(closes > 0 && closes <= SG_BCAST_ACTION_QUEUE_MAX - SG_BCAST_ACTION_RESERVE);
    for (int guard = 0; guard < 100 && fx_stats(f).recovery != SG_RECOVERY_NONE; guard++) {
        sg_bcast_on_timer(f->b, sg_bcast_next_deadline(f->b));
        fx_drain(f);
    }
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.clients_closed_for_resync, 300);
    assert_int_equal(s.counters.actions_dropped, 0);
    fx_free(f);
}

static void quiet_reconnect_with_a_buffer_flushes_without_resync(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    sg_bcast_on_dropped(f->b, f->now); /* the session heard nothing: no gap */
    assert_int_equal(fx_publish(f, 9, 4).verdict, SG_PUBLISH_BUFFERED);
    fx_advance(f, S(1));
    fx_mark(f);
    fx_connect(f);
    assert_int_equal(fx_notes_since(f, SG_NOTE_GAP_RECONNECT), 0);
    fx_advance(f, S(2));
    assert_int_equal(fx_answer_replays(f, true, 8, NULL), 1);
    fx_advance(f, S(30));
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.flush_rounds, 1);
    assert_int_equal(s.counters.recoveries, 0);
    assert_int_equal(s.counters.resyncs, 0);
    assert_int_equal(s.replay_items, 0);
    assert_int_equal(s.recovery, SG_RECOVERY_NONE);
    assert_int_equal(fx_publish(f, 10, 4).verdict, SG_PUBLISH_SEND);
    fx_free(f);
}

static void replay_failure_while_reading_retries_then_resyncs(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    (void)fx_msg(f, 2, 1, 1);
    sg_bcast_on_dropped(f->b, f->now);
    (void)fx_publish(f, 1, 4);
    (void)fx_publish(f, 2, 4);
    fx_advance(f, S(1));
    fx_connect(f);
    for (unsigned t = 0; t < 3; t++) {
        fx_advance(f, S(2));
        assert_int_equal(fx_answer_replays(f, false, 1, NULL), 1);
    }
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.replay_partial, 3);
    assert_int_equal(s.counters.resyncs, 1); /* the resync still had its turn */
    assert_int_equal(s.replay_items, 2);     /* nothing was lost */
    fx_advance(f, S(60));
    (void)fx_answer_replays(f, true, 8, NULL);
    fx_advance(f, S(60));
    assert_int_equal(fx_stats(f).replay_items, 0); /* a later round flushed it */
    assert_int_equal(fx_stats(f).counters.resyncs, 1);
    fx_free(f);
}

static void resync_disabled_still_replays(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_on_reconnect = false;
    fx *f = gap_world(&c, 3);
    fx_advance(f, S(60));
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.recoveries, 1);
    assert_int_equal(s.counters.resyncs, 0);
    assert_int_equal(s.counters.clients_closed_for_resync, 0);
    assert_int_equal(s.recovery, SG_RECOVERY_NONE);
    fx_free(f);
}

static void give_up_during_recovery_releases_everything(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backoff.max_retries = 1;
    fx *f = gap_world(&c, 2);
    sg_bcast_on_dropped(f->b, f->now);
    fx_advance(f, S(1));
    sg_bcast_on_connect_failed(f->b, f->now);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.reader, SG_READER_GIVEN_UP);
    assert_int_equal(s.recovery, SG_RECOVERY_NONE);
    assert_int_equal(s.listeners, 2); /* the recovery's pin is gone */
    assert_int_equal(sg_bcast_next_deadline(f->b), SG_TIME_NEVER);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gap_settles_replays_then_resyncs_staggered),
        cmocka_unit_test(closes_are_even_over_sparse_slots),
        cmocka_unit_test(reader_survives_its_own_recovery),
        cmocka_unit_test(clients_leaving_during_settle_do_not_stop_the_reader),
        cmocka_unit_test(resync_closes_only_clients_registered_before_it),
        cmocka_unit_test(gap_during_resync_reruns_and_is_never_dropped),
        cmocka_unit_test(gap_before_the_resync_merges_into_the_round),
        cmocka_unit_test(drop_while_settling_waits_for_the_reader),
        cmocka_unit_test(cooldown_defers_the_next_resync),
        cmocka_unit_test(full_action_ring_defers_the_rest_of_the_closes),
        cmocka_unit_test(quiet_reconnect_with_a_buffer_flushes_without_resync),
        cmocka_unit_test(replay_failure_while_reading_retries_then_resyncs),
        cmocka_unit_test(resync_disabled_still_replays),
        cmocka_unit_test(give_up_during_recovery_releases_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

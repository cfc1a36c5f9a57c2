/*
 * test_bcast_reader.c - the reader's lifecycle: runs start and stop with
 * the listener count, backoff between attempts, connect/subscribe
 * timeouts, the attempt counter that only a delivering session resets,
 * give-up (health 503 + NOTE + SHUTDOWN, finding 3), reconnect disabled.
 */
#include "bcast_fixture.h"

static void first_listener_connects_last_one_disconnects(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    assert_int_equal(fx_stats(f).reader, SG_READER_IDLE);
    assert_int_equal(sg_bcast_next_deadline(f->b), SG_TIME_NEVER);
    sg_client_handle a = fx_client(f, 1);
    assert_int_equal(fx_since(f, SG_ACT_CONNECT), 1);
    assert_int_equal(fx_last(f, SG_ACT_CONNECT)->u.connect.attempt, 1);
    sg_client_handle b2 = fx_client(f, 2);
    assert_int_equal(fx_since(f, SG_ACT_CONNECT), 1); /* one reader per worker */
    sg_bcast_on_connected(f->b, f->now);
    assert_int_equal(fx_since(f, SG_ACT_SUBSCRIBE), 1);
    sg_bcast_on_subscribed(f->b, f->now);
    assert_int_equal(fx_stats(f).reader, SG_READER_READING);
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, a), SG_OK);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 0);
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, b2), SG_OK);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 1);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.reader, SG_READER_IDLE);
    assert_int_equal(s.counters.reader_runs, 1);
    assert_int_equal(fx_notes_since(f, SG_NOTE_READER_START), 1);
    assert_int_equal(fx_notes_since(f, SG_NOTE_READER_STOP), 1);
    fx_free(f);
}

static void drop_backs_off_exponentially_and_stays_pending(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    fx_mark(f);
    sg_bcast_on_dropped(f->b, f->now);
    assert_int_equal(fx_stats(f).reader, SG_READER_BACKOFF);
    assert_int_equal(sg_bcast_next_deadline(f->b), f->now + S(1));
    assert_int_equal(fx_since(f, SG_ACT_CLOSE_CLIENT), 0); /* nobody is cancelled */
    const int64_t want[] = {S(1), S(2), S(4), S(8), S(8)};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        sg_time_ns start = f->now;
        fx_advance(f, want[i] - 1);
        assert_int_equal(fx_stats(f).reader, SG_READER_BACKOFF); /* never early */
        fx_advance(f, 1);
        assert_int_equal(fx_stats(f).reader, SG_READER_CONNECTING);
        assert_int_equal(f->now - start, want[i]);
        sg_bcast_on_connect_failed(f->b, f->now);
    }
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.connect_failures, 5);
    assert_int_equal(s.counters.drops, 1);
    assert_true(sg_bcast_health_at(f->b, f->now).healthy);
    assert_int_equal(sg_bcast_health_at(f->b, f->now).reason, SG_HEALTH_OK_RECONNECTING);
    fx_free(f);
}

static void unanswered_connect_and_subscribe_time_out(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.connect_timeout_ns = S(3);
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    assert_int_equal(fx_last(f, SG_ACT_CONNECT)->u.connect.timeout_ns, S(3));
    fx_advance(f, S(3) - 1);
    assert_int_equal(fx_stats(f).reader, SG_READER_CONNECTING);
    fx_mark(f);
    fx_advance(f, 1);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 1);
    assert_int_equal(fx_stats(f).reader, SG_READER_BACKOFF);
    fx_advance(f, S(1));
    sg_bcast_on_connected(f->b, f->now);
    fx_advance(f, S(3));
    assert_int_equal(fx_stats(f).reader, SG_READER_BACKOFF);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.connect_timeouts, 2);
    assert_int_equal(s.backoff_attempt, 2);
    fx_free(f);
}

static void connect_then_drop_loop_gives_up(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backoff.max_retries = 3;
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_mark(f);
    for (int i = 0; i < 3; i++) {
        fx_connect(f); /* accepted and subscribed ... */
        sg_bcast_on_dropped(f->b, f->now); /* ... and dropped before a message */
        fx_advance(f, S(10));
    }
    fx_connect(f);
    size_t before_drop = f->n;
    sg_bcast_on_dropped(f->b, f->now);
    fx_drain(f);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.reader, SG_READER_GIVEN_UP);
    assert_int_equal(s.counters.give_ups, 1);
    /* HEALTH (503), then the NOTE, then SHUTDOWN - in that order. */
    assert_int_equal(f->n - before_drop, 3);
    assert_int_equal(f->log[before_drop].kind, SG_ACT_HEALTH);
    assert_false(f->log[before_drop].u.health.healthy);
    assert_int_equal(f->log[before_drop].u.health.reason, SG_HEALTH_BAD_GIVEN_UP);
    assert_int_equal(f->log[before_drop + 1].u.note.note, SG_NOTE_GIVE_UP);
    assert_int_equal(f->log[before_drop + 2].kind, SG_ACT_SHUTDOWN);
    assert_int_equal(sg_bcast_next_deadline(f->b), SG_TIME_NEVER);
    /* Terminal: new clients do not restart a dead reader. */
    (void)fx_client(f, 2);
    assert_int_equal(fx_stats(f).reader, SG_READER_GIVEN_UP);
    fx_free(f);
}

static void a_delivering_session_resets_the_attempt_counter(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backoff.max_retries = 2;
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    for (int round = 0; round < 10; round++) {
        fx_connect(f);
        assert_int_equal(fx_msg(f, 2, 1, (uint64_t)round + 1), SG_MSG_DELIVER);
        assert_int_equal(fx_stats(f).backoff_attempt, 0);
        sg_bcast_on_dropped(f->b, f->now);
        assert_int_equal(fx_stats(f).backoff_attempt, 1);
        fx_advance(f, S(1));
    }
    assert_int_equal(fx_stats(f).counters.give_ups, 0);
    fx_free(f);
}

static void reconnect_disabled_gives_up_on_first_drop(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.reconnect_enabled = false;
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    fx_mark(f);
    sg_bcast_on_dropped(f->b, f->now);
    assert_int_equal(fx_stats(f).reader, SG_READER_GIVEN_UP);
    assert_int_equal(fx_since(f, SG_ACT_SHUTDOWN), 1);
    sg_bcast_config c2 = fx_config();
    c2.reconnect_enabled = false;
    fx *g = fx_new(&c2);
    (void)fx_client(g, 1);
    sg_bcast_on_connect_failed(g->b, g->now);
    assert_int_equal(fx_stats(g).reader, SG_READER_GIVEN_UP);
    fx_free(f);
    fx_free(g);
}

static void events_in_the_wrong_state_are_ignored(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_bcast_on_connected(f->b, 0);
    sg_bcast_on_subscribed(f->b, 0);
    sg_bcast_on_dropped(f->b, 0);
    sg_bcast_on_connect_failed(f->b, 0);
    sg_bcast_on_subscribe_failed(f->b, 0);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.reader, SG_READER_IDLE);
    assert_int_equal(s.counters.events_ignored, 5);
    assert_int_equal(fx_since(f, SG_ACT_CONNECT), 0);
    (void)fx_client(f, 1);
    sg_bcast_on_subscribed(f->b, 0); /* subscribed before connected */
    assert_int_equal(fx_stats(f).reader, SG_READER_CONNECTING);
    fx_free(f);
}

static void subscribe_failure_closes_the_connection(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    sg_bcast_on_connected(f->b, f->now);
    fx_mark(f);
    sg_bcast_on_subscribe_failed(f->b, f->now);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 1);
    assert_int_equal(fx_stats(f).reader, SG_READER_BACKOFF);
    fx_free(f);
}

static void listeners_gone_during_backoff_stop_the_run(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_client_handle h = fx_client(f, 1);
    sg_bcast_on_connect_failed(f->b, f->now);
    fx_mark(f);
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, h), SG_OK);
    assert_int_equal(fx_stats(f).reader, SG_READER_IDLE);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 0); /* nothing was open */
    assert_int_equal(sg_bcast_next_deadline(f->b), SG_TIME_NEVER);
    /* The next run starts with a fresh attempt counter. */
    (void)fx_client(f, 2);
    assert_int_equal(fx_last(f, SG_ACT_CONNECT)->u.connect.attempt, 1);
    fx_free(f);
}

static void grpc_policy_uses_its_connect_timeout(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backoff = sg_backoff_config_default(SG_BACKOFF_GRPC);
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    assert_int_equal(fx_last(f, SG_ACT_CONNECT)->u.connect.timeout_ns, S(20)); /* min_connect_timeout */
    fx_free(f);
}

static void a_time_jump_fires_due_timers_once(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    sg_bcast_on_connect_failed(f->b, f->now);
    fx_mark(f);
    f->now += S(3600);
    sg_bcast_on_timer(f->b, f->now); /* an hour late: one CONNECT, timed from now */
    assert_int_equal(fx_since(f, SG_ACT_CONNECT), 1);
    assert_int_equal(sg_bcast_next_deadline(f->b), f->now + c.connect_timeout_ns);
    sg_bcast_on_timer(f->b, f->now); /* nothing due: nothing happens */
    assert_int_equal(fx_since(f, SG_ACT_CONNECT), 1);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_listener_connects_last_one_disconnects),
        cmocka_unit_test(drop_backs_off_exponentially_and_stays_pending),
        cmocka_unit_test(unanswered_connect_and_subscribe_time_out),
        cmocka_unit_test(connect_then_drop_loop_gives_up),
        cmocka_unit_test(a_delivering_session_resets_the_attempt_counter),
        cmocka_unit_test(reconnect_disabled_gives_up_on_first_drop),
        cmocka_unit_test(events_in_the_wrong_state_are_ignored),
        cmocka_unit_test(subscribe_failure_closes_the_connection),
        cmocka_unit_test(listeners_gone_during_backoff_stop_the_run),
        cmocka_unit_test(grpc_policy_uses_its_connect_timeout),
        cmocka_unit_test(a_time_jump_fires_due_timers_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_bcast_health.c - the readiness matrix (no listeners, pending,
 * reading, given up, deaf, disabled), no flap through a transient
 * reconnect, HEALTH actions on every change, and the silence watchdog.
 */
#include "bcast_fixture.h"

static void expect(fx *f, bool healthy, sg_health_reason reason)
{
    sg_bcast_health h = sg_bcast_health_at(f->b, f->now);
    assert_int_equal(h.healthy, healthy);
    assert_int_equal(h.reason, reason);
}

static void matrix_idle_pending_reading_given_up(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backoff.max_retries = 2;
    fx *f = fx_new(&c);
    expect(f, true, SG_HEALTH_OK_IDLE);
    (void)fx_client(f, 1);
    expect(f, true, SG_HEALTH_OK_RECONNECTING); /* pending: connecting */
    fx_connect(f);
    expect(f, true, SG_HEALTH_OK_READING);
    sg_bcast_on_dropped(f->b, f->now);
    expect(f, true, SG_HEALTH_OK_RECONNECTING); /* pending: backoff */
    fx_advance(f, S(1));
    sg_bcast_on_connect_failed(f->b, f->now);
    fx_advance(f, S(2));
    sg_bcast_on_connect_failed(f->b, f->now);
    expect(f, false, SG_HEALTH_BAD_GIVEN_UP);
    const sg_bcast_action *a = fx_last(f, SG_ACT_HEALTH);
    assert_false(a->u.health.healthy);
    assert_int_equal(a->u.health.reason, SG_HEALTH_BAD_GIVEN_UP);
    assert_int_equal(fx_stats(f).counters.health_transitions, 1);
    fx_free(f);
}

static void transient_reconnect_never_flaps(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    for (int i = 0; i < 20; i++) {
        (void)fx_msg(f, 2, 1, (uint64_t)i + 1);
        sg_bcast_on_dropped(f->b, f->now);
        fx_advance(f, S(1));
        expect(f, true, SG_HEALTH_OK_RECONNECTING);
        fx_connect(f);
        fx_advance(f, S(20));
    }
    assert_int_equal(fx_stats(f).counters.health_transitions, 0);
    for (size_t i = 0; i < f->n; i++) {
        if (f->log[i].kind == SG_ACT_HEALTH) {
            assert_true(f->log[i].u.health.healthy);
        }
    }
    assert_true(fx_count_from(f, 0, SG_ACT_HEALTH) > 0); /* reason changes are announced */
    fx_free(f);
}

static void disabled_is_always_healthy(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.healthcheck_enabled = false;
    c.reconnect_enabled = false;
    fx *f = fx_new(&c);
    expect(f, true, SG_HEALTH_OK_DISABLED);
    (void)fx_client(f, 1);
    sg_bcast_on_connect_failed(f->b, f->now);
    assert_int_equal(fx_stats(f).reader, SG_READER_GIVEN_UP);
    expect(f, true, SG_HEALTH_OK_DISABLED);
    assert_int_equal(fx_count_from(f, 0, SG_ACT_HEALTH), 0);
    fx_free(f);
}

static sg_bcast_config watchdog_config(void)
{
    sg_bcast_config c = fx_config();
    c.watchdog_ns = S(9);
    return c; /* heartbeat 0: every 3 s */
}

static void heartbeats_keep_a_hearing_reader_alive(void **state)
{
    (void)state;
    sg_bcast_config c = watchdog_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    fx_mark(f);
    for (int i = 0; i < 10; i++) {
        fx_advance(f, S(3));
        const sg_bcast_action *a = fx_last(f, SG_ACT_HEARTBEAT);
        assert_non_null(a);
        sg_bcast_header echo = a->u.heartbeat.header;
        assert_int_equal(echo.kind, SG_MSG_HEARTBEAT);
        assert_int_equal(echo.origin, 1);
        assert_int_equal(echo.seq, (uint64_t)i + 1);
        assert_int_equal(sg_bcast_on_message(f->b, f->now, &echo, 0), SG_MSG_SKIP_HEARTBEAT);
    }
    assert_int_equal(fx_since(f, SG_ACT_HEARTBEAT), 10);
    assert_int_equal(fx_stats(f).counters.gaps_watchdog, 0);
    expect(f, true, SG_HEALTH_OK_READING);
    fx_free(f);
}

/* One silent session is a transient outage (a frozen backbone, a half-open
 * LISTEN after a failover): the watchdog drops it and reconnects, and the
 * probe keeps seeing 200, as for any reconnect. */
static void one_silent_session_reconnects_without_a_probe_flap(void **state)
{
    (void)state;
    sg_bcast_config c = watchdog_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    fx_mark(f);
    fx_advance(f, S(9) - 1);
    expect(f, true, SG_HEALTH_OK_READING);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 0);
    f->now += 1;
    expect(f, true, SG_HEALTH_OK_READING); /* silent, the timer has not run yet */
    fx_run_until(f, f->now);
    assert_int_equal(fx_since(f, SG_ACT_DISCONNECT), 1);
    assert_int_equal(fx_notes_since(f, SG_NOTE_GAP_WATCHDOG), 1);
    assert_int_equal(fx_stats(f).reader, SG_READER_BACKOFF);
    expect(f, true, SG_HEALTH_OK_RECONNECTING);
    fx_advance(f, S(1));
    fx_connect(f);
    expect(f, true, SG_HEALTH_OK_READING);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.gaps_watchdog, 1);
    assert_int_equal(s.counters.health_transitions, 0);
    assert_int_equal(s.recovery, SG_RECOVERY_SETTLING); /* recovered as for any gap */
    fx_free(f);
}

/* A backbone that keeps accepting subscriptions and never delivers is a
 * wedge: after SG_BCAST_DEAF_SESSIONS_UNHEALTHY silent sessions in a row
 * the worker is unhealthy, steadily (no flap while it keeps retrying),
 * until a message is heard again. */
static void a_backbone_that_never_delivers_is_a_wedge(void **state)
{
    (void)state;
    _Static_assert(SG_BCAST_DEAF_SESSIONS_UNHEALTHY == 3, "the timeline below has three trips");
    sg_bcast_config c = watchdog_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    fx_advance(f, S(9)); /* trip 1 */
    expect(f, true, SG_HEALTH_OK_RECONNECTING);
    fx_advance(f, S(1)); /* backoff 1 s */
    fx_connect(f);
    fx_advance(f, S(9)); /* trip 2 */
    expect(f, true, SG_HEALTH_OK_RECONNECTING);
    fx_advance(f, S(2));
    fx_connect(f);
    fx_advance(f, S(9) - 1);
    expect(f, true, SG_HEALTH_OK_READING);
    f->now += 1;
    expect(f, false, SG_HEALTH_BAD_DEAF); /* the third silence, before the timer runs */
    fx_run_until(f, f->now);
    expect(f, false, SG_HEALTH_BAD_DEAF);
    fx_advance(f, S(4));
    fx_connect(f);
    expect(f, false, SG_HEALTH_BAD_DEAF); /* subscribed again, still nothing heard */
    (void)fx_msg(f, 2, 1, 1);
    expect(f, true, SG_HEALTH_OK_READING);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.gaps_watchdog, 3);
    assert_int_equal(s.counters.health_transitions, 2);
    const sg_bcast_action *a = fx_last(f, SG_ACT_HEALTH);
    assert_true(a->u.health.healthy);
    fx_free(f);
}

static void any_message_refreshes_the_watchdog(void **state)
{
    (void)state;
    sg_bcast_config c = watchdog_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    for (int i = 0; i < 10; i++) {
        fx_advance(f, S(8));
        (void)fx_msg(f, 2, 1, (uint64_t)i + 1); /* peer data counts as hearing */
    }
    assert_int_equal(fx_stats(f).counters.gaps_watchdog, 0);
    fx_free(f);
}

/* Found by fuzz/bcast.c: an event the core refuses still tells it the
 * time.  A late driver whose first call after the watchdog window is a
 * refused unpin, a full registry or a stale unregister must still hear that
 * the worker went deaf: before the fix the judgement changed silently and
 * the last HEALTH action still said healthy. */
static void refused_events_still_announce_health(void **state)
{
    (void)state;
    for (int which = 0; which < 3; which++) {
        sg_bcast_config c = watchdog_config();
        c.clients_max = 1;
        fx *f = fx_new(&c);
        sg_client_handle h = fx_client(f, 1);
        /* two silent sessions (as in a_backbone_that_never_delivers_is_a_wedge),
         * so the third silence is the one that makes the worker unhealthy */
        fx_connect(f);
        fx_advance(f, S(9)); /* trip 1 */
        fx_advance(f, S(1));
        fx_connect(f);
        fx_advance(f, S(9)); /* trip 2 */
        fx_advance(f, S(2));
        fx_connect(f);
        fx_drain(f);
        expect(f, true, SG_HEALTH_OK_READING);
        size_t from = f->n;
        f->now += S(10); /* past the 9 s window; the driver's timer is late */
        if (which == 0) {
            assert_int_equal(sg_bcast_unpin(f->b, f->now), SG_E_STATE);
        } else if (which == 1) {
            sg_client_handle extra;
            assert_int_equal(sg_bcast_client_register(f->b, f->now, 2, &extra), SG_E_FULL);
        } else {
            sg_client_handle stale = h;
            stale.generation++;
            assert_int_equal(sg_bcast_client_unregister(f->b, f->now, stale), SG_E_NOT_FOUND);
        }
        fx_drain(f);
        assert_int_equal(fx_count_from(f, from, SG_ACT_HEALTH), 1);
        const sg_bcast_action *a = fx_last(f, SG_ACT_HEALTH);
        assert_false(a->u.health.healthy);
        assert_int_equal(a->u.health.reason, SG_HEALTH_BAD_DEAF);
        fx_free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refused_events_still_announce_health),
        cmocka_unit_test(matrix_idle_pending_reading_given_up),
        cmocka_unit_test(transient_reconnect_never_flaps),
        cmocka_unit_test(disabled_is_always_healthy),
        cmocka_unit_test(heartbeats_keep_a_hearing_reader_alive),
        cmocka_unit_test(one_silent_session_reconnects_without_a_probe_flap),
        cmocka_unit_test(a_backbone_that_never_delivers_is_a_wedge),
        cmocka_unit_test(any_message_refreshes_the_watchdog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

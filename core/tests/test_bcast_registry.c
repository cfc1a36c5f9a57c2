/*
 * test_bcast_registry.c - listener accounting and the client registry:
 * generations make a double or stale unregister a counted no-op (never
 * the list.remove storm, never somebody else's removal); a full registry
 * refuses without taking a count; pins keep the reader without clients
 * and cannot go below zero.
 */
#include "bcast_fixture.h"

static void double_and_stale_unregister_are_counted_no_ops(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_client_handle a = fx_client(f, 1);
    sg_client_handle keep = fx_client(f, 2);
    assert_int_equal(sg_bcast_client_unregister(f->b, 0, a), SG_OK);
    assert_int_equal(sg_bcast_client_unregister(f->b, 0, a), SG_E_NOT_FOUND);
    sg_client_handle reuse = fx_client(f, 3); /* same slot, next generation */
    assert_int_equal(reuse.index, a.index);
    assert_int_not_equal(reuse.generation, a.generation);
    assert_int_equal(sg_bcast_client_unregister(f->b, 0, a), SG_E_NOT_FOUND); /* stale */
    sg_client_handle bogus = {.index = 999, .generation = 0};
    assert_int_equal(sg_bcast_client_unregister(f->b, 0, bogus), SG_E_NOT_FOUND);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.double_disconnects, 3);
    assert_int_equal(s.clients, 2); /* reuse and keep are untouched */
    assert_int_equal(s.listeners, 2);
    assert_int_equal(sg_bcast_client_unregister(f->b, 0, reuse), SG_OK);
    assert_int_equal(sg_bcast_client_unregister(f->b, 0, keep), SG_OK);
    assert_int_equal(fx_stats(f).listeners, 0);
    fx_free(f);
}

static void full_registry_refuses_without_a_count(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.clients_max = 3;
    fx *f = fx_new(&c);
    for (uint64_t i = 0; i < 3; i++) {
        (void)fx_client(f, i);
    }
    sg_client_handle h;
    assert_int_equal(sg_bcast_client_register(f->b, 0, 9, &h), SG_E_FULL);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.clients, 3);
    assert_int_equal(s.listeners, 3);
    assert_int_equal(s.counters.registry_full, 1);
    fx_free(f);
}

static void pins_keep_the_reader_and_never_go_negative(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    assert_int_equal(sg_bcast_unpin(f->b, 0), SG_E_STATE);
    assert_int_equal(fx_stats(f).listeners, 0);
    assert_int_equal(fx_stats(f).counters.unpin_underflows, 1);
    sg_bcast_pin(f->b, 0);
    assert_int_equal(fx_stats(f).reader, SG_READER_CONNECTING);
    sg_client_handle h = fx_client(f, 1);
    fx_connect(f);
    assert_int_equal(sg_bcast_client_unregister(f->b, 0, h), SG_OK);
    assert_int_equal(fx_stats(f).reader, SG_READER_READING); /* the pin holds it */
    assert_int_equal(sg_bcast_unpin(f->b, 0), SG_OK);
    assert_int_equal(fx_stats(f).reader, SG_READER_IDLE);
    assert_int_equal(sg_bcast_unpin(f->b, 0), SG_E_STATE);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.pins, 0);
    assert_int_equal(s.counters.unpin_underflows, 2);
    fx_free(f);
}

static void a_failed_start_leaks_no_count(void **state)
{
    (void)state;
    /* The staging wedge: the backbone is down at the first subscribe.  The
     * count must still follow the clients exactly. */
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_client_handle h = fx_client(f, 1);
    sg_bcast_on_connect_failed(f->b, f->now);
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, h), SG_OK);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.listeners, 0);
    assert_int_equal(s.reader, SG_READER_IDLE);
    for (int i = 0; i < 50; i++) { /* clients come and go while it is down */
        sg_client_handle k = fx_client(f, (uint64_t)i);
        sg_bcast_on_connect_failed(f->b, f->now);
        fx_advance(f, S(1));
        assert_int_equal(sg_bcast_client_unregister(f->b, f->now, k), SG_OK);
    }
    assert_int_equal(fx_stats(f).listeners, 0);
    assert_true(sg_bcast_health_at(f->b, f->now).healthy);
    (void)fx_client(f, 99);
    assert_int_equal(fx_stats(f).reader, SG_READER_CONNECTING); /* never wedged */
    fx_free(f);
}

static void null_handle_out_is_refused(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    assert_int_equal(sg_bcast_client_register(f->b, 0, 1, NULL), SG_E_INVALID);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.clients, 0);
    assert_int_equal(s.reader, SG_READER_IDLE);
    fx_free(f);
}

static void times_near_the_end_of_the_clock_saturate(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.resync_window_ns = S(3600);
    fx *f = fx_new(&c);
    f->now = INT64_MAX - S(10);
    for (uint64_t i = 0; i < 5; i++) {
        (void)fx_client(f, i);
    }
    fx_connect(f);
    (void)fx_msg(f, 2, 1, 1);
    sg_bcast_on_dropped(f->b, f->now);
    fx_advance(f, S(1));
    fx_connect(f);
    fx_advance(f, S(5)); /* settle ends; resync closes saturate instead of wrapping */
    assert_true(sg_bcast_next_deadline(f->b) >= f->now);
    assert_int_equal(fx_stats(f).counters.resyncs, 1);
    fx_free(f);
}

static void forty_thousand_clients_cycle_cleanly(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.clients_max = 40000;
    fx *f = fx_new(&c);
    static sg_client_handle hs[40000];
    for (uint32_t i = 0; i < 40000; i++) {
        assert_int_equal(sg_bcast_client_register(f->b, 0, i, &hs[i]), SG_OK);
    }
    fx_drain(f);
    for (uint32_t i = 0; i < 40000; i += 2) {
        assert_int_equal(sg_bcast_client_unregister(f->b, 0, hs[i]), SG_OK);
    }
    for (uint32_t i = 0; i < 40000; i += 2) {
        assert_int_equal(sg_bcast_client_register(f->b, 0, i, &hs[i]), SG_OK);
        assert_true(hs[i].index < 40000);
    }
    assert_int_equal(fx_stats(f).clients, 40000);
    fx_drain(f);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(double_and_stale_unregister_are_counted_no_ops),
        cmocka_unit_test(full_registry_refuses_without_a_count),
        cmocka_unit_test(pins_keep_the_reader_and_never_go_negative),
        cmocka_unit_test(a_failed_start_leaks_no_count),
        cmocka_unit_test(null_handle_out_is_refused),
        cmocka_unit_test(times_near_the_end_of_the_clock_saturate),
        cmocka_unit_test(forty_thousand_clients_cycle_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_queue.c - the event queue: time order, the (time, insertion)
 * tie-break that makes runs deterministic, and its bound.
 */
#include "test_util.h"

#include "queue.h"
#include "stormglass/rng.h"

static void pops_in_time_order(void **state)
{
    (void)state;
    sim_queue q;
    assert_int_equal(sim_queue_init(&q, 16), SG_OK);
    const sg_time_ns times[] = {50, 10, 40, 30, 20};
    for (unsigned i = 0; i < 5; i++) {
        sim_event ev = {.at = times[i], .target = i};
        assert_int_equal(sim_queue_push(&q, &ev), SG_OK);
    }
    assert_int_equal(sim_queue_peek_time(&q), 10);
    const uint32_t want[] = {1, 4, 3, 2, 0};
    sim_event out;
    for (unsigned i = 0; i < 5; i++) {
        assert_true(sim_queue_pop(&q, &out));
        assert_int_equal(out.target, want[i]);
    }
    assert_false(sim_queue_pop(&q, &out));
    assert_int_equal(sim_queue_peek_time(&q), SG_TIME_NEVER);
    sim_queue_free(&q);
}

static void equal_times_pop_in_insertion_order(void **state)
{
    (void)state;
    sim_queue q;
    assert_int_equal(sim_queue_init(&q, 256), SG_OK);
    /* interleave two times so the heap has to reorder */
    for (uint32_t i = 0; i < 200; i++) {
        sim_event ev = {.at = (i % 2) ? 5 : 7, .target = i};
        assert_int_equal(sim_queue_push(&q, &ev), SG_OK);
    }
    sim_event out;
    uint32_t last_odd = 0, last_even = 0;
    bool first_even = true;
    for (uint32_t i = 0; i < 200; i++) {
        assert_true(sim_queue_pop(&q, &out));
        if (i < 100) {
            assert_int_equal(out.at, 5);
            assert_true(i == 0 || out.target > last_odd);
            last_odd = out.target;
        } else {
            assert_int_equal(out.at, 7);
            assert_true(first_even || out.target > last_even);
            first_even = false;
            last_even = out.target;
        }
    }
    sim_queue_free(&q);
}

static void full_queue_refuses(void **state)
{
    (void)state;
    sim_queue q;
    assert_int_equal(sim_queue_init(&q, 3), SG_OK);
    sim_event ev = {.at = 1};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sim_queue_push(&q, &ev), SG_OK);
    }
    assert_int_equal(sim_queue_push(&q, &ev), SG_E_FULL);
    sim_event out;
    assert_true(sim_queue_pop(&q, &out));
    assert_int_equal(sim_queue_push(&q, &ev), SG_OK);
    sim_queue_free(&q);
    assert_int_equal(sim_queue_init(&q, 0), SG_E_INVALID);
}

static void random_pushes_come_out_sorted(void **state)
{
    (void)state;
    sim_queue q;
    assert_int_equal(sim_queue_init(&q, 5000), SG_OK);
    sg_rng rng;
    sg_rng_seed(&rng, 42, 1);
    sim_event ev = {0}, out;
    for (uint32_t round = 0; round < 20; round++) {
        for (uint32_t i = 0; i < 200; i++) {
            ev.at = (sg_time_ns)sg_rng_below(&rng, 50);
            assert_int_equal(sim_queue_push(&q, &ev), SG_OK);
        }
        for (uint32_t i = 0; i < 100; i++) {
            assert_true(sim_queue_pop(&q, &out));
        }
    }
    sg_time_ns prev_at = -1;
    uint64_t prev_seq = 0;
    while (sim_queue_pop(&q, &out)) {
        assert_true(out.at > prev_at || (out.at == prev_at && out.seq > prev_seq));
        prev_at = out.at;
        prev_seq = out.seq;
    }
    sim_queue_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pops_in_time_order),
        cmocka_unit_test(equal_times_pop_in_insertion_order),
        cmocka_unit_test(full_queue_refuses),
        cmocka_unit_test(random_pushes_come_out_sorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

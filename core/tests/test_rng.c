/*
 * test_rng.c - the seeded generator: reproducible, stream-independent,
 * unbiased enough for jitter and simulation.
 */
#include "test_util.h"

#include "stormglass/rng.h"

static void same_seed_same_sequence(void **state)
{
    (void)state;
    sg_rng a, b;
    sg_rng_seed(&a, 42, 7);
    sg_rng_seed(&b, 42, 7);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(sg_rng_u64(&a), sg_rng_u64(&b));
    }
}

static void streams_are_independent(void **state)
{
    (void)state;
    sg_rng a, b;
    sg_rng_seed(&a, 42, 1);
    sg_rng_seed(&b, 42, 2);
    int equal = 0;
    for (int i = 0; i < 1000; i++) {
        equal += sg_rng_u32(&a) == sg_rng_u32(&b);
    }
    assert_true(equal < 5);
}

static void neighbouring_seeds_differ(void **state)
{
    (void)state;
    sg_rng a, b;
    sg_rng_seed(&a, 1, 0);
    sg_rng_seed(&b, 2, 0);
    assert_int_not_equal(sg_rng_u64(&a), sg_rng_u64(&b));
}

static void fork_leaves_parent_untouched(void **state)
{
    (void)state;
    sg_rng parent, copy, c1, c2;
    sg_rng_seed(&parent, 9, 0);
    copy = parent;
    sg_rng_fork(&parent, 1, &c1);
    sg_rng_fork(&parent, 2, &c2);
    assert_int_equal(sg_rng_u64(&parent), sg_rng_u64(&copy));
    assert_int_not_equal(sg_rng_u64(&c1), sg_rng_u64(&c2));
}

static void below_stays_in_bounds_and_covers(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 3, 3);
    int seen[10] = {0};
    for (int i = 0; i < 10000; i++) {
        uint64_t v = sg_rng_below(&r, 10);
        assert_true(v < 10);
        seen[v]++;
    }
    for (int i = 0; i < 10; i++) {
        /* expected 1000 each; a fair generator stays well inside 800..1200 */
        assert_true(seen[i] > 800 && seen[i] < 1200);
    }
    assert_int_equal(sg_rng_below(&r, 0), 0);
}

static void range_inclusive_and_unit_interval(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 5, 0);
    int hit_lo = 0, hit_hi = 0;
    for (int i = 0; i < 2000; i++) {
        int64_t v = sg_rng_range_i64(&r, -2, 2);
        assert_true(v >= -2 && v <= 2);
        hit_lo |= v == -2;
        hit_hi |= v == 2;
        double u = sg_rng_unit(&r);
        assert_true(u >= 0.0 && u < 1.0);
    }
    assert_true(hit_lo && hit_hi);
    assert_int_equal(sg_rng_range_i64(&r, 7, 7), 7);
    (void)sg_rng_range_i64(&r, INT64_MIN, INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_sequence),
        cmocka_unit_test(streams_are_independent),
        cmocka_unit_test(neighbouring_seeds_differ),
        cmocka_unit_test(fork_leaves_parent_untouched),
        cmocka_unit_test(below_stays_in_bounds_and_covers),
        cmocka_unit_test(range_inclusive_and_unit_interval),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}

/*
 * test_backoff.c - every backoff policy: schedules, jitter bounds,
 * saturation at absurd attempt counts, max-retries and reset semantics.
 */
#include "test_util.h"

#include <math.h>
#include <stdlib.h>

#include "stormglass/backoff.h"

#define DRAWS 20000

static sg_backoff make(sg_backoff_policy p, int64_t base, int64_t max, uint32_t retries)
{
    sg_backoff_config c = sg_backoff_config_default(p);
    c.base_ns = base;
    c.max_ns = max;
    c.max_retries = retries;
    assert_int_equal(sg_backoff_config_check(&c, NULL), SG_OK);
    sg_backoff b;
    sg_backoff_init(&b, &c);
    return b;
}

static int64_t next(sg_backoff *b, sg_rng *r)
{
    int64_t d = -1;
    assert_int_equal(sg_backoff_next(b, r, &d), SG_OK);
    return d;
}

static void defaults_match_the_documented_table(void **state)
{
    (void)state;
    sg_backoff_config c = sg_backoff_config_default(SG_BACKOFF_EQUAL_JITTER);
    assert_int_equal(c.base_ns, MS(500));
    assert_int_equal(c.max_ns, S(30));
    assert_int_equal(c.max_retries, 0);
    sg_backoff_config g = sg_backoff_config_default(SG_BACKOFF_GRPC);
    assert_int_equal(g.base_ns, S(1));
    assert_int_equal(g.max_ns, S(120));
    assert_true(fabs(g.multiplier - 1.6) < 1e-12);
    assert_true(fabs(g.jitter - 0.2) < 1e-12);
    assert_int_equal(g.min_connect_timeout_ns, S(20));
}

static void exponential_doubles_then_caps(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    sg_backoff b = make(SG_BACKOFF_EXPONENTIAL, MS(500), S(30), 0);
    const int64_t want[] = {MS(500), S(1), S(2), S(4), S(8), S(16), S(30), S(30)};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(next(&b, &r), want[i]);
    }
}

static void attempt_1000_with_1ms_base_is_the_cap(void **state)
{
    (void)state;
    sg_backoff_config c = sg_backoff_config_default(SG_BACKOFF_EXPONENTIAL);
    c.base_ns = MS(1);
    c.max_ns = S(30);
    assert_int_equal(sg_backoff_ceiling(&c, 1000), S(30));
    assert_int_equal(sg_backoff_ceiling(&c, UINT32_MAX), S(30));
    c.multiplier = SG_BACKOFF_MULTIPLIER_MAX;
    c.max_ns = SG_DURATION_MAX_NS;
    assert_int_equal(sg_backoff_ceiling(&c, UINT32_MAX), SG_DURATION_MAX_NS);
    /* Drive the object itself far past any exponent that fits. */
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    for (int p = SG_BACKOFF_CONSTANT; p < SG_BACKOFF_POLICY_COUNT; p++) {
        sg_backoff b = make((sg_backoff_policy)p, MS(1), S(30), 0);
        int64_t d = 0;
        for (int i = 0; i < 1000; i++) {
            d = next(&b, &r);
            assert_true(d >= 0);
            assert_true(d <= S(36)); /* grpc may exceed max by its 20% jitter */
        }
        if (p == SG_BACKOFF_EXPONENTIAL) {
            assert_int_equal(d, S(30));
        }
    }
}

static void attempt_counter_saturates_instead_of_wrapping(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    sg_backoff b = make(SG_BACKOFF_EXPONENTIAL, MS(1), S(30), 0);
    b.attempt = UINT32_MAX - 1;
    assert_int_equal(next(&b, &r), S(30));
    assert_int_equal(b.attempt, UINT32_MAX);
    assert_int_equal(next(&b, &r), S(30));
    assert_int_equal(b.attempt, UINT32_MAX);
}

static void full_jitter_within_zero_and_ceiling(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 11, 0);
    for (uint32_t attempt = 1; attempt <= 8; attempt++) {
        int64_t ceiling = 0, lo = INT64_MAX, hi = 0;
        for (int i = 0; i < DRAWS / 8; i++) {
            sg_backoff b = make(SG_BACKOFF_FULL_JITTER, MS(500), S(30), 0);
            b.attempt = attempt - 1;
            int64_t d = next(&b, &r);
            ceiling = sg_backoff_ceiling(&b.config, attempt);
            assert_true(d >= 0 && d <= ceiling);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        /* the draws actually spread over the range */
        assert_true(lo < ceiling / 10);
        assert_true(hi > ceiling - ceiling / 10);
    }
}

static void equal_jitter_within_half_and_ceiling(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 12, 0);
    for (int i = 0; i < DRAWS; i++) {
        sg_backoff b = make(SG_BACKOFF_EQUAL_JITTER, MS(500), S(30), 0);
        uint32_t attempt = (uint32_t)(i % 10) + 1;
        b.attempt = attempt - 1;
        int64_t d = next(&b, &r);
        int64_t ceiling = sg_backoff_ceiling(&b.config, attempt);
        assert_true(d >= ceiling / 2);
        assert_true(d <= ceiling);
    }
}

static void decorrelated_within_base_and_cap(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 13, 0);
    sg_backoff b = make(SG_BACKOFF_DECORRELATED, MS(5), S(2), 0);
    int64_t prev = MS(5);
    int reached_cap_region = 0;
    for (int i = 0; i < DRAWS; i++) {
        int64_t d = next(&b, &r);
        assert_true(d >= MS(5));
        assert_true(d <= S(2));
        assert_true(d <= prev * 3 || d == S(2));
        reached_cap_region |= d > S(1);
        prev = d;
    }
    assert_true(reached_cap_region);
}

static void grpc_schedule_without_jitter(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    sg_backoff_config c = sg_backoff_config_default(SG_BACKOFF_GRPC);
    c.jitter = 0.0;
    sg_backoff b;
    sg_backoff_init(&b, &c);
    const double want_s[] = {1.0, 1.6, 2.56, 4.096, 6.5536, 10.48576, 16.777216, 26.8435456,
                             42.94967296, 68.719476736, 109.9511627776, 120.0, 120.0};
    for (size_t i = 0; i < sizeof want_s / sizeof want_s[0]; i++) {
        int64_t d = next(&b, &r);
        assert_true(llabs(d - (int64_t)llround(want_s[i] * 1e9)) <= 1);
    }
}

static void grpc_jitter_is_plus_minus_20_percent(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 14, 0);
    sg_backoff_config c = sg_backoff_config_default(SG_BACKOFF_GRPC);
    sg_backoff b;
    sg_backoff_init(&b, &c);
    assert_int_equal(next(&b, &r), S(1)); /* the first wait is never jittered */
    double current = 1.0;
    for (int i = 0; i < 40; i++) {
        current = fmin(current * 1.6, 120.0);
        int64_t d = next(&b, &r);
        assert_true((double)d >= current * 0.8e9 - 1);
        assert_true((double)d <= current * 1.2e9 + 1);
    }
}

static void grpc_connect_timeout_is_at_least_min(void **state)
{
    (void)state;
    sg_backoff_config c = sg_backoff_config_default(SG_BACKOFF_GRPC);
    sg_backoff b;
    sg_backoff_init(&b, &c);
    assert_int_equal(sg_backoff_connect_timeout(&b, S(1)), S(20));
    assert_int_equal(sg_backoff_connect_timeout(&b, S(60)), S(60));
    sg_backoff e = make(SG_BACKOFF_EXPONENTIAL, S(1), S(30), 0);
    assert_int_equal(sg_backoff_connect_timeout(&e, S(1)), S(1));
}

static void max_retries_gives_up_after_n_failures(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    sg_backoff b = make(SG_BACKOFF_EXPONENTIAL, MS(500), S(30), 3);
    int64_t d;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sg_backoff_next(&b, &r, &d), SG_OK);
    }
    assert_int_equal(sg_backoff_next(&b, &r, &d), SG_E_GIVE_UP);
    assert_int_equal(d, 0);
    assert_int_equal(sg_backoff_next(&b, &r, &d), SG_E_GIVE_UP);
}

static void max_retries_zero_means_forever(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    sg_backoff b = make(SG_BACKOFF_FULL_JITTER, MS(500), S(30), 0);
    int64_t d;
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(sg_backoff_next(&b, &r, &d), SG_OK);
    }
}

/* A peer that accepts and drops at once: the caller never resets (nothing
 * was delivered), so the counter reaches max_retries.  Resetting only after
 * a healthy session starts the schedule over. */
static void connect_then_drop_counts_toward_give_up(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    sg_backoff b = make(SG_BACKOFF_EXPONENTIAL, MS(500), S(30), 5);
    int64_t d;
    for (int i = 0; i < 5; i++) {
        /* connect succeeded, dropped before any message: no reset */
        assert_int_equal(sg_backoff_next(&b, &r, &d), SG_OK);
    }
    assert_int_equal(sg_backoff_next(&b, &r, &d), SG_E_GIVE_UP);
}

static void reset_after_healthy_session_restarts_schedule(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    sg_backoff b = make(SG_BACKOFF_EXPONENTIAL, MS(500), S(30), 3);
    assert_int_equal(next(&b, &r), MS(500));
    assert_int_equal(next(&b, &r), S(1));
    sg_backoff_reset(&b);
    assert_int_equal(b.attempt, 0);
    assert_int_equal(next(&b, &r), MS(500));
}

static void none_and_constant(void **state)
{
    (void)state;
    sg_rng r;
    sg_rng_seed(&r, 1, 0);
    sg_backoff n = make(SG_BACKOFF_NONE, 0, 0, 0);
    assert_int_equal(next(&n, &r), 0);
    assert_int_equal(next(&n, &r), 0);
    sg_backoff c = make(SG_BACKOFF_CONSTANT, S(60), S(60), 0);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(next(&c, &r), S(60));
    }
}

static void same_seed_same_schedule(void **state)
{
    (void)state;
    for (int p = 0; p < SG_BACKOFF_POLICY_COUNT; p++) {
        sg_rng r1, r2;
        sg_rng_seed(&r1, 99, 4);
        sg_rng_seed(&r2, 99, 4);
        sg_backoff a = make((sg_backoff_policy)p, p == SG_BACKOFF_NONE ? 0 : MS(500), S(30), 0);
        sg_backoff b = a;
        for (int i = 0; i < 50; i++) {
            assert_int_equal(next(&a, &r1), next(&b, &r2));
        }
    }
}

static void config_check_names_the_field(void **state)
{
    (void)state;
    sg_error err;
    sg_backoff_config c = sg_backoff_config_default(SG_BACKOFF_FULL_JITTER);
    c.max_ns = MS(1);
    assert_int_equal(sg_backoff_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "backoff.max"));
    c = sg_backoff_config_default(SG_BACKOFF_FULL_JITTER);
    c.base_ns = 0;
    assert_int_equal(sg_backoff_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "backoff.base"));
    c = sg_backoff_config_default(SG_BACKOFF_FULL_JITTER);
    c.multiplier = NAN;
    assert_int_equal(sg_backoff_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "backoff.multiplier"));
    c.multiplier = 0.5;
    assert_int_equal(sg_backoff_config_check(&c, &err), SG_E_INVALID);
    c = sg_backoff_config_default(SG_BACKOFF_GRPC);
    c.jitter = 1.5;
    assert_int_equal(sg_backoff_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "backoff.jitter"));
    c = sg_backoff_config_default(SG_BACKOFF_GRPC);
    c.policy = (sg_backoff_policy)99;
    assert_int_equal(sg_backoff_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "backoff.policy"));
    c = sg_backoff_config_default(SG_BACKOFF_GRPC);
    c.max_ns = SG_DURATION_MAX_NS + 1;
    assert_int_equal(sg_backoff_config_check(&c, &err), SG_E_INVALID);
}

static void policy_names_round_trip(void **state)
{
    (void)state;
    for (int p = 0; p < SG_BACKOFF_POLICY_COUNT; p++) {
        sg_backoff_policy out;
        assert_int_equal(sg_backoff_policy_parse(sg_backoff_policy_name((sg_backoff_policy)p), &out), SG_OK);
        assert_int_equal(out, p);
    }
    sg_backoff_policy out;
    assert_int_equal(sg_backoff_policy_parse("fast", &out), SG_E_INVALID);
    assert_string_equal(sg_backoff_policy_name((sg_backoff_policy)77), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_the_documented_table),
        cmocka_unit_test(exponential_doubles_then_caps),
        cmocka_unit_test(attempt_1000_with_1ms_base_is_the_cap),
        cmocka_unit_test(attempt_counter_saturates_instead_of_wrapping),
        cmocka_unit_test(full_jitter_within_zero_and_ceiling),
        cmocka_unit_test(equal_jitter_within_half_and_ceiling),
        cmocka_unit_test(decorrelated_within_base_and_cap),
        cmocka_unit_test(grpc_schedule_without_jitter),
        cmocka_unit_test(grpc_jitter_is_plus_minus_20_percent),
        cmocka_unit_test(grpc_connect_timeout_is_at_least_min),
        cmocka_unit_test(max_retries_gives_up_after_n_failures),
        cmocka_unit_test(max_retries_zero_means_forever),
        cmocka_unit_test(connect_then_drop_counts_toward_give_up),
        cmocka_unit_test(reset_after_healthy_session_restarts_schedule),
        cmocka_unit_test(none_and_constant),
        cmocka_unit_test(same_seed_same_schedule),
        cmocka_unit_test(config_check_names_the_field),
        cmocka_unit_test(policy_names_round_trip),
    };
    return cmocka_run_group_tests_name("backoff", tests, NULL, NULL);
}

/*
 * test_sync_sched.c - peer sync scheduling under 429s.
 *
 * The first 17 tests are the infonet seed's own list (TestParseRetryAfter,
 * TestFailureBackoffSeconds, TestFinishSyncBackoff), rewritten against the
 * C core; the rest cover gating, overflow, jitter and the error record.
 */
#include "test_util.h"

#include "stormglass/retry_after.h"
#include "stormglass/sync_sched.h"

#define NOW_EPOCH 1795564800LL /* 2026-11-25 00:00:00 UTC */
#define HOUR 3600

static int64_t ra_seconds(const char *v)
{
    sg_retry_after ra;
    (void)sg_retry_after_parse(v, strlen(v), NOW_EPOCH, HOUR, &ra);
    return ra.seconds;
}

/* ---- TestParseRetryAfter (7) ---- */

static void parse_integer_seconds(void **state)
{
    (void)state;
    assert_int_equal(ra_seconds("120"), 120);
}

static void parse_http_date_is_seconds_from_now(void **state)
{
    (void)state;
    /* 2026-11-25 00:10:00 GMT is 600 s after NOW_EPOCH */
    assert_int_equal(ra_seconds("Wed, 25 Nov 2026 00:10:00 GMT"), 600);
}

static void parse_http_date_in_past_returns_zero(void **state)
{
    (void)state;
    assert_int_equal(ra_seconds("Tue, 24 Nov 2026 23:00:00 GMT"), 0);
}

static void parse_empty_or_whitespace_returns_zero(void **state)
{
    (void)state;
    assert_int_equal(ra_seconds(""), 0);
    assert_int_equal(ra_seconds("   "), 0);
}

static void parse_malformed_returns_zero(void **state)
{
    (void)state;
    assert_int_equal(ra_seconds("not-a-date"), 0);
    assert_int_equal(ra_seconds("Wed, 99 Nov 2026 00:10:00 GMT"), 0);
}

static void parse_clamps_to_one_hour(void **state)
{
    (void)state;
    assert_int_equal(ra_seconds("999999"), HOUR);
    assert_int_equal(ra_seconds("Wed, 25 Nov 2099 00:00:00 GMT"), HOUR);
}

static void parse_negative_returns_zero(void **state)
{
    (void)state;
    assert_int_equal(ra_seconds("-30"), 0);
}

/* ---- TestFailureBackoffSeconds (5) ---- */

static void backoff_exponential_growth_schedule(void **state)
{
    (void)state;
    const int64_t want[] = {60, 120, 240, 480, 960, 1800, 1800, 1800};
    for (uint32_t f = 1; f <= 8; f++) {
        assert_int_equal(sg_sync_failure_delay(S(60), f, 0, S(1800)), S(want[f - 1]));
    }
}

static void backoff_retry_after_wins_when_larger(void **state)
{
    (void)state;
    assert_int_equal(sg_sync_failure_delay(S(60), 1, S(600), S(1800)), S(600));
}

static void backoff_exponential_wins_when_larger(void **state)
{
    (void)state;
    assert_int_equal(sg_sync_failure_delay(S(60), 5, S(30), S(1800)), S(960));
}

static void backoff_cap_zero_disables_exponential(void **state)
{
    (void)state;
    assert_int_equal(sg_sync_failure_delay(S(60), 5, S(45), 0), S(45));
    assert_int_equal(sg_sync_failure_delay(S(60), 5, 0, 0), 0);
}

static void backoff_zero_inputs_return_zero(void **state)
{
    (void)state;
    assert_int_equal(sg_sync_failure_delay(0, 0, 0, S(1800)), 0);
    assert_int_equal(sg_sync_failure_delay(0, 0, 0, 0), 0);
}

/* ---- TestFinishSyncBackoff (5) ---- */

static sg_sync_state fresh(void)
{
    sg_sync_state s;
    sg_sync_init(&s);
    return s;
}

static void finish_first_failure_uses_base(void **state)
{
    (void)state;
    sg_sync_config c = sg_sync_config_default();
    sg_sync_state s = fresh();
    sg_sync_begin(&s, S(1000));
    sg_sync_finish(&s, &c, S(1000), false, NULL, NULL);
    assert_int_equal(s.consecutive_failures, 1);
    assert_int_equal(s.next_due_ns, S(1000) + S(60));
}

static void finish_consecutive_failures_grow_delay(void **state)
{
    (void)state;
    sg_sync_config c = sg_sync_config_default();
    sg_sync_state s = fresh();
    int64_t now = S(1000), prev_delay = 0;
    for (int i = 0; i < 6; i++) {
        sg_sync_begin(&s, now);
        int64_t d = sg_sync_finish(&s, &c, now, false, NULL, NULL);
        assert_true(d > prev_delay || d == S(1800));
        assert_int_equal(s.next_due_ns, now + d);
        prev_delay = d;
        now = s.next_due_ns;
    }
    assert_int_equal(s.consecutive_failures, 6);
    assert_int_equal(prev_delay, S(1800));
}

static void finish_retry_after_honored_at_low_failure_count(void **state)
{
    (void)state;
    sg_sync_config c = sg_sync_config_default();
    sg_sync_state s = fresh();
    sg_sync_error e;
    sg_sync_error_make(&e, 429, 900, "slow down", 9);
    sg_sync_begin(&s, S(10));
    sg_sync_finish(&s, &c, S(10), false, &e, NULL);
    assert_int_equal(s.next_due_ns, S(10) + S(900));
}

static void finish_success_resets_consecutive_failures(void **state)
{
    (void)state;
    sg_sync_config c = sg_sync_config_default();
    sg_sync_state s = fresh();
    for (int i = 0; i < 3; i++) {
        sg_sync_begin(&s, S(i));
        sg_sync_finish(&s, &c, S(i), false, NULL, NULL);
    }
    sg_sync_begin(&s, S(5000));
    sg_sync_finish(&s, &c, S(5000), true, NULL, NULL);
    assert_int_equal(s.consecutive_failures, 0);
    assert_int_equal(s.outcome, SG_SYNC_OK);
    assert_int_equal(s.last_ok_ns, S(5000));
    assert_int_equal(s.next_due_ns, S(5000) + S(300));
    /* the next failure starts the ladder over at base */
    sg_sync_begin(&s, S(6000));
    assert_int_equal(sg_sync_finish(&s, &c, S(6000), false, NULL, NULL), S(60));
}

static void finish_last_error_carries_status_and_retry_after(void **state)
{
    (void)state;
    sg_sync_config c = sg_sync_config_default();
    sg_sync_state s = fresh();
    sg_sync_error e;
    const char body[] = "rate limited: bucket full\n";
    sg_sync_error_make(&e, 429, 120, body, sizeof body - 1);
    sg_sync_begin(&s, 0);
    sg_sync_finish(&s, &c, 0, false, &e, NULL);
    assert_int_equal(s.last_error.http_status, 429);
    assert_int_equal(s.last_error.retry_after_s, 120);
    assert_string_equal(s.last_error.body_prefix, "rate limited: bucket full?");
    assert_int_equal(s.outcome, SG_SYNC_ERROR);
    sg_sync_begin(&s, S(1));
    sg_sync_finish(&s, &c, S(1), true, NULL, NULL);
    assert_int_equal(s.last_error.http_status, 0);
}

/* ---- beyond the seed ---- */

static void exponent_cannot_overflow(void **state)
{
    (void)state;
    assert_int_equal(sg_sync_failure_delay(S(60), UINT32_MAX, 0, S(1800)), S(1800));
    assert_int_equal(sg_sync_failure_delay(SG_DURATION_MAX_NS, UINT32_MAX, 0, SG_DURATION_MAX_NS),
                     SG_DURATION_MAX_NS);
    assert_int_equal(sg_sync_failure_delay(1, 64, 0, SG_DURATION_MAX_NS), (int64_t)1 << SG_SYNC_EXPONENT_MAX);
    sg_sync_config c = sg_sync_config_default();
    sg_sync_state s = fresh();
    s.consecutive_failures = UINT32_MAX;
    sg_sync_begin(&s, 0);
    assert_int_equal(sg_sync_finish(&s, &c, 0, false, NULL, NULL), S(1800));
    assert_int_equal(s.consecutive_failures, UINT32_MAX);
}

static void hostile_retry_after_cannot_overflow_next_due(void **state)
{
    (void)state;
    sg_sync_config c = sg_sync_config_default();
    sg_sync_state s = fresh();
    sg_sync_error e;
    sg_sync_error_make(&e, 429, INT64_MAX, NULL, 0);
    sg_sync_begin(&s, S(1));
    int64_t d = sg_sync_finish(&s, &c, S(1), false, &e, NULL);
    assert_int_equal(d, SG_DURATION_MAX_NS);
    assert_true(s.next_due_ns > S(1));
}

static void should_run_gates_on_running_and_due(void **state)
{
    (void)state;
    sg_sync_config c = sg_sync_config_default();
    sg_sync_state s = fresh();
    assert_true(sg_sync_should_run(&s, 0));
    sg_sync_begin(&s, 0);
    assert_false(sg_sync_should_run(&s, S(100000)));
    sg_sync_finish(&s, &c, S(5), true, NULL, NULL);
    assert_false(sg_sync_should_run(&s, S(5) + S(299)));
    assert_true(sg_sync_should_run(&s, S(5) + S(300)));
}

static void jitter_spreads_but_never_undercuts_retry_after(void **state)
{
    (void)state;
    sg_sync_config c = sg_sync_config_default();
    c.jitter = 0.5;
    sg_rng r;
    sg_rng_seed(&r, 77, 0);
    int64_t lo = INT64_MAX, hi = 0;
    for (int i = 0; i < 5000; i++) {
        sg_sync_state s = fresh();
        sg_sync_begin(&s, 0);
        int64_t d = sg_sync_finish(&s, &c, 0, false, NULL, &r);
        assert_true(d >= S(30) && d <= S(90));
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        sg_sync_error e;
        sg_sync_error_make(&e, 429, 60, NULL, 0);
        sg_sync_state t = fresh();
        sg_sync_begin(&t, 0);
        assert_true(sg_sync_finish(&t, &c, 0, false, &e, &r) >= S(60));
    }
    assert_true(lo < S(35) && hi > S(85));
}

static void config_check_names_the_field(void **state)
{
    (void)state;
    sg_error err;
    sg_sync_config c = sg_sync_config_default();
    assert_int_equal(sg_sync_config_check(&c, &err), SG_OK);
    c.jitter = 2;
    assert_int_equal(sg_sync_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "sync.jitter"));
    c = sg_sync_config_default();
    c.failure_cap_ns = -1;
    assert_int_equal(sg_sync_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "sync.failure_cap"));
}

static void error_body_is_bounded_and_printable(void **state)
{
    (void)state;
    char body[1000];
    memset(body, 'x', sizeof body);
    body[0] = '\x01';
    sg_sync_error e;
    sg_sync_error_make(&e, 503, -4, body, sizeof body);
    assert_int_equal(strlen(e.body_prefix), SG_SYNC_BODY_PREFIX_MAX - 1);
    assert_int_equal(e.body_prefix[0], '?');
    assert_int_equal(e.retry_after_s, 0);
    assert_string_equal(sg_sync_outcome_name(SG_SYNC_RUNNING), "running");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_integer_seconds),
        cmocka_unit_test(parse_http_date_is_seconds_from_now),
        cmocka_unit_test(parse_http_date_in_past_returns_zero),
        cmocka_unit_test(parse_empty_or_whitespace_returns_zero),
        cmocka_unit_test(parse_malformed_returns_zero),
        cmocka_unit_test(parse_clamps_to_one_hour),
        cmocka_unit_test(parse_negative_returns_zero),
        cmocka_unit_test(backoff_exponential_growth_schedule),
        cmocka_unit_test(backoff_retry_after_wins_when_larger),
        cmocka_unit_test(backoff_exponential_wins_when_larger),
        cmocka_unit_test(backoff_cap_zero_disables_exponential),
        cmocka_unit_test(backoff_zero_inputs_return_zero),
        cmocka_unit_test(finish_first_failure_uses_base),
        cmocka_unit_test(finish_consecutive_failures_grow_delay),
        cmocka_unit_test(finish_retry_after_honored_at_low_failure_count),
        cmocka_unit_test(finish_success_resets_consecutive_failures),
        cmocka_unit_test(finish_last_error_carries_status_and_retry_after),
        cmocka_unit_test(exponent_cannot_overflow),
        cmocka_unit_test(hostile_retry_after_cannot_overflow_next_due),
        cmocka_unit_test(should_run_gates_on_running_and_due),
        cmocka_unit_test(jitter_spreads_but_never_undercuts_retry_after),
        cmocka_unit_test(config_check_names_the_field),
        cmocka_unit_test(error_body_is_bounded_and_printable),
    };
    return cmocka_run_group_tests_name("sync_sched", tests, NULL, NULL);
}

/*
 * test_retry_after.c - Retry-After in every RFC 9110 form, the 50-year
 * rule, clamping, hostile values and the documented lenient choices.
 */
#include "test_util.h"

#include "stormglass/retry_after.h"

/* Sun, 06 Nov 1994 08:49:37 GMT (the RFC's example date). */
#define RFC_EPOCH 784111777LL
/* 2026-11-25 00:00:00 UTC */
#define NOW_2026 1795564800LL

static sg_retry_after parse_at(const char *v, int64_t now, int64_t ceiling)
{
    sg_retry_after ra;
    (void)sg_retry_after_parse(v, strlen(v), now, ceiling, &ra);
    return ra;
}

static sg_retry_after parse(const char *v, int64_t now)
{
    return parse_at(v, now, 1000000000);
}

static void delay_seconds_rfc_example(void **state)
{
    (void)state;
    sg_retry_after ra;
    assert_int_equal(sg_retry_after_parse("120", 3, 0, 3600, &ra), SG_OK);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_SECONDS);
    assert_int_equal(ra.seconds, 120);
    assert_false(ra.clamped);
}

static void zero_is_not_absent(void **state)
{
    (void)state;
    sg_retry_after zero = parse("0", 0);
    assert_int_equal(zero.kind, SG_RETRY_AFTER_SECONDS);
    assert_int_equal(zero.seconds, 0);
    sg_retry_after empty = parse("", 0);
    assert_int_equal(empty.kind, SG_RETRY_AFTER_ABSENT);
    sg_retry_after blank = parse(" \t ", 0);
    assert_int_equal(blank.kind, SG_RETRY_AFTER_ABSENT);
    sg_retry_after null_value;
    assert_int_equal(sg_retry_after_parse(NULL, 0, 0, 3600, &null_value), SG_OK);
    assert_int_equal(null_value.kind, SG_RETRY_AFTER_ABSENT);
}

static void all_three_date_forms_agree(void **state)
{
    (void)state;
    const char *forms[] = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                           "Sun Nov  6 08:49:37 1994"};
    for (int i = 0; i < 3; i++) {
        sg_retry_after ra = parse(forms[i], RFC_EPOCH - 100);
        assert_int_equal(ra.kind, SG_RETRY_AFTER_DATE);
        assert_int_equal(ra.date_epoch, RFC_EPOCH);
        assert_int_equal(ra.seconds, 100);
    }
}

static void rfc_retry_after_date_example(void **state)
{
    (void)state;
    sg_retry_after ra = parse("Fri, 31 Dec 1999 23:59:59 GMT", 946684799LL - 3599);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_DATE);
    assert_int_equal(ra.date_epoch, 946684799LL);
    assert_int_equal(ra.seconds, 3599);
}

static void date_in_the_past_is_zero(void **state)
{
    (void)state;
    sg_retry_after ra = parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW_2026);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_DATE);
    assert_int_equal(ra.seconds, 0);
    ra = parse("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EPOCH);
    assert_int_equal(ra.seconds, 0);
}

static void clamped_to_the_ceiling(void **state)
{
    (void)state;
    sg_retry_after ra = parse_at("86400", 0, SG_RETRY_AFTER_CEILING_DEFAULT_S);
    assert_int_equal(ra.seconds, 3600);
    assert_true(ra.clamped);
    ra = parse_at("Fri, 31 Dec 2100 23:59:59 GMT", NOW_2026, 3600);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_DATE);
    assert_int_equal(ra.seconds, 3600);
    assert_true(ra.clamped);
    ra = parse_at("3600", 0, 3600);
    assert_false(ra.clamped);
}

static void huge_numbers_saturate(void **state)
{
    (void)state;
    sg_retry_after ra = parse_at("99999999999999999999999999999999999999", 0, 3600);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_SECONDS);
    assert_int_equal(ra.seconds, 3600);
    assert_true(ra.clamped);
    ra = parse_at("9223372036854775807", 0, INT64_MAX);
    assert_int_equal(ra.seconds, INT64_MAX);
    ra = parse_at("9223372036854775808", 0, INT64_MAX);
    assert_int_equal(ra.seconds, INT64_MAX);
}

static void negative_and_signed_are_invalid(void **state)
{
    (void)state;
    sg_retry_after ra;
    assert_int_equal(sg_retry_after_parse("-5", 2, 0, 3600, &ra), SG_E_INVALID);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_INVALID);
    assert_non_null(strstr(ra.reason, "negative"));
    ra = parse("+5", 0);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_INVALID);
    ra = parse("1.5", 0);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_INVALID);
    assert_non_null(strstr(ra.reason, "whole"));
    ra = parse("12abc", 0);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_INVALID);
    ra = parse("0x10", 0);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_INVALID);
}

static void malformed_dates_are_invalid_with_a_reason(void **state)
{
    (void)state;
    const char *bad[] = {
        "soon",
        "Sun, 06 Nov 1994 08:49:37",          /* no zone */
        "Sun, 06 Nov 1994 08:49:37 PST",      /* named zone other than GMT */
        "Sun, 6 Nov 1994 08:49:37 GMT",       /* one-digit day */
        "Sun, 06 Foo 1994 08:49:37 GMT",      /* month */
        "Sun, 31 Feb 1994 08:49:37 GMT",      /* day of month */
        "Sun, 06 Nov 1994 24:00:00 GMT",      /* hour */
        "Sun, 06 Nov 1994 08:60:00 GMT",      /* minute */
        "Sun, 06 Nov 1994 08:49:61 GMT",      /* second */
        "Sun, 06 Nov 1994 08:49:37 GMT junk", /* trailing */
        "Sun,06 Nov 1994 08:49:37 GMT",       /* missing space */
        "Sunday, 06-Nov-1994 08:49:37 GMT",   /* rfc850 with 4-digit year */
        "Sun Nov 6 08:49:37 1994",            /* asctime needs a padded day */
        "Fun, 06 Nov 1994 08:49:37 GMT",      /* weekday name */
        "Sun, 29 Feb 2023 00:00:00 GMT",      /* not a leap year */
        "Sun, 06 Nov 1994 08:49:37 +2400",    /* numeric zone out of range */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sg_retry_after ra = parse(bad[i], RFC_EPOCH);
        if (ra.kind != SG_RETRY_AFTER_INVALID) {
            fail_msg("accepted '%s'", bad[i]);
        }
        assert_true(strlen(ra.reason) > 0);
        assert_int_equal(ra.seconds, 0);
    }
}

static void rfc850_fifty_year_rule(void **state)
{
    (void)state;
    /* now = 2026: "76" is exactly 50 years ahead -> 2076; "77" is more
     * than 50 years ahead -> 1977; "94" -> 1994 (the past). */
    sg_retry_after ra = parse("Wednesday, 01-Jan-76 00:00:00 GMT", NOW_2026);
    assert_int_equal(ra.date_epoch, sg_days_from_civil(2076, 1, 1) * 86400);
    ra = parse("Saturday, 01-Jan-77 00:00:00 GMT", NOW_2026);
    assert_int_equal(ra.date_epoch, sg_days_from_civil(1977, 1, 1) * 86400);
    assert_int_equal(ra.seconds, 0);
    ra = parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW_2026);
    assert_int_equal(ra.date_epoch, RFC_EPOCH);
    ra = parse("Thursday, 26-Nov-26 00:00:00 GMT", NOW_2026);
    assert_int_equal(ra.seconds, 86400);
}

static void lenient_forms_are_documented_choices(void **state)
{
    (void)state;
    /* numeric zone +0000 means GMT; other offsets are applied */
    sg_retry_after ra = parse("Sun, 06 Nov 1994 08:49:37 +0000", RFC_EPOCH - 10);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_DATE);
    assert_int_equal(ra.seconds, 10);
    ra = parse("Sun, 06 Nov 1994 09:49:37 +0100", RFC_EPOCH - 10);
    assert_int_equal(ra.date_epoch, RFC_EPOCH);
    ra = parse("Sun, 06 Nov 1994 03:49:37 -0500", RFC_EPOCH - 10);
    assert_int_equal(ra.date_epoch, RFC_EPOCH);
    ra = parse("Sun, 06 Nov 1994 08:49:37 UTC", RFC_EPOCH - 10);
    assert_int_equal(ra.date_epoch, RFC_EPOCH);
    /* a wrong weekday name does not override the date */
    ra = parse("Mon, 06 Nov 1994 08:49:37 GMT", RFC_EPOCH - 10);
    assert_int_equal(ra.date_epoch, RFC_EPOCH);
    /* case-insensitive names, surrounding whitespace */
    ra = parse("\t sun, 06 NOV 1994 08:49:37 gmt  ", RFC_EPOCH - 10);
    assert_int_equal(ra.date_epoch, RFC_EPOCH);
    ra = parse("  120\t", 0);
    assert_int_equal(ra.seconds, 120);
    /* leap second */
    ra = parse("Wed, 31 Dec 2008 23:59:60 GMT", 0);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_DATE);
    /* asctime with a two-digit day; leap day in a leap year */
    ra = parse("Wed Nov 16 08:49:37 1994", 0);
    assert_int_equal(ra.date_epoch, RFC_EPOCH + 10 * 86400);
    ra = parse("Thu, 29 Feb 2024 00:00:00 GMT", 0);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_DATE);
}

static void hostile_bytes(void **state)
{
    (void)state;
    sg_retry_after ra;
    assert_int_equal(sg_retry_after_parse("12\0" "34", 5, 0, 3600, &ra), SG_E_INVALID);
    assert_non_null(strstr(ra.reason, "NUL"));
    char big[SG_RETRY_AFTER_INPUT_MAX + 2];
    memset(big, '9', sizeof big);
    assert_int_equal(sg_retry_after_parse(big, sizeof big, 0, 3600, &ra), SG_E_INVALID);
    /* exactly at the limit is still parsed */
    assert_int_equal(sg_retry_after_parse(big, SG_RETRY_AFTER_INPUT_MAX, 0, 3600, &ra), SG_OK);
    assert_int_equal(ra.seconds, 3600);
    /* parsing respects len: no read of the rest of the buffer */
    assert_int_equal(sg_retry_after_parse("120garbage", 3, 0, 3600, &ra), SG_OK);
    assert_int_equal(ra.seconds, 120);
    /* a negative ceiling is treated as 0 */
    ra = parse_at("50", 0, -1);
    assert_int_equal(ra.seconds, 0);
}

static void calendar_helpers(void **state)
{
    (void)state;
    assert_int_equal(sg_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(sg_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(sg_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(sg_year_of_epoch(0), 1970);
    assert_int_equal(sg_year_of_epoch(946684799), 1999);
    assert_int_equal(sg_year_of_epoch(946684800), 2000);
    assert_int_equal(sg_year_of_epoch(-1), 1969);
    assert_int_equal(sg_year_of_epoch(NOW_2026), 2026);
    assert_int_equal(sg_year_of_epoch(-86400), 1969);
    assert_int_equal(sg_year_of_epoch(-86401), 1969);
}

/* Found by fuzz/retry_after.c (seed fuzz/corpus/retry_after/now-extreme-low): any clock
 * value, however absurd, parses without overflow; the RFC 850 year is
 * chosen against the nearest year a 4-digit date can express. */
static void extreme_clocks(void **state)
{
    (void)state;
    assert_true(sg_year_of_epoch(INT64_MIN) < -292000000000LL);
    assert_true(sg_year_of_epoch(INT64_MAX) > 292000000000LL);
    sg_retry_after ra = parse("Sunday, 06-Nov-94 08:49:37 GMT", INT64_MIN);
    assert_int_equal(ra.kind, SG_RETRY_AFTER_DATE);
    /* reference year 0: "94" is more than 50 years ahead -> year -6 */
    assert_int_equal(ra.date_epoch, sg_days_from_civil(-6, 11, 6) * 86400 + 8 * 3600 + 49 * 60 + 37);
    assert_int_equal(ra.seconds, 1000000000); /* far future: the ceiling */
    assert_true(ra.clamped);
    /* beyond INT64_MAX asks for more than even an INT64_MAX ceiling
     * (seed fuzz/corpus/retry_after/regress-saturated-is-clamped) */
    ra = parse_at("9223372036854775892", 0, INT64_MAX);
    assert_int_equal(ra.seconds, INT64_MAX);
    assert_true(ra.clamped);
    ra = parse_at("9223372036854775807", 0, INT64_MAX);
    assert_false(ra.clamped);
    ra = parse("Sunday, 06-Nov-94 08:49:37 GMT", INT64_MAX);
    assert_int_equal(ra.date_epoch, sg_days_from_civil(9994, 11, 6) * 86400 + 8 * 3600 + 49 * 60 + 37);
    assert_int_equal(ra.seconds, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delay_seconds_rfc_example),
        cmocka_unit_test(zero_is_not_absent),
        cmocka_unit_test(all_three_date_forms_agree),
        cmocka_unit_test(rfc_retry_after_date_example),
        cmocka_unit_test(date_in_the_past_is_zero),
        cmocka_unit_test(clamped_to_the_ceiling),
        cmocka_unit_test(huge_numbers_saturate),
        cmocka_unit_test(negative_and_signed_are_invalid),
        cmocka_unit_test(malformed_dates_are_invalid_with_a_reason),
        cmocka_unit_test(rfc850_fifty_year_rule),
        cmocka_unit_test(lenient_forms_are_documented_choices),
        cmocka_unit_test(hostile_bytes),
        cmocka_unit_test(calendar_helpers),
        cmocka_unit_test(extreme_clocks),
    };
    return cmocka_run_group_tests_name("retry_after", tests, NULL, NULL);
}

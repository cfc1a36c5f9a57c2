/*
 * test_parse.c - the value parsers shared by the CLI, scenarios and server.
 */
#include "test_util.h"

#include "stormglass/parse.h"

static int64_t dur(const char *t, sg_duration_unit u)
{
    int64_t d = -1;
    sg_error err;
    if (sg_parse_duration(t, strlen(t), u, &d, &err) != SG_OK) {
        return -1;
    }
    return d;
}

static void durations_with_units(void **state)
{
    (void)state;
    assert_int_equal(dur("500ms", SG_UNIT_REQUIRED), MS(500));
    assert_int_equal(dur("1.5s", SG_UNIT_REQUIRED), MS(1500));
    assert_int_equal(dur("0.1s", SG_UNIT_REQUIRED), MS(100));
    assert_int_equal(dur("2m", SG_UNIT_REQUIRED), S(120));
    assert_int_equal(dur("1h", SG_UNIT_REQUIRED), S(3600));
    assert_int_equal(dur("250us", SG_UNIT_REQUIRED), 250000);
    assert_int_equal(dur("7ns", SG_UNIT_REQUIRED), 7);
    assert_int_equal(dur("0", SG_UNIT_REQUIRED), 0);
    assert_int_equal(dur(".5s", SG_UNIT_REQUIRED), MS(500));
    assert_int_equal(dur("1.000000001s", SG_UNIT_REQUIRED), S(1) + 1);
    assert_int_equal(dur("30", SG_UNIT_SECONDS), S(30));
    assert_int_equal(dur("0.5", SG_UNIT_SECONDS), MS(500));
    assert_int_equal(dur("20", SG_UNIT_MILLISECONDS), MS(20));
    assert_int_equal(dur("2400h", SG_UNIT_REQUIRED), SG_DURATION_MAX_NS);
}

static void bad_durations_say_why(void **state)
{
    (void)state;
    sg_error err;
    int64_t d;
    assert_int_equal(sg_parse_duration("30", 2, SG_UNIT_REQUIRED, &d, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "unit"));
    assert_int_equal(sg_parse_duration("5 days", 6, SG_UNIT_REQUIRED, &d, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_duration("2401h", 5, SG_UNIT_REQUIRED, &d, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "too large"));
    assert_int_equal(sg_parse_duration("99999999999999999999999s", 24, SG_UNIT_REQUIRED, &d, &err),
                     SG_E_INVALID);
    assert_int_equal(sg_parse_duration("1.0000000001s", 13, SG_UNIT_REQUIRED, &d, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_duration("-1s", 3, SG_UNIT_REQUIRED, &d, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_duration("s", 1, SG_UNIT_REQUIRED, &d, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_duration("", 0, SG_UNIT_REQUIRED, &d, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_duration("1s\0", 3, SG_UNIT_REQUIRED, &d, &err), SG_E_INVALID);
}

static void counts_bytes_ratios_bools(void **state)
{
    (void)state;
    sg_error err;
    uint64_t u;
    assert_int_equal(sg_parse_u64("10000", 5, 0, 100000, &u, &err), SG_OK);
    assert_int_equal(u, 10000);
    assert_int_equal(sg_parse_u64("100001", 6, 0, 100000, &u, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "out of range"));
    /* Beyond 2^64-1 is out of range even for max UINT64_MAX: a strict
     * parser never turns 10^23 into the maximum (found by fuzz/parse.c;
     * seed fuzz/corpus/parse/u64-overflow). */
    u = 7;
    assert_int_equal(sg_parse_u64("99999999999999999999999", 23, 0, UINT64_MAX, &u, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "out of range"));
    assert_int_equal(u, 7);
    assert_int_equal(sg_parse_u64("18446744073709551616", 20, 0, UINT64_MAX, &u, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_u64("18446744073709551615", 20, 0, UINT64_MAX, &u, &err), SG_OK);
    assert_true(u == UINT64_MAX);
    assert_int_equal(sg_parse_bytes("18446744073709551616", 20, UINT64_MAX, &u, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_u64("1e3", 3, 0, 100000, &u, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_bytes("64KiB", 5, UINT64_MAX, &u, &err), SG_OK);
    assert_int_equal(u, 65536);
    assert_int_equal(sg_parse_bytes("16m", 3, UINT64_MAX, &u, &err), SG_OK);
    assert_int_equal(u, 16u << 20);
    assert_int_equal(sg_parse_bytes("4096", 4, UINT64_MAX, &u, &err), SG_OK);
    assert_int_equal(u, 4096);
    assert_int_equal(sg_parse_bytes("2G", 2, 1u << 30, &u, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_bytes("3 TB", 4, UINT64_MAX, &u, &err), SG_E_INVALID);
    double x;
    assert_int_equal(sg_parse_double("0.25", 4, 0, 1, &x, &err), SG_OK);
    assert_true(x > 0.2499 && x < 0.2501);
    assert_int_equal(sg_parse_double("nan", 3, 0, 1, &x, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_double("inf", 3, 0, 1e300, &x, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_double("0x1p3", 5, 0, 100, &x, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_double("1e999", 5, 0, 1e300, &x, &err), SG_E_INVALID);
    assert_int_equal(sg_parse_double("2", 1, 0, 1, &x, &err), SG_E_INVALID);
    bool b;
    assert_int_equal(sg_parse_bool("Yes", 3, &b, &err), SG_OK);
    assert_true(b);
    assert_int_equal(sg_parse_bool("off", 3, &b, &err), SG_OK);
    assert_false(b);
    assert_int_equal(sg_parse_bool("maybe", 5, &b, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "maybe"));
}

static void format_duration_for_people(void **state)
{
    (void)state;
    char buf[32];
    sg_format_duration(MS(500), buf, sizeof buf);
    assert_string_equal(buf, "500ms");
    sg_format_duration(MS(1500), buf, sizeof buf);
    assert_string_equal(buf, "1.5s");
    sg_format_duration(S(150), buf, sizeof buf);
    assert_string_equal(buf, "2m30s");
    sg_format_duration(S(3600), buf, sizeof buf);
    assert_string_equal(buf, "1h00m00s");
    sg_format_duration(0, buf, sizeof buf);
    assert_string_equal(buf, "0s");
    /* just below 1 ms: no exponent (found by fuzz/parse.c, seed format-04) */
    sg_format_duration(999999, buf, sizeof buf);
    assert_string_equal(buf, "1000us");
    sg_format_duration(1500, buf, sizeof buf);
    assert_string_equal(buf, "1.5us");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations_with_units),
        cmocka_unit_test(bad_durations_say_why),
        cmocka_unit_test(counts_bytes_ratios_bools),
        cmocka_unit_test(format_duration_for_people),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}

/*
 * test_cli.c - the `stormglass` tool as an operator uses it: what each
 * timing verb prints, its exit status, and that usage errors go to stderr
 * with status 2 while --help goes to stdout with status 0.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#define OUTPUT_MAX 8192

typedef struct cli_result {
    int status;
    char out[OUTPUT_MAX];
    char err[OUTPUT_MAX];
} cli_result;

static void slurp(const char *path, char *buf)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, OUTPUT_MAX - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs `stormglass ARGS` through the shell, capturing both streams. */
static cli_result run(const char *args)
{
    static cli_result r;
    char out_path[] = "/tmp/sg-cli-out-XXXXXX";
    char err_path[] = "/tmp/sg-cli-err-XXXXXX";
    int fo = mkstemp(out_path);
    int fe = mkstemp(err_path);
    assert_true(fo >= 0 && fe >= 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s >%s 2>%s", STORMGLASS_BIN, args, out_path, err_path);
    int raw = system(cmd);
    assert_true(raw != -1 && WIFEXITED(raw));
    r.status = WEXITSTATUS(raw);
    slurp(out_path, r.out);
    slurp(err_path, r.err);
    remove(out_path);
    remove(err_path);
    return r;
}

static void backoff_prints_a_row_per_attempt(void **state)
{
    (void)state;
    cli_result r = run("backoff --policy exponential --base 0.5 --max 30 --attempts 8");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "policy=exponential"));
    assert_non_null(strstr(r.out, "       1          0.500            0.500"));
    assert_non_null(strstr(r.out, "       7         30.000           61.500"));
    assert_non_null(strstr(r.out, "       8         30.000           91.500"));
    assert_string_equal(r.err, "");
}

static void backoff_grpc_schedule_and_give_up(void **state)
{
    (void)state;
    cli_result r = run("backoff --policy grpc --jitter 0 --attempts 12");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "       2          1.600"));
    assert_non_null(strstr(r.out, "      12        120.000"));
    r = run("backoff --policy full --max-retries 2 --attempts 5");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "       3        give-up"));
}

static void backoff_same_seed_same_output(void **state)
{
    (void)state;
    cli_result a = run("backoff --policy decorrelated --attempts 20 --seed 42");
    char first[OUTPUT_MAX];
    memcpy(first, a.out, sizeof first);
    cli_result b = run("backoff --policy decorrelated --attempts 20 --seed 42");
    assert_string_equal(first, b.out);
    cli_result c = run("backoff --policy decorrelated --attempts 20 --seed 43");
    assert_string_not_equal(first, c.out);
}

static void bad_flags_are_usage_errors_on_stderr(void **state)
{
    (void)state;
    cli_result r = run("backoff --bogus");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "unknown option '--bogus'"));
    assert_non_null(strstr(r.err, "usage: stormglass backoff"));
    r = run("backoff --policy fast");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown policy 'fast'"));
    r = run("backoff --base 5 --max 1");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "backoff.max"));
    r = run("retry-after");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "missing VALUE"));
    r = run("nonsense");
    assert_int_equal(r.status, 2);
    r = run("backoff --help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: stormglass backoff"));
}

static void retry_after_values(void **state)
{
    (void)state;
    cli_result r = run("retry-after 120");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "120\n");
    r = run("retry-after 'Sun, 06 Nov 1994 08:49:37 GMT' --now 784111000");
    assert_string_equal(r.out, "777\n");
    r = run("retry-after 'Sunday, 06-Nov-94 08:49:37 GMT' --now 784111000");
    assert_string_equal(r.out, "777\n");
    r = run("retry-after 'Sun Nov  6 08:49:37 1994' --now 784111000");
    assert_string_equal(r.out, "777\n");
    r = run("retry-after 99999999999999999999");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "3600\n");
    assert_non_null(strstr(r.err, "clamped"));
    r = run("retry-after 0");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "0\n");
}

static void retry_after_invalid_says_why(void **state)
{
    (void)state;
    cli_result r = run("retry-after -- -5");
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "negative"));
    r = run("retry-after 'Sun, 31 Feb 1994 08:49:37 GMT'");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "day out of range"));
    r = run("retry-after ' '");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "absent"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backoff_prints_a_row_per_attempt),
        cmocka_unit_test(backoff_grpc_schedule_and_give_up),
        cmocka_unit_test(backoff_same_seed_same_output),
        cmocka_unit_test(bad_flags_are_usage_errors_on_stderr),
        cmocka_unit_test(retry_after_values),
        cmocka_unit_test(retry_after_invalid_says_why),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}

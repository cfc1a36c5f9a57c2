/*
 * test_storm_errors.c - every way a storm file can be wrong gets a
 * message with file:line:column that says what was expected; includes
 * are bounded and cycles refused; nothing is ever silently ignored.
 */
#include "storm_fixture.h"

/* Parses `text` as t.storm and asserts the error message starts with
 * `where` and contains `what`. */
static void fails(const char *text, const char *where, const char *what)
{
    static storm s;
    memfs fs = {0};
    char msg[1024];
    assert_int_equal(parse_with(&fs, "t.storm", text, &s, msg, sizeof msg), SG_E_INVALID);
    if (strncmp(msg, where, strlen(where)) != 0 || strstr(msg, what) == NULL) {
        print_message("message: %s\nwanted:  %s ... %s\n", msg, where, what);
        fail();
    }
}

static void unknown_statement_and_key(void **state)
{
    (void)state;
    fails(STORM_MINIMAL "wrokers 4\n", "t.storm:3:1:", "unknown statement 'wrokers' (expected one of: title");
    fails(STORM_MINIMAL "bcast settle=1s foo=2\n", "t.storm:3:17:", "unknown key 'foo' for 'bcast' (expected one of:");
    fails(STORM_MINIMAL "fault at=1s kind=flap count=2 down=1s target=1\n", "t.storm:3:39:",
          "key 'target' does not apply to a flap fault");
    fails(STORM_MINIMAL "bcast settle=1s settle=2s\n", "t.storm:3:17:", "given twice");
}

static void malformed_options(void **state)
{
    (void)state;
    fails(STORM_MINIMAL "bcast settle 1s\n", "t.storm:3:7:", "expected '=' after 'settle'");
    fails(STORM_MINIMAL "bcast settle=\n", "t.storm:3:13:", "expected a value after 'settle='");
    fails(STORM_MINIMAL "bcast = 1\n", "t.storm:3:7:", "expected key=value");
    fails(STORM_MINIMAL "bcast settle=2\n", "t.storm:3:14:", "needs a unit");
    fails(STORM_MINIMAL "bcast settle=2 parsecs\n", "t.storm:3:14:", "settle:");
    fails(STORM_MINIMAL "backbone latency=2h\n", "t.storm:3:18:", "within 0s .. 1h");
    fails(STORM_MINIMAL "bcast reconnect=maybe\n", "t.storm:3:17:", "expected on or off");
    fails(STORM_MINIMAL "bcast backoff=random\n", "t.storm:3:15:", "expected none, constant, exponential");
    fails(STORM_MINIMAL "bcast delivery=later\n", "t.storm:3:16:", "expected immediate or on-echo");
    fails(STORM_MINIMAL "workload publish-rate=-1\n", "t.storm:3:23:", "publish-rate:");
    fails(STORM_MINIMAL "backbone mqtt\n", "t.storm:3:10:", "expected ideal, redis, postgres or kafka");
    fails(STORM_MINIMAL "oracle checks=convergence,luck\n", "t.storm:3:27:", "expected all, none or oracles");
    fails(STORM_MINIMAL "sync retry-after=\"" "0123456789012345678901234567890123456789012345678901234567890123"
                        "\"\n",
          "t.storm:3:19:", "at most 63 bytes");
}

static void positional_statements(void **state)
{
    (void)state;
    fails(STORM_MINIMAL "workers\n", "t.storm:3:1:", "expected workers N");
    fails(STORM_MINIMAL "workers 4 5\n", "t.storm:3:11:", "unexpected '5'");
    fails(STORM_MINIMAL "workers 65\n", "t.storm:3:9:", "within 0 .. 64");
    fails(STORM_MINIMAL "worker-restart sometimes\n", "t.storm:3:16:", "expected on or off");
    fails(STORM_MINIMAL "duration 0s\n", "t.storm:3:10:", "duration:");
    fails(STORM_MINIMAL "name has/slash\n", "t.storm:3:6:", "name: expected letters");
    fails(STORM_MINIMAL "models core core\n", "t.storm:3:13:", "'core' named twice");
    fails(STORM_MINIMAL "models a b c d e f g h i\n", "t.storm:3:24:", "unexpected 'i'");
    fails(STORM_MINIMAL "fragment now\n", "t.storm:3:10:", "nothing after 'fragment'");
    fails(STORM_MINIMAL "title\n", "t.storm:3:6:", "title: expected text");
    fails(STORM_MINIMAL "fault at=1s\n", "t.storm:3:1:", "expected at=TIME and kind=KIND");
    fails(STORM_MINIMAL "fault at=1s kind=meteor\n", "t.storm:3:18:", "kind: expected backbone-down");
    fails(STORM_MINIMAL "healthz code=sleepy\n", "t.storm:3:14:", "expected serving, not-serving, unknown or goaway");
    fails(STORM_MINIMAL "appproxy race=fast\n", "t.storm:3:15:", "expected none, four-events, reread");
    fails(STORM_MINIMAL "healthz watchers=5 slow=9\n", "t.storm:3:1:", "healthz.slow");
}

static void lexical_errors(void **state)
{
    (void)state;
    fails(STORM_MINIMAL "sync retry-after=\"open\n", "t.storm:3:18:", "unterminated string");
    fails(STORM_MINIMAL "sync retry-after=\"a\\qb\"\n", "t.storm:3:20:", "unknown escape");
    fails(STORM_MINIMAL "workers 4#x\n", "t.storm:3:10:", "unexpected character '#'");
    fails(STORM_MINIMAL "workers (4)\n", "t.storm:3:9:", "unexpected character '('");
    fails(STORM_MINIMAL "workers 4\x01\n", "t.storm:3:10:", "control byte 0x01");
    fails(STORM_MINIMAL "workers \xc3\xa9\n", "t.storm:3:9:", "unexpected byte 0xc3");
    fails("  workers 4\n" STORM_MINIMAL, "t.storm:1:1:", "an indented line continues the statement above");
}

static void bounds_on_lines_and_statements(void **state)
{
    (void)state;
    char *text = malloc(STORM_LINE_MAX + 64);
    assert_non_null(text);
    (void)snprintf(text, STORM_LINE_MAX + 64, "title %0*d\n", (int)STORM_LINE_MAX, 0);
    fails(text, "t.storm:1:1025:", "line longer than 1024 bytes");
    char *big = malloc(8192);
    assert_non_null(big);
    size_t n = (size_t)snprintf(big, 8192, "%s", "bcast settle=1s\n");
    for (unsigned i = 0; i < STORM_STATEMENT_LINES_MAX; i++) {
        n += (size_t)snprintf(big + n, 8192 - n, "  resync=on\n");
    }
    fails(big, "t.storm:33:1:", "statement spans more than 32 lines");
    n = (size_t)snprintf(big, 8192, "models");
    for (unsigned i = 0; i < STORM_TOKENS_MAX; i++) {
        n += (size_t)snprintf(big + n, 8192 - n, " m%u", i);
    }
    (void)snprintf(big + n, 8192 - n, "\n");
    fails(big, "t.storm:1:", "too many words in one statement");
    n = (size_t)snprintf(big, 8192, "title t\n");
    for (unsigned i = 0; i <= STORM_EXPECT_MAX / 2; i++) {
        n += (size_t)snprintf(big + n, 8192 - n, "expect core: events >= 0, events >= 1\n");
    }
    fails(big, "t.storm:34:14:", "at most 64 expectations");
    free(text);
    free(big);
}

static void expectation_errors(void **state)
{
    (void)state;
    fails("title t\nexpect core spurious_drops == 0\n", "t.storm:2:1:", "expected 'MODE: METRIC OP VALUE'");
    fails("title t\nexpect : events > 0\n", "t.storm:2:8:", "before ':'");
    fails("title t\nexpect core:\n", "t.storm:2:12:", "expected a condition after ':'");
    fails("title t\nexpect core: spurios_drops == 0\n", "t.storm:2:14:", "did you mean 'spurious_drops'?");
    fails("title t\nexpect core: oracle.luck == 0\n", "t.storm:2:14:", "unknown oracle 'luck'");
    fails("title t\nexpect core: events = 0\n", "t.storm:2:21:", "expected a comparison");
    fails("title t\nexpect core: events\n", "t.storm:2:14:", "expected a comparison");
    fails("title t\nexpect core: events >=\n", "t.storm:2:21:", "expected a value after '>='");
    fails("title t\nexpect core: events >= many\n", "t.storm:2:24:", "expected a number after");
    fails("title t\nexpect core: events >= 10s\n", "t.storm:2:24:", "expected a number after");
    fails("title t\nexpect core: convergence_time_s <= soon\n", "t.storm:2:36:", "or a duration such as 10s");
    fails("title t\nexpect core: events >= 0 events\n", "t.storm:2:26:", "expected ',' and another condition");
    fails("title t\nexpect legacy core: events >= 0\n", "t.storm:2:15:", "expected legacy model names");
    fails("title t\nexpect ghost: events >= 0\n", "t.storm:2:15:", "model 'ghost' is not one of this storm's models");
    fails("title t\nexpect legacy: events >= 0\n", "t.storm:2:16:", "no model of this storm is legacy");
}

static void completeness(void **state)
{
    (void)state;
    fails("expect core: events >= 0\n", "t.storm:", "a storm needs a title");
    fails("title t\nmodels core stock\nexpect core: events >= 0\n", "t.storm:",
          "model 'stock' has no expectation");
}

/* Whole-scenario validation points at the statement that set the field. */
static void scenario_errors_point_at_statements(void **state)
{
    (void)state;
    fails(STORM_MINIMAL "workers 2\nfault at=1s kind=worker-crash target=5\n", "t.storm:4:1:",
          "faults[0].target");
    fails(STORM_MINIMAL "duration 1m\nfault at=2m kind=backbone-down\n", "t.storm:4:1:", "faults[0].at");
    fails(STORM_MINIMAL "bcast backoff-min=1m backoff-max=1s\nworkers 3\n", "t.storm:3:1:", "bcast backoff.max");
    fails(STORM_MINIMAL "client base=1m max=1s\n", "t.storm:3:1:", "client backoff.max");
    fails(STORM_MINIMAL "probe on period=0s\n", "t.storm:3:1:", "probe.period");
    fails(STORM_MINIMAL "workers 64\nclients-per-worker 100000\n", "t.storm:4:1:",
          "topology.clients-per-worker");
}

static void includes_are_read_in_place(void **state)
{
    (void)state;
    memfs fs = {0};
    memfs_add(&fs, "scenarios/common/fleet.storm", "fragment\nworkers 4\nbcast settle=9s\n");
    memfs_add(&fs, "scenarios/common/deep.storm", "include fleet.storm\nclients-per-worker 7\n");
    static storm s;
    char msg[1024];
    assert_int_equal(parse_with(&fs, "scenarios/opal/prod.storm",
                                "title t\ninclude ../common/deep.storm\nworkers 6\nexpect core: events >= 0\n", &s,
                                msg, sizeof msg),
                     SG_OK);
    assert_int_equal(s.scenario.topology.workers, 6);         /* overridden after the include */
    assert_int_equal(s.scenario.bcast.settle_ns, S(9));        /* from two levels down */
    assert_int_equal(s.scenario.topology.clients_per_worker, 7);
    assert_false(s.fragment);                                  /* `fragment` in an include marks nothing */
    assert_int_equal(s.file_count, 3);
    assert_string_equal(s.files[2], "scenarios/common/fleet.storm");
}

static void include_errors(void **state)
{
    (void)state;
    memfs fs = {0};
    memfs_add(&fs, "a.storm", "include b.storm\n");
    memfs_add(&fs, "b.storm", "workers 1\ninclude a.storm\n");
    memfs_add(&fs, "bad.storm", "workers 1\n\nbcast nope=1\n");
    memfs_add(&fs, "self.storm", "include ./self.storm\n");
    static storm s;
    char msg[1024];
    assert_int_equal(parse_with(&fs, "a.storm", "include b.storm\n", &s, msg, sizeof msg), SG_E_INVALID);
    assert_non_null(strstr(msg, "b.storm:2:9: include: 'a.storm' includes itself"));
    assert_int_equal(parse_with(&fs, "self.storm", "include ./self.storm\n", &s, msg, sizeof msg), SG_E_INVALID);
    assert_non_null(strstr(msg, "self.storm:1:9: include: 'self.storm' includes itself"));
    assert_int_equal(parse_with(&fs, "top.storm", "title t\n\ninclude bad.storm\n", &s, msg, sizeof msg),
                     SG_E_INVALID);
    assert_non_null(strstr(msg, "bad.storm:3:7: unknown key 'nope'"));
    assert_non_null(strstr(msg, "(included from line 3)"));
    assert_int_equal(parse_with(&fs, "top.storm", "include missing.storm\n", &s, msg, sizeof msg), SG_E_INVALID);
    assert_non_null(strstr(msg, "top.storm:1:9: include: cannot read 'missing.storm': no such file"));
    storm_error err;
    const char *text = "include a.storm\n";
    assert_int_equal(storm_parse_buffer("x.storm", text, strlen(text), NULL, &s, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "no way to read files"));
}

static void include_depth_is_bounded(void **state)
{
    (void)state;
    static char names[STORM_INCLUDE_DEPTH_MAX + 2][16];
    static char texts[STORM_INCLUDE_DEPTH_MAX + 2][32];
    memfs fs = {0};
    for (unsigned i = 0; i <= STORM_INCLUDE_DEPTH_MAX; i++) {
        (void)snprintf(names[i], sizeof names[i], "f%u.storm", i);
        (void)snprintf(texts[i], sizeof texts[i], "include f%u.storm\n", i + 1);
        memfs_add(&fs, names[i], texts[i]);
    }
    static storm s;
    char msg[1024];
    assert_int_equal(parse_with(&fs, "top.storm", "include f0.storm\n", &s, msg, sizeof msg), SG_E_INVALID);
    assert_non_null(strstr(msg, "f7.storm:1:9: include: nested deeper than 8 files"));
    assert_int_equal(fs.loads, STORM_INCLUDE_DEPTH_MAX);
}

static void nul_bytes_and_size_limits(void **state)
{
    (void)state;
    static storm s;
    storm_error err;
    const char text[] = "title t\nworkers 4\0\nexpect core: events >= 0\n";
    assert_int_equal(storm_parse_buffer("n.storm", text, sizeof text - 1, NULL, &s, &err), SG_E_INVALID);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 10);
    char *huge = calloc(1, STORM_FILE_BYTES_MAX + 1);
    assert_non_null(huge);
    memset(huge, '\n', STORM_FILE_BYTES_MAX + 1);
    assert_int_equal(storm_parse_buffer("h.storm", huge, STORM_FILE_BYTES_MAX + 1, NULL, &s, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "limit 262144"));
    free(huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_statement_and_key),
        cmocka_unit_test(malformed_options),
        cmocka_unit_test(positional_statements),
        cmocka_unit_test(lexical_errors),
        cmocka_unit_test(bounds_on_lines_and_statements),
        cmocka_unit_test(expectation_errors),
        cmocka_unit_test(completeness),
        cmocka_unit_test(scenario_errors_point_at_statements),
        cmocka_unit_test(includes_are_read_in_place),
        cmocka_unit_test(include_errors),
        cmocka_unit_test(include_depth_is_bounded),
        cmocka_unit_test(nul_bytes_and_size_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

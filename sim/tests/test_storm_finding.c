/*
 * test_storm_finding.c - what swarm and shrink write must parse back into
 * the very scenario that failed: for many drawn scenarios, the finding's
 * storm file parses, and printing the parsed scenario gives back the same
 * canonical text.  Fault fields a kind ignores are cleared first, and a
 * negative control shows the parser would refuse them otherwise.
 */
#include <stdlib.h>

#include "sim/search.h"
#include "sim/storm_finding.h"
#include "storm_fixture.h"

static char *print_of(const sim_scenario *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    sim_scenario_print(out, s);
    assert_int_equal(fclose(out), 0);
    return buf;
}

static char *finding_of(const sim_scenario *s, const char *model)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    storm_finding f = {"a finding", "stormglass swarm --seeds 1..1", "what broke\nin two lines", model,
                       SIM_ORACLE_CONVERGENCE};
    assert_int_equal(storm_finding_write(out, s, &f), SG_OK);
    assert_int_equal(fclose(out), 0);
    return buf;
}

static void drawn_scenarios_round_trip(void **state)
{
    (void)state;
    sim_swarm_config c;
    sim_swarm_config_default(&c);
    sim_scenario *s = malloc(sizeof *s);
    static storm parsed;
    assert_non_null(s);
    for (uint64_t seed = 1; seed <= 60; seed++) {
        sim_swarm_draw(&c, seed, s);
        char *text = finding_of(s, "first-fix");
        memfs fs = {0};
        char msg[1024];
        if (parse_with(&fs, "finding.storm", text, &parsed, msg, sizeof msg) != SG_OK) {
            print_message("seed %llu: %s\n%s", (unsigned long long)seed, msg, text);
            fail();
        }
        assert_string_equal(parsed.scenario.models[0], "first-fix");
        assert_int_equal(parsed.expect_count, 1);
        /* the same scenario, once its ignored fault fields are cleared */
        strcpy(s->models[0], "first-fix");
        s->model_count = 1;
        for (uint32_t i = 0; i < s->fault_count; i++) {
            storm_fault_normalize(&s->faults[i]);
        }
        char *a = print_of(s), *b = print_of(&parsed.scenario);
        assert_string_equal(a, b);
        free(a);
        free(b);
        free(text);
    }
    free(s);
}

static void ignored_fields_are_cleared_not_accepted(void **state)
{
    (void)state;
    sim_fault f = sim_fault_make(SIM_FAULT_WORKER_CRASH, S(5));
    f.target = 1;
    f.duration_ns = S(10); /* means nothing for a crash */
    f.count = 3;
    static storm parsed;
    memfs fs = {0};
    char msg[512];
    assert_int_equal(parse_with(&fs, "t.storm", STORM_MINIMAL "fault at=5s kind=worker-crash target=1 duration=10s\n",
                                &parsed, msg, sizeof msg),
                     SG_E_INVALID); /* negative control: the parser refuses it */
    storm_fault_normalize(&f);
    assert_int_equal(f.duration_ns, 0);
    assert_int_equal(f.count, 0);
    assert_int_equal(f.target, 1);
    sim_fault flap = sim_fault_make(SIM_FAULT_FLAP, S(5));
    flap.count = 2;
    flap.down_ns = S(1); /* shared with the latency alias: kept */
    flap.target = 2;
    storm_fault_normalize(&flap);
    assert_int_equal(flap.down_ns, S(1));
    assert_int_equal(flap.target, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(drawn_scenarios_round_trip),
        cmocka_unit_test(ignored_fields_are_cleared_not_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_search.c - swarm, shrink and exhaustive enumeration, including the
 * acceptance test: a planted bug (a test-only model that wedges when its
 * session drops twice within 10 s) is found by swarm and shrunk to at
 * most 10 fault events, while a correct model under the same swarm passes.
 */
#include "sim_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/search.h"

static char *print_to_string(const sim_scenario *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    sim_scenario_print(out, s);
    fclose(out);
    return buf;
}

static void swarm_config(sim_swarm_config *c)
{
    sim_swarm_config_default(c);
    c->seed_count = 150;
    c->workers_max = 2;
    c->clients_max = 4;
    c->faults_max = 4;
    c->fault_kinds = (1u << SIM_FAULT_BACKBONE_DOWN) | (1u << SIM_FAULT_FLAP) | (1u << SIM_FAULT_LATENCY) |
                     (1u << SIM_FAULT_SLOW_CLIENTS);
    c->backbone_kinds = (1u << SIM_BACKBONE_IDEAL) | (1u << SIM_BACKBONE_REDIS) | (1u << SIM_BACKBONE_KAFKA);
    c->duration_ns = S(240);
    c->draw_settings = false; /* the test-only models are not meant for every setting */
}

static void swarm_draw_is_a_function_of_the_seed(void **state)
{
    (void)state;
    sim_swarm_config c;
    sim_swarm_config_default(&c);
    sim_scenario *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    sim_swarm_draw(&c, 42, a);
    sim_swarm_draw(&c, 43, b);
    char *ta = print_to_string(a), *tb = print_to_string(b);
    assert_string_not_equal(ta, tb);
    sim_swarm_draw(&c, 42, b);
    free(tb);
    tb = print_to_string(b);
    assert_string_equal(ta, tb);
    assert_int_equal(sim_scenario_check(a, NULL), SG_OK);
    free(ta);
    free(tb);
    free(a);
    free(b);
}

static void planted_bug_is_found_and_shrunk(void **state)
{
    (void)state;
    sim_swarm_config c;
    swarm_config(&c);
    sim_model_set good = toy_models(&toy_model_resync);
    sim_model_set bad = toy_models(&toy_model_planted);
    sim_swarm_summary sum;
    sg_error err = {{0}};
    /* negative control: the same swarm finds nothing in a correct model */
    assert_int_equal(sim_swarm(&c, &good, &sum, &err), SG_OK);
    if (sum.failures > 0) {
        sim_swarm_print(stderr, &sum);
    }
    assert_int_equal(sum.failures, 0);
    assert_int_equal(sum.errors, 0);
    assert_int_equal(sim_swarm(&c, &bad, &sum, &err), SG_OK);
    assert_true(sum.failures >= 1);
    assert_true(sum.kept >= 1);
    uint64_t seed = sum.failing[0].seed;
    sim_oracle_id oracle = sum.failing[0].first.oracle;
    sim_scenario *drawn = malloc(sizeof *drawn), *small = malloc(sizeof *small);
    sim_swarm_draw(&c, seed, drawn);
    sim_shrink_stats st;
    assert_int_equal(sim_shrink(drawn, &bad, seed, oracle, 0, small, &st, &err), SG_OK);
    assert_true(small->fault_count <= 10);
    assert_true(small->fault_count >= 1);
    assert_true(small->fault_count <= drawn->fault_count);
    assert_true(sim_fails_with(small, &bad, seed, oracle));  /* the shrunk scenario replays the failure */
    assert_false(sim_fails_with(small, &good, seed, oracle)); /* and only the planted bug has it */
    char *text = print_to_string(small);
    assert_non_null(strstr(text, "fault at="));
    free(text);
    free(drawn);
    free(small);
}

static void shrink_drops_irrelevant_faults(void **state)
{
    (void)state;
    sim_scenario *s = malloc(sizeof *s), *out = malloc(sizeof *out);
    small_scenario(s, SIM_BACKBONE_REDIS);
    s->duration_ns = S(200);
    s->workload.publisher = 0;
    for (int i = 0; i < 9; i++) {
        sim_fault lat = sim_fault_make(SIM_FAULT_LATENCY, S(10 + 5 * i));
        lat.duration_ns = S(2);
        lat.down_ns = MS(100);
        assert_int_equal(sim_scenario_add_fault(s, &lat), SG_OK);
    }
    sim_fault part = sim_fault_make(SIM_FAULT_PARTITION, S(30));
    part.target = 1;
    part.duration_ns = S(20);
    assert_int_equal(sim_scenario_add_fault(s, &part), SG_OK);
    sim_model_set m = toy_models(&toy_model_noresync);
    sim_shrink_stats st;
    sg_error err = {{0}};
    assert_int_equal(sim_shrink(s, &m, 1, SIM_ORACLE_CONVERGENCE, 0, out, &st, &err), SG_OK);
    assert_int_equal(out->fault_count, 1);
    assert_int_equal(out->faults[0].kind, SIM_FAULT_PARTITION);
    assert_true(out->faults[0].duration_ns <= S(20));
    assert_int_equal(out->topology.clients_per_worker, 1);
    assert_int_equal(st.faults_before, 10);
    assert_true(st.runs > 5);
    /* a scenario that does not fail is refused */
    out->fault_count = 0;
    assert_int_equal(sim_shrink(out, &m, 1, SIM_ORACLE_CONVERGENCE, 0, s, &st, &err), SG_E_INVALID);
    free(s);
    free(out);
}

static void enumeration_covers_sites_and_finds_the_unsafe(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    s.duration_ns = S(200);
    sim_enum_config c;
    sim_enum_config_default(&c);
    c.time_buckets = 2;
    c.pair_runs_max = 30;
    sim_enum_report rep;
    sg_error err = {{0}};
    sim_model_set noresync = toy_models(&toy_model_noresync);
    assert_int_equal(sim_enumerate(&s, &noresync, 1, &c, &rep, &err), SG_OK);
    /* 4 global kinds + 8 worker kinds x 2 workers + one per core fiu point */
    assert_int_equal(rep.sites, 4 + 8 * 2 + 2);
    /* the test-only model has no core fault points, and a connect-then-drop
     * window with no connect in it changes nothing: those sites stay cold */
    assert_true(rep.sites_effective <= rep.sites - 3);
    assert_int_equal(rep.cold_kept, rep.sites - rep.sites_effective);
    assert_int_equal(rep.singles, rep.sites * 2);
    assert_int_equal(rep.pairs, 30);
    assert_true(rep.coverage_percent >= 50.0);
    assert_true(rep.failures > 0); /* no resync: an outage leaves clients stale */
    assert_true(rep.kept > 0);
    sim_enum_print(stderr, &rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(swarm_draw_is_a_function_of_the_seed),
        cmocka_unit_test(planted_bug_is_found_and_shrunk),
        cmocka_unit_test(shrink_drops_irrelevant_faults),
        cmocka_unit_test(enumeration_covers_sites_and_finds_the_unsafe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_scenario.c - defaults, validation messages, names and the text
 * form of a sim_scenario.
 */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/result.h"
#include "sim/scenario.h"

static void defaults_are_valid(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_init(&s);
    sg_error err = {{0}};
    assert_int_equal(sim_scenario_check(&s, &err), SG_OK);
    assert_int_equal(s.topology.workers, 2);
    assert_string_equal(s.models[0], "core");
}

static void bad_fault_target_names_the_field(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_init(&s);
    sim_fault f = sim_fault_make(SIM_FAULT_WORKER_CRASH, S(10));
    f.target = 7;
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sg_error err = {{0}};
    assert_int_equal(sim_scenario_check(&s, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "faults[0].target"));
    s.faults[0].target = -1;
    assert_int_equal(sim_scenario_check(&s, &err), SG_E_INVALID); /* a crash needs a worker */
    s.faults[0].target = 1;
    assert_int_equal(sim_scenario_check(&s, &err), SG_OK);
}

static void bad_topology_and_flap_rejected(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_init(&s);
    sg_error err = {{0}};
    s.topology.workers = SIM_WORKERS_MAX + 1;
    assert_int_equal(sim_scenario_check(&s, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "topology.workers"));
    sim_scenario_init(&s);
    sim_fault f = sim_fault_make(SIM_FAULT_FLAP, S(1));
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    assert_int_equal(sim_scenario_check(&s, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "faults[0].count"));
}

static void fault_list_is_bounded(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_init(&s);
    sim_fault f = sim_fault_make(SIM_FAULT_HALF_OPEN, S(1));
    for (unsigned i = 0; i < SIM_FAULTS_MAX; i++) {
        assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    }
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_E_FULL);
}

static void names_round_trip(void **state)
{
    (void)state;
    for (unsigned k = 0; k < SIM_FAULT_KIND_COUNT; k++) {
        sim_fault_kind back;
        assert_int_equal(sim_fault_kind_parse(sim_fault_kind_name((sim_fault_kind)k), &back), SG_OK);
        assert_int_equal(back, k);
    }
    for (unsigned k = 0; k < SIM_BACKBONE_KIND_COUNT; k++) {
        sim_backbone_kind back;
        assert_int_equal(sim_backbone_kind_parse(sim_backbone_kind_name((sim_backbone_kind)k), &back), SG_OK);
        assert_int_equal(back, k);
    }
    for (unsigned k = 0; k < SIM_METRIC_COUNT; k++) {
        sim_metric_id back;
        assert_int_equal(sim_metric_find(sim_metric_name((sim_metric_id)k), &back), SG_OK);
        assert_int_equal(back, k);
    }
    for (unsigned k = 0; k < SIM_RACE_COUNT; k++) {
        sim_race back;
        assert_int_equal(sim_race_parse(sim_race_name((sim_race)k), &back), SG_OK);
        assert_int_equal(back, k);
    }
    sg_health_code code;
    assert_int_equal(sim_health_code_parse("goaway", &code), SG_OK);
    assert_int_equal(code, SG_HEALTH_CODE_GOAWAY);
    assert_int_equal(sim_health_code_parse("none", &code), SG_E_INVALID);
    sim_oracle_id o;
    assert_int_equal(sim_oracle_parse("resurrection", &o), SG_OK);
    assert_int_equal(o, SIM_ORACLE_RESURRECTION);
    sim_metric_id m;
    assert_int_equal(sim_metric_find("no_such_metric", &m), SG_E_NOT_FOUND);
    sim_fault_kind fk;
    assert_int_equal(sim_fault_kind_parse("meteor", &fk), SG_E_INVALID);
}

static void fault_end_times(void **state)
{
    (void)state;
    sim_fault f = sim_fault_make(SIM_FAULT_FLAP, S(10));
    f.count = 3;
    f.down_ns = S(2);
    f.up_ns = S(1);
    assert_int_equal(sim_fault_end(&f), S(19));
    sim_fault d = sim_fault_make(SIM_FAULT_BACKBONE_DOWN, S(5));
    assert_int_equal(sim_fault_end(&d), SG_TIME_NEVER);
    d.duration_ns = S(20);
    assert_int_equal(sim_fault_end(&d), S(25));
}

static void print_writes_exact_units(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_init(&s);
    strcpy(s.name, "print-me");
    sim_fault f = sim_fault_make(SIM_FAULT_BACKBONE_DOWN, MS(30500));
    f.duration_ns = S(20);
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    sim_scenario_print(out, &s);
    fclose(out);
    assert_non_null(strstr(buf, "name print-me\n"));
    assert_non_null(strstr(buf, "duration 5m\n"));
    assert_non_null(strstr(buf, "fault at=30500ms kind=backbone-down duration=20s\n"));
    assert_non_null(strstr(buf, "backbone redis latency=2ms"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_valid),
        cmocka_unit_test(bad_fault_target_names_the_field),
        cmocka_unit_test(bad_topology_and_flap_rejected),
        cmocka_unit_test(fault_list_is_bounded),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(fault_end_times),
        cmocka_unit_test(print_writes_exact_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

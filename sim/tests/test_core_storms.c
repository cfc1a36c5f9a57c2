/*
 * test_core_storms.c - the real broadcaster core and the legacy models in
 * the simulated world: the OPAL storms reproduce with the legacy models
 * (negative controls) and are survived by the core; libfiu faults inside
 * the core replay exactly.
 */
#include "sim_test.h"

static sim_result run_named(const sim_scenario *s, const char *model, uint64_t seed)
{
    sim_model_set m;
    sg_error err = {{0}};
    assert_int_equal(sim_model_resolve(model, &m, &err), SG_OK);
    sim_result r;
    sg_status st = sim_run(s, &m, seed, NULL, &r, &err);
    if (st != SG_OK) {
        print_error("sim_run(%s): %s\n", model, err.msg);
    }
    assert_int_equal(st, SG_OK);
    return r;
}

static void opal_scenario(sim_scenario *s, sg_time_ns outage_at)
{
    sim_scenario_init(s);
    s->topology.workers = 2;
    s->topology.clients_per_worker = 20;
    s->bcast.clients_max = 64;
    s->duration_ns = S(300);
    sim_fault f = down_at(outage_at, S(20));
    assert_int_equal(sim_scenario_add_fault(s, &f), SG_OK);
}

static void production_storm_core_vs_stock(void **state)
{
    (void)state;
    sim_scenario s;
    opal_scenario(&s, S(60));
    sim_result core = run_named(&s, "core", 1);
    assert_int_equal(core.metrics[SIM_M_SPURIOUS_DROPS], 0);
    assert_int_equal(core.metrics[SIM_M_CONVERGED], 1);
    assert_true(core.metrics[SIM_M_CONVERGENCE_TIME_S] >= 0);
    assert_true(core.metrics[SIM_M_CONVERGENCE_TIME_S] <= 60);
    assert_true(core.metrics[SIM_M_RESYNCS] >= 2);
    assert_int_equal(core.violation_count, 0);
    sim_result stock = run_named(&s, "stock", 1);
    assert_true(stock.metrics[SIM_M_SPURIOUS_DROPS] > 0);       /* clients cancelled */
    assert_int_equal(stock.metrics[SIM_M_CONVERGED], 0);        /* never recovers */
    assert_true(stock.violations_per_oracle[SIM_ORACLE_SPURIOUS_DROP] > 0);
    sim_result_free(&core);
    sim_result_free(&stock);
}

static void staging_wedge_core_vs_stock(void **state)
{
    (void)state;
    sim_scenario s;
    opal_scenario(&s, 0); /* down at the first subscribe */
    sim_result core = run_named(&s, "core", 1);
    assert_int_equal(core.metrics[SIM_M_CLIENT_CRASHES], 0);
    assert_int_equal(core.metrics[SIM_M_CONVERGED], 1);
    assert_int_equal(core.violation_count, 0);
    sim_result stock = run_named(&s, "stock", 1);
    assert_true(stock.metrics[SIM_M_CLIENT_CRASHES] > 100);   /* every new /ws handler */
    assert_true(stock.metrics[SIM_M_HEALTH_LIED_S] > 60);     /* and health says 200 */
    assert_int_equal(stock.metrics[SIM_M_HEALTH_503_S], 0);
    assert_true(stock.violations_per_oracle[SIM_ORACLE_HEALTH_LIE] >= 1);
    sim_result_free(&core);
    sim_result_free(&stock);
}

static void core_fault_points_replay_exactly(void **state)
{
    (void)state;
    sim_scenario s;
    opal_scenario(&s, S(30));
    sim_fault fiu = sim_fault_make(SIM_FAULT_FIU, S(30));
    strcpy(fiu.point, "stormglass/bcast/replay_alloc");
    fiu.value = 0.5;
    fiu.duration_ns = S(20);
    assert_int_equal(sim_scenario_add_fault(&s, &fiu), SG_OK);
    sim_result a = run_named(&s, "core", 9);
    sim_result b = run_named(&s, "core", 9);
    assert_true(a.metrics[SIM_M_FIU_FAILURES] >= 1); /* allocations inside the core failed */
    assert_true(a.trace_hash == b.trace_hash);
    assert_memory_equal(a.metrics, b.metrics, sizeof a.metrics);
    sim_model_set m;
    assert_int_equal(sim_model_resolve("core", &m, NULL), SG_OK);
    assert_int_equal(sim_check_determinism(&s, &m, 9, NULL, NULL), SG_OK);
    sim_result_free(&a);
    sim_result_free(&b);
}

static void a_pinned_listener_keeps_the_reader_through_client_churn(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_init(&s);
    s.topology.workers = 2;
    s.topology.clients_per_worker = 3;
    s.bcast.clients_max = 64;
    s.duration_ns = S(120);
    sim_fault leave = sim_fault_make(SIM_FAULT_CLIENTS_LEAVE, S(30));
    leave.value = 1.0;
    leave.duration_ns = S(10);
    assert_int_equal(sim_scenario_add_fault(&s, &leave), SG_OK);
    sim_result churn = run_named(&s, "core", 1);
    /* negative control (review finding 1): the first fix took the restart
     * for a gap and closed the clients that had just come back */
    sim_result first = run_named(&s, "first-fix", 1);
    assert_true(first.metrics[SIM_M_RESYNCS] >= 1);
    assert_true(first.metrics[SIM_M_RESYNC_CLOSES] >= 1);
    sim_result_free(&first);
    s.topology.pin_listener = true;
    sim_result pinned = run_named(&s, "core", 1);
    assert_int_equal(churn.metrics[SIM_M_CLIENTS_LEFT], 6);
    assert_int_equal(pinned.metrics[SIM_M_BACKBONE_CONNECTS], 2);   /* one session each, all along */
    assert_true(churn.metrics[SIM_M_BACKBONE_CONNECTS] >= 4);      /* readers stopped and restarted */
    assert_int_equal(churn.metrics[SIM_M_RESYNCS], 0);             /* a restart is not a gap */
    assert_int_equal(churn.metrics[SIM_M_CONVERGED], 1);
    assert_int_equal(pinned.metrics[SIM_M_CONVERGED], 1);
    sim_result_free(&churn);
    sim_result_free(&pinned);
}

static void every_model_name_resolves(void **state)
{
    (void)state;
    const char *names[] = {"core", "stock", "first-fix", "constant-retry", "blocking", "drop", "send-after-close",
                           "legacy"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        sim_model_set m;
        sg_error err = {{0}};
        assert_int_equal(sim_model_resolve(names[i], &m, &err), SG_OK);
        assert_non_null(m.worker);
        assert_non_null(m.sync);
        assert_non_null(m.notifier);
        assert_non_null(m.fence);
    }
    sim_model_set m;
    sg_error err = {{0}};
    assert_int_equal(sim_model_resolve("no-such-model", &m, &err), SG_E_NOT_FOUND);
    assert_non_null(strstr(err.msg, "no-such-model"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(production_storm_core_vs_stock),
        cmocka_unit_test(staging_wedge_core_vs_stock),
        cmocka_unit_test(core_fault_points_replay_exactly),
        cmocka_unit_test(a_pinned_listener_keeps_the_reader_through_client_churn),
        cmocka_unit_test(every_model_name_resolves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

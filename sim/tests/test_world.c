/*
 * test_world.c - the simulated world end to end with test-only models:
 * determinism, client refetch and convergence, the source of truth's
 * capacity.
 */
#include "sim_test.h"

static void quiet_run_converges(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_result r = run_ok(&s, &toy_model_resync, 1);
    assert_int_equal(r.metrics[SIM_M_CLIENTS_TOTAL], 10);
    assert_int_equal(r.metrics[SIM_M_REFETCHES], 10);   /* one per first connect */
    assert_int_equal(r.metrics[SIM_M_CONVERGED], 1);
    assert_true(r.metrics[SIM_M_UPDATES_PUBLISHED] > 100);
    assert_int_equal(r.metrics[SIM_M_DELIVERIES_MISSED], 0);
    assert_int_equal(r.violation_count, 0);
    assert_int_equal(r.series[SIM_S_CONNECTED][r.samples - 1], 10);
    sim_result_free(&r);
}

static void same_seed_same_trace_hash(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_fault f = down_at(S(30), S(20));
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result a = run_ok(&s, &toy_model_resync, 7);
    sim_result b = run_ok(&s, &toy_model_resync, 7);
    sim_result c = run_ok(&s, &toy_model_resync, 8);
    assert_true(a.trace_hash == b.trace_hash);
    assert_memory_equal(a.metrics, b.metrics, sizeof a.metrics);
    assert_true(a.trace_hash != c.trace_hash); /* the seed matters */
    sim_model_set m = toy_models(&toy_model_resync);
    uint64_t h = 0;
    sg_error err = {{0}};
    assert_int_equal(sim_check_determinism(&s, &m, 7, &h, &err), SG_OK);
    assert_true(h == a.trace_hash);
    sim_result_free(&a);
    sim_result_free(&b);
    sim_result_free(&c);
}

static void outage_with_resync_converges_without_it_stays_stale(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_fault f = down_at(S(30), S(20));
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result fixed = run_ok(&s, &toy_model_resync, 3);
    assert_int_equal(fixed.metrics[SIM_M_CONVERGED], 1);
    assert_true(fixed.metrics[SIM_M_RESYNC_CLOSES] >= 10);
    assert_true(fixed.metrics[SIM_M_CONVERGENCE_TIME_S] >= 0);
    assert_true(fixed.metrics[SIM_M_CONVERGENCE_TIME_S] < 10);
    assert_int_equal(fixed.violations_per_oracle[SIM_ORACLE_CONVERGENCE], 0);
    /* negative control: publishes during the outage never reach the peer */
    sim_result stale = run_ok(&s, &toy_model_noresync, 3);
    assert_int_equal(stale.metrics[SIM_M_CONVERGED], 0);
    assert_true(stale.metrics[SIM_M_DELIVERIES_MISSED] > 0);
    assert_int_equal(stale.violations_per_oracle[SIM_ORACLE_CONVERGENCE], 1);
    const sim_violation *v = sim_result_first_violation(&stale);
    assert_non_null(v);
    assert_int_equal(v->oracle, SIM_ORACLE_CONVERGENCE);
    assert_true(v->at >= S(50) + S(60));
    sim_result_free(&fixed);
    sim_result_free(&stale);
}

static void refetch_stampede_queues_and_rejects(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_IDEAL);
    s.topology.clients_per_worker = 500;
    s.bcast.clients_max = 1024;
    s.workload.connect_spread_ns = 0;
    s.truth.refetch_per_s = 100;
    s.truth.queue_max = 200;
    sim_result r = run_ok(&s, &toy_model_resync, 1);
    assert_true(r.metrics[SIM_M_REFETCH_REJECTED] > 0);     /* 1000 at once > 200 places */
    assert_true(r.metrics[SIM_M_REFETCH_WAIT_MAX_S] > 1.0); /* queueing is visible */
    assert_int_equal(r.metrics[SIM_M_REFETCHES], 1000);     /* everyone gets there */
    assert_int_equal(r.metrics[SIM_M_CONVERGED], 1);
    sim_result_free(&r);
}

static void worker_crash_drops_and_restarts(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_fault f = sim_fault_make(SIM_FAULT_WORKER_CRASH, S(20));
    f.target = 1;
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_resync, 1);
    assert_int_equal(r.metrics[SIM_M_WORKER_CRASHES], 1);
    assert_int_equal(r.metrics[SIM_M_WORKER_RESTARTS], 1);
    assert_int_equal(r.metrics[SIM_M_SHUTDOWN_DROPS], 5);
    assert_int_equal(r.metrics[SIM_M_SPURIOUS_DROPS], 0);
    assert_int_equal(r.metrics[SIM_M_CONVERGED], 1);
    assert_int_equal(r.metrics[SIM_M_REFETCHES], 15);
    sim_result_free(&r);
}

static void clients_that_leave_come_back_and_refetch(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_fault f = sim_fault_make(SIM_FAULT_CLIENTS_LEAVE, S(30));
    f.target = 0;
    f.value = 1.0;
    f.duration_ns = S(5);
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_resync, 1);
    assert_int_equal(r.metrics[SIM_M_CLIENTS_LEFT], 5);
    assert_int_equal(r.metrics[SIM_M_CLIENTS_DROPPED], 0); /* leaving is not being dropped */
    assert_int_equal(r.metrics[SIM_M_REFETCHES], 15);
    assert_int_equal(r.metrics[SIM_M_CONVERGED], 1);
    double least = 10;
    for (uint32_t i = 31; i < 35; i++) {
        least = r.series[SIM_S_CONNECTED][i] < least ? r.series[SIM_S_CONNECTED][i] : least;
    }
    assert_true(least < 5.5); /* worker 0 had nobody for a while */
    sim_result_free(&r);
}

static void send_errors_lose_updates_the_model_does_not_buffer(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    s.workload.publisher = 0;
    sim_fault f = sim_fault_make(SIM_FAULT_SEND_FAIL, S(30));
    f.target = 0;
    f.value = 1.0;
    f.duration_ns = S(10);
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_noresync, 1);
    assert_true(r.metrics[SIM_M_DELIVERIES_MISSED] >= 10); /* ~2/s for 10 s, only worker 1 misses */
    assert_true(r.metrics[SIM_M_DELIVERIES_MISSED] <= 40);
    assert_int_equal(r.metrics[SIM_M_BACKBONE_CONNECTS], 2); /* an error answer is not a drop */
    sim_result_free(&r);
}

static void a_runaway_run_is_stopped_with_an_error(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_model_set m = toy_models(&toy_model_resync);
    sim_run_options opt = {.max_events = 100};
    sim_result r;
    sg_error err = {{0}};
    assert_int_equal(sim_run(&s, &m, 1, &opt, &r, &err), SG_E_FULL);
    assert_non_null(strstr(err.msg, "max_events"));
    assert_true(r.end_ns < s.duration_ns); /* it says where it stopped */
    sim_result_free(&r);
}

static unsigned progress_calls;

static void count_progress(void *ctx, sg_time_ns now, sg_time_ns end)
{
    (void)ctx;
    assert_true(now <= end);
    progress_calls++;
}

static void progress_is_reported_at_every_sample(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_model_set m = toy_models(&toy_model_resync);
    sim_run_options opt = {.progress = count_progress};
    sim_result r;
    progress_calls = 0;
    assert_int_equal(sim_run(&s, &m, 1, &opt, &r, NULL), SG_OK);
    assert_int_equal(progress_calls, r.samples);
    sim_result_free(&r);
}

static void bad_scenario_is_an_error_value(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    s.duration_ns = 0;
    sim_model_set m = toy_models(&toy_model_resync);
    sim_result r;
    sg_error err = {{0}};
    assert_int_equal(sim_run(&s, &m, 1, NULL, &r, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "duration"));
    sim_result_free(&r);
    small_scenario(&s, SIM_BACKBONE_REDIS);
    m.worker = NULL;
    assert_int_equal(sim_run(&s, &m, 1, NULL, &r, &err), SG_E_INVALID);
    sim_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quiet_run_converges),
        cmocka_unit_test(same_seed_same_trace_hash),
        cmocka_unit_test(outage_with_resync_converges_without_it_stays_stale),
        cmocka_unit_test(refetch_stampede_queues_and_rejects),
        cmocka_unit_test(worker_crash_drops_and_restarts),
        cmocka_unit_test(clients_that_leave_come_back_and_refetch),
        cmocka_unit_test(send_errors_lose_updates_the_model_does_not_buffer),
        cmocka_unit_test(a_runaway_run_is_stopped_with_an_error),
        cmocka_unit_test(progress_is_reported_at_every_sample),
        cmocka_unit_test(bad_scenario_is_an_error_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

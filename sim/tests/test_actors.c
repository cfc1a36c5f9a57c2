/*
 * test_actors.c - the probe, the infonet upstream with its token bucket
 * and 429s (core schedule vs the legacy constant retry), and libfiu
 * faults decided by the simulator's PRNG.
 */
#include "sim_test.h"

static void probe_restarts_a_worker_that_reports_503(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    s.duration_ns = S(180);
    s.probe.enabled = true;
    s.probe.period_ns = S(10);
    s.probe.failure_threshold = 3;
    sim_fault f = down_at(S(30), S(90));
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_resync, 1); /* "toy" says 503 after 5 s away */
    assert_true(r.metrics[SIM_M_PROBE_FAILURES] >= 3);
    assert_true(r.metrics[SIM_M_PROBE_RESTARTS] >= 2);
    assert_true(r.metrics[SIM_M_WORKER_RESTARTS] >= 2);
    assert_true(r.metrics[SIM_M_HEALTH_503_S] > 0);
    /* a worker that always says 200 is never restarted */
    sim_result liar = run_ok(&s, &toy_model_planted, 1);
    assert_int_equal(liar.metrics[SIM_M_PROBE_RESTARTS], 0);
    assert_int_equal(liar.metrics[SIM_M_HEALTH_503_S], 0);
    /* without a probe nothing restarts either */
    s.probe.enabled = false;
    sim_result none = run_ok(&s, &toy_model_resync, 1);
    assert_int_equal(none.metrics[SIM_M_PROBE_RESTARTS], 0);
    sim_result_free(&r);
    sim_result_free(&liar);
    sim_result_free(&none);
}

static void sync_scenario(sim_scenario *s)
{
    sim_scenario_init(s);
    s->topology.workers = 0;
    s->duration_ns = S(4 * 3600);
    s->sample_period_ns = S(10);
    s->sync.nodes = 1;
    s->sync.bucket_capacity = 10;
    s->sync.drain_per_s = 0.01;
    sim_fault burst = sim_fault_make(SIM_FAULT_UPSTREAM_BURST, S(10));
    burst.count = 20; /* someone else filled the bucket */
    assert_int_equal(sim_scenario_add_fault(s, &burst), SG_OK);
}

static sim_result run_sync(const sim_scenario *s, const sim_sync_ops *sync)
{
    sim_model_set m = {.name = sync->name, .worker = NULL, .sync = sync};
    sim_result r;
    sg_error err = {{0}};
    assert_int_equal(sim_run(s, &m, 1, NULL, &r, &err), SG_OK);
    return r;
}

static void core_sync_recovers_from_a_429_storm(void **state)
{
    (void)state;
    sim_scenario s;
    sync_scenario(&s);
    sim_result r = run_sync(&s, &sim_sync_core);
    assert_true(r.metrics[SIM_M_UPSTREAM_429] >= 1);
    assert_true(r.metrics[SIM_M_SYNC_RECOVERY_S] > 0);
    assert_true(r.metrics[SIM_M_SYNC_RECOVERY_S] < 3600);
    assert_true(r.metrics[SIM_M_UPSTREAM_REQUESTS] < 60); /* honours Retry-After */
    assert_int_equal(r.violations_per_oracle[SIM_ORACLE_UPSTREAM_RECOVERY], 0);
    sim_result_free(&r);
}

static void legacy_constant_retry_keeps_the_bucket_full(void **state)
{
    (void)state;
    sim_scenario s;
    sync_scenario(&s);
    sim_result r = run_sync(&s, &sim_sync_constant);
    assert_true(r.metrics[SIM_M_UPSTREAM_429] >= 200); /* one a minute, for hours */
    assert_true(r.metrics[SIM_M_SYNC_RECOVERY_S] < 0); /* never recovered */
    assert_true(r.metrics[SIM_M_SYNC_FAILURES_MAX] >= 200);
    assert_int_equal(r.violations_per_oracle[SIM_ORACLE_UPSTREAM_RECOVERY], 1);
    assert_true(r.series[SIM_S_UPSTREAM_BUCKET][r.samples - 1] > 10.0);
    sim_result_free(&r);
}

static void hostile_retry_after_is_clamped(void **state)
{
    (void)state;
    sim_scenario s;
    sync_scenario(&s);
    strcpy(s.sync.retry_after, "99999999999");
    s.sync.retry_after_ceiling_s = 600;
    sim_result r = run_sync(&s, &sim_sync_core);
    /* waits at most the 600 s ceiling each time instead of ~3000 years */
    assert_true(r.metrics[SIM_M_UPSTREAM_REQUESTS] >= 8);
    sim_result_free(&r);
}

/* Most upstream requests in one sample after `from`. */
static double burst_after(const sim_result *r, sg_time_ns from)
{
    double most = 0;
    for (uint32_t i = (uint32_t)(from / r->sample_period_ns); i < r->samples; i++) {
        if (r->series[SIM_S_UPSTREAM_REQUESTS][i] > most) {
            most = r->series[SIM_S_UPSTREAM_REQUESTS][i];
        }
    }
    return most;
}

static void jitter_spreads_many_nodes_against_one_seed(void **state)
{
    (void)state;
    sim_scenario s;
    sync_scenario(&s);
    s.sync.nodes = 50;
    s.sync.bucket_capacity = 20;
    s.sync.drain_per_s = 0.05;
    s.sync.config.interval_ns = S(60);
    s.sync.config.failure_base_ns = S(30);
    s.sync.config.failure_cap_ns = S(600);
    strcpy(s.sync.retry_after, "120"); /* one answer for everyone: the fleet stays in step */
    sim_result lockstep = run_sync(&s, &sim_sync_core);
    s.sync.config.jitter = 0.5;
    sim_result spread = run_sync(&s, &sim_sync_core);
    /* after the common start, without jitter the fleet keeps hitting the
     * seed in bursts (most of the 50 within one 10 s sample); with it, it spreads */
    double burst_lockstep = burst_after(&lockstep, S(600));
    double burst_spread = burst_after(&spread, S(600));
    assert_true(burst_lockstep >= 25);
    assert_true(burst_spread < burst_lockstep / 2);
    sim_result_free(&lockstep);
    sim_result_free(&spread);
}

static void fiu_faults_replay_exactly(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    s.topology.workers = 4;
    s.topology.worker_restart_ns = S(2);
    sim_fault fiu = sim_fault_make(SIM_FAULT_FIU, S(10));
    strcpy(fiu.point, "stormglass/toy/create");
    fiu.value = 0.5;
    fiu.duration_ns = S(60);
    assert_int_equal(sim_scenario_add_fault(&s, &fiu), SG_OK);
    for (int32_t t = 0; t < 4; t++) {
        sim_fault crash = sim_fault_make(SIM_FAULT_WORKER_CRASH, S(20));
        crash.target = t;
        assert_int_equal(sim_scenario_add_fault(&s, &crash), SG_OK);
    }
    sim_result a = run_ok(&s, &toy_model_resync, 5);
    sim_result b = run_ok(&s, &toy_model_resync, 5);
    assert_true(a.metrics[SIM_M_FIU_FAILURES] >= 1); /* some restarts failed to allocate */
    assert_true(a.metrics[SIM_M_WORKER_RESTARTS] > 4);
    assert_true(a.trace_hash == b.trace_hash);
    assert_memory_equal(a.metrics, b.metrics, sizeof a.metrics);
    sim_result_free(&a);
    sim_result_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probe_restarts_a_worker_that_reports_503),
        cmocka_unit_test(core_sync_recovers_from_a_429_storm),
        cmocka_unit_test(legacy_constant_retry_keeps_the_bucket_full),
        cmocka_unit_test(hostile_retry_after_is_clamped),
        cmocka_unit_test(jitter_spreads_many_nodes_against_one_seed),
        cmocka_unit_test(fiu_faults_replay_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

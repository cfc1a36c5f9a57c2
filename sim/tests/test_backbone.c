/*
 * test_backbone.c - each backbone model's semantics, seen through runs of
 * test-only worker models (no resync, so losses stay visible).
 */
#include "sim_test.h"

/* Worker 0 publishes; worker 1 is cut off from the backbone for 20 s. */
static void partition_scenario(sim_scenario *s, sim_backbone_kind kind)
{
    small_scenario(s, kind);
    s->workload.publisher = 0;
    sim_fault f = sim_fault_make(SIM_FAULT_PARTITION, S(30));
    f.target = 1;
    f.duration_ns = S(20);
    assert_int_equal(sim_scenario_add_fault(s, &f), SG_OK);
}

static void redis_loses_what_a_disconnected_subscriber_missed(void **state)
{
    (void)state;
    sim_scenario s;
    partition_scenario(&s, SIM_BACKBONE_REDIS);
    sim_result r = run_ok(&s, &toy_model_noresync, 1);
    assert_true(r.metrics[SIM_M_DELIVERIES_MISSED] >= 20); /* ~2/s for 20 s, never replayed */
    assert_int_equal(r.metrics[SIM_M_CONVERGED], 0);
    sim_result_free(&r);
}

static void kafka_consumer_resumes_from_its_offset(void **state)
{
    (void)state;
    sim_scenario s;
    partition_scenario(&s, SIM_BACKBONE_KAFKA);
    sim_result r = run_ok(&s, &toy_model_noresync, 1);
    assert_int_equal(r.metrics[SIM_M_DELIVERIES_MISSED], 0);
    assert_int_equal(r.metrics[SIM_M_CONVERGED], 1);
    assert_int_equal(r.violation_count, 0);
    sim_result_free(&r);
}

static void kafka_retention_bounds_the_resume(void **state)
{
    (void)state;
    sim_scenario s;
    partition_scenario(&s, SIM_BACKBONE_KAFKA);
    s.topology.backbone.retention_msgs = 5; /* far less than 20 s of publishes */
    sim_result r = run_ok(&s, &toy_model_noresync, 1);
    assert_true(r.metrics[SIM_M_DELIVERIES_MISSED] > 0);
    sim_result_free(&r);
}

static void postgres_refuses_payloads_of_8000_bytes(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_POSTGRES);
    s.duration_ns = S(30);
    s.workload.publisher = 0;
    s.workload.payload_bytes = 8000;
    sim_result big = run_ok(&s, &toy_model_noresync, 1);
    assert_true(big.metrics[SIM_M_DELIVERIES_MISSED] >= 20); /* worker 1 never hears any */
    s.workload.payload_bytes = 7999 - SG_BCAST_HEADER_BYTES;
    sim_result fits = run_ok(&s, &toy_model_noresync, 1);
    assert_int_equal(fits.metrics[SIM_M_DELIVERIES_MISSED], 0);
    sim_result_free(&big);
    sim_result_free(&fits);
}

static void half_open_session_is_silent_and_health_lies(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_POSTGRES);
    s.workload.publisher = 0;
    sim_fault f = sim_fault_make(SIM_FAULT_HALF_OPEN, S(20));
    f.target = 1;
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_resync, 1);
    assert_true(r.metrics[SIM_M_DELIVERIES_MISSED] > 100); /* no error, no messages: ever */
    assert_int_equal(r.metrics[SIM_M_BACKBONE_CONNECTS], 2); /* nobody noticed */
    assert_int_equal(r.violations_per_oracle[SIM_ORACLE_HEALTH_LIE], 1);
    assert_true(r.metrics[SIM_M_HEALTH_LIED_S] > 30);
    assert_int_equal(r.violations_per_oracle[SIM_ORACLE_CONVERGENCE], 1);
    sim_result_free(&r);
}

static void redis_kills_a_slow_subscriber_at_its_output_buffer(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    s.workload.publisher = 0;
    s.topology.backbone.output_buffer_bytes = 4096;
    sim_fault f = sim_fault_make(SIM_FAULT_SLOW_SUBSCRIBER, S(20));
    f.target = 1;
    f.duration_ns = S(60);
    f.value = 100.0; /* bytes per second, far below 2 x 288 B/s */
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_noresync, 1);
    assert_true(r.metrics[SIM_M_BACKBONE_KILLS] >= 1);
    assert_true(r.metrics[SIM_M_BACKBONE_CONNECTS] >= 3); /* worker 1 had to reconnect */
    /* an ideal bus only gets slow, it never kills */
    s.topology.backbone.kind = SIM_BACKBONE_IDEAL;
    sim_result ideal = run_ok(&s, &toy_model_noresync, 1);
    assert_int_equal(ideal.metrics[SIM_M_BACKBONE_KILLS], 0);
    assert_int_equal(ideal.metrics[SIM_M_BACKBONE_CONNECTS], 2);
    sim_result_free(&r);
    sim_result_free(&ideal);
}

static void connect_then_drop_keeps_the_reader_flapping(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_fault down = down_at(S(30), S(1));
    sim_fault cd = sim_fault_make(SIM_FAULT_CONNECT_DROP, S(30));
    cd.duration_ns = S(20);
    cd.up_ns = MS(100);
    assert_int_equal(sim_scenario_add_fault(&s, &down), SG_OK);
    assert_int_equal(sim_scenario_add_fault(&s, &cd), SG_OK);
    sim_result r = run_ok(&s, &toy_model_resync, 1);
    assert_true(r.metrics[SIM_M_BACKBONE_CONNECTS] > 2 * 15); /* ~1 per second per worker */
    assert_int_equal(r.metrics[SIM_M_CONVERGED], 1);          /* and it settles afterwards */
    sim_result_free(&r);
}

static void flap_train_counts_every_cycle(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_IDEAL);
    sim_fault f = sim_fault_make(SIM_FAULT_FLAP, S(30));
    f.count = 4;
    f.down_ns = S(3);
    f.up_ns = S(3);
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_resync, 1);
    assert_true(r.metrics[SIM_M_BACKBONE_CONNECTS] >= 2 + 2 * 4);
    double down_samples = 0;
    for (uint32_t i = 0; i < r.samples; i++) {
        down_samples += r.series[SIM_S_BACKBONE_UP][i] < 0.5 ? 1 : 0;
    }
    assert_true(down_samples >= 4 * 2 && down_samples <= 4 * 4);
    assert_int_equal(r.metrics[SIM_M_CONVERGED], 1);
    sim_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(redis_loses_what_a_disconnected_subscriber_missed),
        cmocka_unit_test(kafka_consumer_resumes_from_its_offset),
        cmocka_unit_test(kafka_retention_bounds_the_resume),
        cmocka_unit_test(postgres_refuses_payloads_of_8000_bytes),
        cmocka_unit_test(half_open_session_is_silent_and_health_lies),
        cmocka_unit_test(redis_kills_a_slow_subscriber_at_its_output_buffer),
        cmocka_unit_test(connect_then_drop_keeps_the_reader_flapping),
        cmocka_unit_test(flap_train_counts_every_cycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_incident_worlds.c - the healthz and app-proxy incidents inside a
 * run: the core survives each, the legacy model shows the bug (negative
 * control), and the metrics and oracles say so.
 */
#include "sim_test.h"

static void healthz_scenario(sim_scenario *s)
{
    sim_scenario_init(s);
    s->topology.workers = 0;
    s->duration_ns = S(20);
    s->healthz.watchers = 1000;
    s->healthz.slow = 0;
    s->healthz.busy_ns = S(5);
}

static sim_result run_models(const sim_scenario *s, const sim_notifier_ops *notifier, const sim_fence_ops *fence)
{
    sim_model_set m = {.name = "test", .sync = &sim_sync_core, .notifier = notifier, .fence = fence};
    sim_result r;
    sg_error err = {{0}};
    sg_status st = sim_run(s, &m, 1, NULL, &r, &err);
    if (st != SG_OK) {
        print_error("sim_run: %s\n", err.msg);
    }
    assert_int_equal(st, SG_OK);
    return r;
}

static void one_slow_watcher_stalls_only_the_blocking_broadcast(void **state)
{
    (void)state;
    sim_scenario s;
    healthz_scenario(&s);
    sim_result core = run_models(&s, &sim_notifier_core, &sim_fence_core);
    assert_true(core.metrics[SIM_M_NOTIFY_LATENCY_MAX_S] >= 0);
    assert_true(core.metrics[SIM_M_NOTIFY_LATENCY_MAX_S] <= 0.02);
    assert_true(core.metrics[SIM_M_SLOW_WATCHER_LATENCY_S] >= 4.9); /* it gets it once ready */
    assert_int_equal(core.violation_count, 0);
    sim_result blocking = run_models(&s, &sim_notifier_blocking, &sim_fence_core);
    assert_true(blocking.metrics[SIM_M_NOTIFY_LATENCY_MAX_S] >= 4.9); /* everyone waits for one */
    assert_int_equal(blocking.violations_per_oracle[SIM_ORACLE_NOTIFY_LATENCY], 1);
    sim_result_free(&core);
    sim_result_free(&blocking);
}

static void disconnect_during_broadcast_crashes_only_the_legacy_sender(void **state)
{
    (void)state;
    sim_scenario s;
    healthz_scenario(&s);
    s.healthz.slow = -1;
    s.healthz.leave_trigger = 0;
    s.healthz.leave_victim = 5;
    sim_result legacy = run_models(&s, &sim_notifier_send_after_close, &sim_fence_core);
    assert_true(legacy.metrics[SIM_M_SENDER_CRASHES] >= 1);
    assert_int_equal(legacy.violations_per_oracle[SIM_ORACLE_MODEL_CRASH], 1);
    sim_result core = run_models(&s, &sim_notifier_core, &sim_fence_core);
    assert_int_equal(core.metrics[SIM_M_SENDER_CRASHES], 0);
    assert_int_equal(core.metrics[SIM_M_DELIVERIES_TO_GONE], 0);
    assert_int_equal(core.violation_count, 0);
    sim_result_free(&legacy);
    sim_result_free(&core);
}

static void goaway_reaches_a_momentarily_busy_watcher(void **state)
{
    (void)state;
    sim_scenario s;
    healthz_scenario(&s);
    s.healthz.goaway_at_ns = S(2); /* while the slow watcher still holds the change */
    sim_result drop = run_models(&s, &sim_notifier_drop, &sim_fence_core);
    assert_true(drop.metrics[SIM_M_TERMINAL_LOST] >= 1);
    assert_int_equal(drop.violations_per_oracle[SIM_ORACLE_TERMINAL_LOST], 1);
    sim_result core = run_models(&s, &sim_notifier_core, &sim_fence_core);
    assert_int_equal(core.metrics[SIM_M_TERMINAL_LOST], 0);
    assert_int_equal(core.violations_per_oracle[SIM_ORACLE_TERMINAL_LOST], 0);
    sim_result_free(&drop);
    sim_result_free(&core);
}

static void scale_in_resurrects_a_key_only_without_the_fence(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_init(&s);
    s.topology.workers = 0;
    s.duration_ns = S(1);
    s.appproxy.race = SIM_RACE_FOUR_EVENTS;
    sim_result legacy = run_models(&s, &sim_notifier_core, &sim_fence_legacy);
    assert_true(legacy.metrics[SIM_M_INTERLEAVINGS] >= 6);
    assert_true(legacy.metrics[SIM_M_RESURRECTED_KEYS] >= 1);
    assert_int_equal(legacy.violations_per_oracle[SIM_ORACLE_RESURRECTION], 1);
    sim_result core = run_models(&s, &sim_notifier_core, &sim_fence_core);
    assert_int_equal(core.metrics[SIM_M_RESURRECTED_KEYS], 0);
    assert_int_equal(core.metrics[SIM_M_STALE_FINAL_KEYS], 0);
    assert_int_equal(core.violation_count, 0);
    sim_result_free(&legacy);
    sim_result_free(&core);
}

static void a_world_without_its_model_is_refused(void **state)
{
    (void)state;
    sim_scenario s;
    healthz_scenario(&s);
    sim_model_set m = {.name = "partial", .sync = &sim_sync_core};
    sim_result r;
    sg_error err = {{0}};
    assert_int_equal(sim_run(&s, &m, 1, NULL, &r, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "notifier"));
    sim_result_free(&r);
    s.healthz.slow = 1000; /* not a watcher */
    assert_int_equal(sim_scenario_check(&s, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "healthz"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_slow_watcher_stalls_only_the_blocking_broadcast),
        cmocka_unit_test(disconnect_during_broadcast_crashes_only_the_legacy_sender),
        cmocka_unit_test(goaway_reaches_a_momentarily_busy_watcher),
        cmocka_unit_test(scale_in_resurrects_a_key_only_without_the_fence),
        cmocka_unit_test(a_world_without_its_model_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

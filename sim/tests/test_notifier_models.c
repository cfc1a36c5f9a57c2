/*
 * test_notifier_models.c - the healthz incident, core against the legacy
 * models, in virtual time:
 *   - one slow watcher among 10,000 delays nobody with the core and
 *     stalls everyone behind it with the blocking loop;
 *   - a GOAWAY sent while a watcher is busy reaches it with the core and
 *     is lost with drop-on-busy;
 *   - a watcher leaving during a broadcast (inside a delivery or while the
 *     loop is blocked) crashes the send-after-close model, not the core.
 * Measured numbers are printed to the suite's log.
 */
#include "test_util.h"

#include <stdio.h>

#include "sim/fanout_drive.h"

#define T0 S(1)

static void print_row(const char *name, const sim_slow_watcher_result *r)
{
    printf("  %-17s fast reached %5u  fast latency max %6.3f s mean %6.3f s  slow %6.3f s  callbacks %6llu  "
           "blocked steps %5llu\n",
           name, r->fast_reached, (double)r->fast_latency_max_ns / 1e9, (double)r->fast_latency_mean_ns / 1e9,
           (double)r->slow_latency_ns / 1e9, (unsigned long long)r->callbacks,
           (unsigned long long)r->stats.blocked_steps);
}

static sim_slow_watcher_result run_slow(const char *model, uint32_t slow)
{
    sim_slow_watcher_params p = {10000, slow, S(5), MS(1), S(10), SG_HEALTH_CODE_NOT_SERVING};
    sim_slow_watcher_result r;
    sg_error err;
    assert_int_equal(sim_fanout_slow_watcher(sim_notifier_model_find(model), &p, &r, &err), SG_OK);
    print_row(model, &r);
    return r;
}

static void one_slow_watcher_among_10000(void **state)
{
    (void)state;
    printf("slow watcher first in line, busy 5 s, 10000 watchers, 1 ms steps:\n");
    sim_slow_watcher_result core = run_slow("core", 0);
    sim_slow_watcher_result blocking = run_slow("blocking", 0);
    sim_slow_watcher_result drop = run_slow("drop", 0);
    /* the core: everyone else has it in the very step it was published */
    assert_int_equal(core.fast_reached, 9999);
    assert_int_equal(core.fast_latency_max_ns, 0);
    assert_int_equal(core.slow_latency_ns, S(5));           /* the slow one gets it when ready */
    assert_int_equal(core.callbacks, 10000);                 /* one callback each; the slow one once */
    assert_int_equal(core.stats.base.counters.busy, 1);
    /* negative control: the blocking loop holds all 9999 behind the slow one */
    assert_int_equal(blocking.fast_reached, 9999);
    assert_true(blocking.fast_latency_max_ns >= S(5));
    assert_true(blocking.fast_latency_mean_ns >= S(5));
    assert_true(blocking.stats.blocked_steps >= 5000);
    /* the quick fix does not stall (its defect is the lost GOAWAY below) */
    assert_int_equal(drop.fast_latency_max_ns, 0);
    /* slow watcher in the middle: the blocking loop stalls the second half */
    printf("slow watcher in the middle:\n");
    sim_slow_watcher_result mid_core = run_slow("core", 5000);
    sim_slow_watcher_result mid_blocking = run_slow("blocking", 5000);
    assert_int_equal(mid_core.fast_latency_max_ns, 0);
    assert_true(mid_blocking.fast_latency_max_ns >= S(5));
}

typedef struct goaway_outcome {
    sg_time_ns busy_goaway_at;   /* when the busy watcher got GOAWAY; NEVER if lost */
    sg_time_ns others_goaway_at; /* latest GOAWAY receipt among the others */
    sim_notifier_stats stats;
} goaway_outcome;

static goaway_outcome run_goaway(const char *model)
{
    sim_fanout fo;
    assert_int_equal(sim_fanout_create(&fo, sim_notifier_model_find(model), 3, 0, NULL), SG_OK);
    assert_int_equal(sim_fanout_step(&fo, 0), SG_OK);
    sim_fanout_set_busy(&fo, 1, T0 + S(5)); /* watcher 1 is mid-write for 5 s */
    assert_int_equal(sim_fanout_publish(&fo, T0, SG_HEALTH_CODE_NOT_SERVING), SG_OK);
    assert_int_equal(sim_fanout_step(&fo, T0), SG_OK);
    assert_int_equal(sim_fanout_publish(&fo, T0 + S(1), SG_HEALTH_CODE_GOAWAY), SG_OK);
    for (sg_time_ns t = T0 + S(1); t <= T0 + S(10); t += MS(100)) {
        assert_int_equal(sim_fanout_step(&fo, t), SG_OK);
    }
    goaway_outcome out;
    out.busy_goaway_at = fo.w[1].got_at[SG_HEALTH_CODE_GOAWAY];
    out.others_goaway_at = fo.w[0].got_at[SG_HEALTH_CODE_GOAWAY];
    if (fo.w[2].got_at[SG_HEALTH_CODE_GOAWAY] > out.others_goaway_at) {
        out.others_goaway_at = fo.w[2].got_at[SG_HEALTH_CODE_GOAWAY];
    }
    fo.ops->stats_get(fo.model, &out.stats);
    printf("  %-17s busy watcher GOAWAY at %s%.1f s, others by %.1f s, dropped %llu (GOAWAY %llu)\n", model,
           out.busy_goaway_at == SG_TIME_NEVER ? "NEVER " : "",
           out.busy_goaway_at == SG_TIME_NEVER ? 0.0 : (double)(out.busy_goaway_at - T0) / 1e9,
           (double)(out.others_goaway_at - T0) / 1e9, (unsigned long long)out.stats.dropped,
           (unsigned long long)out.stats.dropped_terminal);
    sim_fanout_destroy(&fo);
    return out;
}

static void goaway_reaches_a_busy_watcher(void **state)
{
    (void)state;
    printf("GOAWAY published 1 s after NOT_SERVING while watcher 1 is busy for 5 s:\n");
    goaway_outcome core = run_goaway("core");
    goaway_outcome drop = run_goaway("drop");
    goaway_outcome blocking = run_goaway("blocking");
    assert_int_equal(core.busy_goaway_at, T0 + S(5));   /* as soon as it is ready */
    assert_int_equal(core.others_goaway_at, T0 + S(1)); /* nobody waited */
    /* negative control: the 1-slot buffer held NOT_SERVING, GOAWAY was dropped */
    assert_int_equal(drop.busy_goaway_at, SG_TIME_NEVER);
    assert_int_equal(drop.stats.dropped_terminal, 1);
    /* the blocking loop delivers it, but stalls everyone meanwhile */
    assert_int_equal(blocking.busy_goaway_at, T0 + S(5));
    assert_true(blocking.others_goaway_at >= T0 + S(5));
}

static sg_status leave_inside_delivery(const char *model, sim_fanout *fo)
{
    assert_int_equal(sim_fanout_create(fo, sim_notifier_model_find(model), 5, 0, NULL), SG_OK);
    assert_int_equal(sim_fanout_step(fo, 0), SG_OK);
    assert_int_equal(sim_fanout_publish(fo, T0, SG_HEALTH_CODE_SERVING), SG_OK);
    fo->leave_when_delivering = 1; /* while sending to watcher 1, watcher 3 disconnects */
    fo->leave_victim = 3;
    return sim_fanout_step(fo, T0);
}

static void disconnect_inside_a_delivery(void **state)
{
    (void)state;
    sim_fanout fo;
    sim_notifier_stats st;
    assert_int_equal(leave_inside_delivery("core", &fo), SG_OK);
    for (uint32_t i = 0; i < 5; i++) {
        assert_int_equal(fo.w[i].got_at[SG_HEALTH_CODE_SERVING] != SG_TIME_NEVER, i != 3);
    }
    assert_int_equal(fo.deliveries_to_gone, 0);
    sim_fanout_destroy(&fo);
    /* negative control: the snapshot walk sends to the closed mailbox */
    assert_int_equal(leave_inside_delivery("send-after-close", &fo), SG_E_STATE);
    fo.ops->stats_get(fo.model, &st);
    assert_int_equal(st.crashes, 1);
    assert_int_equal(sim_fanout_publish(&fo, T0 + 1, SG_HEALTH_CODE_NOT_SERVING), SG_E_STATE); /* dead */
    sim_fanout_destroy(&fo);
    /* the quick fix recovers instead of crashing */
    assert_int_equal(leave_inside_delivery("drop", &fo), SG_OK);
    fo.ops->stats_get(fo.model, &st);
    assert_int_equal(st.recovered, 1);
    assert_int_equal(st.crashes, 0);
    sim_fanout_destroy(&fo);
    printf("disconnect inside a delivery: core ok, send-after-close crashed, drop recovered\n");
}

static sg_status leave_while_blocked(const char *model, sim_fanout *fo)
{
    assert_int_equal(sim_fanout_create(fo, sim_notifier_model_find(model), 5, 0, NULL), SG_OK);
    assert_int_equal(sim_fanout_step(fo, 0), SG_OK);
    sim_fanout_set_busy(fo, 1, T0 + S(1));
    assert_int_equal(sim_fanout_publish(fo, T0, SG_HEALTH_CODE_SERVING), SG_OK);
    sg_status st = SG_OK;
    for (sg_time_ns t = T0; st == SG_OK && t <= T0 + S(2); t += MS(100)) {
        if (t == T0 + MS(500)) {
            assert_int_equal(sim_fanout_leave(fo, t, 3), SG_OK); /* between two steps */
        }
        st = sim_fanout_step(fo, t);
    }
    return st;
}

static void disconnect_between_two_steps(void **state)
{
    (void)state;
    sim_fanout fo;
    sim_notifier_stats st;
    assert_int_equal(leave_while_blocked("core", &fo), SG_OK);
    assert_int_equal(fo.w[1].got_at[SG_HEALTH_CODE_SERVING], T0 + S(1));
    assert_int_equal(fo.w[4].got_at[SG_HEALTH_CODE_SERVING], T0);
    assert_int_equal(fo.w[3].got_at[SG_HEALTH_CODE_SERVING], T0); /* before it left */
    assert_int_equal(fo.deliveries_to_gone, 0);
    sim_fanout_destroy(&fo);
    assert_int_equal(leave_while_blocked("send-after-close", &fo), SG_E_STATE);
    fo.ops->stats_get(fo.model, &st);
    assert_int_equal(st.crashes, 1);
    assert_int_equal(fo.w[4].got_at[SG_HEALTH_CODE_SERVING], SG_TIME_NEVER); /* died before it */
    sim_fanout_destroy(&fo);
}

static void models_are_registered_by_name(void **state)
{
    (void)state;
    const char *names[] = {"core", "blocking", "drop", "send-after-close"};
    for (size_t i = 0; i < 4; i++) {
        const sim_notifier_ops *ops = sim_notifier_model_find(names[i]);
        assert_non_null(ops);
        assert_string_equal(ops->name, names[i]);
        assert_ptr_equal(sim_notifier_models[i], ops);
    }
    assert_null(sim_notifier_models[4]);
    assert_null(sim_notifier_model_find("nope"));
    assert_null(sim_notifier_model_find(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(models_are_registered_by_name),
        cmocka_unit_test(one_slow_watcher_among_10000),
        cmocka_unit_test(goaway_reaches_a_busy_watcher),
        cmocka_unit_test(disconnect_inside_a_delivery),
        cmocka_unit_test(disconnect_between_two_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * sim_test.h - helpers shared by the simulator's suites: a small scenario
 * and a one-call run.
 */
#ifndef STORMGLASS_SIM_TEST_H
#define STORMGLASS_SIM_TEST_H

#include "test_util.h"

#include "sim/run.h"
#include "toy_model.h"

static inline void small_scenario(sim_scenario *s, sim_backbone_kind kind)
{
    sim_scenario_init(s);
    s->topology.workers = 2;
    s->topology.clients_per_worker = 5;
    s->topology.backbone.kind = kind;
    s->bcast.clients_max = 64;
    s->duration_ns = S(120);
    s->workload.publish_per_s = 2.0;
}

static inline sim_result run_ok(const sim_scenario *s, const sim_worker_ops *ops, uint64_t seed)
{
    sim_model_set m = toy_models(ops);
    sim_result r;
    sg_error err = {{0}};
    sg_status st = sim_run(s, &m, seed, NULL, &r, &err);
    if (st != SG_OK) {
        print_error("sim_run: %s\n", err.msg);
    }
    assert_int_equal(st, SG_OK);
    return r;
}

static inline sim_fault down_at(sg_time_ns at, sg_duration_ns d)
{
    sim_fault f = sim_fault_make(SIM_FAULT_BACKBONE_DOWN, at);
    f.duration_ns = d;
    return f;
}

#endif

/*
 * sim_faults.c - fuzz target: coverage-guided fault search in the
 * simulator (sim/: the real core in a simulated fleet with a backbone,
 * clients, a source of truth and every oracle).
 *
 * The swarm (sim/src/swarm.c) draws worlds from a PRNG; here the fuzz
 * bytes make the same decisions, so libFuzzer steers them toward new
 * coverage in the core and the simulator: the topology (1-3 workers, 1-6
 * clients each, the backbone kind), the workload, the watchdog, and 0-5
 * faults (which kind, when, on which worker, how long, how strong, which
 * libfiu point), plus the run's seed.  Each world runs with the core
 * model and every oracle (convergence, spurious drops, double disconnects,
 * health lies, buffer bounds, ...).
 *
 * Any oracle violation is a finding: the scenario is written out in the
 * simulator's text form to reports/fuzz/sim_faults/violation-<hash>.storm
 * (`stormglass run FILE --model core --seed N` replays it, `stormglass
 * shrink` reduces it) and the
 * harness aborts, so libFuzzer keeps the input.  The documented limit of
 * a half-open session (only the watchdog can notice it) is respected as
 * the swarm does: a world with one runs the watchdog.  No other
 * violation is excused: the two worlds this search once reported as
 * known gaps, a restarted worker's first session (REFETCH, class C) and
 * a dead worker's lost buffer (the goodbye/epoch rules and the after-loss
 * flag, class B), are closed by the core's convergence fixes, and their
 * inputs (regress-first-session-after-crash, regress-dead-worker-buffer)
 * must converge like any other world.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "sim/run.h"
#include "sim/search.h"
#include "sim/storm.h"

#define FAULTS_MAX 5u
#define EVENTS_MAX 4000000u
#define REPORT_DIR "reports/fuzz/sim_faults"
#define WORKER_FAULTS                                                                                  \
    ((1u << SIM_FAULT_PARTITION) | (1u << SIM_FAULT_SUBSCRIBER_KILL) | (1u << SIM_FAULT_SLOW_SUBSCRIBER) | \
     (1u << SIM_FAULT_SLOW_CLIENTS) | (1u << SIM_FAULT_WORKER_CRASH) | (1u << SIM_FAULT_GRACEFUL_RESTART))

/* A multiple of `step` in [lo, hi], chosen by the input. */
static sg_duration_ns span(fuzz_input *in, sg_duration_ns lo, sg_duration_ns hi, sg_duration_ns step)
{
    return lo + (sg_duration_ns)fuzz_below(in, (uint64_t)((hi - lo) / step) + 1) * step;
}

static double tenths(fuzz_input *in)
{
    return (double)(1 + fuzz_below(in, 10)) / 10.0;
}

static void fault_details(fuzz_input *in, sim_fault *f, uint32_t workers)
{
    switch (f->kind) {
    case SIM_FAULT_FLAP:
        f->count = 1 + (uint32_t)fuzz_below(in, 5);
        f->down_ns = span(in, 500 * SG_NS_PER_MS, 5 * SG_NS_PER_S, 100 * SG_NS_PER_MS);
        f->up_ns = span(in, 500 * SG_NS_PER_MS, 5 * SG_NS_PER_S, 100 * SG_NS_PER_MS);
        f->duration_ns = 0;
        break;
    case SIM_FAULT_LATENCY:
        f->down_ns = span(in, 100 * SG_NS_PER_MS, 3 * SG_NS_PER_S, 100 * SG_NS_PER_MS);
        f->jitter_ns = span(in, 0, 500 * SG_NS_PER_MS, 100 * SG_NS_PER_MS);
        break;
    case SIM_FAULT_CONNECT_DROP:
        f->up_ns = span(in, 50 * SG_NS_PER_MS, 500 * SG_NS_PER_MS, 50 * SG_NS_PER_MS);
        break;
    case SIM_FAULT_SLOW_SUBSCRIBER:
        f->value = (double)(100 * (1 + fuzz_below(in, 100)));
        break;
    case SIM_FAULT_SLOW_CLIENTS:
        f->value = tenths(in);
        break;
    case SIM_FAULT_FIU: {
        size_t n = 0;
        while (sim_core_fiu_points[n] != NULL) {
            n++;
        }
        (void)snprintf(f->point, sizeof f->point, "%s", sim_core_fiu_points[fuzz_below(in, n)]);
        f->value = tenths(in);
        break;
    }
    case SIM_FAULT_SEND_FAIL:
    case SIM_FAULT_CLIENTS_LEAVE:
        f->value = tenths(in);
        f->target = fuzz_bool(in) ? -1 : (int32_t)fuzz_below(in, workers);
        break;
    default:
        break;
    }
}

static sim_fault make_fault(fuzz_input *in, const sim_scenario *s)
{
    uint32_t workers = s->topology.workers;
    sim_fault_kind kind = (sim_fault_kind)fuzz_below(in, SIM_FAULT_KIND_COUNT);
    if (kind == SIM_FAULT_UPSTREAM_BURST) {
        kind = SIM_FAULT_BACKBONE_DOWN; /* the sync world is off here */
    }
    /* faults end early enough for the convergence bound to apply */
    sim_fault f = sim_fault_make(kind, span(in, 10 * SG_NS_PER_S, s->duration_ns - 250 * SG_NS_PER_S,
                                            100 * SG_NS_PER_MS));
    if ((WORKER_FAULTS >> kind) & 1u || (kind == SIM_FAULT_HALF_OPEN && fuzz_bool(in))) {
        f.target = (int32_t)fuzz_below(in, workers);
    }
    f.duration_ns = span(in, SG_NS_PER_S, 30 * SG_NS_PER_S, 100 * SG_NS_PER_MS);
    fault_details(in, &f, workers);
    /* only the fields its kind uses, as the storm parser keeps them, so
     * the written storm file is exactly the world that ran */
    storm_fault_normalize(&f);
    return f;
}

static void make_world(fuzz_input *in, sim_scenario *s)
{
    sim_scenario_init(s);
    (void)snprintf(s->name, sizeof s->name, "fuzz-sim-faults");
    s->duration_ns = 300 * SG_NS_PER_S;
    s->oracle.convergence_bound_ns = 120 * SG_NS_PER_S; /* as the swarm: chained recoveries */
    s->topology.workers = 1 + (uint32_t)fuzz_below(in, 3);
    s->topology.clients_per_worker = 1 + (uint32_t)fuzz_below(in, 6);
    s->topology.backbone.kind = (sim_backbone_kind)fuzz_below(in, SIM_BACKBONE_KIND_COUNT);
    s->workload.publish_per_s = (double)(1 + fuzz_below(in, 8)) / 2.0;
    s->bcast.clients_max = 64;
    bool watchdog = fuzz_bool(in);
    uint32_t n = (uint32_t)fuzz_below(in, FAULTS_MAX + 1);
    for (uint32_t i = 0; i < n; i++) {
        sim_fault f = make_fault(in, s);
        watchdog |= f.kind == SIM_FAULT_HALF_OPEN; /* the documented mitigation */
        FUZZ_CHECK(sim_scenario_add_fault(s, &f) == SG_OK);
    }
    if (watchdog) {
        s->bcast.watchdog_ns = 6 * SG_NS_PER_S;
        s->bcast.heartbeat_ns = 2 * SG_NS_PER_S;
    }
}

/* Writes the failing world where a person (or sim_shrink) can pick it up. */
static void write_finding(const sim_scenario *s, uint64_t seed, const sim_result *r)
{
    const sim_violation *v = sim_result_first_violation(r);
    (void)mkdir("reports", 0755);
    (void)mkdir("reports/fuzz", 0755);
    if (mkdir(REPORT_DIR, 0755) != 0 && errno != EEXIST) {
        return;
    }
    char path[128];
    (void)snprintf(path, sizeof path, REPORT_DIR "/violation-%016" PRIx64 ".storm", r->trace_hash);
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        return;
    }
    (void)fprintf(out, "# found by fuzz/sim_faults.c (model core, seed %" PRIu64 ")\n", seed);
    (void)fprintf(out, "# %s at %.3f s: %s\n", sim_oracle_name(v->oracle), (double)v->at / 1e9, v->event);
    (void)fprintf(out, "title found by fuzz/sim_faults: %s\n", sim_oracle_name(v->oracle));
    (void)fprintf(out, "expect core: oracle.%s == 0\n", sim_oracle_name(v->oracle));
    sim_scenario_print(out, s);
    (void)fclose(out);
    (void)fprintf(stderr, "sim_faults: scenario written to %s\n", path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sim_scenario s; /* large: not on the stack */
    static sim_model_set core;
    if (core.worker == NULL) {
        sg_error err;
        FUZZ_CHECK_MSG(sim_model_resolve("core", &core, &err) == SG_OK, "%s", err.msg);
    }
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint64_t seed = fuzz_u64(&in);
    make_world(&in, &s);
    s.seed = seed; /* so the written scenario replays on its own */
    sg_error err = {{0}};
    FUZZ_CHECK_MSG(sim_scenario_check(&s, &err) == SG_OK, "the harness built an invalid world: %s", err.msg);
    sim_run_options opt = {.stop_at_first_violation = true, .max_events = EVENTS_MAX};
    sim_result r;
    sg_status st = sim_run(&s, &core, seed, &opt, &r, &err);
    if (st == SG_OK && r.violation_count > 0) {
        const sim_violation *v = sim_result_first_violation(&r);
        write_finding(&s, seed, &r);
        FUZZ_CHECK_MSG(0, "oracle %s at %.3f s: %s", sim_oracle_name(v->oracle), (double)v->at / 1e9, v->event);
    }
    FUZZ_CHECK_MSG(st == SG_OK || st == SG_E_FULL, "sim_run: %s (%s)", sg_status_name(st), err.msg);
    sim_result_free(&r);
    return 0;
}

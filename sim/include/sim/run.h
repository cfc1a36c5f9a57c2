/*
 * run.h - THE entry point of the simulator: run one scenario with one
 * model and one seed, get a sim_result.
 *
 *   sim_model_set m;
 *   sim_model_resolve("core", &m, &err);          // or "stock", "constant-retry", ...
 *   sim_run(&scenario, &m, seed, &options, &result, &err);
 *   ... result.metrics[SIM_M_SPURIOUS_DROPS], sim_result_first_violation(&result) ...
 *   sim_result_free(&result);
 *
 * A run is a pure function of (scenario, model, seed): no wall clock, no
 * threads, no hash or pointer order.  The trace hash in the result proves
 * it; sim_check_determinism runs twice and compares.  Runs in different
 * threads are independent, except scenarios with FIU faults: libfiu's
 * registry is process-global, so run those one at a time per process.
 */
#ifndef STORMGLASS_SIM_RUN_H
#define STORMGLASS_SIM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/fence_model.h"
#include "sim/notifier_model.h"
#include "sim/result.h"
#include "sim/scenario.h"
#include "sim/sync_model.h"
#include "sim/worker_model.h"

/* Queue capacity ceiling of one run (events in flight). */
#define SIM_QUEUE_CAPACITY_MAX (1u << 24)
/* Default cap on processed events (a runaway model is stopped, not hung). */
#define SIM_EVENTS_DEFAULT_MAX ((uint64_t)1 << 32)

/* Which behaviour a run uses: the broadcaster model of the workers, the
 * sync model of the infonet nodes, the notifier of the healthz world and
 * the fence of the app-proxy world.  A member may be NULL when the
 * scenario does not have that world. */
typedef struct sim_model_set {
    const char *name;
    const sim_worker_ops *worker;
    const sim_sync_ops *sync;
    const sim_notifier_ops *notifier;
    const sim_fence_ops *fence;
} sim_model_set;

/* "core" -> the core in every world.  A legacy model's name replaces the
 * core in its own world only: a broadcaster model ("stock", "first-fix"),
 * "constant-retry" (sync), a notifier model ("blocking", "drop",
 * "send-after-close"), a fence model ("legacy").  SG_E_NOT_FOUND for an
 * unknown name. */
sg_status sim_model_resolve(const char *name, sim_model_set *out, sg_error *err);

typedef struct sim_run_options {
    FILE *trace_jsonl;             /* JSON-lines event log, NULL = none */
    FILE *trace_chrome;            /* Chrome/Perfetto trace-event JSON, NULL = none */
    bool stop_at_first_violation;  /* swarm and shrink stop early */
    uint64_t max_events;           /* 0 = SIM_EVENTS_DEFAULT_MAX */
    /* Called at every sample (simulated time `now` of `end`), e.g. for a
     * progress line; NULL = none.  It must not touch the run. */
    void (*progress)(void *ctx, sg_time_ns now, sg_time_ns end);
    void *progress_ctx;
} sim_run_options;

/* Runs `s` (checked first) with seed `seed` (overrides s->seed).  Fills
 * *out (sim_result_init first is not needed; free it with sim_result_free
 * even on failure).  SG_E_INVALID for a bad scenario, SG_E_NOMEM, SG_E_FULL
 * when a run bound (queue, messages, updates, events) is exceeded. */
sg_status sim_run(const sim_scenario *s, const sim_model_set *models, uint64_t seed,
                  const sim_run_options *options, sim_result *out, sg_error *err);

/* Runs twice; SG_E_STATE (err says where) when the trace hashes differ.
 * *hash receives the hash of the first run. */
sg_status sim_check_determinism(const sim_scenario *s, const sim_model_set *models, uint64_t seed,
                                uint64_t *hash, sg_error *err);

#endif

/*
 * storm_run.h - running storms: every (storm, model, seed) of a plan, in
 * this process or in forked worker processes, each run judged against the
 * storm's expectations, the outcomes gathered for reports.
 *
 *   storm_report rep;
 *   storm_report_init(&rep);
 *   storm_report_add_file(&rep, "scenarios/opal/prod.storm");   // parses it
 *   storm_plan plan = storm_plan_default();                     // both modes, storm seeds
 *   storm_report_run(&rep, &plan, storm_exec_default, NULL, &events);
 *   ... rep.entries[i].models[m].first / .failed_runs ...
 *   storm_report_free(&rep);
 *
 * A run executes through a storm_exec_fn, so tests drive the runner with
 * hand-made outcomes; storm_exec_default dispatches on the storm's world
 * (sim_run for the fleet world, storm_world_* for the others).
 *
 * Parallel runs (plan.jobs > 1) fork one process per run, at most `jobs`
 * at a time; a run that crashes (a signal, a sanitizer abort) becomes a
 * failed outcome with the signal named, never a crashed runner.  libfiu's
 * state is per process, so FIU storms are safe in parallel this way.
 * Outcomes are delivered in completion order to the caller's callback and
 * folded into the report in plan order (deterministic reports).
 */
#ifndef STORMGLASS_SIM_STORM_RUN_H
#define STORMGLASS_SIM_STORM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/result.h"
#include "sim/storm.h"

#define STORM_JOBS_MAX 64u              /* parallel worker processes */
#define STORM_SEEDS_MAX 100000u         /* seeds in one sweep */
#define STORM_FAILING_SEEDS_KEPT 16u    /* failing seeds listed per model */
#define STORM_ENTRIES_MAX 4096u         /* storms in one report */
#define STORM_RUN_ERROR_MAX 192u

typedef enum storm_mode {
    STORM_MODE_LEGACY = 1,
    STORM_MODE_CORE = 2,
    STORM_MODE_BOTH = 3
} storm_mode;

sg_status storm_mode_parse(const char *name, storm_mode *out);

/* What to run. */
typedef struct storm_plan {
    storm_mode mode;                /* default BOTH */
    uint32_t model_count;           /* 0 = every model the mode selects; else only these */
    char models[SIM_MODELS_MAX][SIM_MODEL_NAME_MAX];
    bool seeds_given;               /* false: each storm's own `seed` */
    uint64_t seed_first, seed_last; /* inclusive */
    uint32_t jobs;                  /* 1 = in this process; default 1 */
    FILE *trace_jsonl;              /* only with a single run (in process) */
    FILE *trace_chrome;
} storm_plan;

storm_plan storm_plan_default(void);

/* One (storm, model, seed) run. */
typedef struct storm_outcome {
    uint32_t entry;                 /* index into the report */
    int model;                      /* index into the storm's models */
    uint64_t seed;
    sg_status status;               /* SG_OK when the run completed */
    char error[STORM_RUN_ERROR_MAX];/* why it did not */
    double wall_s;                  /* host time the run took (not part of any verdict) */
    sim_result result;              /* series kept for the first seed only */
    double derived[STORM_DERIVED_COUNT]; /* computed before the series go */
    uint32_t verdict_count;         /* expectations that applied */
    storm_verdict verdicts[STORM_EXPECT_MAX];
    uint32_t failed;                /* verdicts that did not pass */
    uint32_t known_gaps;            /* expect-fail verdicts that failed as documented */
} storm_outcome;

/* True when the run completed and every expectation held. */
bool storm_outcome_passed(const storm_outcome *o);

/* Runs one model of one storm with one seed; fills everything of *out but
 * the verdicts (the runner judges).  keep_series: leave the time series in
 * out->result (else they may be freed). */
typedef sg_status (*storm_exec_fn)(void *ctx, const storm *s, int model, uint64_t seed, bool keep_series,
                                   const storm_plan *plan, storm_outcome *out);

/* The real executor: sim_model_resolve + sim_run. */
sg_status storm_exec_default(void *ctx, const storm *s, int model, uint64_t seed, bool keep_series,
                             const storm_plan *plan, storm_outcome *out);

/* Every model of a storm must resolve in the simulator; returns the
 * first that does not (err says which) or SG_OK. */
sg_status storm_check_models(const storm *s, sg_error *err);

typedef struct storm_model_summary {
    uint32_t runs;
    uint32_t failed_runs;           /* completed runs with a failed expectation */
    uint32_t errors;                /* runs that did not complete (crash, bound) */
    double wall_s;                  /* host time of all its runs */
    uint32_t known_gap_runs;        /* runs in which a documented known gap showed */
    uint32_t failing_kept;
    uint64_t failing_seeds[STORM_FAILING_SEEDS_KEPT];
    bool has_first;
    storm_outcome first;            /* the run of the plan's first seed, series kept */
    bool has_failure;
    storm_outcome failure;          /* the first failing run (series freed) */
} storm_model_summary;

typedef struct storm_entry {
    char path[STORM_PATH_MAX];
    sg_status parse_status;
    storm_error parse_error;
    storm *storm;                   /* heap; NULL when parsing failed */
    bool selected[SIM_MODELS_MAX];  /* models the plan runs */
    storm_model_summary models[SIM_MODELS_MAX];
} storm_entry;

typedef struct storm_report {
    uint32_t count;
    storm_entry *entries;           /* heap, grown as files are added */
    uint32_t capacity;
    storm_plan plan;                /* what was run */
    uint64_t runs, failed_runs, errors, known_gap_runs;
    double wall_s;
} storm_report;

void storm_report_init(storm_report *r);
void storm_report_free(storm_report *r);

/* Parses `path` into a new entry (a parse error is kept in the entry, not
 * returned); fragments are skipped (returns SG_OK, no entry).
 * SG_E_FULL past STORM_ENTRIES_MAX, SG_E_NOMEM. */
sg_status storm_report_add_file(storm_report *r, const char *path);
/* Same for a storm already in memory (tests, shrink). */
sg_status storm_report_add_storm(storm_report *r, const char *path, const storm *s);

/* Called after each run, in completion order (progress, failure lines). */
typedef void (*storm_outcome_fn)(void *ctx, const storm_report *r, const storm_outcome *o, uint64_t done,
                                 uint64_t total);

/* Runs the plan over every parsed entry.  SG_E_INVALID for a bad plan
 * (err says why); failures of runs are outcomes, not errors. */
sg_status storm_report_run(storm_report *r, const storm_plan *plan, storm_exec_fn exec, void *exec_ctx,
                           storm_outcome_fn on_outcome, void *cb_ctx, sg_error *err);

/* Runs that the plan selects for an entry's model. */
bool storm_plan_selects(const storm_plan *plan, const storm *s, int model);

/* True when every parsed storm ran and every run passed (and no file failed to parse). */
bool storm_report_passed(const storm_report *r);

/* The exact command that replays one run, e.g.
 * "stormglass run scenarios/opal/prod.storm --model stock --seed 7". */
void storm_replay_command(const storm_entry *e, int model, uint64_t seed, char *buf, size_t size);

#endif

/*
 * storm_run_internal.h - what the runner's files share: the job list and
 * the steps every outcome goes through (execute, judge, fold).
 */
#ifndef STORMGLASS_SIM_STORM_RUN_INTERNAL_H
#define STORMGLASS_SIM_STORM_RUN_INTERNAL_H

#include "sim/storm_run.h"

/* One run of the plan. */
typedef struct storm_job {
    uint32_t entry;
    int model;
    uint64_t seed;
    bool first;      /* the plan's first seed for this (entry, model): keep its series */
} storm_job;

/* Walks the plan's jobs in plan order: entry, model, seed. */
typedef struct storm_job_iter {
    const storm_report *report;
    const storm_plan *plan;
    uint32_t entry;
    int model;
    uint64_t seed;
    bool started;
} storm_job_iter;

void storm_job_iter_init(storm_job_iter *it, const storm_report *r, const storm_plan *plan);
bool storm_job_next(storm_job_iter *it, storm_job *out);

/* The seed range a storm runs with under the plan. */
void storm_plan_seeds(const storm_plan *plan, const storm *s, uint64_t *first, uint64_t *last);

/* Runs a job in this process: exec into *out (zeroed first). */
void storm_job_exec(const storm_report *r, const storm_job *job, const storm_plan *plan, storm_exec_fn exec,
                    void *ctx, storm_outcome *out);

/* Judges *o against its storm's expectations (sets verdicts and failed). */
void storm_outcome_judge(const storm_report *r, storm_outcome *o);

/* Folds *o into the report, taking its series (storm_report.c). */
void storm_report_fold(storm_report *r, storm_outcome *o, uint64_t first_seed);

/* Runs every job in forked processes, at most plan->jobs at once
 * (storm_pool.c).  Each finished outcome goes through judge, the callback
 * and fold. */
sg_status storm_pool_run(storm_report *r, const storm_plan *plan, storm_exec_fn exec, void *ctx,
                         storm_outcome_fn on_outcome, void *cb_ctx, uint64_t total, sg_error *err);

#endif

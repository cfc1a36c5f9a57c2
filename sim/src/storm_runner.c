/*
 * storm_runner.c - turns a plan into runs: which (storm, model, seed)
 * triples, run here one after another (jobs = 1) or handed to the process
 * pool (storm_pool.c), each outcome judged and folded into the report.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storm_run_internal.h"

static double wall_now(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void storm_plan_seeds(const storm_plan *plan, const storm *s, uint64_t *first, uint64_t *last)
{
    assert(plan != NULL && s != NULL);
    *first = plan->seeds_given ? plan->seed_first : s->scenario.seed;
    *last = plan->seeds_given ? plan->seed_last : s->scenario.seed;
}

void storm_job_iter_init(storm_job_iter *it, const storm_report *r, const storm_plan *plan)
{
    memset(it, 0, sizeof *it);
    it->report = r;
    it->plan = plan;
}

/* Advances to the next selected (entry, model), seed at its first. */
static bool next_model(storm_job_iter *it)
{
    const storm_report *r = it->report;
    while (it->entry < r->count) {
        const storm *s = r->entries[it->entry].storm;
        it->model++;
        if (s != NULL && (uint32_t)it->model < s->scenario.model_count) {
            if (storm_plan_selects(it->plan, s, it->model)) {
                uint64_t last;
                storm_plan_seeds(it->plan, s, &it->seed, &last);
                return true;
            }
            continue;
        }
        it->entry++;
        it->model = -1;
    }
    return false;
}

bool storm_job_next(storm_job_iter *it, storm_job *out)
{
    assert(it != NULL && out != NULL);
    const storm_report *r = it->report;
    if (!it->started) {
        it->started = true;
        it->entry = 0;
        it->model = -1;
        if (!next_model(it)) {
            return false;
        }
    } else {
        uint64_t first, last;
        storm_plan_seeds(it->plan, r->entries[it->entry].storm, &first, &last);
        if (it->seed < last) {
            it->seed++;
        } else if (!next_model(it)) {
            return false;
        }
    }
    uint64_t first, last;
    storm_plan_seeds(it->plan, r->entries[it->entry].storm, &first, &last);
    *out = (storm_job){it->entry, it->model, it->seed, it->seed == first};
    return true;
}

void storm_job_exec(const storm_report *r, const storm_job *job, const storm_plan *plan, storm_exec_fn exec,
                    void *ctx, storm_outcome *out)
{
    assert(job->entry < r->count);
    memset(out, 0, sizeof *out);
    out->entry = job->entry;
    out->model = job->model;
    out->seed = job->seed;
    double t0 = wall_now();
    (void)exec(ctx, r->entries[job->entry].storm, job->model, job->seed, job->first, plan, out);
    out->wall_s = wall_now() - t0;
    out->entry = job->entry; /* whatever exec did, the identity stays */
    out->model = job->model;
    out->seed = job->seed;
}

void storm_outcome_judge(const storm_report *r, storm_outcome *o)
{
    assert(o->entry < r->count);
    const storm *s = r->entries[o->entry].storm;
    o->verdict_count = 0;
    o->failed = 0;
    if (o->status != SG_OK) {
        return; /* a run that did not complete measured nothing */
    }
    o->verdict_count = storm_judge(s, o->model, &o->result, o->derived, o->verdicts, STORM_EXPECT_MAX);
    o->known_gaps = 0;
    for (uint32_t i = 0; i < o->verdict_count; i++) {
        o->failed += o->verdicts[i].passed ? 0u : 1u;
        o->known_gaps += o->verdicts[i].passed && !o->verdicts[i].held ? 1u : 0u;
    }
}

static sg_status check_plan(const storm_plan *plan, uint64_t total, sg_error *err)
{
    if (plan->jobs == 0 || plan->jobs > STORM_JOBS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "jobs: must be within 1 .. %u", STORM_JOBS_MAX);
    }
    if (plan->seeds_given &&
        (plan->seed_last < plan->seed_first || plan->seed_last - plan->seed_first >= STORM_SEEDS_MAX)) {
        return sg_error_set(err, SG_E_INVALID, "seeds: A..B with A <= B and at most %u seeds", STORM_SEEDS_MAX);
    }
    if ((plan->trace_jsonl != NULL || plan->trace_chrome != NULL) && (total != 1 || plan->jobs != 1)) {
        return sg_error_set(err, SG_E_INVALID,
                            "trace: needs exactly one run (name one storm, --model and --seed; -j 1), "
                            "this plan has %llu",
                            (unsigned long long)total);
    }
    return SG_OK;
}

static uint64_t count_jobs(const storm_report *r, const storm_plan *plan)
{
    storm_job_iter it;
    storm_job job;
    uint64_t n = 0;
    storm_job_iter_init(&it, r, plan);
    while (storm_job_next(&it, &job)) {
        n++;
    }
    return n;
}

static void mark_selected(storm_report *r, const storm_plan *plan)
{
    for (uint32_t i = 0; i < r->count; i++) {
        storm_entry *e = &r->entries[i];
        for (uint32_t m = 0; e->storm != NULL && m < e->storm->scenario.model_count; m++) {
            e->selected[m] = storm_plan_selects(plan, e->storm, (int)m);
        }
    }
}

sg_status storm_report_run(storm_report *r, const storm_plan *plan, storm_exec_fn exec, void *exec_ctx,
                           storm_outcome_fn on_outcome, void *cb_ctx, sg_error *err)
{
    assert(r != NULL && plan != NULL && exec != NULL);
    uint64_t total = count_jobs(r, plan);
    sg_status st = check_plan(plan, total, err);
    if (st != SG_OK) {
        return st;
    }
    r->plan = *plan;
    mark_selected(r, plan);
    double t0 = wall_now();
    if (plan->jobs > 1) {
        st = storm_pool_run(r, plan, exec, exec_ctx, on_outcome, cb_ctx, total, err);
    } else {
        storm_outcome *o = malloc(sizeof *o); /* ~6 KiB: kept off the stack */
        if (o == NULL) {
            return sg_error_set(err, SG_E_NOMEM, "out of memory");
        }
        storm_job_iter it;
        storm_job job;
        uint64_t done = 0;
        storm_job_iter_init(&it, r, plan);
        while (storm_job_next(&it, &job)) {
            storm_job_exec(r, &job, plan, exec, exec_ctx, o);
            storm_outcome_judge(r, o);
            done++;
            if (on_outcome != NULL) {
                on_outcome(cb_ctx, r, o, done, total);
            }
            uint64_t first, last;
            storm_plan_seeds(plan, r->entries[job.entry].storm, &first, &last);
            storm_report_fold(r, o, first);
        }
        free(o);
    }
    r->wall_s = wall_now() - t0;
    return st;
}

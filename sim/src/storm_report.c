/*
 * storm_report.c - the gathered outcomes of a storm run: entries (one per
 * storm file), per-model summaries, and how an outcome is folded in.
 *
 * Folding is independent of completion order, so parallel runs give the
 * same report as sequential ones: the first-seed run is identified by its
 * seed, failing seeds are kept smallest first, and the failure shown is
 * the one with the smallest seed.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storm_run_internal.h"

static const char *const mode_names[] = {"", "legacy", "core", "both"};

sg_status storm_mode_parse(const char *name, storm_mode *out)
{
    for (int m = STORM_MODE_LEGACY; m <= STORM_MODE_BOTH; m++) {
        if (name != NULL && strcmp(name, mode_names[m]) == 0) {
            *out = (storm_mode)m;
            return SG_OK;
        }
    }
    return SG_E_INVALID;
}

storm_plan storm_plan_default(void)
{
    storm_plan p;
    memset(&p, 0, sizeof p);
    p.mode = STORM_MODE_BOTH;
    p.jobs = 1;
    return p;
}

bool storm_plan_selects(const storm_plan *plan, const storm *s, int model)
{
    assert(plan != NULL && s != NULL);
    if (model < 0 || (uint32_t)model >= s->scenario.model_count) {
        return false;
    }
    const char *name = s->scenario.models[model];
    if (plan->model_count > 0) {
        for (uint32_t i = 0; i < plan->model_count; i++) {
            if (strcmp(plan->models[i], name) == 0) {
                return true;
            }
        }
        return false;
    }
    unsigned want = storm_model_is_core(name) ? STORM_MODE_CORE : STORM_MODE_LEGACY;
    return ((unsigned)plan->mode & want) != 0;
}

bool storm_outcome_passed(const storm_outcome *o)
{
    assert(o != NULL);
    return o->status == SG_OK && o->failed == 0;
}

void storm_report_init(storm_report *r)
{
    assert(r != NULL);
    memset(r, 0, sizeof *r);
    r->plan = storm_plan_default();
}

static void free_summary(storm_model_summary *m)
{
    sim_result_free(&m->first.result);
    sim_result_free(&m->failure.result);
}

void storm_report_free(storm_report *r)
{
    if (r == NULL) {
        return;
    }
    for (uint32_t i = 0; i < r->count; i++) {
        for (uint32_t m = 0; m < SIM_MODELS_MAX; m++) {
            free_summary(&r->entries[i].models[m]);
        }
        free(r->entries[i].storm);
    }
    free(r->entries);
    memset(r, 0, sizeof *r);
}

static storm_entry *new_entry(storm_report *r, const char *path)
{
    if (r->count >= STORM_ENTRIES_MAX) {
        return NULL;
    }
    if (r->count == r->capacity) {
        uint32_t cap = r->capacity == 0 ? 16u : r->capacity * 2u;
        storm_entry *grown = realloc(r->entries, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            return NULL;
        }
        r->entries = grown;
        r->capacity = cap;
    }
    storm_entry *e = &r->entries[r->count];
    memset(e, 0, sizeof *e);
    (void)snprintf(e->path, sizeof e->path, "%s", path);
    return e;
}

sg_status storm_report_add_file(storm_report *r, const char *path)
{
    assert(r != NULL && path != NULL);
    storm *s = malloc(sizeof *s);
    if (s == NULL) {
        return SG_E_NOMEM;
    }
    storm_error perr;
    sg_status st = storm_parse_file(path, s, &perr);
    if (st == SG_OK && s->fragment) {
        free(s);
        return SG_OK;
    }
    storm_entry *e = new_entry(r, path);
    if (e == NULL) {
        free(s);
        return r->count >= STORM_ENTRIES_MAX ? SG_E_FULL : SG_E_NOMEM;
    }
    e->parse_status = st;
    e->parse_error = perr;
    e->storm = st == SG_OK ? s : NULL;
    if (st != SG_OK) {
        free(s);
    }
    r->count++;
    return SG_OK;
}

sg_status storm_report_add_storm(storm_report *r, const char *path, const storm *s)
{
    assert(r != NULL && path != NULL && s != NULL);
    storm *copy = malloc(sizeof *copy);
    storm_entry *e = copy != NULL ? new_entry(r, path) : NULL;
    if (e == NULL) {
        free(copy);
        return r->count >= STORM_ENTRIES_MAX ? SG_E_FULL : SG_E_NOMEM;
    }
    memcpy(copy, s, sizeof *copy);
    e->storm = copy;
    r->count++;
    return SG_OK;
}

/* Keeps the STORM_FAILING_SEEDS_KEPT smallest failing seeds, sorted. */
static void keep_failing_seed(storm_model_summary *m, uint64_t seed)
{
    uint32_t n = m->failing_kept;
    if (n == STORM_FAILING_SEEDS_KEPT && seed >= m->failing_seeds[n - 1]) {
        return;
    }
    uint32_t i = n < STORM_FAILING_SEEDS_KEPT ? n : n - 1;
    while (i > 0 && m->failing_seeds[i - 1] > seed) {
        m->failing_seeds[i] = m->failing_seeds[i - 1];
        i--;
    }
    m->failing_seeds[i] = seed;
    if (n < STORM_FAILING_SEEDS_KEPT) {
        m->failing_kept++;
    }
}

/* Takes ownership of o's series: they end in `first` or are freed. */
void storm_report_fold(storm_report *r, storm_outcome *o, uint64_t first_seed)
{
    assert(r != NULL && o != NULL);
    assert(o->entry < r->count && o->model >= 0 && o->model < (int)SIM_MODELS_MAX);
    storm_model_summary *m = &r->entries[o->entry].models[o->model];
    m->runs++;
    m->wall_s += o->wall_s;
    r->runs++;
    bool passed = storm_outcome_passed(o);
    m->known_gap_runs += o->known_gaps > 0 ? 1u : 0u;
    r->known_gap_runs += o->known_gaps > 0 ? 1u : 0u;
    if (o->status != SG_OK) {
        m->errors++;
        r->errors++;
    } else if (!passed) {
        m->failed_runs++;
        r->failed_runs++;
    }
    if (!passed) {
        keep_failing_seed(m, o->seed);
        if (!m->has_failure || o->seed < m->failure.seed) {
            sim_result_free(&m->failure.result);
            m->failure = *o;
            memset(m->failure.result.series, 0, sizeof m->failure.result.series);
            m->failure.result.samples = 0;
            m->has_failure = true;
        }
    }
    if (o->seed == first_seed && !m->has_first) {
        m->first = *o; /* the series move with it */
        m->has_first = true;
    } else {
        sim_result_free(&o->result);
    }
    memset(o->result.series, 0, sizeof o->result.series);
}

bool storm_report_passed(const storm_report *r)
{
    assert(r != NULL);
    for (uint32_t i = 0; i < r->count; i++) {
        if (r->entries[i].parse_status != SG_OK) {
            return false;
        }
    }
    return r->failed_runs == 0 && r->errors == 0;
}

void storm_replay_command(const storm_entry *e, int model, uint64_t seed, char *buf, size_t size)
{
    assert(e != NULL && buf != NULL && size > 0);
    const char *name = e->storm != NULL && model >= 0 ? e->storm->scenario.models[model] : "?";
    (void)snprintf(buf, size, "stormglass run %s --model %s --seed %llu", e->path, name, (unsigned long long)seed);
}

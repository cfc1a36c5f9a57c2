/*
 * shrink.c - delta debugging of a failing scenario.
 *
 * The predicate is "this scenario, run with this seed, still violates
 * this oracle" (only that oracle is checked, and the run stops at its
 * first violation).  Passes, each keeping only changes that still fail:
 *   1. ddmin over the fault list (chunks, then complements, then single
 *      faults), so what remains is 1-minimal;
 *   2. each fault made smaller (flap cycles, spans halved);
 *   3. the topology made smaller (fewer workers, fewer clients).
 * Every candidate is a full, explicit scenario: the result replays as is.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/search.h"

typedef struct shrinker {
    const sim_model_set *models;
    uint64_t seed;
    sim_oracle_id oracle;
    uint32_t runs, runs_max;
    sim_scenario cand;   /* scratch candidate */
} shrinker;

bool sim_fails_with(const sim_scenario *s, const sim_model_set *models, uint64_t seed, sim_oracle_id oracle)
{
    sim_scenario *only = malloc(sizeof *only);
    if (only == NULL) {
        return false;
    }
    *only = *s;
    only->oracle.checks = 1u << oracle;
    sim_run_options opt = {.stop_at_first_violation = true};
    sim_result r;
    sg_status st = sim_run(only, models, seed, &opt, &r, NULL);
    bool fails = st == SG_OK && r.violations_per_oracle[oracle] > 0;
    sim_result_free(&r);
    free(only);
    return fails;
}

static bool try_candidate(shrinker *k, sim_scenario *best)
{
    if (k->runs >= k->runs_max) {
        return false;
    }
    k->runs++;
    if (sim_scenario_check(&k->cand, NULL) != SG_OK ||
        !sim_fails_with(&k->cand, k->models, k->seed, k->oracle)) {
        return false;
    }
    *best = k->cand;
    return true;
}

/* Candidate = best's faults [from, to) kept (keep=true) or removed. */
static bool try_range(shrinker *k, sim_scenario *best, uint32_t from, uint32_t to, bool keep)
{
    k->cand = *best;
    uint32_t n = 0;
    for (uint32_t i = 0; i < best->fault_count; i++) {
        bool inside = i >= from && i < to;
        if (inside == keep) {
            k->cand.faults[n++] = best->faults[i];
        }
    }
    k->cand.fault_count = n;
    return try_candidate(k, best);
}

static void ddmin_faults(shrinker *k, sim_scenario *best)
{
    uint32_t parts = 2;
    while (best->fault_count >= 2 && k->runs < k->runs_max) {
        uint32_t count = best->fault_count;
        uint32_t chunk = (count + parts - 1) / parts;
        bool reduced = false;
        for (uint32_t i = 0; i < parts && !reduced && i * chunk < count; i++) {
            reduced = try_range(k, best, i * chunk, (i + 1) * chunk, true);
        }
        for (uint32_t i = 0; i < parts && !reduced && i * chunk < count; i++) {
            reduced = try_range(k, best, i * chunk, (i + 1) * chunk, false);
        }
        if (reduced) {
            parts = parts > 2 ? parts - 1 : 2;
        } else if (parts >= count) {
            break;
        } else {
            parts = parts * 2 < count ? parts * 2 : count;
        }
    }
    for (uint32_t i = best->fault_count; i-- > 0 && k->runs < k->runs_max;) {
        (void)try_range(k, best, i, i + 1, false);
    }
}

/* Kinds whose duration_ns means something (the others ignore it). */
static bool has_span(sim_fault_kind kind)
{
    sim_fault probe = sim_fault_make(kind, 0);
    probe.duration_ns = 1;
    return kind != SIM_FAULT_FLAP && sim_fault_end(&probe) != 0;
}

static void shrink_fault_sizes(shrinker *k, sim_scenario *best)
{
    for (uint32_t i = 0; i < best->fault_count; i++) {
        if (!has_span(best->faults[i].kind) && best->faults[i].duration_ns != 0) {
            k->cand = *best;
            k->cand.faults[i].duration_ns = 0; /* say nothing that does not matter */
            (void)try_candidate(k, best);
        }
        while (best->faults[i].kind == SIM_FAULT_FLAP && best->faults[i].count > 1) {
            k->cand = *best;
            k->cand.faults[i].count /= 2;
            if (!try_candidate(k, best)) {
                break;
            }
        }
        while (has_span(best->faults[i].kind) && best->faults[i].duration_ns >= 2 * SG_NS_PER_S) {
            k->cand = *best;
            k->cand.faults[i].duration_ns /= 2;
            if (!try_candidate(k, best)) {
                break;
            }
        }
    }
}

static bool targets_worker(const sim_scenario *s, uint32_t w)
{
    for (uint32_t i = 0; i < s->fault_count; i++) {
        if (s->faults[i].target >= 0 && (uint32_t)s->faults[i].target >= w) {
            return true;
        }
    }
    return s->workload.publisher >= 0 && (uint32_t)s->workload.publisher >= w;
}

static void shrink_topology(shrinker *k, sim_scenario *best)
{
    while (best->topology.workers > 1 && !targets_worker(best, best->topology.workers - 1)) {
        k->cand = *best;
        k->cand.topology.workers--;
        if (!try_candidate(k, best)) {
            break;
        }
    }
    while (best->topology.clients_per_worker > 1) {
        k->cand = *best;
        k->cand.topology.clients_per_worker /= 2;
        if (!try_candidate(k, best)) {
            break;
        }
    }
}

sg_status sim_shrink(const sim_scenario *failing, const sim_model_set *models, uint64_t seed, sim_oracle_id oracle,
                     uint32_t runs_max, sim_scenario *out, sim_shrink_stats *stats, sg_error *err)
{
    shrinker *k = calloc(1, sizeof *k);
    if (k == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "shrink: no memory");
    }
    *k = (shrinker){.models = models, .seed = seed, .oracle = oracle,
                    .runs_max = runs_max > 0 ? runs_max : SIM_SHRINK_RUNS_DEFAULT};
    *out = *failing;
    out->seed = seed;
    memset(stats, 0, sizeof *stats);
    stats->faults_before = failing->fault_count;
    stats->workers_before = failing->topology.workers;
    stats->clients_before = failing->topology.clients_per_worker;
    k->runs = 1;
    if (!sim_fails_with(out, models, seed, oracle)) {
        free(k);
        return sg_error_set(err, SG_E_INVALID, "shrink: the scenario does not fail %s with seed %llu",
                            sim_oracle_name(oracle), (unsigned long long)seed);
    }
    ddmin_faults(k, out);
    shrink_fault_sizes(k, out);
    shrink_topology(k, out);
    ddmin_faults(k, out); /* a smaller world may need fewer faults */
    (void)snprintf(out->name, sizeof out->name, "shrunk-%s", sim_oracle_name(oracle));
    stats->runs = k->runs;
    stats->faults_after = out->fault_count;
    stats->workers_after = out->topology.workers;
    stats->clients_after = out->topology.clients_per_worker;
    free(k);
    return SG_OK;
}

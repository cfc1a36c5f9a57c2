/*
 * enumerate.c - exhaustive small-fault enumeration of a base scenario, in
 * the manner of SQLite's anomaly tests.
 *
 * A fault site is a fault kind aimed at one target (a worker, or the whole
 * backbone).  Every site is tried at every time bucket on its own; a site
 * counts as covered when at least one of its runs differs from the
 * fault-free baseline (its trace hash changed), i.e. the fault reached
 * code that reacted to it.  Then every pair of those singles, up to a
 * bound.  Runs that break an oracle are findings.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/search.h"

#define WORKER_SITE_KINDS                                                                        \
    ((1u << SIM_FAULT_PARTITION) | (1u << SIM_FAULT_SUBSCRIBER_KILL) | (1u << SIM_FAULT_SLOW_SUBSCRIBER) | \
     (1u << SIM_FAULT_SLOW_CLIENTS) | (1u << SIM_FAULT_WORKER_CRASH) | (1u << SIM_FAULT_HALF_OPEN) |     \
     (1u << SIM_FAULT_SEND_FAIL) | (1u << SIM_FAULT_CLIENTS_LEAVE) | (1u << SIM_FAULT_GRACEFUL_RESTART))
#define ENUM_FIU_POINTS_MAX 32u
#define ENUM_SITES_MAX ((size_t)SIM_FAULT_KIND_COUNT * (SIM_WORKERS_MAX + 1) + ENUM_FIU_POINTS_MAX)

void sim_enum_config_default(sim_enum_config *c)
{
    memset(c, 0, sizeof *c);
    c->time_buckets = 6;
    c->fault_kinds = ((1u << SIM_FAULT_KIND_COUNT) - 1u) & ~(1u << SIM_FAULT_UPSTREAM_BURST) &
                     ~(1u << SIM_FAULT_GRACEFUL_RESTART);
    c->fiu_points = sim_core_fiu_points;
    c->fault_ns = 10 * SG_NS_PER_S;
    c->pairs = true;
    c->pair_runs_max = 2000;
}

/* A representative fault of `kind` for target `t` starting at `at`; for
 * FIU sites `t` is the index of the point in c->fiu_points. */
static sim_fault site_fault(const sim_enum_config *c, sim_fault_kind kind, int32_t t, sg_time_ns at)
{
    sim_fault f = sim_fault_make(kind, at);
    f.target = t;
    if (kind == SIM_FAULT_FIU) {
        f.target = -1;
        f.value = 1.0;
        (void)snprintf(f.point, sizeof f.point, "%s", c->fiu_points[t]);
    }
    f.duration_ns = c->fault_ns;
    switch (kind) {
    case SIM_FAULT_FLAP:
        f.duration_ns = 0;
        f.count = 3;
        f.down_ns = c->fault_ns / 6 > 0 ? c->fault_ns / 6 : 1;
        f.up_ns = f.down_ns;
        break;
    case SIM_FAULT_LATENCY: f.down_ns = 2 * SG_NS_PER_S; break;
    case SIM_FAULT_CONNECT_DROP: f.up_ns = 100 * SG_NS_PER_MS; break;
    case SIM_FAULT_SLOW_SUBSCRIBER: f.value = 100.0; break;
    case SIM_FAULT_SLOW_CLIENTS: f.value = 0.5; break;
    case SIM_FAULT_UPSTREAM_BURST: f.count = 20; break;
    case SIM_FAULT_SEND_FAIL:
    case SIM_FAULT_CLIENTS_LEAVE: f.value = 1.0; break;
    default: break;
    }
    return f;
}

typedef struct enumerator {
    const sim_scenario *base;
    const sim_model_set *models;
    uint64_t seed;
    uint64_t baseline_hash;
    sim_scenario cand;
    sim_enum_report *rep;
} enumerator;

/* One finding per (oracle, fault kinds) shape keeps the list diverse. */
static bool already_kept(const sim_enum_report *rep, const sim_fault *faults, uint32_t n, sim_oracle_id oracle)
{
    for (uint32_t i = 0; i < rep->kept; i++) {
        const sim_enum_finding *f = &rep->findings[i];
        if (f->first.oracle == oracle && f->faults == n && f->fault[0].kind == faults[0].kind &&
            (n < 2 || f->fault[1].kind == faults[1].kind)) {
            return true;
        }
    }
    return false;
}

/* Runs base + the given faults; returns true if the trace differs. */
static bool run_with(enumerator *e, const sim_fault *faults, uint32_t n)
{
    e->cand = *e->base;
    for (uint32_t i = 0; i < n; i++) {
        (void)sim_scenario_add_fault(&e->cand, &faults[i]);
    }
    sim_result r;
    sg_status st = sim_run(&e->cand, e->models, e->seed, NULL, &r, NULL);
    bool differs = st == SG_OK && r.trace_hash != e->baseline_hash;
    if (st == SG_OK && r.violations_kept > 0) {
        e->rep->failures++;
        if (e->rep->kept < SIM_ENUM_FINDINGS_KEPT && !already_kept(e->rep, faults, n, r.violations[0].oracle)) {
            sim_enum_finding *f = &e->rep->findings[e->rep->kept++];
            f->faults = n;
            memcpy(f->fault, faults, n * sizeof *faults);
            f->first = r.violations[0];
        }
    }
    sim_result_free(&r);
    return differs;
}

static uint32_t enumerate_sites(const sim_enum_config *c, uint32_t workers, sim_fault_kind *kinds, int32_t *targets)
{
    uint32_t n = 0;
    for (unsigned k = 0; k < SIM_FAULT_KIND_COUNT; k++) {
        if (!((c->fault_kinds >> k) & 1u)) {
            continue;
        }
        if (k == SIM_FAULT_FIU) {
            for (uint32_t p = 0; c->fiu_points != NULL && c->fiu_points[p] != NULL && p < ENUM_FIU_POINTS_MAX; p++) {
                kinds[n] = SIM_FAULT_FIU;
                targets[n++] = (int32_t)p;
            }
        } else if ((WORKER_SITE_KINDS >> k) & 1u) {
            for (uint32_t w = 0; w < workers; w++) {
                kinds[n] = (sim_fault_kind)k;
                targets[n++] = (int32_t)w;
            }
        } else {
            kinds[n] = (sim_fault_kind)k;
            targets[n++] = -1;
        }
    }
    return n;
}

static sg_status baseline(enumerator *e, sg_error *err)
{
    sim_result r;
    sg_status st = sim_run(e->base, e->models, e->seed, NULL, &r, err);
    e->baseline_hash = r.trace_hash;
    sim_result_free(&r);
    return st;
}

sg_status sim_enumerate(const sim_scenario *base, const sim_model_set *models, uint64_t seed,
                        const sim_enum_config *c, sim_enum_report *rep, sg_error *err)
{
    memset(rep, 0, sizeof *rep);
    if (c->time_buckets == 0 || base->fault_count + 2 > SIM_FAULTS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "enumerate: time-buckets >= 1 and room for 2 faults");
    }
    enumerator *e = calloc(1, sizeof *e);
    sim_fault_kind *kinds = calloc(ENUM_SITES_MAX, sizeof *kinds);
    int32_t *targets = calloc(ENUM_SITES_MAX, sizeof *targets);
    uint32_t sites = 0;
    if (kinds != NULL && targets != NULL) {
        sites = enumerate_sites(c, base->topology.workers, kinds, targets);
    }
    sim_fault *singles = calloc((size_t)sites * c->time_buckets + 1, sizeof *singles);
    sg_status st = (e == NULL || kinds == NULL || targets == NULL || singles == NULL) ? SG_E_NOMEM : SG_OK;
    if (st == SG_OK) {
        *e = (enumerator){.base = base, .models = models, .seed = seed, .rep = rep};
        st = baseline(e, err);
    }
    uint32_t nsingles = 0;
    for (uint32_t s = 0; st == SG_OK && s < sites; s++) {
        bool effective = false;
        for (uint32_t b = 0; b < c->time_buckets; b++) {
            sg_time_ns at = base->duration_ns / (c->time_buckets + 2) * (b + 1);
            singles[nsingles] = site_fault(c, kinds[s], targets[s], at);
            rep->singles++;
            effective |= run_with(e, &singles[nsingles++], 1);
        }
        rep->sites_effective += effective ? 1u : 0u;
        if (!effective && rep->cold_kept < SIM_ENUM_COLD_KEPT) {
            rep->cold[rep->cold_kept++] = singles[nsingles - 1];
        }
    }
    rep->sites = sites;
    rep->coverage_percent = sites > 0 ? 100.0 * rep->sites_effective / sites : 0.0;
    for (uint32_t i = 0; st == SG_OK && c->pairs && i < nsingles; i++) {
        for (uint32_t j = i + 1; j < nsingles && rep->pairs < c->pair_runs_max; j++) {
            sim_fault pair[2] = {singles[i], singles[j]};
            rep->pairs++;
            (void)run_with(e, pair, 2);
        }
    }
    free(singles);
    free(targets);
    free(kinds);
    free(e);
    return st == SG_E_NOMEM ? sg_error_set(err, st, "enumerate: no memory") : st;
}

void sim_enum_print(FILE *out, const sim_enum_report *rep)
{
    fprintf(out, "enumerate: %u fault sites, %u effective (%.1f%% coverage); %u single + %u pair runs, %u failing\n",
            rep->sites, rep->sites_effective, rep->coverage_percent, rep->singles, rep->pairs, rep->failures);
    for (uint32_t i = 0; i < rep->cold_kept; i++) {
        const sim_fault *c = &rep->cold[i];
        fprintf(out, "  cold site: %s", sim_fault_kind_name(c->kind));
        if (c->kind == SIM_FAULT_FIU) {
            fprintf(out, " %s", c->point);
        } else if (c->target >= 0) {
            fprintf(out, " worker %d", c->target);
        }
        fputc('\n', out);
    }
    for (uint32_t i = 0; i < rep->kept; i++) {
        const sim_enum_finding *f = &rep->findings[i];
        fprintf(out, "  %s@%.1fs", sim_fault_kind_name(f->fault[0].kind), (double)f->fault[0].at / 1e9);
        if (f->faults > 1) {
            fprintf(out, " + %s@%.1fs", sim_fault_kind_name(f->fault[1].kind), (double)f->fault[1].at / 1e9);
        }
        fprintf(out, " -> %s: %s\n", sim_oracle_name(f->first.oracle), f->first.event);
    }
}

/*
 * search.h - looking for failures instead of replaying known ones.
 *
 *   swarm       many seeds; each seed draws its own topology, config and
 *               fault mix (sim_swarm_draw), runs it and records the oracle
 *               violations; the summary lists failing seeds.
 *   shrink      delta debugging over a failing scenario's fault list, then
 *               the faults' own sizes (flap counts, durations), then the
 *               topology, keeping only changes that still fail the same
 *               oracle.  The result is an explicit scenario (print it with
 *               sim_scenario_print) whose faults carry their own times, so
 *               it replays without depending on PRNG draw order.
 *   enumerate   SQLite-style exhaustive small faults: every single fault at
 *               every fault site (kind x target) and time bucket of a base
 *               scenario, then pairs up to a bound; reports which sites
 *               had any observable effect (fault-site coverage in percent)
 *               and which combinations broke an oracle.
 * Every run is an ordinary sim_run, so any finding replays with its seed.
 */
#ifndef STORMGLASS_SIM_SEARCH_H
#define STORMGLASS_SIM_SEARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/result.h"
#include "sim/run.h"
#include "sim/scenario.h"

/* libfiu points inside the core that swarm and enumeration aim FIU faults
 * at (NULL-terminated): the broadcaster's allocations. */
extern const char *const sim_core_fiu_points[];

/* ---- swarm ------------------------------------------------------------- */

#define SIM_SWARM_FAILURES_KEPT 32u

typedef struct sim_swarm_config {
    uint64_t seed_first;          /* default 1 */
    uint64_t seed_count;          /* default 100 */
    uint32_t workers_max;         /* topology drawn in 1 .. this, default 4 */
    uint32_t clients_max;         /* clients per worker drawn in 1 .. this, default 20 */
    uint32_t faults_max;          /* faults drawn in 0 .. this, default 6 */
    uint32_t fault_kinds;         /* bit (1 << sim_fault_kind) allowed, default all but
                                     UPSTREAM_BURST */
    const char *const *fiu_points;/* FIU faults pick one of these (NULL-terminated);
                                     default sim_core_fiu_points */
    uint32_t backbone_kinds;      /* bit (1 << sim_backbone_kind), default all */
    sg_duration_ns duration_ns;   /* default 5 min */
    uint32_t oracle_checks;       /* default SIM_ORACLE_ALL */
    bool draw_settings;           /* also draw backbone timing, core settings (buffer size,
                                     delivery policy, settle, cooldown, max retries,
                                     watchdog), client policy and a probe; default true.
                                     false: scenario defaults except the watchdog */
} sim_swarm_config;

typedef struct sim_swarm_failure {
    uint64_t seed;
    sim_violation first;          /* the first violation of that run */
} sim_swarm_failure;

typedef struct sim_swarm_summary {
    uint64_t runs;
    uint64_t failures;            /* runs with at least one violation */
    uint64_t errors;              /* runs that could not complete (a bound hit) */
    uint64_t events;              /* simulated events in all runs */
    uint32_t per_oracle[SIM_ORACLE_COUNT]; /* failing runs by first violation */
    uint32_t kept;
    sim_swarm_failure failing[SIM_SWARM_FAILURES_KEPT];
} sim_swarm_summary;

void sim_swarm_config_default(sim_swarm_config *c);

/* The scenario seed `seed` stands for (deterministic, independent of order). */
void sim_swarm_draw(const sim_swarm_config *c, uint64_t seed, sim_scenario *out);

/* Runs every seed; fills *summary.  SG_E_INVALID for a bad config. */
sg_status sim_swarm(const sim_swarm_config *c, const sim_model_set *models, sim_swarm_summary *summary,
                    sg_error *err);

void sim_swarm_print(FILE *out, const sim_swarm_summary *summary);

/* ---- shrink --------------------------------------------------------------- */

typedef struct sim_shrink_stats {
    uint32_t runs;                /* sim_run calls made */
    uint32_t faults_before, faults_after;
    uint32_t workers_before, workers_after;
    uint32_t clients_before, clients_after;
} sim_shrink_stats;

#define SIM_SHRINK_RUNS_DEFAULT 400u

/* Shrinks `failing` (which fails `oracle` with `seed`) into *out.  runs_max
 * 0 = SIM_SHRINK_RUNS_DEFAULT.  SG_E_INVALID if the input does not fail. */
sg_status sim_shrink(const sim_scenario *failing, const sim_model_set *models, uint64_t seed, sim_oracle_id oracle,
                     uint32_t runs_max, sim_scenario *out, sim_shrink_stats *stats, sg_error *err);

/* True when running `s` with `seed` violates `oracle` (the shrink predicate). */
bool sim_fails_with(const sim_scenario *s, const sim_model_set *models, uint64_t seed, sim_oracle_id oracle);

/* ---- exhaustive enumeration --------------------------------------------------- */

#define SIM_ENUM_FINDINGS_KEPT 16u
#define SIM_ENUM_COLD_KEPT 32u

typedef struct sim_enum_config {
    uint32_t time_buckets;        /* fault start times spread over the run, default 6 */
    uint32_t fault_kinds;         /* bit (1 << sim_fault_kind), default as the swarm */
    const char *const *fiu_points;/* each point is one FIU fault site; default sim_core_fiu_points */
    sg_duration_ns fault_ns;      /* span of each fault, default 10 s */
    bool pairs;                   /* then every pair of singles, default true */
    uint32_t pair_runs_max;       /* bound on pair runs, default 2000 */
} sim_enum_config;

typedef struct sim_enum_finding {
    uint32_t faults;              /* 1 or 2 */
    sim_fault fault[2];
    sim_violation first;
} sim_enum_finding;

typedef struct sim_enum_report {
    uint32_t sites;               /* fault kind x target */
    uint32_t sites_effective;     /* sites where some bucket changed the trace */
    double coverage_percent;      /* 100 * effective / sites */
    uint32_t singles, pairs;      /* runs made */
    uint32_t failures;            /* runs with a violation */
    uint32_t kept;                /* one finding per (oracle, fault kinds) shape */
    sim_enum_finding findings[SIM_ENUM_FINDINGS_KEPT];
    uint32_t cold_kept;           /* sites no run of which changed anything */
    sim_fault cold[SIM_ENUM_COLD_KEPT];
} sim_enum_report;

void sim_enum_config_default(sim_enum_config *c);

sg_status sim_enumerate(const sim_scenario *base, const sim_model_set *models, uint64_t seed,
                        const sim_enum_config *c, sim_enum_report *report, sg_error *err);

void sim_enum_print(FILE *out, const sim_enum_report *report);

#endif

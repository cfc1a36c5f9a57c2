/*
 * storm_finding.h - writes what the search finds (a swarm seed, a shrunk
 * scenario) as a storm file: the scenario in the simulator's canonical
 * form (every field explicit, faults with their own times, so it replays
 * without depending on PRNG draw order), a title saying where it came
 * from, and the expectation the run broke, so `stormglass run FILE`
 * reproduces the failure until the code is fixed.
 */
#ifndef STORMGLASS_SIM_STORM_FINDING_H
#define STORMGLASS_SIM_STORM_FINDING_H

#include <stdio.h>

#include "sim/scenario.h"
#include "stormglass/status.h"

typedef struct storm_finding {
    const char *title;         /* one line */
    const char *source;        /* how it was found (the command) */
    const char *description;   /* what broke, for a person; may be NULL */
    const char *model;         /* the model that broke the oracle */
    sim_oracle_id oracle;      /* the expectation: oracle.<name> == 0 for that model */
} storm_finding;

/* Writes the storm file for scenario `s` (its models are replaced by
 * finding->model). */
sg_status storm_finding_write(FILE *out, const sim_scenario *s, const storm_finding *finding);

#endif

/*
 * sync_model.h - how an infonet node schedules its next sync with the
 * upstream peer: the core (sg_sync_*) or the legacy constant retry.
 *
 * Both keep an sg_sync_state so the simulator observes them the same way;
 * they differ only in what a finished sync schedules next.
 */
#ifndef STORMGLASS_SIM_SYNC_MODEL_H
#define STORMGLASS_SIM_SYNC_MODEL_H

#include "sim/scenario.h"
#include "stormglass/rng.h"
#include "stormglass/sync_sched.h"

typedef struct sim_sync_ops {
    const char *name;
    const char *description;
    /* Finishes the running sync and sets state->next_due_ns; returns the delay. */
    sg_duration_ns (*finish)(sg_sync_state *state, const sim_sync_params *params, sg_time_ns now,
                             bool ok, const sg_sync_error *error, sg_rng *rng);
} sim_sync_ops;

/* sg_sync_finish with the scenario's sg_sync_config. */
extern const sim_sync_ops sim_sync_core;
/* The infonet node before the fix: every failure waits legacy_retry_ns,
 * whatever the peer said (sim/legacy/sync_constant.c). */
extern const sim_sync_ops sim_sync_constant;

#endif

/*
 * sync_models.c - the core's sync schedule behind sim_sync_ops.
 */
#include "sim/sync_model.h"

static sg_duration_ns core_finish(sg_sync_state *state, const sim_sync_params *params, sg_time_ns now, bool ok,
                                  const sg_sync_error *error, sg_rng *rng)
{
    return sg_sync_finish(state, &params->config, now, ok, error, rng);
}

const sim_sync_ops sim_sync_core = {
    .name = "core",
    .description = "sg_sync: capped exponential backoff, never below Retry-After, reset on success",
    .finish = core_finish,
};

/*
 * sync_constant.c - legacy model of the infonet node before its fix.
 *
 * Every failed sync, whatever the peer answered (a 429 with Retry-After
 * included), schedules the next attempt a constant legacy_retry_ns (60 s)
 * later.  Against a limiter that counts rejected requests this keeps the
 * bucket full forever: the negative control of the 429 storm.
 */
#include <string.h>

#include "sim/sync_model.h"

static sg_duration_ns constant_finish(sg_sync_state *state, const sim_sync_params *params, sg_time_ns now,
                                      bool ok, const sg_sync_error *error, sg_rng *rng)
{
    (void)rng;
    state->last_finished_ns = now;
    if (ok) {
        state->outcome = SG_SYNC_OK;
        state->last_ok_ns = now;
        state->consecutive_failures = 0;
        state->successes++;
        memset(&state->last_error, 0, sizeof state->last_error);
        state->next_due_ns = sg_time_add(now, params->config.interval_ns);
        return params->config.interval_ns;
    }
    state->outcome = SG_SYNC_ERROR;
    state->consecutive_failures++;
    /* The pre-fix code stringified the error: status and Retry-After lost. */
    memset(&state->last_error, 0, sizeof state->last_error);
    (void)error;
    state->next_due_ns = sg_time_add(now, params->legacy_retry_ns);
    return params->legacy_retry_ns;
}

const sim_sync_ops sim_sync_constant = {
    .name = "constant-retry",
    .description = "infonet before the fix: a constant 60 s retry that ignores Retry-After",
    .finish = constant_finish,
};

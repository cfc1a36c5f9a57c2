/*
 * storm_derive.c - metrics the storm layer derives from a run's sampled
 * series, for questions the simulator's end-of-run counters do not answer.
 *
 * outage_split_s: how long the fleet disagreed while the backbone was
 * down - samples (backbone down) in which some clients had the newest
 * update (older than the oracle's convergence lag) and others did not,
 * times the sample period.  It is what "local delivery runs ahead of the
 * fleet" costs: with immediate delivery the publishing worker's clients
 * see an update the rest of the fleet cannot get until the backbone
 * returns; with on-echo delivery nobody sees it early.  Only outage time
 * counts: after it, resync closes (clients briefly refetching) would blur
 * the measure.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "sim/storm.h"

static const char *const names[STORM_DERIVED_COUNT] = {
#define STORM_DERIVED_NAME(id, name, desc) name,
    STORM_DERIVED_METRICS(STORM_DERIVED_NAME)
#undef STORM_DERIVED_NAME
};

static const char *const descriptions[STORM_DERIVED_COUNT] = {
#define STORM_DERIVED_DESC(id, name, desc) desc,
    STORM_DERIVED_METRICS(STORM_DERIVED_DESC)
#undef STORM_DERIVED_DESC
};

const char *storm_derived_name(storm_derived id)
{
    return (unsigned)id < STORM_DERIVED_COUNT ? names[id] : "?";
}

const char *storm_derived_description(storm_derived id)
{
    return (unsigned)id < STORM_DERIVED_COUNT ? descriptions[id] : "?";
}

sg_status storm_derived_find(const char *name, storm_derived *out)
{
    assert(name != NULL && out != NULL);
    for (unsigned i = 0; i < STORM_DERIVED_COUNT; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = (storm_derived)i;
            return SG_OK;
        }
    }
    return SG_E_NOT_FOUND;
}

static double outage_split_s(const sim_result *r)
{
    const double *lacking = r->series[SIM_S_NOT_CONVERGED];
    const double *up = r->series[SIM_S_BACKBONE_UP];
    double total = r->metrics[SIM_M_CLIENTS_TOTAL];
    if (lacking == NULL || up == NULL || r->samples == 0) {
        return NAN;
    }
    uint32_t split = 0;
    for (uint32_t i = 0; i < r->samples; i++) {
        split += up[i] < 0.5 && lacking[i] > 0.0 && lacking[i] < total ? 1u : 0u;
    }
    return (double)split * (double)r->sample_period_ns / (double)SG_NS_PER_S;
}

void storm_derive(const sim_result *r, double out[STORM_DERIVED_COUNT])
{
    assert(r != NULL && out != NULL);
    out[STORM_D_OUTAGE_SPLIT_S] = outage_split_s(r);
}

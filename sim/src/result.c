/*
 * result.c - names of metrics and series, and the lifetime of a result.
 */
#include "sim/result.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char *const metric_names[SIM_METRIC_COUNT] = {
#define SIM_METRIC_NAME(id, name, desc) name,
    SIM_METRICS(SIM_METRIC_NAME)
#undef SIM_METRIC_NAME
};

static const char *const metric_descriptions[SIM_METRIC_COUNT] = {
#define SIM_METRIC_DESC(id, name, desc) desc,
    SIM_METRICS(SIM_METRIC_DESC)
#undef SIM_METRIC_DESC
};

static const char *const series_names[SIM_SERIES_COUNT] = {
#define SIM_SERIES_NAME(id, name, per) name,
    SIM_SERIES(SIM_SERIES_NAME)
#undef SIM_SERIES_NAME
};

static const bool series_per_period[SIM_SERIES_COUNT] = {
#define SIM_SERIES_PER(id, name, per) per,
    SIM_SERIES(SIM_SERIES_PER)
#undef SIM_SERIES_PER
};

const char *sim_metric_name(sim_metric_id id)
{
    return (unsigned)id < SIM_METRIC_COUNT ? metric_names[id] : "?";
}

const char *sim_metric_description(sim_metric_id id)
{
    return (unsigned)id < SIM_METRIC_COUNT ? metric_descriptions[id] : "?";
}

sg_status sim_metric_find(const char *name, sim_metric_id *out)
{
    assert(name != NULL && out != NULL);
    for (unsigned i = 0; i < SIM_METRIC_COUNT; i++) {
        if (strcmp(metric_names[i], name) == 0) {
            *out = (sim_metric_id)i;
            return SG_OK;
        }
    }
    return SG_E_NOT_FOUND;
}

const char *sim_series_name(sim_series_id id)
{
    return (unsigned)id < SIM_SERIES_COUNT ? series_names[id] : "?";
}

bool sim_series_per_period(sim_series_id id)
{
    return (unsigned)id < SIM_SERIES_COUNT && series_per_period[id];
}

void sim_result_init(sim_result *r)
{
    assert(r != NULL);
    memset(r, 0, sizeof *r);
}

void sim_result_free(sim_result *r)
{
    if (r == NULL) {
        return;
    }
    for (unsigned i = 0; i < SIM_SERIES_COUNT; i++) {
        free(r->series[i]);
        r->series[i] = NULL;
    }
    r->samples = 0;
}

const sim_violation *sim_result_first_violation(const sim_result *r)
{
    assert(r != NULL);
    return r->violations_kept > 0 ? &r->violations[0] : NULL;
}

/*
 * storm_world.c - names and metrics of the storm worlds (storm_world.h),
 * and the scale-in world: the simulator's interleaving enumerator
 * (sim/scale_in.h) turned into world metrics.
 */
#include "sim/storm_world.h"

#include <assert.h>
#include <string.h>

#include "sim/fence_model.h"
#include "sim/notifier_model.h"
#include "sim/scale_in.h"

static const char *const world_names[STORM_WORLD_KIND_COUNT] = {"fleet", "scale-in", "healthz"};

static const char *const metric_names[STORM_WORLD_METRIC_COUNT] = {
#define STORM_WORLD_METRIC_NAME(id, name, desc) name,
    STORM_WORLD_METRICS(STORM_WORLD_METRIC_NAME)
#undef STORM_WORLD_METRIC_NAME
};

static const char *const metric_descriptions[STORM_WORLD_METRIC_COUNT] = {
#define STORM_WORLD_METRIC_DESC(id, name, desc) desc,
    STORM_WORLD_METRICS(STORM_WORLD_METRIC_DESC)
#undef STORM_WORLD_METRIC_DESC
};

static const char *const case_names[STORM_SCALE_IN_CASE_COUNT] = {
    "four-events", "reread", "reread-hears-delete", "recreate-equal", "recreate-greater", "recreate-less"};

static const char *const code_names[SG_HEALTH_CODE_LAST + 1] = {"none", "serving", "not-serving",
                                                                "service-unknown", "goaway"};

static int find_name(const char *const *names, unsigned count, const char *name)
{
    for (unsigned i = 0; name != NULL && i < count; i++) {
        if (strcmp(names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *storm_world_name(storm_world_kind w)
{
    return (unsigned)w < STORM_WORLD_KIND_COUNT ? world_names[w] : "?";
}

sg_status storm_world_parse(const char *name, storm_world_kind *out)
{
    int i = find_name(world_names, STORM_WORLD_KIND_COUNT, name);
    *out = i < 0 ? STORM_WORLD_FLEET : (storm_world_kind)i;
    return i < 0 ? SG_E_INVALID : SG_OK;
}

const char *storm_world_metric_name(storm_world_metric id)
{
    return (unsigned)id < STORM_WORLD_METRIC_COUNT ? metric_names[id] : "?";
}

const char *storm_world_metric_description(storm_world_metric id)
{
    return (unsigned)id < STORM_WORLD_METRIC_COUNT ? metric_descriptions[id] : "?";
}

sg_status storm_world_metric_find(const char *name, storm_world_metric *out)
{
    int i = find_name(metric_names, STORM_WORLD_METRIC_COUNT, name);
    *out = i < 0 ? STORM_W_INTERLEAVINGS : (storm_world_metric)i;
    return i < 0 ? SG_E_NOT_FOUND : SG_OK;
}

const char *storm_scale_in_case_name(storm_scale_in_case c)
{
    return (unsigned)c < STORM_SCALE_IN_CASE_COUNT ? case_names[c] : "?";
}

const char *storm_health_code_name(sg_health_code c)
{
    return (unsigned)c <= SG_HEALTH_CODE_LAST ? code_names[c] : "?";
}

sg_status storm_health_code_parse(const char *name, sg_health_code *out)
{
    int i = find_name(code_names, SG_HEALTH_CODE_LAST + 1, name);
    *out = i <= 0 ? SG_HEALTH_CODE_NOT_SERVING : (sg_health_code)i;
    return i <= 0 ? SG_E_INVALID : SG_OK; /* "none" is not a status one publishes */
}

bool storm_world_knows_model(storm_world_kind w, const char *model)
{
    switch (w) {
    case STORM_WORLD_SCALE_IN:
        return sim_fence_model_find(model) != NULL;
    case STORM_WORLD_HEALTHZ:
        return sim_notifier_model_find(model) != NULL;
    default:
        return true;
    }
}

static const sim_scale_in_scenario *scale_in_case(storm_scale_in_case c)
{
    static const sim_scale_in_scenario *const cases[STORM_SCALE_IN_CASE_COUNT] = {
        &sim_scale_in_four_events,     &sim_scale_in_reread,          &sim_scale_in_reread_hears_delete,
        &sim_scale_in_recreate_equal,  &sim_scale_in_recreate_greater, &sim_scale_in_recreate_less};
    return (unsigned)c < STORM_SCALE_IN_CASE_COUNT ? cases[c] : NULL;
}

sg_status storm_world_scale_in(const storm_scale_in_params *p, const char *model,
                               double metrics[STORM_WORLD_METRIC_COUNT], sg_error *err)
{
    assert(p != NULL && metrics != NULL);
    memset(metrics, 0, sizeof(double) * STORM_WORLD_METRIC_COUNT);
    const sim_fence_ops *ops = sim_fence_model_find(model);
    const sim_scale_in_scenario *sc = scale_in_case(p->which);
    if (ops == NULL) {
        return sg_error_set(err, SG_E_NOT_FOUND, "model '%s': unknown in the scale-in world (core or legacy)",
                            model != NULL ? model : "");
    }
    if (sc == NULL) {
        return sg_error_set(err, SG_E_INVALID, "scale-in.case: unknown");
    }
    sim_scale_in_result r;
    sg_status st = sim_scale_in_enumerate(ops, sc, &r, err);
    if (st != SG_OK) {
        return st;
    }
    metrics[STORM_W_INTERLEAVINGS] = (double)r.interleavings;
    metrics[STORM_W_RESURRECTED_KEYS] = (double)r.resurrections;
    metrics[STORM_W_STALE_FINAL] = (double)r.stale_final;
    metrics[STORM_W_GONE_FINAL] = (double)r.gone_final;
    metrics[STORM_W_STALE_WRITES] = (double)r.stale_writes;
    metrics[STORM_W_BAD_INTERLEAVINGS] = (double)r.bad;
    return SG_OK;
}

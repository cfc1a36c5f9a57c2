/*
 * storm_exec.c - executes one (storm, model, seed) run in the storm's
 * world: sim_run for the fleet, the enumerator or the fan-out drive for
 * scale-in and healthz.  The runner judges the outcome afterwards.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/run.h"
#include "sim/storm_run.h"

/* A storm with no workers (the infonet sync world) needs no broadcaster
 * model: "core" is then the core's sync schedule alone. */
static sg_status resolve_fleet(const storm *s, const char *name, sim_model_set *out, sg_error *err)
{
    sg_status st = sim_model_resolve(name, out, err);
    if (st != SG_OK && s->scenario.topology.workers == 0 && storm_model_is_core(name)) {
        *out = (sim_model_set){name, NULL, &sim_sync_core};
        st = SG_OK;
    }
    return st;
}

sg_status storm_check_models(const storm *s, sg_error *err)
{
    assert(s != NULL);
    for (uint32_t m = 0; s->world == STORM_WORLD_FLEET && m < s->scenario.model_count; m++) {
        sim_model_set set;
        sg_status st = resolve_fleet(s, s->scenario.models[m], &set, err);
        if (st != SG_OK) {
            return st;
        }
    }
    return SG_OK;
}

static sg_status run_fleet(const storm *s, const char *name, uint64_t seed, bool keep_series, const storm_plan *plan,
                           storm_outcome *out, sg_error *err)
{
    sim_model_set set;
    sg_status st = resolve_fleet(s, name, &set, err);
    if (st != SG_OK) {
        return st;
    }
    sim_run_options options;
    memset(&options, 0, sizeof options);
    options.trace_jsonl = plan != NULL ? plan->trace_jsonl : NULL;
    options.trace_chrome = plan != NULL ? plan->trace_chrome : NULL;
    st = sim_run(&s->scenario, &set, seed, &options, &out->result, err);
    if (!keep_series) {
        sim_result_free(&out->result); /* the metrics stay, the series go */
    }
    return st;
}

sg_status storm_exec_default(void *ctx, const storm *s, int model, uint64_t seed, bool keep_series,
                             const storm_plan *plan, storm_outcome *out)
{
    (void)ctx;
    assert(s != NULL && out != NULL);
    assert(model >= 0 && (uint32_t)model < s->scenario.model_count);
    const char *name = s->scenario.models[model];
    sg_error err = {{0}};
    sg_status st;
    switch (s->world) {
    case STORM_WORLD_SCALE_IN:
        st = storm_world_scale_in(&s->scale_in, name, out->world, &err);
        break;
    case STORM_WORLD_HEALTHZ:
        st = storm_world_healthz(&s->healthz, name, out->world, &err);
        break;
    default:
        st = run_fleet(s, name, seed, keep_series, plan, out, &err);
        break;
    }
    (void)snprintf(out->result.model, sizeof out->result.model, "%s", name);
    out->result.seed = seed;
    out->status = st;
    if (st != SG_OK) {
        (void)snprintf(out->error, sizeof out->error, "%s", err.msg[0] != '\0' ? err.msg : sg_status_name(st));
    }
    return st;
}

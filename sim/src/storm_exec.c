/*
 * storm_exec.c - executes one (storm, model, seed) run: the model name
 * resolved by the simulator (core everywhere, or a legacy model in its
 * own world), then sim_run.  The runner judges the outcome afterwards.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/run.h"
#include "sim/storm_run.h"

sg_status storm_check_models(const storm *s, sg_error *err)
{
    assert(s != NULL);
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        sim_model_set set;
        sg_status st = sim_model_resolve(s->scenario.models[m], &set, err);
        if (st != SG_OK) {
            return st;
        }
    }
    return SG_OK;
}

sg_status storm_exec_default(void *ctx, const storm *s, int model, uint64_t seed, bool keep_series,
                             const storm_plan *plan, storm_outcome *out)
{
    (void)ctx;
    assert(s != NULL && out != NULL);
    assert(model >= 0 && (uint32_t)model < s->scenario.model_count);
    const char *name = s->scenario.models[model];
    sg_error err = {{0}};
    sim_model_set set;
    sg_status st = sim_model_resolve(name, &set, &err);
    if (st == SG_OK) {
        sim_run_options options;
        memset(&options, 0, sizeof options);
        options.trace_jsonl = plan != NULL ? plan->trace_jsonl : NULL;
        options.trace_chrome = plan != NULL ? plan->trace_chrome : NULL;
        st = sim_run(&s->scenario, &set, seed, &options, &out->result, &err);
        storm_derive(&out->result, out->derived);
        if (!keep_series) {
            sim_result_free(&out->result); /* the metrics stay, the series go */
        }
    }
    (void)snprintf(out->result.model, sizeof out->result.model, "%s", name);
    out->result.seed = seed;
    out->status = st;
    if (st != SG_OK) {
        (void)snprintf(out->error, sizeof out->error, "%s", err.msg[0] != '\0' ? err.msg : sg_status_name(st));
    }
    return st;
}

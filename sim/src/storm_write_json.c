/*
 * storm_write_json.c - the JSON summary of a storm run: totals, and for
 * every storm and model the runs, failing seeds, the first seed's metrics
 * and every verdict.  Metrics keep result.h's names, so scripts can read
 * them without knowing the simulator.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>

#include "sim/storm_write.h"

static void key(FILE *out, const char *name, bool comma)
{
    fprintf(out, "%s\"%s\": ", comma ? ", " : "", name);
}

static void str(FILE *out, const char *name, const char *value, bool comma)
{
    key(out, name, comma);
    fputc('"', out);
    storm_put_json(out, value);
    fputc('"', out);
}

static void num(FILE *out, const char *name, double value, bool comma)
{
    key(out, name, comma);
    storm_put_number(out, value);
}

static void metrics(FILE *out, const storm_outcome *o)
{
    fputs("{", out);
    for (unsigned i = 0; i < SIM_METRIC_COUNT; i++) {
        num(out, sim_metric_name((sim_metric_id)i), o->result.metrics[i], i > 0);
    }
    for (unsigned i = 0; i < STORM_DERIVED_COUNT; i++) {
        num(out, storm_derived_name((storm_derived)i), o->derived[i], true);
    }
    fputs("}", out);
}

static void verdicts(FILE *out, const storm *s, const storm_outcome *o)
{
    fputs("[", out);
    for (uint32_t i = 0; i < o->verdict_count; i++) {
        const storm_verdict *v = &o->verdicts[i];
        const storm_expect *e = &s->expects[v->expect];
        fputs(i > 0 ? ", {" : "{", out);
        str(out, "expect", e->text, false);
        num(out, "measured", v->measured, true);
        key(out, "held", true);
        fputs(v->held ? "true" : "false", out);
        key(out, "passed", true);
        fputs(v->passed ? "true" : "false", out);
        key(out, "known_gap", true);
        fputs(e->known_gap ? "true" : "false", out);
        str(out, "file", s->files[e->loc.file], true);
        num(out, "line", e->loc.line, true);
        fputs("}", out);
    }
    fputs("]", out);
}

static void outcome(FILE *out, const storm *s, const storm_outcome *o)
{
    fputs("{", out);
    num(out, "seed", (double)o->seed, false);
    key(out, "passed", true);
    fputs(storm_outcome_passed(o) ? "true" : "false", out);
    if (o->status != SG_OK) {
        str(out, "error", o->error, true);
    }
    num(out, "simulated_s", (double)o->result.end_ns / (double)SG_NS_PER_S, true);
    key(out, "trace_hash", true);
    fprintf(out, "\"%016" PRIx64 "\"", o->result.trace_hash);
    key(out, "metrics", true);
    metrics(out, o);
    key(out, "verdicts", true);
    verdicts(out, s, o);
    fputs("}", out);
}

static void model(FILE *out, const storm_entry *e, uint32_t m, bool comma)
{
    const storm *s = e->storm;
    const storm_model_summary *ms = &e->models[m];
    fputs(comma ? ",\n      {" : "\n      {", out);
    str(out, "model", s->scenario.models[m], false);
    key(out, "mode", true);
    fputs(storm_model_is_core(s->scenario.models[m]) ? "\"core\"" : "\"legacy\"", out);
    num(out, "runs", ms->runs, true);
    num(out, "failed_runs", ms->failed_runs, true);
    num(out, "errors", ms->errors, true);
    num(out, "known_gap_runs", ms->known_gap_runs, true);
    key(out, "failing_seeds", true);
    fputs("[", out);
    for (uint32_t i = 0; i < ms->failing_kept; i++) {
        fprintf(out, "%s%" PRIu64, i > 0 ? ", " : "", ms->failing_seeds[i]);
    }
    fputs("]", out);
    if (ms->has_first) {
        key(out, "first", true);
        outcome(out, s, &ms->first);
    }
    fputs("}", out);
}

static void entry(FILE *out, const storm_entry *e, bool comma)
{
    fputs(comma ? ",\n  {" : "\n  {", out);
    str(out, "file", e->path, false);
    if (e->storm == NULL) {
        char msg[STORM_ERROR_MSG_MAX + STORM_PATH_MAX + 32];
        storm_error_format(&e->parse_error, msg, sizeof msg);
        str(out, "parse_error", msg, true);
        fputs("}", out);
        return;
    }
    const storm *s = e->storm;
    str(out, "name", s->scenario.name, true);
    str(out, "title", s->title, true);
    str(out, "source", s->source, true);
    str(out, "world", storm_world_name(storm_world_of(s)), true);
    key(out, "models", true);
    fputs("[", out);
    bool any = false;
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        if (e->selected[m]) {
            model(out, e, m, any);
            any = true;
        }
    }
    fputs("]}", out);
}

sg_status storm_write_json(const storm_report *r, FILE *out)
{
    assert(r != NULL && out != NULL);
    uint32_t invalid = 0;
    for (uint32_t i = 0; i < r->count; i++) {
        invalid += r->entries[i].storm == NULL ? 1u : 0u;
    }
    fputs("{\"tool\": \"stormglass\", \"format\": 1,\n \"plan\": {", out);
    str(out, "mode", r->plan.mode == STORM_MODE_BOTH ? "both" : r->plan.mode == STORM_MODE_CORE ? "core" : "legacy",
        false);
    if (r->plan.seeds_given) {
        num(out, "seed_first", (double)r->plan.seed_first, true);
        num(out, "seed_last", (double)r->plan.seed_last, true);
    }
    num(out, "jobs", r->plan.jobs, true);
    fputs("},\n \"totals\": {", out);
    num(out, "storms", r->count, false);
    num(out, "invalid", invalid, true);
    num(out, "runs", (double)r->runs, true);
    num(out, "failed_runs", (double)r->failed_runs, true);
    num(out, "errors", (double)r->errors, true);
    num(out, "known_gap_runs", (double)r->known_gap_runs, true);
    key(out, "passed", true);
    fputs(storm_report_passed(r) ? "true" : "false", out);
    num(out, "host_wall_s", r->wall_s, true);
    fputs("},\n \"storms\": [", out);
    for (uint32_t i = 0; i < r->count; i++) {
        entry(out, &r->entries[i], i > 0);
    }
    fputs("\n]}\n", out);
    return ferror(out) ? SG_E_INVALID : SG_OK;
}

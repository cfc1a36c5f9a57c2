/*
 * storm_validate.c - the checks that need the whole storm: expectations
 * against the final model list, the scenario's own validation, and what a
 * runnable storm must contain.
 *
 * sim_scenario_check names a field ("bcast.settle", "faults[2].target");
 * this file maps that name back to the statement that set it (the last
 * one, since later statements override earlier ones and includes), so
 * even a cross-field error points at a line a person can edit.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storm_internal.h"

typedef struct field_map {
    const char *prefix;
    storm_kw kw;
} field_map;

static const field_map fields[] = {
    {"name", STORM_KW_NAME},
    {"duration", STORM_KW_DURATION},
    {"sample-period", STORM_KW_SAMPLE_PERIOD},
    {"models", STORM_KW_MODELS},
    {"topology.workers", STORM_KW_WORKERS},
    {"topology.clients-per-worker", STORM_KW_CLIENTS},
    {"topology.worker-restart", STORM_KW_WORKER_RESTART},
    {"topology.pin-listener", STORM_KW_PIN_LISTENER},
    {"backbone", STORM_KW_BACKBONE},
    {"bcast", STORM_KW_BCAST},
    {"workload", STORM_KW_WORKLOAD},
    {"client", STORM_KW_CLIENT},
    {"truth", STORM_KW_TRUTH},
    {"probe", STORM_KW_PROBE},
    {"sync", STORM_KW_SYNC},
    {"oracle", STORM_KW_ORACLE},
    {"healthz", STORM_KW_HEALTHZ},
    {"appproxy", STORM_KW_APPPROXY},
};

/* The field a validation message names: the text before ':' ("faults[2].count"). */
static size_t field_length(const char *msg)
{
    const char *colon = strchr(msg, ':');
    return colon != NULL ? (size_t)(colon - msg) : strlen(msg);
}

static bool starts_with_field(const char *msg, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && strncmp(msg, prefix, n) == 0 && (len == n || msg[n] == '.' || msg[n] == '[');
}

static storm_loc locate(const storm_parser *p, const char *msg, storm_kw hint)
{
    storm_loc top = {0, 0, 0};
    size_t len = field_length(msg);
    static const char faults[] = "faults[";
    if (strncmp(msg, faults, sizeof faults - 1) == 0) {
        char *end = NULL;
        unsigned long index = strtoul(msg + sizeof faults - 1, &end, 10);
        if (end != NULL && *end == ']' && index < p->out->scenario.fault_count) {
            return p->fault_loc[index];
        }
    }
    if (hint < STORM_KW_COUNT && p->seen[hint]) {
        return p->last[hint];
    }
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (starts_with_field(msg, len, fields[i].prefix)) {
            return p->seen[fields[i].kw] ? p->last[fields[i].kw] : top;
        }
    }
    return top;
}

static sg_status fail_field(storm_parser *p, const sg_error *e, storm_kw hint)
{
    storm_loc at = locate(p, e->msg, hint);
    const char *kw = hint < STORM_KW_COUNT ? storm_kw_name(hint) : NULL;
    return storm_fail_at(p, at.file, at.line, at.column, "%s%s%s", kw != NULL ? kw : "", kw != NULL ? " " : "",
                         e->msg);
}

static sg_status check_scenario(storm_parser *p)
{
    const sim_scenario *sc = &p->out->scenario;
    sg_error e = {{0}};
    /* Backoff messages do not say whose backoff: check each one apart. */
    if (sg_backoff_config_check(&sc->client.backoff, &e) != SG_OK) {
        return fail_field(p, &e, STORM_KW_CLIENT);
    }
    if (sc->topology.workers > 0 && sg_backoff_config_check(&sc->bcast.backoff, &e) != SG_OK) {
        return fail_field(p, &e, STORM_KW_BCAST);
    }
    if (sim_scenario_check(sc, &e) != SG_OK) {
        return fail_field(p, &e, STORM_KW_COUNT);
    }
    return SG_OK;
}

/* A runnable storm has a title and judges every model it runs. */
static sg_status check_complete(storm_parser *p)
{
    const storm *s = p->out;
    if (s->title[0] == '\0') {
        return storm_fail_at(p, 0, 0, 0, "a storm needs a title (add a line: title WHAT HAPPENED)");
    }
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        bool judged = false;
        for (uint32_t i = 0; i < s->expect_count && !judged; i++) {
            judged = storm_expect_applies(&s->expects[i], (int)m);
        }
        if (!judged) {
            return storm_fail_at(p, 0, 0, 0,
                                 "model '%s' has no expectation (every model a storm runs needs one: "
                                 "expect %s%s: METRIC OP VALUE)",
                                 s->scenario.models[m], storm_model_is_core(s->scenario.models[m]) ? "" : "legacy ",
                                 s->scenario.models[m]);
        }
    }
    return SG_OK;
}

sg_status storm_validate(storm_parser *p)
{
    assert(p != NULL && p->out != NULL);
    sg_status s = storm_expect_resolve(p);
    if (s == SG_OK) {
        s = check_scenario(p);
    }
    if (s == SG_OK && !p->out->fragment) {
        s = check_complete(p);
    }
    return s;
}

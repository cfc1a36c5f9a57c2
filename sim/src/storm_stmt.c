/*
 * storm_stmt.c - the statements of the storm language: one table row and
 * one small handler each.
 *
 * Text statements (title, source, description) take the rest of the line
 * literally, continuation lines joined by a space; every other statement
 * is tokenized first.  Statements that configure a part of the world take
 * `key=value` options through the tables of storm_keys.c, so positional
 * words are limited to the few places the canonical form of scenario.h
 * uses them (backbone KIND, probe on|off, worker-restart on|off DURATION).
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "stormglass/parse.h"
#include "storm_internal.h"

typedef sg_status (*stmt_fn)(storm_parser *p, storm_stmt *st);

typedef struct stmt_def {
    const char *name;
    storm_kw kw;
    bool text;  /* rest-of-line text, not tokenized */
    stmt_fn run;
} stmt_def;

/* ---- helpers ------------------------------------------------------------- */

static sg_status want_args(storm_parser *p, const storm_stmt *st, uint32_t min, uint32_t max, const char *usage)
{
    uint32_t n = st->token_count - 1;
    if (n < min) {
        return storm_fail_tok(p, st, &st->tokens[0], "expected %s", usage);
    }
    if (n > max) {
        char shown[64];
        return storm_fail_tok(p, st, &st->tokens[max + 1], "unexpected %s (expected %s)",
                              storm_tok_show(&st->tokens[max + 1], shown, sizeof shown), usage);
    }
    return SG_OK;
}

static sg_status set_text_field(storm_parser *p, const storm_stmt *st, char *dst, size_t size, bool append)
{
    size_t used = append ? strlen(dst) : 0;
    char buf[STORM_DESCRIPTION_MAX];
    size_t len = 0;
    const char *what = st->lines[0].text;
    uint32_t kwlen = 0;
    while (kwlen < st->lines[0].len && what[kwlen] != ' ' && what[kwlen] != '\t') {
        kwlen++;
    }
    if (storm_stmt_rest(st, buf, sizeof buf, &len) != SG_OK || used + len + 2 > size) {
        return storm_fail_at(p, st->file, st->lines[0].number, 1, "%.*s: longer than %zu bytes", (int)kwlen, what,
                             size - 1);
    }
    if (len == 0) {
        return storm_fail_at(p, st->file, st->lines[0].number, kwlen + 1, "%.*s: expected text after it",
                             (int)kwlen, what);
    }
    if (used > 0) {
        dst[used++] = '\n';
    }
    memcpy(dst + used, buf, len + 1);
    return SG_OK;
}

static sg_status parse_u64(storm_parser *p, const storm_stmt *st, const storm_token *t, uint64_t min,
                           uint64_t max, uint64_t *out)
{
    sg_error e = {{0}};
    if (t->kind == STORM_TOK_SIGN || sg_parse_u64(t->text, t->len, min, max, out, &e) != SG_OK) {
        return storm_fail_tok(p, st, t, "%.*s: expected a whole number within %llu .. %llu",
                              (int)st->tokens[0].len, st->tokens[0].text, (unsigned long long)min,
                              (unsigned long long)max);
    }
    return SG_OK;
}

static sg_status parse_span(storm_parser *p, const storm_stmt *st, const storm_token *t, const char *what,
                            sg_duration_ns min, sg_duration_ns max, sg_duration_ns *out)
{
    storm_key k = {what, STORM_V_DURATION, 0, (double)min, (double)max, 0};
    return storm_value_set(p, st, t, &k, out);
}

/* on | off as a positional word. */
static sg_status parse_onoff(storm_parser *p, const storm_stmt *st, const storm_token *t, bool *out)
{
    sg_error e = {{0}};
    if (t->kind == STORM_TOK_SIGN || sg_parse_bool(t->text, t->len, out, &e) != SG_OK) {
        char shown[64];
        return storm_fail_tok(p, st, t, "expected on or off, got %s", storm_tok_show(t, shown, sizeof shown));
    }
    return SG_OK;
}

/* ---- handlers ---------------------------------------------------------------- */

static sg_status do_title(storm_parser *p, storm_stmt *st)
{
    return set_text_field(p, st, p->out->title, sizeof p->out->title, false);
}

static sg_status do_source(storm_parser *p, storm_stmt *st)
{
    return set_text_field(p, st, p->out->source, sizeof p->out->source, false);
}

static sg_status do_description(storm_parser *p, storm_stmt *st)
{
    /* Each description statement is a paragraph of its own. */
    return set_text_field(p, st, p->out->description, sizeof p->out->description, true);
}

static sg_status do_fragment(storm_parser *p, storm_stmt *st)
{
    sg_status s = want_args(p, st, 0, 0, "nothing after 'fragment'");
    if (s == SG_OK && p->depth == 0) {
        p->out->fragment = true;
    }
    return s;
}

static sg_status do_include(storm_parser *p, storm_stmt *st)
{
    sg_status s = want_args(p, st, 1, 1, "include PATH (relative to this file)");
    if (s != SG_OK) {
        return s;
    }
    if (st->tokens[1].kind == STORM_TOK_SIGN) {
        return storm_fail_tok(p, st, &st->tokens[1], "include: expected a file name");
    }
    return storm_include(p, st, &st->tokens[1]);
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

static sg_status do_name(storm_parser *p, storm_stmt *st)
{
    sg_status s = want_args(p, st, 1, 1, "name NAME (letters, digits, - _ .)");
    if (s != SG_OK) {
        return s;
    }
    const storm_token *t = &st->tokens[1];
    bool ok = t->kind == STORM_TOK_WORD && t->len < SIM_NAME_MAX;
    for (uint32_t i = 0; ok && i < t->len; i++) {
        ok = is_name_char(t->text[i]);
    }
    if (!ok) {
        return storm_fail_tok(p, st, t, "name: expected letters, digits, '-', '_' or '.', at most %u of them",
                              SIM_NAME_MAX - 1);
    }
    memcpy(p->out->scenario.name, t->text, t->len);
    p->out->scenario.name[t->len] = '\0';
    return SG_OK;
}

static sg_status do_seed(storm_parser *p, storm_stmt *st)
{
    sg_status s = want_args(p, st, 1, 1, "seed N");
    return s != SG_OK ? s : parse_u64(p, st, &st->tokens[1], 0, UINT64_MAX, &p->out->scenario.seed);
}

static sg_status do_duration(storm_parser *p, storm_stmt *st)
{
    sg_status s = want_args(p, st, 1, 1, "duration SPAN (for example 10m)");
    return s != SG_OK ? s
                      : parse_span(p, st, &st->tokens[1], "duration", 1, SIM_RUN_DURATION_MAX_NS, &p->out->scenario.duration_ns);
}

static sg_status do_sample_period(storm_parser *p, storm_stmt *st)
{
    sg_status s = want_args(p, st, 1, 1, "sample-period SPAN (for example 1s)");
    return s != SG_OK ? s
                      : parse_span(p, st, &st->tokens[1], "sample-period", SG_NS_PER_MS, (sg_duration_ns)24 * 3600 * SG_NS_PER_S,
                                   &p->out->scenario.sample_period_ns);
}

static sg_status do_models(storm_parser *p, storm_stmt *st)
{
    sg_status s = want_args(p, st, 1, SIM_MODELS_MAX, "models NAME... (core and legacy models, at most 8)");
    if (s != SG_OK) {
        return s;
    }
    sim_scenario *sc = &p->out->scenario;
    for (uint32_t i = 1; i < st->token_count; i++) {
        const storm_token *t = &st->tokens[i];
        char *dst = sc->models[i - 1];
        if (t->kind != STORM_TOK_WORD || storm_tok_text(t, dst, SIM_MODEL_NAME_MAX) != SG_OK) {
            return storm_fail_tok(p, st, t, "models: expected a model name shorter than %u bytes",
                                  SIM_MODEL_NAME_MAX);
        }
        for (uint32_t j = 1; j < i; j++) {
            if (strcmp(sc->models[j - 1], dst) == 0) {
                return storm_fail_tok(p, st, t, "models: '%s' named twice", dst);
            }
        }
    }
    sc->model_count = st->token_count - 1;
    return SG_OK;
}

/* A statement with one count: `workers N`, `clients-per-worker N`. */
static sg_status one_count(storm_parser *p, const storm_stmt *st, const char *usage, uint32_t max, uint32_t *dst)
{
    uint64_t v = 0;
    sg_status s = want_args(p, st, 1, 1, usage);
    if (s == SG_OK) {
        s = parse_u64(p, st, &st->tokens[1], 0, max, &v);
    }
    if (s == SG_OK) {
        *dst = (uint32_t)v;
    }
    return s;
}

static sg_status do_workers(storm_parser *p, storm_stmt *st)
{
    return one_count(p, st, "workers N", SIM_WORKERS_MAX, &p->out->scenario.topology.workers);
}

static sg_status do_clients(storm_parser *p, storm_stmt *st)
{
    return one_count(p, st, "clients-per-worker N", SIM_CLIENTS_PER_WORKER_MAX,
                     &p->out->scenario.topology.clients_per_worker);
}

static sg_status do_worker_restart(storm_parser *p, storm_stmt *st)
{
    sim_topology *t = &p->out->scenario.topology;
    sg_status s = want_args(p, st, 1, 2, "worker-restart on|off [DELAY]");
    if (s == SG_OK) {
        s = parse_onoff(p, st, &st->tokens[1], &t->worker_restart);
    }
    if (s == SG_OK && st->token_count == 3) {
        s = parse_span(p, st, &st->tokens[2], "worker-restart", 0, (sg_duration_ns)24 * 3600 * SG_NS_PER_S, &t->worker_restart_ns);
    }
    return s;
}

static sg_status do_pin_listener(storm_parser *p, storm_stmt *st)
{
    sg_status s = want_args(p, st, 1, 1, "pin-listener on|off");
    return s != SG_OK ? s : parse_onoff(p, st, &st->tokens[1], &p->out->scenario.topology.pin_listener);
}

static sg_status do_backbone(storm_parser *p, storm_stmt *st)
{
    uint32_t first = 1;
    if (st->token_count > 1 && st->tokens[1].kind == STORM_TOK_WORD &&
        (st->token_count == 2 || !storm_tok_is(&st->tokens[2], STORM_TOK_SIGN, "="))) {
        char kind[16];
        sim_backbone_kind k;
        if (storm_tok_text(&st->tokens[1], kind, sizeof kind) != SG_OK ||
            sim_backbone_kind_parse(kind, &k) != SG_OK) {
            return storm_fail_tok(p, st, &st->tokens[1],
                                  "backbone: expected ideal, redis, postgres or kafka (or key=value options)");
        }
        p->out->scenario.topology.backbone.kind = k;
        first = 2;
    }
    return storm_keys_apply(p, st, first, &storm_keys_backbone, &p->out->scenario, -1);
}

static sg_status do_probe(storm_parser *p, storm_stmt *st)
{
    uint32_t first = 1;
    if (st->token_count > 1 && (st->token_count == 2 || !storm_tok_is(&st->tokens[2], STORM_TOK_SIGN, "="))) {
        sg_status s = parse_onoff(p, st, &st->tokens[1], &p->out->scenario.probe.enabled);
        if (s != SG_OK) {
            return s;
        }
        first = 2;
    }
    return storm_keys_apply(p, st, first, &storm_keys_probe, &p->out->scenario, -1);
}

#define OPTIONS_HANDLER(fn, table)                                              \
    static sg_status fn(storm_parser *p, storm_stmt *st)                        \
    {                                                                           \
        return storm_keys_apply(p, st, 1, &(table), &p->out->scenario, -1);     \
    }
OPTIONS_HANDLER(do_bcast, storm_keys_bcast)
OPTIONS_HANDLER(do_workload, storm_keys_workload)
OPTIONS_HANDLER(do_client, storm_keys_client)
OPTIONS_HANDLER(do_truth, storm_keys_truth)
OPTIONS_HANDLER(do_sync, storm_keys_sync)
OPTIONS_HANDLER(do_oracle, storm_keys_oracle)
OPTIONS_HANDLER(do_healthz, storm_keys_healthz)
OPTIONS_HANDLER(do_appproxy, storm_keys_appproxy)

static sg_status do_fault(storm_parser *p, storm_stmt *st)
{
    sim_scenario *sc = &p->out->scenario;
    sim_fault f = sim_fault_make(SIM_FAULT_BACKBONE_DOWN, 0);
    int kind = -1;
    bool has_at = false;
    /* The kind decides which keys apply, so read it first. */
    for (uint32_t i = 1; i + 2 < st->token_count; i++) {
        if (!storm_tok_is(&st->tokens[i + 1], STORM_TOK_SIGN, "=")) {
            continue;
        }
        if (storm_tok_is(&st->tokens[i], STORM_TOK_WORD, "kind")) {
            sg_status s = storm_value_set(p, st, &st->tokens[i + 2], &storm_keys_fault.keys[1], &f.kind);
            if (s != SG_OK) {
                return s;
            }
            kind = (int)f.kind;
        }
        has_at = has_at || storm_tok_is(&st->tokens[i], STORM_TOK_WORD, "at");
    }
    if (kind < 0 || !has_at) {
        return storm_fail_tok(p, st, &st->tokens[0], "fault: expected at=TIME and kind=KIND (then its options)");
    }
    sg_status s = storm_keys_apply(p, st, 1, &storm_keys_fault, &f, kind);
    if (s != SG_OK) {
        return s;
    }
    if (sim_scenario_add_fault(sc, &f) != SG_OK) {
        return storm_fail_tok(p, st, &st->tokens[0], "fault: a storm holds at most %u faults", SIM_FAULTS_MAX);
    }
    p->fault_loc[sc->fault_count - 1] = (storm_loc){st->file, st->tokens[0].line, st->tokens[0].column};
    return SG_OK;
}

static sg_status do_expect(storm_parser *p, storm_stmt *st)
{
    return storm_expect_parse(p, st, false);
}

static sg_status do_expect_fail(storm_parser *p, storm_stmt *st)
{
    return storm_expect_parse(p, st, true);
}



static const stmt_def statements[STORM_KW_COUNT] = {
    {"title", STORM_KW_TITLE, true, do_title},
    {"source", STORM_KW_SOURCE, true, do_source},
    {"description", STORM_KW_DESCRIPTION, true, do_description},
    {"fragment", STORM_KW_FRAGMENT, false, do_fragment},
    {"include", STORM_KW_INCLUDE, false, do_include},
    {"name", STORM_KW_NAME, false, do_name},
    {"seed", STORM_KW_SEED, false, do_seed},
    {"duration", STORM_KW_DURATION, false, do_duration},
    {"sample-period", STORM_KW_SAMPLE_PERIOD, false, do_sample_period},
    {"models", STORM_KW_MODELS, false, do_models},
    {"workers", STORM_KW_WORKERS, false, do_workers},
    {"clients-per-worker", STORM_KW_CLIENTS, false, do_clients},
    {"worker-restart", STORM_KW_WORKER_RESTART, false, do_worker_restart},
    {"pin-listener", STORM_KW_PIN_LISTENER, false, do_pin_listener},
    {"backbone", STORM_KW_BACKBONE, false, do_backbone},
    {"bcast", STORM_KW_BCAST, false, do_bcast},
    {"workload", STORM_KW_WORKLOAD, false, do_workload},
    {"client", STORM_KW_CLIENT, false, do_client},
    {"truth", STORM_KW_TRUTH, false, do_truth},
    {"probe", STORM_KW_PROBE, false, do_probe},
    {"sync", STORM_KW_SYNC, false, do_sync},
    {"oracle", STORM_KW_ORACLE, false, do_oracle},
    {"fault", STORM_KW_FAULT, false, do_fault},
    {"expect", STORM_KW_EXPECT, false, do_expect},
    {"expect-fail", STORM_KW_EXPECT_FAIL, false, do_expect_fail},
    {"healthz", STORM_KW_HEALTHZ, false, do_healthz},
    {"appproxy", STORM_KW_APPPROXY, false, do_appproxy},
};

const char *storm_kw_name(storm_kw kw)
{
    return (unsigned)kw < STORM_KW_COUNT ? statements[kw].name : "?";
}

static sg_status unknown_statement(storm_parser *p, const storm_stmt *st, uint32_t len)
{
    char list[400];
    size_t n = 0;
    for (unsigned k = 0; k < STORM_KW_COUNT && n < sizeof list; k++) {
        int w = snprintf(list + n, sizeof list - n, "%s%s", k > 0 ? ", " : "", statements[k].name);
        n += w > 0 ? (size_t)w : 0;
    }
    return storm_fail_at(p, st->file, st->lines[0].number, 1, "unknown statement '%.*s' (expected one of: %s)",
                         (int)(len > 40 ? 40 : len), st->lines[0].text, list);
}

sg_status storm_stmt_run(storm_parser *p, storm_stmt *st)
{
    assert(p != NULL && st != NULL);
    assert(st->line_count > 0);
    const storm_line *first = &st->lines[0];
    uint32_t len = 0;
    while (len < first->len && first->text[len] != ' ' && first->text[len] != '\t') {
        len++;
    }
    for (unsigned k = 0; k < STORM_KW_COUNT; k++) {
        const stmt_def *d = &statements[k];
        if (strlen(d->name) != len || memcmp(d->name, first->text, len) != 0) {
            continue;
        }
        if (!d->text) {
            sg_status s = storm_lex(p, st);
            if (s != SG_OK) {
                return s;
            }
        }
        p->seen[d->kw] = true;
        p->last[d->kw] = (storm_loc){st->file, first->number, 1};
        return d->run(p, st);
    }
    return unknown_statement(p, st, len);
}

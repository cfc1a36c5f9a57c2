/*
 * storm_expect.c - expectations: `expect MODE: METRIC OP VALUE, ...`.
 *
 * MODE is `core`, `legacy` (every legacy model of the storm), `all`, or
 * model names (optionally after `legacy`).  METRIC is a name of result.h
 * (sim_metric_find) or `oracle.NAME` for the violation count of one
 * oracle.  A metric whose name ends in `_s` also takes a duration with a
 * unit as its bound (`convergence_time_s <= 10s`).  Each condition becomes
 * one storm_expect, so a report can say exactly which one failed.
 *
 * Equality compares with a relative tolerance of 1e-9: metrics are counts
 * or seconds computed from integer nanoseconds, and `== 0` must not depend
 * on how a value was summed.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stormglass/parse.h"
#include "storm_internal.h"

#define STORM_BOUND_ABS_MAX 1e15
#define ORACLE_PREFIX "oracle."

static const char *const op_names[] = {"==", "!=", "<", "<=", ">", ">="};

const char *storm_op_name(storm_op op)
{
    return (unsigned)op < sizeof op_names / sizeof op_names[0] ? op_names[op] : "?";
}

bool storm_op_holds(storm_op op, double measured, double bound)
{
    if (isnan(measured) || isnan(bound)) {
        return false;
    }
    double scale = fabs(bound) > 1.0 ? fabs(bound) : 1.0;
    bool equal = fabs(measured - bound) <= 1e-9 * scale;
    switch (op) {
    case STORM_OP_EQ:
        return equal;
    case STORM_OP_NE:
        return !equal;
    case STORM_OP_LT:
        return measured < bound && !equal;
    case STORM_OP_LE:
        return measured < bound || equal;
    case STORM_OP_GT:
        return measured > bound && !equal;
    case STORM_OP_GE:
        return measured > bound || equal;
    }
    return false;
}

/* Edit distance of two short names, for "did you mean". */
static unsigned distance(const char *a, const char *b)
{
    enum { N = 48 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= N || lb >= N) {
        return 99;
    }
    unsigned row[N];
    for (size_t j = 0; j <= lb; j++) {
        row[j] = (unsigned)j;
    }
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned)i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned best = diag + (a[i - 1] == b[j - 1] ? 0u : 1u);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *closest_metric(const char *name)
{
    const char *best = NULL;
    unsigned best_d = 4; /* only suggest close names */
    for (unsigned i = 0; i < SIM_METRIC_COUNT + STORM_DERIVED_COUNT; i++) {
        const char *candidate = i < SIM_METRIC_COUNT ? sim_metric_name((sim_metric_id)i)
                                                     : storm_derived_name((storm_derived)(i - SIM_METRIC_COUNT));
        unsigned d = distance(name, candidate);
        if (d < best_d) {
            best_d = d;
            best = candidate;
        }
    }
    return best;
}

static sg_status parse_quantity(storm_parser *p, const storm_stmt *st, const storm_token *t, storm_expect *e)
{
    char name[64];
    if (t->kind != STORM_TOK_WORD || storm_tok_text(t, name, sizeof name) != SG_OK) {
        return storm_fail_tok(p, st, t, "expect: expected a metric name (for example spurious_drops)");
    }
    size_t plen = strlen(ORACLE_PREFIX);
    if (strncmp(name, ORACLE_PREFIX, plen) == 0) {
        sim_oracle_id id;
        if (sim_oracle_parse(name + plen, &id) != SG_OK) {
            return storm_fail_tok(p, st, t,
                                  "expect: unknown oracle '%s' (expected oracle.convergence, spurious-drop, "
                                  "double-disconnect, health-lie, model-crash, buffer-bound, upstream-recovery, "
                                  "notify-latency, terminal-lost or resurrection)",
                                  name + plen);
        }
        e->quantity = STORM_Q_ORACLE;
        e->id = (uint32_t)id;
        return SG_OK;
    }
    storm_derived did;
    if (storm_derived_find(name, &did) == SG_OK) {
        e->quantity = STORM_Q_DERIVED;
        e->id = (uint32_t)did;
        return SG_OK;
    }
    sim_metric_id id;
    if (sim_metric_find(name, &id) != SG_OK) {
        const char *near = closest_metric(name);
        return storm_fail_tok(p, st, t, "expect: unknown metric '%s'%s%s%s (the list is in docs/SCENARIOS.md)", name,
                              near != NULL ? "; did you mean '" : "", near != NULL ? near : "",
                              near != NULL ? "'?" : "");
    }
    e->quantity = STORM_Q_METRIC;
    e->id = (uint32_t)id;
    return SG_OK;
}

static sg_status parse_op(storm_parser *p, const storm_stmt *st, const storm_token *t, storm_op *op)
{
    for (unsigned i = 0; i < sizeof op_names / sizeof op_names[0]; i++) {
        if (storm_tok_is(t, STORM_TOK_SIGN, op_names[i])) {
            *op = (storm_op)i;
            return SG_OK;
        }
    }
    char shown[64];
    return storm_fail_tok(p, st, t, "expect: expected a comparison (== != < <= > >=), got %s",
                          storm_tok_show(t, shown, sizeof shown));
}

static sg_status parse_bound(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_expect *e,
                             double *out)
{
    sg_error err = {{0}};
    if (t->kind == STORM_TOK_WORD &&
        sg_parse_double(t->text, t->len, -STORM_BOUND_ABS_MAX, STORM_BOUND_ABS_MAX, out, &err) == SG_OK) {
        return SG_OK;
    }
    char name[64];
    (void)storm_quantity_name(e, name, sizeof name);
    size_t n = strlen(name);
    bool seconds = n > 2 && strcmp(name + n - 2, "_s") == 0;
    bool bytes = n > 6 && strcmp(name + n - 6, "_bytes") == 0;
    sg_duration_ns d = 0;
    uint64_t b = 0;
    if (seconds && t->kind == STORM_TOK_WORD &&
        sg_parse_duration(t->text, t->len, SG_UNIT_REQUIRED, &d, &err) == SG_OK) {
        *out = (double)d / (double)SG_NS_PER_S;
        return SG_OK;
    }
    if (bytes && t->kind == STORM_TOK_WORD && sg_parse_bytes(t->text, t->len, UINT64_MAX, &b, &err) == SG_OK) {
        *out = (double)b;
        return SG_OK;
    }
    return storm_fail_tok(p, st, t, "expect: expected a number%s after the comparison",
                          seconds ? " or a duration such as 10s" : bytes ? " or a size such as 8MiB" : "");
}

/* MODE before the colon. */
static sg_status parse_who(storm_parser *p, const storm_stmt *st, uint32_t colon, storm_expect *e)
{
    const storm_token *first = &st->tokens[1];
    if (colon == 1) {
        return storm_fail_tok(p, st, first, "expect: expected core, legacy, all or model names before ':'");
    }
    if (colon == 2 && (storm_tok_is(first, STORM_TOK_WORD, "core") || storm_tok_is(first, STORM_TOK_WORD, "all") ||
                       storm_tok_is(first, STORM_TOK_WORD, "legacy"))) {
        e->who = storm_tok_is(first, STORM_TOK_WORD, "core")  ? STORM_WHO_CORE
                 : storm_tok_is(first, STORM_TOK_WORD, "all") ? STORM_WHO_ALL
                                                              : STORM_WHO_LEGACY;
        return SG_OK;
    }
    bool legacy = storm_tok_is(first, STORM_TOK_WORD, "legacy");
    e->who = STORM_WHO_MODELS;
    for (uint32_t i = legacy ? 2u : 1u; i < colon; i++) {
        const storm_token *t = &st->tokens[i];
        if (e->named_count >= SIM_MODELS_MAX) {
            return storm_fail_tok(p, st, t, "expect: at most %u model names", SIM_MODELS_MAX);
        }
        char *dst = e->named[e->named_count];
        if (t->kind != STORM_TOK_WORD || storm_tok_text(t, dst, SIM_MODEL_NAME_MAX) != SG_OK || strcmp(dst, "all") == 0 ||
            strcmp(dst, "legacy") == 0 || (legacy && storm_model_is_core(dst))) {
            return storm_fail_tok(p, st, t, "expect: expected %s before ':'",
                                  legacy ? "legacy model names" : "core, legacy, all or model names");
        }
        e->named_count++;
    }
    return SG_OK;
}

static sg_status add_condition(storm_parser *p, const storm_stmt *st, const storm_expect *who, uint32_t i)
{
    storm *s = p->out;
    if (s->expect_count >= STORM_EXPECT_MAX) {
        return storm_fail_tok(p, st, &st->tokens[i], "expect: a storm holds at most %u expectations",
                              STORM_EXPECT_MAX);
    }
    storm_expect e = *who;
    const storm_token *m = &st->tokens[i];
    sg_status r = parse_quantity(p, st, m, &e);
    if (r == SG_OK && i + 1 >= st->token_count) {
        r = storm_fail_tok(p, st, m, "expect: expected a comparison (== != < <= > >=) after '%.*s'",
                           (int)(m->len > 48 ? 48 : m->len), m->text);
    }
    if (r == SG_OK) {
        r = parse_op(p, st, &st->tokens[i + 1], &e.op);
    }
    if (r == SG_OK && i + 2 >= st->token_count) {
        r = storm_fail_tok(p, st, &st->tokens[i + 1], "expect: expected a value after '%s'", storm_op_name(e.op));
    }
    if (r == SG_OK) {
        r = parse_bound(p, st, &st->tokens[i + 2], &e, &e.bound);
    }
    if (r != SG_OK) {
        return r;
    }
    const storm_token *v = &st->tokens[i + 2];
    (void)snprintf(e.text, sizeof e.text, "%.*s %s %.*s", (int)(m->len > 48 ? 48 : m->len), m->text,
                   storm_op_name(e.op), (int)(v->len > 24 ? 24 : v->len), v->text);
    e.loc = (storm_loc){st->file, m->line, m->column};
    s->expects[s->expect_count++] = e;
    return SG_OK;
}

sg_status storm_expect_parse(storm_parser *p, const storm_stmt *st, bool known_gap)
{
    assert(p != NULL && st != NULL);
    uint32_t colon = 0;
    for (uint32_t i = 1; i < st->token_count && colon == 0; i++) {
        colon = storm_tok_is(&st->tokens[i], STORM_TOK_SIGN, ":") ? i : 0;
    }
    if (colon == 0) {
        return storm_fail_tok(p, st, &st->tokens[0],
                              "expect: expected 'MODE: METRIC OP VALUE' (for example: expect core: "
                              "spurious_drops == 0)");
    }
    storm_expect who;
    memset(&who, 0, sizeof who);
    who.known_gap = known_gap;
    sg_status s = parse_who(p, st, colon, &who);
    uint32_t i = colon + 1;
    if (s == SG_OK && i >= st->token_count) {
        s = storm_fail_tok(p, st, &st->tokens[colon], "expect: expected a condition after ':'");
    }
    while (s == SG_OK && i < st->token_count) {
        s = add_condition(p, st, &who, i);
        i += 3;
        if (s == SG_OK && i < st->token_count) {
            if (!storm_tok_is(&st->tokens[i], STORM_TOK_SIGN, ",") || i + 1 >= st->token_count) {
                char shown[64];
                s = storm_fail_tok(p, st, &st->tokens[i], "expect: expected ',' and another condition, got %s",
                                   storm_tok_show(&st->tokens[i], shown, sizeof shown));
            }
            i++;
        }
    }
    return s;
}

/* ---- resolving and judging ----------------------------------------------------- */

bool storm_model_is_core(const char *model)
{
    return model != NULL && strcmp(model, "core") == 0;
}

storm_world storm_world_of(const storm *s)
{
    assert(s != NULL);
    const sim_scenario *sc = &s->scenario;
    if (sc->healthz.watchers > 0) {
        return STORM_WORLD_HEALTHZ;
    }
    if (sc->appproxy.race != SIM_RACE_NONE) {
        return STORM_WORLD_APPPROXY;
    }
    return sc->topology.workers == 0 && sc->sync.nodes > 0 ? STORM_WORLD_INFONET : STORM_WORLD_FLEET;
}

const char *storm_world_name(storm_world w)
{
    static const char *const names[] = {"fleet", "infonet", "healthz", "app-proxy"};
    return (unsigned)w < sizeof names / sizeof names[0] ? names[w] : "?";
}

int storm_model_index(const storm *s, const char *model)
{
    assert(s != NULL && model != NULL);
    for (uint32_t i = 0; i < s->scenario.model_count && i < SIM_MODELS_MAX; i++) {
        if (strcmp(s->scenario.models[i], model) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static sg_status resolve_one(storm_parser *p, storm_expect *e)
{
    const sim_scenario *sc = &p->out->scenario;
    e->model_mask = 0;
    for (uint32_t m = 0; m < sc->model_count; m++) {
        bool core = storm_model_is_core(sc->models[m]);
        bool hit = e->who == STORM_WHO_ALL || (e->who == STORM_WHO_CORE && core) ||
                   (e->who == STORM_WHO_LEGACY && !core);
        e->model_mask |= hit ? 1u << m : 0u;
    }
    for (uint32_t n = 0; n < e->named_count; n++) {
        int m = storm_model_index(p->out, e->named[n]);
        if (m < 0) {
            return storm_fail_at(p, e->loc.file, e->loc.line, e->loc.column,
                                 "expect: model '%s' is not one of this storm's models (see its `models` line)",
                                 e->named[n]);
        }
        e->model_mask |= 1u << m;
    }
    if (e->model_mask == 0) {
        return storm_fail_at(p, e->loc.file, e->loc.line, e->loc.column,
                             "expect: no model of this storm is %s (see its `models` line)",
                             e->who == STORM_WHO_CORE ? "core" : "legacy");
    }
    return SG_OK;
}

sg_status storm_expect_resolve(storm_parser *p)
{
    assert(p != NULL);
    for (uint32_t i = 0; i < p->out->expect_count; i++) {
        sg_status s = resolve_one(p, &p->out->expects[i]);
        if (s != SG_OK) {
            return s;
        }
    }
    return SG_OK;
}

bool storm_expect_applies(const storm_expect *e, int model_index)
{
    assert(e != NULL);
    return model_index >= 0 && model_index < (int)SIM_MODELS_MAX && (e->model_mask & (1u << model_index)) != 0;
}

double storm_expect_measure(const storm_expect *e, const sim_result *r, const double *derived)
{
    assert(e != NULL && r != NULL);
    switch (e->quantity) {
    case STORM_Q_ORACLE:
        return e->id < SIM_ORACLE_COUNT ? (double)r->violations_per_oracle[e->id] : NAN;
    case STORM_Q_DERIVED:
        return derived != NULL && e->id < STORM_DERIVED_COUNT ? derived[e->id] : NAN;
    default:
        return e->id < SIM_METRIC_COUNT ? r->metrics[e->id] : NAN;
    }
}

const char *storm_quantity_name(const storm_expect *e, char *buf, size_t size)
{
    assert(e != NULL && buf != NULL && size > 0);
    if (e->quantity == STORM_Q_ORACLE) {
        (void)snprintf(buf, size, "%s%s", ORACLE_PREFIX, sim_oracle_name((sim_oracle_id)e->id));
    } else if (e->quantity == STORM_Q_DERIVED) {
        (void)snprintf(buf, size, "%s", storm_derived_name((storm_derived)e->id));
    } else {
        (void)snprintf(buf, size, "%s", sim_metric_name((sim_metric_id)e->id));
    }
    return buf;
}

uint32_t storm_judge(const storm *s, int model_index, const sim_result *r, const double *derived,
                     storm_verdict *out, uint32_t max)
{
    assert(s != NULL && r != NULL);
    assert(out != NULL || max == 0);
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->expect_count; i++) {
        const storm_expect *e = &s->expects[i];
        if (!storm_expect_applies(e, model_index)) {
            continue;
        }
        if (n < max) {
            double v = storm_expect_measure(e, r, derived);
            bool held = storm_op_holds(e->op, v, e->bound);
            out[n] = (storm_verdict){i, v, held, e->known_gap || held};
        }
        n++;
    }
    return n;
}

/*
 * study_contention.c - the contention study's little simulation (study.h):
 * a virtual clock, one row with a version, and N clients whose calls and
 * answers are events in a binary heap ordered by (time, sequence), so ties
 * break in insertion order and a run is a pure function of its config.
 */
#include "sim/study.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "stormglass/rng.h"

typedef enum study_ev_kind {
    EV_CALL_ARRIVES = 0, /* a conditional write reaches the row */
    EV_ANSWER_ARRIVES    /* the client hears back */
} study_ev_kind;

typedef struct study_ev {
    sg_time_ns at;
    uint64_t seq;
    uint32_t client;
    study_ev_kind kind;
    bool won;            /* answers: the write was applied */
    uint64_t version;    /* calls: the version the client expects; answers: the row's */
} study_ev;

typedef struct study_client {
    sg_backoff backoff;
    uint64_t known_version;
    bool done;
} study_client;

typedef struct study_world {
    study_ev *heap;
    uint32_t len, cap;   /* at most one event in flight per client */
    uint64_t seq;
    study_client *clients;
    uint64_t row_version;
    sg_rng rng;
    const study_contention_config *c;
} study_world;

study_contention_config study_contention_default(uint32_t clients, sg_backoff_policy policy, uint64_t seed)
{
    study_contention_config c;
    memset(&c, 0, sizeof c);
    c.clients = clients;
    c.backoff = sg_backoff_config_default(policy);
    c.backoff.base_ns = 5 * SG_NS_PER_MS;
    c.backoff.max_ns = 2 * SG_NS_PER_S;
    c.backoff.max_retries = 0;
    c.delay_ns = 10 * SG_NS_PER_MS;
    c.jitter_ns = SG_NS_PER_MS;
    c.seed = seed;
    return c;
}

static bool before(const study_ev *a, const study_ev *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void push(study_world *w, study_ev ev)
{
    assert(w->len < w->cap);
    ev.seq = w->seq++;
    uint32_t i = w->len++;
    while (i > 0 && before(&ev, &w->heap[(i - 1) / 2])) {
        w->heap[i] = w->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    w->heap[i] = ev;
}

static study_ev pop(study_world *w)
{
    assert(w->len > 0);
    study_ev top = w->heap[0];
    study_ev last = w->heap[--w->len];
    uint32_t i = 0;
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        const study_ev *best = &last;
        if (l < w->len && before(&w->heap[l], best)) {
            m = l;
            best = &w->heap[l];
        }
        if (r < w->len && before(&w->heap[r], best)) {
            m = r;
        }
        if (m == i) {
            break;
        }
        w->heap[i] = w->heap[m];
        i = m;
    }
    if (w->len > 0) {
        w->heap[i] = last;
    }
    return top;
}

static sg_duration_ns leg(study_world *w)
{
    const study_contention_config *c = w->c;
    uint64_t spread = (uint64_t)(2 * c->jitter_ns) + 1;
    return c->delay_ns - c->jitter_ns + (sg_duration_ns)sg_rng_below(&w->rng, spread);
}

static void call(study_world *w, uint32_t client, sg_time_ns now)
{
    push(w, (study_ev){now + leg(w), 0, client, EV_CALL_ARRIVES, false, w->clients[client].known_version});
}

static sg_status check(const study_contention_config *c, sg_error *err)
{
    if (c->clients == 0 || c->clients > STUDY_CLIENTS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "study.clients: must be within 1 .. %u", STUDY_CLIENTS_MAX);
    }
    if (c->delay_ns <= 0 || c->jitter_ns < 0 || c->jitter_ns >= c->delay_ns || c->delay_ns > SG_NS_PER_S) {
        return sg_error_set(err, SG_E_INVALID, "study.delay: 0 < jitter < delay <= 1 s");
    }
    if (c->backoff.max_retries != 0) {
        return sg_error_set(err, SG_E_INVALID, "study.backoff.max_retries: must be 0 (every client finishes)");
    }
    return sg_backoff_config_check(&c->backoff, err);
}

/* Runs the events; returns the number of clients still racing. */
static uint32_t simulate(study_world *w, study_contention_result *out)
{
    uint32_t racing = w->c->clients;
    while (racing > 0 && w->len > 0 && out->calls < STUDY_CALLS_MAX) {
        study_ev ev = pop(w);
        study_client *cl = &w->clients[ev.client];
        if (ev.kind == EV_CALL_ARRIVES) {
            out->calls++;
            bool won = ev.version == w->row_version;
            w->row_version += won ? 1u : 0u;
            push(w, (study_ev){ev.at + leg(w), 0, ev.client, EV_ANSWER_ARRIVES, won, w->row_version});
        } else if (ev.won) {
            cl->done = true;
            racing--;
            out->completion_ns = ev.at;
        } else {
            cl->known_version = ev.version;
            sg_duration_ns wait = 0;
            (void)sg_backoff_next(&cl->backoff, &w->rng, &wait); /* forever: never gives up */
            call(w, ev.client, ev.at + wait);
        }
    }
    return racing;
}

sg_status study_contention_run(const study_contention_config *c, study_contention_result *out, sg_error *err)
{
    assert(c != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    sg_status st = check(c, err);
    if (st != SG_OK) {
        return st;
    }
    study_world w;
    memset(&w, 0, sizeof w);
    w.c = c;
    w.cap = c->clients;
    w.heap = calloc(w.cap, sizeof *w.heap);
    w.clients = calloc(c->clients, sizeof *w.clients);
    if (w.heap == NULL || w.clients == NULL) {
        free(w.heap);
        free(w.clients);
        return sg_error_set(err, SG_E_NOMEM, "study: out of memory");
    }
    sg_rng_seed(&w.rng, c->seed, 0);
    for (uint32_t i = 0; i < c->clients; i++) {
        sg_backoff_init(&w.clients[i].backoff, &c->backoff);
        call(&w, i, 0);
    }
    out->truncated = simulate(&w, out) > 0;
    free(w.heap);
    free(w.clients);
    return SG_OK;
}

sg_status study_contention_sweep(const uint32_t *clients, uint32_t points, uint32_t runs,
                                 study_contention_table *out, sg_error *err)
{
    static const sg_backoff_policy policies[STUDY_POLICIES] = {SG_BACKOFF_NONE, SG_BACKOFF_EXPONENTIAL,
                                                               SG_BACKOFF_EQUAL_JITTER, SG_BACKOFF_FULL_JITTER,
                                                               SG_BACKOFF_DECORRELATED};
    assert(out != NULL);
    memset(out, 0, sizeof *out);
    if (clients == NULL || points == 0 || points > STUDY_POINTS_MAX || runs == 0 || runs > STUDY_RUNS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "study: 1 .. %u client counts and 1 .. %u runs", STUDY_POINTS_MAX,
                            STUDY_RUNS_MAX);
    }
    out->points = points;
    out->runs = runs;
    memcpy(out->clients, clients, points * sizeof *clients);
    memcpy(out->policy, policies, sizeof policies);
    for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
        for (uint32_t k = 0; k < points; k++) {
            double calls = 0.0, done = 0.0;
            for (uint64_t seed = 1; seed <= runs; seed++) {
                study_contention_config c = study_contention_default(clients[k], policies[p], seed);
                study_contention_result r;
                sg_status st = study_contention_run(&c, &r, err);
                if (st != SG_OK) {
                    return st;
                }
                calls += (double)r.calls;
                done += (double)r.completion_ns / (double)SG_NS_PER_MS;
                out->truncated += r.truncated ? 1u : 0u;
            }
            out->calls[p][k] = calls / runs;
            out->completion_ms[p][k] = done / runs;
        }
    }
    return SG_OK;
}

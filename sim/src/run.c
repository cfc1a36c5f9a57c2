/*
 * run.c - sim_run: build the world, dispatch events in (time, sequence)
 * order until the end of the run, then fold the accumulators into the
 * result.  The only loop that advances simulated time lives here.
 */
#include <stdlib.h>
#include <string.h>

#include "world.h"

static const char *const event_names[EV_KIND_COUNT] = {
    "?",           "sample",          "publish",          "fault.start",     "fault.end",   "flap",
    "worker.timer", "worker.restart", "bb.connect",       "bb.subscribe",    "bb.deliver",  "bb.drop",
    "client.connect", "client.handshake", "client.refetch", "client.ready", "probe",       "sync.node"};

const char *sim_event_kind_name(uint32_t kind)
{
    switch (kind) {
    case TR_ACTION: return "action";
    case TR_VERDICT: return "verdict";
    case TR_PUBLISH: return "publish.verdict";
    case TR_CLOSE: return "client.closed";
    case TR_VIOLATION: return "violation";
    case TR_HEALTHZ: return "healthz";
    case TR_APPPROXY: return "appproxy";
    default: return kind < EV_KIND_COUNT ? event_names[kind] : "?";
    }
}

void world_trace(sim_world *w, uint32_t kind, uint32_t actor, uint64_t a, uint64_t b)
{
    sim_trace_record(&w->trace, w->now, kind, sim_event_kind_name(kind), actor, a, b);
}

void world_fail(sim_world *w, sg_status st, const char *what)
{
    if (w->fatal == SG_OK) {
        w->fatal = st;
        (void)sg_error_set(&w->fatal_err, st, "sim at %.3f s: %s", (double)w->now / 1e9, what);
    }
    w->stop = true;
}

void world_schedule(sim_world *w, sg_time_ns at, sim_event_kind kind, uint32_t target, uint32_t gen, uint64_t arg)
{
    if (at > w->end) {
        return; /* past the end of the run: never dispatched */
    }
    sim_event ev = {.at = at, .arg = arg, .target = target, .gen = gen, .kind = (uint16_t)kind};
    if (sim_queue_push(&w->q, &ev) != SG_OK) {
        world_fail(w, SG_E_FULL, "event queue full (SIM_QUEUE_CAPACITY_MAX)");
    }
}

static void dispatch(sim_world *w, const sim_event *ev)
{
    switch ((sim_event_kind)ev->kind) {
    case EV_SAMPLE: sampler_on_sample(w, ev); break;
    case EV_PUBLISH: truth_on_publish(w, ev); break;
    case EV_FAULT_START: faults_on_start(w, ev); break;
    case EV_FAULT_END: faults_on_end(w, ev); break;
    case EV_FLAP: faults_on_flap(w, ev); break;
    case EV_WORKER_TIMER: worker_on_timer(w, ev); break;
    case EV_WORKER_RESTART: worker_on_restart(w, ev); break;
    case EV_BB_CONNECT_RESULT: backbone_on_connect_result(w, ev); break;
    case EV_BB_SUBSCRIBE_RESULT: backbone_on_subscribe_result(w, ev); break;
    case EV_BB_DELIVER: backbone_on_deliver(w, ev); break;
    case EV_BB_DROP: backbone_on_drop(w, ev); break;
    case EV_CLIENT_CONNECT: client_on_connect(w, ev); break;
    case EV_CLIENT_HANDSHAKE: client_on_handshake(w, ev); break;
    case EV_CLIENT_REFETCH: client_on_refetch(w, ev); break;
    case EV_CLIENT_REFETCH_DONE: client_on_refetch_done(w, ev); break;
    case EV_PROBE: probe_on_tick(w, ev); break;
    case EV_SYNC_NODE: sync_on_node(w, ev); break;
    default: world_fail(w, SG_E_STATE, "unknown event kind"); break;
    }
}

static uint32_t queue_capacity(const sim_scenario *s)
{
    uint64_t clients = (uint64_t)s->topology.workers * s->topology.clients_per_worker;
    uint64_t cap = clients * 2 + (uint64_t)s->topology.workers * 8192 + (uint64_t)s->sync.nodes * 2 +
                   (uint64_t)s->fault_count * 4 + 65536;
    return cap > SIM_QUEUE_CAPACITY_MAX ? SIM_QUEUE_CAPACITY_MAX : (uint32_t)cap;
}

static sg_status build(sim_world *w)
{
    sg_status st = sim_queue_init(&w->q, queue_capacity(w->s));
    if (st == SG_OK) st = sampler_init(w);
    if (st == SG_OK) st = truth_init(w);
    if (st == SG_OK) st = backbone_init(w);
    if (st == SG_OK) st = workers_init(w);
    if (st == SG_OK) st = clients_init(w);
    if (st == SG_OK) st = sync_world_init(w);
    if (st == SG_OK) {
        truth_schedule_first(w);
        faults_schedule(w);
        probe_schedule(w);
    }
    return st;
}

static void teardown(sim_world *w)
{
    fiu_bridge_reset(w);
    workers_free(w);
    clients_free(w);
    sync_world_free(w);
    backbone_free(w);
    truth_free(w);
    sim_queue_free(&w->q);
}

static void loop(sim_world *w)
{
    sim_event ev;
    while (!w->stop && sim_queue_pop(&w->q, &ev)) {
        w->now = ev.at;
        if (++w->events > w->max_events) {
            world_fail(w, SG_E_FULL, "more events than max_events");
            break;
        }
        if (ev.kind == EV_FAULT_START || ev.kind == EV_FAULT_END || ev.kind == EV_FLAP) {
            sim_trace_unhashed(&w->trace, w->now, sim_event_kind_name(ev.kind), ev.target, ev.arg, ev.gen);
        } else {
            world_trace(w, ev.kind, ev.target, ev.arg, ev.gen);
        }
        dispatch(w, &ev);
    }
    if (!w->stop) {
        w->now = w->end;
    }
}

static sg_status check_models(const sim_scenario *s, const sim_model_set *m, sg_error *err)
{
    if (m == NULL) {
        return sg_error_set(err, SG_E_INVALID, "models: NULL");
    }
    if (s->topology.workers > 0 && m->worker == NULL) {
        return sg_error_set(err, SG_E_INVALID, "model %s: has no broadcaster model but the scenario has workers",
                            m->name != NULL ? m->name : "?");
    }
    if ((s->healthz.watchers > 0 && m->notifier == NULL) || (s->appproxy.race != SIM_RACE_NONE && m->fence == NULL)) {
        return sg_error_set(err, SG_E_INVALID, "model %s: has no %s model but the scenario needs one",
                            m->name != NULL ? m->name : "?", m->notifier == NULL ? "notifier" : "fence");
    }
    if (s->sync.nodes > 0 && m->sync == NULL) {
        return sg_error_set(err, SG_E_INVALID, "model %s: has no sync model but the scenario has sync nodes",
                            m->name != NULL ? m->name : "?");
    }
    return SG_OK;
}

static void finish(sim_world *w, sim_result *out)
{
    if (w->bb.down_depth > 0) {
        sim_chrome_span(&w->trace, w->bb_down_since, w->now, 0, "backbone down");
    }
    if (w->fatal == SG_OK) {
        sampler_finish(w);
        sync_world_finish(w);
    }
    out->end_ns = w->now;
    out->metrics[SIM_M_EVENTS] = (double)w->events;
    sim_trace_finish(&w->trace);
    out->trace_hash = w->trace.hash;
}

sg_status sim_run(const sim_scenario *s, const sim_model_set *models, uint64_t seed,
                  const sim_run_options *options, sim_result *out, sg_error *err)
{
    static const sim_run_options no_options = {0};
    sim_result_init(out);
    sg_status st = sim_scenario_check(s, err);
    if (st == SG_OK) {
        st = check_models(s, models, err);
    }
    if (st != SG_OK) {
        return st;
    }
    sim_world *w = calloc(1, sizeof *w);
    if (w == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "sim: no memory for the world");
    }
    w->s = s;
    w->models = models;
    w->opt = options != NULL ? options : &no_options;
    w->seed = seed;
    w->end = s->duration_ns;
    w->max_events = w->opt->max_events > 0 ? w->opt->max_events : SIM_EVENTS_DEFAULT_MAX;
    w->converged_at = SG_TIME_NEVER;
    w->r = out;
    out->seed = seed;
    (void)snprintf(out->model, sizeof out->model, "%s", models->name != NULL ? models->name : "?");
    sim_trace_init(&w->trace, w->opt->trace_jsonl, w->opt->trace_chrome);
    st = build(w);
    if (st == SG_OK && !w->stop) {
        loop(w);
    }
    if (st == SG_OK && !w->stop) {
        healthz_world_run(w);
    }
    if (st == SG_OK && !w->stop) {
        appproxy_world_run(w);
    }
    finish(w, out);
    if (st != SG_OK) {
        (void)sg_error_set(err, st, "sim: cannot build the world (%s)", sg_status_name(st));
    } else if (w->fatal != SG_OK) {
        st = w->fatal;
        if (err != NULL) {
            *err = w->fatal_err;
        }
    }
    teardown(w);
    free(w);
    return st;
}

/* Bit-identical metrics (a NaN equals itself here, unlike ==). */
static bool same_metrics(const sim_result *a, const sim_result *b)
{
    for (unsigned i = 0; i < SIM_METRIC_COUNT; i++) {
        uint64_t x, y;
        memcpy(&x, &a->metrics[i], sizeof x);
        memcpy(&y, &b->metrics[i], sizeof y);
        if (x != y) {
            return false;
        }
    }
    return true;
}

sg_status sim_check_determinism(const sim_scenario *s, const sim_model_set *models, uint64_t seed,
                                uint64_t *hash, sg_error *err)
{
    sim_result a, b;
    sg_status st = sim_run(s, models, seed, NULL, &a, err);
    if (st == SG_OK) {
        st = sim_run(s, models, seed, NULL, &b, err);
        if (st == SG_OK && (a.trace_hash != b.trace_hash || !same_metrics(&a, &b))) {
            st = sg_error_set(err, SG_E_STATE,
                              "determinism: seed %llu gave trace hash %016llx then %016llx (%llu vs %llu events)",
                              (unsigned long long)seed, (unsigned long long)a.trace_hash,
                              (unsigned long long)b.trace_hash, (unsigned long long)a.metrics[SIM_M_EVENTS],
                              (unsigned long long)b.metrics[SIM_M_EVENTS]);
        }
        sim_result_free(&b);
    }
    if (hash != NULL) {
        *hash = a.trace_hash;
    }
    sim_result_free(&a);
    return st;
}

/*
 * scenario_check.c - validation of a sim_scenario, field by field.
 *
 * Every message names the field as the text form spells its path
 * ("topology.workers", "faults[2].target") so the parser can prefix it
 * with file:line.
 */
#include "sim/scenario.h"

#include <math.h>
#include <string.h>

#define DAY_NS ((sg_duration_ns)24 * 3600 * SG_NS_PER_S)

static sg_status check_span(sg_duration_ns v, sg_duration_ns max, const char *field, sg_error *err)
{
    if (v < 0 || v > max) {
        return sg_error_set(err, SG_E_INVALID, "%s: must be within 0 .. %lld s", field,
                            (long long)(max / SG_NS_PER_S));
    }
    return SG_OK;
}

static sg_status check_ratio(double v, double max, const char *field, sg_error *err)
{
    if (!isfinite(v) || v < 0.0 || v > max) {
        return sg_error_set(err, SG_E_INVALID, "%s: must be within 0 .. %g", field, max);
    }
    return SG_OK;
}

#define TRY(expr)                 \
    do {                          \
        sg_status st_ = (expr);   \
        if (st_ != SG_OK) {       \
            return st_;           \
        }                         \
    } while (0)

static sg_status check_topology(const sim_topology *t, sg_error *err)
{
    if (t->workers > SIM_WORKERS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "topology.workers: at most %u", SIM_WORKERS_MAX);
    }
    if (t->clients_per_worker > SIM_CLIENTS_PER_WORKER_MAX ||
        (uint64_t)t->workers * t->clients_per_worker > SIM_CLIENTS_TOTAL_MAX) {
        return sg_error_set(err, SG_E_INVALID, "topology.clients-per-worker: at most %u per worker, %u in all",
                            SIM_CLIENTS_PER_WORKER_MAX, SIM_CLIENTS_TOTAL_MAX);
    }
    const sim_backbone_params *b = &t->backbone;
    if ((unsigned)b->kind >= SIM_BACKBONE_KIND_COUNT) {
        return sg_error_set(err, SG_E_INVALID, "backbone.kind: unknown");
    }
    TRY(check_span(t->worker_restart_ns, DAY_NS, "topology.worker-restart", err));
    TRY(check_span(b->latency_ns, 3600 * SG_NS_PER_S, "backbone.latency", err));
    TRY(check_span(b->jitter_ns, 3600 * SG_NS_PER_S, "backbone.jitter", err));
    TRY(check_span(b->connect_latency_ns, 3600 * SG_NS_PER_S, "backbone.connect-latency", err));
    TRY(check_span(b->detect_ns, DAY_NS, "backbone.detect", err));
    if (b->retention_msgs == 0) {
        return sg_error_set(err, SG_E_INVALID, "backbone.retention: must be >= 1");
    }
    if (b->payload_max == 0 || b->output_buffer_bytes == 0) {
        return sg_error_set(err, SG_E_INVALID, "backbone.%s: must be >= 1",
                            b->payload_max == 0 ? "payload-max" : "output-buffer");
    }
    return SG_OK;
}

static sg_status check_world(const sim_scenario *s, sg_error *err)
{
    TRY(check_ratio(s->workload.publish_per_s, 100000.0, "workload.publish-rate", err));
    if (s->workload.payload_bytes < 8 || s->workload.payload_bytes > SIM_PAYLOAD_BYTES_MAX) {
        return sg_error_set(err, SG_E_INVALID, "workload.payload: must be within 8 .. %u bytes",
                            SIM_PAYLOAD_BYTES_MAX);
    }
    TRY(check_span(s->workload.publish_start_ns, SIM_RUN_DURATION_MAX_NS, "workload.start", err));
    TRY(check_span(s->workload.publish_stop_ns, SIM_RUN_DURATION_MAX_NS, "workload.stop", err));
    TRY(check_span(s->workload.connect_spread_ns, DAY_NS, "workload.connect-spread", err));
    if (s->workload.publisher < -1 || s->workload.publisher >= (int32_t)s->topology.workers) {
        return sg_error_set(err, SG_E_INVALID, "workload.publisher: must be -1 or a worker index");
    }
    TRY(sg_backoff_config_check(&s->client.backoff, err));
    TRY(check_span(s->client.connect_latency_ns, 3600 * SG_NS_PER_S, "client.connect-latency", err));
    TRY(check_ratio(s->truth.refetch_per_s, 1e9, "truth.refetch-rate", err));
    TRY(check_span(s->truth.refetch_latency_ns, 3600 * SG_NS_PER_S, "truth.latency", err));
    if (s->probe.enabled && (s->probe.period_ns <= 0 || s->probe.failure_threshold == 0)) {
        return sg_error_set(err, SG_E_INVALID, "probe.%s: must be > 0",
                            s->probe.period_ns <= 0 ? "period" : "failure-threshold");
    }
    TRY(check_span(s->probe.period_ns, DAY_NS, "probe.period", err));
    TRY(check_span(s->probe.initial_delay_ns, DAY_NS, "probe.initial-delay", err));
    if (s->sync.nodes > SIM_SYNC_NODES_MAX) {
        return sg_error_set(err, SG_E_INVALID, "sync.nodes: at most %u", SIM_SYNC_NODES_MAX);
    }
    TRY(sg_sync_config_check(&s->sync.config, err));
    TRY(check_span(s->sync.legacy_retry_ns, DAY_NS, "sync.legacy-retry", err));
    TRY(check_ratio(s->sync.bucket_capacity, 1e9, "sync.bucket", err));
    TRY(check_ratio(s->sync.drain_per_s, 1e9, "sync.drain", err));
    TRY(check_ratio(s->sync.overload_per_s, 1e6, "sync.overload", err));
    if (s->sync.retry_after_ceiling_s < 0 || memchr(s->sync.retry_after, 0, sizeof s->sync.retry_after) == NULL) {
        return sg_error_set(err, SG_E_INVALID, "sync.%s: invalid",
                            s->sync.retry_after_ceiling_s < 0 ? "ceiling" : "retry-after");
    }
    return SG_OK;
}

static sg_status check_fault(const sim_scenario *s, uint32_t i, sg_error *err)
{
    const sim_fault *f = &s->faults[i];
    if ((unsigned)f->kind >= SIM_FAULT_KIND_COUNT) {
        return sg_error_set(err, SG_E_INVALID, "faults[%u].kind: unknown", i);
    }
    if (f->at < 0 || f->at > s->duration_ns) {
        return sg_error_set(err, SG_E_INVALID, "faults[%u].at: must be within 0 .. duration", i);
    }
    if (f->target < -1 || f->target >= (int32_t)s->topology.workers) {
        return sg_error_set(err, SG_E_INVALID, "faults[%u].target: must be -1 or a worker index < %u", i,
                            s->topology.workers);
    }
    bool needs_worker = f->kind == SIM_FAULT_PARTITION || f->kind == SIM_FAULT_SUBSCRIBER_KILL ||
                        f->kind == SIM_FAULT_SLOW_SUBSCRIBER || f->kind == SIM_FAULT_SLOW_CLIENTS ||
                        f->kind == SIM_FAULT_WORKER_CRASH || f->kind == SIM_FAULT_GRACEFUL_RESTART;
    if (needs_worker && f->target < 0) {
        return sg_error_set(err, SG_E_INVALID, "faults[%u].target: %s needs a worker", i,
                            sim_fault_kind_name(f->kind));
    }
    if (f->duration_ns < 0 || f->down_ns < 0 || f->up_ns < 0 || f->jitter_ns < 0 ||
        f->duration_ns > SIM_RUN_DURATION_MAX_NS || f->down_ns > DAY_NS || f->up_ns > DAY_NS ||
        f->jitter_ns > DAY_NS) {
        return sg_error_set(err, SG_E_INVALID, "faults[%u]: durations must be within 0 .. 1 day", i);
    }
    if (f->kind == SIM_FAULT_FLAP && (f->count == 0 || f->count > SIM_FLAP_COUNT_MAX || f->down_ns == 0)) {
        return sg_error_set(err, SG_E_INVALID, "faults[%u].count: a flap needs 1 .. %u cycles and down > 0", i,
                            SIM_FLAP_COUNT_MAX);
    }
    double vmax = f->kind == SIM_FAULT_SLOW_SUBSCRIBER ? 1e12 : 1.0;
    if (!isfinite(f->value) || f->value < 0.0 || f->value > vmax) {
        return sg_error_set(err, SG_E_INVALID, "faults[%u].value: must be within 0 .. %g", i, vmax);
    }
    if (f->kind == SIM_FAULT_FIU && (f->point[0] == '\0' || memchr(f->point, 0, sizeof f->point) == NULL)) {
        return sg_error_set(err, SG_E_INVALID, "faults[%u].point: a fiu fault needs a point name", i);
    }
    return SG_OK;
}

static bool watcher_index_ok(int32_t i, uint32_t watchers)
{
    return i == -1 || (i >= 0 && (uint32_t)i < watchers);
}

static sg_status check_incident_worlds(const sim_scenario *s, sg_error *err)
{
    const sim_healthz_params *h = &s->healthz;
    if (h->watchers > 100000u) {
        return sg_error_set(err, SG_E_INVALID, "healthz.watchers: at most 100000");
    }
    if (h->watchers > 0) {
        if (!watcher_index_ok(h->slow, h->watchers) || !watcher_index_ok(h->leave_trigger, h->watchers) ||
            !watcher_index_ok(h->leave_victim, h->watchers) || (h->leave_trigger >= 0) != (h->leave_victim >= 0)) {
            return sg_error_set(err, SG_E_INVALID,
                                "healthz.slow/leave-trigger/leave-victim: -1 or a watcher index (trigger and victim together)");
        }
        if (h->code <= SG_HEALTH_CODE_NONE || h->code >= SG_HEALTH_CODE_GOAWAY) {
            return sg_error_set(err, SG_E_INVALID, "healthz.code: serving, not-serving or unknown");
        }
        if (h->step_ns <= 0 || h->step_ns > 60 * SG_NS_PER_S) {
            return sg_error_set(err, SG_E_INVALID, "healthz.step: must be within 1 ns .. 60 s");
        }
        TRY(check_span(h->busy_ns, DAY_NS, "healthz.busy", err));
        if (h->goaway_at_ns < 0 || h->goaway_at_ns > s->duration_ns) {
            return sg_error_set(err, SG_E_INVALID, "healthz.goaway-at: must be within 0 .. duration");
        }
    }
    if ((unsigned)s->appproxy.race >= SIM_RACE_COUNT) {
        return sg_error_set(err, SG_E_INVALID, "appproxy.race: unknown");
    }
    return check_span(s->oracle.notify_bound_ns, DAY_NS, "oracle.notify-bound", err);
}

sg_status sim_scenario_check(const sim_scenario *s, sg_error *err)
{
    if (s == NULL) {
        return sg_error_set(err, SG_E_INVALID, "scenario: NULL");
    }
    if (memchr(s->name, 0, sizeof s->name) == NULL) {
        return sg_error_set(err, SG_E_INVALID, "name: longer than %u bytes", SIM_NAME_MAX - 1);
    }
    if (s->duration_ns <= 0 || s->duration_ns > SIM_RUN_DURATION_MAX_NS) {
        return sg_error_set(err, SG_E_INVALID, "duration: must be within 1 ns .. 7 days");
    }
    if (s->sample_period_ns < SG_NS_PER_MS || s->sample_period_ns > DAY_NS) {
        return sg_error_set(err, SG_E_INVALID, "sample-period: must be within 1 ms .. 1 day");
    }
    if (s->model_count == 0 || s->model_count > SIM_MODELS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "models: name 1 .. %u models", SIM_MODELS_MAX);
    }
    TRY(check_topology(&s->topology, err));
    sg_bcast_config b = s->bcast;
    if (s->topology.workers > 0) {
        TRY(sg_bcast_config_check(&b, err));
    }
    TRY(check_world(s, err));
    TRY(check_incident_worlds(s, err));
    TRY(check_span(s->oracle.convergence_bound_ns, DAY_NS, "oracle.convergence-bound", err));
    TRY(check_span(s->oracle.convergence_lag_ns, DAY_NS, "oracle.convergence-lag", err));
    TRY(check_span(s->oracle.wedge_grace_ns, DAY_NS, "oracle.wedge-grace", err));
    TRY(check_span(s->oracle.sync_recovery_bound_ns, SIM_RUN_DURATION_MAX_NS, "oracle.sync-recovery-bound", err));
    if (s->fault_count > SIM_FAULTS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "faults: at most %u", SIM_FAULTS_MAX);
    }
    for (uint32_t i = 0; i < s->fault_count; i++) {
        TRY(check_fault(s, i, err));
    }
    return SG_OK;
}

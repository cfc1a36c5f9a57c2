/*
 * scenario.c - defaults, validation and names of a sim_scenario.
 *
 * The defaults are the ones documented in scenario.h; validation names the
 * field at fault so a scenario-file error can point at its line.
 */
#include "sim/scenario.h"

#include <assert.h>
#include <math.h>
#include <string.h>

static const char *const backbone_names[SIM_BACKBONE_KIND_COUNT] = {"ideal", "redis", "postgres",
                                                                    "kafka"};
static const char *const fault_names[SIM_FAULT_KIND_COUNT] = {
    "backbone-down", "flap",         "latency",     "partition",    "connect-drop", "half-open",
    "subscriber-kill", "slow-subscriber", "slow-clients", "worker-crash", "fiu", "upstream-burst", "send-fail", "clients-leave",
    "graceful-restart"};
static const char *const oracle_names[SIM_ORACLE_COUNT] = {
    "convergence",  "spurious-drop",     "double-disconnect", "health-lie",   "model-crash",
    "buffer-bound", "upstream-recovery", "notify-latency",    "terminal-lost", "resurrection"};
static const char *const health_names[SG_HEALTH_CODE_LAST + 1] = {"none", "serving", "not-serving", "unknown",
                                                                   "goaway"};
static const char *const race_names[SIM_RACE_COUNT] = {"none",           "four-events",      "reread",
                                                       "reread-hears-delete", "recreate-equal", "recreate-greater",
                                                       "recreate-less"};

static sg_status parse_name(const char *const *names, unsigned count, const char *name, unsigned *out)
{
    for (unsigned i = 0; i < count; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return SG_OK;
        }
    }
    return SG_E_INVALID;
}

/* name <-> value for one enum whose names are a table indexed by value */
#define NAMED_ENUM(type, name_fn, parse_fn, table, count)              \
    const char *name_fn(type v)                                        \
    {                                                                  \
        return (unsigned)v < (count) ? (table)[v] : "?";               \
    }                                                                  \
    sg_status parse_fn(const char *name, type *out) /* NOLINT(bugprone-macro-parentheses) */ \
    {                                                                  \
        unsigned i = 0;                                                \
        sg_status st = parse_name((table), (count), name, &i);         \
        *out = (type)i;                                                \
        return st;                                                     \
    }

NAMED_ENUM(sim_backbone_kind, sim_backbone_kind_name, sim_backbone_kind_parse, backbone_names, SIM_BACKBONE_KIND_COUNT)
NAMED_ENUM(sim_fault_kind, sim_fault_kind_name, sim_fault_kind_parse, fault_names, SIM_FAULT_KIND_COUNT)
NAMED_ENUM(sim_oracle_id, sim_oracle_name, sim_oracle_parse, oracle_names, SIM_ORACLE_COUNT)
NAMED_ENUM(sim_race, sim_race_name, sim_race_parse, race_names, SIM_RACE_COUNT)

const char *sim_health_code_name(sg_health_code c)
{
    return (unsigned)c <= SG_HEALTH_CODE_LAST ? health_names[c] : "?";
}

sg_status sim_health_code_parse(const char *name, sg_health_code *out)
{
    unsigned i = 0;
    sg_status st = parse_name(health_names, SG_HEALTH_CODE_LAST + 1, name, &i);
    *out = (sg_health_code)i;
    return st == SG_OK && i == SG_HEALTH_CODE_NONE ? SG_E_INVALID : st;
}

static void topology_defaults(sim_topology *t)
{
    t->workers = 2;
    t->clients_per_worker = 10;
    t->worker_restart = true;
    t->worker_restart_ns = 5 * SG_NS_PER_S;
    t->backbone.kind = SIM_BACKBONE_REDIS;
    t->backbone.latency_ns = 2 * SG_NS_PER_MS;
    t->backbone.jitter_ns = 1 * SG_NS_PER_MS;
    t->backbone.connect_latency_ns = 5 * SG_NS_PER_MS;
    t->backbone.detect_ns = 0;
    t->backbone.output_buffer_bytes = (uint64_t)32 << 20;
    t->backbone.retention_msgs = 100000;
    t->backbone.payload_max = 7999;
}

void sim_scenario_init(sim_scenario *s)
{
    assert(s != NULL);
    memset(s, 0, sizeof *s);
    strcpy(s->name, "unnamed");
    s->seed = 1;
    s->duration_ns = (sg_duration_ns)5 * 60 * SG_NS_PER_S;
    s->sample_period_ns = SG_NS_PER_S;
    s->model_count = 1;
    strcpy(s->models[0], "core");
    topology_defaults(&s->topology);
    s->bcast = sg_bcast_config_default();
    s->workload.publish_per_s = 1.0;
    s->workload.payload_bytes = 256;
    s->workload.connect_spread_ns = SG_NS_PER_S;
    s->workload.publisher = -1;
    s->client.backoff = sg_backoff_config_default(SG_BACKOFF_FULL_JITTER);
    s->client.connect_latency_ns = 20 * SG_NS_PER_MS;
    s->truth.refetch_per_s = 1000.0;
    s->truth.queue_max = 5000;
    s->truth.refetch_latency_ns = 5 * SG_NS_PER_MS;
    s->probe.period_ns = 10 * SG_NS_PER_S;
    s->probe.timeout_ns = SG_NS_PER_S;
    s->probe.failure_threshold = 3;
    s->probe.restart = true;
    s->sync.config = sg_sync_config_default();
    s->sync.legacy_retry_ns = 60 * SG_NS_PER_S;
    s->sync.bucket_capacity = 10.0;
    s->sync.drain_per_s = 0.01;
    s->sync.count_rejected = true;
    s->sync.retry_after_ceiling_s = 3600;
    s->oracle.checks = SIM_ORACLE_ALL;
    s->oracle.convergence_bound_ns = 60 * SG_NS_PER_S;
    s->oracle.convergence_lag_ns = SG_NS_PER_S;
    s->oracle.wedge_grace_ns = 60 * SG_NS_PER_S;
    s->oracle.notify_bound_ns = SG_NS_PER_S;
    s->healthz.slow = 0;
    s->healthz.busy_ns = 5 * SG_NS_PER_S;
    s->healthz.code = SG_HEALTH_CODE_NOT_SERVING;
    s->healthz.step_ns = 10 * SG_NS_PER_MS;
    s->healthz.leave_trigger = -1;
    s->healthz.leave_victim = -1;
    s->oracle.sync_recovery_bound_ns = 3600 * SG_NS_PER_S;
}

sim_fault sim_fault_make(sim_fault_kind kind, sg_time_ns at)
{
    sim_fault f;
    memset(&f, 0, sizeof f);
    f.kind = kind;
    f.at = at;
    f.target = -1;
    return f;
}

sg_status sim_scenario_add_fault(sim_scenario *s, const sim_fault *f)
{
    assert(s != NULL && f != NULL);
    if (s->fault_count >= SIM_FAULTS_MAX) {
        return SG_E_FULL;
    }
    s->faults[s->fault_count++] = *f;
    return SG_OK;
}

sg_time_ns sim_fault_end(const sim_fault *f)
{
    switch (f->kind) {
    case SIM_FAULT_BACKBONE_DOWN:
    case SIM_FAULT_FIU:
        return f->duration_ns == 0 ? SG_TIME_NEVER : sg_time_add(f->at, f->duration_ns);
    case SIM_FAULT_FLAP:
        return sg_time_add(f->at, (sg_duration_ns)f->count * (f->down_ns + f->up_ns));
    case SIM_FAULT_LATENCY:
    case SIM_FAULT_PARTITION:
    case SIM_FAULT_CONNECT_DROP:
    case SIM_FAULT_SLOW_SUBSCRIBER:
    case SIM_FAULT_SEND_FAIL:
    case SIM_FAULT_CLIENTS_LEAVE:
        return sg_time_add(f->at, f->duration_ns);
    default:
        return f->at;
    }
}

sg_time_ns sim_scenario_last_fault_end(const sim_scenario *s)
{
    sg_time_ns last = 0;
    for (uint32_t i = 0; i < s->fault_count; i++) {
        sg_time_ns e = sim_fault_end(&s->faults[i]);
        if (e > last) {
            last = e;
        }
    }
    return last;
}

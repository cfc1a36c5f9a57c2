/*
 * storm_keys.c - `key=value` options of storm statements, from tables.
 *
 * Each statement that takes options (backbone, bcast, workload, client,
 * truth, probe, sync, oracle, fault) has a table: the key as written, the
 * kind of value, where it lands in sim_scenario (or sim_fault) and its
 * bounds.  One generic loop applies a table, so every key gets the same
 * treatment: an unknown key is an error that lists the known ones, a key
 * given twice in one statement is an error, a value out of bounds names
 * the bounds, and a fault key that means nothing for the fault's kind is
 * refused instead of ignored.
 */
#include <assert.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "stormglass/parse.h"
#include "storm_internal.h"

#define HOUR_NS (3600.0 * 1e9)
#define DAY_NS (24.0 * HOUR_NS)
#define SPAN_MAX ((double)SG_DURATION_MAX_NS)
#define RUN_MAX ((double)SIM_RUN_DURATION_MAX_NS)

#define SC(field) offsetof(sim_scenario, field)
#define FK(kind) (1u << SIM_FAULT_##kind)

static const storm_key backbone_keys[] = {
    {"latency", STORM_V_DURATION, SC(topology.backbone.latency_ns), 0, HOUR_NS, 0},
    {"jitter", STORM_V_DURATION, SC(topology.backbone.jitter_ns), 0, HOUR_NS, 0},
    {"connect-latency", STORM_V_DURATION, SC(topology.backbone.connect_latency_ns), 0, HOUR_NS, 0},
    {"detect", STORM_V_DURATION, SC(topology.backbone.detect_ns), 0, DAY_NS, 0},
    {"output-buffer", STORM_V_BYTES64, SC(topology.backbone.output_buffer_bytes), 1, 1099511627776.0, 0},
    {"retention", STORM_V_U32, SC(topology.backbone.retention_msgs), 1, 100000000, 0},
    {"payload-max", STORM_V_BYTES32, SC(topology.backbone.payload_max), 1, SG_BCAST_PAYLOAD_MAX, 0},
};

static const storm_key bcast_keys[] = {
    {"reconnect", STORM_V_BOOL, SC(bcast.reconnect_enabled), 0, 0, 0},
    {"max-retries", STORM_V_U32, SC(bcast.backoff.max_retries), 0, SG_BACKOFF_MAX_RETRIES_MAX, 0},
    {"backoff", STORM_V_BACKOFF, SC(bcast.backoff.policy), 0, 0, 0},
    {"backoff-min", STORM_V_DURATION, SC(bcast.backoff.base_ns), 0, SPAN_MAX, 0},
    {"backoff-max", STORM_V_DURATION, SC(bcast.backoff.max_ns), 0, SPAN_MAX, 0},
    {"backoff-multiplier", STORM_V_DOUBLE, SC(bcast.backoff.multiplier), SG_BACKOFF_MULTIPLIER_MIN,
     SG_BACKOFF_MULTIPLIER_MAX, 0},
    {"connect-timeout", STORM_V_DURATION, SC(bcast.connect_timeout_ns), 0, SPAN_MAX, 0},
    {"replay-items", STORM_V_U32, SC(bcast.replay_items_max), 0, SG_BCAST_REPLAY_ITEMS_MAX, 0},
    {"replay-bytes", STORM_V_BYTES64, SC(bcast.replay_bytes_max), 0, (double)SG_BCAST_REPLAY_BYTES_MAX, 0},
    {"payload-max", STORM_V_BYTES32, SC(bcast.backbone_payload_max), 1, SG_BCAST_PAYLOAD_MAX, 0},
    {"resync", STORM_V_BOOL, SC(bcast.resync_on_reconnect), 0, 0, 0},
    {"settle", STORM_V_DURATION, SC(bcast.settle_ns), 0, SPAN_MAX, 0},
    {"settle-jitter", STORM_V_DURATION, SC(bcast.settle_jitter_ns), 0, SPAN_MAX, 0},
    {"resync-window", STORM_V_DURATION, SC(bcast.resync_window_ns), 0, SPAN_MAX, 0},
    {"resync-cooldown", STORM_V_DURATION, SC(bcast.resync_cooldown_ns), 0, SPAN_MAX, 0},
    {"delivery", STORM_V_DELIVERY, SC(bcast.delivery), 0, 0, 0},
    {"watchdog", STORM_V_DURATION, SC(bcast.watchdog_ns), 0, SPAN_MAX, 0},
    {"heartbeat", STORM_V_DURATION, SC(bcast.heartbeat_ns), 0, SPAN_MAX, 0},
    {"healthcheck", STORM_V_BOOL, SC(bcast.healthcheck_enabled), 0, 0, 0},
    {"clients-max", STORM_V_U32, SC(bcast.clients_max), 1, SG_BCAST_CLIENTS_MAX, 0},
    {"peers-max", STORM_V_U32, SC(bcast.peers_max), 1, SG_BCAST_PEERS_MAX, 0},
};

static const storm_key workload_keys[] = {
    {"publish-rate", STORM_V_DOUBLE, SC(workload.publish_per_s), 0, 100000, 0},
    {"payload", STORM_V_BYTES32, SC(workload.payload_bytes), 8, SIM_PAYLOAD_BYTES_MAX, 0},
    {"start", STORM_V_DURATION, SC(workload.publish_start_ns), 0, RUN_MAX, 0},
    {"stop", STORM_V_DURATION, SC(workload.publish_stop_ns), 0, RUN_MAX, 0},
    {"connect-spread", STORM_V_DURATION, SC(workload.connect_spread_ns), 0, DAY_NS, 0},
    {"publisher", STORM_V_I32, SC(workload.publisher), -1, SIM_WORKERS_MAX - 1, 0},
};

static const storm_key client_keys[] = {
    {"backoff", STORM_V_BACKOFF, SC(client.backoff.policy), 0, 0, 0},
    {"base", STORM_V_DURATION, SC(client.backoff.base_ns), 0, SPAN_MAX, 0},
    {"max", STORM_V_DURATION, SC(client.backoff.max_ns), 0, SPAN_MAX, 0},
    {"multiplier", STORM_V_DOUBLE, SC(client.backoff.multiplier), SG_BACKOFF_MULTIPLIER_MIN,
     SG_BACKOFF_MULTIPLIER_MAX, 0},
    {"jitter", STORM_V_DOUBLE, SC(client.backoff.jitter), 0, SG_BACKOFF_JITTER_MAX, 0},
    {"max-retries", STORM_V_U32, SC(client.backoff.max_retries), 0, SG_BACKOFF_MAX_RETRIES_MAX, 0},
    {"connect-latency", STORM_V_DURATION, SC(client.connect_latency_ns), 0, HOUR_NS, 0},
};

static const storm_key truth_keys[] = {
    {"refetch-rate", STORM_V_DOUBLE, SC(truth.refetch_per_s), 0, 1e9, 0},
    {"queue", STORM_V_U32, SC(truth.queue_max), 0, SIM_CLIENTS_TOTAL_MAX, 0},
    {"latency", STORM_V_DURATION, SC(truth.refetch_latency_ns), 0, HOUR_NS, 0},
};

static const storm_key probe_keys[] = {
    {"period", STORM_V_DURATION, SC(probe.period_ns), 0, DAY_NS, 0},
    {"timeout", STORM_V_DURATION, SC(probe.timeout_ns), 0, DAY_NS, 0},
    {"failure-threshold", STORM_V_U32, SC(probe.failure_threshold), 1, 1000, 0},
    {"initial-delay", STORM_V_DURATION, SC(probe.initial_delay_ns), 0, DAY_NS, 0},
    {"restart", STORM_V_BOOL, SC(probe.restart), 0, 0, 0},
};

static const storm_key sync_keys[] = {
    {"nodes", STORM_V_U32, SC(sync.nodes), 0, SIM_SYNC_NODES_MAX, 0},
    {"interval", STORM_V_DURATION, SC(sync.config.interval_ns), 0, DAY_NS, 0},
    {"base", STORM_V_DURATION, SC(sync.config.failure_base_ns), 0, DAY_NS, 0},
    {"cap", STORM_V_DURATION, SC(sync.config.failure_cap_ns), 0, DAY_NS, 0},
    {"jitter", STORM_V_DOUBLE, SC(sync.config.jitter), 0, 1, 0},
    {"legacy-retry", STORM_V_DURATION, SC(sync.legacy_retry_ns), 0, DAY_NS, 0},
    {"bucket", STORM_V_DOUBLE, SC(sync.bucket_capacity), 0, 1e9, 0},
    {"drain", STORM_V_DOUBLE, SC(sync.drain_per_s), 0, 1e9, 0},
    {"count-rejected", STORM_V_BOOL, SC(sync.count_rejected), 0, 0, 0},
    {"retry-after", STORM_V_RETRY_AFTER, SC(sync.retry_after), 0, SIM_RETRY_AFTER_TEXT_MAX, 0},
    {"ceiling", STORM_V_I64, SC(sync.retry_after_ceiling_s), 0, 1e9, 0},
    {"start-spread", STORM_V_DURATION, SC(sync.start_spread_ns), 0, DAY_NS, 0},
    {"overload", STORM_V_DOUBLE, SC(sync.overload_per_s), 0, 1e6, 0},
};

static const storm_key oracle_keys[] = {
    {"convergence-bound", STORM_V_DURATION, SC(oracle.convergence_bound_ns), 0, DAY_NS, 0},
    {"convergence-lag", STORM_V_DURATION, SC(oracle.convergence_lag_ns), 0, DAY_NS, 0},
    {"wedge-grace", STORM_V_DURATION, SC(oracle.wedge_grace_ns), 0, DAY_NS, 0},
    {"sync-recovery-bound", STORM_V_DURATION, SC(oracle.sync_recovery_bound_ns), 0, RUN_MAX, 0},
    {"notify-bound", STORM_V_DURATION, SC(oracle.notify_bound_ns), 0, DAY_NS, 0},
    {"checks", STORM_V_CHECKS, SC(oracle.checks), 0, 0, 0},
};

#define HEALTHZ_WATCHERS_MAX 100000.0 /* sim_scenario_check's bound */

static const storm_key healthz_keys[] = {
    {"watchers", STORM_V_U32, SC(healthz.watchers), 0, HEALTHZ_WATCHERS_MAX, 0},
    {"slow", STORM_V_I32, SC(healthz.slow), -1, HEALTHZ_WATCHERS_MAX - 1, 0},
    {"busy", STORM_V_DURATION, SC(healthz.busy_ns), 0, DAY_NS, 0},
    {"code", STORM_V_HEALTH_CODE, SC(healthz.code), 0, 0, 0},
    {"goaway-at", STORM_V_DURATION, SC(healthz.goaway_at_ns), 0, RUN_MAX, 0},
    {"step", STORM_V_DURATION, SC(healthz.step_ns), 0, 60e9, 0},
    {"leave-trigger", STORM_V_I32, SC(healthz.leave_trigger), -1, HEALTHZ_WATCHERS_MAX - 1, 0},
    {"leave-victim", STORM_V_I32, SC(healthz.leave_victim), -1, HEALTHZ_WATCHERS_MAX - 1, 0},
};

static const storm_key appproxy_keys[] = {
    {"race", STORM_V_RACE, SC(appproxy.race), 0, 0, 0},
};

#define FF(field) offsetof(sim_fault, field)
#define FK_TARGETED                                                                                            \
    (FK(PARTITION) | FK(HALF_OPEN) | FK(SUBSCRIBER_KILL) | FK(SLOW_SUBSCRIBER) | FK(SLOW_CLIENTS) | FK(WORKER_CRASH) | \
     FK(SEND_FAIL) | FK(CLIENTS_LEAVE) | FK(GRACEFUL_RESTART))
#define FK_SPANNED                                                                                        \
    (FK(BACKBONE_DOWN) | FK(LATENCY) | FK(PARTITION) | FK(CONNECT_DROP) | FK(SLOW_SUBSCRIBER) | FK(FIU) | \
     FK(SEND_FAIL) | FK(CLIENTS_LEAVE))
#define FK_VALUED (FK(SLOW_SUBSCRIBER) | FK(SLOW_CLIENTS) | FK(FIU) | FK(SEND_FAIL) | FK(CLIENTS_LEAVE))
#define FK_ALL ((1u << SIM_FAULT_KIND_COUNT) - 1u)

static const storm_key fault_keys[] = {
    {"at", STORM_V_DURATION, FF(at), 0, RUN_MAX, FK_ALL},
    {"kind", STORM_V_FAULT_KIND, FF(kind), 0, 0, FK_ALL},
    {"target", STORM_V_I32, FF(target), -1, SIM_WORKERS_MAX - 1, FK_TARGETED},
    {"duration", STORM_V_DURATION, FF(duration_ns), 0, RUN_MAX, FK_SPANNED},
    {"count", STORM_V_U32, FF(count), 1, 1000000, FK(FLAP) | FK(UPSTREAM_BURST)},
    {"down", STORM_V_DURATION, FF(down_ns), 0, DAY_NS, FK(FLAP) | FK(LATENCY)},
    {"latency", STORM_V_DURATION, FF(down_ns), 0, DAY_NS, FK(LATENCY)},
    {"up", STORM_V_DURATION, FF(up_ns), 0, DAY_NS, FK(FLAP) | FK(CONNECT_DROP)},
    {"jitter", STORM_V_DURATION, FF(jitter_ns), 0, DAY_NS, FK(LATENCY)},
    {"value", STORM_V_DOUBLE, FF(value), 0, 1e12, FK_VALUED},
    {"probability", STORM_V_DOUBLE, FF(value), 0, 1, FK(FIU) | FK(SEND_FAIL)},
    {"fraction", STORM_V_DOUBLE, FF(value), 0, 1, FK(SLOW_CLIENTS) | FK(CLIENTS_LEAVE)},
    {"rate", STORM_V_DOUBLE, FF(value), 0, 1e12, FK(SLOW_SUBSCRIBER)},
    {"point", STORM_V_POINT, FF(point), 0, SIM_FIU_POINT_MAX, FK(FIU)},
};

void storm_fault_normalize(sim_fault *f)
{
    assert(f != NULL);
    if ((unsigned)f->kind >= SIM_FAULT_KIND_COUNT) {
        return;
    }
    uint32_t bit = 1u << f->kind;
    for (size_t k = 0; k < sizeof fault_keys / sizeof fault_keys[0]; k++) {
        const storm_key *key = &fault_keys[k];
        bool used = false; /* aliases share a field: it matters if any of them applies */
        for (size_t j = 0; j < sizeof fault_keys / sizeof fault_keys[0]; j++) {
            used = used || (fault_keys[j].offset == key->offset && (fault_keys[j].faults & bit) != 0);
        }
        if (used) {
            continue;
        }
        void *field = (char *)f + key->offset;
        if (key->offset == offsetof(sim_fault, target)) {
            int32_t none = -1;
            memcpy(field, &none, sizeof none);
        } else if (key->kind == STORM_V_POINT) {
            memset(field, 0, SIM_FIU_POINT_MAX);
        } else if (key->kind == STORM_V_DURATION || key->kind == STORM_V_DOUBLE) {
            memset(field, 0, sizeof(int64_t)); /* sg_duration_ns and double are both 8 bytes */
        } else if (key->kind == STORM_V_U32) {
            memset(field, 0, sizeof(uint32_t));
        }
    }
}

static const char *vkind_name(storm_vkind k)
{
    static const char *const names[] = {"duration", "count", "integer", "integer", "size", "size", "number",
                                        "on|off", "backoff policy", "immediate|on-echo", "fault kind", "text",
                                        "text", "oracle list", "race", "health code"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

static void print_table(FILE *out, const char *statement, const storm_key *keys, size_t count, bool faults)
{
    fprintf(out, "%s\n", statement);
    for (size_t k = 0; k < count; k++) {
        fprintf(out, "  %-22s %s", keys[k].name, vkind_name(keys[k].kind));
        if (faults && keys[k].faults != FK_ALL) {
            fputs("  (", out);
            const char *sep = "";
            for (unsigned f = 0; f < SIM_FAULT_KIND_COUNT; f++) {
                if (keys[k].faults & (1u << f)) {
                    fprintf(out, "%s%s", sep, sim_fault_kind_name((sim_fault_kind)f));
                    sep = ", ";
                }
            }
            fputc(')', out);
        }
        fputc('\n', out);
    }
}

void storm_print_reference(FILE *out)
{
    assert(out != NULL);
#define PRINT_TABLE(stmt, keys) print_table(out, stmt, keys, sizeof(keys) / sizeof((keys)[0]), false)
    PRINT_TABLE("backbone [ideal|redis|postgres|kafka]", backbone_keys);
    PRINT_TABLE("bcast", bcast_keys);
    PRINT_TABLE("workload", workload_keys);
    PRINT_TABLE("client", client_keys);
    PRINT_TABLE("truth", truth_keys);
    PRINT_TABLE("probe [on|off]", probe_keys);
    PRINT_TABLE("sync", sync_keys);
    PRINT_TABLE("healthz", healthz_keys);
    PRINT_TABLE("appproxy", appproxy_keys);
    PRINT_TABLE("oracle", oracle_keys);
#undef PRINT_TABLE
    print_table(out, "fault (keys apply to the kinds in parentheses)", fault_keys,
                sizeof fault_keys / sizeof fault_keys[0], true);
    fputs("metrics (expect ... METRIC OP VALUE)\n", out);
    for (unsigned i = 0; i < SIM_METRIC_COUNT; i++) {
        fprintf(out, "  %-26s %s\n", sim_metric_name((sim_metric_id)i), sim_metric_description((sim_metric_id)i));
    }
    for (unsigned i = 0; i < STORM_DERIVED_COUNT; i++) {
        fprintf(out, "  %-26s %s\n", storm_derived_name((storm_derived)i), storm_derived_description((storm_derived)i));
    }
    for (unsigned i = 0; i < SIM_ORACLE_COUNT; i++) {
        fprintf(out, "  oracle.%-19s violations of the %s oracle\n", sim_oracle_name((sim_oracle_id)i),
                sim_oracle_name((sim_oracle_id)i));
    }
}

#define TABLE(var, stmt, keys) const storm_key_table var = {stmt, keys, sizeof(keys) / sizeof((keys)[0])}
TABLE(storm_keys_backbone, "backbone", backbone_keys);
TABLE(storm_keys_bcast, "bcast", bcast_keys);
TABLE(storm_keys_workload, "workload", workload_keys);
TABLE(storm_keys_client, "client", client_keys);
TABLE(storm_keys_truth, "truth", truth_keys);
TABLE(storm_keys_probe, "probe", probe_keys);
TABLE(storm_keys_sync, "sync", sync_keys);
TABLE(storm_keys_oracle, "oracle", oracle_keys);
TABLE(storm_keys_fault, "fault", fault_keys);
TABLE(storm_keys_healthz, "healthz", healthz_keys);
TABLE(storm_keys_appproxy, "appproxy", appproxy_keys);

_Static_assert(sizeof(sg_duration_ns) == 8 && sizeof(double) == 8, "normalize clears 8-byte fields");

/* set_name stores enumerations through an int. */
_Static_assert(sizeof(sg_backoff_policy) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(sg_delivery_policy) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(sim_fault_kind) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(sim_race) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(sg_health_code) == sizeof(int), "enum stored as int");

/* A key seen twice in one statement is tracked in a 64-bit mask. */
_Static_assert(sizeof bcast_keys / sizeof bcast_keys[0] <= 64, "key tables fit the seen mask");

static sg_status fail_value(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                            const char *why)
{
    return storm_fail_tok(p, st, t, "%s: %s", k->name, why);
}

static sg_status set_duration(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                              void *dst)
{
    sg_error e = {{0}};
    sg_duration_ns v = 0;
    if (sg_parse_duration(t->text, t->len, SG_UNIT_REQUIRED, &v, &e) != SG_OK) {
        return fail_value(p, st, t, k, e.msg);
    }
    if ((double)v < k->min || (double)v > k->max) {
        char lo[32], hi[32], why[96];
        sg_format_duration((sg_duration_ns)k->min, lo, sizeof lo);
        sg_format_duration((sg_duration_ns)k->max, hi, sizeof hi);
        (void)snprintf(why, sizeof why, "expected a duration within %s .. %s", lo, hi);
        return fail_value(p, st, t, k, why);
    }
    memcpy(dst, &v, sizeof v);
    return SG_OK;
}

/* Stores v in the width the key's kind names (bounds already checked). */
static void store_integer(storm_vkind kind, int64_t v, void *dst)
{
    if (kind == STORM_V_U32 || kind == STORM_V_BYTES32) {
        uint32_t u = (uint32_t)v;
        memcpy(dst, &u, sizeof u);
    } else if (kind == STORM_V_I32) {
        int32_t i = (int32_t)v;
        memcpy(dst, &i, sizeof i);
    } else {
        memcpy(dst, &v, sizeof v);
    }
}

/* Integers, with an optional leading '-' for the signed kinds. */
static sg_status set_integer(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                             void *dst)
{
    sg_error e = {{0}};
    bool neg = t->len > 1 && t->text[0] == '-' && k->kind != STORM_V_U32;
    uint64_t mag = 0;
    uint64_t limit = (uint64_t)(neg ? -k->min : k->max);
    if ((neg && k->min >= 0) ||
        sg_parse_u64(t->text + (neg ? 1 : 0), t->len - (neg ? 1u : 0u), 0, limit, &mag, &e) != SG_OK ||
        (!neg && (double)mag < k->min)) {
        char why[96];
        (void)snprintf(why, sizeof why, "expected a whole number within %.0f .. %.0f", k->min, k->max);
        return fail_value(p, st, t, k, why);
    }
    store_integer(k->kind, neg ? -(int64_t)mag : (int64_t)mag, dst);
    return SG_OK;
}

static sg_status set_bytes(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                           void *dst)
{
    sg_error e = {{0}};
    uint64_t v = 0;
    if (sg_parse_bytes(t->text, t->len, (uint64_t)k->max, &v, &e) != SG_OK) {
        return fail_value(p, st, t, k, e.msg);
    }
    if ((double)v < k->min) {
        return fail_value(p, st, t, k, "must be at least 1 byte");
    }
    store_integer(k->kind, (int64_t)v, dst); /* byte bounds are far below INT64_MAX */
    return SG_OK;
}

static sg_status set_text(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                          void *dst, size_t size)
{
    _Static_assert(SIM_RETRY_AFTER_TEXT_MAX >= SIM_FIU_POINT_MAX, "one buffer holds both texts");
    char buf[SIM_RETRY_AFTER_TEXT_MAX];
    assert(size <= sizeof buf);
    if (storm_tok_text(t, buf, size) != SG_OK) {
        char why[64];
        (void)snprintf(why, sizeof why, "expected at most %zu bytes", size - 1);
        return fail_value(p, st, t, k, why);
    }
    memcpy(dst, buf, size);
    return SG_OK;
}

/* Enumerated names: backoff policies, delivery, fault kinds. */
static sg_status set_name(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                          void *dst)
{
    char name[32];
    int v = -1;
    if (storm_tok_text(t, name, sizeof name) == SG_OK) {
        if (k->kind == STORM_V_BACKOFF) {
            sg_backoff_policy pol;
            v = sg_backoff_policy_parse(name, &pol) == SG_OK ? (int)pol : -1;
        } else if (k->kind == STORM_V_FAULT_KIND) {
            sim_fault_kind fk;
            v = sim_fault_kind_parse(name, &fk) == SG_OK ? (int)fk : -1;
        } else if (k->kind == STORM_V_RACE) {
            sim_race race;
            v = sim_race_parse(name, &race) == SG_OK ? (int)race : -1;
        } else if (k->kind == STORM_V_HEALTH_CODE) {
            sg_health_code code;
            v = sim_health_code_parse(name, &code) == SG_OK && code != SG_HEALTH_CODE_NONE ? (int)code : -1;
        } else {
            v = strcmp(name, "immediate") == 0 ? (int)SG_DELIVERY_IMMEDIATE
                : strcmp(name, "on-echo") == 0 ? (int)SG_DELIVERY_ON_ECHO
                                                : -1;
        }
    }
    if (v < 0) {
        const char *expected = k->kind == STORM_V_BACKOFF
                                   ? "expected none, constant, exponential, full, equal, decorrelated or grpc"
                               : k->kind == STORM_V_FAULT_KIND
                                   ? "expected backbone-down, flap, latency, partition, connect-drop, half-open, "
                                     "subscriber-kill, slow-subscriber, slow-clients, worker-crash, fiu, "
                                     "upstream-burst, send-fail, clients-leave or graceful-restart"
                               : k->kind == STORM_V_RACE
                                   ? "expected none, four-events, reread, reread-hears-delete, recreate-equal, "
                                     "recreate-greater or recreate-less"
                               : k->kind == STORM_V_HEALTH_CODE ? "expected serving, not-serving, unknown or goaway"
                                                                : "expected immediate or on-echo";
        return fail_value(p, st, t, k, expected);
    }
    /* Every enum here is int-sized. */
    memcpy(dst, &v, sizeof v);
    return SG_OK;
}

sg_status storm_value_set(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                          void *dst)
{
    assert(t != NULL && k != NULL && dst != NULL);
    switch (k->kind) {
    case STORM_V_DURATION:
        return set_duration(p, st, t, k, dst);
    case STORM_V_U32:
    case STORM_V_I32:
    case STORM_V_I64:
        return set_integer(p, st, t, k, dst);
    case STORM_V_BYTES32:
    case STORM_V_BYTES64:
        return set_bytes(p, st, t, k, dst);
    case STORM_V_DOUBLE: {
        sg_error e = {{0}};
        double v = 0;
        if (sg_parse_double(t->text, t->len, k->min, k->max, &v, &e) != SG_OK) {
            return fail_value(p, st, t, k, e.msg);
        }
        memcpy(dst, &v, sizeof v);
        return SG_OK;
    }
    case STORM_V_BOOL: {
        sg_error e = {{0}};
        bool v = false;
        if (sg_parse_bool(t->text, t->len, &v, &e) != SG_OK) {
            return fail_value(p, st, t, k, "expected on or off");
        }
        memcpy(dst, &v, sizeof v);
        return SG_OK;
    }
    case STORM_V_POINT:
    case STORM_V_RETRY_AFTER:
        return set_text(p, st, t, k, dst, (size_t)k->max); /* max = the buffer size */
    case STORM_V_CHECKS:
        /* Lists are set by set_checks: reaching here is a table bug. */
        assert(k->kind != STORM_V_CHECKS);
        return SG_E_INVALID;
    default:
        return set_name(p, st, t, k, dst);
    }
}

/* checks=all | none | oracle[,oracle...]; consumes the list, *i ends on its last item. */
static sg_status set_checks(storm_parser *p, const storm_stmt *st, uint32_t *i, const storm_key *k, void *dst)
{
    uint32_t mask = 0;
    for (;;) {
        const storm_token *t = &st->tokens[*i];
        char name[32];
        sim_oracle_id id;
        if (t->kind != STORM_TOK_WORD || storm_tok_text(t, name, sizeof name) != SG_OK) {
            return fail_value(p, st, t, k, "expected all, none or a comma-separated list of oracles");
        }
        if (strcmp(name, "all") == 0) {
            mask = SIM_ORACLE_ALL;
        } else if (strcmp(name, "none") != 0) {
            if (sim_oracle_parse(name, &id) != SG_OK) {
                return fail_value(p, st, t, k,
                                  "expected all, none or oracles among convergence, spurious-drop, "
                                  "double-disconnect, health-lie, model-crash, buffer-bound, upstream-recovery, "
                                  "notify-latency, terminal-lost, resurrection");
            }
            mask |= 1u << id;
        }
        if (*i + 2 < st->token_count && storm_tok_is(&st->tokens[*i + 1], STORM_TOK_SIGN, ",")) {
            *i += 2;
            continue;
        }
        break;
    }
    memcpy(dst, &mask, sizeof mask);
    return SG_OK;
}

static const storm_key *find_key(const storm_key_table *table, const storm_token *t, size_t *index)
{
    for (size_t k = 0; k < table->count; k++) {
        if (storm_tok_is(t, STORM_TOK_WORD, table->keys[k].name)) {
            *index = k;
            return &table->keys[k];
        }
    }
    return NULL;
}

static sg_status unknown_key(storm_parser *p, const storm_stmt *st, const storm_token *t,
                             const storm_key_table *table)
{
    char list[320];
    size_t n = 0;
    list[0] = '\0';
    for (size_t k = 0; k < table->count && n < sizeof list; k++) {
        int w = snprintf(list + n, sizeof list - n, "%s%s", k > 0 ? ", " : "", table->keys[k].name);
        n += w > 0 ? (size_t)w : 0;
    }
    char shown[64];
    return storm_fail_tok(p, st, t, "unknown key %s for '%s' (expected one of: %s)",
                          storm_tok_show(t, shown, sizeof shown), table->statement, list);
}

static sg_status check_applies(storm_parser *p, const storm_stmt *st, const storm_token *t, const storm_key *k,
                               int fault_kind)
{
    if (fault_kind < 0 || (k->faults & (1u << fault_kind)) != 0) {
        return SG_OK;
    }
    char kinds[256];
    size_t n = 0;
    kinds[0] = '\0';
    for (unsigned f = 0; f < SIM_FAULT_KIND_COUNT && n < sizeof kinds; f++) {
        if (k->faults & (1u << f)) {
            int w = snprintf(kinds + n, sizeof kinds - n, "%s%s", n > 0 ? ", " : "",
                             sim_fault_kind_name((sim_fault_kind)f));
            n += w > 0 ? (size_t)w : 0;
        }
    }
    return storm_fail_tok(p, st, t, "key '%s' does not apply to a %s fault (it applies to: %s)", k->name,
                          sim_fault_kind_name((sim_fault_kind)fault_kind), kinds);
}

sg_status storm_keys_apply(storm_parser *p, const storm_stmt *st, uint32_t first, const storm_key_table *table,
                           void *base, int fault_kind)
{
    assert(st != NULL && table != NULL && base != NULL);
    assert(table->count <= 64);
    uint64_t seen = 0;
    char shown[64];
    for (uint32_t i = first; i < st->token_count; i++) {
        const storm_token *t = &st->tokens[i];
        size_t index = 0;
        const storm_key *k = t->kind == STORM_TOK_WORD ? find_key(table, t, &index) : NULL;
        if (t->kind != STORM_TOK_WORD) {
            return storm_fail_tok(p, st, t, "expected key=value, got %s", storm_tok_show(t, shown, sizeof shown));
        }
        if (k == NULL) {
            return unknown_key(p, st, t, table);
        }
        sg_status s = check_applies(p, st, t, k, fault_kind);
        if (s != SG_OK) {
            return s;
        }
        if (seen & ((uint64_t)1 << index)) {
            return storm_fail_tok(p, st, t, "key '%s' given twice in one statement", k->name);
        }
        seen |= (uint64_t)1 << index;
        if (i + 1 >= st->token_count || !storm_tok_is(&st->tokens[i + 1], STORM_TOK_SIGN, "=")) {
            return storm_fail_tok(p, st, t, "expected '=' after '%s' (write %s=VALUE)", k->name, k->name);
        }
        if (i + 2 >= st->token_count || st->tokens[i + 2].kind == STORM_TOK_SIGN) {
            return storm_fail_tok(p, st, &st->tokens[i + 1], "expected a value after '%s='", k->name);
        }
        i += 2;
        void *dst = (char *)base + k->offset;
        s = k->kind == STORM_V_CHECKS ? set_checks(p, st, &i, k, dst) : storm_value_set(p, st, &st->tokens[i], k, dst);
        if (s != SG_OK) {
            return s;
        }
    }
    return SG_OK;
}

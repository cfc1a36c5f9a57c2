/*
 * result.h - what one simulated run measured: named metrics, oracle
 * violations, the trace hash and sampled time series.
 *
 * Metrics are one flat array of doubles indexed by sim_metric_id; each has
 * a stable text name (sim_metric_name / sim_metric_find) so a scenario's
 * expectations ("core: spurious_drops == 0, convergence_time_s <= 10") map
 * onto them without knowing the simulator's internals.  A metric that does
 * not apply to a run (no sync world, never converged) holds the value its
 * description gives (usually 0 or -1).
 *
 * Time series are sampled every sample_period_ns from t = 0 (sample i is
 * the state at i * period, or for "per period" series the count during
 * [(i-1)*period, i*period)).  They are heap-owned by the result: release
 * them with sim_result_free.
 */
#ifndef STORMGLASS_SIM_RESULT_H
#define STORMGLASS_SIM_RESULT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/scenario.h"
#include "stormglass/status.h"
#include "stormglass/time.h"

/* X(id, "name", "description") - the order is the array order. */
#define SIM_METRICS(X)                                                                        \
    X(CLIENTS_TOTAL, "clients_total", "simulated clients")                                   \
    X(CLIENTS_DROPPED, "clients_dropped", "client connections ended by the server side")     \
    X(SPURIOUS_DROPS, "spurious_drops", "closes not caused by resync, injected crash or shutdown") \
    X(RESYNC_CLOSES, "resync_closes", "closes with 1012 (deliberate resync)")                \
    X(SHUTDOWN_DROPS, "shutdown_drops", "clients lost because their worker exited or crashed") \
    X(CLIENTS_LEFT, "clients_left", "clients that disconnected by themselves (injected)")    \
    X(CLIENT_CRASHES, "client_crashes", "connections the model refused with a crash (legacy)") \
    X(DOUBLE_DISCONNECTS, "double_disconnects", "double or stale unregisters the model counted") \
    X(RECONNECTS, "reconnects", "client connection attempts after the first")               \
    X(REFETCHES, "refetches", "full-state refetches served by the source of truth")          \
    X(REFETCH_REJECTED, "refetch_rejected", "refetches refused because the queue was full")  \
    X(REFETCH_WAIT_MAX_S, "refetch_wait_max_s", "longest queueing delay of a refetch")       \
    X(UPDATES_PUBLISHED, "updates_published", "updates written to the truth")                \
    X(DELIVERIES_MISSED, "deliveries_missed", "(worker, update) pairs never delivered by the end") \
    X(CONVERGED, "converged", "1 if every client had the truth at the end")                  \
    X(CONVERGENCE_TIME_S, "convergence_time_s",                                              \
      "seconds after the last fault until every client had the truth; -1 never")            \
    X(NOT_CONVERGED_END, "not_converged_end", "clients without the truth at the end")        \
    X(NOT_CONVERGED_MAX, "not_converged_max", "most clients without the truth at a sample")  \
    X(CONNECTED_MIN, "connected_min", "fewest connected clients at a sample after start-up") \
    X(HEALTH_503_S, "health_503_s", "worker-seconds the readiness answer was 503")          \
    X(HEALTH_LIED_S, "health_lied_s", "worker-seconds healthy while wedged past the grace")  \
    X(WEDGED_S, "wedged_s", "worker-seconds deaf with listeners past the grace")            \
    X(HEALTH_TRANSITIONS, "health_transitions", "health answer changes (probe flap)")       \
    X(PROBE_FAILURES, "probe_failures", "probe answers that were 503 or timed out")         \
    X(PROBE_RESTARTS, "probe_restarts", "workers restarted by the probe")                   \
    X(WORKER_EXITS, "worker_exits", "workers that asked to shut down (give-up)")            \
    X(WORKER_CRASHES, "worker_crashes", "injected worker crashes")                          \
    X(WORKER_RESTARTS, "worker_restarts", "fresh worker instances started after the first") \
    X(BACKBONE_CONNECTS, "backbone_connects", "backbone connect attempts by workers")       \
    X(BACKBONE_KILLS, "backbone_kills", "subscriptions the backbone killed (output buffer)") \
    X(GAPS, "gaps", "gaps the models detected")                                              \
    X(RECOVERIES, "recoveries", "recovery rounds")                                           \
    X(RESYNCS, "resyncs", "resync rounds")                                                   \
    X(REPLAYS, "replays", "items re-sent from replay buffers")                               \
    X(BUFFER_ITEMS_MAX, "max_buffer_items", "largest replay buffer of a worker (items)")     \
    X(BUFFER_BYTES_MAX, "max_buffer_bytes", "largest replay buffer of a worker (bytes)")     \
    X(BUFFER_DROPS, "buffer_drops", "replay items dropped (overflow, poison, no memory)")    \
    X(PUBLISH_DROPS, "publish_drops", "publishes a model dropped")                          \
    X(FIU_FAILURES, "fiu_failures", "libfiu fault points that fired")                        \
    X(UPSTREAM_REQUESTS, "upstream_requests", "sync requests sent to the upstream peer")     \
    X(UPSTREAM_429, "upstream_429", "requests answered 429")                                 \
    X(UPSTREAM_OK, "upstream_ok", "successful syncs")                                        \
    X(UPSTREAM_RATE_MAX_PER_MIN, "upstream_rate_max_per_min", "most requests in one minute") \
    X(SYNC_RECOVERY_S, "sync_recovery_s",                                                    \
      "longest first-429-to-first-success of a node; -1 if one never recovered")             \
    X(SYNC_FAILURES_MAX, "sync_failures_max", "highest consecutive failure count of a node") \
    X(NOTIFY_LATENCY_MAX_S, "notify_latency_max_s",                                          \
      "healthz: longest delay of the change to a watcher that was not busy; -1 if one never got it") \
    X(SLOW_WATCHER_LATENCY_S, "slow_watcher_latency_s", "healthz: delay to the busy watcher; -1 never") \
    X(WATCHERS_UNREACHED, "watchers_unreached", "healthz: live watchers that never got the change") \
    X(TERMINAL_LOST, "terminal_lost", "healthz: live watchers that never got GOAWAY")        \
    X(SENDER_CRASHES, "sender_crashes", "healthz: sends to a closed mailbox that crashed")   \
    X(DELIVERIES_TO_GONE, "deliveries_to_gone", "healthz: deliveries to a watcher that had left") \
    X(BROADCAST_CALLBACKS, "broadcast_callbacks", "healthz: delivery attempts the broadcast made") \
    X(RESURRECTED_KEYS, "resurrected_keys", "app-proxy: interleavings that wrote a deleted key back") \
    X(STALE_FINAL_KEYS, "stale_final_keys", "app-proxy: interleavings ending with stale or orphan keys") \
    X(INTERLEAVINGS, "interleavings", "app-proxy: interleavings of the scale-in race run")   \
    X(ORACLE_VIOLATIONS, "oracle_violations", "oracle violations (all kinds)")               \
    X(EVENTS, "events", "simulation events processed")

typedef enum sim_metric_id {
#define SIM_METRIC_ENUM(id, name, desc) SIM_M_##id,
    SIM_METRICS(SIM_METRIC_ENUM)
#undef SIM_METRIC_ENUM
    SIM_METRIC_COUNT
} sim_metric_id;

const char *sim_metric_name(sim_metric_id id);
const char *sim_metric_description(sim_metric_id id);
/* SG_E_NOT_FOUND for an unknown name. */
sg_status sim_metric_find(const char *name, sim_metric_id *out);

/* X(id, "name", per_period) - per_period series count events in a period,
 * the others are the state at the sample time. */
#define SIM_SERIES(X)                                          \
    X(CONNECTED, "connected_clients", false)                   \
    X(NOT_CONVERGED, "not_converged_clients", false)           \
    X(BACKBONE_UP, "backbone_up", false)                       \
    X(WORKERS_ALIVE, "workers_alive", false)                   \
    X(WORKERS_HEALTHY, "workers_healthy", false)               \
    X(WORKERS_READING, "workers_reading", false)               \
    X(RECONNECTS, "reconnects", true)                          \
    X(REFETCHES, "refetches", true)                            \
    X(CLOSES, "server_closes", true)                           \
    X(REFETCH_QUEUE, "refetch_queue", false)                   \
    X(BUFFER_ITEMS, "buffer_items", false)                     \
    X(UPSTREAM_REQUESTS, "upstream_requests", true)            \
    X(UPSTREAM_429, "upstream_429", true)                      \
    X(UPSTREAM_BUCKET, "upstream_bucket", false)

typedef enum sim_series_id {
#define SIM_SERIES_ENUM(id, name, per) SIM_S_##id,
    SIM_SERIES(SIM_SERIES_ENUM)
#undef SIM_SERIES_ENUM
    SIM_SERIES_COUNT
} sim_series_id;

#define SIM_SERIES_POINTS_MAX 8192u

const char *sim_series_name(sim_series_id id);
bool sim_series_per_period(sim_series_id id);

#define SIM_VIOLATION_TEXT_MAX 160u
#define SIM_VIOLATIONS_KEPT 16u

typedef struct sim_violation {
    sim_oracle_id oracle;
    sg_time_ns at;                          /* simulated time it was detected */
    int32_t worker;                         /* -1 if not about one worker */
    int64_t client;                         /* -1 if not about one client */
    char event[SIM_VIOLATION_TEXT_MAX];     /* what happened, for a person */
} sim_violation;

typedef struct sim_result {
    char model[SIM_MODEL_NAME_MAX];
    uint64_t seed;
    sg_time_ns end_ns;              /* simulated time reached */
    uint64_t trace_hash;            /* rolling hash of every trace event */
    double metrics[SIM_METRIC_COUNT];

    uint32_t violation_count;       /* all, including those not kept */
    uint32_t violations_per_oracle[SIM_ORACLE_COUNT];
    uint32_t violations_kept;       /* first SIM_VIOLATIONS_KEPT, in time order */
    sim_violation violations[SIM_VIOLATIONS_KEPT];

    sg_duration_ns sample_period_ns;
    uint32_t samples;               /* points in every series */
    double *series[SIM_SERIES_COUNT]; /* heap, `samples` points each */
} sim_result;

/* Zeroes a result so sim_result_free is safe on it. */
void sim_result_init(sim_result *r);
void sim_result_free(sim_result *r);

/* The first violation, or NULL when every oracle held. */
const sim_violation *sim_result_first_violation(const sim_result *r);

/* The result as one JSON object (format in sim/src/result_json.c): metrics
 * by name, violations, the trace hash, and the series if asked. */
void sim_result_write_json(FILE *out, const sim_result *r, bool with_series);

#endif

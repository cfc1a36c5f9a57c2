/*
 * scenario.h - the programmatic description of one simulated storm.
 *
 * A sim_scenario is a plain value (no pointers, fixed-size arrays) so it
 * can be copied, shrunk and printed.  The scenario-file parser fills one,
 * sim_run (run.h) executes it.  Everything a run depends on is here: the
 * topology, the per-worker core configuration, the workload, the clients'
 * reconnect policy, the source of truth, the probe, the infonet sync world,
 * the fault timeline, the oracle bounds, the seed and the duration.
 *
 * Start from sim_scenario_init() (every default below), then override.
 * sim_scenario_check() validates every field and names the one at fault.
 *
 * Determinism: a run is a pure function of (scenario, model, seed).  Faults
 * carry explicit times and targets, so a shrunk scenario replays the same
 * failure whatever the PRNG draws elsewhere; only latency jitter, client
 * connect spread, publish arrivals and FIU probabilities are drawn, each
 * from its own actor stream (sg_rng_seed(seed, stream)).
 *
 * Canonical text form (written by sim_scenario_print, one statement per
 * line, '#' starts a comment, durations with units as in sg_parse_duration,
 * sizes as in sg_parse_bytes):
 *
 *   name opal-prod-storm
 *   seed 1
 *   duration 10m
 *   models core stock
 *   workers 4
 *   clients-per-worker 100
 *   worker-restart on 5s
 *   pin-listener off
 *   backbone redis latency=2ms jitter=1ms connect-latency=5ms detect=0s
 *            output-buffer=32MiB retention=100000 payload-max=7999
 *   bcast reconnect=on max-retries=0 backoff=equal backoff-min=500ms backoff-max=30s
 *         replay-items=10000 replay-bytes=64MiB settle=2s settle-jitter=1s
 *         resync=on resync-window=10s resync-cooldown=30s watchdog=0s healthcheck=on
 *         delivery=immediate connect-timeout=10s payload-max=1MiB
 *         heartbeat=0s clients-max=65536 peers-max=256
 *   workload publish-rate=2 payload=256 start=0s stop=0s connect-spread=5s publisher=-1
 *   client backoff=full base=500ms max=30s connect-latency=20ms
 *   truth refetch-rate=500 queue=2000 latency=5ms
 *   probe on period=10s timeout=1s failure-threshold=3 initial-delay=0s restart=on
 *   sync nodes=1 interval=300s base=60s cap=1800s jitter=0 legacy-retry=60s
 *        bucket=10 drain=0.01 count-rejected=on retry-after="" ceiling=3600
 *   healthz watchers=10000 slow=0 busy=5s code=not-serving goaway-at=0s step=10ms
 *           leave-trigger=-1 leave-victim=-1
 *   appproxy race=four-events
 *   oracle convergence-bound=60s convergence-lag=1s wedge-grace=60s notify-bound=1s checks=all
 *   fault at=30s kind=backbone-down duration=20s
 *   fault at=1m kind=flap count=5 down=2s up=3s
 *   fault at=2m kind=worker-crash target=1
 *   fault at=3m kind=fiu point=stormglass/bcast/replay_alloc probability=0.5 duration=10s
 *
 * Field names in the text form are the C field names with '_' -> '-' and
 * the unit suffix dropped (latency_ns -> latency).
 */
#ifndef STORMGLASS_SIM_SCENARIO_H
#define STORMGLASS_SIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stormglass/backoff.h"
#include "stormglass/bcast.h"
#include "stormglass/notifier.h"
#include "stormglass/status.h"
#include "stormglass/sync_sched.h"
#include "stormglass/time.h"

/* ---- bounds ---------------------------------------------------------- */

#define SIM_NAME_MAX 64u                  /* scenario name, NUL included */
#define SIM_WORKERS_MAX 64u               /* server workers in one run */
#define SIM_CLIENTS_PER_WORKER_MAX 100000u
#define SIM_CLIENTS_TOTAL_MAX 1000000u
#define SIM_FAULTS_MAX 256u               /* entries of the fault timeline */
#define SIM_MODELS_MAX 8u                 /* models one scenario names */
#define SIM_MODEL_NAME_MAX 32u            /* model name, NUL included */
#define SIM_FIU_POINT_MAX 64u             /* libfiu point name, NUL included */
#define SIM_RETRY_AFTER_TEXT_MAX 64u      /* upstream's Retry-After text */
#define SIM_SYNC_NODES_MAX 4096u          /* infonet nodes */
#define SIM_PAYLOAD_BYTES_MAX (1u << 20)  /* one simulated update on the wire */
#define SIM_FLAP_COUNT_MAX 10000u
#define SIM_RUN_DURATION_MAX_NS ((sg_duration_ns)7 * 24 * 3600 * SG_NS_PER_S)

/* ---- topology --------------------------------------------------------- */

typedef enum sim_backbone_kind {
    SIM_BACKBONE_IDEAL = 0, /* in-memory bus: ordered, never loses while subscribed */
    SIM_BACKBONE_REDIS,     /* pub/sub: at-most-once; reconnect must re-SUBSCRIBE;
                               a subscriber over the output-buffer limit is killed */
    SIM_BACKBONE_POSTGRES,  /* LISTEN/NOTIFY: lost while not listening; payload <
                               payload_max; a session can go half-open */
    SIM_BACKBONE_KAFKA,     /* a log with offsets: a consumer resumes where it left
                               off, within the retention */
    SIM_BACKBONE_KIND_COUNT
} sim_backbone_kind;

typedef struct sim_backbone_params {
    sim_backbone_kind kind;
    sg_duration_ns latency_ns;         /* per delivery, default 2 ms */
    sg_duration_ns jitter_ns;          /* + uniform [0, jitter] per delivery, default 1 ms */
    sg_duration_ns connect_latency_ns; /* connect and subscribe round trips, default 5 ms */
    sg_duration_ns detect_ns;          /* how long a worker takes to notice its connection
                                          died (TCP keepalive); default 0 */
    uint64_t output_buffer_bytes;      /* redis client-output-buffer-limit pubsub, default 32 MiB */
    uint32_t retention_msgs;           /* kafka: log entries kept, default 100000 */
    uint32_t payload_max;              /* postgres: NOTIFY payload must be below 8000:
                                          default 7999; larger publishes fail */
} sim_backbone_params;

typedef struct sim_topology {
    uint32_t workers;            /* default 2; 0 = no broadcaster world (sync only) */
    uint32_t clients_per_worker; /* default 10 */
    bool worker_restart;         /* restart a worker that exited/crashed, default true */
    sg_duration_ns worker_restart_ns; /* delay before the fresh instance runs, default 5 s */
    bool pin_listener;           /* each worker holds a permanent listening context (a
                                    statistics task): the reader never stops for lack of
                                    clients; default false */
    sim_backbone_params backbone;
} sim_topology;

/* ---- workload, clients, truth, probe --------------------------------- */

typedef struct sim_workload {
    double publish_per_s;        /* fleet-wide Poisson rate of updates, default 1;
                                    each lands on a uniformly drawn live worker */
    uint32_t payload_bytes;      /* bytes of each update (header excluded), default 256 */
    sg_time_ns publish_start_ns; /* default 0 */
    sg_time_ns publish_stop_ns;  /* 0 = until the end of the run */
    sg_duration_ns connect_spread_ns; /* initial client connects uniform over [0, this], default 1 s */
    int32_t publisher;           /* -1 (default): any live worker; else only this worker
                                    publishes (skipped while it is down) */
} sim_workload;

typedef struct sim_client_policy {
    sg_backoff_config backoff;          /* after a close or a failed (re)connect; reset
                                           after a completed refetch; default full jitter
                                           0.5 s .. 30 s, forever */
    sg_duration_ns connect_latency_ns;  /* WebSocket handshake, default 20 ms */
} sim_client_policy;

typedef struct sim_truth_params {
    double refetch_per_s;          /* refetches served per second; 0 = unlimited; default 1000 */
    uint32_t queue_max;            /* waiting refetches beyond this are rejected (503), default 5000 */
    sg_duration_ns refetch_latency_ns; /* service time on top of queueing, default 5 ms */
} sim_truth_params;

typedef struct sim_probe_params {
    bool enabled;                /* default false */
    sg_duration_ns period_ns;    /* default 10 s (k8s periodSeconds) */
    sg_duration_ns timeout_ns;   /* default 1 s; a dead worker times out */
    uint32_t failure_threshold;  /* default 3 */
    sg_duration_ns initial_delay_ns; /* default 0 */
    bool restart;                /* liveness: restart after threshold; false = readiness only */
} sim_probe_params;

/* The infonet world: nodes sync from one upstream peer that rate-limits
 * with a leaky bucket and answers 429 with a Retry-After. */
typedef struct sim_sync_params {
    uint32_t nodes;                 /* default 0 = world off */
    sg_sync_config config;          /* the core schedule (sg_sync_config_default) */
    sg_duration_ns legacy_retry_ns; /* the constant retry of the legacy model, default 60 s */
    double bucket_capacity;         /* requests the bucket holds before 429, default 10 */
    double drain_per_s;             /* bucket drain rate, default 0.01 (one per 100 s) */
    bool count_rejected;            /* rejected requests fill the bucket too, default true */
    char retry_after[SIM_RETRY_AFTER_TEXT_MAX]; /* "" = the seconds until the bucket
                                                   accepts again; else sent verbatim */
    int64_t retry_after_ceiling_s;  /* clamp applied by nodes, default 3600 */
    sg_duration_ns start_spread_ns; /* first sync uniform over [0, this], default 0 */
    double overload_per_s;          /* background load on the bucket from other
                                       clients, default 0 */
} sim_sync_params;

/* The healthz world: a health fan-out (notifier model) with simulated
 * watchers, stepped every step_ns.  At t = 1 s the worker's status changes
 * to `code` while watcher `slow` is busy for busy_ns; optionally at
 * goaway_at the server leaves (GOAWAY) while `slow` is busy again; the
 * watcher `leave_victim` disconnects while the broadcast is delivering to
 * `leave_trigger` (the send-after-close race). */
typedef struct sim_healthz_params {
    uint32_t watchers;            /* default 0 = world off */
    int32_t slow;                 /* -1 = none; default 0 (first in line) */
    sg_duration_ns busy_ns;       /* default 5 s */
    sg_health_code code;          /* default NOT_SERVING */
    sg_time_ns goaway_at_ns;      /* 0 = no GOAWAY */
    sg_duration_ns step_ns;       /* broadcast loop period, default 10 ms */
    int32_t leave_trigger;        /* -1 = nobody leaves */
    int32_t leave_victim;
} sim_healthz_params;

/* The app-proxy world: every interleaving of the health checker's update
 * with a scale-in (delete + unload), run against a fence model. */
typedef enum sim_race {
    SIM_RACE_NONE = 0,
    SIM_RACE_FOUR_EVENTS,         /* {update computed, delete, update applied, unload} */
    SIM_RACE_REREAD,              /* the re-read as its own step */
    SIM_RACE_REREAD_HEARS_DELETE, /* ... with the fence told of the delete */
    SIM_RACE_RECREATE_EQUAL,      /* the circuit comes back, revision reset equal */
    SIM_RACE_RECREATE_GREATER,
    SIM_RACE_RECREATE_LESS,
    SIM_RACE_COUNT
} sim_race;

typedef struct sim_appproxy_params {
    sim_race race;                /* default NONE = world off */
} sim_appproxy_params;

/* ---- faults ----------------------------------------------------------- */

typedef enum sim_fault_kind {
    SIM_FAULT_BACKBONE_DOWN = 0, /* every connection drops, connects fail; up after
                                    duration (0 = stays down) */
    SIM_FAULT_FLAP,              /* `count` x (down for down_ns, up for up_ns) from `at` */
    SIM_FAULT_LATENCY,           /* deliveries take latency=down_ns + jitter for duration */
    SIM_FAULT_PARTITION,         /* worker `target` cannot reach the backbone for duration */
    SIM_FAULT_CONNECT_DROP,      /* for duration, connects succeed then drop after up_ns */
    SIM_FAULT_HALF_OPEN,         /* worker `target` (-1 = all): session silently stops
                                    delivering and sending; no error until it reconnects */
    SIM_FAULT_SUBSCRIBER_KILL,   /* the backbone kills worker `target`'s subscription */
    SIM_FAULT_SLOW_SUBSCRIBER,   /* worker `target` drains `value` bytes/s for duration
                                    (redis kills it at the output-buffer limit) */
    SIM_FAULT_SLOW_CLIENTS,      /* fraction `value` of worker `target`'s clients are
                                    evicted as too slow (close 1008) */
    SIM_FAULT_WORKER_CRASH,      /* worker `target` dies; restarted per topology */
    SIM_FAULT_FIU,               /* libfiu `point` fails with probability `value` for
                                    duration (0 = to the end) */
    SIM_FAULT_UPSTREAM_BURST,    /* `count` extra requests hit the upstream bucket */
    SIM_FAULT_SEND_FAIL,         /* for duration, sends from worker `target` (-1 = all)
                                    fail with probability `value` (the backbone answers
                                    an error: OOM, queue full) */
    SIM_FAULT_CLIENTS_LEAVE,     /* fraction `value` of worker `target`'s clients (-1 = all
                                    workers) disconnect by themselves and come back after
                                    duration (+ up to 1 s each) */
    SIM_FAULT_GRACEFUL_RESTART,  /* worker `target` shuts down gracefully (its model says
                                    goodbye on the backbone, its clients are closed) and is
                                    restarted per topology: a step of a rolling deploy.  An
                                    operation, not a fault: swarm and enumeration do not
                                    draw it by default */
    SIM_FAULT_KIND_COUNT
} sim_fault_kind;

typedef struct sim_fault {
    sg_time_ns at;
    sim_fault_kind kind;
    int32_t target;               /* worker index; -1 = all / not applicable */
    sg_duration_ns duration_ns;
    uint32_t count;               /* FLAP cycles, UPSTREAM_BURST requests */
    sg_duration_ns down_ns;       /* FLAP down time, LATENCY added latency */
    sg_duration_ns up_ns;         /* FLAP up time, CONNECT_DROP delay before the drop */
    sg_duration_ns jitter_ns;     /* LATENCY extra jitter */
    double value;                 /* FIU probability, SLOW_CLIENTS fraction,
                                     SLOW_SUBSCRIBER bytes/s */
    char point[SIM_FIU_POINT_MAX];/* FIU point name */
} sim_fault;

/* When the fault stops acting (at + its span); `at` for instantaneous ones,
 * SG_TIME_NEVER for a permanent BACKBONE_DOWN/FIU with duration 0. */
sg_time_ns sim_fault_end(const sim_fault *f);

/* ---- oracles ---------------------------------------------------------- */

typedef enum sim_oracle_id {
    SIM_ORACLE_CONVERGENCE = 0, /* every client has the truth within the bound after the last fault */
    SIM_ORACLE_SPURIOUS_DROP,   /* a client closed for a reason other than resync (1012),
                                   an injected crash or a deliberate shutdown */
    SIM_ORACLE_DOUBLE_DISCONNECT, /* the model counted a double/stale unregister */
    SIM_ORACLE_HEALTH_LIE,      /* healthy while actually wedged longer than wedge_grace */
    SIM_ORACLE_MODEL_CRASH,     /* the model refused a client with a crash (legacy) */
    SIM_ORACLE_BUFFER_BOUND,    /* replay buffer above its configured bounds */
    SIM_ORACLE_UPSTREAM_RECOVERY, /* a sync node did not recover within the bound */
    SIM_ORACLE_NOTIFY_LATENCY,  /* a ready watcher got a health change later than notify_bound */
    SIM_ORACLE_TERMINAL_LOST,   /* a live watcher never got GOAWAY */
    SIM_ORACLE_RESURRECTION,    /* a deleted key was written back (or left behind) */
    SIM_ORACLE_COUNT
} sim_oracle_id;

#define SIM_ORACLE_ALL ((1u << SIM_ORACLE_COUNT) - 1u)

typedef struct sim_oracle_params {
    uint32_t checks;                     /* bit (1 << sim_oracle_id) per oracle, default all */
    sg_duration_ns convergence_bound_ns; /* default 60 s after the last fault ends */
    sg_duration_ns convergence_lag_ns;   /* updates younger than this may still be in
                                            flight, default 1 s */
    sg_duration_ns wedge_grace_ns;       /* deaf this long with listeners = wedged, default 60 s
                                            (beyond the default 30 s backoff ceiling) */
    sg_duration_ns sync_recovery_bound_ns; /* a node's first success after its first 429,
                                              default 1 h */
    sg_duration_ns notify_bound_ns;      /* healthz: latency bound for watchers that were not
                                            busy, default 1 s */
} sim_oracle_params;

/* ---- the scenario ------------------------------------------------------ */

typedef struct sim_scenario {
    char name[SIM_NAME_MAX];
    uint64_t seed;                 /* default 1 */
    sg_duration_ns duration_ns;    /* default 5 min */
    sg_duration_ns sample_period_ns; /* time-series resolution, default 1 s (enlarged
                                        automatically past SIM_SERIES_POINTS_MAX) */
    uint32_t model_count;          /* default 1: "core" */
    char models[SIM_MODELS_MAX][SIM_MODEL_NAME_MAX];

    sim_topology topology;
    sg_bcast_config bcast;         /* applied to every worker; worker_id, epoch and seed
                                      are set by the simulator */
    sim_workload workload;
    sim_client_policy client;
    sim_truth_params truth;
    sim_probe_params probe;
    sim_sync_params sync;
    sim_healthz_params healthz;
    sim_appproxy_params appproxy;
    sim_oracle_params oracle;

    uint32_t fault_count;
    sim_fault faults[SIM_FAULTS_MAX]; /* any order; the simulator orders by time */
} sim_scenario;

/* Fills every default listed above (bcast = sg_bcast_config_default()). */
void sim_scenario_init(sim_scenario *s);

/* Validates every field; err names it ("topology.workers: ..." or
 * "faults[3].target: ..."). */
sg_status sim_scenario_check(const sim_scenario *s, sg_error *err);

/* Appends a fault; SG_E_FULL past SIM_FAULTS_MAX. */
sg_status sim_scenario_add_fault(sim_scenario *s, const sim_fault *f);

/* A fault of `kind` at `at` with every other field neutral (target -1). */
sim_fault sim_fault_make(sim_fault_kind kind, sg_time_ns at);

/* Time the last fault stops acting; 0 without faults. */
sg_time_ns sim_scenario_last_fault_end(const sim_scenario *s);

/* Writes the canonical text form (see the top of this file). */
void sim_scenario_print(FILE *out, const sim_scenario *s);

/* Names used by the text form; parse returns SG_E_INVALID for unknown. */
const char *sim_backbone_kind_name(sim_backbone_kind k);
sg_status sim_backbone_kind_parse(const char *name, sim_backbone_kind *out);
const char *sim_fault_kind_name(sim_fault_kind k);
sg_status sim_fault_kind_parse(const char *name, sim_fault_kind *out);
const char *sim_oracle_name(sim_oracle_id id);
sg_status sim_oracle_parse(const char *name, sim_oracle_id *out);
/* "serving", "not-serving", "unknown", "goaway" */
const char *sim_health_code_name(sg_health_code c);
sg_status sim_health_code_parse(const char *name, sg_health_code *out);
/* "none", "four-events", "reread", "reread-hears-delete", "recreate-equal",
 * "recreate-greater", "recreate-less" */
const char *sim_race_name(sim_race r);
sg_status sim_race_parse(const char *name, sim_race *out);

#endif

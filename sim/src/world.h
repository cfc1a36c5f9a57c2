/*
 * world.h - the simulated world of one run (private to sim/src).
 *
 * One sim_world holds every actor: the backbone, the server workers (each
 * running a worker model behind sim_worker_ops), the clients, the source
 * of truth, the probe, the infonet nodes and their upstream, plus the event
 * queue, the trace and the oracle/metric accumulators.  Actors never call
 * each other across time: they schedule events (world_schedule), and the
 * run loop (run.c) dispatches them in (time, sequence) order.  Every event
 * carries its actor's generation; an actor that moved on (reconnected,
 * restarted) ignores the stale event.
 *
 * Client state is kept small on purpose (sim_client is 48 bytes) so the
 * fleet storm fits 4 x 10,000 clients in a few MB.
 */
#ifndef STORMGLASS_SIM_WORLD_H
#define STORMGLASS_SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "queue.h"
#include "sim/result.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "stormglass/rng.h"
#include "trace.h"

/* ---- bounds of one run ------------------------------------------------ */

#define SIM_MESSAGES_MAX (1u << 22)       /* backbone messages kept (the log) */
#define SIM_UPDATES_MAX (1u << 22)        /* truth versions in one run */
#define SIM_ACTIONS_PER_STEP_MAX 100000u  /* actions drained after one event */
#define SIM_EPOCH_BASE_S 1795564800LL     /* wall time at t=0 for HTTP dates */
#define SIM_WEDGE_NEVER SG_TIME_NEVER

/* ---- actor streams (sg_rng_seed(seed, stream)) -------------------------- */

enum {
    SIM_STREAM_BACKBONE = 1,
    SIM_STREAM_WORKLOAD = 2,
    SIM_STREAM_FIU = 3,
    SIM_STREAM_UPSTREAM = 4,
    SIM_STREAM_WORKER_BASE = 0x100,     /* + worker index */
    SIM_STREAM_NODE_BASE = 0x10000,     /* + node index */
    SIM_STREAM_CLIENT_BASE = 0x1000000  /* + client index */
};

/* ---- events -------------------------------------------------------------- */

typedef enum sim_event_kind {
    EV_SAMPLE = 1,
    EV_PUBLISH,
    EV_FAULT_START,
    EV_FAULT_END,
    EV_FLAP,              /* arg = fault index, gen = step (even: down, odd: up) */
    EV_WORKER_TIMER,
    EV_WORKER_RESTART,
    EV_BB_CONNECT_RESULT,
    EV_BB_SUBSCRIBE_RESULT,
    EV_BB_DELIVER,        /* arg = message index */
    EV_BB_DROP,
    EV_CLIENT_CONNECT,
    EV_CLIENT_HANDSHAKE,
    EV_CLIENT_REFETCH,
    EV_CLIENT_REFETCH_DONE,
    EV_PROBE,
    EV_SYNC_NODE,
    EV_KIND_COUNT
} sim_event_kind;

/* Trace record kinds beyond the event kinds. */
enum {
    TR_ACTION = 64,   /* a model action: a = action kind, b = detail */
    TR_VERDICT,       /* a message verdict: a = verdict, b = message */
    TR_PUBLISH,       /* a local publish: a = verdict, b = update */
    TR_CLOSE,         /* a client closed: a = code, b = client */
    TR_VIOLATION,     /* a = oracle */
    TR_HEALTHZ,       /* a = broadcast callbacks, b = sender crashes */
    TR_APPPROXY       /* a = interleavings, b = bad ones */
};

const char *sim_event_kind_name(uint32_t kind);

/* ---- the backbone ----------------------------------------------------------- */

typedef struct sim_msg {
    sg_bcast_header header;
    sg_time_ns sent_at;
    uint32_t len;       /* payload bytes (header excluded) */
    uint32_t update;    /* truth version it carries, 0 = none (heartbeat) */
} sim_msg;

typedef struct sim_backbone {
    bool up;
    uint32_t down_depth;          /* overlapping down faults */
    uint32_t connect_drop_depth;  /* active connect-then-drop faults */
    sg_duration_ns connect_drop_after_ns;
    uint32_t latency_depth;
    sg_duration_ns extra_latency_ns, extra_jitter_ns;
    sim_msg *log;                 /* every message put on the wire, in order */
    uint32_t log_count, log_cap;
    uint64_t kills;
    sg_rng rng;
} sim_backbone;

/* ---- workers ------------------------------------------------------------------ */

typedef enum sim_conn_state {
    CONN_NONE = 0,
    CONN_CONNECTING,
    CONN_OPEN,
    CONN_SUBSCRIBING,
    CONN_SUBSCRIBED
} sim_conn_state;

typedef struct sim_worker {
    uint32_t index;
    uint32_t instance;        /* 0 for the first; epoch = instance + 1 */
    bool alive;
    bool crashed_injected;    /* this death was a fault, not the model's shutdown */
    bool exit_clean;          /* the instance that ended last computed a goodbye that lost nothing */
    void *model;
    /* backbone session */
    uint8_t conn;             /* sim_conn_state */
    bool half_open;
    uint32_t conn_gen;
    uint32_t partition_depth;
    uint32_t slow_depth;
    double drain_bytes_per_s; /* slow subscriber; 0 = fast */
    uint32_t send_fail_depth;
    double send_fail_probability;
    uint64_t pending_bytes;   /* redis output buffer in use */
    sg_time_ns last_arrival;  /* per-connection FIFO */
    uint32_t kafka_committed; /* consumer-group offset: survives reconnects and restarts */
    uint32_t kafka_cursor;
    bool kafka_inflight;
    /* the model's timer */
    sg_time_ns timer_at;
    uint32_t timer_gen;
    /* health, wedge and probe */
    bool healthy;             /* last HEALTH action (true until told otherwise) */
    sg_time_ns deaf_since;
    uint32_t probe_failures;
    /* clients */
    uint32_t client_base, client_count;
    uint32_t registered;      /* clients the model knows */
    uint32_t ready;           /* registered and refetched */
    /* convergence bookkeeping */
    uint8_t *delivered;       /* bit per truth version: delivered to this worker's clients */
    uint32_t delivered_prefix;/* every version <= this is delivered */
    uint32_t *fenwick;        /* ready clients by refetched version */
    /* counters of earlier instances */
    sg_bcast_counters past;
    uint64_t double_disconnects_seen;
    sg_time_ns span_start;    /* chrome lane: start of the current session state */
    uint32_t flagged;         /* oracle bits already reported for the current episode */
    sg_rng rng;
} sim_worker;

/* ---- clients ---------------------------------------------------------------------- */

typedef enum sim_client_state {
    CL_IDLE = 0,      /* before its first connect */
    CL_CONNECTING,    /* handshake in flight */
    CL_REGISTERED,    /* connected, full-state refetch pending */
    CL_READY,         /* connected and refetched */
    CL_WAITING,       /* backing off before a reconnect */
    CL_GAVE_UP
} sim_client_state;

typedef struct sim_client {
    uint32_t version;          /* truth version of its last refetch */
    uint32_t gen;              /* bumps on every state change */
    sg_client_handle handle;
    uint32_t attempt;          /* reconnect backoff failures */
    uint16_t worker;
    uint8_t state;             /* sim_client_state */
    uint8_t connects;          /* saturating: first connect vs reconnect */
    sg_duration_ns prev_delay_ns;
    sg_rng rng;
} sim_client;

_Static_assert(sizeof(sim_client) <= 64, "per-client simulator state stays small");

/* ---- infonet nodes and upstream --------------------------------------------------- */

typedef struct sim_sync_node {
    sg_sync_state state;
    sg_time_ns first_429_ns;   /* SG_TIME_NEVER until the first */
    sg_time_ns recovered_ns;   /* first success after the first 429 */
    sg_rng rng;
} sim_sync_node;

typedef struct sim_upstream {
    double level;              /* leaky bucket */
    sg_time_ns last_ns;
    uint64_t minute_index;
    uint64_t minute_count;
} sim_upstream;

/* ---- libfiu faults ------------------------------------------------------------------ */

typedef struct sim_fiu_point {
    char name[SIM_FIU_POINT_MAX];
    double probability;
    uint32_t depth;
} sim_fiu_point;

/* ---- the world ---------------------------------------------------------------------- */

typedef struct sim_world {
    const sim_scenario *s;
    const sim_model_set *models;
    const sim_run_options *opt;
    uint64_t seed;
    sg_time_ns now;
    sg_time_ns end;
    sim_queue q;
    sim_trace trace;
    uint64_t events;
    uint64_t max_events;

    sim_backbone bb;
    sim_worker *workers;
    uint32_t nworkers;
    sim_client *clients;
    uint32_t nclients;

    /* source of truth */
    uint32_t version;          /* updates published so far */
    uint32_t updates_cap;
    sg_time_ns *update_at;     /* [1..version]: publish time */
    sg_time_ns truth_busy_until;
    uint32_t lag_version;      /* versions published at or before now - lag */
    uint8_t *payload;          /* scratch payload of workload.payload_bytes */
    sg_rng workload_rng;

    /* infonet */
    sim_sync_node *nodes;
    sim_upstream upstream;

    /* faults */
    sim_fiu_point fiu[SIM_FAULTS_MAX];
    uint32_t fiu_count;
    sg_rng fiu_rng;
    sg_time_ns last_fault_end;

    /* results */
    sim_result *r;
    double period_counts[SIM_SERIES_COUNT];
    sg_time_ns converged_at;   /* first all-converged sample after the last fault */
    bool convergence_flagged;
    sg_time_ns bb_down_since;  /* chrome band of the backbone outage */
    bool started_up;           /* every client connected once */
    bool stop;                 /* a fatal error or stop-at-first-violation */
    sg_status fatal;
    sg_error fatal_err;
} sim_world;

/* ---- run.c ---------------------------------------------------------------------------- */

void world_schedule(sim_world *w, sg_time_ns at, sim_event_kind kind, uint32_t target, uint32_t gen,
                    uint64_t arg);
void world_fail(sim_world *w, sg_status st, const char *what);
void world_trace(sim_world *w, uint32_t kind, uint32_t actor, uint64_t a, uint64_t b);

/* ---- backbone.c ------------------------------------------------------------------------ */

sg_status backbone_init(sim_world *w);
void backbone_free(sim_world *w);
bool backbone_reachable(const sim_world *w, const sim_worker *wk);
/* Puts a message on the wire from worker `from`; false = the send failed. */
bool backbone_send(sim_world *w, sim_worker *from, const sg_bcast_header *h, uint32_t len, uint32_t update);
void backbone_on_deliver(sim_world *w, const sim_event *ev);
void backbone_on_connect_result(sim_world *w, const sim_event *ev);
void backbone_on_subscribe_result(sim_world *w, const sim_event *ev);
void backbone_on_drop(sim_world *w, const sim_event *ev);
/* The worker's session ends now (drop scheduled after detect_ns). */
void backbone_kill_session(sim_world *w, sim_worker *wk, sg_duration_ns after);
void backbone_set_down(sim_world *w, bool down);
void backbone_connect(sim_world *w, sim_worker *wk);
void backbone_subscribe(sim_world *w, sim_worker *wk);
void backbone_close(sim_world *w, sim_worker *wk);

/* ---- worker.c / worker_actions.c ---------------------------------------------------------- */

sg_status workers_init(sim_world *w);
void workers_free(sim_world *w);
void worker_start(sim_world *w, sim_worker *wk);
/* The worker process ends (crash, give-up, probe kill); restart per topology. */
void worker_die(sim_world *w, sim_worker *wk, bool injected, const char *why);
/* A graceful exit: the model's goodbye goes on the backbone (when the
 * session can still carry it), then worker_die. */
void worker_exit_gracefully(sim_world *w, sim_worker *wk, bool injected, const char *why);
void worker_send_goodbye(sim_world *w, sim_worker *wk, const sg_bcast_header *h);
void worker_on_restart(sim_world *w, const sim_event *ev);
void worker_on_timer(sim_world *w, const sim_event *ev);
/* Drains the model's actions and re-arms its timer: call after every model call. */
void worker_settle(sim_world *w, sim_worker *wk);
void worker_handle_action(sim_world *w, sim_worker *wk, const sg_bcast_action *a);
void worker_stats(const sim_world *w, const sim_worker *wk, sg_bcast_stats *out);
/* Changes the session state (and closes its span on the worker's lane). */
void worker_set_conn(sim_world *w, sim_worker *wk, uint8_t state);
bool worker_hearing(const sim_worker *wk);

/* ---- client.c ---------------------------------------------------------------------------------- */

sg_status clients_init(sim_world *w);
void clients_free(sim_world *w);
void client_on_connect(sim_world *w, const sim_event *ev);
void client_on_handshake(sim_world *w, const sim_event *ev);
void client_on_refetch(sim_world *w, const sim_event *ev);
void client_on_refetch_done(sim_world *w, const sim_event *ev);
/* The server closed the client (code) or the worker died (code 1006). */
void client_closed(sim_world *w, uint32_t ci, uint16_t code, bool unregister);
/* The client leaves by itself and reconnects after `away` (+ up to 1 s). */
void client_leave(sim_world *w, uint32_t ci, sg_duration_ns away);
/* The worker asked the connected client to refetch the truth (no close). */
void client_refetch(sim_world *w, uint32_t ci);

/* ---- truth.c ------------------------------------------------------------------------------------- */

sg_status truth_init(sim_world *w);
void truth_free(sim_world *w);
void truth_schedule_first(sim_world *w);
void truth_on_publish(sim_world *w, const sim_event *ev);
double truth_queue_depth(const sim_world *w);
/* Marks `update` delivered to worker wk's clients. */
void truth_delivered(sim_world *w, sim_worker *wk, uint32_t update);
/* Queues a refetch; returns its completion time or SG_TIME_NEVER if rejected. */
sg_time_ns truth_refetch_admit(sim_world *w);
void truth_ready_add(sim_world *w, sim_worker *wk, uint32_t version, int delta);
/* Clients (of all workers) that lack an update older than the lag;
 * example_client (may be NULL) receives one of them. */
uint32_t truth_not_converged(sim_world *w, uint32_t *example_client);
uint64_t truth_missed_deliveries(const sim_world *w);

/* ---- faults.c / fiu_bridge.c ------------------------------------------------------------------------ */

void faults_schedule(sim_world *w);
void faults_on_start(sim_world *w, const sim_event *ev);
void faults_on_end(sim_world *w, const sim_event *ev);
void faults_on_flap(sim_world *w, const sim_event *ev);
void fiu_bridge_enable(sim_world *w, const sim_fault *f);
void fiu_bridge_disable(sim_world *w, const sim_fault *f);
void fiu_bridge_reset(sim_world *w);

/* ---- probe.c, sync_world.c ------------------------------------------------------------------------- */

void probe_schedule(sim_world *w);
void probe_on_tick(sim_world *w, const sim_event *ev);
sg_status sync_world_init(sim_world *w);
void sync_world_free(sim_world *w);
void sync_on_node(sim_world *w, const sim_event *ev);
void sync_upstream_burst(sim_world *w, uint32_t count);
double sync_bucket_level(sim_world *w);
void sync_world_finish(sim_world *w);

/* ---- healthz_world.c, appproxy_world.c: incident worlds run whole ---------------------------------- */

void healthz_world_run(sim_world *w);
void appproxy_world_run(sim_world *w);

/* ---- oracles.c, sampler.c ----------------------------------------------------------------------------- */

void oracle_violation(sim_world *w, sim_oracle_id id, int32_t worker, int64_t client, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
bool oracle_enabled(const sim_world *w, sim_oracle_id id);
void oracle_check_sample(sim_world *w);
sg_status sampler_init(sim_world *w);
void sampler_on_sample(sim_world *w, const sim_event *ev);
void sampler_count(sim_world *w, sim_series_id id, double n);
void sampler_finish(sim_world *w);

#endif

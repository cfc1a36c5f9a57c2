/*
 * storm_world.h - the worlds a storm can run in, and the metrics of the
 * worlds that are not the simulated fleet.
 *
 *   fleet     (default) sim_run: workers, backbone, clients, truth, probe
 *             and the infonet sync world; metrics of result.h.  Models:
 *             "core", broadcaster legacy models, "constant-retry".
 *   scale-in  the app-proxy race (sim/scale_in.h): every interleaving of a
 *             health-check update with the circuit's delete and unload,
 *             against a fence model.  Models: "core", "legacy".
 *   healthz   the health fan-out (sim/fanout_drive.h): watchers, some busy
 *             or leaving mid-broadcast, one or more status changes.
 *             Models: "core", "blocking", "drop", "send-after-close".
 *
 * The scale-in and healthz worlds are deterministic enumerations or
 * virtual-time drives: the seed does not change them, so a sweep proves
 * they stay put.  Their measurements are "world metrics" (names below),
 * judged by expectations exactly like result.h's metrics.
 */
#ifndef STORMGLASS_SIM_STORM_WORLD_H
#define STORMGLASS_SIM_STORM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "stormglass/notifier.h"
#include "stormglass/status.h"
#include "stormglass/time.h"

typedef enum storm_world_kind {
    STORM_WORLD_FLEET = 0,
    STORM_WORLD_SCALE_IN,
    STORM_WORLD_HEALTHZ,
    STORM_WORLD_KIND_COUNT
} storm_world_kind;

const char *storm_world_name(storm_world_kind w);
sg_status storm_world_parse(const char *name, storm_world_kind *out);

/* X(id, "name", "description") */
#define STORM_WORLD_METRICS(X)                                                                          \
    X(INTERLEAVINGS, "interleavings", "interleavings of the scale-in race that were run")               \
    X(RESURRECTED_KEYS, "resurrected_keys", "interleavings where an update recreated a key the unload removed") \
    X(STALE_FINAL, "stale_final", "interleavings that ended with etcd holding another incarnation's data") \
    X(GONE_FINAL, "gone_final", "interleavings that ended with etcd holding a key whose record is gone")  \
    X(STALE_WRITES, "stale_writes", "interleavings with any write computed from a stale incarnation")   \
    X(BAD_INTERLEAVINGS, "bad_interleavings", "interleavings with a resurrection, stale or gone final state") \
    X(WATCHERS, "watchers", "health watchers")                                                         \
    X(WATCHERS_REACHED, "watchers_reached", "live watchers that received the last status published")    \
    X(WATCHERS_MISSED, "watchers_missed", "live watchers that never received the last status published") \
    X(PROMPT_LATENCY_MAX_S, "prompt_latency_max_s",                                                    \
      "slowest delivery of the last status to a watcher that was not busy; -1 if one never got it")    \
    X(BUSY_LATENCY_S, "busy_latency_s", "delivery of the last status to the busy watcher; -1 never")    \
    X(GOAWAY_LOST, "goaway_lost", "live watchers that never received a published GOAWAY")              \
    X(STATUSES_DROPPED, "statuses_dropped", "statuses a model dropped because a buffer was full")        \
    X(SENDER_CRASHES, "sender_crashes", "sends to a closed mailbox that crashed the sender")             \
    X(DELIVERIES_TO_GONE, "deliveries_to_gone", "deliveries to a watcher that had left")               \
    X(BROADCAST_CALLBACKS, "broadcast_callbacks", "delivery attempts the broadcasts made")             \
    X(BLOCKED_STEPS, "blocked_steps", "broadcast rounds that ended stuck on a busy watcher")

typedef enum storm_world_metric {
#define STORM_WORLD_METRIC_ENUM(id, name, desc) STORM_W_##id,
    STORM_WORLD_METRICS(STORM_WORLD_METRIC_ENUM)
#undef STORM_WORLD_METRIC_ENUM
    STORM_WORLD_METRIC_COUNT
} storm_world_metric;

const char *storm_world_metric_name(storm_world_metric id);
const char *storm_world_metric_description(storm_world_metric id);
sg_status storm_world_metric_find(const char *name, storm_world_metric *out);

/* ---- scale-in ------------------------------------------------------------ */

typedef enum storm_scale_in_case {
    STORM_SCALE_IN_FOUR_EVENTS = 0,    /* update computed, delete, update applied, unload */
    STORM_SCALE_IN_REREAD,             /* the re-read as its own step */
    STORM_SCALE_IN_REREAD_HEARS_DELETE,/* ... and the fence told of the database delete */
    STORM_SCALE_IN_RECREATE_EQUAL,     /* the circuit comes back, revision reset to equal */
    STORM_SCALE_IN_RECREATE_GREATER,
    STORM_SCALE_IN_RECREATE_LESS,
    STORM_SCALE_IN_CASE_COUNT
} storm_scale_in_case;

typedef struct storm_scale_in_params {
    storm_scale_in_case which; /* default FOUR_EVENTS */
} storm_scale_in_params;

const char *storm_scale_in_case_name(storm_scale_in_case c);

/* ---- healthz ---------------------------------------------------------------- */

#define STORM_HEALTHZ_WATCHERS_MAX 100000u
#define STORM_HEALTHZ_PUBLISH_MAX 4u

typedef struct storm_healthz_params {
    uint32_t watchers;                 /* default 1000 */
    int32_t busy;                      /* watcher busy when the change comes, -1 none; default -1 */
    sg_duration_ns busy_ns;            /* how long it stays busy, default 30 s */
    int32_t leave_when_delivering;     /* delivering to this watcher ... default -1 */
    int32_t leaver;                    /* ... makes this one leave (mid-broadcast); default -1 */
    uint32_t publish_count;            /* default 1: NOT_SERVING */
    sg_health_code publish[STORM_HEALTHZ_PUBLISH_MAX]; /* published together, in order */
    sg_duration_ns step_ns;            /* driver loop period, default 10 ms */
    sg_duration_ns horizon_ns;         /* stop this long after the change, default 2 min */
} storm_healthz_params;

void storm_healthz_defaults(storm_healthz_params *p);
sg_status storm_healthz_check(const storm_healthz_params *p, sg_error *err);
const char *storm_health_code_name(sg_health_code c);
sg_status storm_health_code_parse(const char *name, sg_health_code *out);

/* ---- running -------------------------------------------------------------------- */

/* Runs one model of a scale-in / healthz world; fills every world metric
 * (metrics that do not apply stay 0).  SG_E_NOT_FOUND for a model name the
 * world does not know. */
sg_status storm_world_scale_in(const storm_scale_in_params *p, const char *model,
                               double metrics[STORM_WORLD_METRIC_COUNT], sg_error *err);
sg_status storm_world_healthz(const storm_healthz_params *p, const char *model,
                              double metrics[STORM_WORLD_METRIC_COUNT], sg_error *err);

/* True when `model` names a model of world w (fleet: not checked here,
 * the simulator's registry decides at run time). */
bool storm_world_knows_model(storm_world_kind w, const char *model);

#endif

/*
 * worker_model.h - the one interface behind which the simulator runs a
 * worker's broadcaster: the stormglass core, or a legacy model of what the
 * incident systems did.
 *
 * Every function mirrors the sg_bcast_* function of the same name
 * (core/include/stormglass/bcast.h): same events, same actions, same
 * verdicts.  sim_model_core wraps the real core object code; the legacy
 * models in sim/legacy/ implement the original behaviours so each storm
 * and test has a negative control.  The core itself carries no bug
 * switches: legacy behaviour exists only here.
 *
 * A legacy model may fail in ways the core never does; it reports them
 * through the return values it has (for example client_register returning
 * SG_E_STATE for "the /ws handler crashed") and through its counters.
 */
#ifndef STORMGLASS_SIM_WORKER_MODEL_H
#define STORMGLASS_SIM_WORKER_MODEL_H

#include "stormglass/bcast.h"

typedef struct sim_worker_ops {
    const char *name;         /* "core", "stock", "first-fix", ... */
    const char *description;  /* one line for reports */
    sg_status (*create)(const sg_bcast_config *config, sg_time_ns now, void **out, sg_error *err);
    void (*destroy)(void *m);
    sg_status (*client_register)(void *m, sg_time_ns now, uint64_t cookie, sg_client_handle *out);
    sg_status (*client_unregister)(void *m, sg_time_ns now, sg_client_handle handle);
    void (*pin)(void *m, sg_time_ns now);
    sg_status (*unpin)(void *m, sg_time_ns now);
    void (*on_connected)(void *m, sg_time_ns now);
    void (*on_connect_failed)(void *m, sg_time_ns now);
    void (*on_subscribed)(void *m, sg_time_ns now);
    void (*on_subscribe_failed)(void *m, sg_time_ns now);
    void (*on_dropped)(void *m, sg_time_ns now);
    sg_msg_verdict (*on_message)(void *m, sg_time_ns now, const sg_bcast_header *header, uint32_t payload_len);
    sg_publish_result (*publish)(void *m, sg_time_ns now, const uint8_t *payload, uint32_t len);
    void (*on_publish_result)(void *m, sg_time_ns now, const sg_bcast_header *header, const uint8_t *payload,
                              uint32_t len, bool ok);
    void (*on_replay_result)(void *m, sg_time_ns now, bool ok);
    sg_time_ns (*next_deadline)(const void *m);
    void (*on_timer)(void *m, sg_time_ns now);
    bool (*poll_action)(void *m, sg_bcast_action *out);
    sg_bcast_health (*health_at)(const void *m, sg_time_ns now);
    void (*stats_get)(const void *m, sg_bcast_stats *out);
    /* Graceful shutdown: sg_bcast_goodbye.  NULL (the legacy models): the
     * model has no goodbye, every exit looks like a crash to its peers. */
    void (*goodbye)(void *m, sg_time_ns now);
} sim_worker_ops;

/* The real core behind the interface. */
extern const sim_worker_ops sim_model_core;

/* Legacy models (sim/legacy/): negative controls.
 *   stock      fastapi_websocket_pubsub before the fix: a dropped reader
 *              is never restarted (clients cancelled with 1011, again on
 *              every reconnect), a failed start leaks the listen count (every
 *              new /ws handler crashes, health still 200), disconnect is
 *              not idempotent.
 *   stock-rollback  the same library with ignore_broadcaster_disconnected
 *              (OPAL's reconnect-disabled rollback): a dropped reader is
 *              never restarted but cancels nobody - clients stay connected
 *              and silently stale.
 *   first-fix  the OPAL fix as first submitted, before its review:
 *              findings 1-6 of the deep review present. */
extern const sim_worker_ops sim_model_stock;
extern const sim_worker_ops sim_model_stock_rollback;
extern const sim_worker_ops sim_model_first_fix;

/* Looks a model up by name (core and every legacy model); NULL if unknown. */
const sim_worker_ops *sim_worker_model_find(const char *name);

/* All models, NULL-terminated, for help texts and sweeps. */
extern const sim_worker_ops *const sim_worker_models[];

#endif

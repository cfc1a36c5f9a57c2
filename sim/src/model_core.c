/*
 * model_core.c - the real stormglass core behind the simulator's worker
 * interface (thin casts, no behaviour of its own), and the registry of
 * every worker model the simulator can run.
 */
#include <string.h>

#include "sim/legacy_variants.h"
#include "sim/worker_model.h"

static sg_status core_create(const sg_bcast_config *config, sg_time_ns now, void **out, sg_error *err)
{
    sg_bcast *b = NULL;
    sg_status st = sg_bcast_create(config, now, &b, err);
    *out = b;
    return st;
}

static void core_destroy(void *m)
{
    sg_bcast_destroy(m);
}

static sg_status core_register(void *m, sg_time_ns now, uint64_t cookie, sg_client_handle *out)
{
    return sg_bcast_client_register(m, now, cookie, out);
}

static sg_status core_unregister(void *m, sg_time_ns now, sg_client_handle h)
{
    return sg_bcast_client_unregister(m, now, h);
}

static void core_pin(void *m, sg_time_ns now)
{
    sg_bcast_pin(m, now);
}

static sg_status core_unpin(void *m, sg_time_ns now)
{
    return sg_bcast_unpin(m, now);
}

static void core_on_connected(void *m, sg_time_ns now)
{
    sg_bcast_on_connected(m, now);
}

static void core_on_connect_failed(void *m, sg_time_ns now)
{
    sg_bcast_on_connect_failed(m, now);
}

static void core_on_subscribed(void *m, sg_time_ns now)
{
    sg_bcast_on_subscribed(m, now);
}

static void core_on_subscribe_failed(void *m, sg_time_ns now)
{
    sg_bcast_on_subscribe_failed(m, now);
}

static void core_on_dropped(void *m, sg_time_ns now)
{
    sg_bcast_on_dropped(m, now);
}

static sg_msg_verdict core_on_message(void *m, sg_time_ns now, const sg_bcast_header *h, uint32_t len)
{
    return sg_bcast_on_message(m, now, h, len);
}

static sg_publish_result core_publish(void *m, sg_time_ns now, const uint8_t *payload, uint32_t len)
{
    return sg_bcast_publish(m, now, payload, len);
}

static void core_on_publish_result(void *m, sg_time_ns now, const sg_bcast_header *h, const uint8_t *payload,
                                   uint32_t len, bool ok)
{
    sg_bcast_on_publish_result(m, now, h, payload, len, ok);
}

static void core_on_replay_result(void *m, sg_time_ns now, bool ok)
{
    sg_bcast_on_replay_result(m, now, ok);
}

static sg_time_ns core_next_deadline(const void *m)
{
    return sg_bcast_next_deadline(m);
}

static void core_on_timer(void *m, sg_time_ns now)
{
    sg_bcast_on_timer(m, now);
}

static bool core_poll(void *m, sg_bcast_action *out)
{
    return sg_bcast_poll_action(m, out);
}

static sg_bcast_health core_health(const void *m, sg_time_ns now)
{
    return sg_bcast_health_at(m, now);
}

static void core_stats(const void *m, sg_bcast_stats *out)
{
    sg_bcast_stats_get(m, out);
}

static void core_goodbye(void *m, sg_time_ns now)
{
    sg_bcast_goodbye(m, now);
}

const sim_worker_ops sim_model_core = {
    .name = "core",
    .description = "the stormglass broadcaster core (reconnect, replay, resync, health)",
    .create = core_create,
    .destroy = core_destroy,
    .client_register = core_register,
    .client_unregister = core_unregister,
    .pin = core_pin,
    .unpin = core_unpin,
    .on_connected = core_on_connected,
    .on_connect_failed = core_on_connect_failed,
    .on_subscribed = core_on_subscribed,
    .on_subscribe_failed = core_on_subscribe_failed,
    .on_dropped = core_on_dropped,
    .on_message = core_on_message,
    .publish = core_publish,
    .on_publish_result = core_on_publish_result,
    .on_replay_result = core_on_replay_result,
    .next_deadline = core_next_deadline,
    .on_timer = core_on_timer,
    .poll_action = core_poll,
    .health_at = core_health,
    .stats_get = core_stats,
    .goodbye = core_goodbye,
};

const sim_worker_ops *const sim_worker_models[] = {
    &sim_model_core,
    &sim_model_stock,
    &sim_model_stock_rollback,
    &sim_model_first_fix,
    &sim_model_forgets_resubscribe, /* sim/legacy/core_variants.c */
    &sim_model_zero_delay,
    &sim_model_unstaggered,
    NULL,
};

const sim_worker_ops *sim_worker_model_find(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; sim_worker_models[i] != NULL; i++) {
        if (strcmp(sim_worker_models[i]->name, name) == 0) {
            return sim_worker_models[i];
        }
    }
    return NULL;
}

/*
 * notifier_models.c - the stormglass notifier behind the simulator's
 * notifier interface, and the registry of all notifier models.
 *
 * The core needs no adapting: each entry forwards to the sg_notifier_*
 * function of the same name.
 */
#include "sim/notifier_model.h"

#include <string.h>

static sg_status core_create(const sg_notifier_config *config, void **out, sg_error *err)
{
    sg_notifier *n = NULL;
    sg_status st = sg_notifier_create(config, &n, err);
    *out = n;
    return st;
}

static void core_destroy(void *m)
{
    sg_notifier_destroy(m);
}

static sg_status core_watch(void *m, sg_time_ns now, uint64_t cookie, sg_watch_handle *out)
{
    return sg_notifier_watch(m, now, cookie, out);
}

static sg_status core_unwatch(void *m, sg_time_ns now, sg_watch_handle h)
{
    return sg_notifier_unwatch(m, now, h);
}

static sg_status core_publish(void *m, sg_time_ns now, sg_health_code code)
{
    return sg_notifier_publish(m, now, code);
}

static sg_status core_resume(void *m, sg_time_ns now, sg_health_code code)
{
    return sg_notifier_resume(m, now, code);
}

static sg_status core_take(void *m, sg_time_ns now, sg_watch_handle h, sg_notification *out)
{
    return sg_notifier_take(m, now, h, out);
}

static sg_status core_deliver(void *m, sg_time_ns now, uint32_t budget, sg_notifier_deliver_fn fn, void *ctx,
                              uint32_t *visited)
{
    return sg_notifier_deliver(m, now, budget, fn, ctx, visited);
}

static void core_stats(const void *m, sim_notifier_stats *out)
{
    memset(out, 0, sizeof *out);
    sg_notifier_stats_get(m, &out->base);
}

const sim_notifier_ops sim_notifier_core = {
    "core",
    "stormglass notifier: latest-wins mailboxes, sticky GOAWAY, never blocks",
    core_create, core_destroy, core_watch, core_unwatch, core_publish, core_resume, core_take,
    core_deliver, core_stats,
};

const sim_notifier_ops *const sim_notifier_models[] = {
    &sim_notifier_core, &sim_notifier_blocking, &sim_notifier_drop, &sim_notifier_send_after_close, NULL,
};

const sim_notifier_ops *sim_notifier_model_find(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; sim_notifier_models[i] != NULL; i++) {
        if (strcmp(sim_notifier_models[i]->name, name) == 0) {
            return sim_notifier_models[i];
        }
    }
    return NULL;
}

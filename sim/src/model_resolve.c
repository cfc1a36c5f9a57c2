/*
 * model_resolve.c - maps a model name from a scenario or the command
 * line onto the behaviour of every world of a run: the core everywhere,
 * or one legacy model in its own world and the core elsewhere.
 */
#include <string.h>

#include "sim/run.h"

sg_status sim_model_resolve(const char *name, sim_model_set *out, sg_error *err)
{
    if (name == NULL || out == NULL) {
        return sg_error_set(err, SG_E_INVALID, "model: NULL");
    }
    *out = (sim_model_set){.name = name,
                           .worker = sim_worker_model_find("core"),
                           .sync = &sim_sync_core,
                           .notifier = sim_notifier_model_find("core"),
                           .fence = sim_fence_model_find("core")};
    if (strcmp(name, "core") == 0) {
        return SG_OK;
    }
    const sim_worker_ops *worker = sim_worker_model_find(name);
    const sim_notifier_ops *notifier = sim_notifier_model_find(name);
    const sim_fence_ops *fence = sim_fence_model_find(name);
    if (worker != NULL) {
        out->worker = worker;
    } else if (strcmp(name, sim_sync_constant.name) == 0) {
        out->sync = &sim_sync_constant;
    } else if (notifier != NULL) {
        out->notifier = notifier;
    } else if (fence != NULL) {
        out->fence = fence;
    } else {
        return sg_error_set(err, SG_E_NOT_FOUND,
                            "model '%s': unknown (core, a broadcaster, sync, notifier or fence legacy model)", name);
    }
    return SG_OK;
}

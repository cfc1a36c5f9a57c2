/*
 * model_resolve.c - maps a model name from a scenario or the command
 * line onto the broadcaster model and the sync model a run uses.
 */
#include <string.h>

#include "sim/run.h"

sg_status sim_model_resolve(const char *name, sim_model_set *out, sg_error *err)
{
    if (name == NULL || out == NULL) {
        return sg_error_set(err, SG_E_INVALID, "model: NULL");
    }
    out->name = name;
    if (strcmp(name, sim_sync_constant.name) == 0) {
        out->worker = NULL;
        out->sync = &sim_sync_constant;
        return SG_OK;
    }
    out->worker = sim_worker_model_find(name);
    out->sync = &sim_sync_core;
    if (out->worker == NULL) {
        return sg_error_set(err, SG_E_NOT_FOUND, "model '%s': unknown (core, constant-retry or a legacy model)",
                            name);
    }
    return SG_OK;
}

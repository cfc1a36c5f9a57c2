/*
 * worker_registry_fallback.c - TEMPORARY: the simulator's broadcaster
 * model registry (sim_worker_model_find) needs the broadcaster core, which
 * is not on main yet.  Until it lands, the tool links this empty registry
 * so the worlds that do not need a broadcaster (infonet sync, scale-in,
 * healthz) run; a fleet storm naming a broadcaster model reports the
 * model as unknown.  cli/module.mk links this file only while no
 * sim/src or sim/legacy file defines the registry.  Delete it then.
 */
#include <stddef.h>

#include "sim/worker_model.h"

const sim_worker_ops *const sim_worker_models[] = {NULL};

const sim_worker_ops *sim_worker_model_find(const char *name)
{
    (void)name;
    return NULL;
}

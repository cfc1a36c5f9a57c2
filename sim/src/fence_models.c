/*
 * fence_models.c - the stormglass fence behind the simulator's fence
 * interface, and the registry of all fence models.
 */
#include "sim/fence_model.h"

#include <string.h>

static sg_status core_create(const sg_fence_config *config, void **out, sg_error *err)
{
    sg_fence *f = NULL;
    sg_status st = sg_fence_create(config, &f, err);
    *out = f;
    return st;
}

static void core_destroy(void *m)
{
    sg_fence_destroy(m);
}

static sg_status core_prepare(void *m, sg_time_ns now, const void *key, size_t key_len, int64_t revision,
                              sg_time_ns snapshot_at, sg_fence_ticket *out)
{
    return sg_fence_prepare(m, now, key, key_len, revision, snapshot_at, out);
}

static sg_status core_commit(void *m, sg_time_ns now, const sg_fence_ticket *t, const sg_fence_read *fresh,
                             sg_fence_verdict *out)
{
    return sg_fence_commit(m, now, t, fresh, out);
}

static sg_status core_abort(void *m, sg_time_ns now, const sg_fence_ticket *t)
{
    return sg_fence_abort(m, now, t);
}

static sg_status core_delete(void *m, sg_time_ns now, const void *key, size_t key_len)
{
    return sg_fence_delete(m, now, key, key_len);
}

static void core_stats(const void *m, sg_fence_stats *out)
{
    sg_fence_stats_get(m, out);
}

const sim_fence_ops sim_fence_core = {
    "core",
    "stormglass fence: per-key hold, equality compare, tombstones with retention",
    core_create, core_destroy, core_prepare, core_commit, core_abort, core_delete, core_stats,
};

const sim_fence_ops *const sim_fence_models[] = {&sim_fence_core, &sim_fence_legacy, NULL};

const sim_fence_ops *sim_fence_model_find(const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    for (size_t i = 0; sim_fence_models[i] != NULL; i++) {
        if (strcmp(sim_fence_models[i]->name, name) == 0) {
            return sim_fence_models[i];
        }
    }
    return NULL;
}

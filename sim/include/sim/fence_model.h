/*
 * fence_model.h - one interface behind which the simulator runs fenced
 * writes: the stormglass fence (core/include/stormglass/fence.h) or the
 * legacy app-proxy fix.
 *
 * Every function mirrors the sg_fence_* function of the same name.  The
 * legacy model ("legacy", sim/legacy/fence_legacy.c) is the fix that
 * shipped: a per-key lock taken inside the write (after the re-read, as
 * update_circuit_routes did) and a re-read of the database that skips a
 * missing record, but no tombstone and no revision compare: a write whose
 * re-read saw the record before the delete, queued behind the unload's
 * lock, still runs afterwards.  Its commit verdicts are APPLY or
 * SKIP_MISSING only.
 */
#ifndef STORMGLASS_SIM_FENCE_MODEL_H
#define STORMGLASS_SIM_FENCE_MODEL_H

#include "stormglass/fence.h"

typedef struct sim_fence_ops {
    const char *name;         /* "core", "legacy" */
    const char *description;  /* one line for reports */
    sg_status (*create)(const sg_fence_config *config, void **out, sg_error *err);
    void (*destroy)(void *m);
    sg_status (*prepare)(void *m, sg_time_ns now, const void *key, size_t key_len, int64_t revision,
                         sg_time_ns snapshot_at, sg_fence_ticket *out);
    sg_status (*commit)(void *m, sg_time_ns now, const sg_fence_ticket *ticket, const sg_fence_read *fresh,
                        sg_fence_verdict *out);
    sg_status (*abort)(void *m, sg_time_ns now, const sg_fence_ticket *ticket);
    sg_status (*delete_key)(void *m, sg_time_ns now, const void *key, size_t key_len);
    void (*stats_get)(const void *m, sg_fence_stats *out);
} sim_fence_ops;

extern const sim_fence_ops sim_fence_core;
extern const sim_fence_ops sim_fence_legacy;

/* All fence models, NULL-terminated. */
extern const sim_fence_ops *const sim_fence_models[];

/* Looks a model up by name; NULL if unknown. */
const sim_fence_ops *sim_fence_model_find(const char *name);

#endif

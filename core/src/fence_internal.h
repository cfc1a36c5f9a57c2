/*
 * fence_internal.h - the fence's private layout, shared by fence_keys.c
 * (the bounded key table: slots, hash index, free list, reclamation),
 * fence_tombstones.c (deletes, retention, eviction horizon) and fence.c
 * (lifecycle, holds, verdicts).  Nothing outside core/src
 * includes this.
 *
 * Invariants:
 *   - a slot is `used` iff it is in the index; it is used only while it has
 *     a holder (hold_serial != 0) or a tombstone (tombstoned), except
 *     transiently inside one call;
 *   - tombstoned slots form a list in delete order (oldest at the head),
 *     of length tombs.len <= tombstones_max.
 */
#ifndef STORMGLASS_FENCE_INTERNAL_H
#define STORMGLASS_FENCE_INTERNAL_H

#include "stormglass/fence.h"

#include "ilist.h"

#define SG_FENCE_NIL SG_ILIST_NIL

_Static_assert(SG_FENCE_KEYS_MAX < SG_FENCE_NIL / 2, "the index holds slot + 1 at load <= 1/2");
_Static_assert(SG_FENCE_KEY_BYTES_MAX <= UINT8_MAX, "key length is stored in a byte");

typedef struct sg_fence_slot {
    uint64_t hash;
    uint64_t hold_serial;     /* 0: no holder */
    sg_time_ns deleted_at;    /* of the tombstone, when tombstoned */
    uint32_t generation;
    uint32_t free_next;
    uint8_t used;
    uint8_t tombstoned;
    uint8_t key_len;
    uint8_t key[SG_FENCE_KEY_BYTES_MAX];
} sg_fence_slot;

struct sg_fence {
    sg_fence_config config;
    sg_fence_slot *slots;     /* keys_max */
    sg_ilink *tomb_links;     /* keys_max: the tombstone list's links */
    uint32_t *index;          /* index_mask + 1 entries: slot + 1, 0 = empty */
    uint32_t index_mask;
    uint32_t free_head;
    uint32_t keys, holders;
    sg_ilist tombs;           /* tombstoned slots, oldest delete first */
    uint64_t next_serial;
    sg_time_ns eviction_horizon;
    sg_fence_counters counters;
};

static inline bool sg_fence_key_ok(const void *key, size_t key_len)
{
    return key != NULL && key_len > 0 && key_len <= SG_FENCE_KEY_BYTES_MAX;
}

/* Key table (fence_keys.c). */
sg_status sg_fence_keys_alloc(sg_fence *f);
uint32_t sg_fence_keys_find(const sg_fence *f, const void *key, size_t key_len);
/* Inserts a key known to be absent; SG_FENCE_NIL when no slot is free. */
uint32_t sg_fence_keys_insert(sg_fence *f, const void *key, size_t key_len);
/* Frees the slot if it has neither holder nor tombstone. */
void sg_fence_keys_reclaim(sg_fence *f, uint32_t slot);

/* Tombstones (fence_tombstones.c). */
/* Expires tombstones whose retention has passed at `now`. */
void sg_fence_expire(sg_fence *f, sg_time_ns now);
/* Snapshot judgement without the fresh read: APPLY means "not rejected". */
sg_fence_verdict sg_fence_judge(const sg_fence *f, uint32_t slot, sg_time_ns snapshot_at, sg_time_ns now);

#endif

/*
 * fence_tombstones.c - what a delete leaves behind, how long it stays and
 * what happens when there is no room for it.
 *
 * Tombstones form an index list (ilist.h) in delete order (time is
 * monotonic, so the head is the oldest).  A tombstone expires retention after its delete; since
 * the same span bounds the age of any snapshot the fence accepts, an
 * expired tombstone can no longer be the only thing standing between a
 * stale write and a resurrection.  When a delete needs room (tombstone
 * count at its bound, or no free key slot) the oldest tombstone is evicted
 * early and the eviction horizon moves up to its delete time: from then
 * on every snapshot at or before the horizon is too old, for every key.
 * That refuses some good writes (they are recomputed from a fresh
 * snapshot) but never lets a stale one through.
 */
#include "fence_internal.h"

#include <assert.h>

/* Removes the tombstone and frees the slot unless a writer holds it. */
static void tomb_drop(sg_fence *f, uint32_t slot)
{
    assert(f->slots[slot].tombstoned);
    sg_ilist_unlink(&f->tombs, f->tomb_links, slot);
    f->slots[slot].tombstoned = 0;
    sg_fence_keys_reclaim(f, slot);
}

static void evict_oldest(sg_fence *f)
{
    uint32_t head = f->tombs.head;
    assert(head != SG_FENCE_NIL);
    if (f->slots[head].deleted_at > f->eviction_horizon) {
        f->eviction_horizon = f->slots[head].deleted_at;
    }
    f->counters.evictions++;
    tomb_drop(f, head);
}

void sg_fence_expire(sg_fence *f, sg_time_ns now)
{
    assert(f != NULL);
    sg_time_ns cutoff = now - f->config.tombstone_retention_ns;
    while (f->tombs.head != SG_FENCE_NIL && f->slots[f->tombs.head].deleted_at <= cutoff) {
        f->counters.expirations++;
        tomb_drop(f, f->tombs.head);
    }
}

void sg_fence_tick(sg_fence *f, sg_time_ns now)
{
    sg_fence_expire(f, now);
}

sg_fence_verdict sg_fence_judge(const sg_fence *f, uint32_t slot, sg_time_ns snapshot_at, sg_time_ns now)
{
    assert(f != NULL);
    sg_time_ns cutoff = now - f->config.tombstone_retention_ns;
    if (snapshot_at <= cutoff || snapshot_at <= f->eviction_horizon) {
        return SG_FENCE_REJECT_TOO_OLD;
    }
    if (slot != SG_FENCE_NIL && f->slots[slot].tombstoned && snapshot_at <= f->slots[slot].deleted_at) {
        return SG_FENCE_REJECT_TOMBSTONE;
    }
    return SG_FENCE_APPLY;
}

/* A slot for a key being deleted, evicting tombstones if that is the only
 * way to get one; SG_FENCE_NIL when every slot is held by a writer. */
static uint32_t slot_for_delete(sg_fence *f, const void *key, size_t key_len)
{
    uint32_t slot = sg_fence_keys_find(f, key, key_len);
    if (slot != SG_FENCE_NIL) {
        return slot;
    }
    slot = sg_fence_keys_insert(f, key, key_len);
    while (slot == SG_FENCE_NIL && f->tombs.head != SG_FENCE_NIL) {
        evict_oldest(f);
        slot = sg_fence_keys_insert(f, key, key_len);
    }
    return slot;
}

sg_status sg_fence_delete(sg_fence *f, sg_time_ns now, const void *key, size_t key_len)
{
    assert(f != NULL);
    if (!sg_fence_key_ok(key, key_len)) {
        return SG_E_INVALID;
    }
    sg_fence_expire(f, now);
    f->counters.deletes++;
    uint32_t slot = slot_for_delete(f, key, key_len);
    if (slot == SG_FENCE_NIL) {
        /* nowhere to remember this delete: refuse every snapshot up to now */
        if (now > f->eviction_horizon) {
            f->eviction_horizon = now;
        }
        f->counters.horizon_to_now++;
        return SG_OK;
    }
    sg_fence_slot *s = &f->slots[slot];
    if (s->tombstoned) {
        sg_ilist_unlink(&f->tombs, f->tomb_links, slot); /* a repeated delete refreshes it */
    } else if (f->tombs.len == f->config.tombstones_max) {
        evict_oldest(f); /* the head is another key: this one has no tombstone */
    }
    s->tombstoned = 1;
    s->deleted_at = now;
    sg_ilist_push_tail(&f->tombs, f->tomb_links, slot);
    assert(f->tombs.len <= f->config.tombstones_max);
    return SG_OK;
}

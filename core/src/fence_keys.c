/*
 * fence_keys.c - the fence's bounded key table.
 *
 * keys_max slots allocated at create, each holding its key bytes inline
 * (at most SG_FENCE_KEY_BYTES_MAX), found through an open-addressing index
 * (linear probing, FNV-1a 64, load <= 1/2) whose deletions shift entries
 * back instead of leaving markers, so lookups never slow down with churn.
 * A slot returns to the free list as soon as its key has neither a holder
 * nor a tombstone: per-key state never outlives the key (the lock-object
 * leak of the legacy fix cannot happen), and its generation moves on so
 * tickets naming it become stale.
 *
 * Keys come from the driver (circuit ids, etcd paths), not from the
 * network; a hostile key set could only make probes longer, never exceed
 * the table.
 */
#include "fence_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <fiu-local.h>

static void *fence_calloc(size_t count, size_t size)
{
    if (fiu_fail("stormglass/fence/alloc")) {
        return NULL;
    }
    return calloc(count, size);
}

static uint64_t key_hash(const void *key, size_t len)
{
    const uint8_t *p = key;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

sg_status sg_fence_keys_alloc(sg_fence *f)
{
    uint32_t keys_max = f->config.keys_max;
    uint32_t size = 2;
    while (size < 2 * keys_max) {
        size *= 2;
    }
    f->slots = fence_calloc(keys_max, sizeof *f->slots);
    f->index = fence_calloc(size, sizeof *f->index);
    f->tomb_links = fence_calloc(keys_max, sizeof *f->tomb_links);
    if (f->slots == NULL || f->index == NULL || f->tomb_links == NULL) {
        return SG_E_NOMEM;
    }
    sg_ilist_init(&f->tombs, f->tomb_links, keys_max);
    f->index_mask = size - 1;
    for (uint32_t i = 0; i < keys_max; i++) {
        f->slots[i].generation = 1;
        f->slots[i].free_next = (i + 1 < keys_max) ? i + 1 : SG_FENCE_NIL;
    }
    f->free_head = 0;
    return SG_OK;
}

static bool slot_has_key(const sg_fence_slot *s, uint64_t hash, const void *key, size_t len)
{
    return s->hash == hash && s->key_len == len && memcmp(s->key, key, len) == 0;
}

uint32_t sg_fence_keys_find(const sg_fence *f, const void *key, size_t key_len)
{
    assert(key_len > 0 && key_len <= SG_FENCE_KEY_BYTES_MAX);
    uint64_t hash = key_hash(key, key_len);
    for (uint32_t pos = (uint32_t)hash & f->index_mask;; pos = (pos + 1) & f->index_mask) {
        uint32_t entry = f->index[pos];
        if (entry == 0) {
            return SG_FENCE_NIL; /* load <= 1/2: an empty entry always exists */
        }
        if (slot_has_key(&f->slots[entry - 1], hash, key, key_len)) {
            return entry - 1;
        }
    }
}

uint32_t sg_fence_keys_insert(sg_fence *f, const void *key, size_t key_len)
{
    assert(sg_fence_keys_find(f, key, key_len) == SG_FENCE_NIL);
    if (f->free_head == SG_FENCE_NIL) {
        return SG_FENCE_NIL;
    }
    uint32_t slot = f->free_head;
    sg_fence_slot *s = &f->slots[slot];
    assert(!s->used);
    f->free_head = s->free_next;
    s->free_next = SG_FENCE_NIL;
    s->used = 1;
    s->hash = key_hash(key, key_len);
    s->key_len = (uint8_t)key_len;
    memcpy(s->key, key, key_len);
    uint32_t pos = (uint32_t)s->hash & f->index_mask;
    while (f->index[pos] != 0) {
        pos = (pos + 1) & f->index_mask;
    }
    f->index[pos] = slot + 1;
    f->keys++;
    return slot;
}

/* True when home position k lies cyclically in (i, j]. */
static bool home_between(uint32_t i, uint32_t k, uint32_t j)
{
    return (i <= j) ? (i < k && k <= j) : (i < k || k <= j);
}

static void index_remove(sg_fence *f, uint32_t slot)
{
    uint32_t i = (uint32_t)f->slots[slot].hash & f->index_mask;
    while (f->index[i] != slot + 1) {
        assert(f->index[i] != 0);
        i = (i + 1) & f->index_mask;
    }
    /* backward-shift deletion: move later entries of the run into the hole */
    for (uint32_t j = i;;) {
        j = (j + 1) & f->index_mask;
        uint32_t entry = f->index[j];
        if (entry == 0) {
            break;
        }
        uint32_t home = (uint32_t)f->slots[entry - 1].hash & f->index_mask;
        if (home_between(i, home, j)) {
            continue; /* entry j is reachable without passing the hole */
        }
        f->index[i] = entry;
        i = j;
    }
    f->index[i] = 0;
}

void sg_fence_keys_reclaim(sg_fence *f, uint32_t slot)
{
    sg_fence_slot *s = &f->slots[slot];
    assert(s->used);
    if (s->hold_serial != 0 || s->tombstoned) {
        return;
    }
    index_remove(f, slot);
    s->used = 0;
    s->key_len = 0;
    s->generation = (s->generation == UINT32_MAX) ? 1 : s->generation + 1;
    s->free_next = f->free_head;
    f->free_head = slot;
    assert(f->keys > 0);
    f->keys--;
    f->counters.slots_reclaimed++;
}

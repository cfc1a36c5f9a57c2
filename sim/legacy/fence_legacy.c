/*
 * fence_legacy.c - legacy model: the app-proxy fix that shipped (per-key
 * lock + database re-read, no tombstone).
 *
 * What it did: the health checker re-read the circuit from the database
 * and skipped the write if the record was gone; otherwise it called
 * update_circuit_routes, which took the circuit's lock and wrote etcd.
 * unload_circuits took the same lock, deleted the keys and dropped the
 * lock object.  The lock orders the two critical sections but says
 * nothing about what the queued write read before it queued: if the
 * re-read happened before the delete and the write's turn comes after the
 * unload, the write recreates the key.  In this interface: prepare
 * registers the write (no lock yet), commit is "take the lock, write if the
 * re-read found the record" (APPLY or SKIP_MISSING, no revision compare),
 * delete_key is the unload (lock, delete, drop the lock object).
 *
 * Lock objects and outstanding writes live in tables of keys_max entries
 * (searched linearly: this is a small simulation model).
 */
#include "sim/fence_model.h"

#include <stdlib.h>
#include <string.h>

typedef struct legacy_key {
    uint64_t serial;   /* outstanding write: its ticket serial; lock: unused */
    bool used;
    uint8_t key_len;
    uint8_t key[SG_FENCE_KEY_BYTES_MAX];
} legacy_key;

typedef struct legacy_fence {
    uint32_t cap;
    legacy_key *locks;   /* per-key lock objects */
    legacy_key *writes;  /* writes between prepare and commit */
    uint64_t next_serial;
    sg_fence_stats stats;
} legacy_fence;

static void legacy_destroy(void *m)
{
    legacy_fence *l = m;
    if (l != NULL) {
        free(l->locks);
        free(l->writes);
        free(l);
    }
}

static sg_status legacy_create(const sg_fence_config *config, void **out, sg_error *err)
{
    *out = NULL;
    sg_status st = sg_fence_config_check(config, err);
    if (st != SG_OK) {
        return st;
    }
    legacy_fence *l = calloc(1, sizeof *l);
    if (l == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "legacy fence: out of memory");
    }
    l->cap = config->keys_max;
    l->locks = calloc(l->cap, sizeof *l->locks);
    l->writes = calloc(l->cap, sizeof *l->writes);
    if (l->locks == NULL || l->writes == NULL) {
        legacy_destroy(l);
        return sg_error_set(err, SG_E_NOMEM, "legacy fence: out of memory");
    }
    l->stats.keys_max = config->keys_max;
    l->stats.tombstones_max = 0; /* none: that is the defect */
    l->stats.eviction_horizon_ns = INT64_MIN;
    *out = l;
    return SG_OK;
}

static legacy_key *find(legacy_key *table, uint32_t cap, const void *key, size_t key_len)
{
    for (uint32_t i = 0; i < cap; i++) {
        if (table[i].used && table[i].key_len == key_len && memcmp(table[i].key, key, key_len) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

static legacy_key *claim(legacy_key *table, uint32_t cap, const void *key, size_t key_len)
{
    for (uint32_t i = 0; i < cap; i++) {
        if (!table[i].used) {
            table[i].used = true;
            table[i].key_len = (uint8_t)key_len;
            memcpy(table[i].key, key, key_len);
            return &table[i];
        }
    }
    return NULL;
}

/* The key's lock object, created on first use (asyncio.Lock per circuit). */
static legacy_key *lock_for(legacy_fence *l, const void *key, size_t key_len)
{
    legacy_key *lock = find(l->locks, l->cap, key, key_len);
    if (lock == NULL) {
        lock = claim(l->locks, l->cap, key, key_len);
        l->stats.keys += lock != NULL;
    }
    return lock;
}

static sg_status legacy_prepare(void *m, sg_time_ns now, const void *key, size_t key_len, int64_t revision,
                                sg_time_ns snapshot_at, sg_fence_ticket *out)
{
    (void)now;
    legacy_fence *l = m;
    if (key == NULL || key_len == 0 || key_len > SG_FENCE_KEY_BYTES_MAX) {
        return SG_E_INVALID;
    }
    legacy_key *w = claim(l->writes, l->cap, key, key_len);
    if (w == NULL) {
        l->stats.counters.full++;
        return SG_E_FULL;
    }
    w->serial = ++l->next_serial;
    l->stats.holders++;
    out->slot = (uint32_t)(w - l->writes);
    out->generation = 0;
    out->serial = w->serial;
    out->revision = revision;
    out->snapshot_at = snapshot_at;
    return SG_OK;
}

static legacy_key *write_of(legacy_fence *l, const sg_fence_ticket *t)
{
    if (t == NULL || t->slot >= l->cap || !l->writes[t->slot].used || l->writes[t->slot].serial != t->serial) {
        l->stats.counters.stale_tickets++;
        return NULL;
    }
    return &l->writes[t->slot];
}

static void finish_write(legacy_fence *l, legacy_key *w)
{
    w->used = false;
    l->stats.holders--;
}

static sg_status legacy_commit(void *m, sg_time_ns now, const sg_fence_ticket *t, const sg_fence_read *fresh,
                               sg_fence_verdict *out)
{
    (void)now;
    legacy_fence *l = m;
    legacy_key *w = write_of(l, t);
    if (w == NULL) {
        return SG_E_NOT_FOUND;
    }
    if (fresh == NULL) {
        return SG_E_INVALID;
    }
    sg_status st = lock_for(l, w->key, w->key_len) == NULL ? SG_E_FULL : SG_OK;
    if (st == SG_OK && fresh->found) {
        *out = SG_FENCE_APPLY; /* under the lock, with whatever the re-read saw */
        l->stats.counters.applied++;
    } else if (st == SG_OK) {
        *out = SG_FENCE_SKIP_MISSING;
        l->stats.counters.skipped_missing++;
    }
    finish_write(l, w);
    return st;
}

static sg_status legacy_abort(void *m, sg_time_ns now, const sg_fence_ticket *t)
{
    (void)now;
    legacy_fence *l = m;
    legacy_key *w = write_of(l, t);
    if (w == NULL) {
        return SG_E_NOT_FOUND;
    }
    l->stats.counters.aborts++;
    finish_write(l, w);
    return SG_OK;
}

static sg_status legacy_delete(void *m, sg_time_ns now, const void *key, size_t key_len)
{
    (void)now;
    legacy_fence *l = m;
    if (key == NULL || key_len == 0 || key_len > SG_FENCE_KEY_BYTES_MAX) {
        return SG_E_INVALID;
    }
    legacy_key *lock = lock_for(l, key, key_len);
    l->stats.counters.deletes++;
    if (lock != NULL) {
        lock->used = false; /* unload done: the lock object is dropped, nothing remembers */
        l->stats.keys--;
    }
    return SG_OK;
}

static void legacy_stats(const void *m, sg_fence_stats *out)
{
    const legacy_fence *l = m;
    *out = l->stats;
}

const sim_fence_ops sim_fence_legacy = {
    "legacy",
    "app-proxy fix: per-key lock + DB re-read, no tombstone (a queued write runs after the unload)",
    legacy_create, legacy_destroy, legacy_prepare, legacy_commit, legacy_abort, legacy_delete, legacy_stats,
};

/*
 * fence.h - fenced writes: an update computed from a stale snapshot can
 * never recreate a key that was deleted, whatever order things arrive in.
 *
 * The incident (app proxy, scale-in): a health checker computed a route
 * update from an in-memory snapshot of a circuit while the circuit was
 * being deleted, and wrote it to etcd after the unload: the deleted key
 * came back and a dead backend stayed in the proxy's pool.  The fix that
 * shipped serialises per circuit and re-reads the database before writing,
 * but an update already queued behind the lock still runs after the unload
 * with what it read before the delete.
 *
 * The fence sits in front of the derived store (etcd) and decides, per
 * write, APPLY or not:
 *   - Per-key serialisation: sg_fence_prepare takes the key's hold (one
 *     writer per key; a second writer is refused, SG_E_STATE, counted) and
 *     returns a ticket; sg_fence_commit or sg_fence_abort releases it.
 *   - Versions: every write carries the revision of the record it was
 *     computed from and the time of the snapshot read.  At commit the
 *     caller supplies a fresh read of the source of truth (the re-read
 *     hook; sg_fence_write does prepare + callback + commit in one call).
 *     A missing record means SKIP (counted); otherwise the write applies
 *     only if the fresh revision EQUALS the one it was computed from.
 *     Equality, not "not newer": after a delete a store may report revision
 *     0 for the key (etcd, issue 7184) or restart its numbering, and a
 *     "<" compare would let a stale write through.
 *   - Tombstones: sg_fence_delete (called when the key is unloaded) leaves
 *     a tombstone with the time of the delete.  A write whose snapshot was
 *     read at or before that time is rejected even when the key has been
 *     recreated since with an equal, greater or smaller revision.
 *
 * Retention and bounds (the safe behaviour, never a silent resurrection):
 *   - A tombstone lives tombstone_retention_ns.  The same span is the
 *     largest snapshot age the fence accepts: a write whose snapshot is
 *     older than now - retention is rejected (TOO_OLD), so a tombstone
 *     that has expired can never be needed again.
 *   - At most tombstones_max tombstones.  When a delete finds the
 *     tombstone table full (or no free key slot), the oldest tombstone is
 *     evicted before its retention and the fence's eviction horizon moves
 *     up to that tombstone's delete time: every write whose snapshot is at
 *     or before the horizon is rejected (TOO_OLD), for every key.  If no
 *     tombstone can be evicted (every slot held by a writer), the horizon
 *     moves to `now`.  Deletes are never refused.
 *   - At most keys_max key slots (held keys plus tombstones).  A slot is
 *     reclaimed as soon as its key has no holder and no live tombstone, so
 *     no per-key state outlives a key.  A prepare that finds no free slot is
 *     refused (SG_E_FULL, counted); it never evicts a live tombstone.
 *
 * The caller must write an APPLY atomically with respect to its own next
 * event for the same key, or as an equality-compare transaction on the
 * store (etcd: If(ModRevision(key) == rev) Then Put).  Time is `now`
 * (monotonic ns, never decreasing); no clock reads, no I/O, no threads.
 */
#ifndef STORMGLASS_FENCE_H
#define STORMGLASS_FENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"
#include "stormglass/time.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SG_FENCE_KEY_BYTES_MAX 64u          /* longest key */
#define SG_FENCE_KEYS_MAX ((uint32_t)1 << 20) /* largest keys_max (about 130 bytes a key) */
#define SG_FENCE_KEYS_DEFAULT 4096u
#define SG_FENCE_TOMBSTONES_DEFAULT 1024u
#define SG_FENCE_RETENTION_DEFAULT_NS ((sg_duration_ns)600 * SG_NS_PER_S)

typedef struct sg_fence_config {
    uint32_t keys_max;                      /* 1 .. SG_FENCE_KEYS_MAX; default 4096 */
    uint32_t tombstones_max;                /* 1 .. keys_max; default 1024 */
    sg_duration_ns tombstone_retention_ns;  /* > 0 .. 100 days; also the max snapshot age;
                                               default 10 min */
} sg_fence_config;

typedef struct sg_fence_ticket {
    uint32_t slot;            /* the key's slot */
    uint32_t generation;      /* the slot's generation when the hold was taken */
    uint64_t serial;          /* this hold (a used ticket is stale) */
    int64_t revision;         /* revision the write was computed from */
    sg_time_ns snapshot_at;   /* when that snapshot was read */
} sg_fence_ticket;

/* A fresh read of the source of truth. */
typedef struct sg_fence_read {
    bool found;
    int64_t revision;         /* meaningful when found */
} sg_fence_read;

typedef enum sg_fence_verdict {
    SG_FENCE_APPLY = 1,        /* write it (atomically, see above) */
    SG_FENCE_REJECT_STALE,     /* the record's revision is not the one computed from */
    SG_FENCE_REJECT_TOMBSTONE, /* the key was deleted at or after the snapshot */
    SG_FENCE_REJECT_TOO_OLD,   /* snapshot older than the retention or the eviction horizon */
    SG_FENCE_SKIP_MISSING      /* the fresh read found no record */
} sg_fence_verdict;

typedef struct sg_fence sg_fence; /* opaque */

sg_fence_config sg_fence_config_default(void);
/* SG_E_INVALID naming the field ("fence.tombstones_max: ..."). */
sg_status sg_fence_config_check(const sg_fence_config *config, sg_error *err);

/* Allocates every slot and the key index (fault point
 * "stormglass/fence/alloc").  SG_E_INVALID or SG_E_NOMEM; *out NULL then. */
sg_status sg_fence_create(const sg_fence_config *config, sg_fence **out, sg_error *err);
void sg_fence_destroy(sg_fence *f);

/* Takes the key's hold for a write computed from `revision` read at
 * `snapshot_at` (<= now).  SG_E_INVALID: empty or too long key, or a
 * snapshot in the future; SG_E_STATE: another writer holds the key
 * (counted contended); SG_E_FULL: no free key slot (counted). */
sg_status sg_fence_prepare(sg_fence *f, sg_time_ns now, const void *key, size_t key_len, int64_t revision,
                           sg_time_ns snapshot_at, sg_fence_ticket *out);

/* What commit would say if the fresh read matched: APPLY (go and re-read)
 * or a rejection, so a doomed write can skip its re-read.  Changes
 * nothing.  SG_E_NOT_FOUND for a stale ticket. */
sg_status sg_fence_check(sg_fence *f, sg_time_ns now, const sg_fence_ticket *ticket, sg_fence_verdict *out);

/* Decides the write with the fresh read and releases the hold (whatever
 * the verdict).  SG_E_NOT_FOUND (counted) for a stale or used ticket;
 * SG_E_INVALID for a NULL read (the hold is kept). */
sg_status sg_fence_commit(sg_fence *f, sg_time_ns now, const sg_fence_ticket *ticket, const sg_fence_read *fresh,
                          sg_fence_verdict *out);

/* Releases the hold without writing.  SG_E_NOT_FOUND for a stale ticket. */
sg_status sg_fence_abort(sg_fence *f, sg_time_ns now, const sg_fence_ticket *ticket);

/* Re-read hook as a callback: fills *out with the source of truth for key;
 * a non-OK return aborts the write and is passed back. */
typedef sg_status (*sg_fence_reread_fn)(void *ctx, const void *key, size_t key_len, sg_fence_read *out);

/* prepare, check, re-read, commit in one call (skips the re-read when
 * check already rejects).  Errors as sg_fence_prepare, or the callback's. */
sg_status sg_fence_write(sg_fence *f, sg_time_ns now, const void *key, size_t key_len, int64_t revision,
                         sg_time_ns snapshot_at, sg_fence_reread_fn reread, void *ctx, sg_fence_verdict *out);

/* The key is deleted/unloaded: leaves (or refreshes) its tombstone.  Never
 * refused for lack of room (see retention above).  SG_E_INVALID for a bad
 * key. */
sg_status sg_fence_delete(sg_fence *f, sg_time_ns now, const void *key, size_t key_len);

/* Expires tombstones past their retention and reclaims their slots.  Every
 * other call does this too; a driver may call it on a timer. */
void sg_fence_tick(sg_fence *f, sg_time_ns now);

typedef struct sg_fence_counters {
    uint64_t applied;
    uint64_t rejected_stale;
    uint64_t rejected_tombstone;
    uint64_t rejected_too_old;
    uint64_t skipped_missing;
    uint64_t deletes;
    uint64_t evictions;        /* tombstones evicted before their retention (horizon moved) */
    uint64_t expirations;      /* tombstones that reached their retention */
    uint64_t horizon_to_now;   /* deletes that found nothing to evict: horizon = now */
    uint64_t contended;        /* prepare refused: key held */
    uint64_t full;             /* prepare refused: no free slot */
    uint64_t stale_tickets;
    uint64_t aborts;
    uint64_t reread_errors;    /* sg_fence_write callbacks that failed */
    uint64_t slots_reclaimed;
} sg_fence_counters;

typedef struct sg_fence_stats {
    uint32_t keys;             /* slots in use: held keys plus tombstones */
    uint32_t tombstones;       /* live tombstones (expired ones are removed lazily) */
    uint32_t holders;
    uint32_t keys_max, tombstones_max;
    sg_time_ns eviction_horizon_ns; /* INT64_MIN while nothing was evicted early */
    sg_fence_counters counters;
} sg_fence_stats;

void sg_fence_stats_get(const sg_fence *f, sg_fence_stats *out);

/* "apply", "reject-stale", "reject-tombstone", "reject-too-old", "skip-missing". */
const char *sg_fence_verdict_name(sg_fence_verdict v);

#ifdef __cplusplus
}
#endif

#endif

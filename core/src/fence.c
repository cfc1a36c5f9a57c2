/*
 * fence.c - fenced writes: configuration and lifecycle, the per-key hold
 * (prepare / check / commit / abort), the re-read hook and statistics.
 *
 * A write's life: prepare takes the key's hold (one writer per key) and
 * records the revision and snapshot time the update was computed from;
 * the caller re-reads the source of truth; commit judges the write with
 * that fresh read and releases the hold.  The judgement, in order:
 * snapshot too old (retention or eviction horizon), key deleted at or
 * after the snapshot (tombstone), record missing (skip), revision not
 * EQUAL to the one computed from (stale), else apply.  Tombstones and
 * the key table are in fence_tombstones.c and fence_keys.c.
 */
#include "fence_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <fiu-local.h>

sg_fence_config sg_fence_config_default(void)
{
    sg_fence_config c;
    c.keys_max = SG_FENCE_KEYS_DEFAULT;
    c.tombstones_max = SG_FENCE_TOMBSTONES_DEFAULT;
    c.tombstone_retention_ns = SG_FENCE_RETENTION_DEFAULT_NS;
    return c;
}

sg_status sg_fence_config_check(const sg_fence_config *c, sg_error *err)
{
    if (c == NULL) {
        return sg_error_set(err, SG_E_INVALID, "fence: config is NULL");
    }
    if (c->keys_max == 0 || c->keys_max > SG_FENCE_KEYS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "fence.keys_max: must be within 1 .. %u (got %u)",
                            SG_FENCE_KEYS_MAX, c->keys_max);
    }
    if (c->tombstones_max == 0 || c->tombstones_max > c->keys_max) {
        return sg_error_set(err, SG_E_INVALID, "fence.tombstones_max: must be within 1 .. keys_max (%u) (got %u)",
                            c->keys_max, c->tombstones_max);
    }
    if (c->tombstone_retention_ns <= 0 || c->tombstone_retention_ns > SG_DURATION_MAX_NS) {
        return sg_error_set(err, SG_E_INVALID, "fence.tombstone_retention: must be > 0 and <= 100 days");
    }
    return SG_OK;
}

sg_status sg_fence_create(const sg_fence_config *config, sg_fence **out, sg_error *err)
{
    if (out == NULL) {
        return sg_error_set(err, SG_E_INVALID, "fence: out is NULL");
    }
    *out = NULL;
    sg_status st = sg_fence_config_check(config, err);
    if (st != SG_OK) {
        return st;
    }
    sg_fence *f = fiu_fail("stormglass/fence/alloc") ? NULL : calloc(1, sizeof *f);
    if (f == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "fence: cannot allocate the fence");
    }
    f->config = *config;
    f->eviction_horizon = INT64_MIN;
    if (sg_fence_keys_alloc(f) != SG_OK) {
        sg_fence_destroy(f);
        return sg_error_set(err, SG_E_NOMEM, "fence: cannot allocate %u key slots", config->keys_max);
    }
    *out = f;
    return SG_OK;
}

void sg_fence_destroy(sg_fence *f)
{
    if (f == NULL) {
        return;
    }
    free(f->slots);
    free(f->index);
    free(f->tomb_links);
    free(f);
}

sg_status sg_fence_prepare(sg_fence *f, sg_time_ns now, const void *key, size_t key_len, int64_t revision,
                           sg_time_ns snapshot_at, sg_fence_ticket *out)
{
    assert(f != NULL && out != NULL);
    if (!sg_fence_key_ok(key, key_len) || snapshot_at > now) {
        return SG_E_INVALID;
    }
    sg_fence_expire(f, now);
    uint32_t slot = sg_fence_keys_find(f, key, key_len);
    if (slot != SG_FENCE_NIL && f->slots[slot].hold_serial != 0) {
        f->counters.contended++;
        return SG_E_STATE;
    }
    if (slot == SG_FENCE_NIL) {
        slot = sg_fence_keys_insert(f, key, key_len); /* never evicts a tombstone */
        if (slot == SG_FENCE_NIL) {
            f->counters.full++;
            return SG_E_FULL;
        }
    }
    sg_fence_slot *s = &f->slots[slot];
    s->hold_serial = ++f->next_serial;
    f->holders++;
    out->slot = slot;
    out->generation = s->generation;
    out->serial = s->hold_serial;
    out->revision = revision;
    out->snapshot_at = snapshot_at;
    return SG_OK;
}

/* The slot a ticket holds, or SG_FENCE_NIL when the ticket is stale. */
static uint32_t ticket_slot(const sg_fence *f, const sg_fence_ticket *t)
{
    if (t == NULL || t->slot >= f->config.keys_max) {
        return SG_FENCE_NIL;
    }
    const sg_fence_slot *s = &f->slots[t->slot];
    if (!s->used || s->generation != t->generation || s->hold_serial == 0 || s->hold_serial != t->serial) {
        return SG_FENCE_NIL;
    }
    return t->slot;
}

static void release(sg_fence *f, uint32_t slot)
{
    assert(f->slots[slot].hold_serial != 0);
    assert(f->holders > 0);
    f->slots[slot].hold_serial = 0;
    f->holders--;
    sg_fence_keys_reclaim(f, slot);
}

sg_status sg_fence_check(sg_fence *f, sg_time_ns now, const sg_fence_ticket *t, sg_fence_verdict *out)
{
    assert(f != NULL && out != NULL);
    sg_fence_expire(f, now);
    uint32_t slot = ticket_slot(f, t);
    if (slot == SG_FENCE_NIL) {
        return SG_E_NOT_FOUND;
    }
    *out = sg_fence_judge(f, slot, t->snapshot_at, now);
    return SG_OK;
}

static void count_verdict(sg_fence *f, sg_fence_verdict v)
{
    switch (v) {
    case SG_FENCE_APPLY: f->counters.applied++; break;
    case SG_FENCE_REJECT_STALE: f->counters.rejected_stale++; break;
    case SG_FENCE_REJECT_TOMBSTONE: f->counters.rejected_tombstone++; break;
    case SG_FENCE_REJECT_TOO_OLD: f->counters.rejected_too_old++; break;
    case SG_FENCE_SKIP_MISSING: f->counters.skipped_missing++; break;
    }
}

sg_status sg_fence_commit(sg_fence *f, sg_time_ns now, const sg_fence_ticket *t, const sg_fence_read *fresh,
                          sg_fence_verdict *out)
{
    assert(f != NULL && out != NULL);
    sg_fence_expire(f, now); /* a held slot is never reclaimed here */
    uint32_t slot = ticket_slot(f, t);
    if (slot == SG_FENCE_NIL) {
        f->counters.stale_tickets++;
        return SG_E_NOT_FOUND;
    }
    if (fresh == NULL) {
        return SG_E_INVALID;
    }
    sg_fence_verdict v = sg_fence_judge(f, slot, t->snapshot_at, now);
    if (v == SG_FENCE_APPLY && !fresh->found) {
        v = SG_FENCE_SKIP_MISSING;
    } else if (v == SG_FENCE_APPLY && fresh->revision != t->revision) {
        v = SG_FENCE_REJECT_STALE; /* equality: a reset or a move either way is stale */
    }
    count_verdict(f, v);
    release(f, slot);
    *out = v;
    return SG_OK;
}

sg_status sg_fence_abort(sg_fence *f, sg_time_ns now, const sg_fence_ticket *t)
{
    assert(f != NULL);
    sg_fence_expire(f, now);
    uint32_t slot = ticket_slot(f, t);
    if (slot == SG_FENCE_NIL) {
        f->counters.stale_tickets++;
        return SG_E_NOT_FOUND;
    }
    f->counters.aborts++;
    release(f, slot);
    return SG_OK;
}

sg_status sg_fence_write(sg_fence *f, sg_time_ns now, const void *key, size_t key_len, int64_t revision,
                         sg_time_ns snapshot_at, sg_fence_reread_fn reread, void *ctx, sg_fence_verdict *out)
{
    assert(f != NULL && reread != NULL && out != NULL);
    sg_fence_ticket t;
    sg_status st = sg_fence_prepare(f, now, key, key_len, revision, snapshot_at, &t);
    if (st != SG_OK) {
        return st;
    }
    sg_fence_read fresh = {false, 0};
    sg_fence_verdict early;
    st = sg_fence_check(f, now, &t, &early);
    assert(st == SG_OK);
    if (early == SG_FENCE_APPLY) {
        st = reread(ctx, key, key_len, &fresh);
        if (st != SG_OK) {
            f->counters.reread_errors++;
            (void)sg_fence_abort(f, now, &t);
            return st;
        }
    }
    /* a doomed write is committed with an empty read: the judgement
     * rejects it before the read matters */
    return sg_fence_commit(f, now, &t, &fresh, out);
}

void sg_fence_stats_get(const sg_fence *f, sg_fence_stats *out)
{
    assert(f != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    out->keys = f->keys;
    out->tombstones = f->tombs.len;
    out->holders = f->holders;
    out->keys_max = f->config.keys_max;
    out->tombstones_max = f->config.tombstones_max;
    out->eviction_horizon_ns = f->eviction_horizon;
    out->counters = f->counters;
}

const char *sg_fence_verdict_name(sg_fence_verdict v)
{
    switch (v) {
    case SG_FENCE_APPLY: return "apply";
    case SG_FENCE_REJECT_STALE: return "reject-stale";
    case SG_FENCE_REJECT_TOMBSTONE: return "reject-tombstone";
    case SG_FENCE_REJECT_TOO_OLD: return "reject-too-old";
    case SG_FENCE_SKIP_MISSING: return "skip-missing";
    }
    return "?";
}

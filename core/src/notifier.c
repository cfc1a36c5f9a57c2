/*
 * notifier.c - the notifier's watcher table: configuration, the one
 * allocation at create, watch/unwatch with generation-checked handles,
 * statistics and names.
 *
 * Slots are never freed while the notifier lives, only retired: a retired
 * slot's generation moves on, so any handle to the departed watcher is
 * recognised as stale.  The free list is LIFO (a retired slot is the
 * first reused), which makes stale-handle detection matter and is what
 * the tests exercise.
 */
#include "notifier_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <fiu-local.h>

sg_notifier_config sg_notifier_config_default(void)
{
    sg_notifier_config c;
    c.watchers_max = SG_NOTIFIER_WATCHERS_DEFAULT;
    c.initial = SG_HEALTH_CODE_SERVICE_UNKNOWN;
    return c;
}

sg_status sg_notifier_config_check(const sg_notifier_config *c, sg_error *err)
{
    if (c == NULL) {
        return sg_error_set(err, SG_E_INVALID, "notifier: config is NULL");
    }
    if (c->watchers_max == 0 || c->watchers_max > SG_NOTIFIER_WATCHERS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "notifier.watchers_max: must be within 1 .. %u (got %u)",
                            SG_NOTIFIER_WATCHERS_MAX, c->watchers_max);
    }
    if (c->initial == SG_HEALTH_CODE_NONE || c->initial >= SG_HEALTH_CODE_GOAWAY) {
        return sg_error_set(err, SG_E_INVALID,
                            "notifier.initial: must be SERVING, NOT_SERVING or SERVICE_UNKNOWN (got %d)",
                            (int)c->initial);
    }
    return SG_OK;
}

static void *notifier_calloc(size_t count, size_t size)
{
    if (fiu_fail("stormglass/notifier/alloc")) {
        return NULL;
    }
    return calloc(count, size);
}

static void notifier_init_slots(sg_notifier *n)
{
    for (uint32_t i = 0; i < n->capacity; i++) {
        sg_ntf_slot *s = &n->slots[i];
        s->generation = 1;
        s->free_next = (i + 1 < n->capacity) ? i + 1 : SG_NTF_NIL;
        s->live_pos = SG_NTF_NIL;
    }
    n->free_head = 0;
    sg_ilist_init(&n->ready, n->ready_links, n->capacity);
}

sg_status sg_notifier_create(const sg_notifier_config *config, sg_notifier **out, sg_error *err)
{
    if (out == NULL) {
        return sg_error_set(err, SG_E_INVALID, "notifier: out is NULL");
    }
    *out = NULL;
    sg_status st = sg_notifier_config_check(config, err);
    if (st != SG_OK) {
        return st;
    }
    sg_notifier *n = notifier_calloc(1, sizeof *n);
    if (n == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "notifier: cannot allocate the notifier");
    }
    n->capacity = config->watchers_max;
    n->slots = notifier_calloc(n->capacity, sizeof *n->slots);
    n->live = notifier_calloc(n->capacity, sizeof *n->live);
    n->ready_links = notifier_calloc(n->capacity, sizeof *n->ready_links);
    if (n->slots == NULL || n->live == NULL || n->ready_links == NULL) {
        sg_notifier_destroy(n);
        return sg_error_set(err, SG_E_NOMEM, "notifier: cannot allocate %u watcher slots", config->watchers_max);
    }
    n->current = (uint8_t)config->initial;
    notifier_init_slots(n);
    *out = n;
    return SG_OK;
}

void sg_notifier_destroy(sg_notifier *n)
{
    if (n == NULL) {
        return;
    }
    assert(!n->delivering);
    free(n->slots);
    free(n->live);
    free(n->ready_links);
    free(n);
}

bool sg_notifier_handle_valid(const sg_notifier *n, sg_watch_handle h)
{
    assert(n != NULL);
    if (h.index >= n->capacity) {
        return false;
    }
    const sg_ntf_slot *s = &n->slots[h.index];
    return s->live && s->generation == h.generation;
}

sg_ntf_slot *sg_ntf_lookup(sg_notifier *n, sg_watch_handle h)
{
    return sg_notifier_handle_valid(n, h) ? &n->slots[h.index] : NULL;
}

sg_status sg_notifier_watch(sg_notifier *n, sg_time_ns now, uint64_t cookie, sg_watch_handle *out)
{
    assert(n != NULL && out != NULL);
    if (n->free_head == SG_NTF_NIL) {
        n->counters.watch_full++;
        return SG_E_FULL;
    }
    uint32_t index = n->free_head;
    sg_ntf_slot *s = &n->slots[index];
    assert(!s->live);
    n->free_head = s->free_next;
    s->free_next = SG_NTF_NIL;
    s->live = 1;
    s->cookie = cookie;
    s->live_pos = n->watchers;
    n->live[n->watchers++] = index;
    n->counters.watches++;
    sg_ntf_mailbox_init(n, index, now);
    out->index = index;
    out->generation = s->generation;
    return SG_OK;
}

sg_status sg_notifier_unwatch(sg_notifier *n, sg_time_ns now, sg_watch_handle h)
{
    (void)now;
    assert(n != NULL);
    sg_ntf_slot *s = sg_ntf_lookup(n, h);
    if (s == NULL) {
        n->counters.stale_handles++;
        return SG_E_NOT_FOUND;
    }
    sg_ntf_mailbox_retire(n, h.index);
    /* swap-remove from the dense live array */
    assert(n->watchers > 0 && n->live[s->live_pos] == h.index);
    uint32_t last = n->live[--n->watchers];
    n->live[s->live_pos] = last;
    n->slots[last].live_pos = s->live_pos;
    s->live_pos = SG_NTF_NIL;
    s->live = 0;
    s->generation = (s->generation == UINT32_MAX) ? 1 : s->generation + 1;
    s->free_next = n->free_head;
    n->free_head = h.index;
    n->counters.unwatches++;
    return SG_OK;
}

void sg_notifier_stats_get(const sg_notifier *n, sg_notifier_stats *out)
{
    assert(n != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    out->capacity = n->capacity;
    out->watchers = n->watchers;
    out->pending = n->pending;
    out->ready = n->ready.len;
    out->current = (sg_health_code)n->current;
    out->terminal = n->terminal;
    out->counters = n->counters;
}

sg_health_code sg_notifier_current(const sg_notifier *n)
{
    assert(n != NULL);
    return (sg_health_code)n->current;
}

const char *sg_health_code_name(sg_health_code code)
{
    switch (code) {
    case SG_HEALTH_CODE_NONE: return "NONE";
    case SG_HEALTH_CODE_SERVING: return "SERVING";
    case SG_HEALTH_CODE_NOT_SERVING: return "NOT_SERVING";
    case SG_HEALTH_CODE_SERVICE_UNKNOWN: return "SERVICE_UNKNOWN";
    case SG_HEALTH_CODE_GOAWAY: return "GOAWAY";
    }
    return "?";
}

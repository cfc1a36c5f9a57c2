/*
 * notifier_legacy_loop.c - the healthz monitor's broadcast loop as it was
 * (see notifier_legacy_loop.h), sans-IO so the simulator can step it.
 *
 * One broadcast is in progress at a time, with a cursor into the watcher
 * list; sim_legacy_deliver advances it until the budget is spent, the loop
 * blocks on a busy watcher (it retries that same watcher next time: head
 * of line), or a send hits a closed mailbox (a crash unless recovered).
 * A crashed model refuses every later call with SG_E_STATE, like a
 * process that is gone.
 */
#include "notifier_legacy_loop.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct legacy_watcher {
    uint64_t cookie;
    sg_time_ns buffered_since;
    uint32_t generation;
    bool live;
    uint8_t buffered; /* sg_health_code in the 1-slot buffer, or NONE */
} legacy_watcher;

typedef struct legacy_notifier {
    sim_legacy_options opt;
    legacy_watcher *w;
    uint32_t *free_stack;
    sg_watch_handle *snapshot;
    uint32_t capacity, free_len, snapshot_len, watchers;
    uint8_t queue[SIM_LEGACY_QUEUE_MAX];
    sg_time_ns queued_at[SIM_LEGACY_QUEUE_MAX];
    uint32_t q_head, q_len;
    bool active, crashed, delivering;
    uint8_t code;          /* code of the broadcast in progress */
    sg_time_ns since;      /* when it was published */
    uint32_t cursor;
    sim_notifier_stats stats;
} legacy_notifier;

sg_status sim_legacy_create(const sim_legacy_options *opt, const sg_notifier_config *config, void **out,
                            sg_error *err)
{
    *out = NULL;
    sg_status st = sg_notifier_config_check(config, err);
    if (st != SG_OK) {
        return st;
    }
    legacy_notifier *l = calloc(1, sizeof *l);
    if (l == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "legacy notifier: out of memory");
    }
    l->opt = *opt;
    l->capacity = config->watchers_max;
    l->w = calloc(l->capacity, sizeof *l->w);
    l->free_stack = calloc(l->capacity, sizeof *l->free_stack);
    l->snapshot = calloc(l->capacity, sizeof *l->snapshot);
    if (l->w == NULL || l->free_stack == NULL || l->snapshot == NULL) {
        sim_legacy_destroy(l);
        return sg_error_set(err, SG_E_NOMEM, "legacy notifier: out of memory");
    }
    for (uint32_t i = 0; i < l->capacity; i++) {
        l->w[i].generation = 1;
        l->free_stack[i] = l->capacity - 1 - i; /* pop order 0, 1, 2, ... */
    }
    l->free_len = l->capacity;
    l->stats.base.current = config->initial;
    *out = l;
    return SG_OK;
}

void sim_legacy_destroy(void *m)
{
    legacy_notifier *l = m;
    if (l == NULL) {
        return;
    }
    free(l->w);
    free(l->free_stack);
    free(l->snapshot);
    free(l);
}

static legacy_watcher *lookup(legacy_notifier *l, sg_watch_handle h)
{
    if (h.index >= l->capacity || !l->w[h.index].live || l->w[h.index].generation != h.generation) {
        return NULL;
    }
    return &l->w[h.index];
}

/* The watcher a call from outside names: SG_E_STATE once crashed,
 * SG_E_NOT_FOUND (counted) for a stale handle. */
static sg_status resolve(legacy_notifier *l, sg_watch_handle h, legacy_watcher **out)
{
    if (l->crashed) {
        return SG_E_STATE;
    }
    *out = lookup(l, h);
    if (*out == NULL) {
        l->stats.base.counters.stale_handles++;
        return SG_E_NOT_FOUND;
    }
    return SG_OK;
}

sg_status sim_legacy_watch(void *m, sg_time_ns now, uint64_t cookie, sg_watch_handle *out)
{
    (void)now;
    legacy_notifier *l = m;
    if (l->crashed) {
        return SG_E_STATE;
    }
    if (l->free_len == 0) {
        l->stats.base.counters.watch_full++;
        return SG_E_FULL;
    }
    uint32_t index = l->free_stack[--l->free_len];
    legacy_watcher *w = &l->w[index];
    w->live = true;
    w->cookie = cookie;
    w->buffered = SG_HEALTH_CODE_NONE;
    l->watchers++;
    l->stats.base.counters.watches++;
    out->index = index;
    out->generation = w->generation;
    return SG_OK;
}

sg_status sim_legacy_unwatch(void *m, sg_time_ns now, sg_watch_handle h)
{
    (void)now;
    legacy_notifier *l = m;
    legacy_watcher *w = NULL;
    sg_status st = resolve(l, h, &w);
    if (st != SG_OK) {
        return st;
    }
    w->live = false; /* the mailbox is closed */
    w->generation++;
    w->buffered = SG_HEALTH_CODE_NONE;
    l->free_stack[l->free_len++] = h.index;
    l->watchers--;
    l->stats.base.counters.unwatches++;
    return SG_OK;
}

sg_status sim_legacy_publish(void *m, sg_time_ns now, sg_health_code code)
{
    legacy_notifier *l = m;
    if (code == SG_HEALTH_CODE_NONE || code > SG_HEALTH_CODE_LAST) {
        return SG_E_INVALID;
    }
    if (l->crashed) {
        return SG_E_STATE;
    }
    if (l->q_len == SIM_LEGACY_QUEUE_MAX) {
        l->stats.publish_blocked++;
        return SG_E_FULL;
    }
    uint32_t tail = (l->q_head + l->q_len) % SIM_LEGACY_QUEUE_MAX;
    l->queue[tail] = (uint8_t)code;
    l->queued_at[tail] = now;
    l->q_len++;
    l->stats.base.counters.publishes++;
    l->stats.base.current = code;
    return SG_OK;
}

sg_status sim_legacy_take(void *m, sg_time_ns now, sg_watch_handle h, sg_notification *out)
{
    (void)now;
    legacy_notifier *l = m;
    memset(out, 0, sizeof *out);
    legacy_watcher *w = NULL;
    sg_status st = resolve(l, h, &w);
    if (st != SG_OK) {
        return st;
    }
    out->cookie = w->cookie;
    if (w->buffered != SG_HEALTH_CODE_NONE) {
        out->code = (sg_health_code)w->buffered;
        out->pending_since = w->buffered_since;
        w->buffered = SG_HEALTH_CODE_NONE;
        l->stats.base.counters.delivered++;
    }
    return SG_OK;
}

static void start_broadcast(legacy_notifier *l)
{
    assert(l->q_len > 0);
    l->code = l->queue[l->q_head];
    l->since = l->queued_at[l->q_head];
    l->q_head = (l->q_head + 1) % SIM_LEGACY_QUEUE_MAX;
    l->q_len--;
    l->active = true;
    l->cursor = 0;
    if (l->opt.walk_snapshot) {
        l->snapshot_len = 0;
        for (uint32_t i = 0; i < l->capacity; i++) {
            if (l->w[i].live) {
                sg_watch_handle h = {i, l->w[i].generation};
                l->snapshot[l->snapshot_len++] = h;
            }
        }
    }
}

/* The watcher at the cursor; false when the broadcast has reached the end. */
static bool current_target(legacy_notifier *l, sg_watch_handle *out)
{
    if (l->opt.walk_snapshot) {
        if (l->cursor >= l->snapshot_len) {
            return false;
        }
        *out = l->snapshot[l->cursor];
        return true;
    }
    while (l->cursor < l->capacity && !l->w[l->cursor].live) {
        l->cursor++; /* a live walk simply skips whoever left */
    }
    if (l->cursor >= l->capacity) {
        return false;
    }
    out->index = l->cursor;
    out->generation = l->w[l->cursor].generation;
    return true;
}

/* A busy receiver under the non-blocking policy: buffer or drop. */
static void buffer_or_drop(legacy_notifier *l, sg_watch_handle h, sg_time_ns now)
{
    (void)now;
    legacy_watcher *w = lookup(l, h);
    if (w != NULL && w->buffered == SG_HEALTH_CODE_NONE) {
        w->buffered = l->code;
        w->buffered_since = l->since;
        return;
    }
    l->stats.dropped++;
    if (l->code == SG_HEALTH_CODE_GOAWAY) {
        l->stats.dropped_terminal++;
    }
}

/* One send of the broadcast in progress: false when the loop must stop.
 * *calls counts the callbacks made. */
static bool send_one(legacy_notifier *l, sg_time_ns now, sg_watch_handle h, sg_notifier_deliver_fn fn, void *ctx,
                     uint32_t *calls)
{
    legacy_watcher *w = lookup(l, h);
    if (w == NULL) { /* only a snapshot walk can meet a closed mailbox */
        if (l->opt.recover_closed) {
            l->stats.recovered++;
            l->cursor++;
            return true;
        }
        l->crashed = true; /* send on a closed channel: panic */
        l->stats.crashes++;
        return false;
    }
    sg_notification note = {(sg_health_code)l->code, l->since, w->cookie};
    (*calls)++;
    if (fn(ctx, h, &note) == SG_DELIVER_ACCEPTED) {
        l->stats.base.counters.delivered++;
        l->cursor++;
        return true;
    }
    l->stats.base.counters.busy++;
    if (l->opt.on_busy == SIM_LEGACY_BUSY_BLOCKS) {
        l->stats.blocked_steps++; /* head of line: retried at the next step */
        return false;
    }
    buffer_or_drop(l, h, now);
    l->cursor++;
    return true;
}

sg_status sim_legacy_deliver(void *m, sg_time_ns now, uint32_t budget, sg_notifier_deliver_fn fn, void *ctx,
                             uint32_t *visited)
{
    legacy_notifier *l = m;
    uint32_t count = 0;
    if (l->crashed || l->delivering) {
        if (visited != NULL) {
            *visited = 0;
        }
        return SG_E_STATE;
    }
    l->delivering = true;
    while (count < budget) {
        if (!l->active) {
            if (l->q_len == 0) {
                break;
            }
            start_broadcast(l);
        }
        sg_watch_handle h;
        if (!current_target(l, &h)) {
            l->active = false;
            continue;
        }
        if (!send_one(l, now, h, fn, ctx, &count)) {
            break;
        }
    }
    l->delivering = false;
    if (visited != NULL) {
        *visited = count;
    }
    return l->crashed ? SG_E_STATE : SG_OK;
}

void sim_legacy_stats(const void *m, sim_notifier_stats *out)
{
    const legacy_notifier *l = m;
    *out = l->stats;
    out->base.capacity = l->capacity;
    out->base.watchers = l->watchers;
}

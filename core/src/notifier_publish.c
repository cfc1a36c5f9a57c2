/*
 * notifier_publish.c - the two sides of the fan-out: the monitor publishes
 * (and shuts down / resumes), the watchers take.
 *
 * publish walks the dense array of live watchers once, offering the status
 * to each mailbox in O(1): nothing in it can wait.  deliver is the
 * incremental broadcast step: it pops ready watchers one at a time and
 * hands each its oldest pending status through the driver's callback.  It
 * holds no iterator across the callback, and after the callback it checks
 * the handle's generation and the mailbox's change counter before touching
 * the mailbox, so the callback may unwatch anyone (itself included), watch
 * new watchers or take by itself without a delivery ever reaching a
 * departed watcher.  publish/resume/deliver from inside a callback are
 * refused: a broadcast never runs inside another.
 */
#include "notifier_internal.h"

#include <assert.h>

static bool code_valid(sg_health_code code)
{
    return code > SG_HEALTH_CODE_NONE && code <= SG_HEALTH_CODE_LAST;
}

/* Offers `code` to every live watcher, then makes it current. */
static void broadcast(sg_notifier *n, sg_time_ns now, sg_health_code code)
{
    assert(code != (sg_health_code)n->current);
    for (uint32_t i = 0; i < n->watchers; i++) {
        sg_ntf_offer(n, n->live[i], code, now);
    }
    n->current = (uint8_t)code;
    n->counters.publishes++;
}

sg_status sg_notifier_publish(sg_notifier *n, sg_time_ns now, sg_health_code code)
{
    assert(n != NULL);
    if (!code_valid(code)) {
        return SG_E_INVALID;
    }
    if (n->delivering) {
        n->counters.reentrant_refused++;
        return SG_E_STATE;
    }
    if (n->terminal) {
        n->counters.ignored_after_terminal++;
        return SG_E_STATE;
    }
    if (code == (sg_health_code)n->current) {
        /* every watcher's view already equals current: suppressed for all */
        n->counters.repeats++;
        n->counters.suppressed += n->watchers;
        return SG_OK;
    }
    broadcast(n, now, code);
    n->terminal = (code == SG_HEALTH_CODE_GOAWAY);
    return SG_OK;
}

sg_status sg_notifier_resume(sg_notifier *n, sg_time_ns now, sg_health_code code)
{
    assert(n != NULL);
    if (!code_valid(code) || code == SG_HEALTH_CODE_GOAWAY) {
        return SG_E_INVALID;
    }
    if (n->delivering) {
        n->counters.reentrant_refused++;
        return SG_E_STATE;
    }
    if (!n->terminal) {
        return SG_E_STATE;
    }
    assert(n->current == SG_HEALTH_CODE_GOAWAY);
    n->terminal = false;
    broadcast(n, now, code);
    n->counters.resumes++;
    return SG_OK;
}

sg_status sg_notifier_take(sg_notifier *n, sg_time_ns now, sg_watch_handle h, sg_notification *out)
{
    assert(n != NULL && out != NULL);
    out->code = SG_HEALTH_CODE_NONE;
    out->pending_since = 0;
    out->cookie = 0;
    if (sg_ntf_lookup(n, h) == NULL) {
        n->counters.stale_handles++;
        return SG_E_NOT_FOUND;
    }
    sg_ntf_take_slot(n, h.index, now, out);
    return SG_OK;
}

bool sg_notifier_next_ready(sg_notifier *n, sg_watch_handle *out)
{
    assert(n != NULL && out != NULL);
    uint32_t index = sg_ntf_ready_pop(n);
    if (index == SG_NTF_NIL) {
        return false;
    }
    out->index = index;
    out->generation = n->slots[index].generation;
    return true;
}

/* One watcher of a deliver step: callback, then commit if still valid. */
static void deliver_one(sg_notifier *n, sg_time_ns now, sg_watch_handle h, sg_notifier_deliver_fn fn, void *ctx)
{
    sg_notification note;
    sg_ntf_peek(&n->slots[h.index], &note);
    assert(note.code != SG_HEALTH_CODE_NONE);
    uint32_t seq = n->slots[h.index].mail_seq;
    sg_deliver_verdict verdict = fn(ctx, h, &note);
    sg_ntf_slot *s = sg_ntf_lookup(n, h);
    if (s == NULL) {
        n->counters.left_during_delivery++;
        return; /* the watcher left inside the callback: its mailbox is gone */
    }
    if (s->mail_seq != seq) {
        return; /* the callback took by itself: nothing left to commit */
    }
    if (verdict == SG_DELIVER_ACCEPTED) {
        sg_notification taken;
        sg_ntf_take_slot(n, h.index, now, &taken);
        assert(taken.code == note.code);
    } else {
        n->counters.busy++; /* stays pending and announced: the driver takes later */
    }
}

sg_status sg_notifier_deliver(sg_notifier *n, sg_time_ns now, uint32_t budget, sg_notifier_deliver_fn fn,
                              void *ctx, uint32_t *visited)
{
    assert(n != NULL && fn != NULL);
    if (visited != NULL) {
        *visited = 0;
    }
    if (n->delivering) {
        n->counters.reentrant_refused++;
        return SG_E_STATE;
    }
    n->delivering = true;
    uint32_t count = 0;
    sg_watch_handle h;
    while (count < budget && sg_notifier_next_ready(n, &h)) {
        deliver_one(n, now, h, fn, ctx);
        count++;
    }
    n->delivering = false;
    if (visited != NULL) {
        *visited = count;
    }
    return SG_OK;
}

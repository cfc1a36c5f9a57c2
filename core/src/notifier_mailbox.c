/*
 * notifier_mailbox.c - one watcher's mailbox and the ready list.
 *
 * A mailbox is two fields: a pending non-terminal status (`normal`) and a
 * sticky GOAWAY flag (`terminal`).  When both are set the GOAWAY is the
 * older one (a GOAWAY replaces an older pending status; a status can only
 * be offered after it once the service resumed), so a take returns the
 * GOAWAY first.  Every operation here is O(1) and never waits.
 *
 * The ready list is an index list over the table (ilist.h), so it is
 * bounded by the table and unlinking a departing watcher is O(1).  A
 * watcher is linked when its mailbox goes from empty to non-empty, popped
 * (ANNOUNCED) by the driver, and linked again only if a take leaves
 * something behind: edge-triggered, so a busy watcher that keeps getting
 * newer statuses is announced once and costs nothing more until it takes.
 */
#include "notifier_internal.h"

#include <assert.h>

bool sg_ntf_mailbox_empty(const sg_ntf_slot *s)
{
    return s->normal == SG_HEALTH_CODE_NONE && !s->terminal;
}

sg_health_code sg_ntf_view(const sg_ntf_slot *s)
{
    if (s->normal != SG_HEALTH_CODE_NONE) {
        return (sg_health_code)s->normal;
    }
    if (s->terminal) {
        return SG_HEALTH_CODE_GOAWAY;
    }
    return (sg_health_code)s->last_taken;
}

static void ready_link(sg_notifier *n, uint32_t index)
{
    assert(n->slots[index].ready_state != SG_NTF_LINKED);
    sg_ilist_push_tail(&n->ready, n->ready_links, index);
    n->slots[index].ready_state = SG_NTF_LINKED;
}

static void ready_unlink(sg_notifier *n, uint32_t index)
{
    assert(n->slots[index].ready_state == SG_NTF_LINKED);
    sg_ilist_unlink(&n->ready, n->ready_links, index);
    n->slots[index].ready_state = SG_NTF_IDLE;
}

uint32_t sg_ntf_ready_pop(sg_notifier *n)
{
    uint32_t index = sg_ilist_pop_head(&n->ready, n->ready_links);
    if (index == SG_NTF_NIL) {
        return SG_NTF_NIL;
    }
    assert(n->slots[index].ready_state == SG_NTF_LINKED);
    n->slots[index].ready_state = SG_NTF_ANNOUNCED;
    assert(!sg_ntf_mailbox_empty(&n->slots[index]));
    return index;
}

/* Brings `pending` and the ready list in line after a mailbox change.
 * reannounce: a take just happened, so a non-empty mailbox is announced
 * again even if the driver already popped this watcher. */
static void settle(sg_notifier *n, uint32_t index, bool was_empty, bool reannounce)
{
    sg_ntf_slot *s = &n->slots[index];
    if (sg_ntf_mailbox_empty(s)) {
        if (!was_empty) {
            assert(n->pending > 0);
            n->pending--;
        }
        if (s->ready_state == SG_NTF_LINKED) {
            ready_unlink(n, index);
        }
        s->ready_state = SG_NTF_IDLE;
        return;
    }
    if (was_empty) {
        n->pending++;
    }
    if (s->ready_state == SG_NTF_IDLE || (reannounce && s->ready_state == SG_NTF_ANNOUNCED)) {
        ready_link(n, index);
    }
}

void sg_ntf_mailbox_init(sg_notifier *n, uint32_t index, sg_time_ns now)
{
    sg_ntf_slot *s = &n->slots[index];
    assert(s->live);
    s->last_taken = SG_HEALTH_CODE_NONE;
    s->ready_state = SG_NTF_IDLE;
    s->normal = SG_HEALTH_CODE_NONE;
    s->terminal = 0;
    if (n->terminal) {
        s->terminal = 1;
        s->terminal_since = now;
    } else {
        s->normal = n->current;
        s->normal_since = now;
    }
    s->mail_seq++;
    settle(n, index, true, false);
    assert(sg_ntf_view(s) == (sg_health_code)n->current);
}

static void offer_normal(sg_notifier *n, sg_ntf_slot *s, sg_health_code code, sg_time_ns now)
{
    uint8_t base = s->terminal ? (uint8_t)SG_HEALTH_CODE_GOAWAY : s->last_taken;
    if (s->normal != SG_HEALTH_CODE_NONE) {
        n->counters.coalesced++; /* the pending status is replaced before it was taken */
        if (code == base) {
            s->normal = SG_HEALTH_CODE_NONE; /* back to what the watcher already holds */
            n->counters.suppressed++;
        } else {
            s->normal = (uint8_t)code;       /* pending_since keeps the oldest divergence */
        }
        return;
    }
    assert(code != base); /* view == current and publish filtered repeats */
    s->normal = (uint8_t)code;
    s->normal_since = now;
}

static void offer_terminal(sg_notifier *n, sg_ntf_slot *s, sg_time_ns now)
{
    sg_time_ns since = now;
    if (s->normal != SG_HEALTH_CODE_NONE) {
        n->counters.coalesced++; /* GOAWAY replaces an older pending status */
        since = s->normal_since;
        s->normal = SG_HEALTH_CODE_NONE;
    }
    if (s->terminal) {
        n->counters.coalesced++; /* two GOAWAYs the watcher has not taken are one */
        since = sg_time_min(since, s->terminal_since);
    }
    s->terminal = 1;
    s->terminal_since = since;
}

void sg_ntf_offer(sg_notifier *n, uint32_t index, sg_health_code code, sg_time_ns now)
{
    sg_ntf_slot *s = &n->slots[index];
    assert(s->live);
    assert(sg_ntf_view(s) == (sg_health_code)n->current);
    bool was_empty = sg_ntf_mailbox_empty(s);
    if (code == SG_HEALTH_CODE_GOAWAY) {
        offer_terminal(n, s, now);
    } else {
        offer_normal(n, s, code, now);
    }
    s->mail_seq++;
    n->counters.offers++;
    settle(n, index, was_empty, false);
}

void sg_ntf_peek(const sg_ntf_slot *s, sg_notification *out)
{
    out->cookie = s->cookie;
    if (s->terminal) {
        out->code = SG_HEALTH_CODE_GOAWAY;
        out->pending_since = s->terminal_since;
    } else if (s->normal != SG_HEALTH_CODE_NONE) {
        out->code = (sg_health_code)s->normal;
        out->pending_since = s->normal_since;
    } else {
        out->code = SG_HEALTH_CODE_NONE;
        out->pending_since = 0;
    }
}

void sg_ntf_take_slot(sg_notifier *n, uint32_t index, sg_time_ns now, sg_notification *out)
{
    sg_ntf_slot *s = &n->slots[index];
    assert(s->live);
    sg_ntf_peek(s, out);
    if (out->code == SG_HEALTH_CODE_NONE) {
        return;
    }
    if (s->terminal) {
        s->terminal = 0;
        n->counters.delivered_terminal++;
    } else {
        s->normal = SG_HEALTH_CODE_NONE;
    }
    s->last_taken = (uint8_t)out->code;
    s->mail_seq++;
    n->counters.delivered++;
    sg_duration_ns latency = now - out->pending_since;
    if (latency > n->counters.latency_max_ns) {
        n->counters.latency_max_ns = latency;
    }
    settle(n, index, false, true);
}

void sg_ntf_mailbox_retire(sg_notifier *n, uint32_t index)
{
    sg_ntf_slot *s = &n->slots[index];
    assert(s->live);
    bool was_empty = sg_ntf_mailbox_empty(s);
    s->normal = SG_HEALTH_CODE_NONE;
    s->terminal = 0;
    s->mail_seq++;
    settle(n, index, was_empty, false);
    assert(s->ready_state == SG_NTF_IDLE);
}

/*
 * test_notifier.c - the health fan-out notifier: latest wins, suppression,
 * sticky GOAWAY and resume, the current status on watch, stale handles,
 * capacity, allocation failures, the ready list, and watchers leaving in
 * the middle of a broadcast (run under ASan by `make test`: each watcher
 * here owns a heap object that is freed when it leaves, and the delivery
 * callback touches it, so a delivery to a departed watcher is a
 * use-after-free report, not a silent pass).
 */
#include "test_util.h"

#include "test_fiu.h"

#include <stdlib.h>


#include "stormglass/notifier.h"

#define SERVING SG_HEALTH_CODE_SERVING
#define NOT_SERVING SG_HEALTH_CODE_NOT_SERVING
#define UNKNOWN SG_HEALTH_CODE_SERVICE_UNKNOWN
#define GOAWAY SG_HEALTH_CODE_GOAWAY
#define NONE SG_HEALTH_CODE_NONE

static sg_notifier *make(uint32_t cap)
{
    sg_notifier_config c = sg_notifier_config_default();
    c.watchers_max = cap;
    sg_notifier *n = NULL;
    assert_int_equal(sg_notifier_create(&c, &n, NULL), SG_OK);
    assert_non_null(n);
    return n;
}

static sg_watch_handle watch(sg_notifier *n, sg_time_ns now, uint64_t cookie)
{
    sg_watch_handle h;
    assert_int_equal(sg_notifier_watch(n, now, cookie, &h), SG_OK);
    return h;
}

static sg_health_code take(sg_notifier *n, sg_time_ns now, sg_watch_handle h)
{
    sg_notification note;
    assert_int_equal(sg_notifier_take(n, now, h, &note), SG_OK);
    return note.code;
}

static sg_notifier_counters counters(const sg_notifier *n)
{
    sg_notifier_stats st;
    sg_notifier_stats_get(n, &st);
    return st.counters;
}

static sg_notifier_stats stats(const sg_notifier *n)
{
    sg_notifier_stats st;
    sg_notifier_stats_get(n, &st);
    return st;
}

/* ---- configuration and creation ---- */

static void config_rejects_bad_fields_by_name(void **state)
{
    (void)state;
    sg_error err;
    sg_notifier_config c = sg_notifier_config_default();
    assert_int_equal(sg_notifier_config_check(&c, &err), SG_OK);
    c.watchers_max = 0;
    assert_int_equal(sg_notifier_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "notifier.watchers_max"));
    c.watchers_max = SG_NOTIFIER_WATCHERS_MAX + 1;
    assert_int_equal(sg_notifier_config_check(&c, &err), SG_E_INVALID);
    c = sg_notifier_config_default();
    c.initial = GOAWAY;
    assert_int_equal(sg_notifier_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "notifier.initial"));
    c.initial = NONE;
    sg_notifier *n = (sg_notifier *)&c; /* must be reset to NULL on failure */
    assert_int_equal(sg_notifier_create(&c, &n, &err), SG_E_INVALID);
    assert_null(n);
}

static void alloc_failure_every_allocation_is_clean(void **state)
{
    (void)state;
    fiu_init(0);
    sg_notifier_config c = sg_notifier_config_default();
    c.watchers_max = 16;
    sg_error err;
    sg_notifier *n = NULL;
    assert_int_equal(fiu_enable("stormglass/notifier/alloc", 1, NULL, 0), 0);
    assert_int_equal(sg_notifier_create(&c, &n, &err), SG_E_NOMEM);
    assert_null(n);
    assert_non_null(strstr(err.msg, "notifier"));
    fiu_disable("stormglass/notifier/alloc");
    /* anomaly test: fail the 1st, 2nd, 3rd allocation; no leak (ASan) */
    int failures = 0;
    for (int nth = 1; nth < 10; nth++) {
        test_fiu_fail_nth("stormglass/notifier/alloc", nth);
        sg_status st = sg_notifier_create(&c, &n, &err);
        fiu_disable("stormglass/notifier/alloc");
        if (st == SG_OK) {
            break;
        }
        assert_int_equal(st, SG_E_NOMEM);
        assert_null(n);
        failures++;
    }
    assert_int_equal(failures, 4); /* the notifier, its slots, live array, ready links */
    assert_non_null(n);
    sg_watch_handle h = watch(n, 0, 1);
    assert_int_equal(take(n, 0, h), UNKNOWN);
    sg_notifier_destroy(n);
}

/* ---- watch semantics ---- */

static void new_watcher_gets_current_status_at_once(void **state)
{
    (void)state;
    sg_notifier *n = make(8);
    sg_watch_handle a = watch(n, S(1), 1);
    assert_int_equal(stats(n).pending, 1);
    sg_notification note;
    assert_int_equal(sg_notifier_take(n, S(2), a, &note), SG_OK);
    assert_int_equal(note.code, UNKNOWN);
    assert_int_equal(note.pending_since, S(1));
    assert_int_equal(note.cookie, 1);
    assert_int_equal(sg_notifier_publish(n, S(3), SERVING), SG_OK);
    sg_watch_handle b = watch(n, S(4), 2);
    assert_int_equal(take(n, S(4), b), SERVING);
    assert_int_equal(take(n, S(4), b), NONE);
    /* during shutdown a newcomer gets GOAWAY at once */
    assert_int_equal(sg_notifier_publish(n, S(5), GOAWAY), SG_OK);
    sg_watch_handle c = watch(n, S(6), 3);
    assert_int_equal(take(n, S(6), c), GOAWAY);
    assert_int_equal(counters(n).watches, 3);
    sg_notifier_destroy(n);
}

static void latest_wins_for_a_busy_watcher(void **state)
{
    (void)state;
    sg_notifier *n = make(8);
    sg_watch_handle h = watch(n, 0, 1);
    assert_int_equal(take(n, 0, h), UNKNOWN);
    assert_int_equal(sg_notifier_publish(n, S(1), SERVING), SG_OK);
    assert_int_equal(sg_notifier_publish(n, S(2), NOT_SERVING), SG_OK);
    assert_int_equal(sg_notifier_publish(n, S(3), SERVING), SG_OK);
    assert_int_equal(sg_notifier_publish(n, S(4), NOT_SERVING), SG_OK);
    sg_notification note;
    assert_int_equal(sg_notifier_take(n, S(10), h, &note), SG_OK);
    assert_int_equal(note.code, NOT_SERVING);
    assert_int_equal(note.pending_since, S(1)); /* stale since the first change */
    assert_int_equal(take(n, S(10), h), NONE);
    sg_notifier_counters c = counters(n);
    assert_int_equal(c.coalesced, 3);
    assert_int_equal(c.delivered, 2);
    assert_int_equal(c.latency_max_ns, S(9));
    assert_int_equal(c.offers, 4);
    sg_notifier_destroy(n);
}

static void repeats_of_what_the_watcher_holds_are_suppressed(void **state)
{
    (void)state;
    sg_notifier *n = make(8);
    sg_watch_handle a = watch(n, 0, 1);
    sg_watch_handle b = watch(n, 0, 2);
    assert_int_equal(take(n, 0, a), UNKNOWN);
    assert_int_equal(take(n, 0, b), UNKNOWN);
    assert_int_equal(sg_notifier_publish(n, S(1), SERVING), SG_OK);
    assert_int_equal(take(n, S(1), a), SERVING);
    /* a flips away and back before taking: nothing new to tell it */
    assert_int_equal(sg_notifier_publish(n, S(2), NOT_SERVING), SG_OK);
    assert_int_equal(sg_notifier_publish(n, S(3), SERVING), SG_OK);
    assert_int_equal(take(n, S(4), a), NONE);
    assert_int_equal(stats(n).pending, 1); /* b still has SERVING pending */
    sg_notifier_counters c = counters(n);
    assert_int_equal(c.suppressed, 1);
    assert_int_equal(c.coalesced, 3); /* a: NOT_SERVING withdrawn; b: twice replaced */
    /* publishing the current status again: O(1), suppressed for everyone */
    uint64_t offers = c.offers;
    assert_int_equal(sg_notifier_publish(n, S(5), SERVING), SG_OK);
    c = counters(n);
    assert_int_equal(c.repeats, 1);
    assert_int_equal(c.suppressed, 3);
    assert_int_equal(c.offers, offers);
    assert_int_equal(take(n, S(6), b), SERVING);
    sg_notifier_destroy(n);
}

static void publish_rejects_non_codes(void **state)
{
    (void)state;
    sg_notifier *n = make(2);
    assert_int_equal(sg_notifier_publish(n, 0, NONE), SG_E_INVALID);
    assert_int_equal(sg_notifier_publish(n, 0, (sg_health_code)99), SG_E_INVALID);
    assert_int_equal(sg_notifier_current(n), UNKNOWN);
    assert_string_equal(sg_health_code_name(GOAWAY), "GOAWAY");
    assert_string_equal(sg_health_code_name((sg_health_code)99), "?");
    sg_notifier_destroy(n);
}

/* ---- terminal status ---- */

static void goaway_replaces_pending_and_is_sticky(void **state)
{
    (void)state;
    sg_notifier *n = make(8);
    sg_watch_handle h = watch(n, 0, 1);
    assert_int_equal(take(n, 0, h), UNKNOWN);
    assert_int_equal(sg_notifier_publish(n, S(1), NOT_SERVING), SG_OK);
    assert_int_equal(sg_notifier_publish(n, S(2), GOAWAY), SG_OK);
    /* later updates are ignored: GOAWAY can never be overwritten */
    assert_int_equal(sg_notifier_publish(n, S(3), SERVING), SG_E_STATE);
    assert_int_equal(sg_notifier_publish(n, S(4), GOAWAY), SG_E_STATE);
    assert_true(stats(n).terminal);
    sg_notification note;
    assert_int_equal(sg_notifier_take(n, S(9), h, &note), SG_OK);
    assert_int_equal(note.code, GOAWAY);
    assert_int_equal(note.pending_since, S(1));
    assert_int_equal(take(n, S(9), h), NONE);
    sg_notifier_counters c = counters(n);
    assert_int_equal(c.ignored_after_terminal, 2);
    assert_int_equal(c.delivered_terminal, 1);
    assert_int_equal(c.coalesced, 1);
    sg_notifier_destroy(n);
}

static void resume_delivers_goaway_first_to_who_missed_it(void **state)
{
    (void)state;
    sg_notifier *n = make(8);
    sg_watch_handle quick = watch(n, 0, 1);
    sg_watch_handle busy = watch(n, 0, 2);
    assert_int_equal(sg_notifier_resume(n, 0, SERVING), SG_E_STATE); /* not terminal */
    assert_int_equal(take(n, 0, quick), UNKNOWN);
    assert_int_equal(sg_notifier_publish(n, S(1), GOAWAY), SG_OK);
    assert_int_equal(take(n, S(1), quick), GOAWAY);
    assert_int_equal(sg_notifier_resume(n, S(2), GOAWAY), SG_E_INVALID);
    assert_int_equal(sg_notifier_resume(n, S(2), SERVING), SG_OK);
    assert_false(stats(n).terminal);
    assert_int_equal(take(n, S(3), quick), SERVING);
    /* busy never took its UNKNOWN: GOAWAY replaced it, SERVING comes after */
    assert_int_equal(take(n, S(3), busy), GOAWAY);
    assert_int_equal(take(n, S(3), busy), SERVING);
    assert_int_equal(take(n, S(3), busy), NONE);
    /* two shutdowns while a watcher sleeps: one GOAWAY, then the latest */
    assert_int_equal(sg_notifier_publish(n, S(4), GOAWAY), SG_OK);
    assert_int_equal(sg_notifier_resume(n, S(5), NOT_SERVING), SG_OK);
    assert_int_equal(sg_notifier_publish(n, S(6), GOAWAY), SG_OK);
    assert_int_equal(sg_notifier_resume(n, S(7), SERVING), SG_OK);
    sg_notification note;
    assert_int_equal(sg_notifier_take(n, S(8), busy, &note), SG_OK);
    assert_int_equal(note.code, GOAWAY);
    assert_int_equal(note.pending_since, S(4));
    assert_int_equal(take(n, S(8), busy), SERVING);
    assert_int_equal(take(n, S(8), busy), NONE);
    assert_int_equal(counters(n).resumes, 3);
    sg_notifier_destroy(n);
}

/* ---- handles and capacity ---- */

static void stale_handles_are_counted_no_ops(void **state)
{
    (void)state;
    sg_notifier *n = make(4);
    sg_watch_handle zero = {0, 0};
    assert_false(sg_notifier_handle_valid(n, zero));
    sg_watch_handle a = watch(n, 0, 1);
    assert_true(sg_notifier_handle_valid(n, a));
    assert_int_equal(sg_notifier_unwatch(n, S(1), a), SG_OK);
    assert_int_equal(sg_notifier_unwatch(n, S(1), a), SG_E_NOT_FOUND);
    sg_notification note;
    assert_int_equal(sg_notifier_take(n, S(1), a, &note), SG_E_NOT_FOUND);
    assert_int_equal(note.code, NONE);
    /* the slot is reused at once (LIFO): same index, new generation */
    sg_watch_handle b = watch(n, S(2), 2);
    assert_int_equal(b.index, a.index);
    assert_int_not_equal(b.generation, a.generation);
    assert_int_equal(sg_notifier_unwatch(n, S(3), a), SG_E_NOT_FOUND);
    assert_true(sg_notifier_handle_valid(n, b));
    assert_int_equal(take(n, S(3), b), UNKNOWN);
    sg_watch_handle wild = {1000, 1};
    assert_int_equal(sg_notifier_unwatch(n, S(3), wild), SG_E_NOT_FOUND);
    sg_notifier_counters c = counters(n);
    assert_int_equal(c.stale_handles, 4);
    assert_int_equal(c.unwatches, 1);
    assert_int_equal(stats(n).watchers, 1);
    sg_notifier_destroy(n);
}

static void full_table_refuses_then_recovers(void **state)
{
    (void)state;
    sg_notifier *n = make(3);
    sg_watch_handle h[3];
    for (int i = 0; i < 3; i++) {
        h[i] = watch(n, 0, (uint64_t)i);
    }
    sg_watch_handle extra = {77, 77};
    assert_int_equal(sg_notifier_watch(n, 0, 9, &extra), SG_E_FULL);
    assert_int_equal(extra.index, 77); /* untouched */
    assert_int_equal(counters(n).watch_full, 1);
    /* a full table still publishes to everyone */
    assert_int_equal(sg_notifier_publish(n, S(1), SERVING), SG_OK);
    assert_int_equal(take(n, S(1), h[2]), SERVING);
    assert_int_equal(sg_notifier_unwatch(n, S(2), h[1]), SG_OK);
    sg_watch_handle again = watch(n, S(3), 10);
    assert_int_equal(take(n, S(3), again), SERVING);
    assert_int_equal(stats(n).watchers, 3);
    sg_notifier_destroy(n);
}

/* ---- ready list ---- */

static void ready_list_is_fifo_and_edge_triggered(void **state)
{
    (void)state;
    sg_notifier *n = make(8);
    sg_watch_handle h[3];
    for (int i = 0; i < 3; i++) {
        h[i] = watch(n, 0, (uint64_t)i);
    }
    assert_int_equal(stats(n).ready, 3);
    sg_watch_handle got;
    for (int i = 0; i < 3; i++) {
        assert_true(sg_notifier_next_ready(n, &got));
        assert_int_equal(got.index, h[i].index);
    }
    assert_false(sg_notifier_next_ready(n, &got));
    /* announced but not taken: a newer status coalesces, no re-announce */
    assert_int_equal(sg_notifier_publish(n, S(1), SERVING), SG_OK);
    assert_false(sg_notifier_next_ready(n, &got));
    assert_int_equal(stats(n).pending, 3);
    assert_int_equal(take(n, S(2), h[1]), SERVING);
    /* h[1] emptied; the next change announces it (and only it) again */
    assert_int_equal(sg_notifier_publish(n, S(3), NOT_SERVING), SG_OK);
    assert_true(sg_notifier_next_ready(n, &got));
    assert_int_equal(got.index, h[1].index);
    assert_false(sg_notifier_next_ready(n, &got));
    /* a take that leaves something (GOAWAY before SERVING) re-announces */
    assert_int_equal(sg_notifier_publish(n, S(4), GOAWAY), SG_OK);
    assert_int_equal(sg_notifier_resume(n, S(5), SERVING), SG_OK);
    assert_int_equal(take(n, S(6), h[0]), GOAWAY);
    assert_true(sg_notifier_next_ready(n, &got));
    assert_int_equal(got.index, h[0].index);
    sg_notifier_destroy(n);
}

static void unwatch_unlinks_from_ready_list(void **state)
{
    (void)state;
    sg_notifier *n = make(8);
    sg_watch_handle a = watch(n, 0, 1);
    sg_watch_handle b = watch(n, 0, 2);
    sg_watch_handle c = watch(n, 0, 3);
    assert_int_equal(sg_notifier_unwatch(n, 0, b), SG_OK);
    assert_int_equal(sg_notifier_unwatch(n, 0, a), SG_OK);
    sg_notifier_stats st = stats(n);
    assert_int_equal(st.ready, 1);
    assert_int_equal(st.pending, 1);
    sg_watch_handle got;
    assert_true(sg_notifier_next_ready(n, &got));
    assert_int_equal(got.index, c.index);
    assert_false(sg_notifier_next_ready(n, &got));
    assert_int_equal(sg_notifier_unwatch(n, 0, c), SG_OK);
    st = stats(n);
    assert_int_equal(st.pending, 0);
    assert_int_equal(st.watchers, 0);
    sg_notifier_destroy(n);
}

/* ---- deliver: incremental broadcast through a callback ---- */

typedef struct test_watcher {
    sg_watch_handle handle;
    int received[8];
    int count;
    bool busy;
} test_watcher;

typedef struct deliver_ctx {
    sg_notifier *n;
    test_watcher *w[16];
    int calls;
    int leave_self_at;        /* on this call, the watcher unwatches itself */
    int leave_other_at;       /* on this call, watcher `victim` leaves */
    int victim;
    int join_at;              /* on this call, a newcomer joins */
    int take_self_at;         /* on this call, the watcher takes by itself */
    sg_status reentry[2];     /* publish and deliver from inside the callback */
} deliver_ctx;

static void leave(deliver_ctx *d, int i)
{
    assert_int_equal(sg_notifier_unwatch(d->n, 0, d->w[i]->handle), SG_OK);
    free(d->w[i]); /* the driver frees its per-watcher state when it leaves */
    d->w[i] = NULL;
}

static int find(const deliver_ctx *d, const test_watcher *w)
{
    for (int i = 0; i < 16; i++) {
        if (d->w[i] == w) {
            return i;
        }
    }
    fail_msg("delivery to a watcher that is not registered");
    return -1;
}

static sg_deliver_verdict on_deliver(void *ctx, sg_watch_handle h, const sg_notification *note)
{
    deliver_ctx *d = ctx;
    test_watcher *w = (test_watcher *)(uintptr_t)note->cookie; /* ASan: must be alive */
    assert_int_equal(w->handle.index, h.index);
    assert_int_equal(w->handle.generation, h.generation);
    int me = find(d, w);
    d->calls++;
    if (w->busy) {
        return SG_DELIVER_BUSY;
    }
    w->received[w->count++] = (int)note->code;
    if (d->calls == d->leave_other_at) {
        leave(d, d->victim);
    }
    if (d->calls == d->take_self_at) {
        sg_notification own;
        assert_int_equal(sg_notifier_take(d->n, 0, h, &own), SG_OK);
        assert_int_equal(own.code, note->code);
    }
    if (d->calls == d->join_at) {
        test_watcher *nw = calloc(1, sizeof *nw);
        assert_non_null(nw);
        assert_int_equal(sg_notifier_watch(d->n, 0, (uint64_t)(uintptr_t)nw, &nw->handle), SG_OK);
        d->w[15] = nw;
    }
    if (d->calls == 1) {
        d->reentry[0] = sg_notifier_publish(d->n, 0, NOT_SERVING);
        d->reentry[1] = sg_notifier_deliver(d->n, 0, 10, on_deliver, d, NULL);
    }
    if (d->calls == d->leave_self_at) {
        leave(d, me);
    }
    return SG_DELIVER_ACCEPTED;
}

static void setup_watchers(deliver_ctx *d, sg_notifier *n, int count)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    d->victim = -1;
    for (int i = 0; i < count; i++) {
        d->w[i] = calloc(1, sizeof *d->w[i]);
        assert_non_null(d->w[i]);
        d->w[i]->handle = watch(n, 0, (uint64_t)(uintptr_t)d->w[i]);
    }
}

static void free_watchers(deliver_ctx *d)
{
    for (int i = 0; i < 16; i++) {
        free(d->w[i]);
    }
}

static void leave_during_broadcast_never_reaches_departed(void **state)
{
    (void)state;
    sg_notifier *n = make(16);
    deliver_ctx d;
    setup_watchers(&d, n, 6);
    d.leave_self_at = 2;   /* watcher 1 leaves inside its own callback */
    d.leave_other_at = 3;  /* watcher 2's callback makes watcher 4 leave */
    d.victim = 4;
    d.join_at = 4;         /* watcher 3's callback lets a newcomer join (reuses slot 4) */
    uint32_t visited = 0;
    assert_int_equal(sg_notifier_deliver(n, 0, 100, on_deliver, &d, &visited), SG_OK);
    /* 0,1,2,3,5 and the newcomer; never 4 */
    assert_int_equal(visited, 6);
    assert_null(d.w[1]);
    assert_null(d.w[4]);
    assert_int_equal(d.w[15]->count, 1);
    assert_int_equal(d.w[15]->received[0], UNKNOWN);
    assert_int_equal(d.w[5]->count, 1);
    assert_int_equal(d.reentry[0], SG_E_STATE);
    assert_int_equal(d.reentry[1], SG_E_STATE);
    sg_notifier_counters c = counters(n);
    assert_int_equal(c.left_during_delivery, 1);
    assert_int_equal(c.reentrant_refused, 2);
    assert_int_equal(c.delivered, 5); /* watcher 1 left before its commit */
    sg_notifier_stats st = stats(n);
    assert_int_equal(st.watchers, 5);
    assert_int_equal(st.pending, 0);
    free_watchers(&d);
    sg_notifier_destroy(n);
}

static void leave_between_two_steps_of_a_broadcast(void **state)
{
    (void)state;
    sg_notifier *n = make(16);
    deliver_ctx d;
    setup_watchers(&d, n, 8);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(take(n, 0, d.w[i]->handle), UNKNOWN);
    }
    assert_int_equal(sg_notifier_publish(n, S(1), SERVING), SG_OK);
    d.leave_self_at = d.leave_other_at = d.join_at = d.take_self_at = -1;
    uint32_t visited = 0;
    assert_int_equal(sg_notifier_deliver(n, S(1), 3, on_deliver, &d, &visited), SG_OK);
    assert_int_equal(visited, 3);
    leave(&d, 3);
    leave(&d, 6);
    assert_int_equal(sg_notifier_deliver(n, S(2), 100, on_deliver, &d, &visited), SG_OK);
    assert_int_equal(visited, 3); /* 4, 5, 7 */
    for (int i = 0; i < 8; i++) {
        if (d.w[i] != NULL) {
            assert_int_equal(d.w[i]->count, 1);
            assert_int_equal(d.w[i]->received[0], SERVING);
        }
    }
    assert_int_equal(counters(n).delivered, 8 + 6);
    free_watchers(&d);
    sg_notifier_destroy(n);
}

static void busy_watcher_keeps_latest_and_takes_later(void **state)
{
    (void)state;
    sg_notifier *n = make(16);
    deliver_ctx d;
    setup_watchers(&d, n, 4);
    d.leave_self_at = d.leave_other_at = d.join_at = d.take_self_at = -1;
    d.calls = 10;
    assert_int_equal(sg_notifier_deliver(n, 0, 100, on_deliver, &d, NULL), SG_OK);
    d.w[2]->busy = true;
    assert_int_equal(sg_notifier_publish(n, S(1), SERVING), SG_OK);
    assert_int_equal(sg_notifier_deliver(n, S(1), 100, on_deliver, &d, NULL), SG_OK);
    assert_int_equal(sg_notifier_publish(n, S(2), GOAWAY), SG_OK);
    assert_int_equal(sg_notifier_deliver(n, S(2), 100, on_deliver, &d, NULL), SG_OK);
    for (int i = 0; i < 4; i++) {
        if (i != 2) {
            assert_int_equal(d.w[i]->count, 3);
            assert_int_equal(d.w[i]->received[2], GOAWAY);
        }
    }
    assert_int_equal(d.w[2]->count, 1);
    sg_notifier_counters c = counters(n);
    assert_int_equal(c.busy, 1); /* announced once, not retried on every step */
    /* the watcher becomes ready: the driver takes for it */
    sg_notification note;
    assert_int_equal(sg_notifier_take(n, S(7), d.w[2]->handle, &note), SG_OK);
    assert_int_equal(note.code, GOAWAY);
    assert_int_equal(note.pending_since, S(1));
    assert_int_equal(counters(n).latency_max_ns, S(6));
    free_watchers(&d);
    sg_notifier_destroy(n);
}

static void take_inside_callback_is_not_committed_twice(void **state)
{
    (void)state;
    sg_notifier *n = make(16);
    deliver_ctx d;
    setup_watchers(&d, n, 2);
    d.leave_self_at = d.leave_other_at = d.join_at = -1;
    d.take_self_at = 2;
    assert_int_equal(sg_notifier_deliver(n, 0, 100, on_deliver, &d, NULL), SG_OK);
    assert_int_equal(counters(n).delivered, 2);
    assert_int_equal(stats(n).pending, 0);
    free_watchers(&d);
    sg_notifier_destroy(n);
}

static void publish_cost_is_one_offer_per_watcher(void **state)
{
    (void)state;
    const uint32_t count = 10000;
    sg_notifier *n = make(count);
    for (uint32_t i = 0; i < count; i++) {
        (void)watch(n, 0, i);
    }
    sg_notifier_counters before = counters(n);
    assert_int_equal(sg_notifier_publish(n, S(1), SERVING), SG_OK);
    assert_int_equal(counters(n).offers - before.offers, count);
    assert_int_equal(sg_notifier_publish(n, S(2), SERVING), SG_OK); /* repeat: O(1) */
    assert_int_equal(counters(n).offers - before.offers, count);
    sg_notifier_stats st = stats(n);
    assert_int_equal(st.pending, count);
    assert_int_equal(st.counters.coalesced, count); /* UNKNOWN never taken */
    sg_notifier_destroy(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_rejects_bad_fields_by_name),
        cmocka_unit_test(alloc_failure_every_allocation_is_clean),
        cmocka_unit_test(new_watcher_gets_current_status_at_once),
        cmocka_unit_test(latest_wins_for_a_busy_watcher),
        cmocka_unit_test(repeats_of_what_the_watcher_holds_are_suppressed),
        cmocka_unit_test(publish_rejects_non_codes),
        cmocka_unit_test(goaway_replaces_pending_and_is_sticky),
        cmocka_unit_test(resume_delivers_goaway_first_to_who_missed_it),
        cmocka_unit_test(stale_handles_are_counted_no_ops),
        cmocka_unit_test(full_table_refuses_then_recovers),
        cmocka_unit_test(ready_list_is_fifo_and_edge_triggered),
        cmocka_unit_test(unwatch_unlinks_from_ready_list),
        cmocka_unit_test(leave_during_broadcast_never_reaches_departed),
        cmocka_unit_test(leave_between_two_steps_of_a_broadcast),
        cmocka_unit_test(busy_watcher_keeps_latest_and_takes_later),
        cmocka_unit_test(take_inside_callback_is_not_committed_twice),
        cmocka_unit_test(publish_cost_is_one_offer_per_watcher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_bcast_refetch.c - the startup race (swarm class C): a client that
 * registers and fetches before its worker's reader has subscribed misses
 * whatever peers publish in between, and the first message it then sees
 * from a peer is a baseline, not a gap.  The core now asks the driver to
 * refetch (SG_ACT_REFETCH, no close) every client registered while the
 * reader was not reading, once the subscription is live.  Also: a new
 * reader run rebases what it knew of every origin, so numbers that moved
 * while nobody listened are no gap (nobody is closed at startup).
 */
#include "bcast_fixture.h"

static size_t refetches_since(fx *f, size_t from)
{
    return fx_count_from(f, from, SG_ACT_REFETCH);
}

static void clients_registered_before_the_subscription_refetch_once(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_client_handle h[3];
    for (uint64_t k = 0; k < 3; k++) {
        h[k] = fx_client(f, 10 + k); /* the reader is still connecting */
    }
    fx_mark(f);
    fx_connect(f);
    assert_int_equal(fx_since(f, SG_ACT_REFETCH), 3);
    assert_int_equal(fx_since(f, SG_ACT_CLOSE_CLIENT), 0);
    assert_int_equal(fx_notes_since(f, SG_NOTE_REFETCH_DONE), 1);
    size_t k = 0;
    for (size_t i = f->mark; i < f->n; i++) {
        if (f->log[i].kind == SG_ACT_REFETCH) {
            assert_int_equal(f->log[i].u.refetch.cookie, 10 + k);
            assert_int_equal(f->log[i].u.refetch.handle.index, h[k].index);
            assert_int_equal(f->log[i].u.refetch.handle.generation, h[k].generation);
            k++;
        }
    }
    /* negative control: a client that registers while reading fetches
     * after the subscription and needs nothing more */
    fx_mark(f);
    (void)fx_client(f, 20);
    fx_advance(f, S(60));
    assert_int_equal(fx_since(f, SG_ACT_REFETCH), 0);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.refetch_rounds, 1);
    assert_int_equal(s.counters.clients_refetched, 3);
    assert_int_equal(s.counters.resyncs, 0);
    fx_free(f);
}

static void a_quiet_reconnect_refetches_only_clients_registered_meanwhile(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    sg_bcast_on_dropped(f->b, f->now); /* the session heard nothing: no gap */
    (void)fx_client(f, 2);
    fx_mark(f);
    fx_advance(f, S(1));
    fx_connect(f);
    assert_int_equal(fx_since(f, SG_ACT_REFETCH), 1);
    assert_int_equal(fx_last(f, SG_ACT_REFETCH)->u.refetch.cookie, 2);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    fx_free(f);
}

/* A reconnect gap: the resync that follows closes the clients registered
 * during the outage anyway, unless resync is disabled. */
static size_t refetches_after_a_reconnect_gap(bool resync)
{
    sg_bcast_config c = fx_config();
    c.resync_on_reconnect = resync;
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    (void)fx_msg(f, 2, 1, 1);
    sg_bcast_on_dropped(f->b, f->now);
    (void)fx_client(f, 2);
    size_t from = f->n;
    fx_advance(f, S(1));
    fx_connect(f);
    assert_int_equal(fx_stats(f).counters.gaps_reconnect, 1);
    size_t n = refetches_since(f, from);
    fx_free(f);
    return n;
}

static void a_reconnect_gap_leaves_the_clients_to_the_resync(void **state)
{
    (void)state;
    assert_int_equal(refetches_after_a_reconnect_gap(true), 0);
    assert_int_equal(refetches_after_a_reconnect_gap(false), 1);
}

static void many_clients_are_refetched_through_the_bounded_ring(void **state)
{
    (void)state;
    enum { N = 200 };
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    for (uint64_t k = 0; k < N; k++) {
        (void)fx_client(f, k);
    }
    fx_mark(f);
    sg_bcast_on_connected(f->b, f->now);
    sg_bcast_on_subscribed(f->b, f->now);
    /* the ring keeps room for non-deferrable actions: the rest waits */
    assert_int_equal(sg_bcast_next_deadline(f->b), f->now);
    fx_drain(f);
    size_t first = fx_since(f, SG_ACT_REFETCH);
    assert_true(first > 0 && first < N);
    fx_run_until(f, f->now);
    assert_int_equal(fx_since(f, SG_ACT_REFETCH), N);
    bool seen[N] = {false};
    for (size_t i = f->mark; i < f->n; i++) {
        if (f->log[i].kind == SG_ACT_REFETCH) {
            uint64_t k = f->log[i].u.refetch.cookie;
            assert_true(k < N && !seen[k]); /* once each */
            seen[k] = true;
        }
    }
    assert_int_equal(fx_stats(f).counters.actions_dropped, 0);
    assert_true(sg_bcast_next_deadline(f->b) > f->now);
    fx_free(f);
}

/* A peer kept publishing while this worker had no listener: its numbers
 * moved on.  The next run's clients fetched after all that, so its next
 * message is no gap: nobody is closed at startup.  Within a run the same
 * jump is a gap (negative control). */
static void numbers_that_moved_while_nobody_listened_are_no_gap(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_client_handle h = fx_client(f, 1);
    fx_connect(f);
    assert_int_equal(fx_msg(f, 2, 7, 10), SG_MSG_DELIVER);
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, h), SG_OK);
    fx_advance(f, S(30));
    h = fx_client(f, 2);
    fx_connect(f);
    assert_int_equal(fx_msg(f, 2, 7, 9), SG_MSG_SKIP_DUPLICATE); /* still known */
    assert_int_equal(fx_msg(f, 2, 7, 25), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    assert_int_equal(fx_msg(f, 2, 7, 27), SG_MSG_DELIVER); /* the same run: a gap */
    assert_int_equal(fx_stats(f).counters.gaps_sequence, 1);
    fx_free(f);
}

/* A new epoch met in a later run is a baseline too (the peer restarted
 * while nobody here listened), unless its first message carries the
 * after-loss flag: its previous instance died with publishes buffered,
 * perhaps after this run subscribed. */
static uint64_t gaps_for_a_new_epoch_in_a_later_run(uint8_t flags)
{
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_client_handle h = fx_client(f, 1);
    fx_connect(f);
    (void)fx_msg(f, 2, 7, 10);
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, h), SG_OK);
    (void)fx_client(f, 2);
    fx_connect(f);
    sg_bcast_header m = {.origin = 2, .kind = SG_MSG_DATA, .epoch = 8, .seq = 1, .flags = flags};
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &m, 8), SG_MSG_DELIVER);
    uint64_t gaps = fx_stats(f).counters.gaps;
    fx_free(f);
    return gaps;
}

static void a_new_epoch_met_in_a_later_run_is_a_gap_only_when_flagged(void **state)
{
    (void)state;
    assert_int_equal(gaps_for_a_new_epoch_in_a_later_run(0), 0);
    assert_int_equal(gaps_for_a_new_epoch_in_a_later_run(SG_MSG_FLAG_AFTER_LOSS), 1);
}

/* ON_ECHO: our own publishes of an earlier run, or dropped before this run
 * subscribed, are no gap in our own echo either. */
static void own_numbers_of_an_earlier_run_are_no_gap(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.delivery = SG_DELIVERY_ON_ECHO;
    c.replay_items_max = 0; /* publishes while not reading are dropped */
    fx *f = fx_new(&c);
    sg_client_handle h = fx_client(f, 1);
    fx_connect(f);
    sg_publish_result r = fx_publish(f, 1, 4); /* sent; its echo never comes */
    assert_int_equal(r.verdict, SG_PUBLISH_SEND);
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, h), SG_OK);
    assert_int_equal(fx_publish(f, 2, 4).verdict, SG_PUBLISH_DROPPED);
    (void)fx_client(f, 2);
    fx_connect(f);
    sg_publish_result r3 = fx_publish(f, 3, 4);
    assert_int_equal(r3.header.seq, 3);
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &r3.header, 4), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clients_registered_before_the_subscription_refetch_once),
        cmocka_unit_test(a_quiet_reconnect_refetches_only_clients_registered_meanwhile),
        cmocka_unit_test(a_reconnect_gap_leaves_the_clients_to_the_resync),
        cmocka_unit_test(many_clients_are_refetched_through_the_bounded_ring),
        cmocka_unit_test(numbers_that_moved_while_nobody_listened_are_no_gap),
        cmocka_unit_test(a_new_epoch_met_in_a_later_run_is_a_gap_only_when_flagged),
        cmocka_unit_test(own_numbers_of_an_earlier_run_are_no_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

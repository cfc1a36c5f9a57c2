/*
 * test_bcast_losses.c - a publish the origin loses before it reaches the
 * backbone must show up at its peers as a sequence gap (swarm class A):
 * a replay copy that cannot be allocated, the oldest item evicted on
 * overflow, a poison payload, a failed send whose copy cannot be kept.
 * Before the fix each of them left no hole in the numbers, so the peers
 * never recovered and their clients stayed stale for good.  The negative
 * controls show that a publish that is buffered and replayed leaves no
 * hole (no phantom gap).
 */
#include "bcast_fixture.h"

#include "test_fiu.h"

#define REPLAY_ALLOC "stormglass/bcast/replay_alloc"

/* Reconnects the origin and answers its replay round; returns the header
 * of the first replayed item. */
static sg_bcast_header replay_after_reconnect(fx *o)
{
    fx_advance(o, S(1)); /* backoff */
    fx_connect(o);
    size_t from = o->n;
    fx_advance(o, S(3)); /* settle */
    o->answered = from;
    assert_true(fx_answer_replays(o, true, 16, NULL) >= 1);
    for (size_t i = from; i < o->n; i++) {
        if (o->log[i].kind == SG_ACT_PUBLISH) {
            return o->log[i].u.publish.header;
        }
    }
    fail_msg("no replay PUBLISH after the reconnect");
    return (sg_bcast_header){0};
}

/* An outage of the origin with 2 publishes; the first copy's allocation
 * fails when `fail_copy`.  Returns the peer's sequence gaps. */
static uint64_t outage_with_publishes(bool fail_copy, uint64_t *replayed_seq)
{
    fx *o = fx_worker(1, fx_config());
    fx *peer = fx_worker(2, fx_config());
    sg_bcast_header h1 = fx_sent(o, 1);
    assert_int_equal(fx_relay(peer, &h1), SG_MSG_DELIVER);
    sg_bcast_on_dropped(o->b, o->now);
    if (fail_copy) {
        test_fiu_fail_nth(REPLAY_ALLOC, 1);
    }
    sg_publish_result r2 = fx_publish(o, 2, 8);
    fiu_disable(REPLAY_ALLOC);
    assert_int_equal(r2.verdict, fail_copy ? SG_PUBLISH_DROPPED : SG_PUBLISH_BUFFERED);
    assert_int_equal(fx_publish(o, 3, 8).verdict, SG_PUBLISH_BUFFERED);
    sg_bcast_header h = replay_after_reconnect(o);
    *replayed_seq = h.seq;
    assert_int_equal(fx_relay(peer, &h), SG_MSG_DELIVER);
    uint64_t gaps = fx_stats(peer).counters.gaps_sequence;
    assert_int_equal(fx_stats(o).counters.seq_skips, fail_copy ? 1 : 0);
    fx_free(o);
    fx_free(peer);
    return gaps;
}

static void a_copy_that_cannot_be_allocated_is_a_gap_at_the_peer(void **state)
{
    (void)state;
    uint64_t seq = 0;
    assert_int_equal(outage_with_publishes(true, &seq), 1);
    assert_int_equal(seq, 3); /* 2 was skipped: it belonged to the lost publish */
    /* negative control: nothing lost, no hole, no gap */
    assert_int_equal(outage_with_publishes(false, &seq), 0);
    assert_int_equal(seq, 2);
}

static void the_oldest_evicted_on_overflow_is_a_gap_at_the_peer(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.replay_items_max = 2;
    fx *o = fx_worker(1, c);
    fx *peer = fx_worker(2, fx_config());
    sg_bcast_header h1 = fx_sent(o, 1);
    (void)fx_relay(peer, &h1);
    sg_bcast_on_dropped(o->b, o->now);
    for (uint8_t tag = 2; tag <= 4; tag++) {
        assert_int_equal(fx_publish(o, tag, 8).verdict, SG_PUBLISH_BUFFERED);
    }
    assert_int_equal(fx_stats(o).counters.replay_drops_overflow, 1); /* tag 2 */
    sg_bcast_header h = replay_after_reconnect(o);
    assert_int_equal(h.seq, 3);
    assert_int_equal(fx_relay(peer, &h), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(peer).counters.gaps_sequence, 1);
    fx_free(o);
    fx_free(peer);
}

static void a_poison_publish_is_a_gap_at_the_peer(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backbone_payload_max = 16;
    fx *o = fx_worker(1, c);
    fx *peer = fx_worker(2, fx_config());
    sg_bcast_header h1 = fx_sent(o, 1);
    (void)fx_relay(peer, &h1);
    sg_publish_result big = fx_publish(o, 2, 100);
    assert_int_equal(big.verdict, SG_PUBLISH_DROPPED);
    assert_true(big.deliver_locally); /* IMMEDIATE: the origin's own clients have it */
    sg_bcast_header h3 = fx_sent(o, 3);
    assert_int_equal(h3.seq, 3);
    assert_int_equal(fx_relay(peer, &h3), SG_MSG_DELIVER);
    sg_bcast_stats s = fx_stats(peer);
    assert_int_equal(s.counters.gaps_sequence, 1);
    assert_int_equal(s.recovery, SG_RECOVERY_SETTLING); /* the peer resyncs its clients */
    fx_free(o);
    fx_free(peer);
}

static void a_dropped_publish_is_a_gap_in_the_origins_own_echo(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.delivery = SG_DELIVERY_ON_ECHO;
    c.replay_items_max = 0; /* buffering off: a publish while down is dropped */
    fx *o = fx_worker(1, c);
    sg_bcast_header h1 = fx_sent(o, 1);
    assert_int_equal(fx_relay(o, &h1), SG_MSG_DELIVER);
    sg_bcast_on_dropped(o->b, o->now);
    sg_publish_result r2 = fx_publish(o, 2, 8);
    assert_int_equal(r2.verdict, SG_PUBLISH_DROPPED);
    assert_false(r2.deliver_locally); /* ON_ECHO: its own clients never got it either */
    fx_advance(o, S(1));
    fx_connect(o);
    sg_bcast_header h3 = fx_sent(o, 3);
    assert_int_equal(h3.seq, 3);
    assert_int_equal(fx_relay(o, &h3), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(o).counters.gaps_sequence, 1); /* its own clients resync */
    fx_free(o);
}

static void skips_wait_for_the_next_send_and_count_once(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backbone_payload_max = 16;
    fx *o = fx_worker(1, c);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fx_publish(o, 9, 100).verdict, SG_PUBLISH_DROPPED);
    }
    assert_int_equal(fx_stats(o).counters.seq_skips, 0); /* nothing stamped yet */
    assert_int_equal(fx_sent(o, 1).seq, 4);
    assert_int_equal(fx_sent(o, 2).seq, 5);
    assert_int_equal(fx_stats(o).counters.seq_skips, 3);
    fx_free(o);
}

/* A failed send whose copy cannot be kept leaves its number unused.  A
 * peer that knows the origin sees the jump; one that hears the origin for
 * the first time after it (a peer restarted in between, a new reader run)
 * takes the next number for a baseline unless it is flagged (found by
 * fuzz/sim_faults: a peer's graceful restart, then a send that failed
 * while the copy's allocation failed; the restarted peer's clients stayed
 * stale for good). */
static void a_failed_send_whose_copy_is_lost_flags_the_next_message(void **state)
{
    (void)state;
    fx *o = fx_worker(1, fx_config());
    (void)fx_sent(o, 1);
    uint8_t p[8];
    memset(p, 2, sizeof p);
    sg_publish_result r2 = sg_bcast_publish(o->b, o->now, p, sizeof p);
    assert_int_equal(r2.verdict, SG_PUBLISH_SEND);
    assert_int_equal(r2.header.seq, 2);
    test_fiu_fail_nth(REPLAY_ALLOC, 1);
    sg_bcast_on_publish_result(o->b, o->now, &r2.header, p, sizeof p, false);
    fiu_disable(REPLAY_ALLOC);
    fx_drain(o);
    assert_int_equal(fx_stats(o).counters.replay_drops_nomem, 1);
    sg_bcast_header h3 = fx_sent(o, 3);
    assert_int_equal(h3.seq, 3); /* 2 is a hole */
    assert_int_equal(h3.flags, SG_MSG_FLAG_AFTER_LOSS);
    assert_int_equal(fx_sent(o, 4).flags, 0); /* only the first one after it */
    fx *fresh = fx_worker(2, fx_config());
    assert_int_equal(fx_relay(fresh, &h3), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(fresh).counters.gaps_sequence, 1);
    fx_free(fresh);
    fx_free(o);
    /* the same with buffering off: the failed send's copy has nowhere to go */
    sg_bcast_config c = fx_config();
    c.replay_items_max = 0;
    fx *q = fx_worker(1, c);
    (void)fx_sent(q, 1);
    sg_publish_result r = sg_bcast_publish(q->b, q->now, p, sizeof p);
    sg_bcast_on_publish_result(q->b, q->now, &r.header, p, sizeof p, false);
    fx_drain(q);
    sg_bcast_header h = fx_sent(q, 3);
    assert_int_equal(h.seq, 3);
    assert_int_equal(h.flags, SG_MSG_FLAG_AFTER_LOSS);
    fx_free(q);
}

/* A kept copy that still holds its failed send's number (a later number
 * was already out, so it could not be given back) and is then evicted on
 * overflow leaves a hole too: the next number is flagged. */
static void an_evicted_copy_holding_its_number_flags_the_next_message(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.replay_items_max = 1;
    fx *o = fx_worker(1, c);
    (void)fx_sent(o, 1);
    uint8_t p2[8], p3[8];
    memset(p2, 2, sizeof p2);
    memset(p3, 3, sizeof p3);
    sg_publish_result r2 = sg_bcast_publish(o->b, o->now, p2, sizeof p2);
    sg_publish_result r3 = sg_bcast_publish(o->b, o->now, p3, sizeof p3);
    assert_int_equal(r3.header.seq, 3);
    sg_bcast_on_publish_result(o->b, o->now, &r2.header, p2, sizeof p2, false); /* kept, holds 2 */
    sg_bcast_on_publish_result(o->b, o->now, &r3.header, p3, sizeof p3, true);
    fx_drain(o);
    assert_int_equal(fx_publish(o, 4, 8).verdict, SG_PUBLISH_BUFFERED); /* evicts the copy of 2 */
    assert_int_equal(fx_stats(o).counters.replay_drops_overflow, 1);
    fx_mark(o);
    fx_advance(o, S(3)); /* the replay-only round */
    const sg_bcast_action *a = fx_last(o, SG_ACT_PUBLISH);
    assert_non_null(a);
    assert_int_equal(a->u.publish.header.seq, 4);
    assert_int_equal(a->u.publish.header.flags, SG_MSG_FLAG_AFTER_LOSS);
    fx_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_copy_that_cannot_be_allocated_is_a_gap_at_the_peer),
        cmocka_unit_test(the_oldest_evicted_on_overflow_is_a_gap_at_the_peer),
        cmocka_unit_test(a_poison_publish_is_a_gap_at_the_peer),
        cmocka_unit_test(a_dropped_publish_is_a_gap_in_the_origins_own_echo),
        cmocka_unit_test(skips_wait_for_the_next_send_and_count_once),
        cmocka_unit_test(a_failed_send_whose_copy_is_lost_flags_the_next_message),
        cmocka_unit_test(an_evicted_copy_holding_its_number_flags_the_next_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

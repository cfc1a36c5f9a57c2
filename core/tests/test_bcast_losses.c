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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_copy_that_cannot_be_allocated_is_a_gap_at_the_peer),
        cmocka_unit_test(the_oldest_evicted_on_overflow_is_a_gap_at_the_peer),
        cmocka_unit_test(a_poison_publish_is_a_gap_at_the_peer),
        cmocka_unit_test(a_dropped_publish_is_a_gap_in_the_origins_own_echo),
        cmocka_unit_test(skips_wait_for_the_next_send_and_count_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

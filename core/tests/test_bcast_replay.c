/*
 * test_bcast_replay.c - the replay buffer and outbound sequencing: count
 * and byte bounds with drop-oldest, poison items, the partial-flush
 * re-enqueue that never evicts newer entries (finding 5), sequence numbers
 * stamped at send time, returned by failed sends whose copy is kept (no
 * phantom gaps) and skipped for lost ones (a gap peers see),
 * publishes queued behind a pending replay, buffering disabled.
 */
#include "bcast_fixture.h"

/* A worker reading with one client; the backbone then drops (quietly). */
static fx *down_world(sg_bcast_config *c)
{
    fx *f = fx_new(c);
    (void)fx_client(f, 1);
    fx_connect(f);
    sg_bcast_on_dropped(f->b, f->now);
    return f;
}

/* Reconnect, wait out the settle, answer every replay; returns the tags
 * (first payload byte) in wire order and their sequence numbers. */
static size_t reconnect_and_flush(fx *f, uint8_t *tags, uint64_t *seqs, size_t max)
{
    while (fx_stats(f).reader != SG_READER_CONNECTING) {
        fx_advance(f, S(1));
    }
    fx_connect(f);
    fx_mark(f);
    fx_advance(f, S(2));
    size_t from = f->answered > f->mark ? f->answered : f->mark;
    f->answered = from;
    size_t n = fx_answer_replays(f, true, max, tags);
    size_t k = 0;
    for (size_t i = from; i < f->n && k < n; i++) {
        if (f->log[i].kind == SG_ACT_PUBLISH) {
            seqs[k++] = f->log[i].u.publish.header.seq;
        }
    }
    return n;
}

static void count_bound_drops_the_oldest(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.replay_items_max = 3;
    fx *f = down_world(&c);
    for (uint8_t t = 1; t <= 5; t++) {
        assert_int_equal(fx_publish(f, t, 10).verdict, SG_PUBLISH_BUFFERED);
        assert_true(fx_stats(f).replay_items <= 3);
    }
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.replay_items, 3);
    assert_int_equal(s.replay_bytes, 30);
    assert_int_equal(s.counters.replay_drops_overflow, 2);
    uint8_t tags[8];
    uint64_t seqs[8];
    assert_int_equal(reconnect_and_flush(f, tags, seqs, 8), 3);
    assert_memory_equal(tags, ((uint8_t[]){3, 4, 5}), 3);
    /* Numbers are stamped at send time, and each of the two dropped items
     * skips one, so peers see the loss as a gap (swarm class A). */
    assert_int_equal(seqs[0], 3);
    assert_int_equal(seqs[1], 4);
    assert_int_equal(seqs[2], 5);
    assert_int_equal(fx_stats(f).counters.seq_skips, 2);
    fx_free(f);
}

static void byte_bound_drops_the_oldest(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backbone_payload_max = 200;
    c.replay_bytes_max = 250;
    fx *f = down_world(&c);
    assert_int_equal(fx_publish(f, 1, 100).verdict, SG_PUBLISH_BUFFERED);
    assert_int_equal(fx_publish(f, 2, 100).verdict, SG_PUBLISH_BUFFERED);
    assert_int_equal(fx_stats(f).replay_bytes, 200);
    assert_int_equal(fx_publish(f, 3, 200).verdict, SG_PUBLISH_BUFFERED); /* evicts both */
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.replay_items, 1);
    assert_int_equal(s.replay_bytes, 200);
    assert_int_equal(s.counters.replay_drops_overflow, 2);
    uint8_t tags[4];
    uint64_t seqs[4];
    assert_int_equal(reconnect_and_flush(f, tags, seqs, 4), 1);
    assert_int_equal(tags[0], 3);
    fx_free(f);
}

static void poison_is_dropped_and_counted(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backbone_payload_max = 100;
    c.replay_bytes_max = 1000;
    fx *f = down_world(&c);
    sg_publish_result r = fx_publish(f, 1, 101);
    assert_int_equal(r.verdict, SG_PUBLISH_DROPPED);
    assert_true(r.deliver_locally); /* IMMEDIATE: local clients still get it */
    r = sg_bcast_publish(f->b, f->now, NULL, 5); /* unserializable */
    assert_int_equal(r.verdict, SG_PUBLISH_DROPPED);
    assert_int_equal(fx_publish(f, 2, 100).verdict, SG_PUBLISH_BUFFERED);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.replay_drops_poison, 2);
    assert_int_equal(s.replay_items, 1);
    fx_free(f);
}

static void partial_flush_keeps_the_newest(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.replay_items_max = 4;
    fx *f = down_world(&c);
    for (uint8_t t = 1; t <= 4; t++) { /* a b c d */
        (void)fx_publish(f, t, 10);
    }
    while (fx_stats(f).reader != SG_READER_CONNECTING) {
        fx_advance(f, S(1));
    }
    fx_connect(f);
    fx_advance(f, S(2));
    f->answered = f->n - 1;
    assert_int_equal(fx_answer_replays(f, true, 1, NULL), 1); /* a sent */
    /* b is in flight; the buffer refills behind it (e f), then b fails. */
    assert_int_equal(fx_publish(f, 5, 10).verdict, SG_PUBLISH_BUFFERED);
    assert_int_equal(fx_publish(f, 6, 10).verdict, SG_PUBLISH_BUFFERED);
    const sg_bcast_action *b_act = fx_last(f, SG_ACT_PUBLISH);
    assert_int_equal(b_act->u.publish.payload[0], 2);
    uint64_t b_seq = b_act->u.publish.header.seq;
    assert_int_equal(b_seq, 2);
    sg_bcast_on_replay_result(f->b, f->now, false);
    fx_drain(f);
    f->answered = f->n;
    sg_bcast_stats s = fx_stats(f);
    /* The unsent tail b c d goes back before e f: 5 > 4, so the oldest (b)
     * is dropped, never f (the first fix's extendleft evicted f). */
    assert_int_equal(s.replay_items, 4);
    assert_int_equal(s.counters.replay_drops_overflow, 1);
    assert_int_equal(s.counters.replay_partial, 1);
    fx_advance(f, S(2)); /* the round retries after a settle */
    uint8_t tags[8];
    assert_int_equal(fx_answer_replays(f, true, 8, tags), 4);
    assert_memory_equal(tags, ((uint8_t[]){3, 4, 5, 6}), 4);
    /* b was lost with its number: 2 is never reused, so peers see 1, 3, 4,
     * ... and recover (before the class A fix, c took 2 and b's loss went
     * unnoticed) */
    const sg_bcast_action *last = fx_last(f, SG_ACT_PUBLISH);
    assert_int_equal(last->u.publish.header.seq, 6);
    fx_free(f);
}

static void failed_send_returns_its_sequence_number(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    uint8_t p[4] = {7, 7, 7, 7};
    sg_publish_result r1 = sg_bcast_publish(f->b, f->now, p, 4);
    assert_int_equal(r1.verdict, SG_PUBLISH_SEND);
    assert_int_equal(r1.header.seq, 1);
    sg_bcast_on_publish_result(f->b, f->now, &r1.header, p, 4, true);
    sg_publish_result r2 = sg_bcast_publish(f->b, f->now, p, 4);
    sg_publish_result r3 = sg_bcast_publish(f->b, f->now, p, 4); /* both in flight */
    assert_int_equal(r3.header.seq, 3);
    sg_bcast_on_publish_result(f->b, f->now, &r2.header, p, 4, false);
    sg_bcast_on_publish_result(f->b, f->now, &r3.header, p, 4, false);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.replay_items, 2);
    assert_int_equal(s.counters.publish_failures, 2);
    /* Queued behind the failed ones, to keep this origin's order. */
    assert_int_equal(fx_publish(f, 8, 4).verdict, SG_PUBLISH_BUFFERED);
    fx_mark(f);
    fx_advance(f, S(2)); /* the replay-only round */
    f->answered = f->mark;
    assert_int_equal(fx_answer_replays(f, true, 8, NULL), 3);
    uint64_t want = 2;
    for (size_t i = f->mark; i < f->n; i++) {
        if (f->log[i].kind == SG_ACT_PUBLISH) {
            assert_int_equal(f->log[i].u.publish.header.seq, want++);
        }
    }
    assert_int_equal(want, 5);
    assert_int_equal(fx_publish(f, 9, 4).verdict, SG_PUBLISH_SEND);
    assert_int_equal(fx_stats(f).counters.flush_rounds, 1);
    fx_free(f);
}

static void result_for_an_unknown_send_is_ignored(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    sg_bcast_header h = {.origin = 9, .kind = SG_MSG_DATA, .epoch = 100, .seq = 1};
    uint8_t p[1] = {0};
    sg_bcast_on_publish_result(f->b, 0, &h, p, 1, false);
    sg_bcast_on_publish_result(f->b, 0, NULL, p, 1, false);
    sg_bcast_on_replay_result(f->b, 0, false);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.replay_items, 0);
    assert_int_equal(s.counters.events_ignored, 2);
    assert_int_equal(s.counters.replay_results_stale, 1);
    fx_free(f);
}

static void buffering_disabled_drops_and_counts(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.replay_items_max = 0;
    fx *f = down_world(&c);
    assert_int_equal(fx_publish(f, 1, 10).verdict, SG_PUBLISH_DROPPED);
    assert_int_equal(fx_stats(f).counters.publish_drops, 1);
    fx_free(f);
}

static void publishes_queue_behind_a_pending_replay(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = down_world(&c);
    (void)fx_publish(f, 1, 4);
    while (fx_stats(f).reader != SG_READER_CONNECTING) {
        fx_advance(f, S(1));
    }
    fx_connect(f);
    /* Reading, but the buffer is not flushed yet: still queued. */
    assert_int_equal(fx_publish(f, 2, 4).verdict, SG_PUBLISH_BUFFERED);
    fx_advance(f, S(2));
    f->answered = f->n - 1;
    assert_int_equal(fx_publish(f, 3, 4).verdict, SG_PUBLISH_BUFFERED); /* replay in flight */
    uint8_t tags[4];
    assert_int_equal(fx_answer_replays(f, true, 4, tags), 3);
    assert_memory_equal(tags, ((uint8_t[]){1, 2, 3}), 3);
    sg_publish_result r = fx_publish(f, 4, 4);
    assert_int_equal(r.verdict, SG_PUBLISH_SEND);
    assert_int_equal(r.header.seq, 4);
    fx_free(f);
}

static void replay_payload_stays_valid_until_its_result(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.replay_items_max = 1;
    fx *f = down_world(&c);
    (void)fx_publish(f, 0xAB, 50);
    while (fx_stats(f).reader != SG_READER_CONNECTING) {
        fx_advance(f, S(1));
    }
    fx_connect(f);
    fx_advance(f, S(2));
    const sg_bcast_action *a = fx_last(f, SG_ACT_PUBLISH);
    assert_non_null(a);
    /* Overflow while in flight evicts queued items, never the one in flight. */
    for (uint8_t t = 0; t < 5; t++) {
        (void)fx_publish(f, t, 20);
    }
    for (uint32_t i = 0; i < a->u.publish.len; i++) {
        assert_int_equal(a->u.publish.payload[i], 0xAB);
    }
    assert_int_equal(fx_stats(f).replay_items, 2); /* one in flight + one queued */
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(count_bound_drops_the_oldest),
        cmocka_unit_test(byte_bound_drops_the_oldest),
        cmocka_unit_test(poison_is_dropped_and_counted),
        cmocka_unit_test(partial_flush_keeps_the_newest),
        cmocka_unit_test(failed_send_returns_its_sequence_number),
        cmocka_unit_test(result_for_an_unknown_send_is_ignored),
        cmocka_unit_test(buffering_disabled_drops_and_counts),
        cmocka_unit_test(publishes_queue_behind_a_pending_replay),
        cmocka_unit_test(replay_payload_stays_valid_until_its_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_bcast_gaps.c - gap detection: reconnect gaps local to one reader
 * run (finding 1), sequence and epoch rules per origin, duplicates,
 * heartbeats that never count, the LRU-bounded peer table, and the two
 * local delivery policies.
 */
#include "bcast_fixture.h"

static fx *reading_world(sg_bcast_config *c, sg_client_handle *h)
{
    fx *f = fx_new(c);
    *h = fx_client(f, 1);
    fx_connect(f);
    fx_mark(f);
    return f;
}

static void fresh_run_after_zero_listeners_is_not_a_gap(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    (void)fx_msg(f, 2, 1, 1);
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, h), SG_OK);
    assert_int_equal(fx_stats(f).reader, SG_READER_IDLE);
    fx_advance(f, S(5));
    (void)fx_client(f, 2); /* the next client starts a new run */
    fx_connect(f);
    fx_advance(f, S(60));
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.reader_runs, 2);
    assert_int_equal(s.counters.gaps, 0);
    assert_int_equal(s.counters.recoveries, 0);
    assert_int_equal(fx_since(f, SG_ACT_CLOSE_CLIENT), 0);
    fx_free(f);
}

static void reconnect_after_a_delivering_session_is_a_gap(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    (void)fx_msg(f, 2, 1, 1);
    sg_bcast_on_dropped(f->b, f->now);
    fx_advance(f, S(1));
    fx_connect(f);
    assert_int_equal(fx_notes_since(f, SG_NOTE_GAP_RECONNECT), 1);
    assert_int_equal(fx_stats(f).counters.gaps_reconnect, 1);
    fx_free(f);
}

static void reconnect_after_a_silent_session_is_not_a_gap(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    sg_bcast_on_dropped(f->b, f->now);
    fx_advance(f, S(1));
    fx_connect(f);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    fx_free(f);
}

static void sequence_rules_per_origin(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    assert_int_equal(fx_msg(f, 2, 10, 7), SG_MSG_DELIVER); /* baseline: no gap */
    assert_int_equal(fx_msg(f, 2, 10, 8), SG_MSG_DELIVER);
    assert_int_equal(fx_msg(f, 2, 10, 8), SG_MSG_SKIP_DUPLICATE);
    assert_int_equal(fx_msg(f, 2, 10, 3), SG_MSG_SKIP_DUPLICATE);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    assert_int_equal(fx_msg(f, 2, 10, 12), SG_MSG_DELIVER); /* 9, 10, 11 missed */
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.gaps_sequence, 1);
    const sg_bcast_action *n = fx_last(f, SG_ACT_NOTE);
    assert_non_null(n);
    assert_int_equal(s.counters.duplicates_skipped, 2);
    size_t i = f->mark;
    while (i < f->n && !(f->log[i].kind == SG_ACT_NOTE && f->log[i].u.note.note == SG_NOTE_GAP_SEQUENCE)) {
        i++;
    }
    assert_true(i < f->n);
    assert_int_equal(f->log[i].u.note.value, 3);
    assert_int_equal(f->log[i].u.note.peer, 2);
    assert_int_equal(s.recovery, SG_RECOVERY_SETTLING); /* the same recovery as a reconnect gap */
    fx_free(f);
}

static void epoch_rules_clean_restart_and_gap(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    assert_int_equal(fx_msg(f, 2, 10, 1), SG_MSG_DELIVER);
    assert_int_equal(fx_msg(f, 2, 10, 2), SG_MSG_DELIVER);
    /* The peer restarted gracefully: its goodbye says 2 was its last, and
     * its new epoch starts at 1: no gap (rolling restart). */
    sg_bcast_header bye = {.origin = 2, .kind = SG_MSG_GOODBYE, .epoch = 10, .seq = 2};
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &bye, 0), SG_MSG_SKIP_GOODBYE);
    assert_int_equal(fx_msg(f, 2, 11, 1), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    assert_int_equal(fx_msg(f, 2, 11, 2), SG_MSG_DELIVER);
    /* A new epoch first heard at 5: 1..4 of it were missed. */
    assert_int_equal(fx_msg(f, 2, 12, 5), SG_MSG_DELIVER);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.gaps_epoch, 1);
    assert_int_equal(s.counters.gaps, 1);
    assert_int_equal(fx_msg(f, 2, 12, 6), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 1);
    /* A new epoch at 1 with no goodbye: the peer crashed (class B). */
    assert_int_equal(fx_msg(f, 2, 13, 1), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps_epoch, 2);
    fx_free(f);
}

static void heartbeats_never_count_toward_gaps(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    sg_bcast_header hb = {.origin = 2, .kind = SG_MSG_HEARTBEAT, .epoch = 10, .seq = 1};
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &hb, 0), SG_MSG_SKIP_HEARTBEAT);
    hb.seq = 50;
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &hb, 0), SG_MSG_SKIP_HEARTBEAT);
    assert_int_equal(fx_msg(f, 2, 10, 1), SG_MSG_DELIVER); /* data baseline unaffected */
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.gaps, 0);
    assert_int_equal(s.counters.heartbeats_seen, 2);
    fx_free(f);
}

static void messages_outside_reading_and_garbage_are_ignored(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    assert_int_equal(fx_msg(f, 2, 1, 1), SG_MSG_SKIP_NOT_READING);
    (void)fx_client(f, 1);
    assert_int_equal(fx_msg(f, 2, 1, 1), SG_MSG_SKIP_NOT_READING);
    fx_connect(f);
    assert_int_equal(sg_bcast_on_message(f->b, f->now, NULL, 0), SG_MSG_SKIP_INVALID);
    sg_bcast_header bad = {.origin = 2, .kind = 9, .epoch = 1, .seq = 1};
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &bad, 0), SG_MSG_SKIP_INVALID);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.messages_while_not_reading, 2);
    assert_int_equal(s.counters.events_ignored, 2);
    assert_int_equal(s.counters.gaps, 0);
    fx_free(f);
}

static void peer_table_is_bounded_with_lru_eviction(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.peers_max = 2;
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    (void)fx_msg(f, 2, 1, 1);
    (void)fx_msg(f, 3, 1, 1);
    (void)fx_msg(f, 2, 1, 2); /* 2 is now more recent than 3 */
    (void)fx_msg(f, 4, 1, 1); /* evicts 3 */
    assert_int_equal(fx_stats(f).counters.peer_evictions, 1);
    assert_int_equal(fx_msg(f, 2, 1, 3), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    /* 3 was forgotten: its next message is a new baseline, not a gap. */
    assert_int_equal(fx_msg(f, 3, 1, 9), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    assert_int_equal(fx_stats(f).counters.peer_evictions, 2);
    /* Many origins through a small table: lookups stay correct. */
    for (uint32_t o = 100; o < 400; o++) {
        assert_int_equal(fx_msg(f, o, 1, 1), SG_MSG_DELIVER);
        assert_int_equal(fx_msg(f, o, 1, 1), SG_MSG_SKIP_DUPLICATE);
    }
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    fx_free(f);
}

static void immediate_policy_delivers_at_publish_and_skips_the_echo(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    sg_publish_result r = fx_publish(f, 1, 4);
    assert_int_equal(r.verdict, SG_PUBLISH_SEND);
    assert_true(r.deliver_locally);
    assert_int_equal(r.header.origin, 1);
    assert_int_equal(r.header.epoch, 100);
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &r.header, 4), SG_MSG_SKIP_OWN);
    assert_int_equal(fx_stats(f).counters.own_echoes, 1);
    fx_free(f);
}

static void on_echo_policy_delivers_the_echo_once(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.delivery = SG_DELIVERY_ON_ECHO;
    sg_client_handle h;
    fx *f = reading_world(&c, &h);
    sg_publish_result r1 = fx_publish(f, 1, 4);
    assert_false(r1.deliver_locally);
    sg_publish_result r2 = fx_publish(f, 2, 4);
    sg_publish_result r3 = fx_publish(f, 3, 4);
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &r1.header, 4), SG_MSG_DELIVER);
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &r1.header, 4), SG_MSG_SKIP_DUPLICATE);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    /* r2's echo was lost: our own clients missed it -> a gap. */
    assert_int_equal(sg_bcast_on_message(f->b, f->now, &r3.header, 4), SG_MSG_DELIVER);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.gaps_sequence, 1);
    assert_int_equal(r2.header.seq, 2);
    /* While down, a publish is buffered and not delivered locally either. */
    sg_bcast_on_dropped(f->b, f->now);
    sg_publish_result r4 = fx_publish(f, 4, 4);
    assert_int_equal(r4.verdict, SG_PUBLISH_BUFFERED);
    assert_false(r4.deliver_locally);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_run_after_zero_listeners_is_not_a_gap),
        cmocka_unit_test(reconnect_after_a_delivering_session_is_a_gap),
        cmocka_unit_test(reconnect_after_a_silent_session_is_not_a_gap),
        cmocka_unit_test(sequence_rules_per_origin),
        cmocka_unit_test(epoch_rules_clean_restart_and_gap),
        cmocka_unit_test(heartbeats_never_count_toward_gaps),
        cmocka_unit_test(messages_outside_reading_and_garbage_are_ignored),
        cmocka_unit_test(peer_table_is_bounded_with_lru_eviction),
        cmocka_unit_test(immediate_policy_delivers_at_publish_and_skips_the_echo),
        cmocka_unit_test(on_echo_policy_delivers_the_echo_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

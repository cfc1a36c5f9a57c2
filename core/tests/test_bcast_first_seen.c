/*
 * test_bcast_first_seen.c - when may the first message heard from an
 * origin be a baseline?  Its earlier numbers predate our subscription as
 * long as we have been listening since (the clients' fetches and the
 * REFETCH cover them).  The swarm found the three ways that fails, each
 * covered here with its negative control:
 *   - the origin lost publishes of its own (skipped numbers, or sends of a
 *     session that ended badly) that may be newer than our subscription:
 *     it flags its next message (SG_MSG_FLAG_AFTER_LOSS);
 *   - its previous instance died with publishes buffered, an epoch we never
 *     heard of: the new instance flags its first message
 *     (config.after_unclean_exit);
 *   - we reconnected quietly (no gap): the origin may have published while
 *     we were not listening, so the run is blind until the next resync.
 */
#include "bcast_fixture.h"

static sg_msg_verdict hear(fx *f, uint32_t origin, uint64_t epoch, uint64_t seq, uint8_t flags)
{
    sg_bcast_header h = {.origin = origin, .kind = SG_MSG_DATA, .epoch = epoch, .seq = seq, .flags = flags};
    sg_msg_verdict v = sg_bcast_on_message(f->b, f->now, &h, 8);
    fx_drain(f);
    return v;
}

static void a_flagged_first_message_is_a_gap_an_unflagged_one_is_not(void **state)
{
    (void)state;
    fx *f = fx_worker(1, fx_config());
    assert_int_equal(hear(f, 2, 1, 40, 0), SG_MSG_DELIVER); /* baseline */
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    assert_int_equal(hear(f, 3, 1, 40, SG_MSG_FLAG_AFTER_LOSS), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps_sequence, 1);
    /* a known origin's flag adds nothing: its numbers tell */
    assert_int_equal(hear(f, 2, 1, 41, SG_MSG_FLAG_AFTER_LOSS), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 1);
    fx_free(f);
}

static void the_origin_flags_its_first_message_after_a_loss(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backbone_payload_max = 16;
    fx *o = fx_worker(1, c);
    assert_int_equal(fx_sent(o, 1).flags, 0);
    assert_int_equal(fx_publish(o, 9, 100).verdict, SG_PUBLISH_DROPPED); /* poison: skipped */
    sg_bcast_header h = fx_sent(o, 1);
    assert_int_equal(h.seq, 3);
    assert_int_equal(h.flags, SG_MSG_FLAG_AFTER_LOSS);
    assert_int_equal(fx_sent(o, 1).flags, 0); /* only the first one after it */
    fx_free(o);
}

/* Drops the session and waits out the backoff into a new one. */
static void reconnect(fx *o)
{
    sg_bcast_on_dropped(o->b, o->now);
    while (fx_stats(o).reader != SG_READER_CONNECTING) {
        fx_advance(o, S(1));
    }
    fx_connect(o);
}

static void a_session_that_sent_and_ended_flags_the_next_message(void **state)
{
    (void)state;
    fx *o = fx_worker(1, fx_config());
    (void)fx_sent(o, 1);
    reconnect(o); /* what it wrote may not have arrived */
    sg_bcast_header h = fx_sent(o, 1);
    assert_int_equal(h.seq, 2);
    assert_int_equal(h.flags, SG_MSG_FLAG_AFTER_LOSS);
    fx_free(o);
    /* negative control: a session that sent nothing leaves nothing to doubt */
    fx *q = fx_worker(1, fx_config());
    reconnect(q);
    assert_int_equal(fx_sent(q, 1).flags, 0);
    fx_free(q);
}

static void a_failed_send_of_the_flagged_number_keeps_the_flag(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.backbone_payload_max = 16;
    fx *o = fx_worker(1, c);
    (void)fx_sent(o, 1);
    assert_int_equal(fx_publish(o, 9, 100).verdict, SG_PUBLISH_DROPPED);
    uint8_t p[8] = {2};
    sg_publish_result r = sg_bcast_publish(o->b, o->now, p, 8);
    assert_int_equal(r.header.flags, SG_MSG_FLAG_AFTER_LOSS);
    sg_bcast_on_publish_result(o->b, o->now, &r.header, p, 8, false); /* kept, number given back */
    fx_mark(o);
    fx_advance(o, S(3)); /* the replay-only round */
    const sg_bcast_action *a = fx_last(o, SG_ACT_PUBLISH);
    assert_non_null(a);
    assert_int_equal(a->u.publish.header.seq, r.header.seq);
    assert_int_equal(a->u.publish.header.flags, SG_MSG_FLAG_AFTER_LOSS);
    fx_free(o);
}

static void an_instance_after_an_unclean_exit_flags_its_first_message(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.after_unclean_exit = true;
    c.epoch = 101;
    fx *o = fx_worker(1, c);
    sg_bcast_header h = fx_sent(o, 1);
    assert_int_equal(h.seq, 1);
    assert_int_equal(h.flags, SG_MSG_FLAG_AFTER_LOSS);
    /* a peer that never heard of the dead epoch: a gap, even at seq 1 */
    fx *peer = fx_worker(2, fx_config());
    assert_int_equal(sg_bcast_on_message(peer->b, peer->now, &h, 8), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(peer).counters.gaps_sequence, 1);
    /* a peer that saw the epoch before it end cleanly: an epoch gap (an
     * epoch it never heard of died in between) */
    fx *other = fx_worker(3, fx_config());
    sg_bcast_header bye = {.origin = 1, .kind = SG_MSG_GOODBYE, .epoch = 99, .seq = 0};
    assert_int_equal(sg_bcast_on_message(other->b, other->now, &bye, 0), SG_MSG_SKIP_GOODBYE);
    assert_int_equal(sg_bcast_on_message(other->b, other->now, &h, 8), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(other).counters.gaps_epoch, 1);
    /* negative control: a first start flags nothing, peers stay quiet */
    fx *fresh = fx_worker(4, fx_config());
    sg_bcast_header f1 = fx_sent(fresh, 1);
    assert_int_equal(f1.flags, 0);
    fx *quiet = fx_worker(5, fx_config());
    assert_int_equal(sg_bcast_on_message(quiet->b, quiet->now, &f1, 8), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(quiet).counters.gaps, 0);
    fx_free(o);
    fx_free(peer);
    fx_free(other);
    fx_free(fresh);
    fx_free(quiet);
}

static void a_quiet_reconnect_makes_the_run_blind_until_a_resync(void **state)
{
    (void)state;
    fx *f = fx_worker(1, fx_config());
    sg_bcast_on_dropped(f->b, f->now); /* heard nothing: not a gap */
    fx_advance(f, S(1));
    fx_connect(f);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    assert_int_equal(hear(f, 2, 1, 1, 0), SG_MSG_DELIVER); /* its first ever: nothing missed */
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    assert_int_equal(hear(f, 3, 1, 9, 0), SG_MSG_DELIVER); /* 1..8 may fall in the outage */
    assert_int_equal(fx_stats(f).counters.gaps_sequence, 1);
    /* the resync that follows closes every client: the run sees again */
    sg_bcast_pin(f->b, f->now); /* keeps the run going after the closes */
    fx_advance(f, S(15));
    assert_int_equal(fx_stats(f).counters.resyncs, 1);
    assert_int_equal(fx_close_clients(f, f->mark), 1);
    assert_int_equal(fx_stats(f).reader, SG_READER_READING);
    assert_int_equal(hear(f, 4, 1, 9, 0), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 1);
    fx_free(f);
}

/* An origin learned in an earlier run comes back in a new epoch at seq 1:
 * a baseline (its previous instance ended before this run, or flagged its
 * loss), unless the run is blind: then its old epoch may have published,
 * and said goodbye, while we were not listening (found by fuzz/sim_faults:
 * clients left and returned during an outage, a flap made the run's first
 * session quiet, and a peer's replay and goodbye fell in between). */
static void a_blind_run_doubts_a_known_origins_new_epoch(void **state)
{
    (void)state;
    for (int blind = 0; blind < 2; blind++) {
        sg_bcast_config c = fx_config();
        c.worker_id = 1;
        fx *f = fx_new(&c);
        sg_client_handle h = fx_client(f, 1);
        fx_connect(f);
        assert_int_equal(hear(f, 2, 1, 5, 0), SG_MSG_DELIVER); /* origin 2 learned, epoch 1 */
        assert_int_equal(sg_bcast_client_unregister(f->b, f->now, h), SG_OK);
        fx_drain(f);
        assert_int_equal(fx_stats(f).reader, SG_READER_IDLE);
        (void)fx_client(f, 2); /* a new run: its first subscription rebases origin 2 */
        fx_connect(f);
        if (blind) {
            sg_bcast_on_dropped(f->b, f->now); /* heard nothing: a quiet reconnect */
            fx_advance(f, S(1));
            fx_connect(f);
        }
        assert_int_equal(fx_stats(f).counters.gaps, 0);
        assert_int_equal(hear(f, 2, 2, 1, 0), SG_MSG_DELIVER);
        assert_int_equal(fx_stats(f).counters.gaps_epoch, blind ? 1 : 0);
        assert_int_equal(fx_stats(f).counters.gaps, blind ? 1 : 0);
        fx_free(f);
    }
}

static void the_first_session_of_a_run_is_not_blind(void **state)
{
    (void)state;
    fx *f = fx_worker(1, fx_config());
    assert_int_equal(hear(f, 3, 1, 9, 0), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(f).counters.gaps, 0);
    fx_free(f);
}

static void flags_round_trip_and_unknown_ones_are_rejected(void **state)
{
    (void)state;
    sg_bcast_header h = {.origin = 1, .kind = SG_MSG_DATA, .epoch = 2, .seq = 3, .flags = SG_MSG_FLAG_AFTER_LOSS};
    uint8_t wire[SG_BCAST_HEADER_BYTES];
    sg_bcast_header_encode(&h, wire);
    sg_bcast_header back;
    sg_error err = {{0}};
    assert_int_equal(sg_bcast_header_decode(wire, sizeof wire, &back, &err), SG_OK);
    assert_int_equal(back.flags, SG_MSG_FLAG_AFTER_LOSS);
    wire[9] = 0x02;
    assert_int_equal(sg_bcast_header_decode(wire, sizeof wire, &back, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "header.flags"));
    wire[9] = 0;
    wire[10] = 1;
    assert_int_equal(sg_bcast_header_decode(wire, sizeof wire, &back, &err), SG_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_flagged_first_message_is_a_gap_an_unflagged_one_is_not),
        cmocka_unit_test(the_origin_flags_its_first_message_after_a_loss),
        cmocka_unit_test(a_session_that_sent_and_ended_flags_the_next_message),
        cmocka_unit_test(a_failed_send_of_the_flagged_number_keeps_the_flag),
        cmocka_unit_test(an_instance_after_an_unclean_exit_flags_its_first_message),
        cmocka_unit_test(a_quiet_reconnect_makes_the_run_blind_until_a_resync),
        cmocka_unit_test(a_blind_run_doubts_a_known_origins_new_epoch),
        cmocka_unit_test(the_first_session_of_a_run_is_not_blind),
        cmocka_unit_test(flags_round_trip_and_unknown_ones_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

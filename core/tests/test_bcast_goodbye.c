/*
 * test_bcast_goodbye.c - telling a crash from a clean restart (swarm
 * class B).  A worker that crashes loses what it had buffered, and its
 * next epoch starts at seq 1 exactly like a graceful restart; before the
 * goodbye, peers took both for a clean restart and never resynced.  Now a
 * graceful shutdown publishes a goodbye carrying the epoch's last DATA
 * number: a new epoch after a complete goodbye is no gap (a rolling
 * restart of the fleet resyncs nobody), anything else is an epoch gap.
 */
#include "bcast_fixture.h"

/* A connected worker with one client, in its epoch `epoch`. */
static fx *worker(uint32_t id, uint64_t epoch)
{
    sg_bcast_config c = fx_config();
    c.epoch = epoch;
    return fx_worker(id, c);
}

/* Publishes straight out and relays it to `peer` (if any). */
static void publish_to(fx *o, fx *peer, uint8_t tag)
{
    sg_bcast_header h = fx_sent(o, tag);
    if (peer != NULL) {
        assert_int_equal(fx_relay(peer, &h), SG_MSG_DELIVER);
    }
}

/* The origin says goodbye; returns the header it asks to publish. */
static sg_bcast_header goodbye_of(fx *o)
{
    size_t from = o->n;
    sg_bcast_goodbye(o->b, o->now);
    assert_int_equal(fx_count_from(o, from, SG_ACT_GOODBYE), 1);
    const sg_bcast_action *a = fx_last(o, SG_ACT_GOODBYE);
    assert_int_equal(a->u.goodbye.header.kind, SG_MSG_GOODBYE);
    return a->u.goodbye.header;
}

static void a_crash_is_an_epoch_gap_at_the_peer(void **state)
{
    (void)state;
    fx *o = worker(1, 10);
    fx *peer = worker(2, 20);
    publish_to(o, peer, 1);
    publish_to(o, peer, 2);
    fx_free(o); /* crashed: no goodbye */
    fx *again = worker(1, 11);
    publish_to(again, peer, 3); /* seq 1 of the new epoch */
    sg_bcast_stats s = fx_stats(peer);
    assert_int_equal(s.counters.gaps_epoch, 1);
    assert_int_equal(s.counters.peer_restarts_clean, 0);
    assert_int_equal(s.recovery, SG_RECOVERY_SETTLING); /* the peer resyncs its clients */
    assert_int_equal(fx_notes_since(peer, SG_NOTE_GAP_EPOCH), 1);
    fx_free(again);
    fx_free(peer);
}

static void a_graceful_restart_is_no_gap(void **state)
{
    (void)state;
    fx *o = worker(1, 10);
    fx *peer = worker(2, 20);
    publish_to(o, peer, 1);
    publish_to(o, peer, 2);
    sg_bcast_header bye = goodbye_of(o);
    assert_int_equal(bye.origin, 1);
    assert_int_equal(bye.epoch, 10);
    assert_int_equal(bye.seq, 2);
    assert_int_equal(fx_relay(o, &bye), SG_MSG_SKIP_GOODBYE); /* its own echo: nothing */
    assert_int_equal(fx_relay(peer, &bye), SG_MSG_SKIP_GOODBYE);
    fx_free(o);
    fx *again = worker(1, 11);
    publish_to(again, peer, 3);
    sg_bcast_stats s = fx_stats(peer);
    assert_int_equal(s.counters.gaps, 0);
    assert_int_equal(s.counters.goodbyes_seen, 1);
    assert_int_equal(s.counters.peer_restarts_clean, 1);
    assert_int_equal(s.recovery, SG_RECOVERY_NONE);
    assert_int_equal(fx_stats(again).counters.goodbyes_sent, 0);
    fx_free(again);
    fx_free(peer);
}

static void a_goodbye_counts_what_dies_in_the_buffer(void **state)
{
    (void)state;
    fx *o = worker(1, 10);
    fx *peer = worker(2, 20);
    publish_to(o, peer, 1);
    /* the origin loses its backbone with two publishes buffered, then is
     * stopped gracefully: its goodbye still reaches the peer (another
     * connection, or the backbone came back just in time) */
    sg_bcast_on_dropped(o->b, o->now);
    assert_int_equal(fx_publish(o, 2, 8).verdict, SG_PUBLISH_BUFFERED);
    assert_int_equal(fx_publish(o, 3, 8).verdict, SG_PUBLISH_BUFFERED);
    sg_bcast_header bye = goodbye_of(o);
    assert_int_equal(bye.seq, 3);
    assert_int_equal(fx_relay(peer, &bye), SG_MSG_SKIP_GOODBYE);
    sg_bcast_stats s = fx_stats(peer);
    assert_int_equal(s.counters.gaps_sequence, 1); /* 2 and 3 never arrive */
    bool noted = false;
    for (size_t i = peer->mark; i < peer->n; i++) {
        const sg_bcast_action *a = &peer->log[i];
        if (a->kind == SG_ACT_NOTE && a->u.note.note == SG_NOTE_GAP_SEQUENCE) {
            assert_int_equal(a->u.note.value, 2);
            assert_int_equal(a->u.note.peer, 1);
            noted = true;
        }
    }
    assert_true(noted);
    fx_free(o);
    /* the gap was reported once: the new epoch itself is clean */
    fx *again = worker(1, 11);
    publish_to(again, peer, 4);
    assert_int_equal(fx_stats(peer).counters.gaps, 1);
    fx_free(again);
    fx_free(peer);
}

static void a_lost_goodbye_or_data_after_it_is_an_epoch_gap(void **state)
{
    (void)state;
    fx *peer = worker(2, 20);
    sg_bcast_header h = {.origin = 1, .kind = SG_MSG_DATA, .epoch = 10, .seq = 1};
    assert_int_equal(fx_relay(peer, &h), SG_MSG_DELIVER);
    sg_bcast_header bye = {.origin = 1, .kind = SG_MSG_GOODBYE, .epoch = 10, .seq = 1};
    assert_int_equal(fx_relay(peer, &bye), SG_MSG_SKIP_GOODBYE);
    h.seq = 2; /* the epoch went on after its goodbye: no longer clean */
    assert_int_equal(fx_relay(peer, &h), SG_MSG_DELIVER);
    h.epoch = 11;
    h.seq = 1;
    assert_int_equal(fx_relay(peer, &h), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(peer).counters.gaps_epoch, 1);
    fx_free(peer);
}

static void an_unknown_origins_goodbye_is_a_baseline(void **state)
{
    (void)state;
    fx *peer = worker(2, 20);
    sg_bcast_header bye = {.origin = 7, .kind = SG_MSG_GOODBYE, .epoch = 3, .seq = 40};
    assert_int_equal(fx_relay(peer, &bye), SG_MSG_SKIP_GOODBYE);
    sg_bcast_header h = {.origin = 7, .kind = SG_MSG_DATA, .epoch = 4, .seq = 1};
    assert_int_equal(fx_relay(peer, &h), SG_MSG_DELIVER);
    assert_int_equal(fx_stats(peer).counters.gaps, 0);
    /* a goodbye for an epoch we never heard of, after a clean one: its
     * messages were all missed */
    bye.epoch = 5;
    bye.seq = 2;
    assert_int_equal(fx_relay(peer, &bye), SG_MSG_SKIP_GOODBYE);
    assert_int_equal(fx_stats(peer).counters.gaps_epoch, 1);
    fx_free(peer);
}

/* Publishes on w[i] and relays it to every other worker. */
static void publish_fleet(fx **w, uint32_t n, uint32_t i, uint8_t tag)
{
    sg_bcast_header h = fx_sent(w[i], tag);
    for (uint32_t k = 0; k < n; k++) {
        if (k != i) {
            assert_int_equal(fx_relay(w[k], &h), SG_MSG_DELIVER);
        }
    }
}

/* Three workers restart one after the other, each gracefully, while all
 * of them keep publishing: nobody resyncs (the rolling-restart property).
 * Negative control: the same fleet with crashes resyncs at every restart. */
static uint64_t rolling_restart(bool graceful)
{
    enum { N = 3 };
    fx *w[N];
    uint64_t epoch[N] = {10, 20, 30};
    uint64_t gaps = 0;
    for (uint32_t i = 0; i < N; i++) {
        w[i] = worker(i + 1, epoch[i]);
    }
    for (uint32_t r = 0; r < N; r++) {
        for (uint32_t i = 0; i < N; i++) {
            publish_fleet(w, N, i, (uint8_t)(r * N + i));
        }
        if (graceful) {
            sg_bcast_header bye = goodbye_of(w[r]);
            for (uint32_t k = 0; k < N; k++) {
                if (k != r) {
                    assert_int_equal(fx_relay(w[k], &bye), SG_MSG_SKIP_GOODBYE);
                }
            }
        }
        gaps += fx_stats(w[r]).counters.gaps;
        fx_free(w[r]);
        w[r] = worker(r + 1, ++epoch[r]);
        publish_fleet(w, N, r, 0xee);
    }
    for (uint32_t i = 0; i < N; i++) {
        gaps += fx_stats(w[i]).counters.gaps;
        fx_free(w[i]);
    }
    return gaps;
}

static void a_rolling_restart_of_the_fleet_resyncs_nobody(void **state)
{
    (void)state;
    assert_int_equal(rolling_restart(true), 0);
    assert_int_equal(rolling_restart(false), 6); /* each crash: a gap at both peers */
}

static void the_goodbye_header_round_trips(void **state)
{
    (void)state;
    sg_bcast_header h = {.origin = 9, .kind = SG_MSG_GOODBYE, .epoch = 77, .seq = 123};
    uint8_t wire[SG_BCAST_HEADER_BYTES];
    sg_bcast_header_encode(&h, wire);
    sg_bcast_header back;
    sg_error err = {{0}};
    assert_int_equal(sg_bcast_header_decode(wire, sizeof wire, &back, &err), SG_OK);
    assert_int_equal(back.kind, SG_MSG_GOODBYE);
    assert_int_equal(back.seq, 123);
    wire[8] = 4; /* still the only kinds */
    assert_int_equal(sg_bcast_header_decode(wire, sizeof wire, &back, &err), SG_E_INVALID);
    assert_string_equal(sg_bcast_action_name(SG_ACT_GOODBYE), "goodbye");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_crash_is_an_epoch_gap_at_the_peer),
        cmocka_unit_test(a_graceful_restart_is_no_gap),
        cmocka_unit_test(a_goodbye_counts_what_dies_in_the_buffer),
        cmocka_unit_test(a_lost_goodbye_or_data_after_it_is_an_epoch_gap),
        cmocka_unit_test(an_unknown_origins_goodbye_is_a_baseline),
        cmocka_unit_test(a_rolling_restart_of_the_fleet_resyncs_nobody),
        cmocka_unit_test(the_goodbye_header_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

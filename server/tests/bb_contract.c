/*
 * bb_contract.c - what every backbone adapter must do, as tests shared by
 * the suites test_backbone_redis.c, _postgres.c and _kafka.c: each suite
 * fills `bbc` (its adapter, the kind ci/backbone starts, a URI pattern)
 * and lists these tests next to its own.  One behaviour per test, against
 * the real server the suite's group setup started.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bb_contract.h"

bbc_suite bbc;
bbh_server bbc_server;

int bbc_group_setup(void **state)
{
    (void)state;
    return bbh_server_start(&bbc_server, bbc.kind) ? 0 : -1;
}

int bbc_group_teardown(void **state)
{
    (void)state;
    bbh_server_destroy(&bbc_server);
    return 0;
}

fixture *fixture_new(const char *uri, sd_backbone_limits limits)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    uv_loop_init(&f->loop);
    sd_backbone_events ev = bbh_events(&f->rec);
    sg_error err;
    assert_int_equal(bbc.ops->create(&f->loop, uri, &limits, &ev, &f->bb, &err), SG_OK);
    return f;
}

void fixture_free(fixture *f)
{
    bbh_destroy(&f->loop, bbc.ops, f->bb);
    assert_int_equal(f->rec.callbacks_in_call, 0);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    bbh_recorder_reset(&f->rec);
    free(f);
}

void connect_and_subscribe(fixture *f)
{
    size_t c = bbh_count(&f->rec, BBH_CONNECTED), s = bbh_count(&f->rec, BBH_SUBSCRIBED);
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->connect(f->bb, MS(2000)));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_CONNECTED, c + 1, WAIT_MS));
    BBH_CALL(&f->rec, st = bbc.ops->subscribe(f->bb));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_SUBSCRIBED, s + 1, WAIT_MS));
}

sg_status publish_data(fixture *f, uint64_t seq, const char *topic, const char *payload)
{
    uint8_t msg[4096];
    size_t n = bbh_data_message(msg, sizeof msg, 1, seq, topic, payload);
    assert_true(n > 0);
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->publish(f->bb, SD_PUBLISH_LIVE, msg, n));
    return st;
}

void fetch(fixture *f, const char *topic)
{
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->fetch_state(f->bb, topic, strlen(topic), 1, bbh_on_state, &f->rec));
    assert_int_equal(st, SG_OK);
}

/* Two instances: a publish reaches both (own echo included), its result
 * comes back ok, and the topic's state is stored for a later fetch. */
void test_publish_reaches_peers_and_stores_state(void **state)
{
    (void)state;
    fixture *a = fixture_new(bbc_server.uri, bbh_limits());
    fixture *b = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(a);
    connect_and_subscribe(b);
    assert_int_equal(publish_data(a, 1, "prices", "{\"eur\":1.08}"), SG_OK);
    assert_true(bbh_wait(&a->loop, &a->rec, BBH_PUBLISH_DONE, 1, WAIT_MS));
    assert_true(bbh_nth(&a->rec, BBH_PUBLISH_DONE, 0)->ok);
    assert_true(bbh_wait(&b->loop, &b->rec, BBH_MESSAGE, 1, WAIT_MS));
    assert_true(bbh_wait(&a->loop, &a->rec, BBH_MESSAGE, 1, WAIT_MS));
    const bbh_event *m = bbh_nth(&b->rec, BBH_MESSAGE, 0);
    assert_int_equal(m->len, bbh_nth(&a->rec, BBH_PUBLISH_DONE, 0)->len);
    assert_memory_equal(m->data, bbh_nth(&a->rec, BBH_PUBLISH_DONE, 0)->data, m->len);

    fetch(b, "prices");
    fetch(b, "never-published");
    assert_true(bbh_wait(&b->loop, &b->rec, BBH_STATE, 2, WAIT_MS));
    const bbh_event *s0 = bbh_nth(&b->rec, BBH_STATE, 0), *s1 = bbh_nth(&b->rec, BBH_STATE, 1);
    assert_int_equal(s0->st, SG_OK);
    assert_string_equal((const char *)s0->data, "{\"eur\":1.08}");
    assert_int_equal(s1->st, SG_OK);
    assert_false(s1->has_state);
    fixture_free(a);
    fixture_free(b);
}

/* Heartbeats travel like data but store nothing. */
void test_heartbeat_is_carried_without_state(void **state)
{
    (void)state;
    fixture *f = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(f);
    uint8_t msg[64];
    size_t n = bbh_heartbeat_message(msg, sizeof msg, 9, 1);
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->publish(f->bb, SD_PUBLISH_HEARTBEAT, msg, n));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_MESSAGE, 1, WAIT_MS));
    assert_int_equal(bbh_nth(&f->rec, BBH_MESSAGE, 0)->len, n);
    fixture_free(f);
}

/* Rule: nothing calls back from inside connect/publish/disconnect, and a
 * publish pending at disconnect still gets its one result afterwards. */
void test_no_callback_inside_calls_and_every_publish_answered(void **state)
{
    (void)state;
    fixture *f = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(f);
    assert_int_equal(publish_data(f, 1, "t", "1"), SG_OK);
    assert_int_equal(publish_data(f, 2, "t", "2"), SG_OK);
    BBH_CALL(&f->rec, bbc.ops->disconnect(f->bb));
    assert_int_equal(bbh_count(&f->rec, BBH_PUBLISH_DONE), 0);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_PUBLISH_DONE, 2, WAIT_MS));
    bbh_spin(&f->loop, 100);
    assert_int_equal(bbh_count(&f->rec, BBH_PUBLISH_DONE), 2);
    assert_int_equal(bbh_count(&f->rec, BBH_DROPPED), 0); /* a disconnect is silent */
    assert_int_equal(f->rec.callbacks_in_call, 0);
    fixture_free(f);
}

void test_connect_refused_fails_with_the_reason(void **state)
{
    (void)state;
    char uri[256];
    snprintf(uri, sizeof uri, "%s%d%s", bbc.uri_head, 1, bbc.uri_tail);
    fixture *f = fixture_new(uri, bbh_limits());
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->connect(f->bb, MS(2000)));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_CONNECT_FAILED, 1, WAIT_MS));
    assert_non_null(strstr(bbh_nth(&f->rec, BBH_CONNECT_FAILED, 0)->why, bbc.refused_text));
    assert_int_equal(bbh_count(&f->rec, BBH_CONNECTED), 0);
    fixture_free(f);
}

/* hiredis 0.14 has no async timeout: a server that accepts TCP and never
 * answers must still fail the attempt, by the adapter's own timer. */
void test_silent_server_fails_by_the_connect_timer(void **state)
{
    (void)state;
    int hole = -1;
    int port = bbh_blackhole_open(&hole);
    assert_true(port > 0);
    char uri[256];
    snprintf(uri, sizeof uri, "%s%d%s", bbc.uri_head, port, bbc.uri_tail);
    fixture *f = fixture_new(uri, bbh_limits());
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->connect(f->bb, MS(300)));
    assert_int_equal(st, SG_OK);
    bbh_spin(&f->loop, 150);
    assert_int_equal(bbh_count(&f->rec, BBH_CONNECT_FAILED), 0);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_CONNECT_FAILED, 1, WAIT_MS));
    const char *why = bbh_nth(&f->rec, BBH_CONNECT_FAILED, 0)->why;
    if (strstr(why, bbc.timeout_text) == NULL) {
        fail_msg("connect failed for another reason: %s", why);
    }
    fixture_free(f);
    close(hole);
}

/* kill -9 mid-session: a drop is reported; after the restart a new session
 * works and the state written before the kill is still the truth. */
void test_kill_reports_drop_and_state_survives_restart(void **state)
{
    (void)state;
    fixture *f = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(f);
    assert_int_equal(publish_data(f, 1, "durable", "{\"v\":42}"), SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_PUBLISH_DONE, 1, WAIT_MS));
    assert_true(bbh_server_op(&bbc_server, "kill"));
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_DROPPED, 1, WAIT_MS));
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->fetch_state(f->bb, "durable", 7, 1, bbh_on_state, &f->rec));
    assert_int_equal(st, SG_E_STATE); /* no session: the driver answers its client itself */
    assert_true(bbh_server_op(&bbc_server, "restart"));
    connect_and_subscribe(f);
    fetch(f, "durable");
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_STATE, 1, WAIT_MS));
    assert_string_equal((const char *)bbh_nth(&f->rec, BBH_STATE, 0)->data, "{\"v\":42}");
    fixture_free(f);
}

/* A frozen server: a publish written to it has an unknown fate, so when
 * the session is ended it is reported sent (bcast.h), never failed. */
void test_publish_to_a_frozen_server_is_reported_sent(void **state)
{
    (void)state;
    fixture *f = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(f);
    assert_true(bbh_server_op(&bbc_server, "stop"));
    assert_int_equal(publish_data(f, 1, "frozen", "1"), SG_OK);
    bbh_spin(&f->loop, 200);
    assert_int_equal(bbh_count(&f->rec, BBH_PUBLISH_DONE), 0);
    BBH_CALL(&f->rec, bbc.ops->disconnect(f->bb));
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_PUBLISH_DONE, 1, WAIT_MS));
    assert_true(bbh_nth(&f->rec, BBH_PUBLISH_DONE, 0)->ok);
    assert_true(bbh_server_op(&bbc_server, "cont"));
    fixture_free(f);
}

void test_inject_drop_then_reconnect(void **state)
{
    (void)state;
    fixture *f = fixture_new(bbc_server.uri, bbh_limits());
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->inject_drop(f->bb));
    assert_int_equal(st, SG_E_STATE);
    connect_and_subscribe(f);
    BBH_CALL(&f->rec, st = bbc.ops->inject_drop(f->bb));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_DROPPED, 1, WAIT_MS));
    sd_backbone_stats s;
    bbc.ops->stats(f->bb, &s);
    assert_false(s.connected);
    connect_and_subscribe(f);
    bbc.ops->stats(f->bb, &s);
    assert_true(s.subscribed);
    assert_true(s.fd >= 0);
    fixture_free(f);
}

void test_publish_refusals(void **state)
{
    (void)state;
    sd_backbone_limits lim = bbh_limits();
    lim.queue_items_max = 2;
    fixture *f = fixture_new(bbc_server.uri, lim);
    assert_int_equal(publish_data(f, 1, "t", "1"), SG_E_STATE); /* not connected */
    connect_and_subscribe(f);
    size_t big_len = (size_t)bbc.ops->payload_max(f->bb) + 1;
    uint8_t *big = calloc(1, big_len);
    assert_non_null(big);
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = bbc.ops->publish(f->bb, SD_PUBLISH_LIVE, big, big_len));
    free(big);
    assert_int_equal(st, SG_E_TOO_BIG);
    assert_int_equal(publish_data(f, 1, "t", "1"), SG_OK);
    assert_int_equal(publish_data(f, 2, "t", "2"), SG_OK);
    assert_int_equal(publish_data(f, 3, "t", "3"), SG_E_FULL); /* two await their reply */
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_PUBLISH_DONE, 2, WAIT_MS));
    assert_int_equal(publish_data(f, 3, "t", "3"), SG_OK);
    fixture_free(f);
}


/*
 * test_backbone_redis.c - the redis:// adapter against a real redis-server
 * that ci/backbone starts on a free loopback port (and kills, restarts and
 * freezes): what the driver relies on, one behaviour per test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "backbone_net.h"
#include "bb_harness.h"
#include "redis_link.h"
#include "test_util.h"

#define WAIT_MS 5000

static const sd_backbone_ops *const ops = &sd_backbone_redis;
static bbh_server server;

typedef struct fixture {
    uv_loop_t loop;
    bbh_recorder rec;
    sd_backbone *bb;
} fixture;

static int group_setup(void **state)
{
    (void)state;
    return bbh_server_start(&server, "redis") ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    bbh_server_destroy(&server);
    return 0;
}

static fixture *fixture_new(const char *uri, sd_backbone_limits limits)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    uv_loop_init(&f->loop);
    sd_backbone_events ev = bbh_events(&f->rec);
    sg_error err;
    assert_int_equal(ops->create(&f->loop, uri, &limits, &ev, &f->bb, &err), SG_OK);
    return f;
}

static void fixture_free(fixture *f)
{
    bbh_destroy(&f->loop, ops, f->bb);
    assert_int_equal(f->rec.callbacks_in_call, 0);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    bbh_recorder_reset(&f->rec);
    free(f);
}

static void connect_and_subscribe(fixture *f)
{
    size_t c = bbh_count(&f->rec, BBH_CONNECTED), s = bbh_count(&f->rec, BBH_SUBSCRIBED);
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->connect(f->bb, MS(2000)));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_CONNECTED, c + 1, WAIT_MS));
    BBH_CALL(&f->rec, st = ops->subscribe(f->bb));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_SUBSCRIBED, s + 1, WAIT_MS));
}

static sg_status publish_data(fixture *f, uint64_t seq, const char *topic, const char *payload)
{
    uint8_t msg[4096];
    size_t n = bbh_data_message(msg, sizeof msg, 1, seq, topic, payload);
    assert_true(n > 0);
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->publish(f->bb, SD_PUBLISH_LIVE, msg, n));
    return st;
}

static void fetch(fixture *f, const char *topic)
{
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->fetch_state(f->bb, topic, strlen(topic), 1, bbh_on_state, &f->rec));
    assert_int_equal(st, SG_OK);
}

/* Two instances: a publish reaches both (own echo included), its result
 * comes back ok, and the topic's state is stored for a later fetch. */
static void test_publish_reaches_peers_and_stores_state(void **state)
{
    (void)state;
    fixture *a = fixture_new(server.uri, bbh_limits());
    fixture *b = fixture_new(server.uri, bbh_limits());
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
static void test_heartbeat_is_carried_without_state(void **state)
{
    (void)state;
    fixture *f = fixture_new(server.uri, bbh_limits());
    connect_and_subscribe(f);
    uint8_t msg[64];
    size_t n = bbh_heartbeat_message(msg, sizeof msg, 9, 1);
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->publish(f->bb, SD_PUBLISH_HEARTBEAT, msg, n));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_MESSAGE, 1, WAIT_MS));
    assert_int_equal(bbh_nth(&f->rec, BBH_MESSAGE, 0)->len, n);
    fixture_free(f);
}

/* Rule: nothing calls back from inside connect/publish/disconnect, and a
 * publish pending at disconnect still gets its one result afterwards. */
static void test_no_callback_inside_calls_and_every_publish_answered(void **state)
{
    (void)state;
    fixture *f = fixture_new(server.uri, bbh_limits());
    connect_and_subscribe(f);
    assert_int_equal(publish_data(f, 1, "t", "1"), SG_OK);
    assert_int_equal(publish_data(f, 2, "t", "2"), SG_OK);
    BBH_CALL(&f->rec, ops->disconnect(f->bb));
    assert_int_equal(bbh_count(&f->rec, BBH_PUBLISH_DONE), 0);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_PUBLISH_DONE, 2, WAIT_MS));
    bbh_spin(&f->loop, 100);
    assert_int_equal(bbh_count(&f->rec, BBH_PUBLISH_DONE), 2);
    assert_int_equal(bbh_count(&f->rec, BBH_DROPPED), 0); /* a disconnect is silent */
    assert_int_equal(f->rec.callbacks_in_call, 0);
    fixture_free(f);
}

static void test_connect_refused_fails_with_the_reason(void **state)
{
    (void)state;
    fixture *f = fixture_new("redis://127.0.0.1:1", bbh_limits());
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->connect(f->bb, MS(2000)));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_CONNECT_FAILED, 1, WAIT_MS));
    assert_non_null(strstr(bbh_nth(&f->rec, BBH_CONNECT_FAILED, 0)->why, "127.0.0.1:1"));
    assert_int_equal(bbh_count(&f->rec, BBH_CONNECTED), 0);
    fixture_free(f);
}

/* hiredis 0.14 has no async timeout: a server that accepts TCP and never
 * answers must still fail the attempt, by the adapter's own timer. */
static void test_silent_server_fails_by_the_connect_timer(void **state)
{
    (void)state;
    int hole = -1;
    int port = bbh_blackhole_open(&hole);
    assert_true(port > 0);
    char uri[64];
    snprintf(uri, sizeof uri, "redis://127.0.0.1:%d", port);
    fixture *f = fixture_new(uri, bbh_limits());
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->connect(f->bb, MS(300)));
    assert_int_equal(st, SG_OK);
    bbh_spin(&f->loop, 150);
    assert_int_equal(bbh_count(&f->rec, BBH_CONNECT_FAILED), 0);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_CONNECT_FAILED, 1, WAIT_MS));
    assert_non_null(strstr(bbh_nth(&f->rec, BBH_CONNECT_FAILED, 0)->why, "timeout"));
    fixture_free(f);
    close(hole);
}

/* kill -9 mid-session: a drop is reported; after the restart a new session
 * works and the state written before the kill is still the truth. */
static void test_kill_reports_drop_and_state_survives_restart(void **state)
{
    (void)state;
    fixture *f = fixture_new(server.uri, bbh_limits());
    connect_and_subscribe(f);
    assert_int_equal(publish_data(f, 1, "durable", "{\"v\":42}"), SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_PUBLISH_DONE, 1, WAIT_MS));
    assert_true(bbh_server_op(&server, "kill"));
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_DROPPED, 1, WAIT_MS));
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->fetch_state(f->bb, "durable", 7, 1, bbh_on_state, &f->rec));
    assert_int_equal(st, SG_E_STATE); /* no session: the driver answers its client itself */
    assert_true(bbh_server_op(&server, "restart"));
    connect_and_subscribe(f);
    fetch(f, "durable");
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_STATE, 1, WAIT_MS));
    assert_string_equal((const char *)bbh_nth(&f->rec, BBH_STATE, 0)->data, "{\"v\":42}");
    fixture_free(f);
}

/* A frozen server: a publish written to it has an unknown fate, so when
 * the session is ended it is reported sent (bcast.h), never failed. */
static void test_publish_to_a_frozen_server_is_reported_sent(void **state)
{
    (void)state;
    fixture *f = fixture_new(server.uri, bbh_limits());
    connect_and_subscribe(f);
    assert_true(bbh_server_op(&server, "stop"));
    assert_int_equal(publish_data(f, 1, "frozen", "1"), SG_OK);
    bbh_spin(&f->loop, 200);
    assert_int_equal(bbh_count(&f->rec, BBH_PUBLISH_DONE), 0);
    BBH_CALL(&f->rec, ops->disconnect(f->bb));
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_PUBLISH_DONE, 1, WAIT_MS));
    assert_true(bbh_nth(&f->rec, BBH_PUBLISH_DONE, 0)->ok);
    assert_true(bbh_server_op(&server, "cont"));
    fixture_free(f);
}

static void test_inject_drop_then_reconnect(void **state)
{
    (void)state;
    fixture *f = fixture_new(server.uri, bbh_limits());
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->inject_drop(f->bb));
    assert_int_equal(st, SG_E_STATE);
    connect_and_subscribe(f);
    BBH_CALL(&f->rec, st = ops->inject_drop(f->bb));
    assert_int_equal(st, SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_DROPPED, 1, WAIT_MS));
    sd_backbone_stats s;
    ops->stats(f->bb, &s);
    assert_false(s.connected);
    connect_and_subscribe(f);
    ops->stats(f->bb, &s);
    assert_true(s.subscribed);
    assert_true(s.fd >= 0);
    fixture_free(f);
}

static void test_publish_refusals(void **state)
{
    (void)state;
    sd_backbone_limits lim = bbh_limits();
    lim.queue_items_max = 2;
    fixture *f = fixture_new(server.uri, lim);
    assert_int_equal(publish_data(f, 1, "t", "1"), SG_E_STATE); /* not connected */
    connect_and_subscribe(f);
    static uint8_t big[(4u << 20) + 1];
    sg_status st = SG_OK;
    BBH_CALL(&f->rec, st = ops->publish(f->bb, SD_PUBLISH_LIVE, big, sizeof big));
    assert_int_equal(st, SG_E_TOO_BIG);
    assert_int_equal(publish_data(f, 1, "t", "1"), SG_OK);
    assert_int_equal(publish_data(f, 2, "t", "2"), SG_OK);
    assert_int_equal(publish_data(f, 3, "t", "3"), SG_E_FULL); /* two await their reply */
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_PUBLISH_DONE, 2, WAIT_MS));
    assert_int_equal(publish_data(f, 3, "t", "3"), SG_OK);
    fixture_free(f);
}

static void test_uri_errors_name_the_problem(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"redis://", "host"},
        {"redis://h:0", "port"},
        {"redis://h:99999", "port"},
        {"redis://h/x", "database"},
        {"redis://h?colour=red", "colour"},
        {"redis://h?prefix=", "prefix"},
    };
    uv_loop_t loop;
    uv_loop_init(&loop);
    bbh_recorder rec;
    memset(&rec, 0, sizeof rec);
    sd_backbone_events ev = bbh_events(&rec);
    sd_backbone_limits lim = bbh_limits();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sd_backbone *bb = NULL;
        sg_error err;
        assert_int_equal(ops->create(&loop, bad[i][0], &lim, &ev, &bb, &err), SG_E_INVALID);
        assert_null(bb);
        assert_non_null(strstr(err.msg, bad[i][1]));
    }
    sd_backbone *bb = NULL;
    sg_error err;
    assert_int_equal(ops->create(&loop, "redis://127.0.0.1:6390/3?prefix=fleet", &lim, &ev, &bb, &err), SG_OK);
    bbh_destroy(&loop, ops, bb);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* The fate of commands pending when a connection dies: only those whose
 * bytes all left may have run. */
static void test_written_accounting(void **state)
{
    (void)state;
    rl_cmd c[3];
    memset(c, 0, sizeof c);
    c[0].wire_len = 10;
    c[1].wire_len = 20;
    c[2].wire_len = 30;
    c[0].next = &c[1];
    c[1].next = &c[2];
    redis_link_mark_written(c, 0);
    assert_true(c[0].written && c[1].written && c[2].written);
    redis_link_mark_written(c, 30);
    assert_true(c[0].written && c[1].written);
    assert_false(c[2].written);
    redis_link_mark_written(c, 31); /* one byte of the second still unwritten */
    assert_true(c[0].written);
    assert_false(c[1].written || c[2].written);
    redis_link_mark_written(c, 1000);
    assert_false(c[0].written || c[1].written || c[2].written);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_reaches_peers_and_stores_state),
        cmocka_unit_test(test_heartbeat_is_carried_without_state),
        cmocka_unit_test(test_no_callback_inside_calls_and_every_publish_answered),
        cmocka_unit_test(test_connect_refused_fails_with_the_reason),
        cmocka_unit_test(test_silent_server_fails_by_the_connect_timer),
        cmocka_unit_test(test_kill_reports_drop_and_state_survives_restart),
        cmocka_unit_test(test_publish_to_a_frozen_server_is_reported_sent),
        cmocka_unit_test(test_inject_drop_then_reconnect),
        cmocka_unit_test(test_publish_refusals),
        cmocka_unit_test(test_uri_errors_name_the_problem),
        cmocka_unit_test(test_written_accounting),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

/*
 * test_backbone_kafka.c - the kafka:// adapter against librdkafka's mock
 * cluster, hosted by the kafka_mock helper that ci/backbone starts (its
 * "kill" takes the broker down, "restart" brings it back with the log
 * kept): the shared adapter contract (bb_contract.c) plus what is Kafka's
 * own: a new instance replays the log into its state view before it says
 * subscribed, and a consumer resumes from its offset after a gap.
 */
#include <stdio.h>
#include <stdlib.h>

#include "backbone_net.h"
#include "bb_contract.h"

static const sd_backbone_ops *const ops = &sd_backbone_kafka;

/* History is state, not updates: a late joiner's view has every topic's
 * last value before it reports subscribed, and it hears none of it again. */
static void test_new_instance_replays_the_log_into_its_view(void **state)
{
    (void)state;
    fixture *a = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(a);
    assert_int_equal(publish_data(a, 1, "replay.x", "1"), SG_OK);
    assert_int_equal(publish_data(a, 2, "replay.x", "2"), SG_OK);
    assert_int_equal(publish_data(a, 3, "replay.y", "\"last\""), SG_OK);
    assert_true(bbh_wait(&a->loop, &a->rec, BBH_PUBLISH_DONE, 3, WAIT_MS));
    fixture *b = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(b);
    fetch(b, "replay.x");
    fetch(b, "replay.y");
    assert_true(bbh_wait(&b->loop, &b->rec, BBH_STATE, 2, WAIT_MS));
    assert_string_equal((const char *)bbh_nth(&b->rec, BBH_STATE, 0)->data, "2");
    assert_string_equal((const char *)bbh_nth(&b->rec, BBH_STATE, 1)->data, "\"last\"");
    bbh_spin(&b->loop, 200);
    assert_int_equal(bbh_count(&b->rec, BBH_MESSAGE), 0);
    fixture_free(a);
    fixture_free(b);
}

/* Records written while an instance had no session reach it as updates
 * once it subscribes again: it resumes from its offset. */
static void test_consumer_resumes_from_its_offset(void **state)
{
    (void)state;
    fixture *a = fixture_new(bbc_server.uri, bbh_limits());
    fixture *b = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(a);
    connect_and_subscribe(b);
    BBH_CALL(&b->rec, ops->disconnect(b->bb));
    assert_int_equal(publish_data(a, 1, "gap", "\"during\""), SG_OK);
    assert_int_equal(publish_data(a, 2, "gap", "\"after\""), SG_OK);
    assert_true(bbh_wait(&a->loop, &a->rec, BBH_PUBLISH_DONE, 2, WAIT_MS));
    bbh_spin(&b->loop, 200);
    size_t before = bbh_count(&b->rec, BBH_MESSAGE);
    connect_and_subscribe(b);
    assert_true(bbh_wait(&b->loop, &b->rec, BBH_MESSAGE, before + 2, WAIT_MS));
    const bbh_event *last = bbh_nth(&b->rec, BBH_MESSAGE, before + 1);
    assert_int_equal(last->len, bbh_nth(&a->rec, BBH_PUBLISH_DONE, 1)->len);
    assert_memory_equal(last->data, bbh_nth(&a->rec, BBH_PUBLISH_DONE, 1)->data, last->len);
    fixture_free(a);
    fixture_free(b);
}

/* After a resubscribe a state fetch waits for the consumer to reach the
 * end of the log again, and is answered even when nothing new was written. */
static void test_state_after_resubscribe_is_answered(void **state)
{
    (void)state;
    fixture *f = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(f);
    assert_int_equal(publish_data(f, 1, "again", "\"v\""), SG_OK);
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_MESSAGE, 1, WAIT_MS));
    BBH_CALL(&f->rec, bbc.ops->disconnect(f->bb));
    connect_and_subscribe(f);
    fetch(f, "again");
    assert_true(bbh_wait(&f->loop, &f->rec, BBH_STATE, 1, WAIT_MS));
    assert_int_equal(bbh_nth(&f->rec, BBH_STATE, 0)->st, SG_OK);
    assert_string_equal((const char *)bbh_nth(&f->rec, BBH_STATE, 0)->data, "\"v\"");
    fixture_free(f);
}

static void test_uri_needs_one_topic(void **state)
{
    (void)state;
    static const char *const bad[] = {"kafka://h:9092", "kafka://h:9092/a/b", "kafka://h:9092/t?x=1", "kafka:///t"};
    uv_loop_t loop;
    uv_loop_init(&loop);
    bbh_recorder rec;
    memset(&rec, 0, sizeof rec);
    sd_backbone_events ev = bbh_events(&rec);
    sd_backbone_limits lim = bbh_limits();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sd_backbone *bb = NULL;
        sg_error err;
        assert_int_equal(ops->create(&loop, bad[i], &lim, &ev, &bb, &err), SG_E_INVALID);
        assert_null(bb);
        assert_non_null(strstr(err.msg, "kafka://"));
    }
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    bbc = (bbc_suite){&sd_backbone_kafka, "kafka", "kafka://127.0.0.1:", "/stormglass", "metadata", "metadata"};
    const struct CMUnitTest tests[] = {
        BBC_CONTRACT_TESTS,
        cmocka_unit_test(test_new_instance_replays_the_log_into_its_view),
        cmocka_unit_test(test_consumer_resumes_from_its_offset),
        cmocka_unit_test(test_state_after_resubscribe_is_answered),
        cmocka_unit_test(test_uri_needs_one_topic),
    };
    return cmocka_run_group_tests(tests, bbc_group_setup, bbc_group_teardown);
}

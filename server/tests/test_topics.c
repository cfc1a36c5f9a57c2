/*
 * test_topics.c - the topic table and the backbone body codec: names,
 * count and state-byte bounds that refuse without losing the old state,
 * subscriber lists that stay consistent through unsubscribe and leave.
 */
#include <stdlib.h>

#include "test_util.h"
#include "topics.h"
#include "wire.h"

static void test_names(void **state)
{
    (void)state;
    assert_true(sd_topic_name_valid("prices/eur:usd@v1-2_x.y", 23));
    assert_false(sd_topic_name_valid("", 0));
    assert_false(sd_topic_name_valid("has space", 9));
    assert_false(sd_topic_name_valid("quote\"", 6));
    char longname[SD_TOPIC_NAME_MAX + 1];
    memset(longname, 'a', sizeof longname);
    assert_true(sd_topic_name_valid(longname, SD_TOPIC_NAME_MAX));
    assert_false(sd_topic_name_valid(longname, SD_TOPIC_NAME_MAX + 1));
}

static void test_bounds_refuse_and_keep_old_state(void **state)
{
    (void)state;
    sd_topics t;
    assert_int_equal(sd_topics_init(&t, 2, 10), SG_OK);
    sd_topic *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(sd_topics_get(&t, "a", 1, &a), SG_OK);
    assert_int_equal(sd_topics_get(&t, "b", 1, &b), SG_OK);
    assert_int_equal(sd_topics_get(&t, "c", 1, &c), SG_E_FULL);
    assert_null(c);
    assert_int_equal(sd_topics_get(&t, "a", 1, &c), SG_OK); /* an existing one is found, not counted */
    assert_ptr_equal(a, c);
    assert_int_equal(sd_topic_set_state(&t, a, (const uint8_t *)"123456", 6), SG_OK);
    assert_int_equal(sd_topic_set_state(&t, b, (const uint8_t *)"12345", 5), SG_E_FULL); /* 11 > 10 */
    assert_null(b->state);
    assert_int_equal(sd_topic_set_state(&t, a, (const uint8_t *)"1234567890", 10), SG_OK); /* replaces */
    assert_int_equal(t.state_bytes, 10);
    assert_int_equal(a->seq, 2);
    assert_memory_equal(a->state, "1234567890", 10);
    sd_topics_free(&t);
}

static void test_subscriber_lists(void **state)
{
    (void)state;
    sd_topics t;
    assert_int_equal(sd_topics_init(&t, 8, 1024), SG_OK);
    sd_topic *x = NULL, *y = NULL;
    sd_topics_get(&t, "x", 1, &x);
    sd_topics_get(&t, "y", 1, &y);
    int c1 = 1, c2 = 2;
    sd_sub *l1 = NULL, *l2 = NULL;
    assert_int_equal(sd_topic_subscribe(x, &c1, &l1), SG_OK);
    assert_int_equal(sd_topic_subscribe(x, &c1, &l1), SG_E_STATE); /* no second node */
    assert_int_equal(sd_topic_subscribe(y, &c1, &l1), SG_OK);
    assert_int_equal(sd_topic_subscribe(x, &c2, &l2), SG_OK);
    assert_int_equal(x->subscriber_count, 2);
    assert_int_equal(sd_topic_unsubscribe(x, &c1, &l1), SG_OK);
    assert_int_equal(sd_topic_unsubscribe(x, &c1, &l1), SG_E_NOT_FOUND);
    assert_int_equal(x->subscriber_count, 1);
    assert_ptr_equal(x->subs->subscriber, &c2);
    sd_topic_unsubscribe_all(&l1);
    sd_topic_unsubscribe_all(&l2);
    assert_null(l1);
    assert_int_equal(x->subscriber_count + y->subscriber_count, 0);
    assert_null(x->subs);
    sd_topics_free(&t);
}

static void test_wire_body_round_trip_and_garbage(void **state)
{
    (void)state;
    uint8_t *body = NULL;
    size_t len = 0;
    assert_int_equal(sd_wire_body_encode("t1", 2, (const uint8_t *)"{\"a\":1}", 7, &body, &len), SG_OK);
    sd_wire_body out;
    sg_error err;
    assert_int_equal(sd_wire_body_decode(body, len, &out, &err), SG_OK);
    assert_int_equal(out.topic_len, 2);
    assert_memory_equal(out.topic, "t1", 2);
    assert_int_equal(out.payload_len, 7);
    body[1] = 200; /* topic length past the end */
    assert_int_equal(sd_wire_body_decode(body, len, &out, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "past the end"));
    assert_int_equal(sd_wire_body_decode(body, 1, &out, &err), SG_E_INVALID);
    free(body);
    assert_int_equal(sd_wire_body_encode("bad topic", 9, NULL, 0, &body, &len), SG_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_bounds_refuse_and_keep_old_state),
        cmocka_unit_test(test_subscriber_lists),
        cmocka_unit_test(test_wire_body_round_trip_and_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

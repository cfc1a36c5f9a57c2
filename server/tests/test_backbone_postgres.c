/*
 * test_backbone_postgres.c - the postgres:// adapter against a real
 * PostgreSQL cluster that ci/backbone creates on a free loopback port: the
 * shared adapter contract (bb_contract.c) plus what is Postgres's own:
 * messages over the 8000-byte NOTIFY limit travel through a spill row and
 * keep their order with the inline ones, URI errors come from libpq, and
 * the base64 codec of NOTIFY payloads.
 */
#include <stdio.h>
#include <stdlib.h>

#include "backbone_net.h"
#include "bb_base64.h"
#include "bb_contract.h"

static const sd_backbone_ops *const ops = &sd_backbone_postgres;

/* Small, large (spilled), small: all three arrive whole and in order, and
 * the large one is the topic's stored state. */
static void test_large_messages_spill_and_keep_order(void **state)
{
    (void)state;
    fixture *a = fixture_new(bbc_server.uri, bbh_limits());
    fixture *b = fixture_new(bbc_server.uri, bbh_limits());
    connect_and_subscribe(a);
    connect_and_subscribe(b);
    size_t big_len = 20000;
    char *big = malloc(big_len + 1);
    assert_non_null(big);
    big[0] = '"';
    memset(big + 1, 'x', big_len - 2);
    big[big_len - 1] = '"';
    big[big_len] = '\0';
    assert_int_equal(publish_data(a, 1, "s", "1"), SG_OK);
    uint8_t *msg = malloc(big_len + 512);
    assert_non_null(msg);
    size_t n = bbh_data_message(msg, big_len + 512, 1, 2, "big", big);
    sg_status st = SG_OK;
    BBH_CALL(&a->rec, st = ops->publish(a->bb, SD_PUBLISH_LIVE, msg, n));
    assert_int_equal(st, SG_OK);
    assert_int_equal(publish_data(a, 3, "s", "3"), SG_OK);
    assert_true(bbh_wait(&a->loop, &a->rec, BBH_PUBLISH_DONE, 3, WAIT_MS));
    assert_true(bbh_wait(&b->loop, &b->rec, BBH_MESSAGE, 3, WAIT_MS));
    assert_int_equal(bbh_nth(&b->rec, BBH_MESSAGE, 1)->len, n);
    assert_memory_equal(bbh_nth(&b->rec, BBH_MESSAGE, 1)->data, msg, n);
    for (size_t i = 0; i < 3; i++) {
        assert_memory_equal(bbh_nth(&b->rec, BBH_MESSAGE, i)->data, bbh_nth(&a->rec, BBH_PUBLISH_DONE, i)->data,
                            bbh_nth(&b->rec, BBH_MESSAGE, i)->len);
    }
    fetch(b, "big");
    assert_true(bbh_wait(&b->loop, &b->rec, BBH_STATE, 1, WAIT_MS));
    assert_string_equal((const char *)bbh_nth(&b->rec, BBH_STATE, 0)->data, big);
    free(msg);
    free(big);
    fixture_free(a);
    fixture_free(b);
}

static void test_uri_errors_come_from_libpq(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    bbh_recorder rec;
    memset(&rec, 0, sizeof rec);
    sd_backbone_events ev = bbh_events(&rec);
    sd_backbone_limits lim = bbh_limits();
    sd_backbone *bb = NULL;
    sg_error err;
    assert_int_equal(ops->create(&loop, "postgres://h/db?colour=red", &lim, &ev, &bb, &err), SG_E_INVALID);
    assert_null(bb);
    assert_non_null(strstr(err.msg, "colour"));
    assert_int_equal(ops->create(&loop, "postgresql://u@127.0.0.1:5/db", &lim, &ev, &bb, &err), SG_OK);
    bbh_destroy(&loop, ops, bb);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_base64_round_trip_and_refusals(void **state)
{
    (void)state;
    uint8_t in[256], back[256];
    char text[400];
    for (size_t i = 0; i < sizeof in; i++) {
        in[i] = (uint8_t)(255 - i);
    }
    for (size_t n = 0; n <= 5; n++) {
        bb_base64_encode(in, n, text);
        assert_int_equal(strlen(text), bb_base64_encoded_len(n));
        size_t got = 0;
        assert_int_equal(bb_base64_decode(text, strlen(text), back, &got), SG_OK);
        assert_int_equal(got, n);
        assert_memory_equal(back, in, n);
    }
    bb_base64_encode((const uint8_t *)"hi", 2, text);
    assert_string_equal(text, "aGk=");
    size_t got = 0;
    assert_int_equal(bb_base64_decode("aGk", 3, back, &got), SG_E_INVALID);    /* length */
    assert_int_equal(bb_base64_decode("a*k=", 4, back, &got), SG_E_INVALID);   /* character */
    assert_int_equal(bb_base64_decode("a=k=", 4, back, &got), SG_E_INVALID);   /* padding inside */
    assert_int_equal(bb_base64_decode("aGk=aGk=", 8, back, &got), SG_E_INVALID); /* padding not last */
}

int main(void)
{
    bbc = (bbc_suite){&sd_backbone_postgres, "postgres", "postgres://postgres@127.0.0.1:", "/postgres", "refused", "timeout"};
    const struct CMUnitTest tests[] = {
        BBC_CONTRACT_TESTS,
        cmocka_unit_test(test_publish_to_a_frozen_server_is_reported_sent),
        cmocka_unit_test(test_large_messages_spill_and_keep_order),
        cmocka_unit_test(test_uri_errors_come_from_libpq),
        cmocka_unit_test(test_base64_round_trip_and_refusals),
    };
    return cmocka_run_group_tests(tests, bbc_group_setup, bbc_group_teardown);
}

/*
 * test_backbone_redis.c - the redis:// adapter against a real redis-server
 * that ci/backbone starts on a free loopback port (and kills, restarts and
 * freezes): the shared adapter contract (bb_contract.c) plus what is
 * Redis's own: URI options and the written-bytes accounting of hiredis
 * commands pending when a connection dies.
 */
#include <stdio.h>
#include <stdlib.h>

#include "backbone_net.h"
#include "bb_contract.h"
#include "redis_link.h"

static const sd_backbone_ops *const ops = &sd_backbone_redis;

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
    bbc = (bbc_suite){&sd_backbone_redis, "redis", "redis://127.0.0.1:", "", "127.0.0.1:1", "timeout"};
    const struct CMUnitTest tests[] = {
        BBC_CONTRACT_TESTS,
        cmocka_unit_test(test_publish_to_a_frozen_server_is_reported_sent),
        cmocka_unit_test(test_uri_errors_name_the_problem),
        cmocka_unit_test(test_written_accounting),
    };
    return cmocka_run_group_tests(tests, bbc_group_setup, bbc_group_teardown);
}

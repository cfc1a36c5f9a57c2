/*
 * bb_contract.h - the adapter contract as shared tests (bb_contract.c).
 */
#ifndef STORMGLASS_SD_TEST_BB_CONTRACT_H
#define STORMGLASS_SD_TEST_BB_CONTRACT_H

#include "bb_harness.h"
#include "test_util.h"

#define WAIT_MS 5000

typedef struct bbc_suite {
    const sd_backbone_ops *ops;
    const char *kind;          /* for ci/backbone */
    const char *uri_head;      /* the adapter's URI for 127.0.0.1:PORT is head PORT tail */
    const char *uri_tail;
    const char *refused_text;  /* found in the reason of a refused connect */
    const char *timeout_text;  /* found in the reason of a connect that timed out */
} bbc_suite;

extern bbc_suite bbc;
extern bbh_server bbc_server;

typedef struct fixture {
    uv_loop_t loop;
    bbh_recorder rec;
    sd_backbone *bb;
} fixture;

int bbc_group_setup(void **state);
int bbc_group_teardown(void **state);

fixture *fixture_new(const char *uri, sd_backbone_limits limits);
void fixture_free(fixture *f);
void connect_and_subscribe(fixture *f);
sg_status publish_data(fixture *f, uint64_t seq, const char *topic, const char *payload);
void fetch(fixture *f, const char *topic);

void test_publish_reaches_peers_and_stores_state(void **state);
void test_heartbeat_is_carried_without_state(void **state);
void test_no_callback_inside_calls_and_every_publish_answered(void **state);
void test_connect_refused_fails_with_the_reason(void **state);
void test_silent_server_fails_by_the_connect_timer(void **state);
void test_kill_reports_drop_and_state_survives_restart(void **state);
void test_publish_to_a_frozen_server_is_reported_sent(void **state);
void test_inject_drop_then_reconnect(void **state);
void test_publish_refusals(void **state);

/* The contract's tests, for a suite's list. */
#define BBC_CONTRACT_TESTS                                                \
    cmocka_unit_test(test_publish_reaches_peers_and_stores_state),        \
    cmocka_unit_test(test_heartbeat_is_carried_without_state),            \
    cmocka_unit_test(test_no_callback_inside_calls_and_every_publish_answered), \
    cmocka_unit_test(test_connect_refused_fails_with_the_reason),         \
    cmocka_unit_test(test_silent_server_fails_by_the_connect_timer),      \
    cmocka_unit_test(test_kill_reports_drop_and_state_survives_restart),  \
    cmocka_unit_test(test_inject_drop_then_reconnect),                    \
    cmocka_unit_test(test_publish_refusals)

#endif

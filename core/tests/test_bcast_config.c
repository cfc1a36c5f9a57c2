/*
 * test_bcast_config.c - defaults from the documented table, validation
 * messages that name the field, the 32-byte wire header (round trip and
 * garbage rejection), enum names, create's argument checks.
 */
#include "bcast_fixture.h"

#include <stdio.h>

static void defaults_match_the_documented_table(void **state)
{
    (void)state;
    sg_bcast_config c = sg_bcast_config_default();
    assert_true(c.reconnect_enabled);
    assert_int_equal(c.backoff.policy, SG_BACKOFF_EQUAL_JITTER);
    assert_int_equal(c.backoff.base_ns, MS(500));
    assert_int_equal(c.backoff.max_ns, S(30));
    assert_int_equal(c.backoff.max_retries, 0);
    assert_int_equal(c.replay_items_max, 10000);
    assert_int_equal(c.replay_bytes_max, 64u << 20);
    assert_int_equal(c.backbone_payload_max, 1u << 20);
    assert_true(c.resync_on_reconnect);
    assert_int_equal(c.settle_ns, S(2));
    assert_int_equal(c.settle_jitter_ns, S(1));
    assert_int_equal(c.resync_window_ns, S(10));
    assert_int_equal(c.resync_cooldown_ns, S(30));
    assert_int_equal(c.connect_timeout_ns, S(10));
    assert_int_equal(c.delivery, SG_DELIVERY_IMMEDIATE);
    assert_int_equal(c.watchdog_ns, 0);
    assert_true(c.healthcheck_enabled);
    assert_int_equal(c.clients_max, 65536);
    assert_int_equal(c.peers_max, 256);
    assert_int_equal(sg_bcast_config_check(&c, NULL), SG_OK);
}

typedef struct bad_case {
    const char *field;
    void (*spoil)(sg_bcast_config *c);
} bad_case;

static void spoil_backoff(sg_bcast_config *c) { c->backoff.max_ns = c->backoff.base_ns - 1; }
static void spoil_timeout(sg_bcast_config *c) { c->connect_timeout_ns = 0; }
static void spoil_items(sg_bcast_config *c) { c->replay_items_max = SG_BCAST_REPLAY_ITEMS_MAX + 1; }
static void spoil_bytes(sg_bcast_config *c) { c->replay_bytes_max = 10; }
static void spoil_payload(sg_bcast_config *c) { c->backbone_payload_max = 0; }
static void spoil_settle(sg_bcast_config *c) { c->settle_ns = -1; }
static void spoil_jitter(sg_bcast_config *c) { c->settle_jitter_ns = S(7200); }
static void spoil_window(sg_bcast_config *c) { c->resync_window_ns = -5; }
static void spoil_cooldown(sg_bcast_config *c) { c->resync_cooldown_ns = S(100000); }
static void spoil_delivery(sg_bcast_config *c) { c->delivery = (sg_delivery_policy)7; }
static void spoil_watchdog(sg_bcast_config *c) { c->watchdog_ns = 1; }
static void spoil_heartbeat(sg_bcast_config *c)
{
    c->watchdog_ns = S(3);
    c->heartbeat_ns = S(3);
}
static void spoil_clients(sg_bcast_config *c) { c->clients_max = 0; }
static void spoil_peers(sg_bcast_config *c) { c->peers_max = SG_BCAST_PEERS_MAX + 1; }

static void invalid_fields_are_named(void **state)
{
    (void)state;
    const bad_case cases[] = {
        {"bcast.backoff.max", spoil_backoff},
        {"bcast.connect_timeout", spoil_timeout},
        {"bcast.replay_items_max", spoil_items},
        {"bcast.replay_bytes_max", spoil_bytes},
        {"bcast.backbone_payload_max", spoil_payload},
        {"bcast.settle:", spoil_settle},
        {"bcast.settle_jitter", spoil_jitter},
        {"bcast.resync_window", spoil_window},
        {"bcast.resync_cooldown", spoil_cooldown},
        {"bcast.delivery", spoil_delivery},
        {"bcast.watchdog", spoil_watchdog},
        {"bcast.heartbeat", spoil_heartbeat},
        {"bcast.clients_max", spoil_clients},
        {"bcast.peers_max", spoil_peers},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sg_bcast_config c = sg_bcast_config_default();
        cases[i].spoil(&c);
        sg_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(sg_bcast_config_check(&c, &err), SG_E_INVALID);
        if (strstr(err.msg, cases[i].field) != err.msg) {
            fail_msg("case %zu: expected '%s...', got '%s'", i, cases[i].field, err.msg);
        }
        sg_bcast *b = (sg_bcast *)&c; /* must be overwritten with NULL */
        assert_int_equal(sg_bcast_create(&c, 0, &b, &err), SG_E_INVALID);
        assert_null(b);
    }
    sg_error err;
    assert_int_equal(sg_bcast_config_check(NULL, &err), SG_E_INVALID);
    sg_bcast_config ok = sg_bcast_config_default();
    assert_int_equal(sg_bcast_create(&ok, 0, NULL, &err), SG_E_INVALID);
}

static void header_round_trips(void **state)
{
    (void)state;
    const sg_bcast_header cases[] = {
        {.origin = 0, .kind = SG_MSG_DATA, .epoch = 0, .seq = 0},
        {.origin = 1, .kind = SG_MSG_HEARTBEAT, .epoch = 2, .seq = 3},
        {.origin = UINT32_MAX, .kind = SG_MSG_DATA, .epoch = UINT64_MAX, .seq = UINT64_MAX},
        {.origin = 0x01020304u, .kind = SG_MSG_DATA, .epoch = 0x1112131415161718u, .seq = 0x2122232425262728u},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t wire[SG_BCAST_HEADER_BYTES];
        sg_bcast_header_encode(&cases[i], wire);
        sg_bcast_header back;
        assert_int_equal(sg_bcast_header_decode(wire, sizeof wire, &back, NULL), SG_OK);
        assert_int_equal(back.origin, cases[i].origin);
        assert_int_equal(back.kind, cases[i].kind);
        assert_int_equal(back.epoch, cases[i].epoch);
        assert_int_equal(back.seq, cases[i].seq);
    }
    uint8_t wire[SG_BCAST_HEADER_BYTES];
    sg_bcast_header_encode(&cases[3], wire);
    const uint8_t want[SG_BCAST_HEADER_BYTES] = {'S', 'G', 'B', '1', 1, 2, 3, 4, 1, 0, 0, 0,
                                                 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                                                 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0, 0, 0, 0};
    assert_memory_equal(wire, want, sizeof want); /* big-endian, documented layout */
}

static void header_garbage_is_rejected_with_a_reason(void **state)
{
    (void)state;
    sg_bcast_header h = {.origin = 5, .kind = SG_MSG_DATA, .epoch = 6, .seq = 7};
    uint8_t good[SG_BCAST_HEADER_BYTES];
    sg_bcast_header_encode(&h, good);
    sg_error err;
    sg_bcast_header out;
    assert_int_equal(sg_bcast_header_decode(good, 31, &out, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "31 bytes"));
    assert_int_equal(sg_bcast_header_decode(NULL, 32, &out, &err), SG_E_INVALID);
    const size_t offsets[] = {0, 3, 8, 9, 11, 28, 31};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        uint8_t bad[SG_BCAST_HEADER_BYTES];
        memcpy(bad, good, sizeof bad);
        bad[offsets[i]] ^= 0x40;
        assert_int_equal(sg_bcast_header_decode(bad, sizeof bad, &out, &err), SG_E_INVALID);
    }
    /* Longer input (header + payload) is fine: the header is a prefix. */
    uint8_t longer[40] = {0};
    memcpy(longer, good, sizeof good);
    assert_int_equal(sg_bcast_header_decode(longer, sizeof longer, &out, &err), SG_OK);
    /* Every single-byte corruption is either rejected or decodes to a
     * different header: never silently the same. */
    for (size_t i = 0; i < sizeof good; i++) {
        uint8_t bad[SG_BCAST_HEADER_BYTES];
        memcpy(bad, good, sizeof bad);
        bad[i] ^= 0x01;
        if (sg_bcast_header_decode(bad, sizeof bad, &out, NULL) == SG_OK) {
            assert_true(out.origin != h.origin || out.epoch != h.epoch || out.seq != h.seq || out.kind != h.kind ||
                        out.flags != h.flags);
        }
    }
}

static void names_are_never_null(void **state)
{
    (void)state;
    assert_string_equal(sg_reader_state_name(SG_READER_GIVEN_UP), "given-up");
    assert_string_equal(sg_recovery_phase_name(SG_RECOVERY_RESYNC_WAIT), "resync-wait");
    assert_string_equal(sg_health_reason_name(SG_HEALTH_BAD_DEAF), "bad-deaf");
    assert_string_equal(sg_bcast_action_name(SG_ACT_CLOSE_CLIENT), "close-client");
    assert_string_equal(sg_bcast_note_name(SG_NOTE_RECOVERY_RERUN), "recovery-rerun");
    for (int v = -2; v < 40; v++) {
        assert_non_null(sg_reader_state_name((sg_reader_state)v));
        assert_non_null(sg_recovery_phase_name((sg_recovery_phase)v));
        assert_non_null(sg_health_reason_name((sg_health_reason)v));
        assert_non_null(sg_bcast_action_name((sg_bcast_action_kind)v));
        assert_non_null(sg_bcast_note_name((sg_bcast_note_kind)v));
    }
    assert_string_equal(sg_bcast_action_name((sg_bcast_action_kind)0), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_the_documented_table),
        cmocka_unit_test(invalid_fields_are_named),
        cmocka_unit_test(header_round_trips),
        cmocka_unit_test(header_garbage_is_rejected_with_a_reason),
        cmocka_unit_test(names_are_never_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

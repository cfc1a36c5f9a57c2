/*
 * test_bcast_chaos.c - seeded random event sequences under several
 * configurations (watchdog, on-echo, tiny buffers, zero settle/window,
 * give-up), checking the invariants after every event: buffer within both
 * bounds, listeners == clients + pins, one recovery at most and always
 * pinned, a reader whenever someone listens, no timer livelock (a due
 * deadline always makes progress once the driver drains the actions),
 * and no action lost while the driver drains after each event.
 */
#include "bcast_fixture.h"

#include "stormglass/rng.h"

#define CHAOS_CLIENTS 24

typedef struct chaos {
    fx *f;
    sg_rng r;
    sg_client_handle hs[CHAOS_CLIENTS];
    bool live[CHAOS_CLIENTS];
    uint32_t pins;
    uint64_t peer_seq[4];
} chaos;

static void check_invariants(chaos *c, const sg_bcast_config *cfg)
{
    sg_bcast_stats s = fx_stats(c->f);
    uint32_t live = 0;
    for (int i = 0; i < CHAOS_CLIENTS; i++) {
        live += c->live[i] ? 1u : 0u;
    }
    assert_int_equal(s.clients, live);
    uint32_t recovery_pin = s.recovery != SG_RECOVERY_NONE ? 1u : 0u;
    assert_int_equal(s.pins, c->pins + recovery_pin);
    assert_int_equal(s.listeners, s.clients + s.pins);
    assert_true(s.replay_items <= cfg->replay_items_max + 1u);
    assert_true(s.replay_bytes <= cfg->replay_bytes_max + cfg->backbone_payload_max);
    if (s.listeners > 0) {
        assert_int_not_equal(s.reader, SG_READER_IDLE);
    } else if (s.reader != SG_READER_GIVEN_UP) {
        assert_int_equal(s.reader, SG_READER_IDLE);
    }
    assert_int_equal(s.counters.actions_dropped, 0);
    assert_true(s.counters.gaps == s.counters.gaps_reconnect + s.counters.gaps_sequence + s.counters.gaps_epoch +
                                       s.counters.gaps_watchdog);
}

/* Due timers must settle within a few rounds once actions are drained. */
static void run_due_timers(chaos *c)
{
    fx *f = c->f;
    for (int k = 0; k < 200; k++) {
        fx_drain(f);
        f->n = 0;
        f->answered = 0;
        if (sg_bcast_next_deadline(f->b) > f->now) {
            return;
        }
        sg_bcast_on_timer(f->b, f->now);
    }
    fail_msg("timer livelock at t=%lld", (long long)f->now);
}

static void client_event(chaos *c, uint32_t who)
{
    fx *f = c->f;
    if (!c->live[who]) {
        c->live[who] = sg_bcast_client_register(f->b, f->now, who, &c->hs[who]) == SG_OK;
        return;
    }
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, c->hs[who]), SG_OK);
    c->live[who] = false;
    assert_int_equal(sg_bcast_client_unregister(f->b, f->now, c->hs[who]), SG_E_NOT_FOUND);
}

static void pin_event(chaos *c)
{
    if (c->pins > 0 && sg_rng_below(&c->r, 2) == 0) {
        assert_int_equal(sg_bcast_unpin(c->f->b, c->f->now), SG_OK);
        c->pins--;
    } else if (c->pins < 3) {
        sg_bcast_pin(c->f->b, c->f->now);
        c->pins++;
    }
}

static void message_event(chaos *c)
{
    uint32_t peer = (uint32_t)sg_rng_below(&c->r, 4);
    uint64_t jump = sg_rng_below(&c->r, 10) == 0 ? 3 : 1;
    if (sg_rng_below(&c->r, 8) == 0) {
        jump = 0; /* a duplicate */
    }
    c->peer_seq[peer] += jump;
    uint64_t epoch = sg_rng_below(&c->r, 50) == 0 ? 2 : 1;
    uint32_t origin = peer + 10u;
    if (peer == 0) { /* our own echo (fx_config: worker 1, epoch 100) */
        origin = 1;
        epoch = 100;
    }
    sg_msg_kind kind = sg_rng_below(&c->r, 6) == 0 ? SG_MSG_HEARTBEAT : SG_MSG_DATA;
    sg_bcast_header h = {.origin = origin, .kind = (uint8_t)kind, .epoch = epoch, .seq = c->peer_seq[peer]};
    (void)sg_bcast_on_message(c->f->b, c->f->now, &h, 4);
}

static void publish_event(chaos *c, const sg_bcast_config *cfg)
{
    static uint8_t buf[512];
    uint32_t len = (uint32_t)sg_rng_below(&c->r, cfg->backbone_payload_max + 40u);
    len = len > sizeof buf ? (uint32_t)sizeof buf : len;
    sg_publish_result r = sg_bcast_publish(c->f->b, c->f->now, buf, len);
    if (r.verdict == SG_PUBLISH_SEND) {
        sg_bcast_on_publish_result(c->f->b, c->f->now, &r.header, buf, len, sg_rng_below(&c->r, 4) != 0);
    }
}

static void step(chaos *c, const sg_bcast_config *cfg)
{
    fx *f = c->f;
    switch (sg_rng_below(&c->r, 14)) {
    case 0: client_event(c, (uint32_t)sg_rng_below(&c->r, CHAOS_CLIENTS)); break;
    case 1: pin_event(c); break;
    case 2: sg_bcast_on_connected(f->b, f->now); break;
    case 3: sg_bcast_on_subscribed(f->b, f->now); break;
    case 4: sg_bcast_on_connect_failed(f->b, f->now); break;
    case 5: sg_bcast_on_subscribe_failed(f->b, f->now); break;
    case 6: sg_bcast_on_dropped(f->b, f->now); break;
    case 7:
    case 8: message_event(c); break;
    case 9: publish_event(c, cfg); break;
    case 10: sg_bcast_on_replay_result(f->b, f->now, sg_rng_below(&c->r, 3) != 0); break;
    default: {
        sg_time_ns d = sg_bcast_next_deadline(f->b);
        sg_duration_ns hop = (sg_duration_ns)sg_rng_below(&c->r, (uint64_t)S(4));
        f->now = d != SG_TIME_NEVER && d > f->now && sg_rng_below(&c->r, 2) == 0 ? d : f->now + hop;
        sg_bcast_on_timer(f->b, f->now);
        break;
    }
    }
    run_due_timers(c);
    check_invariants(c, cfg);
}

static void run_chaos(const sg_bcast_config *cfg, uint64_t seed, int steps)
{
    chaos c;
    memset(&c, 0, sizeof c);
    c.f = fx_new(cfg);
    sg_rng_seed(&c.r, seed, 99);
    for (int i = 0; i < steps; i++) {
        step(&c, cfg);
    }
    fx_free(c.f);
}

static sg_bcast_config small(void)
{
    sg_bcast_config c = fx_config();
    c.replay_items_max = 5;
    c.backbone_payload_max = 64;
    c.replay_bytes_max = 128;
    c.resync_window_ns = S(2);
    c.resync_cooldown_ns = S(5);
    c.clients_max = CHAOS_CLIENTS;
    c.peers_max = 2;
    return c;
}

static void chaos_defaults(void **state)
{
    (void)state;
    sg_bcast_config c = small();
    for (uint64_t seed = 1; seed <= 8; seed++) {
        run_chaos(&c, seed, 4000);
    }
}

static void chaos_watchdog_on_echo_jitter(void **state)
{
    (void)state;
    sg_bcast_config c = small();
    c.watchdog_ns = S(3);
    c.delivery = SG_DELIVERY_ON_ECHO;
    c.settle_jitter_ns = S(1);
    c.backoff = sg_backoff_config_default(SG_BACKOFF_DECORRELATED);
    for (uint64_t seed = 1; seed <= 8; seed++) {
        run_chaos(&c, seed, 4000);
    }
}

static void chaos_zero_spans_and_no_buffer(void **state)
{
    (void)state;
    sg_bcast_config c = small();
    c.settle_ns = 0;
    c.resync_window_ns = 0;
    c.resync_cooldown_ns = 0;
    c.replay_items_max = 0;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        run_chaos(&c, seed, 4000);
    }
    c.replay_items_max = 1;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        run_chaos(&c, seed, 4000);
    }
}

static void chaos_give_up_and_grpc(void **state)
{
    (void)state;
    sg_bcast_config c = small();
    c.backoff = sg_backoff_config_default(SG_BACKOFF_GRPC);
    c.backoff.max_retries = 4;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        run_chaos(&c, seed, 3000);
    }
    c.reconnect_enabled = false;
    c.healthcheck_enabled = false;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        run_chaos(&c, seed, 2000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chaos_defaults),
        cmocka_unit_test(chaos_watchdog_on_echo_jitter),
        cmocka_unit_test(chaos_zero_spans_and_no_buffer),
        cmocka_unit_test(chaos_give_up_and_grpc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

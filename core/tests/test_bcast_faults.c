/*
 * test_bcast_faults.c - libfiu fault points inside the core: every
 * allocation of sg_bcast_create failing in turn (SQLite-style anomaly
 * test: fail the Nth until create succeeds), replay copies failing at
 * random while a storm of publishes and send failures runs, publish
 * failures.  Nothing may crash or leak (the ASan build checks leaks), and
 * the buffer keeps what it must.
 */
#include "bcast_fixture.h"

#include "stormglass/rng.h"
#include "test_fiu.h"

static sg_rng fault_rng;
static uint32_t fault_percent;

static int random_fails(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
    (void)name;
    (void)failnum;
    (void)failinfo;
    (void)flags;
    return sg_rng_below(&fault_rng, 100) < fault_percent;
}

static int setup(void **state)
{
    (void)state;
    assert_int_equal(fiu_init(0), 0);
    return 0;
}

static void create_survives_each_allocation_failing(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    int failures = 0;
    int fail_at;
    for (fail_at = 1; fail_at < 100; fail_at++) {
        test_fiu_fail_nth("stormglass/bcast/create_alloc", fail_at);
        sg_bcast *b = NULL;
        sg_error err;
        memset(&err, 0, sizeof err);
        sg_status st = sg_bcast_create(&c, 0, &b, &err);
        fiu_disable("stormglass/bcast/create_alloc");
        if (st == SG_OK) {
            assert_non_null(b);
            sg_bcast_destroy(b);
            break;
        }
        assert_int_equal(st, SG_E_NOMEM);
        assert_null(b);
        assert_non_null(strstr(err.msg, "bcast: out of memory"));
        failures++;
    }
    assert_true(failures >= 4); /* struct, registry, replay ring, peers (two) */
    assert_true(fail_at < 100);
}

static void replay_copy_failure_drops_only_that_item(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    sg_bcast_on_dropped(f->b, f->now);
    (void)fx_publish(f, 1, 8);
    assert_int_equal(fiu_enable("stormglass/bcast/replay_alloc", 1, NULL, 0), 0);
    sg_publish_result r = fx_publish(f, 2, 8);
    fiu_disable("stormglass/bcast/replay_alloc");
    assert_int_equal(r.verdict, SG_PUBLISH_DROPPED);
    (void)fx_publish(f, 3, 8);
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.replay_drops_nomem, 1);
    assert_int_equal(s.replay_items, 2); /* 1 and 3 kept */
    fx_advance(f, S(1));
    fx_connect(f);
    fx_advance(f, S(2));
    uint8_t tags[4];
    assert_int_equal(fx_answer_replays(f, true, 4, tags), 2);
    assert_memory_equal(tags, ((uint8_t[]){1, 3}), 2);
    fx_free(f);
}

static void failed_send_with_failing_copy_burns_its_number(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    uint8_t p[3] = {1, 2, 3};
    sg_publish_result r = sg_bcast_publish(f->b, f->now, p, 3);
    assert_int_equal(fiu_enable("stormglass/bcast/replay_alloc", 1, NULL, 0), 0);
    sg_bcast_on_publish_result(f->b, f->now, &r.header, p, 3, false);
    fiu_disable("stormglass/bcast/replay_alloc");
    sg_bcast_stats s = fx_stats(f);
    assert_int_equal(s.counters.replay_drops_nomem, 1);
    assert_int_equal(s.replay_items, 0);
    sg_publish_result again = sg_bcast_publish(f->b, f->now, p, 3);
    assert_int_equal(again.verdict, SG_PUBLISH_SEND);
    /* the message is lost: its number is not reused, so peers see a gap
     * (reusing it hid the loss: swarm class A) */
    assert_int_equal(again.header.seq, r.header.seq + 1);
    fx_free(f);
}

/* A random storm with allocation faults: invariants after every step. */
static void storm_with_random_allocation_faults(void **state)
{
    (void)state;
    sg_bcast_config c = fx_config();
    c.replay_items_max = 16;
    c.replay_bytes_max = 2048;
    c.backbone_payload_max = 200;
    sg_rng_seed(&fault_rng, 42, 1);
    fault_percent = 30;
    assert_int_equal(fiu_enable_external("stormglass/bcast/replay_alloc", 1, NULL, 0, random_fails), 0);
    fx *f = fx_new(&c);
    sg_rng r;
    sg_rng_seed(&r, 42, 2);
    sg_client_handle hs[8];
    bool live[8] = {false};
    uint8_t buf[256];
    memset(buf, 0x5A, sizeof buf);
    for (int step = 0; step < 20000; step++) {
        uint64_t k = sg_rng_below(&r, 12);
        uint32_t who = (uint32_t)sg_rng_below(&r, 8);
        switch (k) {
        case 0:
            if (!live[who]) {
                live[who] = sg_bcast_client_register(f->b, f->now, who, &hs[who]) == SG_OK;
            } else {
                assert_int_equal(sg_bcast_client_unregister(f->b, f->now, hs[who]), SG_OK);
                live[who] = false;
            }
            break;
        case 1: sg_bcast_on_connected(f->b, f->now); break;
        case 2: sg_bcast_on_subscribed(f->b, f->now); break;
        case 3: sg_bcast_on_dropped(f->b, f->now); break;
        case 4: (void)fx_msg(f, 2 + who, 1, sg_rng_below(&r, 40)); break;
        case 5: {
            sg_publish_result p = sg_bcast_publish(f->b, f->now, buf, (uint32_t)sg_rng_below(&r, 240));
            if (p.verdict == SG_PUBLISH_SEND) {
                sg_bcast_on_publish_result(f->b, f->now, &p.header, buf, 20, sg_rng_below(&r, 2) == 0);
            }
            break;
        }
        case 6: sg_bcast_on_replay_result(f->b, f->now, sg_rng_below(&r, 3) != 0); break;
        default: f->now += (sg_time_ns)sg_rng_below(&r, (uint64_t)S(3)); sg_bcast_on_timer(f->b, f->now); break;
        }
        fx_drain(f);
        f->n = 0; /* keep the log small */
        f->answered = 0;
        sg_bcast_stats s = fx_stats(f);
        assert_true(s.replay_items <= 17);        /* ring bound + one in flight */
        assert_true(s.replay_bytes <= 2048 + 200);
        assert_true(s.listeners >= s.clients);
        assert_true(s.listeners <= s.clients + s.pins);
    }
    fiu_disable("stormglass/bcast/replay_alloc");
    sg_bcast_stats s = fx_stats(f);
    assert_true(s.counters.replay_drops_nomem > 0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_survives_each_allocation_failing),
        cmocka_unit_test(replay_copy_failure_drops_only_that_item),
        cmocka_unit_test(failed_send_with_failing_copy_burns_its_number),
        cmocka_unit_test(storm_with_random_allocation_faults),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/*
 * test_findings.c - every finding of the OPAL deep review and both faces of
 * the incident, as one timeline run twice: against the legacy model that
 * had the bug (which must show it - the negative control) and against the
 * stormglass core (which must not).
 *
 *   loud storm    stock      reader running, 20 s drop: clients cancelled, forever
 *   rollback      stock-rollback  the same drop: no storm, silently stale for good
 *   silent wedge  stock      backbone down at first subscribe: leaked count,
 *                            every new client crashes, health 200
 *   finding 1     first-fix  reader restart after zero listeners = spurious resync loop
 *   finding 2     first-fix  gap during a recovery in flight is skipped
 *   finding 3     first-fix  give-up leaves a dead reader (no shutdown, clients
 *                            dropped); connect-then-drop never gives up
 *   finding 4     first-fix  a live publish overtakes buffered ones on the wire
 *   finding 5     first-fix  partial flush re-enqueue evicts the newest
 *   finding 6     first-fix  resync on every flap; buffer bounded by count only
 */
#include "sim_driver.h"

#include "bcast_fixture.h"

static sg_bcast_config base_config(void)
{
    sg_bcast_config c = fx_config(); /* exponential backoff 1 s .. 8 s, no settle jitter */
    c.resync_window_ns = S(5);
    return c;
}

/* A worker built by `ops` whose closed clients come back after `reconnect`. */
static drv *world(const sim_worker_ops *ops, const sg_bcast_config *c, sg_duration_ns reconnect)
{
    drv *d = drv_new(ops, c);
    d->reconnect_ns = reconnect;
    return d;
}

/* ---- the loud storm ------------------------------------------------------ */

typedef struct storm {
    uint64_t abnormal, abnormal_after_recovery, resync_closes, double_disconnects, unhealthy;
    uint32_t live;
    sg_reader_state reader;
} storm;

static storm loud_storm(const sim_worker_ops *ops)
{
    sg_bcast_config c = base_config();
    drv *d = world(ops, &c, MS(200)); /* clients retry fast: the count never reaches 0 */
    drv_clients(d, 50);
    drv_advance(d, S(5));
    for (uint64_t s = 1; s <= 3; s++) {
        (void)drv_peer(d, 2, 1, s);
    }
    drv_backbone(d, DRV_DOWN);
    drv_advance(d, S(20));
    drv_backbone(d, DRV_UP);
    storm o;
    memset(&o, 0, sizeof o);
    uint64_t at_recovery = d->closes_abnormal;
    drv_advance(d, S(60));
    o.abnormal = d->closes_abnormal;
    o.abnormal_after_recovery = d->closes_abnormal - at_recovery;
    o.resync_closes = d->closes_resync;
    o.unhealthy = d->unhealthy_actions;
    sg_bcast_stats s = drv_stats(d);
    o.double_disconnects = s.counters.double_disconnects;
    o.reader = s.reader;
    o.live = drv_live(d);
    drv_free(d);
    return o;
}

static void loud_storm_stock_cancels_clients_forever_core_keeps_them(void **state)
{
    (void)state;
    storm legacy = loud_storm(&sim_model_stock);
    assert_true(legacy.abnormal > 500);               /* every reconnect cancelled again */
    assert_true(legacy.abnormal_after_recovery > 100); /* the backbone is back: still storming */
    assert_true(legacy.double_disconnects > 500);     /* the list.remove storm */
    assert_int_equal(legacy.reader, SG_READER_GIVEN_UP); /* a dead reader stays */

    storm core = loud_storm(&sim_model_core);
    assert_int_equal(core.abnormal, 0);
    assert_int_equal(core.resync_closes, 50); /* one staggered 1012 each after the gap */
    assert_int_equal(core.double_disconnects, 0);
    assert_int_equal(core.unhealthy, 0); /* no probe flap through a 20 s blip */
    assert_int_equal(core.live, 50);
    assert_int_equal(core.reader, SG_READER_READING);
}

/* The rollback (reconnect disabled, ignore_broadcaster_disconnected): no
 * storm, but the worker goes deaf for good while looking healthy. */
static void rollback_degrades_to_stale_core_delivers(void **state)
{
    (void)state;
    const sim_worker_ops *models[2] = {&sim_model_stock_rollback, &sim_model_core};
    sg_msg_verdict after[2];
    for (int k = 0; k < 2; k++) {
        sg_bcast_config c = base_config();
        drv *d = world(models[k], &c, MS(200));
        drv_clients(d, 10);
        drv_advance(d, S(2));
        (void)drv_peer(d, 2, 1, 1);
        drv_backbone(d, DRV_DOWN);
        drv_advance(d, S(20));
        drv_backbone(d, DRV_UP);
        drv_advance(d, S(60));
        assert_int_equal(d->closes_abnormal, 0);
        assert_true(d->ops->health_at(d->m, d->now).healthy);
        d->link = DRV_LINK_SUBSCRIBED; /* the backbone carries the next update either way */
        sg_bcast_header next = {.origin = 2, .kind = SG_MSG_DATA, .epoch = 1, .seq = 2};
        after[k] = d->ops->on_message(d->m, d->now, &next, 8);
        drv_free(d);
    }
    assert_int_equal(after[0], SG_MSG_SKIP_NOT_READING); /* stale forever */
    assert_int_equal(after[1], SG_MSG_DELIVER);
}

/* ---- the silent wedge ---------------------------------------------------- */

typedef struct wedge {
    uint64_t crashes;
    uint32_t live;
    bool healthy_throughout;
    sg_reader_state reader;
} wedge;

static wedge silent_wedge(const sim_worker_ops *ops)
{
    sg_bcast_config c = base_config();
    drv *d = world(ops, &c, S(1));
    drv_backbone(d, DRV_DOWN); /* down at the very first subscribe */
    drv_clients(d, 1);
    drv_advance(d, S(5));
    drv_backbone(d, DRV_UP);
    wedge o;
    memset(&o, 0, sizeof o);
    o.healthy_throughout = true;
    for (int i = 0; i < 20; i++) {
        drv_clients(d, 1);
        drv_advance(d, S(2));
        o.healthy_throughout = o.healthy_throughout && d->ops->health_at(d->m, d->now).healthy;
    }
    drv_advance(d, S(30));
    o.crashes = d->crashes;
    o.live = drv_live(d);
    o.reader = drv_stats(d).reader;
    drv_free(d);
    return o;
}

static void silent_wedge_stock_crashes_every_client_core_recovers(void **state)
{
    (void)state;
    wedge legacy = silent_wedge(&sim_model_stock);
    assert_true(legacy.crashes > 100); /* every /ws handler, every retry */
    assert_int_equal(legacy.live, 0);
    assert_true(legacy.healthy_throughout); /* and /healthcheck said 200 */

    wedge core = silent_wedge(&sim_model_core);
    assert_int_equal(core.crashes, 0);
    assert_int_equal(core.live, 21);
    assert_int_equal(core.reader, SG_READER_READING);
    assert_true(core.healthy_throughout); /* and rightly so */
}

/* ---- finding 1: reader restart is not a gap -------------------------------- */

static void leave_all(drv *d)
{
    for (uint32_t i = 0; i < d->nclients; i++) {
        if (d->clients[i].live) {
            assert_int_equal(d->ops->client_unregister(d->m, d->now, d->clients[i].h), SG_OK);
            d->clients[i].live = false;
            d->clients[i].reconnect_at = SG_TIME_NEVER;
        }
    }
    drv_pump(d);
}

static uint64_t reader_restart_closes(const sim_worker_ops *ops)
{
    sg_bcast_config c = base_config();
    drv *d = drv_new(ops, &c);
    drv_clients(d, 3);
    drv_advance(d, S(2));
    (void)drv_peer(d, 2, 1, 1);
    drv_advance(d, S(5));
    leave_all(d); /* no statistics pin: the count reaches 0, the reader stops */
    drv_advance(d, S(5));
    d->reconnect_ns = S(10); /* the client's retry backoff outgrew the tail */
    drv_clients(d, 1);
    drv_advance(d, S(60));
    uint64_t closes = d->closes_resync;
    drv_free(d);
    return closes;
}

static void finding1_reader_restart_is_not_a_gap(void **state)
{
    (void)state;
    assert_true(reader_restart_closes(&sim_model_first_fix) >= 3); /* a self-sustaining loop */
    assert_int_equal(reader_restart_closes(&sim_model_core), 0);
}

/* ---- finding 2: a gap during a recovery in flight -------------------------- */

typedef struct flight {
    uint64_t resyncs;
    uint32_t stuck_items;
    bool second_update_on_wire;
} flight;

static flight late_second_gap(const sim_worker_ops *ops)
{
    sg_bcast_config c = base_config();
    drv *d = world(ops, &c, S(1));
    drv_clients(d, 10);
    drv_advance(d, S(2));
    (void)drv_peer(d, 2, 1, 1);
    drv_backbone(d, DRV_DOWN);
    (void)drv_publish(d, 0xA1, 16);
    drv_advance(d, S(2));
    drv_backbone(d, DRV_UP);
    drv_advance(d, S(5)); /* reconnected, settled, replayed: resyncing now */
    (void)drv_peer(d, 2, 1, 2);
    drv_backbone(d, DRV_DOWN); /* a gap that opens and closes after the flush */
    (void)drv_publish(d, 0xA2, 16);
    drv_advance(d, S(1));
    drv_backbone(d, DRV_UP);
    drv_advance(d, S(120));
    flight o;
    sg_bcast_stats s = drv_stats(d);
    o.resyncs = s.counters.resyncs;
    o.stuck_items = s.replay_items;
    o.second_update_on_wire = drv_wire_has(d, 0xA2);
    assert_true(drv_wire_has(d, 0xA1));
    drv_free(d);
    return o;
}

static void finding2_gap_during_recovery_is_never_dropped(void **state)
{
    (void)state;
    flight legacy = late_second_gap(&sim_model_first_fix);
    assert_int_equal(legacy.resyncs, 1);
    assert_int_equal(legacy.stuck_items, 1);
    assert_false(legacy.second_update_on_wire); /* sits in the buffer for days */

    flight core = late_second_gap(&sim_model_core);
    assert_int_equal(core.resyncs, 2); /* the rerun, after the cooldown */
    assert_int_equal(core.stuck_items, 0);
    assert_true(core.second_update_on_wire);
}

/* ---- finding 3: give-up ---------------------------------------------------- */

typedef struct giveup {
    uint64_t shutdowns, abnormal, give_ups, unhealthy_announced;
    bool healthy;
} giveup;

static giveup permanent_death(const sim_worker_ops *ops, drv_mode how)
{
    sg_bcast_config c = base_config();
    c.backoff.max_retries = 3;
    drv *d = world(ops, &c, MS(500));
    drv_clients(d, 10);
    drv_advance(d, S(2));
    (void)drv_peer(d, 2, 1, 1);
    drv_backbone(d, how);
    drv_advance(d, S(120));
    giveup o;
    o.shutdowns = d->shutdowns;
    o.abnormal = d->closes_abnormal;
    o.give_ups = drv_stats(d).counters.give_ups;
    o.healthy = d->ops->health_at(d->m, d->now).healthy;
    o.unhealthy_announced = d->unhealthy_actions;
    drv_free(d);
    return o;
}

static void finding3_give_up_shuts_down_instead_of_a_dead_reader(void **state)
{
    (void)state;
    giveup legacy = permanent_death(&sim_model_first_fix, DRV_DOWN);
    assert_true(legacy.give_ups >= 1); /* again after every reader reset */
    assert_int_equal(legacy.shutdowns, 0);
    assert_true(legacy.abnormal > 100); /* the storm regime returns */
    assert_true(legacy.unhealthy_announced > 0); /* 503 at times, restarted by nobody */

    giveup core = permanent_death(&sim_model_core, DRV_DOWN);
    assert_int_equal(core.give_ups, 1);
    assert_int_equal(core.shutdowns, 1);
    assert_int_equal(core.abnormal, 0);
    assert_int_equal(core.unhealthy_announced, 1);
    assert_false(core.healthy); /* 503 until the worker restarts */
}

static void finding3_connect_then_drop_counts_toward_give_up(void **state)
{
    (void)state;
    giveup legacy = permanent_death(&sim_model_first_fix, DRV_FLAKY);
    assert_int_equal(legacy.give_ups, 0); /* the counter resets on every connect */
    assert_true(legacy.healthy);

    giveup core = permanent_death(&sim_model_core, DRV_FLAKY);
    assert_int_equal(core.give_ups, 1);
    assert_int_equal(core.shutdowns, 1);
}

/* ---- finding 4: per-origin order on the wire ------------------------------- */

static bool old_update_first(const sim_worker_ops *ops)
{
    sg_bcast_config c = base_config();
    drv *d = drv_new(ops, &c);
    drv_clients(d, 2);
    drv_advance(d, S(2));
    (void)drv_peer(d, 2, 1, 1);
    drv_backbone(d, DRV_DOWN);
    (void)drv_publish(d, 0x01, 8); /* buffered during the outage */
    drv_advance(d, S(2));
    drv_backbone(d, DRV_UP);
    drv_advance(d, S(1)); /* reconnected, still settling */
    (void)drv_publish(d, 0x02, 8); /* a newer update of the same key */
    drv_advance(d, S(30));
    size_t old_at = drv_wire_index(d, 0x01);
    size_t new_at = drv_wire_index(d, 0x02);
    assert_true(old_at != SIZE_MAX && new_at != SIZE_MAX);
    drv_free(d);
    return old_at < new_at;
}

static void finding4_replay_never_lands_after_a_newer_update(void **state)
{
    (void)state;
    assert_false(old_update_first(&sim_model_first_fix)); /* stale wins on peers */
    assert_true(old_update_first(&sim_model_core));
}

/* ---- finding 5: partial flush with refill ---------------------------------- */

static void partial_flush_with_refill(const sim_worker_ops *ops, bool *has5, bool *has6)
{
    sg_bcast_config c = base_config();
    c.replay_items_max = 4;
    drv *d = world(ops, &c, S(1));
    drv_clients(d, 2);
    drv_advance(d, S(2));
    (void)drv_peer(d, 2, 1, 1);
    drv_backbone(d, DRV_DOWN);
    for (uint8_t t = 1; t <= 4; t++) {
        (void)drv_publish(d, t, 8);
    }
    d->hold_replays = true;
    drv_advance(d, S(2));
    drv_backbone(d, DRV_UP);
    drv_advance(d, S(4)); /* reconnected and settled: item 1 in flight */
    assert_int_equal(d->nheld, 1);
    drv_answer_replay(d, true); /* 1 sent; 2 in flight */
    assert_int_equal(d->nheld, 1);
    drv_backbone(d, DRV_DOWN);   /* the backbone drops mid-flush ... */
    (void)drv_publish(d, 5, 8); /* ... and the buffer refills */
    (void)drv_publish(d, 6, 8);
    drv_answer_replay(d, false); /* 2 fails: the unsent tail goes back */
    d->hold_replays = false;
    drv_advance(d, S(10));
    drv_backbone(d, DRV_UP);
    drv_advance(d, S(60));
    *has5 = drv_wire_has(d, 5);
    *has6 = drv_wire_has(d, 6);
    drv_free(d);
}

static void finding5_partial_flush_keeps_the_newest(void **state)
{
    (void)state;
    bool has5 = false;
    bool has6 = false;
    partial_flush_with_refill(&sim_model_first_fix, &has5, &has6);
    assert_true(has5);
    assert_false(has6); /* extendleft evicted the newest */
    partial_flush_with_refill(&sim_model_core, &has5, &has6);
    assert_true(has5);
    assert_true(has6); /* drop-oldest: the newest survive */
}

/* ---- finding 6: amplification and memory ------------------------------------ */

static uint64_t flapping_resyncs(const sim_worker_ops *ops, uint64_t *closes)
{
    sg_bcast_config c = base_config();
    drv *d = world(ops, &c, MS(200));
    drv_clients(d, 20);
    drv_advance(d, S(2));
    for (uint64_t flap = 0; flap < 6; flap++) {
        (void)drv_peer(d, 2, 1, flap + 1);
        drv_backbone(d, DRV_DOWN);
        drv_advance(d, S(2));
        drv_backbone(d, DRV_UP);
        drv_advance(d, S(8));
    }
    drv_advance(d, S(60));
    *closes = d->closes_resync;
    uint64_t r = drv_stats(d).counters.resyncs;
    drv_free(d);
    return r;
}

static void finding6_cooldown_bounds_resync_amplification(void **state)
{
    (void)state;
    uint64_t legacy_closes = 0;
    uint64_t core_closes = 0;
    assert_true(flapping_resyncs(&sim_model_first_fix, &legacy_closes) >= 5);
    uint64_t core = flapping_resyncs(&sim_model_core, &core_closes);
    assert_true(core >= 2 && core <= 3); /* deferred by the cooldown, never skipped */
    assert_true(legacy_closes >= 2 * core_closes);
}

static uint64_t bytes_held(const sim_worker_ops *ops)
{
    sg_bcast_config c = base_config();
    c.replay_items_max = 1000;
    c.replay_bytes_max = (uint64_t)4 << 20;
    c.backbone_payload_max = (uint32_t)1 << 20;
    drv *d = drv_new(ops, &c);
    drv_clients(d, 1);
    drv_advance(d, S(2));
    drv_backbone(d, DRV_DOWN);
    for (uint8_t i = 0; i < 20; i++) {
        (void)drv_publish(d, i, (uint32_t)512 << 10);
    }
    uint64_t held = drv_stats(d).replay_bytes;
    drv_free(d);
    return held;
}

static void finding6_buffer_is_bounded_by_bytes(void **state)
{
    (void)state;
    assert_int_equal(bytes_held(&sim_model_first_fix), (uint64_t)10 << 20);
    assert_true(bytes_held(&sim_model_core) <= (uint64_t)4 << 20);
}

static void models_are_registered_by_name(void **state)
{
    (void)state;
    assert_ptr_equal(sim_worker_model_find("core"), &sim_model_core);
    assert_ptr_equal(sim_worker_model_find("stock"), &sim_model_stock);
    assert_ptr_equal(sim_worker_model_find("first-fix"), &sim_model_first_fix);
    assert_ptr_equal(sim_worker_model_find("stock-rollback"), &sim_model_stock_rollback);
    assert_null(sim_worker_model_find("nope"));
    assert_null(sim_worker_model_find(NULL));
    size_t n = 0;
    while (sim_worker_models[n] != NULL) {
        assert_non_null(sim_worker_models[n]->description);
        n++;
    }
    assert_int_equal(n, 7); /* + forgets-resubscribe, zero-delay, unstaggered (sim/legacy/core_variants.c) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loud_storm_stock_cancels_clients_forever_core_keeps_them),
        cmocka_unit_test(rollback_degrades_to_stale_core_delivers),
        cmocka_unit_test(silent_wedge_stock_crashes_every_client_core_recovers),
        cmocka_unit_test(finding1_reader_restart_is_not_a_gap),
        cmocka_unit_test(finding2_gap_during_recovery_is_never_dropped),
        cmocka_unit_test(finding3_give_up_shuts_down_instead_of_a_dead_reader),
        cmocka_unit_test(finding3_connect_then_drop_counts_toward_give_up),
        cmocka_unit_test(finding4_replay_never_lands_after_a_newer_update),
        cmocka_unit_test(finding5_partial_flush_keeps_the_newest),
        cmocka_unit_test(finding6_cooldown_bounds_resync_amplification),
        cmocka_unit_test(finding6_buffer_is_bounded_by_bytes),
        cmocka_unit_test(models_are_registered_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

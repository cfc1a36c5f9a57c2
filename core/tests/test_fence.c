/*
 * test_fence.c - fenced writes: equality compare, tombstones whatever the
 * arrival order and whatever revision a recreated key gets, retention and
 * the eviction horizon, table bounds, slot reclamation, per-key holds,
 * stale tickets, the re-read hook and allocation failures.
 */
#include "test_util.h"

#include "test_fiu.h"

#include <stdio.h>


#include "stormglass/fence.h"
#include "stormglass/rng.h"

#define KEY(s) (s), (sizeof(s) - 1)
#define RETENTION S(60)

static sg_fence *make(uint32_t keys, uint32_t tombs)
{
    sg_fence_config c = sg_fence_config_default();
    c.keys_max = keys;
    c.tombstones_max = tombs;
    c.tombstone_retention_ns = RETENTION;
    sg_fence *f = NULL;
    assert_int_equal(sg_fence_create(&c, &f, NULL), SG_OK);
    return f;
}

static sg_fence_stats stats(const sg_fence *f)
{
    sg_fence_stats st;
    sg_fence_stats_get(f, &st);
    return st;
}

/* prepare at `now` for a write computed from (rev, snapshot_at), commit with fresh. */
static sg_fence_verdict write_now(sg_fence *f, sg_time_ns now, const char *key, int64_t rev, sg_time_ns snap,
                                  bool found, int64_t fresh_rev)
{
    sg_fence_ticket t;
    assert_int_equal(sg_fence_prepare(f, now, key, strlen(key), rev, snap, &t), SG_OK);
    sg_fence_read fresh = {found, fresh_rev};
    sg_fence_verdict v;
    assert_int_equal(sg_fence_commit(f, now, &t, &fresh, &v), SG_OK);
    return v;
}

/* ---- configuration and allocation ---- */

static void config_rejects_bad_fields_by_name(void **state)
{
    (void)state;
    sg_error err;
    sg_fence_config c = sg_fence_config_default();
    assert_int_equal(sg_fence_config_check(&c, &err), SG_OK);
    c.keys_max = 0;
    assert_int_equal(sg_fence_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "fence.keys_max"));
    c = sg_fence_config_default();
    c.tombstones_max = c.keys_max + 1;
    assert_int_equal(sg_fence_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "fence.tombstones_max"));
    c = sg_fence_config_default();
    c.tombstone_retention_ns = 0;
    assert_int_equal(sg_fence_config_check(&c, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "fence.tombstone_retention"));
}

static void alloc_failure_every_allocation_is_clean(void **state)
{
    (void)state;
    fiu_init(0);
    sg_fence_config c = sg_fence_config_default();
    sg_fence *f = NULL;
    sg_error err;
    int failures = 0;
    for (int nth = 1; nth < 10; nth++) {
        test_fiu_fail_nth("stormglass/fence/alloc", nth);
        sg_status st = sg_fence_create(&c, &f, &err);
        fiu_disable("stormglass/fence/alloc");
        if (st == SG_OK) {
            break;
        }
        assert_int_equal(st, SG_E_NOMEM);
        assert_null(f);
        assert_non_null(strstr(err.msg, "fence"));
        failures++;
    }
    assert_int_equal(failures, 4); /* the fence, its slots, index, tombstone links */
    assert_int_equal(write_now(f, S(1), "k", 1, S(1), true, 1), SG_FENCE_APPLY);
    sg_fence_destroy(f);
}

/* ---- the compare ---- */

static void equal_revision_applies_and_frees_the_slot(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    assert_int_equal(write_now(f, S(2), "circuit/1", 5, S(1), true, 5), SG_FENCE_APPLY);
    sg_fence_stats st = stats(f);
    assert_int_equal(st.counters.applied, 1);
    assert_int_equal(st.keys, 0); /* no holder, no tombstone: reclaimed at once */
    assert_int_equal(st.holders, 0);
    assert_int_equal(st.counters.slots_reclaimed, 1);
    sg_fence_destroy(f);
}

static void compare_is_equality_not_less_than(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    /* the record moved on (forward, backward, reset to 0) since the snapshot */
    const int64_t fresh[] = {7, 3, 0};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(write_now(f, S(2), "circuit/1", 5, S(1), true, fresh[i]), SG_FENCE_REJECT_STALE);
    }
    /* negative control: the "ModRevision < snapshot+1" compare of etcd
     * issue 7184 would have let the reset and the backward move through */
    assert_true(fresh[1] < 5 + 1 && fresh[2] < 5 + 1);
    assert_int_equal(stats(f).counters.rejected_stale, 3);
    assert_int_equal(stats(f).counters.applied, 0);
    sg_fence_destroy(f);
}

static void missing_record_is_a_counted_skip(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    assert_int_equal(write_now(f, S(2), "circuit/1", 5, S(1), false, 0), SG_FENCE_SKIP_MISSING);
    assert_int_equal(stats(f).counters.skipped_missing, 1);
    assert_int_equal(stats(f).keys, 0);
    sg_fence_destroy(f);
}

/* ---- tombstones ---- */

static void stale_write_rejected_whatever_the_recreated_revision(void **state)
{
    (void)state;
    /* snapshot rev 5 at t=1, delete at t=2, key recreated with a revision
     * equal to, greater or less than 5; the stale write must never apply */
    const int64_t recreated[] = {5, 9, 1};
    for (size_t i = 0; i < 3; i++) {
        sg_fence *f = make(8, 4);
        /* arrival order A: delete before the stale write's prepare */
        assert_int_equal(sg_fence_delete(f, S(2), KEY("circuit/1")), SG_OK);
        assert_int_equal(write_now(f, S(3), "circuit/1", 5, S(1), true, recreated[i]),
                         SG_FENCE_REJECT_TOMBSTONE);
        /* arrival order B: delete while the stale write holds the key */
        sg_fence_ticket t;
        assert_int_equal(sg_fence_prepare(f, S(4), KEY("circuit/2"), 5, S(1), &t), SG_OK);
        assert_int_equal(sg_fence_delete(f, S(5), KEY("circuit/2")), SG_OK);
        sg_fence_read fresh = {true, recreated[i]};
        sg_fence_verdict v;
        assert_int_equal(sg_fence_commit(f, S(6), &t, &fresh, &v), SG_OK);
        assert_int_equal(v, SG_FENCE_REJECT_TOMBSTONE);
        /* a write computed after the recreate applies on the same key */
        assert_int_equal(write_now(f, S(7), "circuit/1", recreated[i], S(6), true, recreated[i]),
                         SG_FENCE_APPLY);
        sg_fence_stats st = stats(f);
        assert_int_equal(st.counters.rejected_tombstone, 2);
        assert_int_equal(st.tombstones, 2); /* the recreate does not clear the tombstone */
        sg_fence_destroy(f);
    }
}

static void snapshot_at_the_delete_instant_is_stale(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    assert_int_equal(sg_fence_delete(f, S(2), KEY("k")), SG_OK);
    assert_int_equal(write_now(f, S(3), "k", 1, S(2), true, 1), SG_FENCE_REJECT_TOMBSTONE);
    assert_int_equal(write_now(f, S(3), "k", 1, S(2) + 1, true, 1), SG_FENCE_APPLY);
    sg_fence_destroy(f);
}

static void tombstone_retention_then_too_old(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    assert_int_equal(sg_fence_delete(f, S(10), KEY("k")), SG_OK);
    sg_fence_tick(f, S(10) + RETENTION - 1);
    assert_int_equal(stats(f).tombstones, 1);
    sg_fence_tick(f, S(10) + RETENTION);
    sg_fence_stats st = stats(f);
    assert_int_equal(st.tombstones, 0);
    assert_int_equal(st.keys, 0);
    assert_int_equal(st.counters.expirations, 1);
    /* the tombstone is gone but the stale write still cannot apply */
    assert_int_equal(write_now(f, S(10) + RETENTION, "k", 1, S(9), true, 1), SG_FENCE_REJECT_TOO_OLD);
    /* a snapshot exactly `retention` old is too old; one ns younger is fine */
    assert_int_equal(write_now(f, S(100), "x", 1, S(100) - RETENTION, true, 1), SG_FENCE_REJECT_TOO_OLD);
    assert_int_equal(write_now(f, S(100), "x", 1, S(100) - RETENTION + 1, true, 1), SG_FENCE_APPLY);
    sg_fence_destroy(f);
}

static void full_tombstone_table_evicts_oldest_and_raises_horizon(void **state)
{
    (void)state;
    sg_fence *f = make(8, 2);
    assert_int_equal(sg_fence_delete(f, S(1), KEY("a")), SG_OK);
    assert_int_equal(sg_fence_delete(f, S(2), KEY("b")), SG_OK);
    assert_int_equal(sg_fence_delete(f, S(3), KEY("c")), SG_OK); /* evicts a early */
    sg_fence_stats st = stats(f);
    assert_int_equal(st.tombstones, 2);
    assert_int_equal(st.counters.evictions, 1);
    assert_int_equal(st.eviction_horizon_ns, S(1));
    /* a's stale write (snapshot before its delete) is refused as too old */
    assert_int_equal(write_now(f, S(4), "a", 1, S(0) + 5, true, 1), SG_FENCE_REJECT_TOO_OLD);
    /* conservative for everyone: any snapshot at or before the horizon */
    assert_int_equal(write_now(f, S(4), "z", 1, S(1), true, 1), SG_FENCE_REJECT_TOO_OLD);
    assert_int_equal(write_now(f, S(4), "z", 1, S(1) + 1, true, 1), SG_FENCE_APPLY);
    /* a repeated delete refreshes its tombstone without evicting */
    assert_int_equal(sg_fence_delete(f, S(5), KEY("b")), SG_OK);
    assert_int_equal(stats(f).counters.evictions, 1);
    assert_int_equal(sg_fence_delete(f, S(6), KEY("d")), SG_OK); /* evicts c, not b */
    assert_int_equal(write_now(f, S(7), "b", 1, S(4), true, 1), SG_FENCE_REJECT_TOMBSTONE);
    assert_int_equal(stats(f).eviction_horizon_ns, S(3));
    sg_fence_destroy(f);
}

static void full_key_table_refuses_writes_never_deletes(void **state)
{
    (void)state;
    sg_fence *f = make(2, 2);
    sg_fence_ticket t1, t2, t3;
    assert_int_equal(sg_fence_prepare(f, S(1), KEY("a"), 1, S(1), &t1), SG_OK);
    assert_int_equal(sg_fence_prepare(f, S(1), KEY("b"), 1, S(1), &t2), SG_OK);
    assert_int_equal(sg_fence_prepare(f, S(1), KEY("c"), 1, S(1), &t3), SG_E_FULL);
    assert_int_equal(stats(f).counters.full, 1);
    /* a delete of a third key finds every slot held: the horizon moves to now */
    assert_int_equal(sg_fence_delete(f, S(2), KEY("c")), SG_OK);
    sg_fence_stats st = stats(f);
    assert_int_equal(st.counters.horizon_to_now, 1);
    assert_int_equal(st.eviction_horizon_ns, S(2));
    sg_fence_read fresh = {true, 1};
    sg_fence_verdict v;
    assert_int_equal(sg_fence_commit(f, S(3), &t1, &fresh, &v), SG_OK);
    assert_int_equal(v, SG_FENCE_REJECT_TOO_OLD);
    assert_int_equal(sg_fence_abort(f, S(3), &t2), SG_OK);
    /* deletes of known keys while the tombstone table is full of held keys */
    assert_int_equal(sg_fence_delete(f, S(4), KEY("a")), SG_OK);
    assert_int_equal(sg_fence_delete(f, S(4), KEY("b")), SG_OK);
    assert_int_equal(sg_fence_delete(f, S(5), KEY("c")), SG_OK); /* evicts a to make room */
    st = stats(f);
    assert_int_equal(st.keys, 2);
    assert_int_equal(st.tombstones, 2);
    assert_int_equal(st.counters.evictions, 1);
    sg_fence_destroy(f);
}

/* ---- holds and tickets ---- */

static void one_writer_per_key(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    sg_fence_ticket a, b;
    assert_int_equal(sg_fence_prepare(f, S(1), KEY("k"), 1, S(1), &a), SG_OK);
    assert_int_equal(sg_fence_prepare(f, S(1), KEY("k"), 1, S(1), &b), SG_E_STATE);
    assert_int_equal(sg_fence_prepare(f, S(1), KEY("other"), 1, S(1), &b), SG_OK);
    assert_int_equal(stats(f).counters.contended, 1);
    assert_int_equal(stats(f).holders, 2);
    assert_int_equal(sg_fence_abort(f, S(2), &a), SG_OK);
    assert_int_equal(sg_fence_prepare(f, S(2), KEY("k"), 1, S(2), &a), SG_OK);
    assert_int_equal(sg_fence_abort(f, S(2), &a), SG_OK);
    assert_int_equal(sg_fence_abort(f, S(2), &b), SG_OK);
    assert_int_equal(stats(f).keys, 0);
    sg_fence_destroy(f);
}

static void stale_tickets_are_counted_no_ops(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    sg_fence_ticket t, u;
    sg_fence_read fresh = {true, 1};
    sg_fence_verdict v;
    assert_int_equal(sg_fence_prepare(f, S(1), KEY("k"), 1, S(1), &t), SG_OK);
    assert_int_equal(sg_fence_commit(f, S(1), &t, NULL, &v), SG_E_INVALID); /* hold kept */
    assert_int_equal(sg_fence_commit(f, S(1), &t, &fresh, &v), SG_OK);
    assert_int_equal(sg_fence_commit(f, S(1), &t, &fresh, &v), SG_E_NOT_FOUND);
    assert_int_equal(sg_fence_abort(f, S(1), &t), SG_E_NOT_FOUND);
    assert_int_equal(sg_fence_check(f, S(1), &t, &v), SG_E_NOT_FOUND);
    /* the slot is reused by another key: the old ticket stays stale */
    assert_int_equal(sg_fence_prepare(f, S(2), KEY("j"), 1, S(2), &u), SG_OK);
    assert_int_equal(u.slot, t.slot);
    assert_int_equal(sg_fence_commit(f, S(2), &t, &fresh, &v), SG_E_NOT_FOUND);
    sg_fence_ticket wild = u;
    wild.slot = 1000;
    assert_int_equal(sg_fence_abort(f, S(2), &wild), SG_E_NOT_FOUND);
    assert_int_equal(stats(f).counters.stale_tickets, 4);
    assert_int_equal(stats(f).counters.applied, 1);
    assert_int_equal(sg_fence_commit(f, S(2), &u, &fresh, &v), SG_OK);
    sg_fence_destroy(f);
}

static void prepare_rejects_bad_input(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    sg_fence_ticket t;
    char long_key[SG_FENCE_KEY_BYTES_MAX + 1];
    memset(long_key, 'k', sizeof long_key);
    assert_int_equal(sg_fence_prepare(f, S(1), "", 0, 1, S(1), &t), SG_E_INVALID);
    assert_int_equal(sg_fence_prepare(f, S(1), long_key, sizeof long_key, 1, S(1), &t), SG_E_INVALID);
    assert_int_equal(sg_fence_prepare(f, S(1), long_key, SG_FENCE_KEY_BYTES_MAX, 1, S(1), &t), SG_OK);
    assert_int_equal(sg_fence_abort(f, S(1), &t), SG_OK);
    assert_int_equal(sg_fence_prepare(f, S(1), KEY("k"), 1, S(2), &t), SG_E_INVALID); /* future */
    assert_int_equal(sg_fence_delete(f, S(1), NULL, 3), SG_E_INVALID);
    assert_string_equal(sg_fence_verdict_name(SG_FENCE_REJECT_TOMBSTONE), "reject-tombstone");
    sg_fence_destroy(f);
}

/* ---- the re-read hook as a callback ---- */

typedef struct truth {
    bool found;
    int64_t revision;
    int calls;
    sg_status fail;
} truth;

static sg_status reread(void *ctx, const void *key, size_t key_len, sg_fence_read *out)
{
    truth *t = ctx;
    assert_non_null(key);
    assert_true(key_len > 0);
    t->calls++;
    out->found = t->found;
    out->revision = t->revision;
    return t->fail;
}

static void write_with_reread_callback(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    truth db = {true, 4, 0, SG_OK};
    sg_fence_verdict v;
    assert_int_equal(sg_fence_write(f, S(2), KEY("k"), 4, S(1), reread, &db, &v), SG_OK);
    assert_int_equal(v, SG_FENCE_APPLY);
    db.found = false;
    assert_int_equal(sg_fence_write(f, S(3), KEY("k"), 4, S(2), reread, &db, &v), SG_OK);
    assert_int_equal(v, SG_FENCE_SKIP_MISSING);
    /* a doomed write does not bother the database */
    assert_int_equal(sg_fence_delete(f, S(4), KEY("k")), SG_OK);
    assert_int_equal(sg_fence_write(f, S(5), KEY("k"), 4, S(3), reread, &db, &v), SG_OK);
    assert_int_equal(v, SG_FENCE_REJECT_TOMBSTONE);
    assert_int_equal(db.calls, 2);
    /* the database read fails: the hold is released, the error returned */
    db.fail = SG_E_STATE;
    assert_int_equal(sg_fence_write(f, S(6), KEY("j"), 4, S(6), reread, &db, &v), SG_E_STATE);
    sg_fence_stats st = stats(f);
    assert_int_equal(st.counters.reread_errors, 1);
    assert_int_equal(st.holders, 0);
    assert_int_equal(st.keys, 1); /* only k's tombstone */
    sg_fence_destroy(f);
}

/* ---- bounds under churn ---- */

static void slots_are_reclaimed_under_churn(void **state)
{
    (void)state;
    sg_fence *f = make(8, 4);
    char key[32];
    sg_time_ns now = 0;
    for (int i = 0; i < 2000; i++) {
        now += S(20);
        (void)snprintf(key, sizeof key, "circuit/%d", i);
        assert_int_equal(write_now(f, now, key, i, now, true, i), SG_FENCE_APPLY);
        if (i % 3 == 0) {
            assert_int_equal(sg_fence_delete(f, now, key, strlen(key)), SG_OK);
        }
        sg_fence_stats st = stats(f);
        assert_true(st.keys <= 8);
        assert_true(st.tombstones <= 4);
    }
    sg_fence_tick(f, now + RETENTION);
    sg_fence_stats st = stats(f);
    assert_int_equal(st.keys, 0);
    assert_int_equal(st.tombstones, 0);
    assert_int_equal(st.counters.full, 0);
    assert_int_equal(st.counters.evictions, 0); /* retention 60 s, a delete every 60 s */
    sg_fence_destroy(f);
}

/* The index under random inserts and removals agrees with a plain model. */
static void key_index_survives_random_churn(void **state)
{
    (void)state;
    enum { KEYS = 64, UNIVERSE = 200, STEPS = 20000 };
    sg_fence *f = make(KEYS, KEYS);
    bool held[UNIVERSE] = {false};
    sg_fence_ticket tickets[UNIVERSE];
    int live = 0;
    sg_rng rng;
    sg_rng_seed(&rng, 7, 1);
    char key[16];
    for (int step = 0; step < STEPS; step++) {
        uint32_t k = (uint32_t)sg_rng_below(&rng, UNIVERSE);
        (void)snprintf(key, sizeof key, "k%u", k);
        if (held[k]) {
            assert_int_equal(sg_fence_abort(f, S(1), &tickets[k]), SG_OK);
            held[k] = false;
            live--;
        } else {
            sg_status st = sg_fence_prepare(f, S(1), key, strlen(key), 1, S(1), &tickets[k]);
            if (live == KEYS) {
                assert_int_equal(st, SG_E_FULL);
            } else {
                assert_int_equal(st, SG_OK);
                held[k] = true;
                live++;
            }
        }
        assert_int_equal(stats(f).keys, (uint32_t)live);
    }
    /* every held key is still found (contended), every other one is not */
    for (uint32_t k = 0; k < UNIVERSE; k++) {
        (void)snprintf(key, sizeof key, "k%u", k);
        sg_fence_ticket t;
        sg_status st = sg_fence_prepare(f, S(1), key, strlen(key), 1, S(1), &t);
        if (held[k]) {
            assert_int_equal(st, SG_E_STATE);
        } else if (st == SG_OK) {
            assert_int_equal(sg_fence_abort(f, S(1), &t), SG_OK);
        } else {
            assert_int_equal(st, SG_E_FULL);
        }
    }
    sg_fence_destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_rejects_bad_fields_by_name),
        cmocka_unit_test(alloc_failure_every_allocation_is_clean),
        cmocka_unit_test(equal_revision_applies_and_frees_the_slot),
        cmocka_unit_test(compare_is_equality_not_less_than),
        cmocka_unit_test(missing_record_is_a_counted_skip),
        cmocka_unit_test(stale_write_rejected_whatever_the_recreated_revision),
        cmocka_unit_test(snapshot_at_the_delete_instant_is_stale),
        cmocka_unit_test(tombstone_retention_then_too_old),
        cmocka_unit_test(full_tombstone_table_evicts_oldest_and_raises_horizon),
        cmocka_unit_test(full_key_table_refuses_writes_never_deletes),
        cmocka_unit_test(one_writer_per_key),
        cmocka_unit_test(stale_tickets_are_counted_no_ops),
        cmocka_unit_test(prepare_rejects_bad_input),
        cmocka_unit_test(write_with_reread_callback),
        cmocka_unit_test(slots_are_reclaimed_under_churn),
        cmocka_unit_test(key_index_survives_random_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

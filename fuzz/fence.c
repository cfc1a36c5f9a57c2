/*
 * fence.c - fuzz target: fenced writes (core/src/fence*.c).
 *
 * Input: a configuration (1..8 key slots, tombstone table, retention; some
 * invalid), then operations in any order and at any times: prepare (named
 * or arbitrary keys, any revision, snapshots of any age, even in the
 * future), check, commit with a matching or mismatching fresh read,
 * abort, used or made-up tickets, deletes, ticks, time jumps, and
 * sg_fence_write whose re-read hook answers found/missing/error.
 *
 * The model remembers every delete of every key forever (the fence may
 * not: that is the point), so it can state the fence's promise
 * independently of its bounded tables:
 *   - never a resurrected key: an APPLY is only ever given to a write
 *     whose snapshot is later than every delete of that key;
 *   - the full verdict is the documented judgement: too old (retention or
 *     eviction horizon) > tombstone > missing > stale > apply, so no write
 *     is rejected without cause either;
 *   - check predicts commit; one writer per key; a used or unknown ticket
 *     changes nothing; the horizon never moves back and moves only on a
 *     delete; table counts stay within their bounds and no key state
 *     outlives its holder and tombstone; a full table is really full.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_faults.h"
#include "stormglass/fence.h"

#define KEYS_MODEL_MAX 32u
#define TICKETS_MAX 32u
#define OPS_MAX 2000u
#define NAMED_KEYS 8u

typedef struct key_model {
    uint8_t bytes[SG_FENCE_KEY_BYTES_MAX];
    size_t len;
    sg_time_ns last_delete; /* INT64_MIN: never deleted */
    int holder;             /* ticket index holding it, or -1 */
} key_model;

typedef struct ticket_model {
    sg_fence_ticket t;
    int key;                /* model key index */
    bool live;
} ticket_model;

typedef struct model {
    sg_fence *f;
    sg_fence_config config;
    sg_time_ns now;
    sg_time_ns horizon;     /* last seen eviction horizon */
    key_model keys[KEYS_MODEL_MAX];
    uint32_t n_keys;
    ticket_model tickets[TICKETS_MAX];
    uint32_t n_tickets;
    fuzz_input *in;
} model;

/* A key from the input: one of a few names (collisions wanted) or raw
 * bytes (possibly empty or too long: invalid).  Returns the model index,
 * -1 for an invalid key, -2 when the model is out of room. */
static int pick_key(model *m, const uint8_t **bytes, size_t *len)
{
    static uint8_t named[NAMED_KEYS][8];
    uint8_t v = fuzz_u8(m->in);
    if (v < 0xe0) {
        int w = snprintf((char *)named[v % NAMED_KEYS], sizeof named[0], "key-%u", v % NAMED_KEYS);
        FUZZ_CHECK(w > 0);
        *bytes = named[v % NAMED_KEYS];
        *len = (size_t)w;
    } else {
        *len = fuzz_slice(m->in, SG_FENCE_KEY_BYTES_MAX + 6, bytes);
    }
    if (*len == 0 || *len > SG_FENCE_KEY_BYTES_MAX) {
        return -1;
    }
    for (uint32_t i = 0; i < m->n_keys; i++) {
        if (m->keys[i].len == *len && memcmp(m->keys[i].bytes, *bytes, *len) == 0) {
            return (int)i;
        }
    }
    if (m->n_keys == KEYS_MODEL_MAX) {
        return -2;
    }
    key_model *k = &m->keys[m->n_keys];
    memcpy(k->bytes, *bytes, *len);
    k->len = *len;
    k->last_delete = INT64_MIN;
    k->holder = -1;
    return (int)m->n_keys++;
}

/* The documented judgement, from the model's complete delete history. */
static sg_fence_verdict expected_verdict(const model *m, const ticket_model *tm, const sg_fence_read *fresh)
{
    sg_time_ns snap = tm->t.snapshot_at;
    if (snap <= m->now - m->config.tombstone_retention_ns || snap <= m->horizon) {
        return SG_FENCE_REJECT_TOO_OLD;
    }
    if (snap <= m->keys[tm->key].last_delete) {
        return SG_FENCE_REJECT_TOMBSTONE;
    }
    if (fresh != NULL && !fresh->found) {
        return SG_FENCE_SKIP_MISSING;
    }
    if (fresh != NULL && fresh->revision != tm->t.revision) {
        return SG_FENCE_REJECT_STALE;
    }
    return SG_FENCE_APPLY;
}

static void check_verdict(const model *m, const ticket_model *tm, const sg_fence_read *fresh, sg_fence_verdict v)
{
    const key_model *k = &m->keys[tm->key];
    /* the promise itself, stated without the judgement's order */
    FUZZ_CHECK_MSG(v != SG_FENCE_APPLY || tm->t.snapshot_at > k->last_delete,
                   "RESURRECTION: '%.*s' snapshot %lld applied after a delete at %lld", (int)k->len,
                   (const char *)k->bytes, (long long)tm->t.snapshot_at, (long long)k->last_delete);
    sg_fence_verdict want = expected_verdict(m, tm, fresh);
    FUZZ_CHECK_MSG(v == want, "verdict %s, want %s (snapshot %lld now %lld horizon %lld last delete %lld)",
                   sg_fence_verdict_name(v), sg_fence_verdict_name(want), (long long)tm->t.snapshot_at,
                   (long long)m->now, (long long)m->horizon, (long long)k->last_delete);
}

static void check_stats(model *m, bool delete_happened)
{
    sg_fence_stats st;
    sg_fence_stats_get(m->f, &st);
    uint32_t holders = 0;
    for (uint32_t i = 0; i < m->n_keys; i++) {
        holders += m->keys[i].holder >= 0;
    }
    FUZZ_CHECK_MSG(st.holders == holders, "holders %u, model %u", st.holders, holders);
    FUZZ_CHECK(st.keys <= st.keys_max && st.tombstones <= st.tombstones_max);
    FUZZ_CHECK(st.holders <= st.keys && st.tombstones <= st.keys);
    FUZZ_CHECK_MSG(st.keys <= st.holders + st.tombstones, "%u keys for %u holders and %u tombstones", st.keys,
                   st.holders, st.tombstones);
    FUZZ_CHECK(st.eviction_horizon_ns >= m->horizon && st.eviction_horizon_ns <= m->now);
    FUZZ_CHECK(delete_happened || st.eviction_horizon_ns == m->horizon);
    m->horizon = st.eviction_horizon_ns;
}

static sg_time_ns pick_snapshot(model *m)
{
    sg_duration_ns age = fuzz_edgy_i64(m->in, -2, 2 * m->config.tombstone_retention_ns + 2);
    return m->now - age; /* a negative age is a snapshot from the future: invalid */
}

static void do_prepare(model *m)
{
    const uint8_t *key;
    size_t len;
    int ki = pick_key(m, &key, &len);
    int64_t revision = fuzz_edgy_i64(m->in, INT64_MIN, INT64_MAX);
    sg_time_ns snap = pick_snapshot(m);
    if (ki == -2 || m->n_tickets == TICKETS_MAX) {
        return;
    }
    sg_fence_stats before;
    sg_fence_stats_get(m->f, &before);
    sg_fence_ticket t;
    sg_status st = sg_fence_prepare(m->f, m->now, key, len, revision, snap, &t);
    if (ki < 0 || snap > m->now) {
        FUZZ_CHECK(st == SG_E_INVALID);
        return;
    }
    key_model *k = &m->keys[ki];
    if (k->holder >= 0) {
        FUZZ_CHECK(st == SG_E_STATE); /* one writer per key */
        return;
    }
    if (st == SG_E_FULL) {
        sg_fence_stats after;
        sg_fence_stats_get(m->f, &after);
        FUZZ_CHECK_MSG(before.keys == before.keys_max && after.keys == after.keys_max,
                       "refused as full with %u of %u slots used", after.keys, after.keys_max);
        return;
    }
    FUZZ_CHECK_MSG(st == SG_OK, "prepare: %d", (int)st);
    FUZZ_CHECK(t.revision == revision && t.snapshot_at == snap);
    m->tickets[m->n_tickets] = (ticket_model){t, ki, true};
    k->holder = (int)m->n_tickets++;
}

/* A ticket from the list (live or used) or a made-up one. */
static ticket_model *pick_ticket(model *m, ticket_model *scratch)
{
    uint8_t v = fuzz_u8(m->in);
    if (v < 0xf0 && m->n_tickets > 0) {
        return &m->tickets[v % m->n_tickets];
    }
    scratch->t.slot = fuzz_u8(m->in) % (m->config.keys_max + 1u);
    scratch->t.generation = fuzz_u8(m->in);
    scratch->t.serial = fuzz_u8(m->in);
    scratch->t.revision = 0;
    scratch->t.snapshot_at = m->now;
    scratch->key = 0;
    scratch->live = false;
    /* a made-up ticket that happens to equal a live one is that one */
    for (uint32_t i = 0; i < m->n_tickets; i++) {
        ticket_model *tm = &m->tickets[i];
        if (tm->live && tm->t.slot == scratch->t.slot && tm->t.serial == scratch->t.serial &&
            tm->t.generation == scratch->t.generation) {
            scratch->t = tm->t;
            return tm;
        }
    }
    return scratch;
}

static void release_ticket(model *m, ticket_model *tm)
{
    tm->live = false;
    m->keys[tm->key].holder = -1;
}

static void do_check_commit(model *m, int what)
{
    ticket_model scratch;
    ticket_model *tm = pick_ticket(m, &scratch);
    sg_fence_read fresh = {fuzz_u8(m->in) >= 32, tm->t.revision};
    if (fuzz_u8(m->in) >= 192) {
        fresh.revision = fuzz_edgy_i64(m->in, INT64_MIN, INT64_MAX);
    }
    sg_fence_verdict v = (sg_fence_verdict)0;
    sg_status st;
    if (what == 0) {
        st = sg_fence_check(m->f, m->now, &tm->t, &v);
    } else if (what == 1) {
        st = sg_fence_commit(m->f, m->now, &tm->t, &fresh, &v);
    } else {
        st = sg_fence_abort(m->f, m->now, &tm->t);
    }
    if (!tm->live) {
        FUZZ_CHECK_MSG(st == SG_E_NOT_FOUND, "a used or unknown ticket was accepted (%d)", (int)st);
        return;
    }
    FUZZ_CHECK(st == SG_OK);
    if (what == 0) {
        check_verdict(m, tm, NULL, v); /* check assumes the fresh read will match */
        return;
    }
    if (what == 1) {
        check_verdict(m, tm, &fresh, v);
    }
    release_ticket(m, tm);
}

static void do_delete(model *m)
{
    const uint8_t *key;
    size_t len;
    int ki = pick_key(m, &key, &len);
    if (ki == -2) {
        return;
    }
    sg_status st = sg_fence_delete(m->f, m->now, key, len);
    FUZZ_CHECK(st == (ki < 0 ? SG_E_INVALID : SG_OK)); /* never refused for lack of room */
    if (ki >= 0) {
        m->keys[ki].last_delete = m->now;
    }
}

typedef struct reread_ctx {
    model *m;
    const uint8_t *key;
    size_t len;
    unsigned calls;
    sg_status answer;
    sg_fence_read read;
} reread_ctx;

static sg_status on_reread(void *ctx, const void *key, size_t key_len, sg_fence_read *out)
{
    reread_ctx *c = ctx;
    c->calls++;
    FUZZ_CHECK(key_len == c->len && memcmp(key, c->key, key_len) == 0);
    *out = c->read;
    return c->answer;
}

/* prepare + check + re-read + commit in one call: the hook is consulted
 * only for a write the judgement would let through, and whatever happens
 * the hold is released. */
static void do_write(model *m)
{
    reread_ctx c = {m, NULL, 0, 0, SG_OK, {true, 0}};
    int ki = pick_key(m, &c.key, &c.len);
    int64_t revision = fuzz_edgy_i64(m->in, INT64_MIN, INT64_MAX);
    sg_time_ns snap = pick_snapshot(m);
    uint8_t how = fuzz_u8(m->in);
    c.answer = how < 16 ? SG_E_NOMEM : SG_OK;
    c.read.found = how >= 48;
    c.read.revision = how >= 224 ? revision + 1 : revision;
    if (ki == -2 || m->n_tickets == TICKETS_MAX) {
        return;
    }
    sg_fence_verdict v = (sg_fence_verdict)0;
    sg_status st = sg_fence_write(m->f, m->now, c.key, c.len, revision, snap, on_reread, &c, &v);
    if (ki < 0 || snap > m->now) {
        FUZZ_CHECK(st == SG_E_INVALID && c.calls == 0);
        return;
    }
    if (m->keys[ki].holder >= 0) {
        FUZZ_CHECK(st == SG_E_STATE && c.calls == 0);
        return;
    }
    if (st == SG_E_FULL) {
        FUZZ_CHECK(c.calls == 0);
        return;
    }
    ticket_model tm = {{0, 0, 0, revision, snap}, ki, true};
    bool doomed = expected_verdict(m, &tm, NULL) != SG_FENCE_APPLY;
    FUZZ_CHECK_MSG(c.calls == (doomed ? 0u : 1u), "re-read called %u times for a %s write", c.calls,
                   doomed ? "doomed" : "viable");
    if (!doomed && c.answer != SG_OK) {
        FUZZ_CHECK(st == c.answer); /* the hook's error is passed back */
        return;
    }
    FUZZ_CHECK(st == SG_OK);
    check_verdict(m, &tm, doomed ? NULL : &c.read, v);
}

static void run_ops(model *m)
{
    for (unsigned i = 0; i < OPS_MAX && fuzz_left(m->in) > 0; i++) {
        bool deleted = false;
        switch (fuzz_u8(m->in) % 9) {
        case 0: do_prepare(m); break;
        case 1: do_check_commit(m, 0); break;
        case 2: do_check_commit(m, 1); break;
        case 3: do_check_commit(m, 2); break;
        case 4: do_delete(m); deleted = true; break;
        case 5: do_write(m); break;
        case 6: sg_fence_tick(m->f, m->now); break;
        default: /* time passes: a little, around the retention, or a lot */
            m->now = sg_time_add(m->now, fuzz_edgy_i64(m->in, 0, 3 * m->config.tombstone_retention_ns));
            break;
        }
        check_stats(m, deleted);
    }
}

/* Creates the fence from the input's configuration (possibly invalid,
 * possibly with allocations failing); false when there is none to run. */
static bool create(model *m, fuzz_input *in)
{
    static const char *const points[] = {"stormglass/fence/alloc"};
    m->config.keys_max = (uint32_t)fuzz_below(in, 9);
    m->config.tombstones_max = (uint32_t)fuzz_below(in, 10);
    m->config.tombstone_retention_ns = fuzz_edgy_i64(in, -1, SG_DURATION_MAX_NS + 1);
    bool valid = m->config.keys_max >= 1 && m->config.tombstones_max >= 1 &&
                 m->config.tombstones_max <= m->config.keys_max && m->config.tombstone_retention_ns > 0 &&
                 m->config.tombstone_retention_ns <= SG_DURATION_MAX_NS;
    bool faults = fuzz_u8(in) < 16; /* this input also fails allocations */
    if (faults) {
        fuzz_faults_arm(in, points, 1, 128);
    }
    sg_error err = {{0}};
    sg_status st = sg_fence_create(&m->config, &m->f, &err);
    if (faults) {
        fuzz_faults_disarm(points, 1);
    }
    if (st == SG_E_NOMEM) {
        FUZZ_CHECK(valid && fuzz_faults_injected() > 0 && m->f == NULL);
        FUZZ_CHECK(strncmp(err.msg, "fence:", 6) == 0);
        return false;
    }
    FUZZ_CHECK_MSG((st == SG_OK) == valid, "create: %d (%s)", (int)st, err.msg);
    if (st != SG_OK) {
        FUZZ_CHECK(m->f == NULL && strncmp(err.msg, "fence.", 6) == 0);
        return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    static model m; /* reset below */
    memset(&m, 0, sizeof m);
    m.in = &in;
    if (!create(&m, &in)) {
        return 0;
    }
    m.now = fuzz_edgy_i64(&in, 0, INT64_MAX / 4);
    m.horizon = INT64_MIN;
    run_ops(&m);
    sg_fence_destroy(m.f);
    return 0;
}

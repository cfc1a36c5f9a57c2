/*
 * scale_in.c - runs the app-proxy scale-in race in every interleaving
 * (see sim/scale_in.h): a tiny world of one database record, one etcd key
 * and one in-flight health-check update, driven through a fence model.
 */
#include "sim/scale_in.h"

#include <stdio.h>
#include <string.h>

#define CIRCUIT_KEY "circuit/42"
#define CIRCUIT_KEY_LEN (sizeof(CIRCUIT_KEY) - 1)

typedef struct world {
    const sim_fence_ops *ops;
    void *fence;
    const sim_scale_in_scenario *sc;
    /* source of truth */
    bool db_found;
    int64_t db_rev;
    uint32_t db_inc;
    /* derived store */
    bool etcd_found;
    uint32_t etcd_inc;
    /* the health-check update */
    bool computed, prepared, load_pending;
    int64_t snap_rev;
    uint32_t snap_inc;
    sg_time_ns snap_at;
    sg_fence_ticket ticket;
    sg_fence_read fresh;
    /* observations */
    bool resurrection, stale_write, not_computed, committed;
    sg_fence_verdict verdict;
} world;

const char *sim_scale_step_letter(sim_scale_step step)
{
    switch (step) {
    case SIM_STEP_SNAPSHOT: return "S";
    case SIM_STEP_REREAD: return "R";
    case SIM_STEP_COMPUTE_READ: return "C";
    case SIM_STEP_APPLY: return "A";
    case SIM_STEP_DB_DELETE: return "D";
    case SIM_STEP_UNLOAD: return "U";
    case SIM_STEP_DB_RECREATE: return "N";
    case SIM_STEP_LOAD: return "L";
    }
    return "?";
}

static void snapshot(world *w, sg_time_ns now)
{
    w->computed = w->db_found;
    w->not_computed = !w->db_found;
    w->snap_rev = w->db_rev;
    w->snap_inc = w->db_inc;
    w->snap_at = now;
}

static void reread(world *w, sg_time_ns now)
{
    if (!w->computed) {
        return;
    }
    sg_status st =
        w->ops->prepare(w->fence, now, CIRCUIT_KEY, CIRCUIT_KEY_LEN, w->snap_rev, w->snap_at, &w->ticket);
    w->prepared = (st == SG_OK); /* a refused prepare drops this update */
    w->fresh.found = w->db_found;
    w->fresh.revision = w->db_rev;
}

static void apply(world *w, sg_time_ns now)
{
    if (!w->prepared) {
        return;
    }
    w->prepared = false;
    if (w->ops->commit(w->fence, now, &w->ticket, &w->fresh, &w->verdict) != SG_OK) {
        return;
    }
    w->committed = true;
    if (w->verdict != SG_FENCE_APPLY) {
        return;
    }
    if (!w->etcd_found && !w->db_found) {
        w->resurrection = true; /* the unload removed it and nothing should bring it back */
    }
    if (!w->db_found || w->db_inc != w->snap_inc) {
        w->stale_write = true;
    }
    w->etcd_found = true;
    w->etcd_inc = w->snap_inc;
}

static void load(world *w, sg_time_ns now)
{
    sg_fence_ticket t;
    sg_status st = w->ops->prepare(w->fence, now, CIRCUIT_KEY, CIRCUIT_KEY_LEN, w->db_rev, now, &t);
    if (st == SG_E_STATE) {
        w->load_pending = true; /* the key is held: load again once it is released */
        return;
    }
    w->load_pending = false;
    sg_fence_read fresh = {w->db_found, w->db_rev};
    sg_fence_verdict v;
    if (st == SG_OK && w->ops->commit(w->fence, now, &t, &fresh, &v) == SG_OK && v == SG_FENCE_APPLY) {
        w->etcd_found = true;
        w->etcd_inc = w->db_inc;
    }
}

static void run_step(world *w, sim_scale_step step, sg_time_ns now)
{
    switch (step) {
    case SIM_STEP_SNAPSHOT: snapshot(w, now); break;
    case SIM_STEP_REREAD: reread(w, now); break;
    case SIM_STEP_COMPUTE_READ:
        snapshot(w, now);
        reread(w, now);
        break;
    case SIM_STEP_APPLY: apply(w, now); break;
    case SIM_STEP_DB_DELETE:
        w->db_found = false;
        if (w->sc->fence_hears_db_delete) {
            (void)w->ops->delete_key(w->fence, now, CIRCUIT_KEY, CIRCUIT_KEY_LEN);
        }
        break;
    case SIM_STEP_UNLOAD:
        (void)w->ops->delete_key(w->fence, now, CIRCUIT_KEY, CIRCUIT_KEY_LEN);
        w->etcd_found = false;
        break;
    case SIM_STEP_DB_RECREATE:
        w->db_found = true;
        w->db_rev = w->sc->recreate_revision;
        w->db_inc++;
        break;
    case SIM_STEP_LOAD: load(w, now); break;
    }
    if (w->load_pending && !w->prepared) {
        load(w, now);
    }
}

static void tally(const world *w, const uint8_t *seq, size_t n, const sim_scale_in_scenario *sc,
                  sim_scale_in_result *out)
{
    bool stale_final = w->etcd_found && w->db_found && w->etcd_inc != w->db_inc;
    bool gone_final = w->etcd_found && !w->db_found;
    out->interleavings++;
    out->resurrections += w->resurrection;
    out->stale_final += stale_final;
    out->gone_final += gone_final;
    out->stale_writes += w->stale_write;
    out->update_not_computed += w->not_computed;
    if (w->committed) {
        out->update_verdicts[w->verdict]++;
    }
    if (!(w->resurrection || stale_final || gone_final)) {
        return;
    }
    out->bad++;
    if (out->bad_kept == SIM_SCALE_IN_BAD_KEPT) {
        return;
    }
    char *name = out->bad_names[out->bad_kept++];
    uint32_t next[SIM_INTERLEAVE_CHAINS_MAX] = {0};
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        sim_scale_step step = sc->steps[seq[i]][next[seq[i]]++];
        int wrote = snprintf(name + len, SIM_SCALE_IN_NAME_MAX - len, "%s%s", i ? " " : "",
                             sim_scale_step_letter(step));
        len += wrote > 0 ? (size_t)wrote : 0;
    }
}

static sg_status run_one(const sim_fence_ops *ops, const sim_scale_in_scenario *sc, const uint8_t *seq, size_t n,
                         sim_scale_in_result *out, sg_error *err)
{
    world w;
    memset(&w, 0, sizeof w);
    w.ops = ops;
    w.sc = sc;
    w.db_found = true;
    w.db_rev = sc->initial_revision;
    w.db_inc = 1;
    w.etcd_found = true; /* the circuit is loaded */
    w.etcd_inc = 1;
    sg_fence_config config = sg_fence_config_default();
    config.keys_max = 16;
    config.tombstones_max = 8;
    sg_status st = ops->create(&config, &w.fence, err);
    if (st != SG_OK) {
        return st;
    }
    uint32_t next[SIM_INTERLEAVE_CHAINS_MAX] = {0};
    for (size_t i = 0; i < n; i++) {
        sim_scale_step step = sc->steps[seq[i]][next[seq[i]]++];
        run_step(&w, step, (sg_time_ns)(i + 1) * SG_NS_PER_S);
    }
    tally(&w, seq, n, sc, out);
    ops->destroy(w.fence);
    return SG_OK;
}

sg_status sim_scale_in_enumerate(const sim_fence_ops *ops, const sim_scale_in_scenario *sc,
                                 sim_scale_in_result *out, sg_error *err)
{
    memset(out, 0, sizeof *out);
    uint8_t seq[SIM_INTERLEAVE_STEPS_MAX];
    size_t n = 0;
    if (ops == NULL || sim_interleave_first(seq, sizeof seq, sc->chain_len, sc->chains, &n) != SG_OK) {
        return sg_error_set(err, SG_E_INVALID, "scale_in.%s: bad model or chains", sc->name);
    }
    do {
        sg_status st = run_one(ops, sc, seq, n, out, err);
        if (st != SG_OK) {
            return st;
        }
    } while (sim_next_permutation(seq, n));
    return SG_OK;
}

/* ---- the scenarios ---- */

#define UPDATE_CR {SIM_STEP_COMPUTE_READ, SIM_STEP_APPLY}
#define UPDATE_SRA {SIM_STEP_SNAPSHOT, SIM_STEP_REREAD, SIM_STEP_APPLY}
#define SCALE_IN {SIM_STEP_DB_DELETE, SIM_STEP_UNLOAD}
#define RECREATE {SIM_STEP_DB_DELETE, SIM_STEP_UNLOAD, SIM_STEP_DB_RECREATE, SIM_STEP_LOAD}

const sim_scale_in_scenario sim_scale_in_four_events = {
    "four-events", 2, {2, 2}, {UPDATE_CR, SCALE_IN}, 5, 0, false,
};
const sim_scale_in_scenario sim_scale_in_reread = {
    "reread", 2, {3, 2}, {UPDATE_SRA, SCALE_IN}, 5, 0, false,
};
const sim_scale_in_scenario sim_scale_in_reread_hears_delete = {
    "reread-hears-delete", 2, {3, 2}, {UPDATE_SRA, SCALE_IN}, 5, 0, true,
};
const sim_scale_in_scenario sim_scale_in_recreate_equal = {
    "recreate-equal", 2, {3, 4}, {UPDATE_SRA, RECREATE}, 5, 5, false,
};
const sim_scale_in_scenario sim_scale_in_recreate_greater = {
    "recreate-greater", 2, {3, 4}, {UPDATE_SRA, RECREATE}, 5, 9, false,
};
const sim_scale_in_scenario sim_scale_in_recreate_less = {
    "recreate-less", 2, {3, 4}, {UPDATE_SRA, RECREATE}, 5, 1, false,
};

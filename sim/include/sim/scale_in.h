/*
 * scale_in.h - the app-proxy scale-in race, enumerated: every interleaving
 * of a health-check update with the circuit's delete and unload (and, in
 * the recreate scenarios, the circuit coming back), run against a fence
 * model, with a source of truth (the database) and a derived store (etcd)
 * kept by this runner.
 *
 * Steps (each runs atomically at its own virtual time, one second apart):
 *   SNAPSHOT       the health checker reads the circuit (revision, time) and
 *                  computes routes; nothing to do if the record is gone
 *   REREAD         fence prepare (the key's hold) + fresh read of the database
 *   COMPUTE_READ   SNAPSHOT and REREAD at once: the read is the re-read (the
 *                  shipped fix re-read, then queued on the lock)
 *   APPLY          fence commit with that read; APPLY writes etcd with data
 *                  computed from the snapshot's incarnation
 *   DB_DELETE      the record is deleted from the database
 *   UNLOAD         the coordinator unloads: fence delete + etcd key removed
 *   DB_RECREATE    the record comes back (new incarnation, chosen revision)
 *   LOAD           the coordinator loads it: a fresh write through the fence
 *                  (retried after the update's APPLY if the key is held)
 *
 * Oracle, per interleaving:
 *   resurrection   an update APPLY wrote a key that the unload had removed
 *                  while the record was gone (the incident);
 *   stale_final    the run ended with etcd holding data computed from an
 *                  incarnation that is not the database's;
 *   gone_final     the run ended with etcd holding a key whose record is gone;
 *   stale_write    some APPLY wrote data whose incarnation was not current
 *                  (including a write before the unload, which the unload
 *                  then removes: harmless, reported separately).
 */
#ifndef STORMGLASS_SIM_SCALE_IN_H
#define STORMGLASS_SIM_SCALE_IN_H

#include "sim/fence_model.h"
#include "sim/interleave.h"

typedef enum sim_scale_step {
    SIM_STEP_SNAPSHOT = 1,
    SIM_STEP_REREAD,
    SIM_STEP_COMPUTE_READ,
    SIM_STEP_APPLY,
    SIM_STEP_DB_DELETE,
    SIM_STEP_UNLOAD,
    SIM_STEP_DB_RECREATE,
    SIM_STEP_LOAD
} sim_scale_step;

typedef struct sim_scale_in_scenario {
    const char *name;
    uint32_t chains;
    uint32_t chain_len[SIM_INTERLEAVE_CHAINS_MAX];
    sim_scale_step steps[SIM_INTERLEAVE_CHAINS_MAX][SIM_INTERLEAVE_STEPS_MAX];
    int64_t initial_revision;    /* the record's revision at the start */
    int64_t recreate_revision;   /* revision after DB_RECREATE (reset: equal, greater, less) */
    bool fence_hears_db_delete;  /* DB_DELETE is also reported to the fence */
} sim_scale_in_scenario;

/* The brief's four events: {update computed, delete, update applied, unload}. */
extern const sim_scale_in_scenario sim_scale_in_four_events;
/* The re-read as its own step: {snapshot, re-read, apply} x {delete, unload}. */
extern const sim_scale_in_scenario sim_scale_in_reread;
/* The same, with the fence told of the database delete too. */
extern const sim_scale_in_scenario sim_scale_in_reread_hears_delete;
/* The circuit recreated after the unload, revision reset to equal/greater/less. */
extern const sim_scale_in_scenario sim_scale_in_recreate_equal;
extern const sim_scale_in_scenario sim_scale_in_recreate_greater;
extern const sim_scale_in_scenario sim_scale_in_recreate_less;

#define SIM_SCALE_IN_BAD_KEPT 8u    /* bad interleavings remembered by name */
#define SIM_SCALE_IN_NAME_MAX 96u

typedef struct sim_scale_in_result {
    uint64_t interleavings;
    uint64_t resurrections;    /* interleavings with a resurrecting write */
    uint64_t stale_final;
    uint64_t gone_final;
    uint64_t stale_writes;     /* interleavings with any stale APPLY */
    uint64_t bad;              /* interleavings with a resurrection, stale_final or gone_final */
    uint64_t update_verdicts[SG_FENCE_SKIP_MISSING + 1]; /* the update's commit verdict */
    uint64_t update_not_computed; /* the snapshot found no record */
    uint32_t bad_kept;
    char bad_names[SIM_SCALE_IN_BAD_KEPT][SIM_SCALE_IN_NAME_MAX]; /* e.g. "S R D U A" */
} sim_scale_in_result;

/* Runs every interleaving of the scenario against a fresh instance of the
 * model.  Deterministic. */
sg_status sim_scale_in_enumerate(const sim_fence_ops *ops, const sim_scale_in_scenario *scenario,
                                 sim_scale_in_result *out, sg_error *err);

/* One-letter name of a step ("S", "R", "C", "A", "D", "U", "N", "L"). */
const char *sim_scale_step_letter(sim_scale_step step);

#endif

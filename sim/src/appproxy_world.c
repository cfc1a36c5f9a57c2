/*
 * appproxy_world.c - the app-proxy incident inside a run: every
 * interleaving of the health checker's route update with a scale-in
 * (delete + unload), against the run's fence model (sim/scale_in.h keeps
 * the database and the etcd-like store).  A resurrected key, or a run
 * that ends with a key for a record that is gone or stale, breaks the
 * resurrection oracle.
 */
#include "world.h"

#include "sim/scale_in.h"

static const sim_scale_in_scenario *race_scenario(sim_race r)
{
    switch (r) {
    case SIM_RACE_FOUR_EVENTS: return &sim_scale_in_four_events;
    case SIM_RACE_REREAD: return &sim_scale_in_reread;
    case SIM_RACE_REREAD_HEARS_DELETE: return &sim_scale_in_reread_hears_delete;
    case SIM_RACE_RECREATE_EQUAL: return &sim_scale_in_recreate_equal;
    case SIM_RACE_RECREATE_GREATER: return &sim_scale_in_recreate_greater;
    case SIM_RACE_RECREATE_LESS: return &sim_scale_in_recreate_less;
    default: return NULL;
    }
}

void appproxy_world_run(sim_world *w)
{
    const sim_scale_in_scenario *race = race_scenario(w->s->appproxy.race);
    if (race == NULL) {
        return;
    }
    sim_scale_in_result res;
    sg_error err = {{0}};
    if (sim_scale_in_enumerate(w->models->fence, race, &res, &err) != SG_OK) {
        world_fail(w, SG_E_STATE, "appproxy: the scale-in enumeration failed");
        return;
    }
    w->r->metrics[SIM_M_RESURRECTED_KEYS] = (double)res.resurrections;
    w->r->metrics[SIM_M_STALE_FINAL_KEYS] = (double)(res.stale_final + res.gone_final);
    w->r->metrics[SIM_M_INTERLEAVINGS] = (double)res.interleavings;
    world_trace(w, TR_APPPROXY, 0, res.interleavings, res.bad);
    if (res.bad > 0) {
        oracle_violation(w, SIM_ORACLE_RESURRECTION, -1, -1,
                         "appproxy %s: %llu of %llu interleavings bad (first: %s)", sim_race_name(w->s->appproxy.race),
                         (unsigned long long)res.bad, (unsigned long long)res.interleavings,
                         res.bad_kept > 0 ? res.bad_names[0] : "?");
    }
}

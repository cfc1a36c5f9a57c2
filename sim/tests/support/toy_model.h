/*
 * toy_model.h - TEST-ONLY worker models for the simulator's own suites.
 *
 * Not a broadcaster: just enough behaviour behind sim_worker_ops to drive
 * the world (connect, subscribe, deliver, reconnect after a fixed delay,
 * optionally close every client with 1012 after a reconnect) so the
 * engine, backbones, clients and oracles can be tested without the core.
 * "toy-planted" carries a planted bug for the swarm/shrink tests: after
 * two drops within 10 s it silently stops reconnecting (and stays
 * "healthy"), so a fault pair wedges it.
 */
#ifndef STORMGLASS_SIM_TOY_MODEL_H
#define STORMGLASS_SIM_TOY_MODEL_H

#include "sim/run.h"
#include "sim/worker_model.h"

extern const sim_worker_ops toy_model_resync;    /* "toy": resync on reconnect */
extern const sim_worker_ops toy_model_noresync;  /* "toy-noresync": stale after a gap */
extern const sim_worker_ops toy_model_planted;   /* "toy-planted": wedges on two quick drops */

/* A model set for sim_run with the core's sync model. */
sim_model_set toy_models(const sim_worker_ops *ops);

#endif

/*
 * legacy_variants.h - legacy worker models that are the stormglass core
 * with one historical mistake put back (sim/legacy/core_variants.c), for
 * the backbone storms whose original systems were not broadcasters of
 * their own but generic reconnect loops:
 *
 *   forgets-resubscribe  reconnects, but never re-issues SUBSCRIBE/LISTEN
 *                        after the first session (a Redis or Postgres
 *                        subscription is per connection): connected, deaf,
 *                        and healthy by its own account.
 *   zero-delay           reconnects at once after every failure (no
 *                        backoff): a connect storm against a backbone that
 *                        is down.
 *   unstaggered          resyncs without per-worker settle jitter and closes
 *                        all its clients at once (the OPAL fix before its
 *                        first review): every worker of the fleet sends its
 *                        clients to the source of truth in the same instant.
 *
 * Everything else is the core, so the storm isolates exactly that one
 * mistake.  Registered in the simulator's worker-model registry.
 */
#ifndef STORMGLASS_SIM_LEGACY_VARIANTS_H
#define STORMGLASS_SIM_LEGACY_VARIANTS_H

#include "sim/worker_model.h"

extern const sim_worker_ops sim_model_forgets_resubscribe;
extern const sim_worker_ops sim_model_zero_delay;
extern const sim_worker_ops sim_model_unstaggered;

#endif

/*
 * sync_sched.h - when to sync with an upstream peer next, and what the
 * last failure was.
 *
 * The infonet incident: every failed sync waited a constant 60 s, the
 * upstream answered 429 each time, its token bucket never drained and the
 * node stayed locked out for its whole uptime.  The schedule here grows on
 * consecutive failures and never waits less than the peer asked:
 *
 *   delay = max(min(base * 2^(failures-1), cap), retry_after)
 *
 * cap 0 means "Retry-After only" (no exponential ladder).  A success
 * resets the failure count and returns to the normal interval.  The last
 * error keeps the HTTP status, the Retry-After and a bounded body prefix
 * so an operator sees why.  Optional jitter spreads many nodes that fail
 * together (the many-nodes-one-seed storm).  All times are monotonic ns
 * chosen by the caller.
 */
#ifndef STORMGLASS_SYNC_SCHED_H
#define STORMGLASS_SYNC_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "stormglass/rng.h"
#include "stormglass/status.h"
#include "stormglass/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of the upstream's response body kept in the last error (NUL incl.). */
#define SG_SYNC_BODY_PREFIX_MAX 128
/* The exponent stops growing here: 2^30 * base is far past any cap. */
#define SG_SYNC_EXPONENT_MAX 30u

typedef enum sg_sync_outcome {
    SG_SYNC_IDLE = 0,
    SG_SYNC_RUNNING,
    SG_SYNC_OK,
    SG_SYNC_ERROR
} sg_sync_outcome;

typedef struct sg_sync_config {
    sg_duration_ns interval_ns;     /* after a success (seed: 300 s) */
    sg_duration_ns failure_base_ns; /* first failure (seed: 60 s) */
    sg_duration_ns failure_cap_ns;  /* ladder cap (seed: 1800 s); 0 = Retry-After only */
    double jitter;                  /* 0..1: delay *= 1 + uniform(-j, +j); 0 = none */
} sg_sync_config;

typedef struct sg_sync_error {
    int http_status;                 /* 0 when not an HTTP answer */
    int64_t retry_after_s;           /* parsed Retry-After, 0 if none */
    char body_prefix[SG_SYNC_BODY_PREFIX_MAX];
} sg_sync_error;

typedef struct sg_sync_state {
    sg_sync_outcome outcome;
    sg_time_ns last_started_ns;
    sg_time_ns last_finished_ns;
    sg_time_ns last_ok_ns;       /* 0 = never */
    sg_time_ns next_due_ns;
    uint32_t consecutive_failures;
    sg_sync_error last_error;    /* zeroed on success */
    uint64_t attempts;           /* counters for reports */
    uint64_t successes;
} sg_sync_state;

sg_sync_config sg_sync_config_default(void);
sg_status sg_sync_config_check(const sg_sync_config *config, sg_error *err);

void sg_sync_init(sg_sync_state *state);

/* True when no sync is running and the next one is due. */
bool sg_sync_should_run(const sg_sync_state *state, sg_time_ns now);

/* Marks a sync as running (should_run is false until it finishes). */
void sg_sync_begin(sg_sync_state *state, sg_time_ns now);

/* The delay after failure number `failures` (1-based) given the peer's
 * Retry-After: max(min(base*2^(failures-1), cap), retry_after); cap 0 ->
 * retry_after only.  Saturating; failures 0 gives the Retry-After alone. */
sg_duration_ns sg_sync_failure_delay(sg_duration_ns base_ns, uint32_t failures,
                                     sg_duration_ns retry_after_ns, sg_duration_ns cap_ns);

/* Finishes the running sync.  ok: resets failures, next = now + interval.
 * !ok: failures += 1, next = now + failure delay (jittered with rng when
 * config->jitter > 0 and rng is not NULL; never below Retry-After), and
 * the error (may be NULL) is kept.  Returns the chosen delay. */
sg_duration_ns sg_sync_finish(sg_sync_state *state, const sg_sync_config *config, sg_time_ns now,
                              bool ok, const sg_sync_error *error, sg_rng *rng);

/* Fills an error record: status, Retry-After and up to
 * SG_SYNC_BODY_PREFIX_MAX-1 bytes of body (non-printable bytes become '?'). */
void sg_sync_error_make(sg_sync_error *error, int http_status, int64_t retry_after_s,
                        const char *body, size_t body_len);

const char *sg_sync_outcome_name(sg_sync_outcome outcome);

#ifdef __cplusplus
}
#endif

#endif

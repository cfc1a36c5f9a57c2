/*
 * backoff.h - retry delay policies with a bounded attempt counter.
 *
 * A backoff object answers one question after each failure: "how long do
 * I wait before the next try, or do I give up?"  Policies:
 *
 *   NONE          retry at once (delay 0): the zero-delay loop, kept so a
 *                 storm can show what it does.
 *   CONSTANT      always base (the pre-fix "60 s forever" retry).
 *   EXPONENTIAL   min(max, base * multiplier^(n-1)), no jitter.
 *   FULL_JITTER   uniform [0, exponential].
 *   EQUAL_JITTER  exponential/2 + uniform [0, exponential/2].
 *   DECORRELATED  min(max, uniform [base, previous * 3]).
 *   GRPC          gRPC connection backoff: the first wait is `base`, each
 *                 later one is min(previous * multiplier, max) spread by
 *                 +-jitter; a connect attempt gets at least
 *                 min_connect_timeout (sg_backoff_connect_timeout).
 *
 * The attempt counter counts failures since the last reset.  It is reset
 * only when the caller reports that a connection proved healthy
 * (sg_backoff_reset after it delivered something), so a peer that accepts
 * and drops at once still runs the counter up to max_retries.  max_retries
 * 0 means retry forever.  Every arithmetic path saturates at max: no
 * overflow, NaN or wrap for any attempt count.
 */
#ifndef STORMGLASS_BACKOFF_H
#define STORMGLASS_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

#include "stormglass/rng.h"
#include "stormglass/status.h"
#include "stormglass/time.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sg_backoff_policy {
    SG_BACKOFF_NONE = 0,
    SG_BACKOFF_CONSTANT,
    SG_BACKOFF_EXPONENTIAL,
    SG_BACKOFF_FULL_JITTER,
    SG_BACKOFF_EQUAL_JITTER,
    SG_BACKOFF_DECORRELATED,
    SG_BACKOFF_GRPC,
    SG_BACKOFF_POLICY_COUNT
} sg_backoff_policy;

/* Bounds on configuration values (validated by sg_backoff_config_check). */
#define SG_BACKOFF_MULTIPLIER_MIN 1.0
#define SG_BACKOFF_MULTIPLIER_MAX 16.0
#define SG_BACKOFF_JITTER_MAX 1.0
#define SG_BACKOFF_MAX_RETRIES_MAX 1000000000u

typedef struct sg_backoff_config {
    sg_backoff_policy policy;
    sg_duration_ns base_ns;       /* first/minimum delay (gRPC: initial) */
    sg_duration_ns max_ns;        /* cap on any delay */
    double multiplier;            /* growth per failure, >= 1 */
    double jitter;                /* gRPC only: +-fraction, 0..1 */
    sg_duration_ns min_connect_timeout_ns; /* gRPC only */
    uint32_t max_retries;         /* 0 = forever */
} sg_backoff_config;

typedef struct sg_backoff {
    sg_backoff_config config;
    uint32_t attempt;            /* failures since the last reset */
    sg_duration_ns previous_ns;  /* decorrelated: last delay; gRPC: current backoff */
} sg_backoff;

/* The defaults of each policy (base 0.5 s, max 30 s, multiplier 2, as the
 * OPAL seed documents; gRPC: 1 s, 1.6, +-0.2, 120 s, 20 s). */
sg_backoff_config sg_backoff_config_default(sg_backoff_policy policy);

/* Validates every field; on failure names the field in err. */
sg_status sg_backoff_config_check(const sg_backoff_config *config, sg_error *err);

/* Policy <-> name ("none", "constant", "exponential", "full", "equal",
 * "decorrelated", "grpc").  Parse returns SG_E_INVALID for unknown names. */
const char *sg_backoff_policy_name(sg_backoff_policy policy);
sg_status sg_backoff_policy_parse(const char *name, sg_backoff_policy *out);

/* Initializes from a config that passed sg_backoff_config_check. */
void sg_backoff_init(sg_backoff *backoff, const sg_backoff_config *config);

/* Records one failure and computes the wait before the next try.
 * Returns SG_OK with *delay_ns set, or SG_E_GIVE_UP once the failure count
 * exceeds max_retries (then *delay_ns is 0 and the counter stays put). */
sg_status sg_backoff_next(sg_backoff *backoff, sg_rng *rng, sg_duration_ns *delay_ns);

/* The caller's connection proved healthy: start the schedule over. */
void sg_backoff_reset(sg_backoff *backoff);

/* gRPC: the deadline to give a connect attempt that waited delay_ns:
 * max(delay, min_connect_timeout).  Other policies: delay_ns unchanged. */
sg_duration_ns sg_backoff_connect_timeout(const sg_backoff *backoff, sg_duration_ns delay_ns);

/* The un-jittered delay for failure number `attempt` (1-based), saturated
 * at max: the centre line every policy jitters around.  Pure. */
sg_duration_ns sg_backoff_ceiling(const sg_backoff_config *config, uint32_t attempt);

#ifdef __cplusplus
}
#endif

#endif

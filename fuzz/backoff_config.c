/*
 * backoff_config.c - fuzz target: backoff configuration and schedules
 * (core/src/backoff.c).
 *
 * Input: a configuration built field by field (edge-biased values, raw
 * doubles including NaN and infinities, out-of-range policies), a PRNG
 * seed, then operations.  The configuration check is compared with an
 * independent statement of the documented bounds; a valid configuration
 * then runs the operations (next, reset, ceiling probes, attempt jumps,
 * policy-name parsing) with every documented property checked per step:
 * delays within the policy's bounds, give-up exactly past max_retries,
 * ceilings monotonic and capped, gRPC connect timeouts, determinism (a
 * twin with the same seed gives the same delays).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stormglass/backoff.h"

/* Bound on next() calls per input so one input stays fast. */
#define STEPS_MAX 20000u

typedef struct run {
    sg_backoff_config config;
    sg_backoff b, twin;
    sg_rng rng, twin_rng;
    sg_duration_ns last_delay; /* previous delay since the last reset; -1 after reset */
    unsigned steps;
} run;

static sg_duration_ns duration_field(fuzz_input *in)
{
    if (fuzz_u8(in) < 32) {
        return fuzz_edgy_i64(in, INT64_MIN, INT64_MAX);
    }
    return fuzz_edgy_i64(in, 0, SG_DURATION_MAX_NS + 1);
}

static void make_config(fuzz_input *in, sg_backoff_config *c)
{
    memset(c, 0, sizeof *c);
    uint8_t p = fuzz_u8(in);
    c->policy = p == 0xff ? (sg_backoff_policy)-1 : (sg_backoff_policy)(p % (SG_BACKOFF_POLICY_COUNT + 2));
    c->base_ns = duration_field(in);
    c->max_ns = duration_field(in);
    c->multiplier = fuzz_double(in);
    c->jitter = fuzz_double(in);
    c->min_connect_timeout_ns = duration_field(in);
    c->max_retries = (uint32_t)fuzz_edgy_i64(in, 0, UINT32_MAX);
}

/* The documented bounds (backoff.h), stated independently of the code. */
static int expect_valid(const sg_backoff_config *c)
{
    int policy_ok = (int)c->policy >= 0 && (int)c->policy < (int)SG_BACKOFF_POLICY_COUNT;
    int base_ok = c->base_ns >= 0 && c->base_ns <= SG_DURATION_MAX_NS &&
                  (c->base_ns > 0 || c->policy == SG_BACKOFF_NONE);
    int max_ok = c->max_ns >= c->base_ns && c->max_ns <= SG_DURATION_MAX_NS;
    int mult_ok = isfinite(c->multiplier) && c->multiplier >= 1.0 && c->multiplier <= 16.0;
    int jitter_ok = isfinite(c->jitter) && c->jitter >= 0.0 && c->jitter <= 1.0;
    int mct_ok = c->min_connect_timeout_ns >= 0 && c->min_connect_timeout_ns <= SG_DURATION_MAX_NS;
    return policy_ok && base_ok && max_ok && mult_ok && jitter_ok && mct_ok &&
           c->max_retries <= SG_BACKOFF_MAX_RETRIES_MAX;
}

/* prev_ns: the object's previous delay before this step (decorrelated
 * grows from it, whatever happened to the attempt counter). */
static void check_policy_delay(const run *r, sg_duration_ns d, sg_duration_ns ceiling, sg_duration_ns prev_ns)
{
    const sg_backoff_config *c = &r->config;
    switch (c->policy) {
    case SG_BACKOFF_NONE:
        FUZZ_CHECK(d == 0);
        break;
    case SG_BACKOFF_CONSTANT:
        FUZZ_CHECK(d == c->base_ns);
        break;
    case SG_BACKOFF_EXPONENTIAL:
        FUZZ_CHECK(d == ceiling);
        FUZZ_CHECK(d >= c->base_ns);
        FUZZ_CHECK_MSG(r->last_delay < 0 || d >= r->last_delay, "shrank %lld -> %lld",
                       (long long)r->last_delay, (long long)d);
        break;
    case SG_BACKOFF_FULL_JITTER:
        FUZZ_CHECK(d <= ceiling);
        break;
    case SG_BACKOFF_EQUAL_JITTER:
        FUZZ_CHECK(d >= ceiling / 2 && d <= ceiling);
        break;
    case SG_BACKOFF_DECORRELATED: {
        __int128 upper = (__int128)prev_ns * 3;
        FUZZ_CHECK(prev_ns >= c->base_ns && prev_ns <= c->max_ns);
        FUZZ_CHECK(d >= c->base_ns && d <= c->max_ns);
        FUZZ_CHECK_MSG(d <= upper || d == c->base_ns, "prev %lld d %lld", (long long)prev_ns, (long long)d);
        FUZZ_CHECK(r->b.previous_ns == d);
        break;
    }
    case SG_BACKOFF_GRPC: {
        /* The current backoff grows by the multiplier up to max; the wait
         * is spread by +-jitter around it (may exceed max by jitter*max). */
        double cur = (double)r->b.previous_ns;
        FUZZ_CHECK(r->b.previous_ns >= c->base_ns && r->b.previous_ns <= c->max_ns);
        FUZZ_CHECK(r->b.attempt != 1 || d == c->base_ns);
        FUZZ_CHECK_MSG((double)d >= cur * (1.0 - c->jitter) - 1.0 && (double)d <= cur * (1.0 + c->jitter) + 1.0,
                       "cur %.0f jitter %g d %lld", cur, c->jitter, (long long)d);
        break;
    }
    default:
        FUZZ_CHECK_MSG(0, "policy %d passed the check", (int)c->policy);
    }
}

static void step_next(run *r)
{
    const sg_backoff_config *c = &r->config;
    uint32_t before = r->b.attempt;
    sg_duration_ns prev_ns = r->b.previous_ns;
    sg_duration_ns d = -1, twin_d = -1;
    sg_status st = sg_backoff_next(&r->b, &r->rng, &d);
    sg_status twin_st = sg_backoff_next(&r->twin, &r->twin_rng, &twin_d);
    FUZZ_CHECK(st == twin_st && d == twin_d);
    r->steps++;
    if (c->max_retries != 0 && before >= c->max_retries) {
        FUZZ_CHECK(st == SG_E_GIVE_UP && d == 0 && r->b.attempt == before);
        return;
    }
    FUZZ_CHECK_MSG(st == SG_OK, "status %d attempt %u", (int)st, before);
    FUZZ_CHECK(r->b.attempt == (before == UINT32_MAX ? UINT32_MAX : before + 1));
    FUZZ_CHECK_MSG(d >= 0 && d <= SG_DURATION_MAX_NS, "delay %lld", (long long)d);
    sg_duration_ns ceiling = sg_backoff_ceiling(c, r->b.attempt);
    FUZZ_CHECK(ceiling >= 0 && ceiling <= c->max_ns);
    check_policy_delay(r, d, ceiling, prev_ns);
    sg_duration_ns timeout = sg_backoff_connect_timeout(&r->b, d);
    FUZZ_CHECK(timeout >= d);
    FUZZ_CHECK(c->policy == SG_BACKOFF_GRPC ? timeout >= c->min_connect_timeout_ns : timeout == d);
    r->last_delay = d;
}

static void probe_ceiling(run *r, fuzz_input *in)
{
    uint32_t a = (uint32_t)fuzz_edgy_i64(in, 0, UINT32_MAX);
    uint32_t b = (uint32_t)fuzz_edgy_i64(in, a, UINT32_MAX);
    sg_duration_ns ca = sg_backoff_ceiling(&r->config, a), cb = sg_backoff_ceiling(&r->config, b);
    FUZZ_CHECK(ca >= 0 && cb <= r->config.max_ns);
    FUZZ_CHECK_MSG(ca <= cb, "ceiling(%u)=%lld > ceiling(%u)=%lld", a, (long long)ca, b, (long long)cb);
    FUZZ_CHECK(a != 0 || ca == 0);
    FUZZ_CHECK(a != 1 || r->config.policy == SG_BACKOFF_NONE || ca == r->config.base_ns);
}

/* A NUL-terminated name from the input must parse only to a policy whose
 * name it is; every policy's name parses back to it. */
static void probe_names(fuzz_input *in)
{
    const uint8_t *raw;
    size_t len = fuzz_slice(in, 16, &raw);
    char name[17];
    memcpy(name, raw, len);
    name[len] = '\0';
    sg_backoff_policy p;
    if (sg_backoff_policy_parse(name, &p) == SG_OK) {
        FUZZ_CHECK(strcmp(sg_backoff_policy_name(p), name) == 0);
    }
    for (int i = 0; i < (int)SG_BACKOFF_POLICY_COUNT; i++) {
        FUZZ_CHECK(sg_backoff_policy_parse(sg_backoff_policy_name((sg_backoff_policy)i), &p) == SG_OK);
        FUZZ_CHECK((int)p == i);
    }
}

static void run_ops(run *r, fuzz_input *in)
{
    while (fuzz_left(in) > 0 && r->steps < STEPS_MAX) {
        uint8_t op = fuzz_u8(in);
        switch (op % 8) {
        case 0: /* a burst of failures */
            for (unsigned n = fuzz_u8(in) + 1u; n > 0 && r->steps < STEPS_MAX; n--) {
                step_next(r);
            }
            break;
        case 1: /* the connection proved healthy */
            sg_backoff_reset(&r->b);
            sg_backoff_reset(&r->twin);
            FUZZ_CHECK(r->b.attempt == 0);
            r->last_delay = -1;
            break;
        case 2:
            probe_ceiling(r, in);
            break;
        case 3: { /* jump the counter: what four billion failures would reach */
            uint32_t a = (uint32_t)fuzz_edgy_i64(in, 0, UINT32_MAX);
            r->b.attempt = a;
            r->twin.attempt = a;
            r->last_delay = -1; /* exponential may restart lower: not a shrink */
            break;
        }
        case 4:
            probe_names(in);
            break;
        default:
            step_next(r);
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    run r;
    memset(&r, 0, sizeof r);
    make_config(&in, &r.config);
    sg_error err = {{0}};
    sg_status st = sg_backoff_config_check(&r.config, &err);
    FUZZ_CHECK_MSG((st == SG_OK) == expect_valid(&r.config), "check says %d: %s", (int)st, err.msg);
    if (st != SG_OK) {
        FUZZ_CHECK(st == SG_E_INVALID);
        FUZZ_CHECK_MSG(strncmp(err.msg, "backoff", 7) == 0, "message '%s' does not name the field", err.msg);
        return 0;
    }
    uint64_t seed = fuzz_u64(&in);
    sg_rng_seed(&r.rng, seed, 7);
    sg_rng_seed(&r.twin_rng, seed, 7);
    sg_backoff_init(&r.b, &r.config);
    sg_backoff_init(&r.twin, &r.config);
    r.last_delay = -1;
    run_ops(&r, &in);
    return 0;
}

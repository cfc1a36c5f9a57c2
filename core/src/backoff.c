/*
 * backoff.c - retry delay policies (see backoff.h for the menu).
 *
 * All growth is computed in double and compared against the cap before
 * any conversion back to integers, so attempt 10^9 with a 1 ms base is
 * simply the cap: no overflow, no NaN, no undefined float->int cast.
 */
#include "stormglass/backoff.h"

#include <assert.h>
#include <math.h>
#include <string.h>

static const char *const policy_names[SG_BACKOFF_POLICY_COUNT] = {
    [SG_BACKOFF_NONE] = "none",
    [SG_BACKOFF_CONSTANT] = "constant",
    [SG_BACKOFF_EXPONENTIAL] = "exponential",
    [SG_BACKOFF_FULL_JITTER] = "full",
    [SG_BACKOFF_EQUAL_JITTER] = "equal",
    [SG_BACKOFF_DECORRELATED] = "decorrelated",
    [SG_BACKOFF_GRPC] = "grpc",
};

const char *sg_backoff_policy_name(sg_backoff_policy policy)
{
    if ((unsigned)policy >= SG_BACKOFF_POLICY_COUNT) {
        return "?";
    }
    return policy_names[policy];
}

sg_status sg_backoff_policy_parse(const char *name, sg_backoff_policy *out)
{
    if (name == NULL || out == NULL) {
        return SG_E_INVALID;
    }
    for (unsigned i = 0; i < SG_BACKOFF_POLICY_COUNT; i++) {
        if (strcmp(name, policy_names[i]) == 0) {
            *out = (sg_backoff_policy)i;
            return SG_OK;
        }
    }
    return SG_E_INVALID;
}

sg_backoff_config sg_backoff_config_default(sg_backoff_policy policy)
{
    sg_backoff_config c;
    memset(&c, 0, sizeof c);
    c.policy = policy;
    c.base_ns = 500 * SG_NS_PER_MS;
    c.max_ns = 30 * SG_NS_PER_S;
    c.multiplier = 2.0;
    c.jitter = 0.0;
    c.min_connect_timeout_ns = 0;
    c.max_retries = 0;
    if (policy == SG_BACKOFF_GRPC) {
        c.base_ns = 1 * SG_NS_PER_S;
        c.max_ns = 120 * SG_NS_PER_S;
        c.multiplier = 1.6;
        c.jitter = 0.2;
        c.min_connect_timeout_ns = 20 * SG_NS_PER_S;
    }
    return c;
}

sg_status sg_backoff_config_check(const sg_backoff_config *c, sg_error *err)
{
    if (c == NULL) {
        return sg_error_set(err, SG_E_INVALID, "backoff: config is NULL");
    }
    if ((unsigned)c->policy >= SG_BACKOFF_POLICY_COUNT) {
        return sg_error_set(err, SG_E_INVALID, "backoff.policy: unknown policy %d", (int)c->policy);
    }
    if (c->base_ns < 0 || c->base_ns > SG_DURATION_MAX_NS) {
        return sg_error_set(err, SG_E_INVALID, "backoff.base: must be within 0 .. 100 days");
    }
    if (c->base_ns == 0 && c->policy != SG_BACKOFF_NONE) {
        return sg_error_set(err, SG_E_INVALID,
                            "backoff.base: must be > 0 for policy %s (use policy none for no delay)",
                            sg_backoff_policy_name(c->policy));
    }
    if (c->max_ns < c->base_ns || c->max_ns > SG_DURATION_MAX_NS) {
        return sg_error_set(err, SG_E_INVALID, "backoff.max: must be >= base and <= 100 days");
    }
    if (!isfinite(c->multiplier) || c->multiplier < SG_BACKOFF_MULTIPLIER_MIN ||
        c->multiplier > SG_BACKOFF_MULTIPLIER_MAX) {
        return sg_error_set(err, SG_E_INVALID, "backoff.multiplier: must be within 1 .. 16");
    }
    if (!isfinite(c->jitter) || c->jitter < 0.0 || c->jitter > SG_BACKOFF_JITTER_MAX) {
        return sg_error_set(err, SG_E_INVALID, "backoff.jitter: must be within 0 .. 1");
    }
    if (c->min_connect_timeout_ns < 0 || c->min_connect_timeout_ns > SG_DURATION_MAX_NS) {
        return sg_error_set(err, SG_E_INVALID, "backoff.min_connect_timeout: must be within 0 .. 100 days");
    }
    if (c->max_retries > SG_BACKOFF_MAX_RETRIES_MAX) {
        return sg_error_set(err, SG_E_INVALID, "backoff.max_retries: must be <= %u",
                            SG_BACKOFF_MAX_RETRIES_MAX);
    }
    return SG_OK;
}

void sg_backoff_init(sg_backoff *b, const sg_backoff_config *config)
{
    assert(b != NULL && config != NULL);
    assert(sg_backoff_config_check(config, NULL) == SG_OK);
    b->config = *config;
    b->attempt = 0;
    b->previous_ns = config->base_ns;
}

void sg_backoff_reset(sg_backoff *b)
{
    assert(b != NULL);
    b->attempt = 0;
    b->previous_ns = b->config.base_ns;
}

/* value clamped to [0, cap] and rounded; NaN counts as cap. */
static sg_duration_ns clamp_to_ns(double value, sg_duration_ns cap)
{
    if (!(value < (double)cap)) {
        return cap;
    }
    if (!(value > 0.0)) {
        return 0;
    }
    return (sg_duration_ns)llround(value);
}

sg_duration_ns sg_backoff_ceiling(const sg_backoff_config *c, uint32_t attempt)
{
    assert(c != NULL);
    if (attempt == 0 || c->policy == SG_BACKOFF_NONE) {
        return 0;
    }
    if (c->policy == SG_BACKOFF_CONSTANT) {
        return c->base_ns;
    }
    double grown = (double)c->base_ns * pow(c->multiplier, (double)(attempt - 1u));
    return clamp_to_ns(grown, c->max_ns);
}

static sg_duration_ns uniform_ns(sg_rng *rng, sg_duration_ns lo, sg_duration_ns hi)
{
    assert(lo <= hi);
    return (sg_duration_ns)sg_rng_range_i64(rng, lo, hi);
}

static sg_duration_ns decorrelated_next(sg_backoff *b, sg_rng *rng)
{
    const sg_backoff_config *c = &b->config;
    sg_duration_ns upper = b->previous_ns > c->max_ns / 3 ? c->max_ns : b->previous_ns * 3;
    if (upper < c->base_ns) {
        upper = c->base_ns;
    }
    sg_duration_ns d = uniform_ns(rng, c->base_ns, upper);
    if (d > c->max_ns) {
        d = c->max_ns;
    }
    b->previous_ns = d;
    return d;
}

static sg_duration_ns grpc_next(sg_backoff *b, sg_rng *rng)
{
    const sg_backoff_config *c = &b->config;
    if (b->attempt == 1) {
        b->previous_ns = c->base_ns;
        return c->base_ns;
    }
    b->previous_ns = clamp_to_ns((double)b->previous_ns * c->multiplier, c->max_ns);
    double spread = c->jitter * (double)b->previous_ns;
    double offset = spread * (2.0 * sg_rng_unit(rng) - 1.0);
    /* The jittered wait may exceed max by at most jitter*max (gRPC spec). */
    return clamp_to_ns((double)b->previous_ns + offset, SG_DURATION_MAX_NS);
}

sg_status sg_backoff_next(sg_backoff *b, sg_rng *rng, sg_duration_ns *delay_ns)
{
    assert(b != NULL && rng != NULL && delay_ns != NULL);
    const sg_backoff_config *c = &b->config;
    *delay_ns = 0;
    if (c->max_retries != 0 && b->attempt >= c->max_retries) {
        return SG_E_GIVE_UP;
    }
    if (b->attempt < UINT32_MAX) {
        b->attempt++;
    }
    sg_duration_ns ceiling = sg_backoff_ceiling(c, b->attempt);
    sg_duration_ns d = 0;
    switch (c->policy) {
    case SG_BACKOFF_NONE:
    case SG_BACKOFF_CONSTANT:
    case SG_BACKOFF_EXPONENTIAL:
        d = ceiling;
        break;
    case SG_BACKOFF_FULL_JITTER:
        d = uniform_ns(rng, 0, ceiling);
        break;
    case SG_BACKOFF_EQUAL_JITTER:
        d = ceiling / 2 + uniform_ns(rng, 0, ceiling - ceiling / 2);
        break;
    case SG_BACKOFF_DECORRELATED:
        d = decorrelated_next(b, rng);
        break;
    case SG_BACKOFF_GRPC:
        d = grpc_next(b, rng);
        break;
    case SG_BACKOFF_POLICY_COUNT:
    default:
        assert(0 && "policy validated at init");
        d = c->max_ns;
        break;
    }
    assert(d >= 0);
    *delay_ns = d;
    return SG_OK;
}

sg_duration_ns sg_backoff_connect_timeout(const sg_backoff *b, sg_duration_ns delay_ns)
{
    assert(b != NULL);
    if (b->config.policy != SG_BACKOFF_GRPC) {
        return delay_ns;
    }
    return delay_ns > b->config.min_connect_timeout_ns ? delay_ns : b->config.min_connect_timeout_ns;
}

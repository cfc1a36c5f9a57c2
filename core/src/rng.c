/*
 * rng.c - PCG-XSH-RR 32 with stream selection (M. O'Neill's PCG family).
 *
 * Chosen for being tiny, fast, statistically sound for simulation and
 * jitter, and for its native stream parameter: two actors seeded with the
 * same seed but different streams never share a sequence.
 */
#include "stormglass/rng.h"

#include <assert.h>
#include <stddef.h>

#define PCG_MULTIPLIER 6364136223846793005ULL

/* SplitMix64 finalizer: spreads similar seeds/streams far apart. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

void sg_rng_seed(sg_rng *rng, uint64_t seed, uint64_t stream)
{
    assert(rng != NULL);
    rng->state = 0;
    rng->inc = (mix64(stream) << 1u) | 1u;
    (void)sg_rng_u32(rng);
    rng->state += mix64(seed);
    (void)sg_rng_u32(rng);
}

void sg_rng_fork(const sg_rng *parent, uint64_t stream, sg_rng *child)
{
    assert(parent != NULL && child != NULL);
    /* The parent's stream and state identify it; the child's seed mixes
     * them with its own stream so siblings differ and the parent's
     * position is untouched. */
    sg_rng_seed(child, mix64(parent->state ^ mix64(parent->inc)), stream);
}

uint32_t sg_rng_u32(sg_rng *rng)
{
    uint64_t old = rng->state;
    rng->state = old * PCG_MULTIPLIER + rng->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((0u - rot) & 31u));
}

uint64_t sg_rng_u64(sg_rng *rng)
{
    uint64_t hi = sg_rng_u32(rng);
    return (hi << 32) | sg_rng_u32(rng);
}

uint64_t sg_rng_below(sg_rng *rng, uint64_t bound)
{
    if (bound == 0) {
        return 0;
    }
    /* Rejection sampling on the top of the range: unbiased. */
    uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t r = sg_rng_u64(rng);
        if (r >= threshold) {
            return r % bound;
        }
    }
}

int64_t sg_rng_range_i64(sg_rng *rng, int64_t lo, int64_t hi)
{
    assert(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span == UINT64_MAX) {
        return (int64_t)sg_rng_u64(rng);
    }
    return (int64_t)((uint64_t)lo + sg_rng_below(rng, span + 1));
}

double sg_rng_unit(sg_rng *rng)
{
    return (double)(sg_rng_u64(rng) >> 11) * (1.0 / 9007199254740992.0);
}

/*
 * rng.h - the seeded pseudo-random generator every random choice in
 * stormglass goes through.
 *
 * PCG-XSH-RR 32 (64-bit state, 32-bit output) with a selectable stream:
 * the same seed with different stream ids gives independent sequences, so
 * each actor of a simulation (worker, client, fault injector) owns its own
 * stream and adding an actor never shifts another actor's draws.  The
 * caller owns the state; the core never calls rand() or reads entropy.
 */
#ifndef STORMGLASS_RNG_H
#define STORMGLASS_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sg_rng {
    uint64_t state;
    uint64_t inc; /* always odd: selects the stream */
} sg_rng;

/* Seeds the generator: same (seed, stream) -> same sequence. */
void sg_rng_seed(sg_rng *rng, uint64_t seed, uint64_t stream);

/* Derives an independent child generator for actor `stream` from the
 * parent's seed material without advancing the parent. */
void sg_rng_fork(const sg_rng *parent, uint64_t stream, sg_rng *child);

uint32_t sg_rng_u32(sg_rng *rng);
uint64_t sg_rng_u64(sg_rng *rng);

/* Uniform integer in [0, bound) without modulo bias; bound 0 gives 0. */
uint64_t sg_rng_below(sg_rng *rng, uint64_t bound);

/* Uniform integer in [lo, hi] (inclusive); requires lo <= hi. */
int64_t sg_rng_range_i64(sg_rng *rng, int64_t lo, int64_t hi);

/* Uniform double in [0, 1) with 53 random bits. */
double sg_rng_unit(sg_rng *rng);

#ifdef __cplusplus
}
#endif

#endif

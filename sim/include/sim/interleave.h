/*
 * interleave.h - enumerates every interleaving of a few sequential chains
 * of steps (every ordering of all steps that keeps each chain's own order).
 *
 * An interleaving is written as a sequence of chain labels: chain c
 * appears len[c] times and its k-th appearance is its k-th step.  The
 * interleavings are then exactly the distinct permutations of that
 * multiset, which sim_next_permutation walks in lexicographic order
 * (no recursion, O(n) per step, each distinct arrangement once).  The
 * same function over distinct labels enumerates all n! orderings, which a
 * test uses to cross-check the count by brute force.
 */
#ifndef STORMGLASS_SIM_INTERLEAVE_H
#define STORMGLASS_SIM_INTERLEAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"

#define SIM_INTERLEAVE_STEPS_MAX 16u  /* total steps */
#define SIM_INTERLEAVE_CHAINS_MAX 4u

/* Rearranges a[0..n) into the next greater permutation; false (and a back
 * in ascending order) after the last one. */
bool sim_next_permutation(uint8_t *a, size_t n);

/* Writes the first interleaving (chain labels ascending) into seq (cap
 * entries) and the number of steps into *steps.  SG_E_INVALID for more
 * than SIM_INTERLEAVE_CHAINS_MAX chains, an empty chain, or more than
 * min(cap, SIM_INTERLEAVE_STEPS_MAX) steps. */
sg_status sim_interleave_first(uint8_t *seq, size_t cap, const uint32_t *chain_len, uint32_t chains,
                               size_t *steps);

/* The number of interleavings: (sum len)! / prod(len!). */
uint64_t sim_interleave_count(const uint32_t *chain_len, uint32_t chains);

#endif

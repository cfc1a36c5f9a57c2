/*
 * interleave.c - interleavings of step chains as multiset permutations
 * (see sim/interleave.h).
 */
#include "sim/interleave.h"

static void swap(uint8_t *a, size_t i, size_t j)
{
    uint8_t t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void reverse(uint8_t *a, size_t from, size_t n)
{
    for (size_t i = from, j = n - 1; i < j; i++, j--) {
        swap(a, i, j);
    }
}

bool sim_next_permutation(uint8_t *a, size_t n)
{
    if (n < 2) {
        return false;
    }
    size_t i = n - 1;
    while (i > 0 && a[i - 1] >= a[i]) {
        i--;
    }
    if (i == 0) {
        reverse(a, 0, n); /* last permutation: wrap to the first */
        return false;
    }
    size_t j = n - 1;
    while (a[j] <= a[i - 1]) {
        j--;
    }
    swap(a, i - 1, j);
    reverse(a, i, n);
    return true;
}

sg_status sim_interleave_first(uint8_t *seq, size_t cap, const uint32_t *chain_len, uint32_t chains,
                               size_t *steps)
{
    if (chains == 0 || chains > SIM_INTERLEAVE_CHAINS_MAX) {
        return SG_E_INVALID;
    }
    size_t limit = cap < SIM_INTERLEAVE_STEPS_MAX ? cap : SIM_INTERLEAVE_STEPS_MAX;
    size_t n = 0;
    for (uint32_t c = 0; c < chains; c++) {
        if (chain_len[c] == 0 || chain_len[c] > limit - n) {
            return SG_E_INVALID;
        }
        for (uint32_t k = 0; k < chain_len[c]; k++) {
            seq[n++] = (uint8_t)c;
        }
    }
    *steps = n;
    return SG_OK;
}

uint64_t sim_interleave_count(const uint32_t *chain_len, uint32_t chains)
{
    /* multiply binomials C(total so far, len) chain by chain: exact in 64 bits
     * for at most SIM_INTERLEAVE_STEPS_MAX steps */
    uint64_t count = 1;
    uint64_t total = 0;
    for (uint32_t c = 0; c < chains; c++) {
        for (uint32_t k = 1; k <= chain_len[c]; k++) {
            total++;
            count = count * total / k;
        }
    }
    return count;
}

/*
 * fuzz_input.c - the byte cursor of fuzz_input.h.
 */
#include "fuzz_input.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fuzz_input_init(fuzz_input *in, const uint8_t *data, size_t size)
{
    assert(in != NULL);
    in->p = data;
    in->left = data == NULL ? 0 : size;
}

size_t fuzz_left(const fuzz_input *in)
{
    return in->left;
}

static uint64_t take_le(fuzz_input *in, unsigned bytes)
{
    assert(bytes <= 8);
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && in->left > 0; i++) {
        v |= (uint64_t)in->p[0] << (8 * i);
        in->p++;
        in->left--;
    }
    return v;
}

uint8_t fuzz_u8(fuzz_input *in)
{
    return (uint8_t)take_le(in, 1);
}

uint16_t fuzz_u16(fuzz_input *in)
{
    return (uint16_t)take_le(in, 2);
}

uint32_t fuzz_u32(fuzz_input *in)
{
    return (uint32_t)take_le(in, 4);
}

uint64_t fuzz_u64(fuzz_input *in)
{
    return take_le(in, 8);
}

bool fuzz_bool(fuzz_input *in)
{
    return (fuzz_u8(in) & 1u) != 0;
}

uint64_t fuzz_below(fuzz_input *in, uint64_t bound)
{
    if (bound == 0) {
        return 0;
    }
    /* Take only as many bytes as the bound needs: keeps inputs short and
     * lets the fuzzer's mutations map to nearby choices. */
    unsigned bytes = 1;
    while (bytes < 8 && (bound - 1) >> (8 * bytes) != 0) {
        bytes++;
    }
    return take_le(in, bytes) % bound;
}

int64_t fuzz_range_i64(fuzz_input *in, int64_t lo, int64_t hi)
{
    assert(lo <= hi);
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t off = span == UINT64_MAX ? fuzz_u64(in) : fuzz_below(in, span + 1);
    return (int64_t)((uint64_t)lo + off);
}

int64_t fuzz_edgy_i64(fuzz_input *in, int64_t lo, int64_t hi)
{
    assert(lo <= hi);
    switch (fuzz_u8(in) % 8) {
    case 0: return lo;
    case 1: return hi;
    case 2: return lo < hi ? lo + 1 : lo;
    case 3: return lo < hi ? hi - 1 : hi;
    case 4: return lo <= 0 && hi >= 0 ? 0 : lo;
    case 5: {
        int64_t small = (int64_t)fuzz_u8(in);
        return (uint64_t)hi - (uint64_t)lo >= (uint64_t)small ? lo + small : hi;
    }
    default: return fuzz_range_i64(in, lo, hi);
    }
}

double fuzz_double(fuzz_input *in)
{
    static const double edges[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 16.0, 16.000001,
                                   0.999999, 1e-300, 1e300, -1e300, 5e-324};
    uint8_t pick = fuzz_u8(in);
    size_t n_edges = sizeof edges / sizeof edges[0];
    if (pick < n_edges) {
        return edges[pick];
    }
    if (pick == 0xfd) {
        return INFINITY;
    }
    if (pick == 0xfe) {
        return NAN;
    }
    if (pick == 0xff) {
        uint64_t bits = fuzz_u64(in);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    /* A fraction with 16 random bits scaled into 0 .. 32: covers the
     * ranges configurations use (multipliers, jitter) densely. */
    return (double)fuzz_u16(in) / 2048.0;
}

size_t fuzz_slice(fuzz_input *in, size_t max, const uint8_t **out)
{
    size_t want = max > 255 ? (size_t)fuzz_u16(in) : (size_t)fuzz_u8(in);
    if (want > max) {
        want = want % (max + 1);
    }
    if (want > in->left) {
        want = in->left;
    }
    *out = in->p;
    in->p += want;
    in->left -= want;
    return want;
}

size_t fuzz_rest(fuzz_input *in, const uint8_t **out)
{
    size_t n = in->left;
    *out = in->p;
    in->p += n;
    in->left = 0;
    return n;
}

char *fuzz_copy(const uint8_t *p, size_t len)
{
    char *copy = malloc(len == 0 ? 1 : len);
    if (copy == NULL) {
        (void)fprintf(stderr, "fuzz_copy: out of memory for %zu bytes\n", len);
        abort();
    }
    if (len > 0) {
        memcpy(copy, p, len);
    }
    return copy;
}

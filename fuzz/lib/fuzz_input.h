/*
 * fuzz_input.h - turns the fuzzer's byte string into typed choices.
 *
 * A cursor over the input that hands out integers, booleans, edge-biased
 * values and byte slices.  When the input runs out every getter returns
 * zero (never reads past the end), so a harness can loop "while bytes
 * remain" and still finish in bounded steps.  Values are little-endian so
 * a hand-written seed file is easy to read in a hex dump.
 */
#ifndef STORMGLASS_FUZZ_INPUT_H
#define STORMGLASS_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct fuzz_input {
    const uint8_t *p;
    size_t left;
} fuzz_input;

void fuzz_input_init(fuzz_input *in, const uint8_t *data, size_t size);
size_t fuzz_left(const fuzz_input *in);

uint8_t fuzz_u8(fuzz_input *in);
uint16_t fuzz_u16(fuzz_input *in);
uint32_t fuzz_u32(fuzz_input *in);
uint64_t fuzz_u64(fuzz_input *in);
bool fuzz_bool(fuzz_input *in);

/* [0, bound) (bound 0 gives 0); [lo, hi] inclusive (requires lo <= hi). */
uint64_t fuzz_below(fuzz_input *in, uint64_t bound);
int64_t fuzz_range_i64(fuzz_input *in, int64_t lo, int64_t hi);

/* A value in [lo, hi] biased toward the edges a bug hides at: lo, hi,
 * lo+1, hi-1, 0 (when inside), small values, else uniform. */
int64_t fuzz_edgy_i64(fuzz_input *in, int64_t lo, int64_t hi);

/* Any double: edge values (0, -0, 1, -1, tiny, huge, inf, nan) or the
 * raw bits of the next 8 bytes. */
double fuzz_double(fuzz_input *in);

/* A slice of up to max bytes whose length is the next byte (or two bytes
 * when max > 255); the slice points into the input, it is not copied. */
size_t fuzz_slice(fuzz_input *in, size_t max, const uint8_t **out);

/* Everything that is left. */
size_t fuzz_rest(fuzz_input *in, const uint8_t **out);

/* An exact-size heap copy (at least one byte allocated), so AddressSanitizer
 * flags any read past len; aborts if memory is exhausted.  free() it. */
char *fuzz_copy(const uint8_t *p, size_t len);

#endif

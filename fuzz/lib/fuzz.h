/*
 * fuzz.h - what every harness in fuzz/ includes.
 *
 * A harness is one fuzz/<target>.c defining LLVMFuzzerTestOneInput.  The
 * same object links two ways: with libFuzzer (clang -fsanitize=fuzzer, the
 * fuzzing binary) and with replay_main.c (any compiler, the regression test
 * that replays fuzz/corpus/<target>/).  So a harness never relies on
 * libFuzzer being present: it reports a broken invariant through
 * FUZZ_CHECK, which prints and aborts, and both drivers treat an abort as a
 * finding.
 */
#ifndef STORMGLASS_FUZZ_H
#define STORMGLASS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz_check.h"
#include "fuzz_input.h"

/* The entry point both drivers call once per input.  Returns 0 (libFuzzer
 * reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif

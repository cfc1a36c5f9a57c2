/*
 * fuzz_faults.h - the fuzz input decides which libfiu fault points fail.
 *
 * As in ngtcp2's fuzzers, the bytes choose the failures: each named point
 * is enabled in libfiu's external mode with a callback that takes one byte
 * from the current input each time the point is evaluated and fails when
 * that byte is below `fail_below` (so the fuzzer learns which evaluation
 * to fail).  An exhausted input never fails.  The core's fault points are
 * compiled into every build (-DFIU_ENABLE), so the same faults replay in
 * the standalone driver.
 */
#ifndef STORMGLASS_FUZZ_FAULTS_H
#define STORMGLASS_FUZZ_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz_input.h"

/* Enables the points for the duration of one input (calls fiu_init once
 * per process).  Arm again for every input; disarm before returning. */
void fuzz_faults_arm(fuzz_input *in, const char *const *points, size_t count, uint8_t fail_below);
void fuzz_faults_disarm(const char *const *points, size_t count);

/* Failures injected since the last arm. */
unsigned fuzz_faults_injected(void);

#endif

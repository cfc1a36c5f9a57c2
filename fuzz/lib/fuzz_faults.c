/*
 * fuzz_faults.c - libfiu external-mode callback fed by the fuzz input
 * (see fuzz_faults.h).  Harness-only global state: one input at a time.
 */
#include "fuzz_faults.h"

#include <stdio.h>
#include <stdlib.h>

/* Without FIU_ENABLE, fiu.h turns fiu_init into a no-op macro and libfiu
 * would be used uninitialised (the Makefile defines it for every build). */
#ifndef FIU_ENABLE
#error "fuzz_faults.c needs -DFIU_ENABLE"
#endif
#include <fiu-control.h>
#include <fiu.h>

static fuzz_input *current;
static uint8_t threshold;
static unsigned injected;
static bool armed;

static int decide(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
    (void)name;
    (void)failnum;
    (void)failinfo;
    (void)flags;
    if (current == NULL || fuzz_left(current) == 0) {
        return 0;
    }
    if (fuzz_u8(current) < threshold) {
        injected++;
        return 1;
    }
    return 0;
}

void fuzz_faults_arm(fuzz_input *in, const char *const *points, size_t count, uint8_t fail_below)
{
    static bool initialised;
    if (!initialised) {
        if (fiu_init(0) != 0) {
            (void)fprintf(stderr, "fuzz_faults: fiu_init failed\n");
            abort();
        }
        initialised = true;
    }
    current = in;
    threshold = fail_below;
    injected = 0;
    armed = true;
    for (size_t i = 0; i < count; i++) {
        if (fiu_enable_external(points[i], 1, NULL, 0, decide) != 0) {
            (void)fprintf(stderr, "fuzz_faults: cannot enable %s\n", points[i]);
            abort();
        }
    }
}

void fuzz_faults_disarm(const char *const *points, size_t count)
{
    for (size_t i = 0; armed && i < count; i++) {
        (void)fiu_disable(points[i]);
    }
    armed = false;
    current = NULL;
}

bool fuzz_faults_maybe(fuzz_input *in, const char *const *points, size_t count, uint8_t fail_below)
{
    injected = 0;
    if (fuzz_u8(in) >= 32) {
        return false;
    }
    fuzz_faults_arm(in, points, count, fail_below);
    return true;
}

unsigned fuzz_faults_injected(void)
{
    return injected;
}

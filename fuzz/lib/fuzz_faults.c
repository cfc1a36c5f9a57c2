/*
 * fuzz_faults.c - libfiu external-mode callback fed by the fuzz input
 * (see fuzz_faults.h).  Harness-only global state: one input at a time.
 */
#include "fuzz_faults.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <fiu-control.h>
#include <fiu.h>

static fuzz_input *current;
static uint8_t threshold;
static unsigned injected;

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
    for (size_t i = 0; i < count; i++) {
        if (fiu_enable_external(points[i], 1, NULL, 0, decide) != 0) {
            (void)fprintf(stderr, "fuzz_faults: cannot enable %s\n", points[i]);
            abort();
        }
    }
}

void fuzz_faults_disarm(const char *const *points, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        (void)fiu_disable(points[i]);
    }
    current = NULL;
}

unsigned fuzz_faults_injected(void)
{
    return injected;
}

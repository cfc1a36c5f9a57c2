/*
 * fuzz_check.c - the failure path of FUZZ_CHECK (see fuzz_check.h).
 */
#include "fuzz_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fuzz_fail(const char *file, int line, const char *what, const char *fmt, ...)
{
    va_list ap;
    (void)fprintf(stderr, "fuzz invariant violated at %s:%d: %s", file, line, what);
    va_start(ap, fmt);
    char detail[512];
    (void)vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (detail[0] != '\0') {
        (void)fprintf(stderr, " (%s)", detail);
    }
    (void)fprintf(stderr, "\n");
    (void)fflush(stderr);
    abort();
}

/*
 * fuzz_check.h - invariant checks for harnesses.
 *
 * assert() would do in a debug build, but the replay driver also runs in
 * the release build of `make test`, where an invariant must still be
 * checked.  FUZZ_CHECK is always on; a failure prints the condition (and
 * an optional formatted detail) and aborts, which libFuzzer records as a
 * crash with the input saved as an artifact.
 */
#ifndef STORMGLASS_FUZZ_CHECK_H
#define STORMGLASS_FUZZ_CHECK_H

#if defined(__GNUC__) || defined(__clang__)
#define FUZZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FUZZ_PRINTF(a, b)
#endif

/* Prints "fuzz invariant violated at file:line: what (detail)" and aborts. */
_Noreturn void fuzz_fail(const char *file, int line, const char *what, const char *fmt, ...)
    FUZZ_PRINTF(4, 5);

#define FUZZ_CHECK(cond)                                         \
    do {                                                         \
        if (!(cond)) {                                           \
            fuzz_fail(__FILE__, __LINE__, #cond, "%s", "");      \
        }                                                        \
    } while (0)

/* Like FUZZ_CHECK with a printf-style detail (values that explain why). */
#define FUZZ_CHECK_MSG(cond, ...)                                \
    do {                                                         \
        if (!(cond)) {                                           \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);   \
        }                                                        \
    } while (0)

#endif

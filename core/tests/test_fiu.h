/*
 * test_fiu.h - anomaly testing with libfiu: fail the Nth evaluation of a
 * fault point (SQLite's malloc_common idea), driven through libfiu's
 * external-callback mode so the test, not libfiu's PRNG, decides.
 */
#ifndef STORMGLASS_TEST_FIU_H
#define STORMGLASS_TEST_FIU_H

#include <fiu-control.h>
#include <fiu.h>

static int test_fiu_countdown;

static int test_fiu_fail_nth_cb(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
    (void)name;
    (void)failnum;
    (void)failinfo;
    (void)flags;
    return --test_fiu_countdown == 0;
}

/* Arms `point` so that its nth evaluation from now fails (n >= 1). */
static inline void test_fiu_fail_nth(const char *point, int nth)
{
    fiu_init(0);
    test_fiu_countdown = nth;
    assert_int_equal(fiu_enable_external(point, 1, NULL, 0, test_fiu_fail_nth_cb), 0);
}

#endif

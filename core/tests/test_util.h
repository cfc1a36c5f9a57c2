/*
 * test_util.h - includes and small helpers every cmocka suite uses.
 */
#ifndef STORMGLASS_TEST_UTIL_H
#define STORMGLASS_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define S(x) ((int64_t)(x) * 1000000000LL)
#define MS(x) ((int64_t)(x) * 1000000LL)

#endif

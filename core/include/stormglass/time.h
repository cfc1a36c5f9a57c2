/*
 * time.h - how the core talks about time.
 *
 * The core never reads a clock.  Every entry point that depends on time
 * takes `now` as an argument: monotonic nanoseconds chosen by the driver
 * (the simulator's virtual clock, the server's CLOCK_MONOTONIC, the
 * fuzzer's byte stream).  Durations are nanoseconds too.  SG_TIME_NEVER
 * marks "no deadline".
 */
#ifndef STORMGLASS_TIME_H
#define STORMGLASS_TIME_H

#include <stdint.h>

typedef int64_t sg_time_ns;     /* a point on the driver's monotonic clock */
typedef int64_t sg_duration_ns; /* a span of time, never negative when valid */

#define SG_NS_PER_US ((sg_duration_ns)1000)
#define SG_NS_PER_MS ((sg_duration_ns)1000000)
#define SG_NS_PER_S ((sg_duration_ns)1000000000)

#define SG_TIME_NEVER INT64_MAX

/* Longest duration any configuration accepts: 100 days.  Keeping every
 * configured span far below INT64_MAX means now + span never overflows for
 * any monotonic clock that has run less than 290 years. */
#define SG_DURATION_MAX_NS ((sg_duration_ns)100 * 24 * 3600 * SG_NS_PER_S)

/* a + b, saturating at SG_TIME_NEVER (both assumed >= 0 or a small). */
static inline sg_time_ns sg_time_add(sg_time_ns a, sg_duration_ns b)
{
    if (b > 0 && a > SG_TIME_NEVER - b) {
        return SG_TIME_NEVER;
    }
    return a + b;
}

static inline sg_time_ns sg_time_min(sg_time_ns a, sg_time_ns b)
{
    return a < b ? a : b;
}

#endif

/*
 * retry_after.h - parsing of the HTTP Retry-After field (RFC 9110 10.2.3).
 *
 * Accepts delay-seconds (1*DIGIT) and an HTTP-date in its three formats
 * (RFC 9110 5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", the
 * obsolete RFC 850 form "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit year
 * read with the 50-year rule against `now`) and asctime
 * "Sun Nov  6 08:49:37 1994".
 *
 * The result says which case happened: ABSENT (empty or only whitespace),
 * INVALID (with a reason) or a number of seconds, where a date in the past
 * is 0 seconds and every value is clamped to a caller-chosen ceiling.  Huge
 * numbers saturate; nothing wraps.  A hostile peer gets at most `ceiling`.
 *
 * Lenient choices (documented in docs/ARCHITECTURE.md):
 *   - leading/trailing spaces and tabs are ignored;
 *   - the zone may be "GMT", "UTC", "UT" or a numeric "+hhmm"/"-hhmm",
 *     which is applied (a sender that wrote "+0000" meant GMT);
 *   - a weekday name that does not match the date is accepted: the date
 *     decides, the name is only checked to be a weekday;
 *   - second 60 (a leap second) is accepted.
 * Everything else, including signs or fractions on delay-seconds, is
 * INVALID.
 */
#ifndef STORMGLASS_RETRY_AFTER_H
#define STORMGLASS_RETRY_AFTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest field value examined; longer input is INVALID. */
#define SG_RETRY_AFTER_INPUT_MAX 256
/* Default ceiling: one hour, as the infonet seed chose. */
#define SG_RETRY_AFTER_CEILING_DEFAULT_S ((int64_t)3600)

typedef enum sg_retry_after_kind {
    SG_RETRY_AFTER_ABSENT = 0,
    SG_RETRY_AFTER_INVALID,
    SG_RETRY_AFTER_SECONDS, /* delay-seconds form */
    SG_RETRY_AFTER_DATE     /* HTTP-date form */
} sg_retry_after_kind;

typedef struct sg_retry_after {
    sg_retry_after_kind kind;
    int64_t seconds;    /* wait from now, 0..ceiling; 0 unless SECONDS/DATE */
    bool clamped;       /* the value asked for more than the ceiling */
    int64_t date_epoch; /* DATE: the absolute time in Unix seconds */
    const char *reason; /* INVALID: static text saying why; else "" */
} sg_retry_after;

/* Parses `len` bytes of `value` (NUL not required; an embedded NUL is
 * INVALID).  now_epoch_s: the current Unix time in seconds, used for the
 * date form and the RFC 850 50-year rule (any value is safe; a clock
 * outside years 0000..9999 counts as the nearest of them for that rule).
 * ceiling_s must be >= 0.
 * Always fills *out; returns SG_OK for SECONDS/DATE/ABSENT and
 * SG_E_INVALID for INVALID. */
sg_status sg_retry_after_parse(const char *value, size_t len, int64_t now_epoch_s,
                               int64_t ceiling_s, sg_retry_after *out);

/* Days since 1970-01-01 of a proleptic Gregorian date (no range checks). */
int64_t sg_days_from_civil(int64_t year, unsigned month, unsigned day);

/* Year of a Unix time (UTC). */
int64_t sg_year_of_epoch(int64_t epoch_s);

#ifdef __cplusplus
}
#endif

#endif

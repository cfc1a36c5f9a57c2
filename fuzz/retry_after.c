/*
 * retry_after.c - fuzz target: the Retry-After parser (core/src/retry_after.c).
 *
 * Input: now (8 bytes), ceiling (edge-biased), then the field value.
 * Beyond "no crash, no UB, no read past len" (the value is an exact-size
 * heap copy), each parse is checked against an independent model:
 *   - status and kind agree; INVALID and only INVALID carries a reason;
 *   - seconds within [0, ceiling], clamped exactly when the ask exceeded it;
 *   - delay-seconds: equal to a reference saturating decimal parse;
 *   - HTTP-date: seconds = date - now clamped; formatting the date back as
 *     IMF-fixdate and as asctime parses to the same instant;
 *   - the answer depends only on the first len bytes (same result from a
 *     longer buffer), is deterministic, ignores surrounding blanks and
 *     ASCII case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stormglass/retry_after.h"

typedef __int128 wide;

static int64_t clamp_wait(wide wait, int64_t ceiling, int *clamped)
{
    *clamped = wait > ceiling;
    if (wait < 0) {
        return 0;
    }
    return wait > ceiling ? ceiling : (int64_t)wait;
}

static void check_shape(const sg_retry_after *ra, sg_status st, int64_t ceiling)
{
    int valid = ra->kind == SG_RETRY_AFTER_SECONDS || ra->kind == SG_RETRY_AFTER_DATE;
    FUZZ_CHECK(ra->reason != NULL);
    FUZZ_CHECK((st == SG_OK) == (ra->kind != SG_RETRY_AFTER_INVALID));
    FUZZ_CHECK(st == SG_OK || st == SG_E_INVALID);
    FUZZ_CHECK((ra->kind == SG_RETRY_AFTER_INVALID) == (ra->reason[0] != '\0'));
    FUZZ_CHECK_MSG(ra->seconds >= 0 && ra->seconds <= ceiling, "seconds %lld ceiling %lld",
                   (long long)ra->seconds, (long long)ceiling);
    FUZZ_CHECK(valid || (ra->seconds == 0 && !ra->clamped));
    FUZZ_CHECK(!ra->clamped || ra->seconds == ceiling);
}

/* The value without surrounding spaces/tabs, as the parser sees it. */
static void trim(const char *v, size_t len, size_t *from, size_t *to)
{
    size_t a = 0, b = len;
    while (a < b && (v[a] == ' ' || v[a] == '\t')) {
        a++;
    }
    while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t')) {
        b--;
    }
    *from = a;
    *to = b;
}

static void check_delay_seconds(const char *v, size_t from, size_t to, int64_t ceiling,
                                const sg_retry_after *ra)
{
    wide value = 0;
    for (size_t i = from; i < to; i++) {
        FUZZ_CHECK_MSG(v[i] >= '0' && v[i] <= '9', "non-digit 0x%02x accepted", (unsigned)(uint8_t)v[i]);
        if (value <= INT64_MAX) {
            value = value * 10 + (v[i] - '0');
        }
    }
    FUZZ_CHECK(to > from);
    int clamped;
    int64_t expect = clamp_wait(value, ceiling, &clamped);
    FUZZ_CHECK_MSG(ra->seconds == expect, "got %lld want %lld", (long long)ra->seconds, (long long)expect);
    FUZZ_CHECK(ra->clamped == clamped);
}

/* Civil date of a day count (inverse of sg_days_from_civil), written
 * independently so the round trip tests the parser, not itself. */
static void civil_of_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static void check_date_round_trip(int64_t epoch, int64_t now, int64_t ceiling)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = epoch >= 0 ? epoch / 86400 : -((-epoch + 86399) / 86400);
    int64_t secs = epoch - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_of_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        return; /* not representable with a 4-digit year */
    }
    FUZZ_CHECK(sg_days_from_civil(y, m, d) == days);
    char text[2][64];
    unsigned hh = (unsigned)(secs / 3600), mm = (unsigned)(secs / 60 % 60), ss = (unsigned)(secs % 60);
    (void)snprintf(text[0], sizeof text[0], "Mon, %02u %s %04lld %02u:%02u:%02u GMT", d, mon[m - 1],
                   (long long)y, hh, mm, ss);
    (void)snprintf(text[1], sizeof text[1], "Tue %s %2u %02u:%02u:%02u %04lld", mon[m - 1], d, hh, mm, ss,
                   (long long)y);
    for (int i = 0; i < 2; i++) {
        sg_retry_after again;
        sg_status st = sg_retry_after_parse(text[i], strlen(text[i]), now, ceiling, &again);
        FUZZ_CHECK_MSG(st == SG_OK && again.kind == SG_RETRY_AFTER_DATE, "'%s': %s", text[i], again.reason);
        FUZZ_CHECK_MSG(again.date_epoch == epoch, "'%s' -> %lld, want %lld", text[i],
                       (long long)again.date_epoch, (long long)epoch);
    }
}

static int same_result(const sg_retry_after *a, const sg_retry_after *b)
{
    return a->kind == b->kind && a->seconds == b->seconds && a->clamped == b->clamped &&
           a->date_epoch == b->date_epoch;
}

/* Same answer for: a longer buffer cut at len, blanks around, flipped case. */
static void check_variants(const char *v, size_t len, int64_t now, int64_t ceiling, const sg_retry_after *ra)
{
    sg_retry_after other;
    char *longer = malloc(len + 8);
    char *padded = malloc(len + 3);
    FUZZ_CHECK(longer != NULL && padded != NULL);
    memcpy(longer, v, len);
    memcpy(longer + len, "0 GMT1\t!", 8);
    (void)sg_retry_after_parse(longer, len, now, ceiling, &other);
    FUZZ_CHECK_MSG(same_result(ra, &other), "bytes past len changed the result");
    if (len + 3 <= SG_RETRY_AFTER_INPUT_MAX) {
        padded[0] = ' ';
        padded[1] = '\t';
        memcpy(padded + 2, v, len);
        padded[len + 2] = ' ';
        (void)sg_retry_after_parse(padded, len + 3, now, ceiling, &other);
        FUZZ_CHECK_MSG(same_result(ra, &other), "surrounding blanks changed the result");
    }
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        longer[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    (void)sg_retry_after_parse(longer, len, now, ceiling, &other);
    FUZZ_CHECK_MSG(same_result(ra, &other), "ASCII case changed the result");
    free(longer);
    free(padded);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    int64_t now = fuzz_edgy_i64(&in, INT64_MIN, INT64_MAX);
    int64_t ceiling_arg = fuzz_edgy_i64(&in, -2, INT64_MAX);
    int64_t ceiling = ceiling_arg < 0 ? 0 : ceiling_arg;
    const uint8_t *raw;
    size_t len = fuzz_rest(&in, &raw);
    char *v = fuzz_copy(raw, len);

    sg_retry_after ra;
    sg_status st = sg_retry_after_parse(v, len, now, ceiling_arg, &ra);
    check_shape(&ra, st, ceiling);
    size_t from, to;
    trim(v, len, &from, &to);
    if (len > SG_RETRY_AFTER_INPUT_MAX || memchr(v, '\0', len) != NULL) {
        FUZZ_CHECK(ra.kind == SG_RETRY_AFTER_INVALID);
    } else {
        FUZZ_CHECK((ra.kind == SG_RETRY_AFTER_ABSENT) == (from == to));
        check_variants(v, len, now, ceiling_arg, &ra);
    }
    if (ra.kind == SG_RETRY_AFTER_SECONDS) {
        check_delay_seconds(v, from, to, ceiling, &ra);
    } else if (ra.kind == SG_RETRY_AFTER_DATE) {
        int clamped;
        int64_t expect = clamp_wait((wide)ra.date_epoch - now, ceiling, &clamped);
        FUZZ_CHECK_MSG(ra.seconds == expect, "date %lld now %lld: got %lld want %lld", (long long)ra.date_epoch,
                       (long long)now, (long long)ra.seconds, (long long)expect);
        FUZZ_CHECK(ra.clamped == clamped);
        check_date_round_trip(ra.date_epoch, now, ceiling);
    }
    sg_retry_after again;
    FUZZ_CHECK(sg_retry_after_parse(v, len, now, ceiling_arg, &again) == st);
    FUZZ_CHECK(same_result(&ra, &again) && strcmp(ra.reason, again.reason) == 0);
    free(v);
    return 0;
}

/*
 * retry_after.c - Retry-After field parser (RFC 9110 10.2.3, 5.6.7).
 *
 * A hand-written scanner is acceptable here because the grammar is tiny
 * and fixed; it is bounded (SG_RETRY_AFTER_INPUT_MAX), never allocates,
 * never reads past `len`, and is fuzzed (fuzz/retry_after.c).  Calendar
 * arithmetic uses the proleptic Gregorian day count, so no libc time
 * function (and no time zone or locale) is involved.
 */
#include "stormglass/retry_after.h"

#include <assert.h>
#include <string.h>

typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

static const char *const short_days[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const long_days[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};
static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int64_t sg_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t mp = (int64_t)(m > 2 ? m - 3 : m + 9);
    const int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t sg_year_of_epoch(int64_t epoch_s)
{
    /* Floor division without epoch_s - 86399, which overflows near
     * INT64_MIN (found by fuzz/retry_after.c). */
    int64_t days = epoch_s / 86400 - (epoch_s % 86400 < 0);
    int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    return yoe + era * 400 + (month <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29u : dim[m - 1];
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive match of a whole word at the cursor. */
static int take_word(cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (lower(c->p[i]) != lower(word[i])) {
            return 0;
        }
    }
    c->p += n;
    return 1;
}

static int take_char(cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Exactly n digits. */
static int take_digits(cursor *c, unsigned n, unsigned *out)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (c->p >= c->end || !is_digit(*c->p)) {
            return 0;
        }
        v = v * 10u + (unsigned)(*c->p - '0');
        c->p++;
    }
    *out = v;
    return 1;
}

static int take_month(cursor *c, unsigned *month)
{
    for (unsigned i = 0; i < 12; i++) {
        if (take_word(c, months[i])) {
            *month = i + 1;
            return 1;
        }
    }
    return 0;
}

typedef struct date_parts {
    int64_t year;
    unsigned month, day, hour, minute, second;
    int64_t zone_offset_s; /* seconds east of UTC */
} date_parts;

static int take_time(cursor *c, date_parts *d)
{
    return take_digits(c, 2, &d->hour) && take_char(c, ':') && take_digits(c, 2, &d->minute) &&
           take_char(c, ':') && take_digits(c, 2, &d->second);
}

/* "GMT", "UTC", "UT" or +hhmm / -hhmm (lenient, applied). */
static int take_zone(cursor *c, date_parts *d)
{
    d->zone_offset_s = 0;
    if (take_word(c, "GMT") || take_word(c, "UTC") || take_word(c, "UT")) {
        return 1;
    }
    int sign = 0;
    if (take_char(c, '+')) {
        sign = 1;
    } else if (take_char(c, '-')) {
        sign = -1;
    } else {
        return 0;
    }
    unsigned hh = 0, mm = 0;
    if (!take_digits(c, 2, &hh) || !take_digits(c, 2, &mm) || hh > 23 || mm > 59) {
        return 0;
    }
    d->zone_offset_s = sign * (int64_t)(hh * 3600u + mm * 60u);
    return 1;
}

static void fail(sg_retry_after *out, const char *reason)
{
    out->kind = SG_RETRY_AFTER_INVALID;
    out->seconds = 0;
    out->reason = reason;
}

/* IMF-fixdate after "Day, ": 06 Nov 1994 08:49:37 GMT */
static const char *parse_imf(cursor *c, date_parts *d)
{
    unsigned year = 0;
    if (!take_digits(c, 2, &d->day) || !take_char(c, ' ') || !take_month(c, &d->month) ||
        !take_char(c, ' ') || !take_digits(c, 4, &year) || !take_char(c, ' ') || !take_time(c, d) ||
        !take_char(c, ' ') || !take_zone(c, d)) {
        return "malformed IMF-fixdate (expected e.g. 'Sun, 06 Nov 1994 08:49:37 GMT')";
    }
    d->year = year;
    return NULL;
}

/* RFC 850 after "Weekday, ": 06-Nov-94 08:49:37 GMT */
static const char *parse_rfc850(cursor *c, date_parts *d, int64_t now_epoch_s)
{
    unsigned yy = 0;
    if (!take_digits(c, 2, &d->day) || !take_char(c, '-') || !take_month(c, &d->month) ||
        !take_char(c, '-') || !take_digits(c, 2, &yy) || !take_char(c, ' ') || !take_time(c, d) ||
        !take_char(c, ' ') || !take_zone(c, d)) {
        return "malformed RFC 850 date (expected e.g. 'Sunday, 06-Nov-94 08:49:37 GMT')";
    }
    /* RFC 9110 5.6.7: a two-digit year more than 50 years in the future
     * means the most recent past year with the same last two digits.  A
     * clock outside years 0000..9999 is taken as the nearest of them, so
     * the chosen year (and the date's epoch) stays representable. */
    int64_t now_year = sg_year_of_epoch(now_epoch_s);
    if (now_year < 0) {
        now_year = 0;
    } else if (now_year > 9999) {
        now_year = 9999;
    }
    int64_t year = now_year - (now_year % 100) + (int64_t)yy;
    if (year > now_year + 50) {
        year -= 100;
    }
    d->year = year;
    return NULL;
}

/* asctime after "Day ": Nov  6 08:49:37 1994 */
static const char *parse_asctime(cursor *c, date_parts *d)
{
    unsigned year = 0;
    if (!take_month(c, &d->month) || !take_char(c, ' ')) {
        return "malformed asctime date (expected e.g. 'Sun Nov  6 08:49:37 1994')";
    }
    if (take_char(c, ' ')) {
        if (!take_digits(c, 1, &d->day)) {
            return "malformed asctime date: bad day";
        }
    } else if (!take_digits(c, 2, &d->day)) {
        return "malformed asctime date: bad day";
    }
    if (!take_char(c, ' ') || !take_time(c, d) || !take_char(c, ' ') || !take_digits(c, 4, &year)) {
        return "malformed asctime date (expected e.g. 'Sun Nov  6 08:49:37 1994')";
    }
    d->year = year;
    d->zone_offset_s = 0;
    return NULL;
}

static const char *parse_date(cursor *c, date_parts *d, int64_t now_epoch_s)
{
    for (int i = 0; i < 7; i++) {
        cursor save = *c;
        if (take_word(c, long_days[i]) && take_char(c, ',') && take_char(c, ' ')) {
            return parse_rfc850(c, d, now_epoch_s);
        }
        *c = save;
    }
    for (int i = 0; i < 7; i++) {
        cursor save = *c;
        if (take_word(c, short_days[i])) {
            if (take_char(c, ',')) {
                if (!take_char(c, ' ')) {
                    return "malformed IMF-fixdate: expected a space after the comma";
                }
                return parse_imf(c, d);
            }
            if (take_char(c, ' ')) {
                return parse_asctime(c, d);
            }
        }
        *c = save;
    }
    return "neither delay-seconds nor an HTTP-date";
}

static void finish_seconds(sg_retry_after *out, int64_t seconds, int64_t ceiling_s)
{
    if (seconds < 0) {
        seconds = 0;
    }
    if (seconds > ceiling_s) {
        seconds = ceiling_s;
        out->clamped = 1;
    }
    out->seconds = seconds;
}

static sg_status parse_delay_seconds(cursor *c, int64_t ceiling_s, sg_retry_after *out)
{
    int64_t value = 0;
    int saturated = 0;
    while (c->p < c->end && is_digit(*c->p)) {
        int64_t digit = *c->p - '0';
        if (!saturated && value > (INT64_MAX - digit) / 10) {
            saturated = 1;
        }
        if (!saturated) {
            value = value * 10 + digit;
        }
        c->p++;
    }
    if (c->p != c->end) {
        fail(out, *c->p == '.' ? "delay-seconds must be a whole number"
                               : "trailing characters after delay-seconds");
        return SG_E_INVALID;
    }
    out->kind = SG_RETRY_AFTER_SECONDS;
    if (saturated) {
        /* More than INT64_MAX asks for more than any ceiling (found by
         * fuzz/retry_after.c: with ceiling INT64_MAX it was not "clamped"). */
        value = INT64_MAX;
        out->clamped = 1;
    }
    finish_seconds(out, value, ceiling_s);
    return SG_OK;
}

sg_status sg_retry_after_parse(const char *value, size_t len, int64_t now_epoch_s, int64_t ceiling_s,
                               sg_retry_after *out)
{
    assert(out != NULL);
    memset(out, 0, sizeof *out);
    out->reason = "";
    if (ceiling_s < 0) {
        ceiling_s = 0;
    }
    if (value == NULL || len == 0) {
        out->kind = SG_RETRY_AFTER_ABSENT;
        return SG_OK;
    }
    if (len > SG_RETRY_AFTER_INPUT_MAX) {
        fail(out, "value longer than 256 bytes");
        return SG_E_INVALID;
    }
    if (memchr(value, '\0', len) != NULL) {
        fail(out, "value contains a NUL byte");
        return SG_E_INVALID;
    }
    cursor c = {value, value + len};
    while (c.p < c.end && (*c.p == ' ' || *c.p == '\t')) {
        c.p++;
    }
    while (c.end > c.p && (c.end[-1] == ' ' || c.end[-1] == '\t')) {
        c.end--;
    }
    if (c.p == c.end) {
        out->kind = SG_RETRY_AFTER_ABSENT;
        return SG_OK;
    }
    if (is_digit(*c.p)) {
        return parse_delay_seconds(&c, ceiling_s, out);
    }
    if (*c.p == '-' || *c.p == '+') {
        fail(out, *c.p == '-' ? "negative delay-seconds" : "delay-seconds must not carry a sign");
        return SG_E_INVALID;
    }
    date_parts d;
    memset(&d, 0, sizeof d);
    const char *why = parse_date(&c, &d, now_epoch_s);
    if (why == NULL && c.p != c.end) {
        why = "trailing characters after the date";
    }
    if (why == NULL && (d.month < 1 || d.month > 12 || d.day < 1 ||
                        d.day > days_in_month(d.year, d.month))) {
        why = "day out of range for the month";
    }
    if (why == NULL && (d.hour > 23 || d.minute > 59 || d.second > 60)) {
        why = "time of day out of range";
    }
    if (why != NULL) {
        fail(out, why);
        return SG_E_INVALID;
    }
    int64_t epoch = sg_days_from_civil(d.year, d.month, d.day) * 86400 +
                    (int64_t)(d.hour * 3600u + d.minute * 60u + d.second) - d.zone_offset_s;
    out->kind = SG_RETRY_AFTER_DATE;
    out->date_epoch = epoch;
    /* Both operands are bounded (4-digit years, caller's clock), but guard
     * the subtraction anyway: a far-future date just saturates. */
    int64_t delta;
    if (now_epoch_s < 0 && epoch > INT64_MAX + now_epoch_s) {
        delta = INT64_MAX;
        out->clamped = 1;
    } else if (now_epoch_s > 0 && epoch < INT64_MIN + now_epoch_s) {
        delta = 0;
    } else {
        delta = epoch - now_epoch_s;
    }
    finish_seconds(out, delta, ceiling_s);
    return SG_OK;
}

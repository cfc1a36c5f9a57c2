/*
 * parse.c - fuzz target: the value parsers of parse.h (core/src/parse.c).
 *
 * Input: a selector byte (which parser), its parameters (bare unit, range,
 * byte limit), then the text.  Each parser is checked against a reference
 * written independently from the documented grammar, with 128-bit
 * arithmetic so the reference itself cannot overflow:
 *   - same accept/reject decision and the same value;
 *   - a rejection leaves *out untouched and explains itself in a printable,
 *     non-empty message; input longer than SG_PARSE_INPUT_MAX is refused;
 *   - doubles: an accepted value is finite, in range, and survives a
 *     %.17g round trip;
 *   - sg_format_duration never overruns its buffer, always terminates it,
 *     and what it prints reads back as (about) the same duration.
 * The text is an exact-size heap copy, so reading past len is caught.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stormglass/parse.h"

/* Signed 128-bit: digits saturate at 2^80, so value * unit stays below 2^127. */
typedef __int128 wide;

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int same_ci(const char *a, size_t alen, const char *b)
{
    if (alen != strlen(b)) {
        return 0;
    }
    for (size_t i = 0; i < alen; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        if (x != b[i]) {
            return 0;
        }
    }
    return 1;
}

static void check_message(sg_status st, const sg_error *err)
{
    FUZZ_CHECK(st == SG_E_INVALID);
    size_t n = strnlen(err->msg, sizeof err->msg);
    FUZZ_CHECK(n > 0 && n < sizeof err->msg);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK_MSG(err->msg[i] >= 0x20 && err->msg[i] < 0x7f, "unprintable byte in '%s'", err->msg);
    }
}

/* Leading decimal digits, saturating far above any limit. */
static wide digits_value(const char *t, size_t len, size_t *used)
{
    wide v = 0;
    size_t i = 0;
    for (; i < len && is_digit(t[i]); i++) {
        if (v < ((wide)1 << 80)) {
            v = v * 10 + (wide)(t[i] - '0');
        }
    }
    *used = i;
    return v;
}

/* Grammar: digits* ['.' digits{0,9}] [unit], at least one digit. */
static int ref_duration(const char *t, size_t len, sg_duration_unit bare, int64_t *out)
{
    static const struct { const char *name; int64_t ns; } units[] = {
        {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}, {"m", 60000000000}, {"h", 3600000000000}};
    size_t i, n;
    wide whole = digits_value(t, len, &n);
    i = n;
    wide frac = 0, scale = 1;
    size_t frac_digits = 0;
    if (i < len && t[i] == '.') {
        i++;
        for (; i < len && is_digit(t[i]); i++, frac_digits++) {
            if (frac_digits < 9) {
                frac = frac * 10 + (wide)(t[i] - '0');
                scale *= 10;
            }
        }
    }
    if (frac_digits > 9 || n + frac_digits == 0) {
        return 0;
    }
    int64_t unit = 0;
    if (i == len) {
        if (bare == SG_UNIT_REQUIRED && (whole != 0 || frac != 0)) {
            return 0;
        }
        unit = bare == SG_UNIT_MILLISECONDS ? 1000000 : 1000000000;
    } else {
        for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
            unit = same_ci(t + i, len - i, units[u].name) ? units[u].ns : unit;
        }
    }
    wide ns = whole * (wide)unit + frac * (wide)unit / scale;
    if (unit == 0 || ns > (wide)SG_DURATION_MAX_NS) {
        return 0;
    }
    *out = (int64_t)ns;
    return 1;
}

static void fuzz_duration(fuzz_input *in)
{
    sg_duration_unit bare = (sg_duration_unit)(fuzz_u8(in) % 3);
    const uint8_t *raw;
    size_t len = fuzz_rest(in, &raw);
    char *t = fuzz_copy(raw, len);
    int64_t got = -7, want = -7;
    sg_error err = {{0}};
    sg_status st = sg_parse_duration(t, len, bare, &got, &err);
    int ok = len > 0 && len <= SG_PARSE_INPUT_MAX && ref_duration(t, len, bare, &want);
    FUZZ_CHECK_MSG((st == SG_OK) == ok, "'%.*s': status %d, reference %d (%s)", (int)len, t, (int)st, ok, err.msg);
    if (ok) {
        FUZZ_CHECK_MSG(got == want, "'%.*s': %lld, reference %lld", (int)len, t, (long long)got, (long long)want);
    } else {
        FUZZ_CHECK(got == -7);
        check_message(st, &err);
    }
    free(t);
}

static void fuzz_u64_and_bytes(fuzz_input *in, int bytes)
{
    static const struct { const char *name; uint64_t mult; } suffixes[] = {
        {"", 1}, {"b", 1}, {"k", 1024}, {"kb", 1024}, {"kib", 1024}, {"m", 1 << 20}, {"mb", 1 << 20},
        {"mib", 1 << 20}, {"g", 1 << 30}, {"gb", 1 << 30}, {"gib", 1 << 30}};
    uint64_t lo = (uint64_t)fuzz_edgy_i64(in, INT64_MIN, INT64_MAX) ^ (1ull << 63);
    uint64_t hi = (uint64_t)fuzz_edgy_i64(in, INT64_MIN, INT64_MAX) ^ (1ull << 63);
    const uint8_t *raw;
    size_t len = fuzz_rest(in, &raw);
    char *t = fuzz_copy(raw, len);
    uint64_t got = 7;
    sg_error err = {{0}};
    sg_status st = bytes ? sg_parse_bytes(t, len, hi, &got, &err) : sg_parse_u64(t, len, lo, hi, &got, &err);
    size_t n;
    wide v = digits_value(t, len, &n);
    wide mult = 0;
    for (size_t i = 0; bytes && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        mult = same_ci(t + n, len - n, suffixes[i].name) ? suffixes[i].mult : mult;
    }
    if (!bytes) {
        mult = n == len ? 1 : 0;
    }
    wide value = v * mult;
    int ok = len > 0 && len <= SG_PARSE_INPUT_MAX && n > 0 && mult != 0 && value <= hi && (bytes || value >= lo);
    FUZZ_CHECK_MSG((st == SG_OK) == ok, "'%.*s' [%llu, %llu]: status %d, reference %d", (int)len, t,
                   (unsigned long long)lo, (unsigned long long)hi, (int)st, ok);
    if (ok) {
        FUZZ_CHECK(got == (uint64_t)value);
    } else {
        FUZZ_CHECK(got == 7);
        check_message(st, &err);
    }
    free(t);
}

static double finite_or(double d, double fallback)
{
    return isfinite(d) ? d : fallback;
}

static void fuzz_double_parser(fuzz_input *in)
{
    double lo = finite_or(fuzz_double(in), -1e308), hi = finite_or(fuzz_double(in), 1e308);
    if (lo > hi) {
        double swap = lo;
        lo = hi;
        hi = swap;
    }
    const uint8_t *raw;
    size_t len = fuzz_rest(in, &raw);
    char *t = fuzz_copy(raw, len);
    double got = 7.0;
    sg_error err = {{0}};
    sg_status st = sg_parse_double(t, len, lo, hi, &got, &err);
    int charset_ok = len > 0;
    int has_digit = 0;
    for (size_t i = 0; i < len; i++) {
        charset_ok &= is_digit(t[i]) || strchr(".+-eE", t[i]) != NULL;
        has_digit |= is_digit(t[i]);
    }
    if (st == SG_OK) {
        FUZZ_CHECK(charset_ok && has_digit && len <= SG_PARSE_INPUT_MAX);
        FUZZ_CHECK(isfinite(got) && got >= lo && got <= hi);
        char again[40];
        int w = snprintf(again, sizeof again, "%.17g", got);
        double back = 0.0;
        FUZZ_CHECK(w > 0 && (size_t)w < sizeof again);
        FUZZ_CHECK_MSG(sg_parse_double(again, (size_t)w, lo, hi, &back, &err) == SG_OK, "'%s': %s", again, err.msg);
        FUZZ_CHECK_MSG(memcmp(&back, &got, sizeof got) == 0, "'%s'", again);
    } else {
        FUZZ_CHECK(memcmp(&got, &(double){7.0}, sizeof got) == 0);
        check_message(st, &err);
    }
    free(t);
}

static void fuzz_bool_parser(fuzz_input *in)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    const uint8_t *raw;
    size_t len = fuzz_rest(in, &raw);
    char *t = fuzz_copy(raw, len);
    bool got = false;
    sg_error err = {{0}};
    sg_status st = sg_parse_bool(t, len, &got, &err);
    int want = -1;
    for (size_t i = 0; i < 4; i++) {
        want = same_ci(t, len, yes[i]) ? 1 : same_ci(t, len, no[i]) ? 0 : want;
    }
    FUZZ_CHECK((st == SG_OK) == (want >= 0));
    if (want >= 0) {
        FUZZ_CHECK(got == (want == 1));
    } else {
        check_message(st, &err);
    }
    free(t);
}

/* What sg_format_duration printed reads back as about the same duration. */
static void check_formatted(const char *s, int64_t d)
{
    long long h, m, sec;
    char rest;
    if (strcmp(s, "0s") == 0 || d < 0) {
        FUZZ_CHECK(d <= 0 && strcmp(s, d < 0 ? "-" : "0s") == 0);
    } else if (sscanf(s, "%lldh%lldm%llds%c", &h, &m, &sec, &rest) == 3) {
        FUZZ_CHECK_MSG(h * 3600 + m * 60 + sec == d / SG_NS_PER_S && m < 60 && sec < 60, "'%s' for %lld", s,
                       (long long)d);
    } else if (sscanf(s, "%lldm%llds%c", &m, &sec, &rest) == 2) {
        FUZZ_CHECK_MSG(m * 60 + sec == d / SG_NS_PER_S && m < 60 && sec < 60, "'%s' for %lld", s, (long long)d);
    } else {
        int64_t back = -1;
        sg_error err;
        FUZZ_CHECK_MSG(sg_parse_duration(s, strlen(s), SG_UNIT_REQUIRED, &back, &err) == SG_OK,
                       "'%s' for %lld does not read back: %s", s, (long long)d, err.msg);
        /* 3 significant digits at worst: within 0.5% */
        double diff = fabs((double)back - (double)d);
        FUZZ_CHECK_MSG(diff <= (double)d * 0.005 + 1.0, "'%s' reads back as %lld, not %lld", s, (long long)back,
                       (long long)d);
    }
}

static void fuzz_format(fuzz_input *in)
{
    int64_t d = fuzz_edgy_i64(in, INT64_MIN, INT64_MAX);
    if (fuzz_bool(in)) {
        d = fuzz_edgy_i64(in, 0, SG_DURATION_MAX_NS);
    }
    size_t size = 1 + (size_t)fuzz_below(in, 48);
    char *buf = malloc(size);
    FUZZ_CHECK(buf != NULL);
    memset(buf, 'x', size);
    sg_format_duration(d, buf, size);
    FUZZ_CHECK(memchr(buf, '\0', size) != NULL);
    char full[64];
    sg_format_duration(d, full, sizeof full);
    FUZZ_CHECK(strlen(full) < 32);
    FUZZ_CHECK(strncmp(buf, full, size - 1) == 0); /* a short buffer holds a prefix */
    check_formatted(full, d);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    switch (fuzz_u8(&in) % 6) {
    case 0: fuzz_duration(&in); break;
    case 1: fuzz_u64_and_bytes(&in, 0); break;
    case 2: fuzz_u64_and_bytes(&in, 1); break;
    case 3: fuzz_double_parser(&in); break;
    case 4: fuzz_bool_parser(&in); break;
    default: fuzz_format(&in); break;
    }
    return 0;
}

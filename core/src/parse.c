/*
 * parse.c - strict value parsers (see parse.h).
 *
 * Durations are parsed with integer arithmetic (integer part, up to nine
 * decimals, unit) so "0.1s" is exactly 100000000 ns on every platform.
 * Doubles go through strtod on a bounded, NUL-terminated copy.
 */
#include "stormglass/parse.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int equals_ci(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen) {
        return 0;
    }
    for (size_t i = 0; i < alen; i++) {
        if (lower(a[i]) != lower(b[i])) {
            return 0;
        }
    }
    return 1;
}

/* Copies text into buf for messages, replacing control bytes. */
static const char *shown(const char *text, size_t len, char *buf, size_t size)
{
    size_t n = len < size - 1 ? len : size - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        buf[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    buf[n] = '\0';
    return buf;
}

static sg_status check_input(const char *text, size_t len, const char *what, sg_error *err)
{
    if (text == NULL || len == 0) {
        return sg_error_set(err, SG_E_INVALID, "expected %s, got an empty value", what);
    }
    if (len > SG_PARSE_INPUT_MAX) {
        return sg_error_set(err, SG_E_INVALID, "expected %s, got %zu bytes (limit %d)", what, len,
                            SG_PARSE_INPUT_MAX);
    }
    return SG_OK;
}

typedef struct unit_def {
    const char *name;
    sg_duration_ns ns;
} unit_def;

static const unit_def duration_units[] = {
    {"ns", 1},
    {"us", SG_NS_PER_US},
    {"ms", SG_NS_PER_MS},
    {"s", SG_NS_PER_S},
    {"m", 60 * SG_NS_PER_S},
    {"h", 3600 * SG_NS_PER_S},
};

sg_status sg_parse_duration(const char *text, size_t len, sg_duration_unit bare_unit, sg_duration_ns *out,
                            sg_error *err)
{
    char show[SG_PARSE_INPUT_MAX + 1];
    sg_status st = check_input(text, len, "a duration such as 500ms, 1.5s, 2m or 1h", err);
    if (st != SG_OK) {
        return st;
    }
    size_t i = 0;
    uint64_t whole = 0;
    size_t int_digits = 0;
    while (i < len && is_digit(text[i])) {
        if (whole > UINT64_MAX / 10 - 9) {
            return sg_error_set(err, SG_E_INVALID, "duration '%s' is too large (limit 100 days)",
                                shown(text, len, show, sizeof show));
        }
        whole = whole * 10 + (uint64_t)(text[i] - '0');
        i++;
        int_digits++;
    }
    uint64_t frac = 0;
    unsigned frac_digits = 0;
    if (i < len && text[i] == '.') {
        i++;
        while (i < len && is_digit(text[i])) {
            if (frac_digits == 9) {
                return sg_error_set(err, SG_E_INVALID, "duration '%s' has more than 9 decimals",
                                    shown(text, len, show, sizeof show));
            }
            frac = frac * 10 + (uint64_t)(text[i] - '0');
            frac_digits++;
            i++;
        }
    }
    if (int_digits == 0 && frac_digits == 0) {
        return sg_error_set(err, SG_E_INVALID,
                            "expected a duration such as 500ms, 1.5s, 2m or 1h, got '%s'",
                            shown(text, len, show, sizeof show));
    }
    sg_duration_ns unit = 0;
    if (i == len) {
        if (bare_unit == SG_UNIT_REQUIRED && !(whole == 0 && frac == 0)) {
            return sg_error_set(err, SG_E_INVALID, "duration '%s' needs a unit (ns, us, ms, s, m, h)",
                                shown(text, len, show, sizeof show));
        }
        unit = bare_unit == SG_UNIT_MILLISECONDS ? SG_NS_PER_MS : SG_NS_PER_S;
    } else {
        for (size_t u = 0; u < sizeof duration_units / sizeof duration_units[0]; u++) {
            if (equals_ci(text + i, len - i, duration_units[u].name)) {
                unit = duration_units[u].ns;
            }
        }
        if (unit == 0) {
            return sg_error_set(err, SG_E_INVALID,
                                "duration '%s' has an unknown unit (expected ns, us, ms, s, m or h)",
                                shown(text, len, show, sizeof show));
        }
    }
    uint64_t limit = (uint64_t)SG_DURATION_MAX_NS;
    if (whole > limit / (uint64_t)unit) {
        return sg_error_set(err, SG_E_INVALID, "duration '%s' is too large (limit 100 days)",
                            shown(text, len, show, sizeof show));
    }
    uint64_t ns = whole * (uint64_t)unit;
    uint64_t scale = 1;
    for (unsigned d = 0; d < frac_digits; d++) {
        scale *= 10;
    }
    /* frac < 10^9 and unit <= 3.6e12: use long double-free exact math by
     * splitting the unit. */
    uint64_t frac_ns = (frac * ((uint64_t)unit / scale)) + (frac * ((uint64_t)unit % scale)) / scale;
    if (ns > limit - frac_ns) {
        return sg_error_set(err, SG_E_INVALID, "duration '%s' is too large (limit 100 days)",
                            shown(text, len, show, sizeof show));
    }
    *out = (sg_duration_ns)(ns + frac_ns);
    return SG_OK;
}

sg_status sg_parse_u64(const char *text, size_t len, uint64_t min, uint64_t max, uint64_t *out, sg_error *err)
{
    char show[SG_PARSE_INPUT_MAX + 1];
    sg_status st = check_input(text, len, "a whole number", err);
    if (st != SG_OK) {
        return st;
    }
    uint64_t v = 0;
    int overflow = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(text[i])) {
            return sg_error_set(err, SG_E_INVALID, "expected a whole number, got '%s'",
                                shown(text, len, show, sizeof show));
        }
        uint64_t digit = (uint64_t)(text[i] - '0');
        if (v > (UINT64_MAX - digit) / 10) {
            overflow = 1; /* past 2^64-1: out of any range, never silently the maximum */
        } else if (!overflow) {
            v = v * 10 + digit;
        }
    }
    if (overflow || v < min || v > max) {
        return sg_error_set(err, SG_E_INVALID, "value %s is out of range %llu .. %llu",
                            shown(text, len, show, sizeof show), (unsigned long long)min,
                            (unsigned long long)max);
    }
    *out = v;
    return SG_OK;
}

sg_status sg_parse_bytes(const char *text, size_t len, uint64_t max, uint64_t *out, sg_error *err)
{
    char show[SG_PARSE_INPUT_MAX + 1];
    sg_status st = check_input(text, len, "a byte size such as 4096, 64KiB or 16MiB", err);
    if (st != SG_OK) {
        return st;
    }
    size_t digits = 0;
    while (digits < len && is_digit(text[digits])) {
        digits++;
    }
    if (digits == 0) {
        return sg_error_set(err, SG_E_INVALID, "expected a byte size such as 4096, 64KiB or 16MiB, got '%s'",
                            shown(text, len, show, sizeof show));
    }
    uint64_t mult = 0;
    const char *suffix = text + digits;
    size_t slen = len - digits;
    static const struct {
        const char *name;
        uint64_t mult;
    } suffixes[] = {{"", 1},          {"b", 1},          {"k", 1024},       {"kb", 1024},
                    {"kib", 1024},    {"m", 1048576},    {"mb", 1048576},   {"mib", 1048576},
                    {"g", 1073741824}, {"gb", 1073741824}, {"gib", 1073741824}};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        if (equals_ci(suffix, slen, suffixes[i].name)) {
            mult = suffixes[i].mult;
        }
    }
    if (mult == 0) {
        return sg_error_set(err, SG_E_INVALID, "byte size '%s' has an unknown suffix (expected KiB, MiB or GiB)",
                            shown(text, len, show, sizeof show));
    }
    uint64_t v = 0;
    st = sg_parse_u64(text, digits, 0, UINT64_MAX, &v, err);
    if (st != SG_OK) {
        return st;
    }
    if (v > max / mult) {
        return sg_error_set(err, SG_E_INVALID, "byte size '%s' exceeds the limit of %llu bytes",
                            shown(text, len, show, sizeof show), (unsigned long long)max);
    }
    *out = v * mult;
    return SG_OK;
}

sg_status sg_parse_double(const char *text, size_t len, double min, double max, double *out, sg_error *err)
{
    char show[SG_PARSE_INPUT_MAX + 1];
    sg_status st = check_input(text, len, "a number", err);
    if (st != SG_OK) {
        return st;
    }
    char buf[SG_PARSE_INPUT_MAX + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    /* strtod accepts hex, inf, nan and leading space: refuse them first. */
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (!(is_digit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
            return sg_error_set(err, SG_E_INVALID, "expected a number, got '%s'",
                                shown(text, len, show, sizeof show));
        }
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len || errno == ERANGE || !isfinite(v)) {
        return sg_error_set(err, SG_E_INVALID, "expected a number, got '%s'", shown(text, len, show, sizeof show));
    }
    if (v < min || v > max) {
        return sg_error_set(err, SG_E_INVALID, "value %s is out of range %g .. %g",
                            shown(text, len, show, sizeof show), min, max);
    }
    *out = v;
    return SG_OK;
}

sg_status sg_parse_bool(const char *text, size_t len, bool *out, sg_error *err)
{
    char show[SG_PARSE_INPUT_MAX + 1];
    sg_status st = check_input(text, len, "true or false", err);
    if (st != SG_OK) {
        return st;
    }
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (equals_ci(text, len, yes[i])) {
            *out = true;
            return SG_OK;
        }
        if (equals_ci(text, len, no[i])) {
            *out = false;
            return SG_OK;
        }
    }
    return sg_error_set(err, SG_E_INVALID, "expected true or false, got '%s'", shown(text, len, show, sizeof show));
}

void sg_format_duration(sg_duration_ns d, char *buf, size_t size)
{
    assert(buf != NULL && size > 0);
    if (d < 0) {
        (void)snprintf(buf, size, "-");
        return;
    }
    if (d == 0) {
        (void)snprintf(buf, size, "0s");
    } else if (d < SG_NS_PER_US) {
        (void)snprintf(buf, size, "%lldns", (long long)d);
    } else if (d < SG_NS_PER_MS) {
        /* 4 significant digits: with 3, 999999 ns printed as "1e+03us". */
        (void)snprintf(buf, size, "%.4gus", (double)d / (double)SG_NS_PER_US);
    } else if (d < SG_NS_PER_S) {
        (void)snprintf(buf, size, "%.4gms", (double)d / (double)SG_NS_PER_MS);
    } else if (d < 60 * SG_NS_PER_S) {
        (void)snprintf(buf, size, "%.4gs", (double)d / (double)SG_NS_PER_S);
    } else {
        long long s = (long long)(d / SG_NS_PER_S);
        if (s >= 3600) {
            (void)snprintf(buf, size, "%lldh%02lldm%02llds", s / 3600, (s / 60) % 60, s % 60);
        } else {
            (void)snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
        }
    }
}

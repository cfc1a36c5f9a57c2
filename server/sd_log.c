/*
 * sd_log.c - key=value log lines on stderr (see sd_log.h).
 *
 * The wall-clock timestamp is for people reading the log; nothing in the
 * server's logic depends on it (the core runs on the monotonic clock).
 */
#include "sd_log.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static sd_log_level min_level = SD_LOG_INFO;

static const char *const level_names[SD_LOG_LEVEL_COUNT] = {"debug", "info", "warn", "error"};

void sd_log_set_level(sd_log_level level)
{
    assert((unsigned)level < SD_LOG_LEVEL_COUNT);
    min_level = level;
}

int sd_log_enabled(sd_log_level level)
{
    return level >= min_level;
}

const char *sd_log_level_name(sd_log_level level)
{
    return (unsigned)level < SD_LOG_LEVEL_COUNT ? level_names[level] : "?";
}

static int needs_quotes(const char *s, size_t n)
{
    if (n == 0) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c >= 0x7f) {
            return 1;
        }
    }
    return 0;
}

const char *sd_log_quote(const char *s, size_t n, char *buf, size_t size)
{
    assert(buf != NULL);
    assert(size >= 8);
    if (s == NULL) {
        snprintf(buf, size, "-");
        return buf;
    }
    if (!needs_quotes(s, n)) {
        size_t k = n < size - 1 ? n : size - 1;
        memcpy(buf, s, k);
        buf[k] = '\0';
        return buf;
    }
    size_t o = 0;
    buf[o++] = '"';
    for (size_t i = 0; i < n && o + 6 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

void sd_log(sd_log_level level, const char *event, const char *fmt, ...)
{
    assert(event != NULL);
    if (!sd_log_enabled(level)) {
        return;
    }
    char line[SD_LOG_LINE_MAX];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s event=%s",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, sd_log_level_name(level), event);
    size_t used = n > 0 ? (size_t)n : 0;
    if (fmt != NULL && fmt[0] != '\0' && used + 2 < sizeof line) {
        line[used++] = ' ';
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(line + used, sizeof line - used, fmt, ap);
        va_end(ap);
        used += m > 0 ? (size_t)m : 0;
    }
    if (used > sizeof line - 2) {
        used = sizeof line - 2;
    }
    line[used++] = '\n';
    fwrite(line, 1, used, stderr);
}

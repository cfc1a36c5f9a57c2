/*
 * sd_log.h - structured logs of stormglassd: one line per event on stderr,
 * `ts=... level=... event=... key=value ...`.
 *
 * Values are quoted when they contain spaces, quotes or control bytes so a
 * line is always one line and machine-splittable.  The level is set once at
 * start (--log-level); lines below it cost one comparison.
 */
#ifndef STORMGLASS_SD_LOG_H
#define STORMGLASS_SD_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum sd_log_level {
    SD_LOG_DEBUG = 0,
    SD_LOG_INFO,
    SD_LOG_WARN,
    SD_LOG_ERROR,
    SD_LOG_LEVEL_COUNT
} sd_log_level;

/* Longest line written (longer ones are truncated, never split). */
#define SD_LOG_LINE_MAX 1024

void sd_log_set_level(sd_log_level level);
int sd_log_enabled(sd_log_level level);
const char *sd_log_level_name(sd_log_level level);

/* Writes one line: `event` then pairs given as a format of `key=%s key=%d`
 * fields.  String values passed through sd_log_q() are quoted when needed. */
void sd_log(sd_log_level level, const char *event, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Quotes `s` (at most n bytes) into buf as a log value: bare when it is
 * plain, "..." with \" \\ \xNN escapes otherwise.  Returns buf. */
const char *sd_log_quote(const char *s, size_t n, char *buf, size_t size);

#define SD_LOG_QUOTE_MAX 160

#endif

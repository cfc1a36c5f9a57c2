/*
 * sd_buf.h - a growable byte buffer with a hard limit, for responses the
 * server composes (HTTP answers, /metrics, protocol messages).
 */
#ifndef STORMGLASS_SD_BUF_H
#define STORMGLASS_SD_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"

typedef struct sd_buf {
    uint8_t *data;
    size_t len, cap, limit;
    bool overflow; /* an append did not fit under limit: the buffer is unusable */
} sd_buf;

void sd_buf_init(sd_buf *b, size_t limit);
void sd_buf_free(sd_buf *b);
void sd_buf_append(sd_buf *b, const void *data, size_t len);
void sd_buf_printf(sd_buf *b, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Drops the first n bytes. */
void sd_buf_consume(sd_buf *b, size_t n);

#endif

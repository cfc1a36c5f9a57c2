/*
 * sd_buf.c - bounded growable buffer (see sd_buf.h).  Growth doubles up
 * to the limit; past it the buffer flags overflow instead of growing.
 */
#include "sd_buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sd_buf_init(sd_buf *b, size_t limit)
{
    assert(b != NULL);
    memset(b, 0, sizeof *b);
    b->limit = limit;
}

void sd_buf_free(sd_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static bool reserve(sd_buf *b, size_t extra)
{
    if (b->overflow || extra > b->limit - b->len) {
        b->overflow = true;
        return false;
    }
    if (b->len + extra <= b->cap) {
        return true;
    }
    size_t cap = b->cap < 256 ? 256 : b->cap;
    while (cap < b->len + extra) {
        cap *= 2;
    }
    cap = cap > b->limit ? b->limit : cap;
    uint8_t *grown = realloc(b->data, cap);
    if (grown == NULL) {
        b->overflow = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void sd_buf_append(sd_buf *b, const void *data, size_t len)
{
    assert(data != NULL || len == 0);
    if (len > 0 && reserve(b, len)) {
        memcpy(b->data + b->len, data, len);
        b->len += len;
    }
}

void sd_buf_printf(sd_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->overflow = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        sd_buf_append(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n + 1)) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sd_buf_consume(sd_buf *b, size_t n)
{
    assert(n <= b->len);
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

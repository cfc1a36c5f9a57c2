/*
 * utf8.h - strict UTF-8 validation (RFC 3629): no overlong forms, no
 * surrogates, nothing above U+10FFFF.  WebSocket text messages must pass
 * it (RFC 6455 section 8.1) or the connection is closed with 1007.
 */
#ifndef STORMGLASS_SD_UTF8_H
#define STORMGLASS_SD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool sd_utf8_valid(const uint8_t *s, size_t len);

#endif

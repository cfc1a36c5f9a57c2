/*
 * bb_base64.h - standard base64 (RFC 4648, with padding) for backbones
 * that carry text only: PostgreSQL NOTIFY payloads.
 */
#ifndef STORMGLASS_SD_BB_BASE64_H
#define STORMGLASS_SD_BB_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"

/* Characters the encoding of n bytes takes (no terminator). */
size_t bb_base64_encoded_len(size_t n);
/* Writes bb_base64_encoded_len(n) characters and a NUL to out. */
void bb_base64_encode(const uint8_t *in, size_t n, char *out);
/* Decodes `len` characters into out (at least len / 4 * 3 bytes); sets
 * *out_len.  SG_E_INVALID for a bad length, character or padding. */
sg_status bb_base64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len);

#endif

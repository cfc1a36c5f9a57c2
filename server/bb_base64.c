/*
 * bb_base64.c - base64 for text-only backbones (bb_base64.h).
 */
#include "bb_base64.h"

#include <assert.h>
#include <stdbool.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t bb_base64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

void bb_base64_encode(const uint8_t *in, size_t n, char *out)
{
    assert(in != NULL || n == 0);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        v |= i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0;
        v |= i + 2 < n ? (uint32_t)in[i + 2] : 0;
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
}

static int value_of(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

sg_status bb_base64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len)
{
    assert(in != NULL && out != NULL && out_len != NULL);
    if (len % 4 != 0) {
        return SG_E_INVALID;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        int pad = (in[i + 3] == '=') + (in[i + 2] == '=');
        if (pad > 0 && (!last || (pad == 1 && in[i + 2] == '='))) {
            return SG_E_INVALID;
        }
        uint32_t v = 0;
        for (int k = 0; k < 4 - pad; k++) {
            int d = value_of(in[i + (size_t)k]);
            if (d < 0) {
                return SG_E_INVALID;
            }
            v |= (uint32_t)d << (18 - 6 * k);
        }
        out[o++] = (uint8_t)(v >> 16);
        if (pad < 2) {
            out[o++] = (uint8_t)(v >> 8);
        }
        if (pad < 1) {
            out[o++] = (uint8_t)v;
        }
    }
    *out_len = o;
    return SG_OK;
}

/*
 * utf8.c - UTF-8 validation by the table of well-formed byte sequences
 * (Unicode 15, table 3-7): the second byte's range depends on the first.
 */
#include "utf8.h"

#include <assert.h>

/* Length of the sequence a lead byte starts and the allowed range of the
 * second byte; 0 = not a lead byte. */
static unsigned lead_info(uint8_t b, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
        return 2;
    }
    if (b >= 0xe0 && b <= 0xef) {
        *lo = b == 0xe0 ? 0xa0 : 0x80; /* overlong */
        *hi = b == 0xed ? 0x9f : 0xbf; /* surrogates */
        return 3;
    }
    if (b >= 0xf0 && b <= 0xf4) {
        *lo = b == 0xf0 ? 0x90 : 0x80; /* overlong */
        *hi = b == 0xf4 ? 0x8f : 0xbf; /* above U+10FFFF */
        return 4;
    }
    return 0;
}

bool sd_utf8_valid(const uint8_t *s, size_t len)
{
    assert(s != NULL || len == 0);
    size_t i = 0;
    while (i < len) {
        uint8_t b = s[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        uint8_t lo, hi;
        unsigned n = lead_info(b, &lo, &hi);
        if (n == 0 || len - i < n) {
            return false;
        }
        if (s[i + 1] < lo || s[i + 1] > hi) {
            return false;
        }
        for (unsigned k = 2; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                return false;
            }
        }
        i += n;
    }
    return true;
}

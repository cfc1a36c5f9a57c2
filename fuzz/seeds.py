#!/usr/bin/env python3
"""fuzz/seeds.py - writes the hand-made seed inputs of fuzz/corpus/<target>/.

Seeds are binary (each harness reads typed fields with fuzz/lib/fuzz_input.c),
so this script is their readable source: run it after changing a harness's
input layout, review the diff, commit the files.  It only (re)writes files
named here; inputs the fuzzer found (regress-*) are never touched.

    fuzz/seeds.py [TARGET...]
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def u8(v):
    return struct.pack('<B', v & 0xff)


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def below_bytes(bound):
    """Bytes fuzz_below() takes for this bound."""
    n = 1
    while n < 8 and (bound - 1) >> (8 * n) != 0:
        n += 1
    return n


def range_i64(v, lo, hi):
    """Encodes v for fuzz_range_i64(lo, hi)."""
    assert lo <= v <= hi
    span = hi - lo
    if span == (1 << 64) - 1:
        return u64(v - lo)
    n = below_bytes(span + 1)
    return (v - lo).to_bytes(n, 'little')


def edgy_exact(v, lo, hi):
    """Encodes v for fuzz_edgy_i64(lo, hi) through its uniform branch."""
    return u8(7) + range_i64(v, lo, hi)


def edgy_edge(which):
    """fuzz_edgy_i64's named edges: 'lo', 'hi', 'lo+1', 'hi-1', 'zero'."""
    return u8(['lo', 'hi', 'lo+1', 'hi-1', 'zero'].index(which))


def double_raw(d):
    return u8(0xff) + struct.pack('<d', d)


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# ---- retry_after: now, ceiling, value ------------------------------------

NOW_2026 = 1795564800          # 2026-11-25 00:00:00 UTC
RFC_EPOCH = 784111777           # Sun, 06 Nov 1994 08:49:37 GMT


def retry_after(now, ceiling, value):
    return edgy_exact(now, INT64_MIN, INT64_MAX) + edgy_exact(ceiling, -2, INT64_MAX) + value


def seeds_retry_after():
    w = lambda name, now, ceil, v: write('retry_after', name, retry_after(now, ceil, v))
    w('rfc9110-delay-seconds', NOW_2026, 3600, b'120')
    w('rfc9110-date', 946684799 - 3599, 3600, b'Fri, 31 Dec 1999 23:59:59 GMT')
    w('imf-fixdate', RFC_EPOCH - 100, 3600, b'Sun, 06 Nov 1994 08:49:37 GMT')
    w('rfc850', RFC_EPOCH - 100, 3600, b'Sunday, 06-Nov-94 08:49:37 GMT')
    w('rfc850-fifty-year-rule', NOW_2026, 3600, b'Monday, 01-Jan-80 00:00:00 GMT')
    w('asctime', RFC_EPOCH - 100, 3600, b'Sun Nov  6 08:49:37 1994')
    w('asctime-two-digit-day', RFC_EPOCH, 3600, b'Tue Nov 15 08:49:37 1994')
    w('zero', NOW_2026, 3600, b'0')
    w('empty', NOW_2026, 3600, b'')
    w('blanks', NOW_2026, 3600, b' \t ')
    w('padded', NOW_2026, 3600, b'\t 30 ')
    w('huge-saturates', NOW_2026, 3600, b'9' * 40)
    w('int64-max', NOW_2026, INT64_MAX, b'9223372036854775807')
    w('clamped-zero-ceiling', NOW_2026, 0, b'5')
    w('negative-ceiling', NOW_2026, -1, b'5')
    w('negative', NOW_2026, 3600, b'-1')
    w('signed', NOW_2026, 3600, b'+5')
    w('fraction', NOW_2026, 3600, b'1.5')
    w('trailing', NOW_2026, 3600, b'12abc')
    w('numeric-zone', RFC_EPOCH, 3600, b'Sun, 06 Nov 1994 10:19:37 +0130')
    w('negative-zone', RFC_EPOCH, 3600, b'Sun, 06 Nov 1994 03:49:37 -0500')
    w('utc-zone', NOW_2026 - 10, 3600, b'Wed, 25 Nov 2026 00:00:00 UTC')
    w('ut-zone', NOW_2026 - 10, 3600, b'Wed, 25 Nov 2026 00:00:00 UT')
    w('pst-invalid', NOW_2026, 3600, b'Sun, 06 Nov 1994 08:49:37 PST')
    w('leap-day', NOW_2026, 3600, b'Thu, 29 Feb 2024 12:00:00 GMT')
    w('not-leap-day', NOW_2026, 3600, b'Wed, 29 Feb 2023 12:00:00 GMT')
    w('leap-second', NOW_2026, 3600, b'Sat, 31 Dec 2016 23:59:60 GMT')
    w('epoch', 0, 3600, b'Thu, 01 Jan 1970 00:00:00 GMT')
    w('year-0000', 0, 3600, b'Sat, 01 Jan 0000 00:00:00 GMT')
    w('year-9999', NOW_2026, INT64_MAX, b'Fri, 31 Dec 9999 23:59:59 -2359')
    w('lowercase', RFC_EPOCH - 1, 3600, b'sun, 06 nov 1994 08:49:37 gmt')
    w('wrong-weekday', RFC_EPOCH - 1, 3600, b'Mon, 06 Nov 1994 08:49:37 GMT')
    w('bad-hour', NOW_2026, 3600, b'Sun, 06 Nov 1994 24:00:00 GMT')
    w('no-space-after-comma', NOW_2026, 3600, b'Sun,06 Nov 1994 08:49:37 GMT')
    w('embedded-nul', NOW_2026, 3600, b'12\x003')
    w('too-long', NOW_2026, 3600, b'1' * 257)
    w('now-extreme-low', INT64_MIN, 3600, b'Sunday, 06-Nov-94 08:49:37 GMT')
    w('now-extreme-high', INT64_MAX, 3600, b'Sun, 06 Nov 1994 08:49:37 GMT')


SEEDS = {
    'retry_after': seeds_retry_after,
}


def main(argv):
    for name in argv[1:] or sorted(SEEDS):
        SEEDS[name]()


if __name__ == '__main__':
    main(sys.argv)

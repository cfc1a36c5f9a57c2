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


def u16be(v):
    return struct.pack('>H', v & 0xffff)


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


# ---- backoff_config: config fields, seed, operations ----------------------

NS = 1
MS = 1000000
S = 1000000000
DURATION_MAX = 100 * 24 * 3600 * S
POLICIES = ['none', 'constant', 'exponential', 'full', 'equal', 'decorrelated', 'grpc']


def dur(v):
    """duration_field(): in-range branch, or the wide branch for v outside."""
    if 0 <= v <= DURATION_MAX + 1:
        return u8(200) + edgy_exact(v, 0, DURATION_MAX + 1)
    return u8(0) + edgy_exact(v, INT64_MIN, INT64_MAX)


def backoff_config(policy, base, mx, mult, jitter, mct=0, retries=0):
    p = policy if isinstance(policy, int) else POLICIES.index(policy)
    return (u8(p) + dur(base) + dur(mx) + double_raw(mult) + double_raw(jitter) + dur(mct) +
            edgy_exact(retries, 0, (1 << 32) - 1))


def op_burst(n):
    return u8(0) + u8(n - 1)


OP_RESET = u8(1)


def op_ceiling(a, b):
    return u8(2) + edgy_exact(a, 0, (1 << 32) - 1) + edgy_exact(b, a, (1 << 32) - 1)


def op_jump(a):
    return u8(3) + edgy_exact(a, 0, (1 << 32) - 1)


def op_names(name):
    return u8(4) + u8(len(name)) + name


def seeds_backoff_config():
    w = lambda name, cfg, ops=b'': write('backoff_config', name, cfg + u64(42) + ops)
    ops = op_burst(40) + OP_RESET + op_burst(10) + op_ceiling(1, 1000) + op_names(b'grpc')
    for pol in POLICIES:
        if pol == 'grpc':
            cfg = backoff_config(pol, 1 * S, 120 * S, 1.6, 0.2, 20 * S)
        else:
            cfg = backoff_config(pol, 500 * MS, 30 * S, 2.0, 0.0)
        w('default-' + pol, cfg, ops)
    w('max-retries-3', backoff_config('exponential', 500 * MS, 30 * S, 2.0, 0.0, retries=3), op_burst(10))
    w('max-retries-limit', backoff_config('full', 1, 2, 1.0, 0.0, retries=1000000000), op_burst(5))
    w('attempt-near-uint32-max', backoff_config('grpc', 1 * S, 120 * S, 1.6, 1.0, 20 * S),
      op_jump((1 << 32) - 2) + op_burst(4) + op_ceiling((1 << 32) - 1, (1 << 32) - 1))
    w('exponential-wide', backoff_config('exponential', 1, DURATION_MAX, 16.0, 0.0), op_burst(255))
    w('decorrelated-base-is-max', backoff_config('decorrelated', 7 * S, 7 * S, 1.0, 0.0), op_burst(50))
    w('decorrelated-1ns', backoff_config('decorrelated', 1, DURATION_MAX, 1.0, 0.0), op_burst(200))
    w('none-zero-base', backoff_config('none', 0, 0, 1.0, 0.0), op_burst(3))
    w('invalid-nan-multiplier', backoff_config('exponential', S, 2 * S, float('nan'), 0.0))
    w('invalid-inf-jitter', backoff_config('grpc', S, 2 * S, 1.6, float('inf')))
    w('invalid-jitter', backoff_config('grpc', S, 2 * S, 1.6, 1.5))
    w('invalid-multiplier-below-1', backoff_config('exponential', S, 2 * S, 0.999999, 0.0))
    w('invalid-multiplier-above-16', backoff_config('exponential', S, 2 * S, 16.000001, 0.0))
    w('invalid-zero-base', backoff_config('exponential', 0, S, 2.0, 0.0))
    w('invalid-negative-base', backoff_config('constant', -1, S, 2.0, 0.0))
    w('invalid-max-below-base', backoff_config('full', 2 * S, S, 2.0, 0.0))
    w('invalid-base-too-big', backoff_config('full', DURATION_MAX + 1, DURATION_MAX + 1, 2.0, 0.0))
    w('invalid-int64-min', backoff_config('equal', INT64_MIN, INT64_MAX, 2.0, 0.0))
    w('invalid-policy', backoff_config(8, S, 2 * S, 2.0, 0.0))
    w('invalid-mct', backoff_config('grpc', S, 2 * S, 1.6, 0.2, mct=-5))
    w('invalid-retries', backoff_config('full', S, 2 * S, 2.0, 0.0, retries=1000000001))


# ---- parse: selector, parameters, text -------------------------------------

def u64_edgy(v):
    """Encodes an unsigned v for the harness's fuzz_edgy_i64(...) ^ 2^63."""
    x = v ^ (1 << 63)
    if x >= 1 << 63:
        x -= 1 << 64
    return edgy_exact(x, INT64_MIN, INT64_MAX)


def seeds_parse():
    w = lambda name, data: write('parse', name, data)
    units = {'required': 0, 'seconds': 1, 'ms': 2}
    durations = [('500ms', 'required'), ('1.5s', 'required'), ('0.1s', 'required'), ('2m', 'required'),
                 ('1h', 'required'), ('250us', 'required'), ('7ns', 'required'), ('0', 'required'),
                 ('.5s', 'required'), ('1.000000001s', 'required'), ('30', 'seconds'), ('20', 'ms'),
                 ('2400h', 'required'), ('2401h', 'required'), ('1.0000000001s', 'required'),
                 ('99999999999999999999999s', 'required'), ('5 days', 'required'), ('-1s', 'required'),
                 ('1S', 'required'), ('5.', 'seconds'), ('.', 'seconds'), ('30', 'required'),
                 ('8640000s', 'required'), ('8640000.000000001s', 'required'), ('144000m', 'required')]
    for i, (text, unit) in enumerate(durations):
        w('duration-%02d' % i, u8(0) + u8(units[unit]) + text.encode())
    w('duration-too-long', u8(0) + u8(0) + b'1' * 65)
    w('duration-empty', u8(0) + u8(0))
    w('u64-in-range', u8(1) + u64_edgy(1) + u64_edgy(100) + b'42')
    w('u64-below-min', u8(1) + u64_edgy(1) + u64_edgy(100) + b'0')
    w('u64-max', u8(1) + u64_edgy(0) + u64_edgy((1 << 64) - 1) + b'18446744073709551615')
    w('u64-overflow', u8(1) + u64_edgy(0) + u64_edgy((1 << 64) - 1) + b'18446744073709551616')
    w('u64-sign', u8(1) + u64_edgy(0) + u64_edgy(100) + b'+5')
    for i, text in enumerate([b'4096', b'64k', b'16KiB', b'4MiB', b'1m', b'2G', b'3gb', b'7b', b'1TiB',
                              b'KiB', b'16 KiB', b'17179869184g']):
        w('bytes-%02d' % i, u8(2) + u64_edgy(0) + u64_edgy((1 << 64) - 1) + text)
    w('bytes-over-limit', u8(2) + u64_edgy(0) + u64_edgy(1 << 20) + b'2MiB')
    for i, text in enumerate([b'0.5', b'2', b'1e-3', b'-0', b'1e309', b'0x10', b'inf', b'nan', b' 1',
                              b'1e-310', b'.', b'+.5e+2']):
        w('double-%02d' % i, u8(3) + double_raw(-1e308) + double_raw(1e308) + text)
    w('double-out-of-range', u8(3) + double_raw(0.0) + double_raw(1.0) + b'1.0000001')
    for i, text in enumerate([b'true', b'FALSE', b'Yes', b'no', b'on', b'OFF', b'1', b'0', b'2', b'tru',
                              b'truee', b'']):
        w('bool-%02d' % i, u8(4) + text)
    for i, d in enumerate([0, 1, 999, 1000, 999999, 1000000, 999999999, 1500000000, 59999999999,
                           60000000000, 150000000000, 3600000000000, 8640000000000000, INT64_MAX, -1]):
        w('format-%02d' % i, u8(5) + edgy_exact(d, INT64_MIN, INT64_MAX) + u8(0) + u8(47))
    w('format-short-buffer', u8(5) + edgy_exact(150000000000, INT64_MIN, INT64_MAX) + u8(0) + u8(3))


# ---- sync_sched: config, seed, start time, operations ----------------------

def sync_config(interval, base, cap, jitter, seed=1, use_rng=1, now=0):
    return (dur(interval) + dur(base) + dur(cap) + double_raw(jitter) + u64(seed) + u8(use_rng) +
            edgy_exact(now, 0, INT64_MAX))


def op_advance(dt):
    return u8(0) + edgy_exact(dt, 0, INT64_MAX)


OP_BEGIN = u8(1)
OP_OK = u8(2)


def op_fail(status=0, ra=0, body=b'', how=2):
    head = u8(3) + u8(how)
    if how == 0:
        return head
    head += u16(status + 1) + edgy_exact(ra, INT64_MIN, INT64_MAX)
    if how == 1:
        return head + u8(len(body)) + body          # Retry-After text, <= 64
    if how == 2:
        return head + u16(len(body)) + body         # body for sg_sync_error_make, <= 300
    return head + u8(len(body)) + body              # raw body_prefix, <= 128


def op_probe(base, failures, ra, cap):
    return (u8(5) + edgy_exact(base, INT64_MIN, INT64_MAX) + edgy_exact(failures, 0, (1 << 32) - 1) +
            edgy_exact(ra, INT64_MIN, DURATION_MAX) + edgy_exact(cap, INT64_MIN, DURATION_MAX))


def seeds_sync_sched():
    w = lambda name, cfg, ops: write('sync_sched', name, cfg + ops)
    infonet = sync_config(300 * S, 60 * S, 1800 * S, 0.0)
    storm = b''
    for _ in range(8):
        storm += OP_BEGIN + op_fail(429, 120, b'Too Many Requests') + op_advance(3600 * S)
    w('infonet-429-ladder', infonet, storm + OP_BEGIN + OP_OK)
    w('retry-after-only', sync_config(300 * S, 60 * S, 0, 0.0),
      OP_BEGIN + op_fail(503, 0, b'') + OP_BEGIN + op_fail(429, 30, b'slow down') + OP_BEGIN + OP_OK)
    w('jitter-half', sync_config(300 * S, 60 * S, 1800 * S, 0.5, seed=7),
      (OP_BEGIN + op_fail(500, 0, b'oops') + op_advance(100 * S)) * 6)
    w('jitter-never-below-retry-after', sync_config(300 * S, 60 * S, 1800 * S, 1.0, seed=9),
      (OP_BEGIN + op_fail(429, 1000, b'') + op_advance(S)) * 6)
    w('clock-near-int64-max', sync_config(DURATION_MAX, DURATION_MAX, DURATION_MAX, 0.0, now=INT64_MAX - 5),
      OP_BEGIN + op_fail(429, INT64_MAX, b'x') + OP_BEGIN + OP_OK + op_advance(INT64_MAX))
    w('retry-after-text', infonet,
      OP_BEGIN + op_fail(429, 0, b'Fri, 31 Dec 1999 23:59:59 GMT', how=1) +
      OP_BEGIN + op_fail(429, 0, b'120', how=1) + OP_BEGIN + op_fail(429, 0, b'-5', how=1))
    w('raw-unterminated-body', infonet, OP_BEGIN + op_fail(418, -7, b'\xff' * 128, how=3))
    w('no-error-record', infonet, OP_BEGIN + op_fail(how=0) + OP_BEGIN + op_fail(how=0))
    w('binary-body', infonet, OP_BEGIN + op_fail(500, 1, bytes(range(256)) + b'tail'))
    w('zero-everything', sync_config(0, 0, 0, 0.0), (OP_BEGIN + op_fail(0, 0, b'')) * 3 + OP_BEGIN + OP_OK)
    w('probes', infonet,
      op_probe(60 * S, 1, 0, 1800 * S) + op_probe(60 * S, 31, 0, DURATION_MAX) +
      op_probe(DURATION_MAX, (1 << 32) - 1, DURATION_MAX, DURATION_MAX) + op_probe(1, 0, -1, 0) +
      op_probe(INT64_MIN, 5, INT64_MIN, INT64_MIN) + op_probe(INT64_MAX, 40, 5, 1))
    w('invalid-negative-interval', sync_config(-1, S, S, 0.0), b'')
    w('invalid-nan-jitter', sync_config(S, S, S, float('nan')), b'')
    w('invalid-cap', sync_config(S, S, DURATION_MAX + 1, 0.0), b'')
    w('invalid-jitter-above-1', sync_config(S, S, S, 1.0000001), b'')


# ---- notifier: table size, initial status, start time, operations ----------

HC = {'none': 0, 'serving': 1, 'not_serving': 2, 'unknown': 3, 'goaway': 4, 'bad': 5, 'neg': -1}


def hc(name):
    return u8(HC[name] + 1)          # pick_code: (byte % 7) - 1


class N:
    """Operations of fuzz/notifier.c, by name."""
    watch = staticmethod(lambda cookie=0: u8(0) + u64(cookie))
    unwatch = staticmethod(lambda i: u8(1) + u8(i))            # i-th issued handle
    unwatch_garbage = staticmethod(lambda idx, gen: u8(1) + u8(0xff) + u8(idx) + u32(gen))
    publish = staticmethod(lambda code: u8(2) + hc(code))
    resume = staticmethod(lambda code: u8(3) + hc(code))
    take = staticmethod(lambda i: u8(4) + u8(i))
    take_garbage = staticmethod(lambda idx, gen: u8(4) + u8(0xff) + u8(idx) + u32(gen))
    next_ready = u8(5)
    advance = staticmethod(lambda dt: u8(7) + edgy_exact(dt, 0, DURATION_MAX))

    @staticmethod
    def deliver(budget, callbacks):
        """callbacks: list of (actions bytes list, accept bool)."""
        out = u8(6) + u8(budget)
        for actions, accept in callbacks:
            out += u8(len(actions)) + b''.join(actions) + u8(1 if accept else 0)
        return out

    # callback actions
    cb_unwatch_self = u8(0)
    cb_unwatch = staticmethod(lambda i: u8(1) + u8(i))
    cb_watch = staticmethod(lambda cookie=0: u8(2) + u64(cookie))
    cb_take_self = u8(3)
    cb_take = staticmethod(lambda i: u8(4) + u8(i))
    cb_publish = staticmethod(lambda code, resume=False: u8(5) + u8(1 if resume else 0) + hc(code))
    cb_nested_deliver = u8(6)


def notifier(cap, initial, ops, faults=b''):
    """faults: b'' for none, else the bytes deciding each allocation (< 128 fails)."""
    head = u8(cap) + u8(HC[initial]) + (u8(0) + faults if faults else u8(0xff))
    return head + edgy_edge('lo') + ops


def seeds_notifier():
    w = lambda name, data: write('notifier', name, data)
    three = N.watch(1) + N.watch(2) + N.watch(3)
    w('basic-fanout', notifier(4, 'unknown', three + N.deliver(5, [([], True)] * 3) + N.publish('serving') +
                               N.take(0) + N.next_ready + N.deliver(5, [([], True)])))
    w('goaway-sticky-across-resume', notifier(4, 'serving', N.watch(1) + N.watch(2) + N.take(0) +
                                              N.publish('not_serving') + N.publish('goaway') +
                                              N.publish('serving') + N.watch(3) + N.resume('serving') +
                                              N.take(0) + N.take(0) + N.take(1) + N.take(2)))
    w('goaway-replaces-pending', notifier(2, 'serving', N.watch(1) + N.publish('not_serving') +
                                          N.publish('goaway') + N.take(0) + N.take(0)))
    w('leave-inside-own-callback', notifier(4, 'unknown', three + N.publish('serving') +
                                            N.deliver(5, [([N.cb_unwatch_self], True),
                                                          ([N.cb_unwatch(2), N.cb_watch(9)], True),
                                                          ([], False), ([], True)])))
    w('take-inside-callback', notifier(3, 'unknown', three + N.deliver(3, [([N.cb_take_self], True),
                                                                           ([N.cb_take(0)], False),
                                                                           ([N.cb_take_self, N.cb_take_self],
                                                                            True)])))
    w('reentrant-refused', notifier(2, 'unknown', N.watch(1) + N.deliver(1, [([N.cb_publish('serving'),
                                                                               N.cb_publish('serving', True),
                                                                               N.cb_nested_deliver], True)])))
    w('stale-handles', notifier(2, 'unknown', N.watch(1) + N.unwatch(0) + N.take(0) + N.unwatch(0) +
                                N.watch(2) + N.take(0) + N.take(1) + N.take_garbage(1, 7) +
                                N.unwatch_garbage(5, 1)))
    w('table-full', notifier(1, 'unknown', N.watch(1) + N.watch(2) + N.watch(3) + N.unwatch(0) + N.watch(4)))
    w('busy-coalescing', notifier(2, 'unknown', N.watch(1) + N.deliver(1, [([], False)]) +
                                  N.publish('serving') + N.publish('not_serving') + N.publish('unknown') +
                                  N.next_ready + N.advance(5 * S) + N.take(0) + N.take(0)))
    w('invalid-codes', notifier(2, 'unknown', N.watch(1) + N.publish('none') + N.publish('bad') +
                                N.publish('neg') + N.resume('serving') + N.publish('goaway') +
                                N.resume('goaway') + N.resume('none')))
    w('invalid-zero-capacity', notifier(0, 'unknown', b''))
    w('invalid-initial-goaway', notifier(4, 'goaway', b''))
    w('invalid-initial-none', notifier(4, 'none', b''))
    for k in range(4):  # fail the k-th allocation of create
        w('alloc-fails-%d' % k, notifier(4, 'unknown', b'', faults=u8(200) * k + u8(0)))


# ---- fence: table sizes, retention, start time, operations -----------------

R = 600 * S  # tombstone retention used by the seeds


class F:
    """Operations of fuzz/fence.c, by name (keys: 0..7 named, or raw bytes)."""
    @staticmethod
    def key(k):
        return u8(k) if isinstance(k, int) else u8(0xff) + u8(len(k)) + k

    @staticmethod
    def prepare(k, rev, age, r=R):
        return u8(0) + F.key(k) + edgy_exact(rev, INT64_MIN, INT64_MAX) + edgy_exact(age, -2, 2 * r + 2)

    @staticmethod
    def _ticket_op(op, i, found=True, rev=None):
        out = u8(op) + u8(i) + u8(200 if found else 0)
        return out + (u8(250) + edgy_exact(rev, INT64_MIN, INT64_MAX) if rev is not None else u8(0))

    check = staticmethod(lambda i: F._ticket_op(1, i))
    commit = staticmethod(lambda i, found=True, rev=None: F._ticket_op(2, i, found, rev))
    abort = staticmethod(lambda i: F._ticket_op(3, i))
    garbage_commit = staticmethod(lambda slot, gen, serial: u8(2) + u8(0xff) + u8(slot) + u8(gen) + u8(serial) +
                                  u8(200) + u8(0))
    delete = staticmethod(lambda k: u8(4) + F.key(k))

    @staticmethod
    def write(k, rev, age, how=100, r=R):
        """how: < 16 hook error, < 48 missing, >= 224 other revision, else the same revision."""
        return u8(5) + F.key(k) + edgy_exact(rev, INT64_MIN, INT64_MAX) + edgy_exact(age, -2, 2 * r + 2) + u8(how)

    tick = u8(6)
    advance = staticmethod(lambda dt, r=R: u8(7) + edgy_exact(dt, 0, 3 * r))


def fence(keys, tombs, ops, retention=R, now=1000 * S, faults=b''):
    """faults: b'' for none, else the bytes deciding each allocation (< 128 fails)."""
    return (u8(keys) + u8(tombs) + edgy_exact(retention, -1, DURATION_MAX + 1) +
            (u8(0) + faults if faults else u8(0xff)) + edgy_exact(now, 0, INT64_MAX // 4) + ops)


def seeds_fence():
    w = lambda name, data: write('fence', name, data)
    w('scale-in-race', fence(8, 4, F.advance(10 * S) + F.delete(0) + F.prepare(0, 5, 20 * S) +
                             F.commit(0, True, 5)))
    w('recreated-with-revision-zero', fence(8, 4, F.delete(1) + F.advance(S) +
                                            F.write(1, 0, 2 * S) + F.write(1, 0, 0) + F.write(1, 9, 0, how=230)))
    w('apply-happy-path', fence(8, 4, F.prepare(2, 7, S) + F.check(0) + F.commit(0)))
    w('stale-revision', fence(8, 4, F.prepare(2, 7, S) + F.commit(0, True, 8)))
    w('missing-record', fence(8, 4, F.prepare(2, 7, S) + F.commit(0, False)))
    w('too-old', fence(8, 4, F.prepare(3, 1, R + 1) + F.commit(0) + F.prepare(3, 1, R) + F.commit(1)))
    w('eviction-horizon', fence(2, 1, F.delete(0) + F.advance(S) + F.delete(1) + F.advance(S) +
                                F.prepare(0, 1, 3 * S) + F.commit(0) + F.prepare(2, 1, 3 * S) + F.commit(1)))
    w('full-table', fence(1, 1, F.prepare(0, 1, 0) + F.delete(1) + F.prepare(2, 1, 0) + F.commit(0) +
                          F.prepare(2, 1, 0) + F.commit(1)))
    w('contended', fence(4, 2, F.prepare(0, 1, 0) + F.prepare(0, 2, 0) + F.write(0, 1, 0) + F.abort(0) +
                         F.write(0, 1, 0)))
    w('stale-tickets', fence(4, 2, F.prepare(0, 1, 0) + F.commit(0) + F.commit(0) + F.abort(0) +
                             F.check(0) + F.garbage_commit(0, 1, 1) + F.garbage_commit(3, 0, 0)))
    w('reread-error', fence(4, 2, F.write(0, 1, 0, how=3) + F.prepare(0, 1, 0) + F.commit(0)))
    w('invalid-inputs', fence(4, 2, F.prepare(0, 1, -1) + F.prepare(b'', 1, 0) + F.prepare(b'k' * 65, 1, 0) +
                              F.delete(b'') + F.write(b'x' * 65, 1, 0) + F.prepare(b'k' * 64, 1, 0)))
    w('tombstone-expiry', fence(4, 2, F.delete(0) + F.advance(2 * R) + F.tick + F.prepare(0, 1, R - S) +
                                F.commit(0)))
    w('repeated-delete-refreshes', fence(4, 2, F.delete(0) + F.advance(10 * S) + F.delete(0) +
                                         F.prepare(0, 1, 5 * S) + F.commit(0)))
    w('delete-while-held', fence(4, 2, F.prepare(0, 1, S) + F.delete(0) + F.commit(0) + F.prepare(0, 1, 0) +
                                 F.advance(S) + F.commit(1)))
    w('invalid-zero-keys', fence(0, 1, b''))
    w('invalid-zero-tombstones', fence(4, 0, b''))
    w('invalid-tombstones-above-keys', fence(2, 3, b''))
    w('invalid-zero-retention', fence(4, 2, b'', retention=0))
    w('invalid-retention-too-long', fence(4, 2, b'', retention=DURATION_MAX + 1))
    for k in range(4):  # fail the k-th allocation of create
        w('alloc-fails-%d' % k, fence(4, 2, b'', faults=u8(200) * k + u8(0)))
    w('alloc-survives', fence(4, 2, F.prepare(0, 1, 0) + F.commit(0), faults=u8(200) * 8))


# ---- bcast: faults, configuration, start time, events ------------------------

def bcast_config(worker=1, epoch=1, reconnect=True, policy='equal', base_ms=100, max_mult=10, retries=0,
                 connect_timeout_ms=2000, items=4, bytes_max=200, payload_max=60, resync=True, settle_ms=500,
                 settle_jitter_ms=0, window_ms=2000, cooldown_ms=10000, on_echo=False, watchdog_s=0,
                 healthcheck=True, clients=4, peers=3, faults=None):
    out = u8(0 if faults is not None else 0xff)
    out += u8(worker) + u8(epoch - 1) + u64(7) + u8(0 if reconnect else 0xff)
    out += u8(POLICIES.index(policy)) + u8(base_ms - 1) + u8(max_mult - 1) + u8(retries)
    out += u8(connect_timeout_ms // 100) + u8(items) + u8(bytes_max // 2) + u8(payload_max - 1)
    out += u8(1 if resync else 0) + u8(settle_ms // 500) + u8(settle_jitter_ms // 500)
    out += u8(window_ms // 1000) + u8(cooldown_ms // 5000) + u8(1 if on_echo else 0)
    out += u8(1 if watchdog_s == 0 else 4 * (watchdog_s - 1))  # w % 4 == 0 -> on for (w/4 % 10) + 1 s
    out += u8(0 if healthcheck else 0xff) + u8(clients - 1) + u8(peers - 1) + u8(0)
    out += edgy_exact(1000 * S, 0, INT64_MAX // 4)
    return out


class B:
    """Events of fuzz/bcast.c, by name."""
    register = staticmethod(lambda cookie=1: u8(0) + u64(cookie))
    unregister = staticmethod(lambda i: u8(1) + u8(i) + u8(0) + u8(0))
    unregister_garbage = staticmethod(lambda idx, gen: u8(1) + u8(0xff) + u8(idx) + u8(gen))
    pin = u8(2)
    unpin = u8(3)
    connected = u8(4) + u8(0)
    connect_failed = u8(4) + u8(1)
    subscribed = u8(4) + u8(2)
    subscribe_failed = u8(4) + u8(3)
    dropped = u8(4) + u8(4)

    @staticmethod
    def message(origin, seq_mode='next', kind='data', epoch=None, jump=0, after_loss=False):
        k = {'data': 0, 'heartbeat': 5, 'goodbye': 7, 'bad': 8}[kind]
        out = u8(6) + u8(origin) + u8(k) + (u8(0x10) if kind == 'bad' else b'')
        out += u8(0) if epoch is None else u8(250) + u8(epoch - 1)
        out += {'next': u8(0), 'same': u8(2), 'jump': u8(3) + u8(jump), 'one': u8(4)}[seq_mode]
        if kind == 'data':
            out += u8(0 if after_loss else 255)
        return out + u8(16)

    goodbye = u8(12)

    publish = staticmethod(lambda body=b'update': u8(7) + u8(len(body)) + body)
    send_result = staticmethod(lambda i=0, ok=True: u8(8) + u8(i) + u8(200 if ok else 0))
    replay_result = staticmethod(lambda ok=True: u8(8) + u8(200) + u8(200 if ok else 0))
    timer = u8(9) + u8(0)                      # to the next deadline
    advance = staticmethod(lambda dt: u8(9) + u8(1) + edgy_exact(dt, 0, 60 * S))
    late = staticmethod(lambda dt: u8(9) + u8(3) + edgy_exact(dt, 0, 5 * S))


def seeds_bcast():
    w = lambda name, cfg, ops: write('bcast', name, cfg + ops)
    up = B.register(1) + B.connected + B.subscribed
    w('steady-state', bcast_config(), up + B.message(2) + B.message(2) + B.publish() + B.send_result() +
      B.register(2) + B.unregister(0) + B.unregister(1))
    # the 20 s blip: drop, reconnect, gap -> settle, replay, resync with staggered closes
    blip = (up + B.register(2) + B.register(3) + B.message(2) + B.dropped + B.publish(b'during') +
            B.advance(20 * S) + B.connected + B.subscribed + B.timer + B.replay_result() +
            B.register(4) + B.timer + B.timer + B.timer + B.advance(5 * S))
    w('backbone-blip-resync', bcast_config(), blip)
    w('blip-then-cooldown', bcast_config(cooldown_ms=35000),
      blip + B.dropped + B.timer + B.connected + B.subscribed + B.message(2) + B.timer + B.timer + B.timer)
    w('sequence-and-epoch-gaps', bcast_config(peers=2),
      up + B.message(2) + B.message(2, 'jump', jump=3) + B.message(3) + B.message(4) + B.message(2) +
      B.message(2, 'one', epoch=3) + B.message(3, 'jump', epoch=2, jump=2) + B.message(0, kind='heartbeat') +
      B.message(2, kind='bad') + B.timer + B.timer)
    w('on-echo-own-messages', bcast_config(on_echo=True), up + B.publish() + B.send_result() +
      B.message(1) + B.message(1, 'same') + B.message(1, 'jump', jump=2))
    w('give-up-after-retries', bcast_config(retries=2), B.register(1) + (B.connect_failed + B.timer) * 4)
    w('reconnect-disabled', bcast_config(reconnect=False), up + B.message(2) + B.dropped + B.timer)
    w('connect-then-drop-loop', bcast_config(retries=3), B.register(1) + (B.connected + B.dropped + B.timer) * 5)
    w('connect-timeout', bcast_config(connect_timeout_ms=500), B.register(1) + B.advance(S) + B.timer +
      B.connected + B.advance(S) + B.timer + B.timer)
    w('watchdog-deaf', bcast_config(watchdog_s=1), up + B.message(2) + B.advance(500 * 1000000) + B.timer +
      B.advance(2 * S) + B.timer + B.timer + B.connected + B.subscribed)
    w('replay-overflow', bcast_config(items=2, bytes_max=60, payload_max=40), B.register(1) +
      B.publish(b'a' * 10) + B.publish(b'b' * 10) + B.publish(b'c' * 10) + B.publish(b'd' * 30) +
      B.connected + B.subscribed + B.timer + B.replay_result(False) + B.timer + B.replay_result() + B.timer +
      B.replay_result() + B.timer)
    w('poison-and-disabled-buffer', bcast_config(items=0, payload_max=8), up + B.publish(b'x' * 20) +
      B.publish(b'ok') + B.send_result(0, False) + B.dropped + B.publish(b'lost'))
    w('send-failures-out-of-order', bcast_config(), up + B.publish(b'1') + B.publish(b'2') + B.publish(b'3') +
      B.send_result(1, False) + B.send_result(0, True) + B.send_result(0, False) + B.timer + B.replay_result() +
      B.timer + B.replay_result() + B.timer)
    w('registry-full-and-stale', bcast_config(clients=2), B.register(1) + B.register(2) + B.register(3) +
      B.unregister(0) + B.unregister(0) + B.unregister_garbage(7, 3) + B.register(4) + B.unpin + B.pin + B.unpin)
    w('hostile-backbone-events', bcast_config(), B.connected + B.subscribed + B.dropped + B.register(1) +
      B.subscribed + B.connected + B.connected + B.subscribe_failed + B.timer + B.replay_result())
    w('listeners-to-zero-mid-recovery', bcast_config(), blip[:-20] + B.unregister(0) + B.unregister(1) +
      B.unregister(2) + B.timer + B.timer)
    w('late-timers-and-jumps', bcast_config(watchdog_s=2), up + B.late(4 * S) + B.message(2) + B.late(3 * S) +
      B.advance(60 * S) + B.timer)
    w('healthcheck-off', bcast_config(healthcheck=False, retries=1), B.register(1) + B.connect_failed +
      B.timer + B.connect_failed + B.timer)
    w('peer-goodbye-and-restart', bcast_config(), up + B.message(2) + B.message(2) +
      B.message(2, 'same', kind='goodbye') + B.message(2, 'one', epoch=2) + B.message(3) +
      B.message(3, 'one', epoch=3, after_loss=True) + B.timer + B.timer)
    w('own-goodbye', bcast_config(), up + B.publish() + B.send_result() + B.dropped + B.publish(b'late') +
      B.goodbye)
    w('startup-race-refetch', bcast_config(), B.register(1) + B.register(2) + B.connected + B.subscribed +
      B.message(2, after_loss=True) + B.timer)
    w('alloc-faults', bcast_config(faults=True), u8(200) * 5 + up + B.dropped + B.publish(b'p') +
      B.publish(b'q') + B.timer + B.connected + B.subscribed)


# ---- bcast_header: the 32-byte wire header ---------------------------------

def wire_header(origin=1, kind=1, epoch=1, seq=1, magic=b'SGB1', pad=b'\0\0\0', reserved=b'\0' * 4):
    """pad: the flags byte and two zero bytes after the kind."""
    return (magic + struct.pack('>I', origin) + u8(kind) + pad + struct.pack('>Q', epoch) +
            struct.pack('>Q', seq) + reserved)


def seeds_bcast_header():
    w = lambda name, data: write('bcast_header', name, u8(0) + data)
    w('data', wire_header())
    w('heartbeat', wire_header(kind=2, seq=77))
    w('max-fields', wire_header(origin=0xffffffff, epoch=(1 << 64) - 1, seq=(1 << 64) - 1))
    w('trailing-payload', wire_header() + b'{"topic":"x"}')
    w('short', wire_header()[:31])
    w('empty', b'')
    w('bad-magic', wire_header(magic=b'SGB2'))
    w('bad-kind', wire_header(kind=3))
    w('kind-zero', wire_header(kind=0))
    w('padding-set', wire_header(pad=b'\0\1\0'))
    w('goodbye', wire_header(kind=3, seq=41))
    w('after-loss-flag', wire_header(pad=b'\1\0\0', seq=7))
    w('unknown-flag', wire_header(pad=b'\x80\0\0'))
    w('reserved-set', wire_header(reserved=b'\0\0\0\x80'))
    write('bcast_header', 'fields-round-trip', u8(0xf5) + u32(7) + u8(0) + u64(3) + u64(99) + u8(1))


# ---- http_request: limits, split points, the byte stream --------------------

def http_stream(stream, header_max=1024, body_max=256, cuts=()):
    out = u16(header_max - 16) + u16(body_max) + u8(len(cuts))
    for c in cuts:
        out += u16(c)
    return out + stream


def seeds_http_request():
    w = lambda name, data: write('http_request', name, data)
    get = b'GET /healthcheck?verbose=1 HTTP/1.1\r\nHost: a\r\n\r\n'
    post = (b'POST /publish HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer s3cret\r\n'
            b'Content-Type: application/json\r\nContent-Length: 27\r\n\r\n{"topic":"t","data":{"a":1}}')
    upgrade = (b'GET /ws HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n'
               b'Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
               b'Sec-WebSocket-Version: 13\r\n\r\n')
    w('get', http_stream(get, cuts=(1, 5, 20)))
    w('post-with-body', http_stream(post, cuts=(60, 61, len(post) - 3)))
    w('websocket-upgrade-rfc6455', http_stream(upgrade + b'\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58',
                                               cuts=(30,)))
    w('pipelined', http_stream(get + post + get, cuts=(len(get), len(get) + 10)))
    w('chunked-body', http_stream(b'POST /publish HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'
                                  b'5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', cuts=(50, 60, 70)))
    w('headers-too-large-431', http_stream(get + b'X-Pad: ' + b'p' * 200 + b'\r\n\r\n', header_max=64))
    w('body-too-large-413', http_stream(b'POST /publish HTTP/1.1\r\nContent-Length: 300\r\n\r\n' + b'x' * 300,
                                        body_max=100))
    w('chunked-too-large-413', http_stream(b'POST /publish HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'
                                           b'80\r\n' + b'y' * 128 + b'\r\n0\r\n\r\n', body_max=64))
    w('target-too-long-414', http_stream(b'GET /' + b'a' * 1100 + b' HTTP/1.1\r\n\r\n', header_max=4000))
    w('malformed-400', http_stream(b'GARBAGE\r\n\r\n'))
    w('bad-version-400', http_stream(b'GET / HTTP/9.9\r\n\r\n'))
    w('value-overflow', http_stream(b'GET / HTTP/1.1\r\nAuthorization: Bearer ' + b't' * 400 + b'\r\n\r\n',
                                    header_max=2000))
    w('long-field-name', http_stream(b'GET / HTTP/1.1\r\n' + b'X' * 100 + b': v\r\nUpgrade: websocket\r\n\r\n'))
    w('http10-close', http_stream(b'GET /metrics HTTP/1.0\r\n\r\n'))
    w('upgrade-with-body', http_stream(b'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n'
                                       b'Content-Length: 3\r\n\r\nabc'))
    w('empty', http_stream(b''))


# ---- ws_session: limits, then operations ----------------------------------

class W:
    """Operations of fuzz/ws_session.c, by name."""
    @staticmethod
    def frame(payload, opcode=1, shape=None, key=0x37fa213d):
        if shape is None:
            shape = {1: 4, 2: 1, 9: 2}[opcode] if opcode in (1, 2, 9) else 3
        out = u8(1) + u8(shape)
        if shape % 4 == 3:
            out += u8(opcode)
        return out + u32(key) + u16(len(payload)) + payload

    raw = staticmethod(lambda b: u8(0) + u16(len(b)) + b)
    queue = staticmethod(lambda text: u8(3) + u16(len(text)) + bytes(c - 0x20 for c in text))
    ping = u8(4)
    close = staticmethod(lambda which=0, reason=b'': u8(5) + u8(which) + u8(len(reason)) +
                         bytes(c - 0x20 for c in reason))
    flush = staticmethod(lambda *writes: u8(6) + b''.join(u8(x) for x in writes))
    rfc_key = u8(7) + u8(1)
    key = staticmethod(lambda k: u8(7) + u8(0) + u8(len(k)) + k)


def ws(ops, msg_max=256, queue_bytes=1024, queue_msgs=8):
    return u16(msg_max - 1) + u16(queue_bytes) + u8(queue_msgs) + ops


def seeds_ws_session():
    w = lambda name, data: write('ws_session', name, data)
    w('rfc6455-hello', ws(W.frame(b'Hello')))
    w('subscribe-and-updates', ws(W.frame(b'{"op":"subscribe","topic":"policy"}') +
                                  W.queue(b'{"topic":"policy","state":{"v":1}}') +
                                  W.queue(b'{"topic":"policy","update":{"v":2}}') + W.flush(200, 60, 255)))
    w('invalid-utf8-1007', ws(W.frame(b'ok') + W.frame(b'\xc3\x28') + W.frame(b'after')))
    w('overlong-and-surrogate', ws(W.frame(b'\xc0\xaf') + W.frame(b'\xed\xa0\x80')))
    w('binary-1003', ws(W.frame(b'\x00\x01', opcode=2)))
    w('too-big-1009', ws(W.frame(b'x' * 200), msg_max=100))
    w('ping', ws(W.frame(b'p', opcode=9) + W.ping + W.flush(255)))
    w('queue-bounds', ws(W.queue(b'a' * 100) + W.queue(b'b' * 100) + W.queue(b'c' * 100), queue_bytes=250,
                         queue_msgs=2))
    w('partial-writes', ws(W.queue(b'0123456789' * 5) + W.flush(50) + W.flush(30) + W.flush(0x7f) + W.flush(255)))
    w('transport-dies', ws(W.queue(b'hello') + W.flush(3) + W.queue(b'again') + W.frame(b'x')))
    w('server-close', ws(W.queue(b'bye') + W.close(1, b'going away') + W.queue(b'late') + W.frame(b'x')))
    w('client-close', ws(W.frame(b'\x03\xe8bye', opcode=8, shape=3) + W.queue(b'x')))
    w('unmasked-client-frame', ws(W.frame(b'Hello', shape=0x55)))
    w('reserved-bit', ws(W.frame(b'Hello', shape=0x77)))
    w('non-minimal-length', ws(W.frame(b'Hello', shape=0x66) + W.frame(b'Hi', shape=0x99)))
    w('fragmented', ws(W.frame(b'Hel', shape=0xf0) + W.frame(b'lo', opcode=0, shape=3)))
    w('raw-garbage', ws(W.raw(b'\xff' * 20)))
    w('handshake-keys', ws(W.rfc_key + W.key(b'dGhlIHNhbXBsZSBub25jZQ==') + W.key(b'not-base64!!!!!!!!!!!!==') +
                           W.key(b'short')))


# ---- server_wire: mode, then bytes ----------------------------------------

def seeds_server_wire():
    w = lambda name, data: write('server_wire', name, data)
    body = lambda topic, payload: u16be(len(topic)) + topic + payload
    w('body', u8(0) + body(b'policy/opa', b'{"rev":7}'))
    w('body-empty-payload', u8(0) + body(b't', b''))
    w('body-topic-past-end', u8(0) + u16be(50) + b'short')
    w('body-bad-topic', u8(0) + body(b'sp ace', b'{}'))
    w('body-empty-topic', u8(0) + body(b'', b'{}'))
    w('body-longest-topic', u8(0) + body(b't' * 200, b'x'))
    w('body-topic-too-long', u8(0) + body(b't' * 201, b'x'))
    w('body-one-byte', u8(0) + b'\x00')
    w('message-data', u8(1) + wire_header(seq=5) + body(b'policy', b'{"a":1}'))
    w('message-heartbeat', u8(1) + wire_header(kind=2) + b'ignored')
    w('message-bad-header', u8(1) + wire_header(magic=b'XXXX') + body(b'policy', b'{}'))
    w('message-short', u8(1) + wire_header()[:20])
    w('encode', u8(2) + u8(9) + b'topic:a.b' + b'{"x":[1,2,3]}')
    w('encode-bad-topic', u8(2) + u8(3) + b'a b' + b'{}')


# ---- server_settings: environment, then arguments ---------------------------

SETTINGS = ['BIND', 'PORT', 'BACKBONE', 'LOG_LEVEL', 'PUBLISH_TOKEN', 'MAX_CONNECTIONS', 'MAX_SOCKETS',
            'MAX_HEADER_BYTES', 'MAX_BODY_BYTES', 'MAX_MESSAGE_BYTES', 'SEND_QUEUE_BYTES', 'SEND_QUEUE_MESSAGES',
            'MAX_TOPICS', 'MAX_STATE_BYTES', 'MAX_SUBSCRIPTIONS', 'REQUEST_TIMEOUT', 'IDLE_TIMEOUT',
            'SHUTDOWN_TIMEOUT', 'SHUTDOWN_CLOSE_WINDOW', 'WORKER_ID', 'SEED', 'RECONNECT_ENABLED',
            'RECONNECT_MAX_RETRIES', 'BACKOFF_POLICY', 'BACKOFF_MIN_SECONDS', 'BACKOFF_MAX_SECONDS',
            'CONNECT_TIMEOUT_SECONDS', 'REPLAY_BUFFER_SIZE', 'REPLAY_BUFFER_BYTES', 'BACKBONE_PAYLOAD_MAX',
            'RESYNC_ON_RECONNECT', 'RESYNC_SETTLE_SECONDS', 'RESYNC_SETTLE_JITTER_SECONDS', 'RESYNC_WINDOW',
            'RESYNC_COOLDOWN', 'DELIVERY', 'WATCHDOG', 'HEARTBEAT', 'HEALTHCHECK_ENABLED', 'PEERS_MAX']


def setting(name, value=b'', how='eq'):
    """how: eq (--flag=value), sep (--flag value), bare (--flag), text (value as is), help."""
    h = {'eq': 0, 'sep': 2, 'bare': 3, 'text': 4, 'help': 5}[how]
    return u8(h) + u8(SETTINGS.index(name)) + u8(len(value)) + value


def settings(args=(), env=()):
    return u8(len(env)) + b''.join(env) + b''.join(args)


def seeds_server_settings():
    w = lambda name, data: write('server_settings', name, data)
    w('defaults', settings())
    w('listen', settings([setting('BIND', b'127.0.0.1'), setting('PORT', b'8080', 'sep')]))
    w('env-then-flag-overrides', settings([setting('RECONNECT_MAX_RETRIES', b'3')],
                                          [setting('RECONNECT_MAX_RETRIES', b'5'), setting('WATCHDOG', b'30s')]))
    w('port-out-of-range', settings([setting('PORT', b'70000')]))
    w('cross-field-queue', settings([setting('MAX_BODY_BYTES', b'64MiB'), setting('SEND_QUEUE_BYTES', b'1KiB')]))
    w('help', settings([setting('PORT', b'1'), setting('BIND', how='help')]))
    w('unknown-env', settings(env=[setting('BIND', how='help')]))
    w('positional', settings([setting('BIND', b'oops', 'text')]))
    w('bare-bools', settings([setting('RECONNECT_ENABLED', how='bare'), setting('RESYNC_ON_RECONNECT', b'false')]))
    w('durations', settings([setting('RESYNC_COOLDOWN', b'90'), setting('IDLE_TIMEOUT', b'1.5s'),
                             setting('REQUEST_TIMEOUT', b'250ms'), setting('BACKOFF_MAX_SECONDS', b'2m')]))
    w('bad-duration', settings([setting('IDLE_TIMEOUT', b'forever')]))
    w('policies', settings([setting('BACKOFF_POLICY', b'grpc'), setting('DELIVERY', b'on-echo'),
                            setting('LOG_LEVEL', b'debug')]))
    w('secret-token', settings([setting('PUBLISH_TOKEN', b's3cret')]))
    w('core-check-fails', settings([setting('BACKOFF_MIN_SECONDS', b'10s'), setting('BACKOFF_MAX_SECONDS', b'1s')]))
    w('byte-sizes', settings([setting('MAX_STATE_BYTES', b'64GiB'), setting('REPLAY_BUFFER_BYTES', b'4096'),
                              setting('BACKBONE_PAYLOAD_MAX', b'7999')]))


# ---- sim_faults: run seed, world, faults ------------------------------------

FAULT_KINDS = ['backbone-down', 'flap', 'latency', 'partition', 'connect-drop', 'half-open', 'subscriber-kill',
               'slow-subscriber', 'slow-clients', 'worker-crash', 'fiu', 'upstream-burst', 'send-fail',
               'clients-leave', 'graceful-restart']
WORKER_KINDS = {'partition', 'subscriber-kill', 'slow-subscriber', 'slow-clients', 'worker-crash', 'graceful-restart'}
BACKBONES = ['ideal', 'redis', 'postgres', 'kafka']


def below(v, bound):
    return v.to_bytes(below_bytes(bound), 'little')


def sim_span(v_ns, lo, hi, step):
    return below((v_ns - lo) // step, (hi - lo) // step + 1)


def sim_fault(kind, at_s, duration_s=5, target=0, half_open_target=False, **kw):
    MS_ = 1000000
    out = below(FAULT_KINDS.index(kind), len(FAULT_KINDS))
    out += sim_span(int(at_s * S), 10 * S, 50 * S, 100 * MS_)
    if kind in WORKER_KINDS:
        out += u8(target)
    elif kind == 'half-open':
        out += u8(1 if half_open_target else 0) + (u8(target) if half_open_target else b'')
    out += sim_span(int(duration_s * S), S, 30 * S, 100 * MS_)
    if kind == 'flap':
        out += u8(kw.get('count', 3) - 1) + sim_span(kw.get('down', 2 * S), 500 * MS_, 5 * S, 100 * MS_)
        out += sim_span(kw.get('up', 2 * S), 500 * MS_, 5 * S, 100 * MS_)
    elif kind == 'latency':
        out += sim_span(kw.get('down', S), 100 * MS_, 3 * S, 100 * MS_) + sim_span(0, 0, 500 * MS_, 100 * MS_)
    elif kind == 'connect-drop':
        out += sim_span(100 * MS_, 50 * MS_, 500 * MS_, 50 * MS_)
    elif kind == 'slow-subscriber':
        out += u8(9)
    elif kind == 'slow-clients':
        out += u8(4)
    elif kind == 'fiu':
        out += u8(kw.get('point', 1)) + u8(kw.get('tenths', 5) - 1)
    elif kind in ('send-fail', 'clients-leave'):
        out += u8(kw.get('tenths', 5) - 1) + u8(0 if kw.get('all', True) else 1) + (b'' if kw.get('all', True) else u8(target))
    return out


def sim_world(faults=(), workers=2, clients=4, backbone='redis', rate_halves=2, watchdog=False, seed=1):
    out = u64(seed) + u8(workers - 1) + u8(clients - 1) + u8(BACKBONES.index(backbone)) + u8(rate_halves - 1)
    out += u8(1 if watchdog else 0) + u8(len(faults))
    return out + b''.join(faults)


def seeds_sim_faults():
    w = lambda name, data: write('sim_faults', name, data)
    w('calm', sim_world())
    w('opal-storm-20s-outage', sim_world([sim_fault('backbone-down', 30, 20)], workers=3, clients=6))
    w('flapping-postgres', sim_world([sim_fault('flap', 20, count=5)], backbone='postgres'))
    w('kafka-latency', sim_world([sim_fault('latency', 15, 10, down=2 * S)], backbone='kafka'))
    w('partition-one-worker', sim_world([sim_fault('partition', 20, 15, target=1)]))
    w('connect-then-drop', sim_world([sim_fault('connect-drop', 12, 20)]))
    w('half-open-with-watchdog', sim_world([sim_fault('half-open', 20, 10, target=0, half_open_target=True)]))
    w('redis-kills-slow-subscriber', sim_world([sim_fault('subscriber-kill', 25, 1, target=0),
                                                sim_fault('slow-subscriber', 30, 10, target=1)]))
    w('slow-clients-evicted', sim_world([sim_fault('slow-clients', 20, 5, target=0)], clients=6))
    w('worker-crash', sim_world([sim_fault('worker-crash', 20, 1, target=1)], workers=3))
    w('replay-alloc-fails', sim_world([sim_fault('backbone-down', 15, 10), sim_fault('fiu', 16, 20, point=1)]))
    w('send-failures', sim_world([sim_fault('send-fail', 20, 10, tenths=5)], rate_halves=8))
    w('clients-leave-and-return', sim_world([sim_fault('clients-leave', 20, 5, tenths=10)]))
    w('rolling-restart-during-outage', sim_world([sim_fault('backbone-down', 12, 10),
                                                  sim_fault('graceful-restart', 15, 1, target=0),
                                                  sim_fault('graceful-restart', 30, 1, target=1)], rate_halves=6))
    w('everything-at-once', sim_world([sim_fault('backbone-down', 12, 5), sim_fault('flap', 20, count=2),
                                       sim_fault('worker-crash', 25, 1, target=0),
                                       sim_fault('send-fail', 30, 5), sim_fault('latency', 40, 5)],
                                      workers=3, clients=6, watchdog=True))


# ---- storm_parse: include files, then the main file -------------------------

def storm_input(path):
    """The storm file at path with its includes served as inc0..inc3.storm."""
    import re
    slots = []

    def rewrite(text, base):
        out = []
        for line in text.split(b'\n'):
            m = re.match(rb'^(\s*)include\s+(\S+)(.*)$', line)
            if m:
                target = os.path.normpath(os.path.join(base, m.group(2).decode()))
                if target not in [t for t, _ in slots]:
                    slots.append((target, None))
                    k = len(slots) - 1
                    body = rewrite(open(target, 'rb').read(), os.path.dirname(target))
                    slots[k] = (target, body)
                k = [t for t, _ in slots].index(target)
                line = m.group(1) + b'include inc%d.storm' % k + m.group(3)
            out.append(line)
        return b'\n'.join(out)

    main = rewrite(open(path, 'rb').read(), os.path.dirname(path))
    assert len(slots) <= 4, path
    return u8(len(slots)) + b''.join(u16(len(b)) + b for _, b in slots) + main


def seeds_storm_parse():
    root = os.path.join(HERE, '..', 'scenarios')
    for d in sorted(os.listdir(root)):
        for f in sorted(os.listdir(os.path.join(root, d))) if os.path.isdir(os.path.join(root, d)) else []:
            if f.endswith('.storm'):
                write('storm_parse', '%s-%s' % (d, f[:-len('.storm')]), storm_input(os.path.join(root, d, f)))
    w = lambda name, text, incs=(): write('storm_parse', name, u8(len(incs)) +
                                          b''.join(u16(len(i)) + i for i in incs) + text)
    w('minimal', b'title tiny\nname tiny\nworkers 1\nfault at=1s kind=backbone-down duration=1s\n'
                 b'expect core: converged == 1\n')
    w('include-cycle', b'include inc0.storm\n', [b'include inc1.storm\n', b'include inc0.storm\n'])
    w('include-missing', b'include nowhere.storm\n')
    w('unknown-statement', b'name x\nwrokers 2\n')
    w('unknown-key', b'fault at=1s kind=flap cuont=3\n')
    w('bad-duration', b'duration forever\n')
    w('continuation', b'title t\ndescription first line\n  second line\n\tthird line\nexpect all: events > 0\n')
    w('expectations', b'title t\nmodels core stock\nexpect core: converged == 1, spurious_drops <= 0\n'
                      b'expect-fail legacy: oracle.spurious-drop == 0\nexpect stock: outage_split_s < 5s\n')
    w('comments-and-blanks', b'# a comment\n\ntitle c # trailing\n   \nexpect core: gaps >= 0\n')
    w('long-line', b'title ' + b'x' * 1100 + b'\n')
    w('nul-byte', b'name a\x00b\n')


SEEDS = {
    'storm_parse': seeds_storm_parse,
    'sim_faults': seeds_sim_faults,
    'server_wire': seeds_server_wire,
    'server_settings': seeds_server_settings,
    'ws_session': seeds_ws_session,
    'http_request': seeds_http_request,
    'bcast_header': seeds_bcast_header,
    'bcast': seeds_bcast,
    'fence': seeds_fence,
    'notifier': seeds_notifier,
    'sync_sched': seeds_sync_sched,
    'parse': seeds_parse,
    'retry_after': seeds_retry_after,
    'backoff_config': seeds_backoff_config,
}


def main(argv):
    for name in argv[1:] or sorted(SEEDS):
        SEEDS[name]()


if __name__ == '__main__':
    main(sys.argv)

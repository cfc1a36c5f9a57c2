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


SEEDS = {
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

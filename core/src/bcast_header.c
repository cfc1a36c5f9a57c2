/*
 * bcast_header.c - the fixed 32-byte wire header every backbone message
 * carries, so any backbone that moves bytes can carry (origin, kind, epoch,
 * seq).  Big-endian, versioned by its magic ("SGB1"); every padding and
 * reserved byte must be zero so a future version can use them and garbage
 * is rejected rather than half-understood.
 *
 *   0  "SGB1"   4  origin (u32)   8  kind (u8)   9  flags (u8)   10 zero x2
 *   12 epoch (u64)   20 seq (u64)   28 reserved zero x4
 *
 * The flags byte was padding before (always zero); a flag this version
 * does not know is rejected like any other garbage.
 */
#include <assert.h>
#include <string.h>

#include "bcast_internal.h"

static const uint8_t magic[4] = {'S', 'G', 'B', '1'};

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xffu);
        v >>= 8;
    }
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)(v & 0xffu);
        v >>= 8;
    }
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v = (v << 8) | p[i];
    }
    return v;
}

void sg_bcast_header_encode(const sg_bcast_header *h, uint8_t out[SG_BCAST_HEADER_BYTES])
{
    assert(h != NULL && out != NULL);
    memset(out, 0, SG_BCAST_HEADER_BYTES);
    memcpy(out, magic, sizeof magic);
    put_u32(out + 4, h->origin);
    out[8] = h->kind;
    out[9] = h->flags;
    put_u64(out + 12, h->epoch);
    put_u64(out + 20, h->seq);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

sg_status sg_bcast_header_decode(const uint8_t *in, size_t len, sg_bcast_header *h, sg_error *err)
{
    if (in == NULL || h == NULL) {
        return sg_error_set(err, SG_E_INVALID, "header: NULL input");
    }
    if (len < SG_BCAST_HEADER_BYTES) {
        return sg_error_set(err, SG_E_INVALID, "header: %zu bytes, need %u", len, SG_BCAST_HEADER_BYTES);
    }
    if (memcmp(in, magic, sizeof magic) != 0) {
        return sg_error_set(err, SG_E_INVALID, "header: bad magic (not \"SGB1\")");
    }
    uint8_t kind = in[8];
    if (kind != SG_MSG_DATA && kind != SG_MSG_HEARTBEAT && kind != SG_MSG_GOODBYE) {
        return sg_error_set(err, SG_E_INVALID, "header.kind: unknown kind %u", (unsigned)kind);
    }
    if ((in[9] & ~SG_MSG_FLAGS_KNOWN) != 0) {
        return sg_error_set(err, SG_E_INVALID, "header.flags: unknown flags 0x%02x", (unsigned)in[9]);
    }
    if (!all_zero(in + 10, 2) || !all_zero(in + 28, 4)) {
        return sg_error_set(err, SG_E_INVALID, "header: padding/reserved bytes must be zero");
    }
    memset(h, 0, sizeof *h);
    h->origin = (uint32_t)get_be(in + 4, 4);
    h->kind = kind;
    h->flags = in[9];
    h->epoch = get_be(in + 12, 8);
    h->seq = get_be(in + 20, 8);
    return SG_OK;
}

sg_bcast_header sg_own_header(const sg_bcast *b, sg_msg_kind kind, uint64_t seq)
{
    assert(b != NULL);
    sg_bcast_header h;
    memset(&h, 0, sizeof h);
    h.origin = b->config.worker_id;
    h.kind = (uint8_t)kind;
    h.epoch = b->config.epoch;
    h.seq = seq;
    return h;
}

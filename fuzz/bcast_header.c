/*
 * bcast_header.c - fuzz target: the 32-byte backbone message header
 * (sg_bcast_header_decode / _encode, core/src/bcast_header.c).
 *
 * Bytes from another process are the one input the broadcaster parses.
 * Checked: decode accepts exactly the documented form (magic "SGB1", kind
 * DATA, HEARTBEAT or GOODBYE, only known flags, zero padding and reserved
 * bytes, at least 32 bytes),
 * ignores anything after byte 32 and never reads past len (exact-size
 * copy); what it accepts re-encodes to the same 32 bytes; a header built
 * from arbitrary fields survives encode -> decode; a rejection says why.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stormglass/bcast.h"

static bool documented_form(const uint8_t *p, size_t len)
{
    if (len < SG_BCAST_HEADER_BYTES || memcmp(p, "SGB1", 4) != 0) {
        return false;
    }
    if (p[8] != SG_MSG_DATA && p[8] != SG_MSG_HEARTBEAT && p[8] != SG_MSG_GOODBYE) {
        return false;
    }
    static const uint8_t zero[4];
    return (p[9] & ~SG_MSG_FLAGS_KNOWN) == 0 && memcmp(p + 10, zero, 2) == 0 && memcmp(p + 28, zero, 4) == 0;
}

static void fields_round_trip(fuzz_input *in)
{
    sg_bcast_header h; /* one field per statement: initializers are unsequenced */
    h.origin = fuzz_u32(in);
    static const uint8_t kinds[] = {SG_MSG_DATA, SG_MSG_HEARTBEAT, SG_MSG_GOODBYE};
    h.kind = kinds[fuzz_below(in, 3)];
    h.epoch = fuzz_u64(in);
    h.seq = fuzz_u64(in);
    h.flags = fuzz_u8(in) & SG_MSG_FLAGS_KNOWN;
    uint8_t wire[SG_BCAST_HEADER_BYTES];
    sg_bcast_header back;
    sg_error err = {{0}};
    sg_bcast_header_encode(&h, wire);
    FUZZ_CHECK_MSG(sg_bcast_header_decode(wire, sizeof wire, &back, &err) == SG_OK, "%s", err.msg);
    FUZZ_CHECK(back.origin == h.origin && back.kind == h.kind && back.epoch == h.epoch && back.seq == h.seq);
    FUZZ_CHECK(back.flags == h.flags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    if (fuzz_u8(&in) == 0xf5) {
        fields_round_trip(&in);
        return 0;
    }
    const uint8_t *raw;
    size_t len = fuzz_rest(&in, &raw);
    uint8_t *copy = (uint8_t *)fuzz_copy(raw, len);
    sg_bcast_header h;
    memset(&h, 0xa5, sizeof h);
    sg_error err = {{0}};
    sg_status st = sg_bcast_header_decode(copy, len, &h, &err);
    FUZZ_CHECK_MSG((st == SG_OK) == documented_form(copy, len), "decode %d: %s", (int)st, err.msg);
    if (st != SG_OK) {
        FUZZ_CHECK(st == SG_E_INVALID && strncmp(err.msg, "header", 6) == 0);
    } else {
        uint8_t again[SG_BCAST_HEADER_BYTES];
        sg_bcast_header_encode(&h, again);
        FUZZ_CHECK_MSG(memcmp(again, copy, sizeof again) == 0, "decode then encode changed the bytes");
    }
    free(copy);
    return 0;
}

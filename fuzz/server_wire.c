/*
 * server_wire.c - fuzz target: the body of stormglassd's backbone messages
 * (server/wire.c: header | topic length | topic | payload) and topic names.
 *
 * These bytes come from the backbone, which other processes write.
 * Checked: a body decodes only when its topic length fits and the topic
 * name is valid; the decoded topic and payload point inside the input and
 * cover it exactly; what decodes re-encodes to the same bytes; anything
 * encoded decodes back to the same topic and payload; a whole message
 * decodes only with a valid header, the header as the core decodes it
 * (heartbeats and goodbyes carry no body, whatever follows); every
 * rejection says why.  Inputs are exact-size copies: no read past len.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "topics.h"
#include "wire.h"

static void check_body(const uint8_t *body, size_t len, const sd_wire_body *b)
{
    FUZZ_CHECK(len >= 2 && b->topic_len == ((size_t)body[0] << 8 | body[1]));
    FUZZ_CHECK(b->topic_len <= SD_TOPIC_NAME_MAX && sd_topic_name_valid(b->topic, b->topic_len));
    FUZZ_CHECK(b->topic == (const char *)body + 2 && b->payload == body + 2 + b->topic_len);
    FUZZ_CHECK(2 + b->topic_len + b->payload_len == len);
    uint8_t *again = NULL;
    size_t again_len = 0;
    FUZZ_CHECK(sd_wire_body_encode(b->topic, b->topic_len, b->payload, b->payload_len, &again, &again_len) == SG_OK);
    FUZZ_CHECK_MSG(again_len == len && memcmp(again, body, len) == 0, "decode then encode changed the body");
    free(again);
}

static void decode_body(const uint8_t *raw, size_t len)
{
    uint8_t *body = (uint8_t *)fuzz_copy(raw, len);
    sd_wire_body b;
    sg_error err = {{0}};
    sg_status st = sd_wire_body_decode(body, len, &b, &err);
    if (st == SG_OK) {
        check_body(body, len, &b);
    } else {
        FUZZ_CHECK(st == SG_E_INVALID && strncmp(err.msg, "body", 4) == 0);
    }
    free(body);
}

static void decode_message(const uint8_t *raw, size_t len)
{
    uint8_t *msg = (uint8_t *)fuzz_copy(raw, len);
    sg_bcast_header h;
    sd_wire_body b;
    sg_error err = {{0}};
    sg_status st = sd_wire_decode(msg, len, &h, &b, &err);
    sg_bcast_header alone;
    bool header_ok = len >= SG_BCAST_HEADER_BYTES && sg_bcast_header_decode(msg, len, &alone, NULL) == SG_OK;
    FUZZ_CHECK(st != SG_OK || header_ok);
    if (st == SG_OK) {
        FUZZ_CHECK(h.origin == alone.origin && h.kind == alone.kind && h.epoch == alone.epoch &&
                   h.seq == alone.seq && h.flags == alone.flags);
    }
    if (st == SG_OK && h.kind == SG_MSG_DATA) {
        check_body(msg + SG_BCAST_HEADER_BYTES, len - SG_BCAST_HEADER_BYTES, &b);
    } else if (st == SG_OK) {
        FUZZ_CHECK((h.kind == SG_MSG_HEARTBEAT || h.kind == SG_MSG_GOODBYE) && b.topic_len == 0 &&
                   b.payload_len == 0);
    } else {
        /* a valid header with a DATA kind: only the body can be wrong */
        FUZZ_CHECK(!header_ok || alone.kind == SG_MSG_DATA);
        FUZZ_CHECK(st == SG_E_INVALID && err.msg[0] != '\0');
    }
    free(msg);
}

static void encode_fields(fuzz_input *in)
{
    const uint8_t *topic, *payload;
    size_t tlen = fuzz_slice(in, SD_TOPIC_NAME_MAX + 8, &topic);
    size_t plen = fuzz_rest(in, &payload);
    char *t = fuzz_copy(topic, tlen);
    uint8_t *out = NULL;
    size_t out_len = 0;
    sg_status st = sd_wire_body_encode(t, tlen, plen ? payload : NULL, plen, &out, &out_len);
    FUZZ_CHECK((st == SG_OK) == sd_topic_name_valid(t, tlen));
    if (st == SG_OK) {
        sd_wire_body b;
        FUZZ_CHECK(sd_wire_body_decode(out, out_len, &b, NULL) == SG_OK);
        FUZZ_CHECK(b.topic_len == tlen && memcmp(b.topic, t, tlen) == 0);
        FUZZ_CHECK(b.payload_len == plen && (plen == 0 || memcmp(b.payload, payload, plen) == 0));
        free(out);
    }
    free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t mode = fuzz_u8(&in) % 3;
    if (mode == 2) {
        encode_fields(&in);
        return 0;
    }
    const uint8_t *raw;
    size_t len = fuzz_rest(&in, &raw);
    if (mode == 0) {
        decode_body(raw, len);
    } else {
        decode_message(raw, len);
    }
    return 0;
}

/*
 * wire.c - the body codec of backbone messages (see wire.h).
 */
#include "wire.h"

#include "topics.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

sg_status sd_wire_body_encode(const char *topic, size_t topic_len, const uint8_t *payload, size_t payload_len,
                              uint8_t **out, size_t *out_len)
{
    assert(out != NULL && out_len != NULL);
    assert(payload != NULL || payload_len == 0);
    if (!sd_topic_name_valid(topic, topic_len) || payload_len > SG_BCAST_PAYLOAD_MAX) {
        return SG_E_INVALID;
    }
    size_t n = 2 + topic_len + payload_len;
    uint8_t *b = malloc(n);
    if (b == NULL) {
        return SG_E_NOMEM;
    }
    b[0] = (uint8_t)(topic_len >> 8);
    b[1] = (uint8_t)(topic_len & 0xff);
    memcpy(b + 2, topic, topic_len);
    if (payload_len > 0) {
        memcpy(b + 2 + topic_len, payload, payload_len);
    }
    *out = b;
    *out_len = n;
    return SG_OK;
}

sg_status sd_wire_body_decode(const uint8_t *body, size_t len, sd_wire_body *out, sg_error *err)
{
    assert(out != NULL);
    if (body == NULL || len < 2) {
        return sg_error_set(err, SG_E_INVALID, "body: %zu bytes, shorter than its topic length", len);
    }
    size_t tlen = ((size_t)body[0] << 8) | body[1];
    if (tlen > len - 2) {
        return sg_error_set(err, SG_E_INVALID, "body: topic length %zu past the end (%zu bytes)", tlen, len);
    }
    if (!sd_topic_name_valid((const char *)body + 2, tlen)) {
        return sg_error_set(err, SG_E_INVALID, "body: invalid topic name");
    }
    out->topic = (const char *)body + 2;
    out->topic_len = tlen;
    out->payload = body + 2 + tlen;
    out->payload_len = len - 2 - tlen;
    return SG_OK;
}

sg_status sd_wire_decode(const uint8_t *msg, size_t len, sg_bcast_header *header, sd_wire_body *body,
                         sg_error *err)
{
    assert(header != NULL && body != NULL);
    if (msg == NULL || len < SG_BCAST_HEADER_BYTES) {
        return sg_error_set(err, SG_E_INVALID, "message: %zu bytes, shorter than the header", len);
    }
    sg_status st = sg_bcast_header_decode(msg, SG_BCAST_HEADER_BYTES, header, err);
    if (st != SG_OK) {
        return st;
    }
    if (header->kind == SG_MSG_HEARTBEAT || header->kind == SG_MSG_GOODBYE) {
        memset(body, 0, sizeof *body);
        return SG_OK;
    }
    return sd_wire_body_decode(msg + SG_BCAST_HEADER_BYTES, len - SG_BCAST_HEADER_BYTES, body, err);
}

/*
 * wire.h - what stormglassd puts on the backbone: the core's 32-byte
 * header (sg_bcast_header_encode) followed by a body that names the topic:
 *
 *   header[32] | topic length (u16, big-endian) | topic | payload (JSON text)
 *
 * Every adapter carries these bytes unchanged, and may decode the body to
 * store the topic's state (sd_wire_decode) next to broadcasting it.
 */
#ifndef STORMGLASS_SD_WIRE_H
#define STORMGLASS_SD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/bcast.h"
#include "stormglass/status.h"

#define SD_TOPIC_NAME_MAX 200u
#define SD_WIRE_BODY_OVERHEAD (2u + SD_TOPIC_NAME_MAX)

typedef struct sd_wire_body {
    const char *topic;
    size_t topic_len;
    const uint8_t *payload;
    size_t payload_len;
} sd_wire_body;

/* Encodes a body into a malloc'd buffer (caller frees). */
sg_status sd_wire_body_encode(const char *topic, size_t topic_len, const uint8_t *payload, size_t payload_len,
                              uint8_t **out, size_t *out_len);
/* Splits a body (no header) into topic and payload; pointers into `body`. */
sg_status sd_wire_body_decode(const uint8_t *body, size_t len, sd_wire_body *out, sg_error *err);

/* Splits a whole backbone message into header and body. */
sg_status sd_wire_decode(const uint8_t *msg, size_t len, sg_bcast_header *header, sd_wire_body *body,
                         sg_error *err);

#endif

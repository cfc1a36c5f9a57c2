/*
 * ws_session.h - one server-side WebSocket session over bytes.
 *
 * Internal to stormglassd and free of sockets and the event loop (a fuzz
 * target can feed it from a buffer): received bytes go in with
 * sd_ws_feed, whole valid text messages come out through on_text, and
 * bytes to send leave through the write callback.  Framing, masking,
 * fragmentation, ping/pong and the close handshake are wslay's (Debian's
 * libwslay); this file adds what the protocol leaves to the application:
 *
 *   invalid UTF-8 in a text message -> close 1007
 *   a binary message                -> close 1003 (the protocol is JSON text)
 *   a message over message_bytes_max -> close 1009 (wslay)
 *   a framing violation             -> close 1002 (wslay)
 *
 * and the bound of the send queue: sd_ws_queue_text refuses (SG_E_FULL) a
 * message that would take the queue past queue_bytes_max or
 * queue_messages_max, so the caller can drop a slow consumer.
 */
#ifndef STORMGLASS_SD_WS_SESSION_H
#define STORMGLASS_SD_WS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stormglass/status.h"

#define SD_WS_ACCEPT_LEN 28 /* base64 of a SHA-1 */
#define SD_WS_CLOSE_SLOW_CONSUMER 1008u
#define SD_WS_CLOSE_GOING_AWAY 1001u

typedef struct sd_ws_limits {
    uint64_t message_bytes_max;
    uint64_t queue_bytes_max;
    uint32_t queue_messages_max;
} sd_ws_limits;

typedef struct sd_ws_callbacks {
    void *arg;
    /* Put bytes on the wire: returns how many were taken (0 = would
     * block, call sd_ws_flush later), or -1 when the transport is dead. */
    ssize_t (*write)(void *arg, const uint8_t *data, size_t len);
    /* A whole, valid UTF-8 text message from the client. */
    void (*on_text)(void *arg, const uint8_t *msg, size_t len);
} sd_ws_callbacks;

typedef struct sd_ws_session sd_ws_session;

sg_status sd_ws_create(const sd_ws_limits *limits, const sd_ws_callbacks *cb, sd_ws_session **out);
void sd_ws_destroy(sd_ws_session *s);

/* Received bytes.  SG_E_STATE once the session failed fatally (the caller
 * closes the transport); violations are not errors here: they queue the
 * right close frame. */
sg_status sd_ws_feed(sd_ws_session *s, const uint8_t *data, size_t len);

/* Queues one text message (copied).  SG_E_FULL over the bounds, SG_E_STATE
 * once a close was queued. */
sg_status sd_ws_queue_text(sd_ws_session *s, const uint8_t *msg, size_t len);
sg_status sd_ws_ping(sd_ws_session *s);
/* Queues a close frame (reason shorter than 123 bytes); later messages are
 * refused.  A second call is a no-op. */
sg_status sd_ws_close(sd_ws_session *s, uint16_t code, const char *reason);

/* Writes queued frames until the write callback would block. */
sg_status sd_ws_flush(sd_ws_session *s);

/* The close handshake is over (sent ours and got theirs, or reading has
 * stopped after ours): the transport can be closed. */
bool sd_ws_finished(sd_ws_session *s);
bool sd_ws_close_sent(sd_ws_session *s);
uint16_t sd_ws_close_code(sd_ws_session *s); /* sent by us, 0 if none */
bool sd_ws_wants_write(sd_ws_session *s);
void sd_ws_queue_depth(sd_ws_session *s, uint64_t *bytes, uint32_t *messages);

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key (must be base64 of 16
 * bytes: SG_E_INVALID otherwise).  out gets SD_WS_ACCEPT_LEN chars + NUL. */
sg_status sd_ws_accept_key(const char *key, size_t len, char out[SD_WS_ACCEPT_LEN + 1]);

#endif

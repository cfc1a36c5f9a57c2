/*
 * http_req.h - one HTTP/1.1 request read from bytes, with limits.
 *
 * Internal to stormglassd, and deliberately free of sockets and the event
 * loop so a fuzz target can drive it from a byte buffer: init, feed bytes
 * (any split), read the outcome, reset for the next request on a
 * keep-alive connection.  Parsing is http-parser's (Node's original
 * parser, Debian's libhttp-parser); this file only keeps the parts the
 * server routes on and enforces the limits:
 *
 *   malformed request                -> 400
 *   request line + headers too large -> 431
 *   body (declared or streamed) too large -> 413
 *   request target too long          -> 414
 *
 * Memory: the struct itself (a few KiB of fixed buffers) plus the body,
 * allocated once per request up to body_bytes_max.
 */
#ifndef STORMGLASS_SD_HTTP_REQ_H
#define STORMGLASS_SD_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <http_parser.h>

#define SD_HTTP_PATH_MAX 1024
#define SD_HTTP_FIELD_MAX 64   /* longer header names are never ones we read */
#define SD_HTTP_VALUE_MAX 320  /* longest header value we keep (a bearer token fits) */

typedef struct sd_http_limits {
    size_t header_bytes_max;
    size_t body_bytes_max;
} sd_http_limits;

/* The headers the server routes on. */
typedef enum sd_http_header {
    SD_HDR_NONE = 0,
    SD_HDR_UPGRADE,
    SD_HDR_CONNECTION,
    SD_HDR_WS_KEY,
    SD_HDR_WS_VERSION,
    SD_HDR_AUTHORIZATION,
    SD_HDR_COUNT
} sd_http_header;

typedef struct sd_http_value {
    char text[SD_HTTP_VALUE_MAX];
    size_t len;
    bool present;
    bool overflow; /* longer than SD_HTTP_VALUE_MAX: treated as invalid */
} sd_http_value;

typedef enum sd_http_outcome {
    SD_HTTP_MORE = 0, /* need more bytes */
    SD_HTTP_DONE,     /* a whole request is ready (and maybe an upgrade) */
    SD_HTTP_ERROR     /* answer error_status and close */
} sd_http_outcome;

typedef struct sd_http_request {
    http_parser parser;
    sd_http_limits limits;
    size_t header_bytes;      /* counted across the request line and headers */
    bool headers_done;
    bool complete;
    bool started;             /* at least one byte of this request arrived */
    int error_status;         /* 400/413/414/431 when outcome is ERROR */
    const char *error_reason; /* short, for the log and the body */

    char path[SD_HTTP_PATH_MAX]; /* request target without the query */
    size_t path_len;
    bool path_overflow;
    bool in_query;

    char field[SD_HTTP_FIELD_MAX];
    size_t field_len;
    bool field_overflow;
    bool in_value;
    sd_http_header current;
    sd_http_value headers[SD_HDR_COUNT];

    uint8_t *body; /* malloc'd, up to limits.body_bytes_max */
    size_t body_len;
    size_t body_cap;
} sd_http_request;

void sd_http_request_init(sd_http_request *r, const sd_http_limits *limits);
/* Ready for the next request on the same connection (frees the body). */
void sd_http_request_reset(sd_http_request *r);
void sd_http_request_free(sd_http_request *r);

/* Feeds bytes.  *consumed says how many were used: after DONE the rest
 * belongs to the next request (or, after an upgrade, to the WebSocket). */
sd_http_outcome sd_http_feed(sd_http_request *r, const uint8_t *data, size_t len, size_t *consumed);

/* After DONE. */
bool sd_http_is_upgrade(const sd_http_request *r); /* Upgrade: websocket + Connection: upgrade */
bool sd_http_keep_alive(const sd_http_request *r);
const char *sd_http_method_name(const sd_http_request *r);
bool sd_http_method_is(const sd_http_request *r, enum http_method m);
const sd_http_value *sd_http_header_get(const sd_http_request *r, sd_http_header h);

/* Reason phrase of the status codes the server sends. */
const char *sd_http_status_text(int status);

#endif

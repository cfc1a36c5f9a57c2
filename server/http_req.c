/*
 * http_req.c - limits and header capture around http-parser (see
 * http_req.h).  The parser is paused at the end of each message so a
 * pipelined or upgraded connection's remaining bytes are handed back, not
 * swallowed.
 */
#include "http_req.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const header_names[SD_HDR_COUNT] = {
    [SD_HDR_NONE] = "",
    [SD_HDR_UPGRADE] = "upgrade",
    [SD_HDR_CONNECTION] = "connection",
    [SD_HDR_WS_KEY] = "sec-websocket-key",
    [SD_HDR_WS_VERSION] = "sec-websocket-version",
    [SD_HDR_AUTHORIZATION] = "authorization",
};

static sd_http_request *req_of(http_parser *p)
{
    return (sd_http_request *)p->data;
}

static int fail(sd_http_request *r, int status, const char *reason)
{
    if (r->error_status == 0) {
        r->error_status = status;
        r->error_reason = reason;
    }
    return 1;
}

/* Counts request-line and header bytes; over the limit is a 431. */
static int count_header_bytes(sd_http_request *r, size_t n)
{
    r->header_bytes += n;
    if (r->header_bytes > r->limits.header_bytes_max) {
        return fail(r, 431, "request headers too large");
    }
    return 0;
}

static int on_message_begin(http_parser *p)
{
    req_of(p)->started = true;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    sd_http_request *r = req_of(p);
    if (count_header_bytes(r, len) != 0) {
        return 1;
    }
    for (size_t i = 0; i < len && !r->in_query; i++) {
        if (at[i] == '?' || at[i] == '#') {
            r->in_query = true;
        } else if (r->path_len + 1 >= SD_HTTP_PATH_MAX) {
            r->path_overflow = true;
            return fail(r, 414, "request target too long");
        } else {
            r->path[r->path_len++] = at[i];
        }
    }
    r->path[r->path_len] = '\0';
    return 0;
}

static sd_http_header classify(const sd_http_request *r)
{
    if (r->field_overflow) {
        return SD_HDR_NONE;
    }
    for (int h = 1; h < SD_HDR_COUNT; h++) {
        if (strlen(header_names[h]) == r->field_len && strncasecmp(header_names[h], r->field, r->field_len) == 0) {
            return (sd_http_header)h;
        }
    }
    return SD_HDR_NONE;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    sd_http_request *r = req_of(p);
    if (count_header_bytes(r, len) != 0) {
        return 1;
    }
    if (r->in_value) { /* a new field starts */
        r->in_value = false;
        r->field_len = 0;
        r->field_overflow = false;
    }
    if (r->field_len + len > SD_HTTP_FIELD_MAX) {
        r->field_overflow = true;
        return 0;
    }
    memcpy(r->field + r->field_len, at, len);
    r->field_len += len;
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    sd_http_request *r = req_of(p);
    if (count_header_bytes(r, len) != 0) {
        return 1;
    }
    if (!r->in_value) {
        r->in_value = true;
        r->current = classify(r);
        if (r->current != SD_HDR_NONE) {
            sd_http_value *v = &r->headers[r->current];
            if (v->present) { /* a repeated header we route on is ambiguous */
                v->overflow = true;
            }
            v->present = true;
            v->len = 0;
        }
    }
    if (r->current == SD_HDR_NONE) {
        return 0;
    }
    sd_http_value *v = &r->headers[r->current];
    if (v->len + len >= SD_HTTP_VALUE_MAX) {
        v->overflow = true;
        return 0;
    }
    memcpy(v->text + v->len, at, len);
    v->len += len;
    v->text[v->len] = '\0';
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    sd_http_request *r = req_of(p);
    r->headers_done = true;
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > r->limits.body_bytes_max) {
        return fail(r, 413, "request body too large");
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    sd_http_request *r = req_of(p);
    if (r->body_len + len > r->limits.body_bytes_max) {
        return fail(r, 413, "request body too large");
    }
    if (r->body_len + len > r->body_cap) {
        /* declared length at once, otherwise (chunked) doubling up to the limit */
        size_t want = (p->flags & F_CONTENTLENGTH) ? (size_t)p->content_length : 2 * r->body_cap;
        want = want < 4096 ? 4096 : want;
        want = want > r->limits.body_bytes_max ? r->limits.body_bytes_max : want;
        want = want < r->body_len + len ? r->body_len + len : want;
        uint8_t *grown = realloc(r->body, want);
        if (grown == NULL) {
            return fail(r, 503, "out of memory for the body");
        }
        r->body = grown;
        r->body_cap = want;
    }
    assert(r->body_len + len <= r->body_cap);
    memcpy(r->body + r->body_len, at, len);
    r->body_len += len;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    sd_http_request *r = req_of(p);
    r->complete = true;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void sd_http_request_init(sd_http_request *r, const sd_http_limits *limits)
{
    assert(r != NULL);
    assert(limits != NULL);
    memset(r, 0, sizeof *r);
    r->limits = *limits;
    http_parser_init(&r->parser, HTTP_REQUEST);
    r->parser.data = r;
}

void sd_http_request_reset(sd_http_request *r)
{
    sd_http_limits limits = r->limits;
    free(r->body);
    sd_http_request_init(r, &limits);
}

void sd_http_request_free(sd_http_request *r)
{
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

sd_http_outcome sd_http_feed(sd_http_request *r, const uint8_t *data, size_t len, size_t *consumed)
{
    assert(r != NULL);
    assert(consumed != NULL);
    *consumed = 0;
    if (r->error_status != 0) {
        return SD_HTTP_ERROR;
    }
    if (r->complete) {
        return SD_HTTP_DONE;
    }
    if (len == 0) {
        return SD_HTTP_MORE;
    }
    size_t n = http_parser_execute(&r->parser, &settings, (const char *)data, len);
    *consumed = n;
    enum http_errno e = HTTP_PARSER_ERRNO(&r->parser);
    if (r->error_status != 0) {
        return SD_HTTP_ERROR;
    }
    if (r->complete) {
        return SD_HTTP_DONE;
    }
    if (e == HPE_HEADER_OVERFLOW) {
        fail(r, 431, "request headers too large");
        return SD_HTTP_ERROR;
    }
    if (e != HPE_OK) {
        fail(r, 400, http_errno_description(e));
        return SD_HTTP_ERROR;
    }
    if (r->parser.upgrade) { /* upgrade with a body we did not wait for */
        fail(r, 400, "upgrade request with a body");
        return SD_HTTP_ERROR;
    }
    return SD_HTTP_MORE;
}

static bool has_token(const sd_http_value *v, const char *token)
{
    if (!v->present || v->overflow) {
        return false;
    }
    size_t tlen = strlen(token);
    const char *s = v->text;
    while (*s != '\0') {
        while (*s == ' ' || *s == '\t' || *s == ',') {
            s++;
        }
        const char *start = s;
        while (*s != '\0' && *s != ',') {
            s++;
        }
        const char *end = s;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t')) {
            end--;
        }
        if ((size_t)(end - start) == tlen && strncasecmp(start, token, tlen) == 0) {
            return true;
        }
    }
    return false;
}

bool sd_http_is_upgrade(const sd_http_request *r)
{
    return has_token(&r->headers[SD_HDR_UPGRADE], "websocket") &&
           has_token(&r->headers[SD_HDR_CONNECTION], "upgrade");
}

bool sd_http_keep_alive(const sd_http_request *r)
{
    return http_should_keep_alive(&r->parser) != 0;
}

const char *sd_http_method_name(const sd_http_request *r)
{
    return http_method_str((enum http_method)r->parser.method);
}

bool sd_http_method_is(const sd_http_request *r, enum http_method m)
{
    return r->parser.method == (unsigned)m;
}

const sd_http_value *sd_http_header_get(const sd_http_request *r, sd_http_header h)
{
    assert((unsigned)h < SD_HDR_COUNT);
    return &r->headers[h];
}

const char *sd_http_status_text(int status)
{
    switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

/*
 * http_request.c - fuzz target: stormglassd's HTTP/1.1 request reader
 * (server/http_req.c, limits and header capture around http-parser).
 *
 * Input: the limits, up to 8 split points, then a byte stream that may hold
 * several pipelined requests.  The stream is read twice, once as a whole
 * and once cut at the split points (each piece an exact-size heap copy, so
 * a read past a piece is caught); after DONE the reader is reset and fed
 * the bytes it did not consume, as a keep-alive connection would.
 * Checked:
 *   - any split gives the same requests (method, path, the captured
 *     headers, body, keep-alive, upgrade) and, if the stream goes wrong,
 *     an error at the same request (which status may depend on the split
 *     when a request breaks two rules at once: http-parser reports the
 *     malformed byte and the reader counts a limit at token ends, and a
 *     split moves a token end);
 *   - consumed never exceeds what was fed; a finished request respects both
 *     limits, its path is terminated and carries no query;
 *   - an error is one of 400/413/414/431 with a reason, and sticks;
 *   - an upgrade is reported only with "Upgrade: websocket" and
 *     "Connection: upgrade" tokens present.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "http_req.h"

#define SPLITS_MAX 8u
#define REQUESTS_MAX 16u

/* What one read of the stream produced, compared across splits. */
typedef struct outcome {
    unsigned requests;
    uint64_t digest;     /* of every finished request's observable parts */
    int error_status;
    size_t consumed;     /* bytes used in total */
} outcome;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 1099511628211ull; /* FNV-1a */
    }
    return h;
}

static bool token_present(const sd_http_value *v, const char *token)
{
    if (!v->present || v->overflow) {
        return false;
    }
    size_t n = strlen(token);
    for (size_t i = 0; i + n <= v->len; i++) {
        if (strncasecmp(v->text + i, token, n) == 0) {
            return true;
        }
    }
    return false;
}

static uint64_t check_done(const sd_http_request *r, uint64_t h)
{
    FUZZ_CHECK(r->header_bytes <= r->limits.header_bytes_max);
    FUZZ_CHECK(r->body_len <= r->limits.body_bytes_max && (r->body_len == 0 || r->body != NULL));
    FUZZ_CHECK(!r->path_overflow && r->path_len < SD_HTTP_PATH_MAX && r->path[r->path_len] == '\0');
    FUZZ_CHECK(memchr(r->path, '?', r->path_len) == NULL);
    const char *method = sd_http_method_name(r);
    FUZZ_CHECK(method != NULL);
    bool upgrade = sd_http_is_upgrade(r), keep = sd_http_keep_alive(r);
    FUZZ_CHECK(!upgrade || (token_present(sd_http_header_get(r, SD_HDR_UPGRADE), "websocket") &&
                            token_present(sd_http_header_get(r, SD_HDR_CONNECTION), "upgrade")));
    h = mix(h, method, strlen(method));
    h = mix(h, r->path, r->path_len + 1);
    for (int k = SD_HDR_NONE + 1; k < SD_HDR_COUNT; k++) {
        const sd_http_value *v = sd_http_header_get(r, (sd_http_header)k);
        FUZZ_CHECK(v->len <= SD_HTTP_VALUE_MAX);
        h = mix(h, &v->present, sizeof v->present);
        h = mix(h, &v->overflow, sizeof v->overflow);
        h = mix(h, v->text, v->present && !v->overflow ? v->len : 0);
    }
    h = mix(h, r->body, r->body_len);
    h = mix(h, &upgrade, sizeof upgrade);
    return mix(h, &keep, sizeof keep);
}

/* Feeds one piece, handling any number of requests finishing inside it. */
static bool feed_piece(sd_http_request *r, const uint8_t *piece, size_t len, outcome *o)
{
    size_t off = 0;
    for (;;) {
        size_t used = 0;
        sd_http_outcome res = sd_http_feed(r, piece + off, len - off, &used);
        FUZZ_CHECK(used <= len - off);
        off += used;
        o->consumed += used;
        if (res == SD_HTTP_ERROR) {
            FUZZ_CHECK(r->error_status == 400 || r->error_status == 413 || r->error_status == 414 ||
                       r->error_status == 431);
            FUZZ_CHECK(r->error_reason != NULL && r->error_reason[0] != '\0');
            FUZZ_CHECK(sd_http_status_text(r->error_status) != NULL);
            FUZZ_CHECK(sd_http_feed(r, piece, len, &used) == SD_HTTP_ERROR && used == 0); /* sticks */
            o->error_status = r->error_status;
            return false;
        }
        if (res == SD_HTTP_MORE) {
            FUZZ_CHECK(off == len);
            return true;
        }
        o->digest = check_done(r, o->digest);
        if (++o->requests == REQUESTS_MAX || sd_http_is_upgrade(r)) {
            return false; /* after an upgrade the bytes are the WebSocket's */
        }
        sd_http_request_reset(r);
        if (off == len) {
            return true;
        }
    }
}

static outcome read_stream(const sd_http_limits *limits, const uint8_t *stream, size_t len, const size_t *cuts,
                           size_t n_cuts)
{
    outcome o = {0, 14695981039346656037ull, 0, 0};
    sd_http_request r;
    sd_http_request_init(&r, limits);
    size_t from = 0;
    for (size_t i = 0; i <= n_cuts; i++) {
        size_t to = i < n_cuts ? cuts[i] : len;
        uint8_t *piece = (uint8_t *)fuzz_copy(stream + from, to - from);
        bool more = feed_piece(&r, piece, to - from, &o);
        free(piece);
        from = to;
        if (!more) {
            break;
        }
    }
    sd_http_request_free(&r);
    return o;
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    sd_http_limits limits;
    limits.header_bytes_max = 16u + fuzz_u16(&in) % 4096u;
    limits.body_bytes_max = fuzz_u16(&in) % 2048u;
    size_t n_cuts = fuzz_u8(&in) % (SPLITS_MAX + 1);
    size_t raw_cuts[SPLITS_MAX];
    for (size_t i = 0; i < n_cuts; i++) {
        raw_cuts[i] = fuzz_u16(&in);
    }
    const uint8_t *stream;
    size_t len = fuzz_rest(&in, &stream);
    for (size_t i = 0; i < n_cuts; i++) {
        raw_cuts[i] = len == 0 ? 0 : raw_cuts[i] % (len + 1);
    }
    qsort(raw_cuts, n_cuts, sizeof raw_cuts[0], compare_size);
    outcome whole = read_stream(&limits, stream, len, NULL, 0);
    outcome split = read_stream(&limits, stream, len, raw_cuts, n_cuts);
    FUZZ_CHECK_MSG(whole.requests == split.requests && whole.digest == split.digest,
                   "a split changed the requests (%u vs %u)", whole.requests, split.requests);
    FUZZ_CHECK_MSG((whole.error_status == 0) == (split.error_status == 0), "a split changed the outcome: %d vs %d",
                   whole.error_status, split.error_status);
    return 0;
}

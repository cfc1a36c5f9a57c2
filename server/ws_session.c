/*
 * ws_session.c - wslay's event API fed from byte buffers (see
 * ws_session.h), plus the checks RFC 6455 leaves to the application and
 * the send-queue bound.  SHA-1 and base64 for the handshake come from
 * OpenSSL's libcrypto.
 */
#include "ws_session.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <wslay/wslay.h>

#include "utf8.h"

struct sd_ws_session {
    wslay_event_context_ptr ctx;
    sd_ws_limits limits;
    sd_ws_callbacks cb;
    const uint8_t *in;    /* bytes of the current sd_ws_feed not yet taken by wslay */
    size_t in_len;
    bool dead;            /* the write callback reported a dead transport */
};

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user)
{
    (void)flags;
    sd_ws_session *s = user;
    if (s->in_len == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    size_t n = len < s->in_len ? len : s->in_len;
    memcpy(buf, s->in, n);
    s->in += n;
    s->in_len -= n;
    return (ssize_t)n;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user)
{
    (void)flags;
    sd_ws_session *s = user;
    ssize_t n = s->cb.write(s->cb.arg, data, len);
    if (n < 0) {
        s->dead = true;
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    if (n == 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    return n;
}

static void fail_with(sd_ws_session *s, uint16_t code, const char *reason)
{
    wslay_event_queue_close(s->ctx, code, (const uint8_t *)reason, strlen(reason));
    wslay_event_shutdown_read(s->ctx);
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
    (void)ctx;
    sd_ws_session *s = user;
    if (arg->opcode == WSLAY_TEXT_FRAME) {
        if (!sd_utf8_valid(arg->msg, arg->msg_length)) {
            fail_with(s, WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA, "invalid UTF-8 in a text message");
            return;
        }
        s->cb.on_text(s->cb.arg, arg->msg, arg->msg_length);
    } else if (arg->opcode == WSLAY_BINARY_FRAME) {
        fail_with(s, WSLAY_CODE_UNSUPPORTED_DATA, "binary messages are not part of the protocol");
    }
    /* close, ping and pong are answered by wslay itself */
}

sg_status sd_ws_create(const sd_ws_limits *limits, const sd_ws_callbacks *cb, sd_ws_session **out)
{
    assert(limits != NULL && cb != NULL && out != NULL);
    assert(cb->write != NULL && cb->on_text != NULL);
    *out = NULL;
    sd_ws_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return SG_E_NOMEM;
    }
    s->limits = *limits;
    s->cb = *cb;
    struct wslay_event_callbacks wcb = {
        .recv_callback = recv_cb,
        .send_callback = send_cb,
        .on_msg_recv_callback = on_msg,
    };
    if (wslay_event_context_server_init(&s->ctx, &wcb, s) != 0) {
        free(s);
        return SG_E_NOMEM;
    }
    wslay_event_config_set_max_recv_msg_length(s->ctx, limits->message_bytes_max);
    *out = s;
    return SG_OK;
}

void sd_ws_destroy(sd_ws_session *s)
{
    if (s != NULL) {
        wslay_event_context_free(s->ctx);
        free(s);
    }
}

sg_status sd_ws_feed(sd_ws_session *s, const uint8_t *data, size_t len)
{
    assert(s != NULL);
    assert(data != NULL || len == 0);
    if (s->dead) {
        return SG_E_STATE;
    }
    s->in = data;
    s->in_len = len;
    while (s->in_len > 0 && wslay_event_want_read(s->ctx)) {
        if (wslay_event_recv(s->ctx) != 0) {
            s->dead = true;
            break;
        }
    }
    s->in = NULL;
    s->in_len = 0; /* bytes after a close or a violation are ignored */
    return s->dead ? SG_E_STATE : SG_OK;
}

sg_status sd_ws_queue_text(sd_ws_session *s, const uint8_t *msg, size_t len)
{
    assert(s != NULL);
    assert(msg != NULL || len == 0);
    if (s->dead || wslay_event_get_close_sent(s->ctx) || !wslay_event_get_write_enabled(s->ctx)) {
        return SG_E_STATE;
    }
    size_t qbytes = wslay_event_get_queued_msg_length(s->ctx);
    size_t qcount = wslay_event_get_queued_msg_count(s->ctx);
    if (qcount + 1 > s->limits.queue_messages_max || qbytes + len > s->limits.queue_bytes_max) {
        return SG_E_FULL;
    }
    struct wslay_event_msg m = {WSLAY_TEXT_FRAME, msg, len};
    int rv = wslay_event_queue_msg(s->ctx, &m);
    if (rv == WSLAY_ERR_NOMEM) {
        return SG_E_NOMEM;
    }
    return rv == 0 ? SG_OK : SG_E_STATE;
}

sg_status sd_ws_ping(sd_ws_session *s)
{
    struct wslay_event_msg m = {WSLAY_PING, (const uint8_t *)"", 0};
    return wslay_event_queue_msg(s->ctx, &m) == 0 ? SG_OK : SG_E_STATE;
}

sg_status sd_ws_close(sd_ws_session *s, uint16_t code, const char *reason)
{
    assert(s != NULL);
    assert(reason != NULL && strlen(reason) < 123);
    if (wslay_event_get_close_sent(s->ctx) || s->dead) {
        return SG_OK;
    }
    int rv = wslay_event_queue_close(s->ctx, code, (const uint8_t *)reason, strlen(reason));
    return rv == 0 || rv == WSLAY_ERR_NO_MORE_MSG ? SG_OK : SG_E_STATE;
}

sg_status sd_ws_flush(sd_ws_session *s)
{
    assert(s != NULL);
    if (s->dead) {
        return SG_E_STATE;
    }
    if (wslay_event_want_write(s->ctx) && wslay_event_send(s->ctx) != 0) {
        s->dead = true;
        return SG_E_STATE;
    }
    return SG_OK;
}

bool sd_ws_finished(sd_ws_session *s)
{
    if (s->dead) {
        return true;
    }
    bool sent = wslay_event_get_close_sent(s->ctx) != 0;
    return sent && (wslay_event_get_close_received(s->ctx) || !wslay_event_get_read_enabled(s->ctx));
}

bool sd_ws_close_sent(sd_ws_session *s)
{
    return wslay_event_get_close_sent(s->ctx) != 0;
}

uint16_t sd_ws_close_code(sd_ws_session *s)
{
    return wslay_event_get_close_sent(s->ctx) ? wslay_event_get_status_code_sent(s->ctx) : 0;
}

bool sd_ws_wants_write(sd_ws_session *s)
{
    return !s->dead && wslay_event_want_write(s->ctx) != 0;
}

void sd_ws_queue_depth(sd_ws_session *s, uint64_t *bytes, uint32_t *messages)
{
    *bytes = wslay_event_get_queued_msg_length(s->ctx);
    *messages = (uint32_t)wslay_event_get_queued_msg_count(s->ctx);
}

sg_status sd_ws_accept_key(const char *key, size_t len, char out[SD_WS_ACCEPT_LEN + 1])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    assert(out != NULL);
    uint8_t raw[24];
    if (key == NULL || len != 24 || key[22] != '=' || key[23] != '=' ||
        EVP_DecodeBlock(raw, (const unsigned char *)key, 24) != 18) {
        return SG_E_INVALID; /* not base64 of 16 bytes (RFC 6455 4.2.1) */
    }
    char joined[24 + sizeof guid];
    memcpy(joined, key, 24);
    memcpy(joined + 24, guid, sizeof guid);
    uint8_t digest[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)joined, 24 + sizeof guid - 1, digest);
    int n = EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH);
    assert(n == SD_WS_ACCEPT_LEN);
    out[SD_WS_ACCEPT_LEN] = '\0';
    return SG_OK;
}

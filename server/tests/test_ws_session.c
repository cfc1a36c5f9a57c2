/*
 * test_ws_session.c - the WebSocket session fed from byte buffers: the
 * handshake key, text delivery across any split, and the close code each
 * violation earns (1002, 1003, 1007, 1009), plus the send-queue bound.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"
#include "utf8.h"
#include "ws_session.h"

typedef struct sink {
    uint8_t out[65536];
    size_t out_len;
    bool block;
    char texts[8][256];
    size_t text_count;
} sink;

static ssize_t sink_write(void *arg, const uint8_t *data, size_t len)
{
    sink *k = arg;
    if (k->block) {
        return 0;
    }
    assert_true(k->out_len + len <= sizeof k->out);
    memcpy(k->out + k->out_len, data, len);
    k->out_len += len;
    return (ssize_t)len;
}

static void sink_text(void *arg, const uint8_t *msg, size_t len)
{
    sink *k = arg;
    assert_true(k->text_count < 8 && len < 256);
    memcpy(k->texts[k->text_count], msg, len);
    k->texts[k->text_count][len] = '\0';
    k->text_count++;
}

/* A client frame: FIN flag, opcode, masked payload. */
static size_t client_frame(uint8_t *out, bool fin, uint8_t opcode, const void *payload, size_t len)
{
    static const uint8_t mask[4] = {0x11, 0x22, 0x33, 0x44};
    size_t o = 0;
    out[o++] = (uint8_t)((fin ? 0x80 : 0) | opcode);
    if (len < 126) {
        out[o++] = (uint8_t)(0x80 | len);
    } else {
        out[o++] = 0x80 | 126;
        out[o++] = (uint8_t)(len >> 8);
        out[o++] = (uint8_t)(len & 0xff);
    }
    memcpy(out + o, mask, 4);
    o += 4;
    for (size_t i = 0; i < len; i++) {
        out[o + i] = ((const uint8_t *)payload)[i] ^ mask[i % 4];
    }
    return o + len;
}

/* The close code of the server's close frame in k->out, 0 if none. */
static unsigned close_code_sent(const sink *k)
{
    size_t i = 0;
    while (i + 2 <= k->out_len) {
        uint8_t op = k->out[i] & 0x0f;
        size_t len = k->out[i + 1] & 0x7f;
        size_t hdr = 2;
        if (len == 126) {
            len = ((size_t)k->out[i + 2] << 8) | k->out[i + 3];
            hdr = 4;
        }
        if (op == 0x8 && len >= 2) {
            return ((unsigned)k->out[i + hdr] << 8) | k->out[i + hdr + 1];
        }
        i += hdr + len;
    }
    return 0;
}

static sd_ws_session *open_session(sink *k, uint64_t msg_max)
{
    sd_ws_limits limits = {msg_max, 1024, 4};
    sd_ws_callbacks cb = {k, sink_write, sink_text};
    sd_ws_session *s = NULL;
    assert_int_equal(sd_ws_create(&limits, &cb, &s), SG_OK);
    return s;
}

static void test_accept_key_rfc_example(void **state)
{
    (void)state;
    char out[SD_WS_ACCEPT_LEN + 1];
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    assert_int_equal(sd_ws_accept_key(key, strlen(key), out), SG_OK);
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_int_equal(sd_ws_accept_key("short", 5, out), SG_E_INVALID);
    assert_int_equal(sd_ws_accept_key("!!!!!!!!!!!!!!!!!!!!!!==", 24, out), SG_E_INVALID);
}

static void test_text_across_any_split_and_fragments(void **state)
{
    (void)state;
    sink k;
    memset(&k, 0, sizeof k);
    sd_ws_session *s = open_session(&k, 1024);
    uint8_t wire[256];
    size_t n = client_frame(wire, false, 0x1, "{\"type\":", 8);
    n += client_frame(wire + n, true, 0x0, "\"ping\"}", 7);
    n += client_frame(wire + n, true, 0x9, "hi", 2); /* a ping between messages */
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sd_ws_feed(s, wire + i, 1), SG_OK);
    }
    assert_int_equal(sd_ws_flush(s), SG_OK);
    assert_int_equal(k.text_count, 1);
    assert_string_equal(k.texts[0], "{\"type\":\"ping\"}");
    assert_int_equal(k.out[0], 0x8a); /* the pong */
    assert_false(sd_ws_close_sent(s));
    sd_ws_destroy(s);
}

static unsigned violation(const uint8_t *wire, size_t n, uint64_t msg_max)
{
    sink k;
    memset(&k, 0, sizeof k);
    sd_ws_session *s = open_session(&k, msg_max);
    sd_ws_feed(s, wire, n);
    sd_ws_flush(s);
    unsigned code = close_code_sent(&k);
    assert_true(sd_ws_finished(s) || sd_ws_close_sent(s));
    assert_int_equal(k.text_count, 0);
    sd_ws_destroy(s);
    return code;
}

static void test_violations_get_their_close_codes(void **state)
{
    (void)state;
    uint8_t wire[512];
    size_t n = client_frame(wire, true, 0x1, "caf\xc3", 4); /* truncated UTF-8 */
    assert_int_equal(violation(wire, n, 1024), 1007);
    n = client_frame(wire, true, 0x1, "\xed\xa0\x80", 3); /* a surrogate */
    assert_int_equal(violation(wire, n, 1024), 1007);
    n = client_frame(wire, true, 0x2, "\x01\x02", 2);
    assert_int_equal(violation(wire, n, 1024), 1003);
    char big[300];
    memset(big, 'a', sizeof big);
    n = client_frame(wire, true, 0x1, big, sizeof big);
    assert_int_equal(violation(wire, n, 256), 1009);
    n = client_frame(wire, true, 0x1, "x", 1);
    wire[1] &= 0x7f; /* unmasked client frame */
    assert_int_equal(violation(wire, n - 4, 1024), 1002);
    n = client_frame(wire, true, 0x0, "x", 1); /* continuation with nothing to continue */
    assert_int_equal(violation(wire, n, 1024), 1002);
    n = client_frame(wire, true, 0x3, "x", 1); /* reserved opcode */
    assert_int_equal(violation(wire, n, 1024), 1002);
}

static void test_send_queue_bound_refuses_past_limits(void **state)
{
    (void)state;
    sink k;
    memset(&k, 0, sizeof k);
    k.block = true; /* a client that does not read */
    sd_ws_session *s = open_session(&k, 1024);
    uint8_t msg[300];
    memset(msg, 'x', sizeof msg);
    assert_int_equal(sd_ws_queue_text(s, msg, sizeof msg), SG_OK);
    assert_int_equal(sd_ws_queue_text(s, msg, sizeof msg), SG_OK);
    assert_int_equal(sd_ws_queue_text(s, msg, sizeof msg), SG_OK);
    assert_int_equal(sd_ws_flush(s), SG_OK);
    assert_int_equal(sd_ws_queue_text(s, msg, sizeof msg), SG_E_FULL); /* 1200 > 1024 bytes */
    uint64_t bytes = 0;
    uint32_t count = 0;
    sd_ws_queue_depth(s, &bytes, &count);
    assert_int_equal(count, 3);
    k.block = false; /* it reads again: the queue drains */
    assert_int_equal(sd_ws_flush(s), SG_OK);
    sd_ws_queue_depth(s, &bytes, &count);
    assert_int_equal(count, 0);
    assert_int_equal(sd_ws_queue_text(s, msg, sizeof msg), SG_OK);
    assert_int_equal(sd_ws_close(s, 1001, "bye"), SG_OK);
    assert_int_equal(sd_ws_queue_text(s, msg, 1), SG_E_STATE);
    sd_ws_destroy(s);
}

static void test_utf8_table(void **state)
{
    (void)state;
    assert_true(sd_utf8_valid((const uint8_t *)"", 0));
    assert_true(sd_utf8_valid((const uint8_t *)"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80", 15));
    assert_false(sd_utf8_valid((const uint8_t *)"\xc0\xaf", 2));         /* overlong '/' */
    assert_false(sd_utf8_valid((const uint8_t *)"\xe0\x80\xaf", 3));     /* overlong */
    assert_false(sd_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_false(sd_utf8_valid((const uint8_t *)"\xff", 1));
    assert_false(sd_utf8_valid((const uint8_t *)"\x80", 1));
    assert_false(sd_utf8_valid((const uint8_t *)"\xe2\x82", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_key_rfc_example),
        cmocka_unit_test(test_text_across_any_split_and_fragments),
        cmocka_unit_test(test_violations_get_their_close_codes),
        cmocka_unit_test(test_send_queue_bound_refuses_past_limits),
        cmocka_unit_test(test_utf8_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

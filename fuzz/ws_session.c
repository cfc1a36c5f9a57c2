/*
 * ws_session.c - fuzz target: stormglassd's server-side WebSocket session
 * (server/ws_session.c: wslay fed from byte buffers, UTF-8 and message
 * policy, the bounded send queue).
 *
 * Input: limits, then operations: raw bytes, well-formed client frames
 * built from the input (any opcode, fin, mask, length encoding, payload),
 * queued server messages, pings, closes, flushes through a transport that
 * takes everything, part, nothing (would block) or dies, and handshake
 * keys.  Checked:
 *   - every message handed to the application is valid UTF-8 (checked by
 *     an independent validator) and within the size limit; while the
 *     client sends only well-formed single frames, exactly the expected
 *     messages arrive in order, and a bad one gets the documented close:
 *     invalid UTF-8 1007, binary 1003, too big 1009;
 *   - the send queue refuses (SG_E_FULL) exactly past its bounds and
 *     refuses everything after a close; a dead transport stays dead; the
 *     close code never changes once sent; "finished" never goes back;
 *   - what the server writes parses as unmasked server frames with no
 *     reserved bits, its text frames are the accepted messages in order,
 *     and nothing follows its close frame;
 *   - the handshake key is accepted exactly when it is base64 of 16
 *     bytes, and the RFC 6455 example gives the RFC's answer.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ws_session.h"

#define OUT_MAX (256u * 1024u)   /* server bytes captured for the frame check */
#define SENT_MAX 64u             /* queued messages remembered */
#define EXPECT_MAX 64u
#define OPS_MAX 400u
#define PAYLOAD_MAX 300u

typedef struct msg {
    uint8_t bytes[PAYLOAD_MAX];
    size_t len;
} msg;

typedef struct model {
    sd_ws_session *s;
    sd_ws_limits limits;
    fuzz_input *in;
    uint8_t *out;            /* what the transport took */
    size_t out_len;
    bool out_truncated;
    bool transport_dead;
    bool accept_all;         /* final flush: the transport takes everything */
    msg sent[SENT_MAX];      /* accepted by sd_ws_queue_text, in order */
    uint32_t n_sent;
    bool sent_overflow;
    msg expect[EXPECT_MAX];  /* texts the client sent in clean frames, not yet delivered */
    uint32_t n_expect, expect_head;
    bool clean;              /* the client has only sent well-formed single frames */
    uint16_t expect_close;   /* close the server owes the client, 0 = none */
    uint16_t close_code;     /* first close code seen sent */
    bool finished;
    unsigned texts;
} model;

/* RFC 3629, written independently of server/utf8.c. */
static bool utf8_ok(const uint8_t *s, size_t n)
{
    static const uint32_t min_cp[4] = {0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            k = 0;
            cp = c;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1;
            cp = c & 0x1fu;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2;
            cp = c & 0x0fu;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (k >= n - i) {
            return false; /* truncated sequence */
        }
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) {
                return false;
            }
            cp = cp << 6 | (s[i + j] & 0x3fu);
        }
        if (cp < min_cp[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += k + 1;
    }
    return true;
}

/* ---- the transport and the application ------------------------------------ */

static ssize_t on_write(void *arg, const uint8_t *data, size_t len)
{
    model *m = arg;
    FUZZ_CHECK(!m->transport_dead && len > 0);
    size_t take = len;
    if (!m->accept_all && fuzz_left(m->in) > 0) { /* an exhausted input takes everything */
        uint8_t b = fuzz_u8(m->in);
        if (b < 8) {
            m->transport_dead = true;
            m->clean = false; /* nothing more is read: expectations end here */
            return -1;
        }
        if (b < 48) {
            return 0; /* would block */
        }
        take = b < 128 ? 1 + (size_t)b % len : len;
    }
    if (m->out_len + take <= OUT_MAX) {
        memcpy(m->out + m->out_len, data, take);
        m->out_len += take;
    } else {
        m->out_truncated = true;
    }
    return (ssize_t)take;
}

static void on_text(void *arg, const uint8_t *text, size_t len)
{
    model *m = arg;
    m->texts++;
    FUZZ_CHECK_MSG(utf8_ok(text, len), "invalid UTF-8 handed to the application");
    FUZZ_CHECK(len <= m->limits.message_bytes_max);
    if (m->clean) {
        FUZZ_CHECK_MSG(m->expect_head < m->n_expect, "a message the client never sent");
        const msg *want = &m->expect[m->expect_head++];
        FUZZ_CHECK_MSG(want->len == len && (len == 0 || memcmp(want->bytes, text, len) == 0),
                       "message differs from the frame"); /* an empty message may come as NULL */
    }
}

/* ---- client frames ------------------------------------------------------------ */

/* Encodes one client frame; len_form 0 = minimal length, 1 = 16-bit,
 * 2 = 64-bit (non-minimal forms are protocol violations). */
static size_t build_frame(uint8_t *out, uint8_t first, bool masked, uint32_t key, const uint8_t *payload,
                          size_t len, unsigned len_form)
{
    size_t n = 0;
    out[n++] = first;
    uint8_t mask_bit = masked ? 0x80 : 0;
    if (len_form == 0 && len < 126) {
        out[n++] = (uint8_t)(mask_bit | len);
    } else if (len_form <= 1 && len <= 0xffff) {
        out[n++] = mask_bit | 126;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    } else {
        out[n++] = mask_bit | 127;
        for (int i = 7; i >= 0; i--) {
            out[n++] = (uint8_t)((uint64_t)len >> (8 * i));
        }
    }
    uint8_t k[4] = {(uint8_t)(key >> 24), (uint8_t)(key >> 16), (uint8_t)(key >> 8), (uint8_t)key};
    if (masked) {
        memcpy(out + n, k, 4);
        n += 4;
    }
    for (size_t i = 0; i < len; i++) {
        out[n++] = masked ? payload[i] ^ k[i % 4] : payload[i];
    }
    return n;
}

static void feed(model *m, const uint8_t *bytes, size_t len)
{
    uint8_t *copy = (uint8_t *)fuzz_copy(bytes, len);
    sg_status st = sd_ws_feed(m->s, copy, len);
    free(copy);
    FUZZ_CHECK(st == SG_OK || st == SG_E_STATE);
    FUZZ_CHECK(st == SG_OK || m->transport_dead || !m->clean); /* a clean client never kills the session */
}

/* What the server owes a clean client frame (text/binary, fin, masked). */
static void expect_frame(model *m, uint8_t opcode, const uint8_t *payload, size_t len)
{
    if (!m->clean || m->expect_close != 0) {
        return;
    }
    if (len > m->limits.message_bytes_max) {
        m->expect_close = 1009;
    } else if (opcode == 2) {
        m->expect_close = 1003;
    } else if (!utf8_ok(payload, len)) {
        m->expect_close = 1007;
    } else if (m->n_expect < EXPECT_MAX) {
        m->expect[m->n_expect].len = len;
        memcpy(m->expect[m->n_expect++].bytes, payload, len);
    } else {
        m->clean = false;
    }
}

static void do_client_frame(model *m)
{
    static uint8_t frame[PAYLOAD_MAX + 14];
    uint8_t shape = fuzz_u8(m->in);
    uint8_t opcode = (uint8_t)(shape % 4 == 3 ? fuzz_u8(m->in) % 16u : (shape % 4 == 2 ? 9u : 1u + shape % 2u));
    bool fin = shape < 240, masked = shape != 0x55 && shape != 0xaa;
    uint8_t rsv = shape == 0x77 ? 0x40 : 0;
    unsigned len_form = shape == 0x66 ? 1u : shape == 0x99 ? 2u : 0u;
    uint32_t key = fuzz_u32(m->in);
    const uint8_t *payload;
    size_t len = fuzz_slice(m->in, PAYLOAD_MAX, &payload);
    if (opcode == 9 && len > 125) {
        len = 125; /* control frames carry at most 125 bytes */
    }
    size_t n = build_frame(frame, (uint8_t)((fin ? 0x80 : 0) | rsv | opcode), masked, key, payload, len, len_form);
    bool clean_frame = fin && masked && rsv == 0 && len_form == 0 && (opcode == 1 || opcode == 2 || opcode == 9);
    if (!clean_frame) {
        m->clean = false;
    }
    if (opcode == 1 || opcode == 2) {
        expect_frame(m, opcode, payload, len);
    } else if (opcode == 9 && m->clean && m->expect_close == 0 && len > m->limits.message_bytes_max) {
        m->expect_close = 1009; /* wslay applies the message limit to a ping's payload too */
    }
    uint32_t texts_before = m->texts;
    feed(m, frame, n);
    if (m->clean && m->expect_close == 0) {
        FUZZ_CHECK_MSG(m->expect_head == m->n_expect, "a clean text frame was not delivered (%u before)",
                       texts_before);
    }
}

/* ---- the server's side ---------------------------------------------------------- */

static void do_queue_text(model *m)
{
    const uint8_t *raw;
    size_t len = fuzz_slice(m->in, PAYLOAD_MAX, &raw);
    uint8_t text[PAYLOAD_MAX];
    for (size_t i = 0; i < len; i++) {
        text[i] = (uint8_t)(0x20 + raw[i] % 0x5f); /* the server sends JSON text: ASCII here */
    }
    uint64_t bytes;
    uint32_t count;
    sd_ws_queue_depth(m->s, &bytes, &count);
    sg_status st = sd_ws_queue_text(m->s, text, len);
    bool over = count + 1u > m->limits.queue_messages_max || bytes + len > m->limits.queue_bytes_max;
    if (st == SG_E_FULL) {
        FUZZ_CHECK_MSG(over, "refused with %u messages, %llu bytes queued", count, (unsigned long long)bytes);
        return;
    }
    if (st == SG_OK) {
        FUZZ_CHECK_MSG(!over, "accepted past the bounds (%u messages, %llu bytes)", count, (unsigned long long)bytes);
        FUZZ_CHECK(m->close_code == 0);
        if (m->n_sent < SENT_MAX) {
            m->sent[m->n_sent].len = len;
            memcpy(m->sent[m->n_sent++].bytes, text, len);
        } else {
            m->sent_overflow = true;
        }
        return;
    }
    FUZZ_CHECK_MSG(st == SG_E_STATE, "queue_text: %d", (int)st);
}

static void do_close(model *m)
{
    static const uint16_t codes[] = {1000, 1001, 1008, 1011, 4000};
    uint16_t code = codes[fuzz_u8(m->in) % 5u];
    const uint8_t *raw;
    size_t len = fuzz_slice(m->in, 122, &raw);
    char reason[123];
    for (size_t i = 0; i < len; i++) {
        reason[i] = (char)(0x20 + raw[i] % 0x5f);
    }
    reason[len] = '\0';
    FUZZ_CHECK(sd_ws_close(m->s, code, reason) == SG_OK || m->transport_dead);
    if (m->expect_close == 0 && m->clean) {
        m->expect_close = code; /* the first close queued is the one that goes out */
    }
    m->clean = false; /* after our close the client's messages may be dropped */
}

static void do_accept_key(model *m)
{
    static const char rfc_key[] = "dGhlIHNhbXBsZSBub25jZQ==";
    char out[SD_WS_ACCEPT_LEN + 1];
    if (fuzz_bool(m->in)) {
        FUZZ_CHECK(sd_ws_accept_key(rfc_key, 24, out) == SG_OK);
        FUZZ_CHECK(strcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == 0); /* RFC 6455 section 1.3 */
        return;
    }
    const uint8_t *raw;
    size_t len = fuzz_slice(m->in, 30, &raw);
    char *key = fuzz_copy(raw, len);
    sg_status st = sd_ws_accept_key(key, len, out);
    if (st == SG_OK) {
        FUZZ_CHECK(len == 24 && key[22] == '=' && key[23] == '=' && strlen(out) == SD_WS_ACCEPT_LEN);
    } else {
        FUZZ_CHECK(st == SG_E_INVALID);
    }
    free(key);
}

static void after_step(model *m)
{
    uint16_t code = sd_ws_close_code(m->s);
    FUZZ_CHECK_MSG(m->close_code == 0 || code == m->close_code, "close code changed %u -> %u", m->close_code, code);
    m->close_code = code;
    bool finished = sd_ws_finished(m->s);
    FUZZ_CHECK(finished || !m->finished);
    m->finished = finished;
    FUZZ_CHECK(!m->transport_dead || sd_ws_flush(m->s) == SG_E_STATE);
}

/* ---- what went on the wire ---------------------------------------------------------- */

/* Parses the server's bytes: unmasked, no reserved bits, known opcodes,
 * texts equal to the accepted messages in order, nothing after the close. */
static void check_wire(const model *m)
{
    size_t i = 0;
    uint32_t texts = 0;
    bool closed = false;
    while (i + 2 <= m->out_len) {
        uint8_t b0 = m->out[i], b1 = m->out[i + 1];
        uint8_t op = b0 & 0x0f;
        FUZZ_CHECK_MSG(!closed, "a frame after the close frame");
        FUZZ_CHECK_MSG((b0 & 0x70) == 0 && (b1 & 0x80) == 0, "reserved bits or a mask in a server frame");
        FUZZ_CHECK_MSG(op == 1 || op == 8 || op == 9 || op == 10, "server opcode %u", op);
        FUZZ_CHECK(b0 & 0x80); /* no fragmentation */
        size_t hdr = 2, len = b1 & 0x7f;
        if (len == 126 || len == 127) {
            size_t ext = len == 126 ? 2 : 8;
            if (i + 2 + ext > m->out_len) {
                return; /* cut short by a transport that died */
            }
            len = 0;
            for (size_t j = 0; j < ext; j++) {
                len = len << 8 | m->out[i + 2 + j];
            }
            hdr += ext;
        }
        if (i + hdr + len > m->out_len) {
            return;
        }
        const uint8_t *p = m->out + i + hdr;
        if (op == 1 && !m->sent_overflow) {
            FUZZ_CHECK_MSG(texts < m->n_sent, "a text frame nobody queued");
            FUZZ_CHECK_MSG(m->sent[texts].len == len && memcmp(m->sent[texts].bytes, p, len) == 0,
                           "text frame %u differs from the queued message", texts);
            texts++;
        } else if (op == 8) {
            FUZZ_CHECK(len == 0 || (len >= 2 && (uint16_t)(p[0] << 8 | p[1]) == m->close_code));
            closed = true;
        } else if (op == 9 || op == 10) {
            FUZZ_CHECK(len <= 125);
        }
        i += hdr + len;
    }
}

static void final_flush(model *m)
{
    m->accept_all = true;
    for (int n = 0; n < 100 && sd_ws_wants_write(m->s); n++) {
        FUZZ_CHECK(sd_ws_flush(m->s) == SG_OK);
    }
    after_step(m);
    if (!m->transport_dead) {
        FUZZ_CHECK(!sd_ws_wants_write(m->s));
        FUZZ_CHECK_MSG(m->expect_close == 0 || m->close_code == m->expect_close, "close %u, expected %u",
                       m->close_code, m->expect_close);
        FUZZ_CHECK(!m->clean || m->expect_close != 0 || m->expect_head == m->n_expect);
    }
    if (!m->out_truncated) {
        check_wire(m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static model m; /* large: reset below */
    static uint8_t out[OUT_MAX];
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    memset(&m, 0, sizeof m);
    m.in = &in;
    m.out = out;
    m.clean = true;
    m.limits.message_bytes_max = 1u + fuzz_u16(&in) % 512u;
    m.limits.queue_bytes_max = fuzz_u16(&in) % 4096u;
    m.limits.queue_messages_max = fuzz_u8(&in) % 16u;
    sd_ws_callbacks cb = {&m, on_write, on_text};
    FUZZ_CHECK(sd_ws_create(&m.limits, &cb, &m.s) == SG_OK);
    for (unsigned i = 0; i < OPS_MAX && fuzz_left(&in) > 0; i++) {
        switch (fuzz_u8(&in) % 8) {
        case 0: {
            const uint8_t *raw;
            size_t len = fuzz_slice(&in, 512, &raw);
            m.clean = false;
            feed(&m, raw, len);
            break;
        }
        case 1: case 2: do_client_frame(&m); break;
        case 3: do_queue_text(&m); break;
        case 4: (void)sd_ws_ping(m.s); break;
        case 5: do_close(&m); break;
        case 6: (void)sd_ws_flush(m.s); break;
        default: do_accept_key(&m); break;
        }
        after_step(&m);
    }
    final_flush(&m);
    sd_ws_destroy(m.s);
    return 0;
}

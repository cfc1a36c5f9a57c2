/*
 * bcast_fixture.h - a tiny driver for broadcaster tests: it owns the
 * simulated clock, logs every action the core emits, runs timers up to a
 * time, and answers the reader's CONNECT/SUBSCRIBE on request, so a test
 * reads like a timeline.  Header-only (static functions) so every suite
 * links only the core library.
 */
#ifndef STORMGLASS_BCAST_FIXTURE_H
#define STORMGLASS_BCAST_FIXTURE_H

#include "test_util.h"

#include <stdbool.h>
#include <stdlib.h>

#include "stormglass/bcast.h"

#define FX_LOG_MAX 8192

typedef struct fx {
    sg_bcast *b;
    sg_time_ns now;
    sg_bcast_action log[FX_LOG_MAX];
    size_t n;    /* actions logged */
    size_t mark; /* fx_since counts from here */
    size_t answered; /* PUBLISH actions before this index were answered */
} fx;

/* Deterministic defaults for tests: no settle jitter, exponential backoff
 * 1 s, 2 s, 4 s, 8 s (cap), small capacities. */
static inline sg_bcast_config fx_config(void)
{
    sg_bcast_config c = sg_bcast_config_default();
    c.worker_id = 1;
    c.epoch = 100;
    c.seed = 7;
    c.backoff = sg_backoff_config_default(SG_BACKOFF_EXPONENTIAL);
    c.backoff.base_ns = S(1);
    c.backoff.max_ns = S(8);
    c.settle_jitter_ns = 0;
    c.clients_max = 1024;
    c.peers_max = 16;
    return c;
}

static inline void fx_drain(fx *f)
{
    sg_bcast_action a;
    while (sg_bcast_poll_action(f->b, &a)) {
        assert_true(f->n < FX_LOG_MAX);
        f->log[f->n++] = a;
    }
}

static inline fx *fx_new(const sg_bcast_config *c)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    sg_error err;
    assert_int_equal(sg_bcast_create(c, 0, &f->b, &err), SG_OK);
    return f;
}

static inline void fx_free(fx *f)
{
    sg_bcast_destroy(f->b);
    free(f);
}

/* Starts counting actions from now on (fx_since). */
static inline void fx_mark(fx *f)
{
    fx_drain(f);
    f->mark = f->n;
}

static inline size_t fx_count_from(fx *f, size_t from, sg_bcast_action_kind kind)
{
    fx_drain(f);
    size_t c = 0;
    for (size_t i = from; i < f->n; i++) {
        c += f->log[i].kind == kind ? 1u : 0u;
    }
    return c;
}

static inline size_t fx_since(fx *f, sg_bcast_action_kind kind)
{
    return fx_count_from(f, f->mark, kind);
}

static inline size_t fx_notes_since(fx *f, sg_bcast_note_kind note)
{
    fx_drain(f);
    size_t c = 0;
    for (size_t i = f->mark; i < f->n; i++) {
        c += (f->log[i].kind == SG_ACT_NOTE && f->log[i].u.note.note == note) ? 1u : 0u;
    }
    return c;
}

/* The last logged action of this kind, or NULL. */
static inline const sg_bcast_action *fx_last(fx *f, sg_bcast_action_kind kind)
{
    fx_drain(f);
    for (size_t i = f->n; i > 0; i--) {
        if (f->log[i - 1].kind == kind) {
            return &f->log[i - 1];
        }
    }
    return NULL;
}

/* Fires every timer due up to `to` (in order), then sets the clock to `to`. */
static inline void fx_run_until(fx *f, sg_time_ns to)
{
    for (int guard = 0; guard < 1000000; guard++) {
        fx_drain(f);
        sg_time_ns d = sg_bcast_next_deadline(f->b);
        if (d > to) {
            break;
        }
        if (d > f->now) {
            f->now = d;
        }
        sg_bcast_on_timer(f->b, f->now);
    }
    f->now = to;
    fx_drain(f);
}

static inline void fx_advance(fx *f, sg_duration_ns by)
{
    fx_run_until(f, f->now + by);
}

static inline sg_bcast_stats fx_stats(fx *f)
{
    sg_bcast_stats s;
    sg_bcast_stats_get(f->b, &s);
    return s;
}

static inline sg_client_handle fx_client(fx *f, uint64_t cookie)
{
    sg_client_handle h;
    assert_int_equal(sg_bcast_client_register(f->b, f->now, cookie, &h), SG_OK);
    fx_drain(f);
    return h;
}

/* Answers a pending CONNECT and SUBSCRIBE successfully. */
static inline void fx_connect(fx *f)
{
    assert_int_equal(fx_stats(f).reader, SG_READER_CONNECTING);
    sg_bcast_on_connected(f->b, f->now);
    sg_bcast_on_subscribed(f->b, f->now);
    fx_drain(f);
    assert_int_equal(fx_stats(f).reader, SG_READER_READING);
}

/* Delivers one DATA message from `origin` (epoch, seq); returns the verdict. */
static inline sg_msg_verdict fx_msg(fx *f, uint32_t origin, uint64_t epoch, uint64_t seq)
{
    sg_bcast_header h = {.origin = origin, .kind = SG_MSG_DATA, .epoch = epoch, .seq = seq};
    sg_msg_verdict v = sg_bcast_on_message(f->b, f->now, &h, 10);
    fx_drain(f);
    return v;
}

/* Answers every CLOSE_CLIENT logged since `from` by unregistering the
 * client (what a driver does after closing it); returns how many. */
static inline size_t fx_close_clients(fx *f, size_t from)
{
    fx_drain(f);
    size_t n = 0;
    size_t end = f->n;
    for (size_t i = from; i < end; i++) {
        if (f->log[i].kind == SG_ACT_CLOSE_CLIENT) {
            assert_int_equal(sg_bcast_client_unregister(f->b, f->now, f->log[i].u.close_client.handle), SG_OK);
            n++;
        }
    }
    fx_drain(f);
    return n;
}

/* Answers every unanswered replay PUBLISH with `ok` (in order), including
 * the ones each answer releases, up to `limit` answers; returns how many.
 * Payload bytes of the answered items go to `first_bytes` (first byte of
 * each payload) when not NULL. */
static inline size_t fx_answer_replays(fx *f, bool ok, size_t limit, uint8_t *first_bytes)
{
    size_t done = 0;
    fx_drain(f);
    while (done < limit && f->answered < f->n) {
        const sg_bcast_action *a = &f->log[f->answered++];
        if (a->kind != SG_ACT_PUBLISH) {
            continue;
        }
        if (first_bytes != NULL) {
            first_bytes[done] = a->u.publish.len > 0 ? a->u.publish.payload[0] : 0;
        }
        sg_bcast_on_replay_result(f->b, f->now, ok);
        fx_drain(f);
        done++;
    }
    return done;
}

/* A worker `id` with one client, its reader subscribed, counting from now. */
static inline fx *fx_worker(uint32_t id, sg_bcast_config c)
{
    c.worker_id = id;
    fx *f = fx_new(&c);
    (void)fx_client(f, 1);
    fx_connect(f);
    fx_mark(f);
    return f;
}

/* Carries a message (from another worker's core) to f; the verdict. */
static inline sg_msg_verdict fx_relay(fx *f, const sg_bcast_header *h)
{
    sg_msg_verdict v = sg_bcast_on_message(f->b, f->now, h, 8);
    fx_drain(f);
    return v;
}

/* Publishes a one-byte-tagged payload of `len` bytes (tag in byte 0). */
static inline sg_publish_result fx_publish(fx *f, uint8_t tag, uint32_t len)
{
    uint8_t buf[256];
    assert_true(len <= sizeof buf);
    memset(buf, tag, sizeof buf);
    sg_publish_result r = sg_bcast_publish(f->b, f->now, buf, len);
    fx_drain(f);
    return r;
}

/* Publishes straight out (SEND expected) and reports it sent; its header. */
static inline sg_bcast_header fx_sent(fx *f, uint8_t tag)
{
    sg_publish_result r = fx_publish(f, tag, 8);
    assert_int_equal(r.verdict, SG_PUBLISH_SEND);
    uint8_t p[8];
    memset(p, tag, sizeof p);
    sg_bcast_on_publish_result(f->b, f->now, &r.header, p, 8, true);
    fx_drain(f);
    return r.header;
}

#endif

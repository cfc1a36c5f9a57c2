/*
 * bb_shell.c - the parts every network adapter keeps the same way (see
 * bb_shell.h).
 */
#include "bb_shell.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static void maybe_release(bb_shell *s)
{
    if (s->destroyed && s->open_handles == 0) {
        s->release(s);
    }
}

void bb_shell_handle_closed(bb_shell *s)
{
    assert(s->open_handles > 0);
    s->open_handles--;
    maybe_release(s);
}

static void on_timer_closed(uv_handle_t *h)
{
    bb_shell_handle_closed(h->data);
}

static void on_relay_closed(bb_relay *r)
{
    bb_shell *s = (bb_shell *)((char *)r - offsetof(bb_shell, relay));
    bb_shell_handle_closed(s);
}

void bb_shell_init(bb_shell *s, uv_loop_t *loop, const sd_backbone_limits *limits, const sd_backbone_events *events,
                   void (*release)(bb_shell *s))
{
    assert(s != NULL && loop != NULL && limits != NULL && events != NULL && release != NULL);
    memset(s, 0, sizeof *s);
    s->loop = loop;
    s->limits = *limits;
    s->release = release;
    bb_relay_init(&s->relay, loop, events, limits->queue_items_max, limits->queue_bytes_max);
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    s->open_handles = 2; /* timer + relay */
}

void bb_shell_close(bb_shell *s)
{
    assert(!s->destroyed);
    s->destroyed = true;
    bb_relay_close(&s->relay, on_relay_closed);
    uv_timer_stop(&s->timer);
    uv_close((uv_handle_t *)&s->timer, on_timer_closed);
}

void bb_shell_timer_start(bb_shell *s, sg_duration_ns timeout_ns, uv_timer_cb cb)
{
    uint64_t ms = timeout_ns > 0 ? (uint64_t)(timeout_ns / SG_NS_PER_MS) : 1;
    uv_timer_start(&s->timer, cb, ms > 0 ? ms : 1, 0);
}

void bb_shell_timer_stop(bb_shell *s)
{
    uv_timer_stop(&s->timer);
}

static bool count_in(bb_shell *s, size_t len, sg_status *st)
{
    if (s->queued >= s->limits.queue_items_max || s->queued_bytes + len > s->limits.queue_bytes_max) {
        *st = SG_E_FULL;
        return false;
    }
    s->queued++;
    s->queued_bytes += len;
    return true;
}

static void count_out(bb_shell *s, size_t len)
{
    assert(s->queued > 0 && s->queued_bytes >= len);
    s->queued--;
    s->queued_bytes -= len;
}

bb_publish_req *bb_shell_publish_req(bb_shell *s, sd_publish_kind kind, const uint8_t *msg, size_t len,
                                     sg_status *st)
{
    if (!count_in(s, len, st)) {
        return NULL;
    }
    bb_publish_req *p = malloc(sizeof *p + len);
    if (p == NULL) {
        count_out(s, len);
        *st = SG_E_NOMEM;
        return NULL;
    }
    p->kind = kind;
    p->len = len;
    memcpy(p->msg, msg, len);
    *st = SG_OK;
    return p;
}

bb_fetch_req *bb_shell_fetch_req(bb_shell *s, const char *topic, size_t topic_len, uint64_t cookie, sd_state_cb cb,
                                 void *arg, sg_status *st)
{
    if (!count_in(s, topic_len, st)) {
        return NULL;
    }
    bb_fetch_req *f = malloc(sizeof *f + topic_len);
    if (f == NULL) {
        count_out(s, topic_len);
        *st = SG_E_NOMEM;
        return NULL;
    }
    f->cb = cb;
    f->arg = arg;
    f->cookie = cookie;
    f->topic_len = topic_len;
    memcpy(f->topic, topic, topic_len);
    *st = SG_OK;
    return f;
}

void bb_shell_publish_cancel(bb_shell *s, bb_publish_req *p)
{
    count_out(s, p->len);
    free(p);
}

void bb_shell_fetch_cancel(bb_shell *s, bb_fetch_req *f)
{
    count_out(s, f->topic_len);
    free(f);
}

void bb_shell_publish_done(bb_shell *s, bb_publish_req *p, bool ok)
{
    count_out(s, p->len);
    s->published += ok;
    s->publish_failures += !ok;
    bb_relay_publish_done(&s->relay, p->kind, p->msg, p->len, ok);
    free(p);
}

void bb_shell_fetch_done(bb_shell *s, bb_fetch_req *f, sg_status st, const uint8_t *state, size_t len,
                         const char *why)
{
    count_out(s, f->topic_len);
    bb_relay_state(&s->relay, f->cb, f->arg, f->cookie, f->topic, f->topic_len, st, state, len, why);
    free(f);
}

sg_status bb_shell_publish(bb_shell *s, bool connected, uint32_t payload_max, sd_publish_kind kind,
                           const uint8_t *msg, size_t len, sg_status (*send)(void *ctx, bb_publish_req *p),
                           void *ctx)
{
    if (len > payload_max) {
        return SG_E_TOO_BIG;
    }
    if (!connected) {
        return SG_E_STATE;
    }
    sg_status st = SG_OK;
    bb_publish_req *p = bb_shell_publish_req(s, kind, msg, len, &st);
    if (p != NULL && (st = send(ctx, p)) != SG_OK) {
        bb_shell_publish_cancel(s, p);
    }
    return st;
}

sg_status bb_shell_fetch(bb_shell *s, bool connected, const char *topic, size_t topic_len, uint64_t cookie,
                         sd_state_cb cb, void *arg, sg_status (*send)(void *ctx, bb_fetch_req *f), void *ctx)
{
    if (!connected) {
        return SG_E_STATE;
    }
    sg_status st = SG_OK;
    bb_fetch_req *f = bb_shell_fetch_req(s, topic, topic_len, cookie, cb, arg, &st);
    if (f != NULL && (st = send(ctx, f)) != SG_OK) {
        bb_shell_fetch_cancel(s, f);
    }
    return st;
}

void bb_shell_stats(const bb_shell *s, bool connected, bool subscribed, int fd, uint64_t extra_items,
                    sd_backbone_stats *out)
{
    memset(out, 0, sizeof *out);
    out->connected = connected;
    out->subscribed = subscribed;
    out->fd = fd;
    out->published = s->published;
    out->publish_failures = s->publish_failures;
    out->received = s->received;
    uint64_t items = 0, bytes = 0;
    bb_relay_depth(&s->relay, &items, &bytes);
    out->queue_depth = s->queued + items + extra_items;
    out->queue_bytes = s->queued_bytes + bytes;
}

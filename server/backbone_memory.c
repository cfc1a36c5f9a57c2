/*
 * backbone_memory.c - memory://, the embedded single-instance backbone.
 *
 * Pub/sub and the topic-state store live inside the process, so the
 * server runs with no setup.  It still behaves like a network backbone
 * towards the driver: every result arrives later from the loop (a uv_idle
 * drains one FIFO of pending events, so their order is the order of the
 * calls), a session must subscribe after each connect, and messages
 * published while nobody is subscribed are lost, as on Redis pub/sub.
 *
 * URI options (for drills and tests):
 *   memory://?refuse=N       refuse the first N connect attempts
 *   memory://?refuse=always  the backbone is unreachable
 * inject_drop() ends the session as if the network failed.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "backbone.h"
#include "topics.h"
#include "wire.h"

typedef enum pending_kind {
    PEND_CONNECTED = 1,
    PEND_CONNECT_FAILED,
    PEND_SUBSCRIBED,
    PEND_DROPPED,
    PEND_PUBLISH,  /* report publish_done, then deliver if subscribed */
    PEND_FETCH
} pending_kind;

typedef struct pending {
    pending_kind kind;
    uint64_t session;      /* events of an ended session are not reported (publishes: ok=false) */
    sd_publish_kind publish_kind;
    uint8_t *msg;          /* PUBLISH: owned copy; FETCH: topic name */
    size_t len;
    uint64_t cookie;
    sd_state_cb cb;
    void *cb_arg;
    struct pending *next;
} pending;

struct sd_backbone {
    uv_loop_t *loop;
    uv_idle_t idle;
    sd_backbone_events ev;
    sd_backbone_limits limits;
    sd_topics store;
    uint64_t session;      /* bumped on connect and on every end of a session */
    bool connected, subscribed;
    uint64_t refuse_left;  /* UINT64_MAX = always */
    pending *head, *tail;
    uint32_t queued;
    uint64_t queued_bytes;
    uint64_t published, publish_failures, received;
    bool destroyed;
};

static void drain(uv_idle_t *idle);

static sg_status push(sd_backbone *bb, pending_kind kind, const uint8_t *data, size_t len, pending **out)
{
    if (bb->queued >= bb->limits.queue_items_max || bb->queued_bytes + len > bb->limits.queue_bytes_max) {
        return SG_E_FULL;
    }
    pending *p = calloc(1, sizeof *p);
    uint8_t *copy = len > 0 ? malloc(len) : NULL;
    if (p == NULL || (len > 0 && copy == NULL)) {
        free(p);
        free(copy);
        return SG_E_NOMEM;
    }
    if (len > 0) {
        memcpy(copy, data, len);
    }
    p->kind = kind;
    p->session = bb->session;
    p->msg = copy;
    p->len = len;
    if (bb->tail != NULL) {
        bb->tail->next = p;
    } else {
        bb->head = p;
    }
    bb->tail = p;
    bb->queued++;
    bb->queued_bytes += len;
    uv_idle_start(&bb->idle, drain);
    if (out != NULL) {
        *out = p;
    }
    return SG_OK;
}

static void end_session(sd_backbone *bb)
{
    bb->session++;
    bb->connected = false;
    bb->subscribed = false;
}

static void deliver_publish(sd_backbone *bb, pending *p, bool live)
{
    bool ok = live && bb->connected;
    if (ok) {
        sg_bcast_header h;
        sd_wire_body body;
        if (sd_wire_decode(p->msg, p->len, &h, &body, NULL) == SG_OK && h.kind == SG_MSG_DATA) {
            sd_topic *t = NULL;
            ok = sd_topics_get(&bb->store, body.topic, body.topic_len, &t) == SG_OK &&
                 sd_topic_set_state(&bb->store, t, body.payload, body.payload_len) == SG_OK;
        }
    }
    bb->published += ok;
    bb->publish_failures += !ok;
    bb->ev.publish_done(bb->ev.ctx, p->publish_kind, p->msg, p->len, ok);
    if (ok && !bb->destroyed && bb->subscribed) {
        bb->received++;
        bb->ev.message(bb->ev.ctx, p->msg, p->len);
    }
}

static void deliver_fetch(sd_backbone *bb, pending *p)
{
    const char *topic = (const char *)p->msg;
    if (!bb->connected) {
        p->cb(p->cb_arg, p->cookie, topic, p->len, SG_E_STATE, NULL, 0, "backbone not connected");
        return;
    }
    const sd_topic *t = sd_topics_find(&bb->store, topic, p->len);
    p->cb(p->cb_arg, p->cookie, topic, p->len, SG_OK, t != NULL ? t->state : NULL, t != NULL ? t->state_len : 0,
          NULL);
}

static void deliver(sd_backbone *bb, pending *p)
{
    bool live = p->session == bb->session;
    switch (p->kind) {
    case PEND_CONNECTED:
        if (live) {
            bb->connected = true;
            bb->ev.connected(bb->ev.ctx);
        }
        break;
    case PEND_CONNECT_FAILED:
        if (live) {
            bb->ev.connect_failed(bb->ev.ctx, "memory://?refuse: connection refused");
        }
        break;
    case PEND_SUBSCRIBED:
        if (live && bb->connected) {
            bb->subscribed = true;
            bb->ev.subscribed(bb->ev.ctx);
        }
        break;
    case PEND_DROPPED: bb->ev.dropped(bb->ev.ctx, "memory://: session ended by inject_drop"); break;
    case PEND_PUBLISH: deliver_publish(bb, p, live); break;
    case PEND_FETCH: deliver_fetch(bb, p); break;
    }
}

/* Runs pending events in order; events queued while draining wait for the
 * next loop turn, so one busy turn cannot starve the sockets. */
static void drain(uv_idle_t *idle)
{
    sd_backbone *bb = idle->data;
    uint32_t budget = bb->queued;
    while (budget-- > 0 && bb->head != NULL && !bb->destroyed) {
        pending *p = bb->head;
        bb->head = p->next;
        if (bb->head == NULL) {
            bb->tail = NULL;
        }
        bb->queued--;
        bb->queued_bytes -= p->len;
        deliver(bb, p);
        free(p->msg);
        free(p);
    }
    if (bb->head == NULL) {
        uv_idle_stop(&bb->idle);
    }
}

static sg_status parse_options(sd_backbone *bb, const char *uri, sg_error *err)
{
    const char *q = strchr(uri, '?');
    const char *rest = uri + strlen("memory://");
    if ((q == NULL && *rest != '\0') || (q != NULL && q != rest)) {
        return sg_error_set(err, SG_E_INVALID, "--backbone: memory:// takes no host or path (got \"%.60s\")", uri);
    }
    if (q == NULL) {
        return SG_OK;
    }
    if (strcmp(q, "?refuse=always") == 0) {
        bb->refuse_left = UINT64_MAX;
        return SG_OK;
    }
    char *end = NULL;
    if (strncmp(q, "?refuse=", 8) == 0 && q[8] >= '0' && q[8] <= '9') {
        unsigned long long n = strtoull(q + 8, &end, 10);
        if (*end == '\0' && n < UINT64_MAX) {
            bb->refuse_left = n;
            return SG_OK;
        }
    }
    return sg_error_set(err, SG_E_INVALID, "--backbone: memory:// options: ?refuse=N or ?refuse=always (got \"%.60s\")",
                        q);
}

static sg_status mem_create(uv_loop_t *loop, const char *uri, const sd_backbone_limits *limits,
                            const sd_backbone_events *events, sd_backbone **out, sg_error *err)
{
    assert(loop != NULL && limits != NULL && events != NULL && out != NULL);
    *out = NULL;
    sd_backbone *bb = calloc(1, sizeof *bb);
    if (bb == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "memory://: out of memory");
    }
    bb->loop = loop;
    bb->ev = *events;
    bb->limits = *limits;
    sg_status st = parse_options(bb, uri, err);
    if (st == SG_OK && sd_topics_init(&bb->store, limits->topics_max, limits->state_bytes_max) != SG_OK) {
        st = sg_error_set(err, SG_E_NOMEM, "memory://: out of memory");
    }
    if (st != SG_OK) {
        free(bb);
        return st;
    }
    uv_idle_init(loop, &bb->idle);
    bb->idle.data = bb;
    *out = bb;
    return SG_OK;
}

static void on_idle_closed(uv_handle_t *h)
{
    sd_backbone *bb = h->data;
    sd_topics_free(&bb->store);
    free(bb);
}

static void mem_destroy(sd_backbone *bb)
{
    bb->destroyed = true;
    while (bb->head != NULL) {
        pending *p = bb->head;
        bb->head = p->next;
        free(p->msg);
        free(p);
    }
    bb->tail = NULL;
    uv_idle_stop(&bb->idle);
    uv_close((uv_handle_t *)&bb->idle, on_idle_closed);
}

static sg_status mem_connect(sd_backbone *bb, sg_duration_ns timeout_ns)
{
    (void)timeout_ns; /* nothing to wait for in memory */
    if (bb->connected) {
        return SG_E_STATE;
    }
    end_session(bb); /* a new session: stale events of the previous one are ignored */
    bool refuse = bb->refuse_left > 0;
    if (refuse && bb->refuse_left != UINT64_MAX) {
        bb->refuse_left--;
    }
    return push(bb, refuse ? PEND_CONNECT_FAILED : PEND_CONNECTED, NULL, 0, NULL);
}

static sg_status mem_subscribe(sd_backbone *bb)
{
    return push(bb, PEND_SUBSCRIBED, NULL, 0, NULL);
}

static void mem_disconnect(sd_backbone *bb)
{
    end_session(bb);
}

static sg_status mem_publish(sd_backbone *bb, sd_publish_kind kind, const uint8_t *msg, size_t len)
{
    if (len > SG_BCAST_PAYLOAD_MAX) {
        return SG_E_TOO_BIG;
    }
    if (!bb->connected) {
        return SG_E_STATE;
    }
    pending *p = NULL;
    sg_status st = push(bb, PEND_PUBLISH, msg, len, &p);
    if (st == SG_OK) {
        p->publish_kind = kind;
    }
    return st;
}

static sg_status mem_fetch_state(sd_backbone *bb, const char *topic, size_t topic_len, uint64_t cookie,
                                 sd_state_cb cb, void *arg)
{
    pending *p = NULL;
    sg_status st = push(bb, PEND_FETCH, (const uint8_t *)topic, topic_len, &p);
    if (st == SG_OK) {
        p->cookie = cookie;
        p->cb = cb;
        p->cb_arg = arg;
        p->session = 0; /* answered whatever happens to the session */
    }
    return st;
}

static uint32_t mem_payload_max(const sd_backbone *bb)
{
    (void)bb;
    return SG_BCAST_PAYLOAD_MAX;
}

static void mem_stats(const sd_backbone *bb, sd_backbone_stats *out)
{
    memset(out, 0, sizeof *out);
    out->connected = bb->connected;
    out->subscribed = bb->subscribed;
    out->fd = -1;
    out->published = bb->published;
    out->publish_failures = bb->publish_failures;
    out->received = bb->received;
    out->queue_depth = bb->queued;
    out->queue_bytes = bb->queued_bytes;
}

static sg_status mem_inject_drop(sd_backbone *bb)
{
    if (!bb->connected) {
        return SG_E_STATE;
    }
    end_session(bb);
    return push(bb, PEND_DROPPED, NULL, 0, NULL);
}

const sd_backbone_ops sd_backbone_memory = {
    .scheme = "memory",
    .summary = "embedded single-instance backbone (no setup)",
    .create = mem_create,
    .destroy = mem_destroy,
    .connect = mem_connect,
    .subscribe = mem_subscribe,
    .disconnect = mem_disconnect,
    .publish = mem_publish,
    .fetch_state = mem_fetch_state,
    .payload_max = mem_payload_max,
    .stats = mem_stats,
    .inject_drop = mem_inject_drop,
};

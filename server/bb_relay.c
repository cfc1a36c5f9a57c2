/*
 * bb_relay.c - the ordered event queue between a network adapter and the
 * driver (see bb_relay.h for why everything is queued).
 *
 * One allocation per item: the header and its bytes (message, publish
 * copy, topic + state, or the reason text) in a flexible array.  If that
 * allocation fails for an event that must not be lost (a publish result,
 * a state answer, a session event), it is delivered at once instead:
 * out of order beats lost, and the driver tolerates both.
 */
#include "bb_relay.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define WHY_MAX 200u /* reasons are log text: longer ones are cut */

typedef enum item_kind {
    ITEM_SESSION = 1,
    ITEM_MESSAGE,
    ITEM_PUBLISH_DONE,
    ITEM_STATE
} item_kind;

struct bb_relay_item {
    item_kind kind;
    uint64_t session;
    bb_session_event what;
    sd_publish_kind publish_kind;
    bool ok;
    bool has_state;        /* ITEM_STATE: false = no state yet (NULL) */
    sg_status st;
    sd_state_cb cb;
    void *arg;
    uint64_t cookie;
    size_t len;            /* message / publish copy / state bytes */
    size_t topic_len;      /* ITEM_STATE: topic bytes precede the state */
    size_t why_len;        /* reason text after everything else, NUL-terminated */
    struct bb_relay_item *next;
    uint8_t data[];
};

static void drain(uv_idle_t *idle);

void bb_relay_init(bb_relay *r, uv_loop_t *loop, const sd_backbone_events *ev, uint32_t messages_max,
                   uint64_t message_bytes_max)
{
    assert(r != NULL && loop != NULL && ev != NULL);
    memset(r, 0, sizeof *r);
    r->ev = *ev;
    r->messages_max = messages_max;
    r->message_bytes_max = message_bytes_max;
    r->session = 1;
    uv_idle_init(loop, &r->idle);
    r->idle.data = r;
}

static void free_all(bb_relay *r)
{
    while (r->head != NULL) {
        bb_relay_item *it = r->head;
        r->head = it->next;
        free(it);
    }
    r->tail = NULL;
    r->count = 0;
    r->bytes = 0;
    r->messages = 0;
    r->message_bytes = 0;
}

static void on_idle_closed(uv_handle_t *h)
{
    bb_relay *r = h->data;
    if (r->on_closed != NULL) {
        r->on_closed(r);
    }
}

void bb_relay_close(bb_relay *r, void (*on_closed)(bb_relay *r))
{
    assert(!r->closed);
    r->closed = true;
    r->on_closed = on_closed;
    free_all(r);
    uv_idle_stop(&r->idle);
    uv_close((uv_handle_t *)&r->idle, on_idle_closed);
}

uint64_t bb_relay_next_session(bb_relay *r)
{
    return ++r->session;
}

static size_t why_length(const char *why)
{
    size_t n = why != NULL ? strlen(why) : 0;
    return n > WHY_MAX ? WHY_MAX : n;
}

static bb_relay_item *item_new(item_kind kind, size_t bytes, const char *why)
{
    size_t why_len = why_length(why);
    bb_relay_item *it = malloc(sizeof *it + bytes + why_len + 1);
    if (it == NULL) {
        return NULL;
    }
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->why_len = why_len;
    if (why_len > 0) {
        memcpy(it->data + bytes, why, why_len);
    }
    it->data[bytes + why_len] = '\0';
    return it;
}

static void push(bb_relay *r, bb_relay_item *it, size_t bytes)
{
    assert(!r->closed);
    if (r->tail != NULL) {
        r->tail->next = it;
    } else {
        r->head = it;
    }
    r->tail = it;
    r->count++;
    r->bytes += bytes;
    uv_idle_start(&r->idle, drain);
}

static const char *item_why(const bb_relay_item *it, size_t bytes)
{
    return (const char *)it->data + bytes;
}

static void deliver_session(bb_relay *r, bb_session_event what, const char *why)
{
    const sd_backbone_events *ev = &r->ev;
    switch (what) {
    case BB_CONNECTED: ev->connected(ev->ctx); break;
    case BB_CONNECT_FAILED: ev->connect_failed(ev->ctx, why); break;
    case BB_SUBSCRIBED: ev->subscribed(ev->ctx); break;
    case BB_SUBSCRIBE_FAILED: ev->subscribe_failed(ev->ctx, why); break;
    case BB_DROPPED: ev->dropped(ev->ctx, why); break;
    }
}

void bb_relay_session_event(bb_relay *r, bb_session_event what, const char *why)
{
    if (r->closed) {
        return;
    }
    bb_relay_item *it = item_new(ITEM_SESSION, 0, why);
    if (it == NULL) {
        deliver_session(r, what, why != NULL ? why : "");
        return;
    }
    it->session = r->session;
    it->what = what;
    push(r, it, 0);
}

sg_status bb_relay_message(bb_relay *r, const uint8_t *msg, size_t len)
{
    if (r->closed) {
        return SG_E_STATE;
    }
    if (r->messages >= r->messages_max || r->message_bytes + len > r->message_bytes_max) {
        return SG_E_FULL;
    }
    bb_relay_item *it = item_new(ITEM_MESSAGE, len, NULL);
    if (it == NULL) {
        return SG_E_NOMEM;
    }
    it->session = r->session;
    it->len = len;
    if (len > 0) {
        memcpy(it->data, msg, len);
    }
    r->messages++;
    r->message_bytes += len;
    push(r, it, len);
    return SG_OK;
}

void bb_relay_publish_done(bb_relay *r, sd_publish_kind kind, const uint8_t *msg, size_t len, bool ok)
{
    if (r->closed) {
        return;
    }
    bb_relay_item *it = item_new(ITEM_PUBLISH_DONE, len, NULL);
    if (it == NULL) {
        r->ev.publish_done(r->ev.ctx, kind, msg, len, ok);
        return;
    }
    it->publish_kind = kind;
    it->ok = ok;
    it->len = len;
    if (len > 0) {
        memcpy(it->data, msg, len);
    }
    push(r, it, len);
}

void bb_relay_state(bb_relay *r, sd_state_cb cb, void *arg, uint64_t cookie, const char *topic, size_t topic_len,
                    sg_status st, const uint8_t *state, size_t len, const char *why)
{
    assert(cb != NULL);
    if (r->closed) {
        return;
    }
    size_t state_len = state != NULL ? len : 0;
    bb_relay_item *it = item_new(ITEM_STATE, topic_len + state_len, why);
    if (it == NULL) {
        cb(arg, cookie, topic, topic_len, st, state, len, why);
        return;
    }
    it->cb = cb;
    it->arg = arg;
    it->cookie = cookie;
    it->st = st;
    it->has_state = state != NULL;
    it->topic_len = topic_len;
    it->len = state_len;
    memcpy(it->data, topic, topic_len);
    if (state_len > 0) {
        memcpy(it->data + topic_len, state, state_len);
    }
    push(r, it, topic_len + state_len);
}

static void deliver(bb_relay *r, const bb_relay_item *it)
{
    switch (it->kind) {
    case ITEM_SESSION:
        if (it->session == r->session) {
            deliver_session(r, it->what, item_why(it, 0));
        }
        break;
    case ITEM_MESSAGE:
        if (it->session == r->session) {
            r->ev.message(r->ev.ctx, it->data, it->len);
        }
        break;
    case ITEM_PUBLISH_DONE:
        r->ev.publish_done(r->ev.ctx, it->publish_kind, it->data, it->len, it->ok);
        break;
    case ITEM_STATE: {
        size_t bytes = it->topic_len + it->len;
        it->cb(it->arg, it->cookie, (const char *)it->data, it->topic_len, it->st,
               it->has_state ? it->data + it->topic_len : NULL, it->len, it->why_len > 0 ? item_why(it, bytes) : NULL);
        break;
    }
    }
}

/* Delivers what was queued when this turn began; events queued by the
 * driver's reactions wait for the next turn. */
static void drain(uv_idle_t *idle)
{
    bb_relay *r = idle->data;
    uint32_t budget = r->count;
    while (budget-- > 0 && r->head != NULL && !r->closed) {
        bb_relay_item *it = r->head;
        r->head = it->next;
        if (r->head == NULL) {
            r->tail = NULL;
        }
        size_t bytes = it->kind == ITEM_STATE ? it->topic_len + it->len : it->len;
        assert(r->count > 0 && r->bytes >= bytes);
        r->count--;
        r->bytes -= bytes;
        if (it->kind == ITEM_MESSAGE) {
            r->messages--;
            r->message_bytes -= it->len;
        }
        deliver(r, it);
        free(it);
    }
    if (r->head == NULL && !r->closed) {
        uv_idle_stop(&r->idle);
    }
}

void bb_relay_depth(const bb_relay *r, uint64_t *items, uint64_t *bytes)
{
    *items = r->count;
    *bytes = r->bytes;
}

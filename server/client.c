/*
 * client.c - the WebSocket protocol of stormglassd (docs/PROTOCOL.md):
 * subscribe/unsubscribe/ping from clients, state and update messages to
 * them, and the fan-out of an update to a topic's local subscribers.
 *
 * A client's first message for a topic is always its state; where that
 * state comes from (a cache good for the live backbone session, or the
 * backbone's store) is topic_state.c's job.  Every update carries the
 * topic's whole new state, so an update that arrives while a subscriber
 * waits for its state is sent to it as that state.
 */
#include <assert.h>
#include <inttypes.h>
#include <string.h>

#include <jansson.h>

#include "sd_log.h"
#include "server.h"

void sd_client_send(sd_conn *c, const uint8_t *msg, size_t len)
{
    if (c->closing || c->ws == NULL || sd_ws_close_sent(c->ws)) {
        return;
    }
    sg_status st = sd_ws_queue_text(c->ws, msg, len);
    if (st == SG_E_FULL) {
        uint64_t bytes = 0;
        uint32_t count = 0;
        sd_ws_queue_depth(c->ws, &bytes, &count);
        c->srv->counters.slow_consumer_closes++;
        sd_log(SD_LOG_WARN, "slow_consumer", "conn=%llu peer=%s queued_bytes=%" PRIu64 " queued_messages=%u",
               (unsigned long long)c->id, c->peer, bytes, count);
        sd_conn_ws_close(c, SD_WS_CLOSE_SLOW_CONSUMER, "slow consumer: send queue over its bound");
        return;
    }
    if (st == SG_OK) {
        c->srv->counters.ws_messages_out++;
        sd_conn_after_ws_io(c);
    }
}

static void send_json(sd_conn *c, json_t *o)
{
    char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    if (text != NULL) {
        sd_client_send(c, (const uint8_t *)text, strlen(text));
    }
    free(text);
    json_decref(o);
}

static void send_error(sd_conn *c, const char *code, const char *detail, const char *topic)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "type", "error", "error", code, "detail", detail);
    if (o != NULL && topic != NULL) {
        json_object_set_new(o, "topic", json_string(topic));
    }
    send_json(c, o);
}

/* {"type":KIND,"topic":T,"seq":N,"payload":P} with P the stored JSON text. */
static void format_topic_message(sd_buf *b, const char *kind, const sd_topic *t)
{
    sd_buf_printf(b, "{\"type\":\"%s\",\"topic\":\"%.*s\",\"seq\":%" PRIu64 ",\"payload\":", kind,
                  (int)t->name_len, t->name, t->seq);
    if (t->state != NULL) {
        sd_buf_append(b, t->state, t->state_len);
    } else {
        sd_buf_append(b, "null", 4);
    }
    sd_buf_append(b, "}", 1);
}

void sd_client_send_state(sd_conn *c, const sd_topic *t)
{
    sd_buf b;
    sd_buf_init(&b, t->state_len + 512);
    format_topic_message(&b, "state", t);
    if (!b.overflow) {
        sd_client_send(c, b.data, b.len);
    }
    sd_buf_free(&b);
}

static void subscribe_one(sd_conn *c, const char *name, size_t len)
{
    sd_server *srv = c->srv;
    if (!sd_topic_name_valid(name, len)) {
        send_error(c, "invalid-topic", "topics are 1..200 characters of [A-Za-z0-9._:/@-]", NULL);
        return;
    }
    if (c->sub_count >= srv->cfg.max_subscriptions) {
        send_error(c, "too-many-subscriptions", "over --max-subscriptions", name);
        return;
    }
    sd_topic *t = NULL;
    sg_status st = sd_topics_get(&srv->topics, name, len, &t);
    if (st != SG_OK) {
        send_error(c, "topic-table-full", "over --max-topics", name);
        return;
    }
    st = sd_topic_subscribe(t, c, &c->subs);
    if (st == SG_E_STATE) {
        return; /* already subscribed: its updates are already coming */
    }
    if (st != SG_OK) {
        send_error(c, "out-of-memory", "could not subscribe", name);
        return;
    }
    c->sub_count++;
    sd_state_request(c, c->subs); /* the node just pushed */
}

static void unsubscribe_one(sd_conn *c, const char *name, size_t len)
{
    sd_topic *t = sd_topics_find(&c->srv->topics, name, len);
    if (t != NULL && sd_topic_unsubscribe(t, c, &c->subs) == SG_OK) {
        assert(c->sub_count > 0);
        c->sub_count--;
    }
}

static void handle_topics(sd_conn *c, json_t *topics, bool subscribe)
{
    size_t i;
    json_t *v;
    if (!json_is_array(topics) || json_array_size(topics) > c->srv->cfg.max_subscriptions) {
        send_error(c, "bad-request", "\"topics\" must be an array of at most --max-subscriptions names", NULL);
        return;
    }
    json_array_foreach(topics, i, v)
    {
        if (!json_is_string(v)) {
            send_error(c, "invalid-topic", "topic names are strings", NULL);
        } else if (subscribe) {
            subscribe_one(c, json_string_value(v), json_string_length(v));
        } else {
            unsubscribe_one(c, json_string_value(v), json_string_length(v));
        }
        if (c->closing) {
            return;
        }
    }
}

void sd_client_on_text(void *conn, const uint8_t *msg, size_t len)
{
    sd_conn *c = conn;
    c->srv->counters.ws_messages_in++;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)msg, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *type = json_string_value(json_object_get(root, "type"));
    if (type == NULL) {
        send_error(c, "bad-request", root == NULL ? "not JSON" : "expected {\"type\": ...}", NULL);
    } else if (strcmp(type, "subscribe") == 0) {
        handle_topics(c, json_object_get(root, "topics"), true);
    } else if (strcmp(type, "unsubscribe") == 0) {
        handle_topics(c, json_object_get(root, "topics"), false);
    } else if (strcmp(type, "watch-health") == 0) {
        sd_health_watch(c);
    } else if (strcmp(type, "ping") == 0) {
        json_t *pong = json_pack("{s:s}", "type", "pong");
        json_t *id = json_object_get(root, "id");
        if (pong != NULL && id != NULL) {
            json_object_set(pong, "id", id);
        }
        send_json(c, pong);
    } else {
        send_error(c, "bad-request", "unknown message type", NULL);
    }
    json_decref(root);
}

bool sd_client_deliver(sd_server *srv, const char *topic, size_t topic_len, const uint8_t *payload, size_t len)
{
    sd_topic *t = NULL;
    if (sd_topics_get(&srv->topics, topic, topic_len, &t) != SG_OK) {
        sd_log(SD_LOG_WARN, "topic_table_full", "dropped_update_for=%.*s", (int)topic_len, topic);
        return false;
    }
    if (sd_topic_set_state(&srv->topics, t, payload, len) != SG_OK) {
        t->fresh_session = 0; /* not cached: the next subscriber fetches it */
        sd_log(SD_LOG_WARN, "state_cache_full", "topic=%.*s bytes=%zu", (int)topic_len, topic, len);
        return false;
    }
    t->fresh_session = srv->bb_session;
    sd_buf update, state;
    sd_buf_init(&update, len + 512);
    sd_buf_init(&state, len + 512);
    format_topic_message(&update, "update", t);
    for (sd_sub *s = t->subs; s != NULL && !update.overflow; s = s->topic_next) {
        sd_conn *c = s->subscriber;
        if (c->closing) {
            continue;
        }
        if (s->awaiting_state) { /* its first (or refetched) message must be a state */
            s->awaiting_state = false;
            if (state.len == 0) {
                format_topic_message(&state, "state", t);
            }
            sd_client_send(c, state.data, state.len);
        } else {
            sd_client_send(c, update.data, update.len);
        }
        srv->counters.deliveries++;
    }
    sd_buf_free(&update);
    sd_buf_free(&state);
    return true;
}

void sd_client_leave(sd_conn *c)
{
    sd_server *srv = c->srv;
    sd_topic_unsubscribe_all(&c->subs);
    c->sub_count = 0;
    sd_health_unwatch(c);
    if (c->registered) {
        c->registered = false;
        assert(srv->ws_clients > 0);
        srv->ws_clients--;
        sg_bcast_client_unregister(srv->core, sd_now(), c->handle);
        uint16_t code = c->ws != NULL ? sd_ws_close_code(c->ws) : 0;
        sd_log(SD_LOG_DEBUG, "ws_closed", "conn=%llu peer=%s close_code=%u", (unsigned long long)c->id, c->peer,
               code);
    }
}

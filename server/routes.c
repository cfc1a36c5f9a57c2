/*
 * routes.c - what stormglassd answers to each HTTP request:
 *
 *   GET  /             liveness: 200 while the process runs
 *   GET  /healthcheck  readiness: the core's judgement, 200 or 503 + why
 *   GET  /metrics      Prometheus text
 *   POST /publish      {"topic": "...", "payload": <any JSON>} -> 202, or 4xx/503
 *   GET  /ws           WebSocket upgrade (503 when full or shutting down)
 *   anything else      404 (405 for a known path with the wrong method)
 */
#include <assert.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "sd_log.h"
#include "server.h"

void sd_http_answer(sd_conn *c, int status, const char *content_type, const char *extra_headers, const void *body,
                    size_t body_len, bool close)
{
    sd_server *srv = c->srv;
    srv->counters.http_requests++;
    srv->counters.http_by_status[(status / 100) % 6]++;
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
                     "Connection: %s\r\n%s\r\n",
                     status, sd_http_status_text(status), content_type, body_len, close ? "close" : "keep-alive",
                     extra_headers != NULL ? extra_headers : "");
    assert(n > 0 && (size_t)n < sizeof head);
    if (close) {
        c->close_after_write = true;
    }
    sd_buf msg;
    sd_buf_init(&msg, (size_t)n + body_len);
    sd_buf_append(&msg, head, (size_t)n);
    if (c->req == NULL || !sd_http_method_is(c->req, HTTP_HEAD)) { /* HEAD: headers only */
        sd_buf_append(&msg, body, body_len);
    }
    sd_conn_send(c, msg.data, msg.len);
    sd_buf_free(&msg);
    if (close && !c->writing && c->out.len == 0) {
        sd_conn_close(c, "answered");
    }
    sd_log(status >= 500 ? SD_LOG_WARN : SD_LOG_DEBUG, "http", "conn=%llu peer=%s status=%d",
           (unsigned long long)c->id, c->peer, status);
}

void sd_http_error(sd_conn *c, int status, const char *why, bool close)
{
    json_t *o = json_pack("{s:i, s:s}", "status", status, "error", why != NULL ? why : "");
    char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    const char *body = text != NULL ? text : "{}";
    if (status == 400 || status == 413 || status == 431 || status == 414 || status == 408) {
        char q[SD_LOG_QUOTE_MAX];
        sd_log(SD_LOG_INFO, "http_refused", "conn=%llu peer=%s status=%d why=%s", (unsigned long long)c->id,
               c->peer, status, sd_log_quote(why, why != NULL ? strlen(why) : 0, q, sizeof q));
    }
    const char *extra = status == 401 ? "WWW-Authenticate: Bearer realm=\"stormglass\"\r\n" : NULL;
    sd_http_answer(c, status, "application/json", extra, body, strlen(body), close);
    free(text);
    json_decref(o);
}

static void answer_json(sd_conn *c, int status, json_t *o, bool close)
{
    char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
    if (text == NULL) {
        sd_http_error(c, 503, "out of memory", true);
    } else {
        size_t len = strlen(text);
        text[len] = '\0';
        sd_http_answer(c, status, "application/json", NULL, text, len, close);
    }
    free(text);
    json_decref(o);
}

static void route_health(sd_conn *c, bool close)
{
    sd_server *srv = c->srv;
    sg_bcast_health h = sg_bcast_health_at(srv->core, sd_now());
    sg_bcast_stats st;
    sg_bcast_stats_get(srv->core, &st);
    bool healthy = h.healthy && !srv->shutting_down;
    const char *reason = srv->shutting_down ? "shutting-down" : sg_health_reason_name(h.reason);
    json_t *o = json_pack("{s:b, s:s, s:s, s:i}", "healthy", healthy, "reason", reason, "reader",
                          sg_reader_state_name(st.reader), "clients", (json_int_t)st.clients);
    answer_json(c, healthy ? 200 : 503, o, close);
}

static void route_metrics(sd_conn *c, bool close)
{
    sd_buf out;
    sd_buf_init(&out, SD_RESPONSE_BYTES_MAX);
    sd_metrics_render(c->srv, &out);
    if (out.overflow) {
        sd_http_error(c, 503, "metrics too large", close);
    } else {
        sd_http_answer(c, 200, "text/plain; version=0.0.4", NULL, out.data, out.len, close);
    }
    sd_buf_free(&out);
}

/* 401 without a token, 403 with a wrong one; compared in constant time. */
static bool authorized(sd_conn *c, bool close)
{
    const char *token = c->srv->cfg.publish_token;
    size_t tlen = strlen(token);
    if (tlen == 0) {
        return true;
    }
    const sd_http_value *v = sd_http_header_get(c->req, SD_HDR_AUTHORIZATION);
    if (!v->present) {
        sd_http_error(c, 401, "a bearer token is required", close);
        return false;
    }
    static const char prefix[] = "Bearer ";
    size_t plen = sizeof prefix - 1;
    bool ok = !v->overflow && v->len == plen + tlen && strncasecmp(v->text, prefix, plen) == 0 &&
              CRYPTO_memcmp(v->text + plen, token, tlen) == 0;
    if (!ok) {
        sd_http_error(c, 403, "wrong bearer token", close);
    }
    return ok;
}

static void route_publish(sd_conn *c, bool close)
{
    if (!authorized(c, close)) {
        return;
    }
    json_error_t jerr;
    const sd_http_request *r = c->req;
    json_t *root = json_loadb((const char *)r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *topic = json_is_object(root) ? json_object_get(root, "topic") : NULL;
    json_t *payload = json_is_object(root) ? json_object_get(root, "payload") : NULL;
    const char *why = NULL;
    if (root == NULL) {
        why = "body is not JSON";
    } else if (!json_is_string(topic) || !sd_topic_name_valid(json_string_value(topic), json_string_length(topic))) {
        why = "\"topic\" must be 1..200 characters of [A-Za-z0-9._:/@-]";
    } else if (payload == NULL) {
        why = "\"payload\" is missing";
    }
    if (why != NULL) {
        sd_http_error(c, 400, why, close);
        json_decref(root);
        return;
    }
    char *text = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
    int status = 503;
    const char *verdict = text == NULL ? "out of memory"
                                       : sd_driver_publish(c->srv, json_string_value(topic), json_string_length(topic),
                                                           (const uint8_t *)text, strlen(text), &status);
    if (status >= 400) {
        sd_http_error(c, status, verdict, close);
    } else {
        answer_json(c, status, json_pack("{s:s, s:s}", "topic", json_string_value(topic), "verdict", verdict), close);
    }
    free(text);
    json_decref(root);
}

static const char *upgrade_problem(const sd_conn *c)
{
    const sd_http_request *r = c->req;
    if (!sd_http_method_is(r, HTTP_GET)) {
        return "a WebSocket upgrade must be a GET";
    }
    if (!sd_http_is_upgrade(r)) {
        return "expected Upgrade: websocket and Connection: Upgrade";
    }
    const sd_http_value *v = sd_http_header_get(r, SD_HDR_WS_VERSION);
    if (!v->present || v->overflow || strcmp(v->text, "13") != 0) {
        return "Sec-WebSocket-Version must be 13";
    }
    return NULL;
}

static void route_ws(sd_conn *c, bool close)
{
    sd_server *srv = c->srv;
    const char *problem = upgrade_problem(c);
    char accept[SD_WS_ACCEPT_LEN + 1];
    const sd_http_value *key = sd_http_header_get(c->req, SD_HDR_WS_KEY);
    if (problem == NULL && (key->overflow || sd_ws_accept_key(key->text, key->len, accept) != SG_OK)) {
        problem = "Sec-WebSocket-Key must be base64 of 16 bytes";
    }
    if (problem != NULL) {
        sd_http_error(c, 400, problem, close);
        return;
    }
    if (srv->shutting_down || srv->ws_clients >= srv->cfg.max_connections) {
        srv->counters.ws_refused_full++;
        sd_http_error(c, 503, srv->shutting_down ? "shutting down" : "too many connections", true);
        return;
    }
    sd_ws_limits limits = {srv->cfg.max_message_bytes, srv->cfg.send_queue_bytes, srv->cfg.send_queue_messages};
    sd_ws_callbacks cb = {c, sd_conn_ws_write, sd_client_on_text};
    if (sd_ws_create(&limits, &cb, &c->ws) != SG_OK) {
        sd_http_error(c, 503, "out of memory", true);
        return;
    }
    if (sg_bcast_client_register(srv->core, sd_now(), c->id, &c->handle) != SG_OK) {
        srv->counters.ws_refused_full++;
        sd_ws_destroy(c->ws);
        c->ws = NULL;
        sd_http_error(c, 503, "client registry full", true);
        return;
    }
    c->registered = true;
    srv->ws_clients++;
    srv->counters.ws_upgrades++;
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    sd_conn_send(c, head, (size_t)n);
    sd_conn_became_ws(c);
    sd_log(SD_LOG_DEBUG, "ws_open", "conn=%llu peer=%s", (unsigned long long)c->id, c->peer);
    sd_driver_pump(srv);
}

void sd_routes_handle(sd_conn *c, const uint8_t *rest, size_t rest_len)
{
    (void)rest;
    (void)rest_len;
    const sd_http_request *r = c->req;
    bool close = !sd_http_keep_alive(r) || c->srv->shutting_down;
    bool get = sd_http_method_is(r, HTTP_GET) || sd_http_method_is(r, HTTP_HEAD);
    const char *path = r->path;
    if (strcmp(path, "/ws") == 0) {
        route_ws(c, close);
    } else if (strcmp(path, "/publish") == 0) {
        if (sd_http_method_is(r, HTTP_POST)) {
            route_publish(c, close);
        } else {
            sd_http_error(c, 405, "use POST", close);
        }
    } else if (!get && (strcmp(path, "/") == 0 || strcmp(path, "/healthcheck") == 0 || strcmp(path, "/metrics") == 0)) {
        sd_http_error(c, 405, "use GET", close);
    } else if (strcmp(path, "/") == 0) {
        sd_http_answer(c, 200, "text/plain", NULL, "ok\n", 3, close);
    } else if (strcmp(path, "/healthcheck") == 0) {
        route_health(c, close);
    } else if (strcmp(path, "/metrics") == 0) {
        route_metrics(c, close);
    } else {
        sd_http_error(c, 404, "no such path", close);
    }
}

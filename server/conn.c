/*
 * conn.c - the sockets of stormglassd: accept, read, write, timeouts and
 * close, for HTTP requests and for the WebSocket connections they upgrade
 * to (see server.h).
 *
 * Reading uses one loop-wide buffer: bytes are handed to http-parser or
 * wslay at once, which keep what they need, so an idle connection holds no
 * read buffer.  Writing tries the socket directly and keeps only what it
 * did not take in `out`; a WebSocket's backlog stays in wslay's queue,
 * whose bound (bytes and messages) decides when a client is a slow
 * consumer.  A connection is freed only when both of its libuv handles
 * have closed, never in the middle of a fan-out.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "sd_log.h"
#include "server.h"

static uint64_t ms_ceil(sg_duration_ns ns)
{
    return ns <= 0 ? 0 : (uint64_t)((ns + SG_NS_PER_MS - 1) / SG_NS_PER_MS);
}

static size_t id_slot(const sd_server *srv, uint64_t id)
{
    return (size_t)(id * 11400714819323198485ull >> 20) & (srv->id_bucket_count - 1);
}

sd_conn *sd_conn_find(sd_server *srv, uint64_t id)
{
    for (sd_conn *c = srv->id_buckets[id_slot(srv, id)]; c != NULL; c = c->id_next) {
        if (c->id == id) {
            return c;
        }
    }
    return NULL;
}

static void link_conn(sd_server *srv, sd_conn *c)
{
    c->next = srv->conns;
    if (srv->conns != NULL) {
        srv->conns->prev = c;
    }
    srv->conns = c;
    size_t slot = id_slot(srv, c->id);
    c->id_next = srv->id_buckets[slot];
    srv->id_buckets[slot] = c;
}

static void unlink_conn(sd_server *srv, sd_conn *c)
{
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        srv->conns = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    for (sd_conn **p = &srv->id_buckets[id_slot(srv, c->id)]; *p != NULL; p = &(*p)->id_next) {
        if (*p == c) {
            *p = c->id_next;
            break;
        }
    }
}

static void on_handle_closed(uv_handle_t *h)
{
    sd_conn *c = h->data;
    assert(c->handles_open > 0);
    if (--c->handles_open > 0) {
        return;
    }
    sd_server *srv = c->srv;
    sd_client_leave(c);
    unlink_conn(srv, c);
    if (c->req != NULL) {
        sd_http_request_free(c->req);
        free(c->req);
    }
    sd_ws_destroy(c->ws);
    sd_buf_free(&c->out);
    assert(srv->sockets > 0);
    srv->sockets--;
    free(c);
    sd_driver_pump(srv);
    sd_server_maybe_finish(srv);
}

void sd_conn_close(sd_conn *c, const char *why)
{
    if (c->closing) {
        return;
    }
    c->closing = true;
    sd_log(SD_LOG_DEBUG, "conn_close", "conn=%llu peer=%s why=\"%s\"", (unsigned long long)c->id, c->peer, why);
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

static void arm_timer(sd_conn *c, sg_duration_ns after, uv_timer_cb cb);
static void on_timer(uv_timer_t *t);

static void start_write(sd_conn *c);

static void on_written(uv_write_t *w, int status)
{
    sd_conn *c = w->data;
    free(c->inflight);
    c->inflight = NULL;
    c->writing = false;
    if (status < 0) {
        sd_conn_close(c, uv_strerror(status));
        return;
    }
    if (c->out.len > 0) {
        start_write(c);
        return;
    }
    if (c->phase == SD_CONN_WS) {
        sd_health_retry(c);
        sd_conn_after_ws_io(c);
    } else if (c->close_after_write) {
        sd_conn_close(c, "answered");
    }
}

static void start_write(sd_conn *c)
{
    assert(!c->writing);
    assert(c->out.len > 0);
    if (c->closing) {
        return;
    }
    c->inflight = c->out.data;
    uv_buf_t b = uv_buf_init((char *)c->out.data, (unsigned)c->out.len);
    size_t limit = c->out.limit;
    memset(&c->out, 0, sizeof c->out);
    sd_buf_init(&c->out, limit);
    c->writing = true;
    c->wreq.data = c;
    int rv = uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written);
    if (rv != 0) {
        c->writing = false;
        free(c->inflight);
        c->inflight = NULL;
        sd_conn_close(c, uv_strerror(rv));
    }
}

static void kick(sd_conn *c);

/* Queues bytes (an HTTP answer) and writes what the socket takes now. */
void sd_conn_send(sd_conn *c, const void *data, size_t len)
{
    assert(data != NULL || len == 0);
    if (c->closing || len == 0) {
        return;
    }
    sd_buf_append(&c->out, data, len);
    if (c->out.overflow) {
        sd_conn_close(c, "output buffer limit");
        return;
    }
    kick(c);
}

/* wslay's write callback: frames are gathered in `out` and leave in one
 * socket write per flush (sd_conn_after_ws_io), not one per frame part. */
ssize_t sd_conn_ws_write(void *conn, const uint8_t *data, size_t len)
{
    sd_conn *c = conn;
    if (c->closing) {
        return -1;
    }
    if (c->out.len >= SD_WRITE_HIGH_WATER) {
        return 0; /* the rest waits in wslay's bounded queue */
    }
    sd_buf_append(&c->out, data, len);
    return c->out.overflow ? -1 : (ssize_t)len;
}

/* Writes what `out` holds: directly when the socket takes it, the rest
 * through one uv_write at a time. */
static void kick(sd_conn *c)
{
    if (c->writing || c->out.len == 0 || c->closing) {
        return;
    }
    uv_buf_t b = uv_buf_init((char *)c->out.data, (unsigned)c->out.len);
    int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (n < 0 && n != UV_EAGAIN) {
        sd_conn_close(c, uv_strerror(n));
        return;
    }
    if (n > 0) {
        sd_buf_consume(&c->out, (size_t)n);
    }
    if (c->out.len > 0) {
        start_write(c);
    }
}

void sd_conn_after_ws_io(sd_conn *c)
{
    for (int round = 0; round < 4 && !c->closing; round++) {
        if (sd_ws_flush(c->ws) != SG_OK) {
            sd_conn_close(c, "websocket send failed");
            return;
        }
        kick(c);
        if (c->writing || !sd_ws_wants_write(c->ws)) {
            break; /* on_written calls back here when the socket drains */
        }
    }
    if (c->closing) {
        return;
    }
    if (sd_ws_close_sent(c->ws) && c->close_deadline_ns == SG_TIME_NEVER) {
        c->close_deadline_ns = sd_now() + SD_CLOSE_GRACE_NS;
        sd_metrics_count_close(c->srv, sd_ws_close_code(c->ws));
        arm_timer(c, SD_CLOSE_GRACE_NS, on_timer);
    }
    if (sd_ws_finished(c->ws) && !c->writing && c->out.len == 0) {
        sd_conn_close(c, "websocket closed");
    }
}

void sd_conn_ws_close(sd_conn *c, uint16_t code, const char *reason)
{
    if (c->closing || c->ws == NULL) {
        return;
    }
    sd_ws_close(c->ws, code, reason);
    sd_conn_after_ws_io(c);
}

static void arm_timer(sd_conn *c, sg_duration_ns after, uv_timer_cb cb)
{
    if (!c->closing) {
        uv_timer_start(&c->timer, cb, ms_ceil(after), 0);
    }
}

/* HTTP: a request not whole in time (slowloris) or an idle keep-alive.
 * WebSocket: ping at half the idle time, close 1001 at the full; after our
 * close frame, a hard close when the peer does not answer. */
static void on_timer(uv_timer_t *t)
{
    sd_conn *c = t->data;
    sd_server *srv = c->srv;
    sg_time_ns now = sd_now();
    if (c->phase == SD_CONN_HTTP) {
        srv->counters.timeouts++;
        if (c->req != NULL && c->req->started && !c->writing) {
            sd_http_error(c, 408, "request not received in time", true);
        } else {
            sd_conn_close(c, "http timeout");
        }
        return;
    }
    if (c->close_deadline_ns != SG_TIME_NEVER) {
        if (now >= c->close_deadline_ns) {
            sd_conn_close(c, "close handshake timed out");
        } else {
            arm_timer(c, c->close_deadline_ns - now, on_timer);
        }
        return;
    }
    sg_duration_ns idle = srv->cfg.idle_timeout_ns;
    sg_duration_ns silent = now - c->last_read_ns;
    if (silent >= idle) {
        srv->counters.timeouts++;
        sd_conn_ws_close(c, SD_WS_CLOSE_GOING_AWAY, "idle timeout");
        return;
    }
    if (silent >= idle / 2 && !c->ping_sent) {
        c->ping_sent = true;
        sd_ws_ping(c->ws);
        sd_conn_after_ws_io(c);
    }
    arm_timer(c, silent >= idle / 2 ? idle - silent : idle / 2 - silent, on_timer);
}

void sd_conn_became_ws(sd_conn *c)
{
    c->phase = SD_CONN_WS;
    sd_http_request_free(c->req);
    free(c->req);
    c->req = NULL;
    c->last_read_ns = sd_now();
    arm_timer(c, c->srv->cfg.idle_timeout_ns / 2, on_timer);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    sd_conn *c = h->data;
    *buf = uv_buf_init((char *)c->srv->read_buf, SD_READ_BUF_BYTES);
}

static void feed_ws(sd_conn *c, const uint8_t *data, size_t len)
{
    c->ping_sent = false;
    if (sd_ws_feed(c->ws, data, len) != SG_OK) {
        sd_conn_close(c, "websocket failed");
        return;
    }
    sd_conn_after_ws_io(c);
}

/* Runs complete requests; after an upgrade the rest goes to the WebSocket. */
static void feed_http(sd_conn *c, const uint8_t *data, size_t len)
{
    while (!c->closing && c->phase == SD_CONN_HTTP) {
        bool was_started = c->req->started;
        size_t used = 0;
        sd_http_outcome o = sd_http_feed(c->req, data, len, &used);
        data += used;
        len -= used;
        if (!was_started && c->req->started) {
            arm_timer(c, c->srv->cfg.request_timeout_ns, on_timer);
        }
        if (o == SD_HTTP_MORE) {
            return;
        }
        if (o == SD_HTTP_ERROR) {
            sd_http_error(c, c->req->error_status, c->req->error_reason, true);
            uv_read_stop((uv_stream_t *)&c->tcp);
            return;
        }
        sd_routes_handle(c, data, len);
        if (c->phase == SD_CONN_WS || c->close_after_write || c->closing) {
            if (c->phase == SD_CONN_WS && len > 0) {
                feed_ws(c, data, len);
            }
            return;
        }
        sd_http_request_reset(c->req);
        arm_timer(c, c->srv->cfg.idle_timeout_ns, on_timer);
        if (len == 0) {
            return;
        }
    }
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    sd_conn *c = s->data;
    if (nread < 0) {
        sd_conn_close(c, nread == UV_EOF ? "peer closed" : uv_strerror((int)nread));
        return;
    }
    if (nread == 0 || c->closing) {
        return;
    }
    c->last_read_ns = sd_now();
    if (c->phase == SD_CONN_HTTP) {
        feed_http(c, (const uint8_t *)buf->base, (size_t)nread);
    } else {
        feed_ws(c, (const uint8_t *)buf->base, (size_t)nread);
    }
}

static void describe_peer(sd_conn *c)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    snprintf(c->peer, sizeof c->peer, "?");
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) != 0) {
        return;
    }
    char ip[48] = "?";
    int port = 0;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        uv_ip4_name(a, ip, sizeof ip);
        port = ntohs(a->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        uv_ip6_name(a, ip, sizeof ip);
        port = ntohs(a->sin6_port);
    }
    snprintf(c->peer, sizeof c->peer, "%s:%d", ip, port);
}

static void refuse_socket(sd_server *srv, uv_stream_t *listener)
{
    uv_tcp_t *tmp = malloc(sizeof *tmp);
    if (tmp == NULL) {
        return;
    }
    uv_tcp_init(srv->loop, tmp);
    if (uv_accept(listener, (uv_stream_t *)tmp) == 0) {
        srv->counters.sockets_refused++;
    }
    uv_close((uv_handle_t *)tmp, (uv_close_cb)free);
}

static void on_connection(uv_stream_t *listener, int status)
{
    sd_server *srv = listener->data;
    if (status < 0) {
        sd_log(SD_LOG_WARN, "accept_failed", "error=\"%s\"", uv_strerror(status));
        return;
    }
    if (srv->sockets >= srv->cfg.max_sockets || srv->shutting_down) {
        refuse_socket(srv, listener);
        return;
    }
    sd_conn *c = calloc(1, sizeof *c);
    sd_http_request *req = malloc(sizeof *req);
    if (c == NULL || req == NULL) {
        free(c);
        free(req);
        refuse_socket(srv, listener);
        return;
    }
    sd_http_limits limits = {(size_t)srv->cfg.max_header_bytes, (size_t)srv->cfg.max_body_bytes};
    sd_http_request_init(req, &limits);
    c->srv = srv;
    c->req = req;
    c->id = ++srv->next_id;
    c->close_deadline_ns = SG_TIME_NEVER;
    c->last_read_ns = sd_now();
    sd_buf_init(&c->out, SD_RESPONSE_BYTES_MAX + srv->cfg.send_queue_bytes);
    uv_tcp_init(srv->loop, &c->tcp);
    uv_timer_init(srv->loop, &c->timer);
    c->tcp.data = c;
    c->timer.data = c;
    c->handles_open = 2;
    srv->sockets++;
    link_conn(srv, c);
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        sd_conn_close(c, "accept failed");
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    describe_peer(c);
    arm_timer(c, srv->cfg.request_timeout_ns, on_timer);
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb);
}

static sg_status parse_bind(const sd_server *srv, struct sockaddr_storage *ss, sg_error *err)
{
    memset(ss, 0, sizeof *ss);
    int port = (int)srv->cfg.port;
    if (uv_ip4_addr(srv->cfg.bind, port, (struct sockaddr_in *)ss) == 0) {
        return SG_OK;
    }
    if (uv_ip6_addr(srv->cfg.bind, port, (struct sockaddr_in6 *)ss) == 0) {
        return SG_OK;
    }
    return sg_error_set(err, SG_E_INVALID, "--bind: \"%.60s\" is not an IPv4 or IPv6 address", srv->cfg.bind);
}

sg_status sd_conn_listen(sd_server *srv, sg_error *err)
{
    size_t buckets = 1024;
    while (buckets < srv->cfg.max_sockets && buckets < ((size_t)1 << 22)) {
        buckets <<= 1;
    }
    srv->id_buckets = calloc(buckets, sizeof(sd_conn *));
    if (srv->id_buckets == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "out of memory for the connection table");
    }
    srv->id_bucket_count = buckets;
    struct sockaddr_storage ss;
    sg_status st = parse_bind(srv, &ss, err);
    if (st != SG_OK) {
        return st;
    }
    uv_tcp_init(srv->loop, &srv->listener);
    srv->listener.data = srv;
    srv->listening = true;
    int rv = uv_tcp_bind(&srv->listener, (const struct sockaddr *)&ss, 0);
    if (rv == 0) {
        rv = uv_listen((uv_stream_t *)&srv->listener, 511, on_connection);
    }
    if (rv != 0) {
        return sg_error_set(err, SG_E_INVALID, "--bind/--port: cannot listen on %s:%u: %s", srv->cfg.bind,
                            srv->cfg.port, uv_strerror(rv));
    }
    int len = sizeof ss;
    uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&ss, &len);
    srv->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                              : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return SG_OK;
}

/*
 * server.h - the internal state of stormglassd shared by its driver
 * files: the connection records, the server record, and the functions one
 * file offers the others.  Everything runs on one libuv loop thread.
 *
 *   conn.c       sockets: accept, read, write, timeouts, close
 *   routes.c     HTTP requests -> answers (/, /healthcheck, /metrics, /publish, /ws)
 *   client.c     WebSocket clients: protocol messages, subscriptions, fan-out
 *   driver.c     the core: events in, actions out, its timer; backbone callbacks
 *   metrics.c    /metrics text
 *   health_watch.c  health watchers (the notifier core): status changes, GOAWAY
 *   lifecycle.c  start, signals, graceful shutdown
 */
#ifndef STORMGLASS_SD_SERVER_H
#define STORMGLASS_SD_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "backbone.h"
#include "http_req.h"
#include "sd_buf.h"
#include "settings.h"
#include "stormglass/bcast.h"
#include "stormglass/notifier.h"
#include "topics.h"
#include "ws_session.h"

#define SD_READ_BUF_BYTES 65536u
#define SD_WRITE_HIGH_WATER 65536u  /* bytes handed to the socket layer before wslay must wait */
#define SD_CLOSE_GRACE_NS (2 * SG_NS_PER_S) /* after our close frame, the peer's answer or a hard close */
#define SD_METRICS_TOPICS_MAX 1000u /* per-topic series exported at most */
#define SD_RESPONSE_BYTES_MAX (8u << 20)
#define SD_EXIT_GIVE_UP 3           /* the core's SHUTDOWN action: retries exhausted */

typedef struct sd_server sd_server;

typedef enum sd_conn_phase {
    SD_CONN_HTTP = 0,
    SD_CONN_WS,
} sd_conn_phase;

typedef struct sd_conn {
    uv_tcp_t tcp;              /* first: a uv handle pointer is the conn pointer */
    uv_timer_t timer;
    sd_server *srv;
    uint64_t id;               /* the core's client cookie */
    sd_conn_phase phase;
    sd_http_request *req;      /* HTTP phase */
    sd_ws_session *ws;         /* WebSocket phase */
    sg_client_handle handle;
    bool registered;
    sd_sub *subs;
    uint32_t sub_count;
    sd_buf out;                /* bytes waiting for the socket */
    uv_write_t wreq;
    uint8_t *inflight;         /* the buffer of the write in progress */
    bool writing;
    bool close_after_write;    /* HTTP answer then close */
    bool closing;              /* uv_close started */
    int handles_open;          /* tcp + timer: free when both closed */
    sg_time_ns last_read_ns;
    sg_time_ns close_deadline_ns; /* SG_TIME_NEVER until our close frame is queued */
    bool ping_sent;
    bool shutdown_closed;      /* got its 1001 during shutdown */
    sg_watch_handle watch;     /* health watcher (notifier) */
    bool watching;
    bool watch_busy;           /* its last status is waiting in the notifier */
    char peer[64];
    struct sd_conn *prev, *next;     /* all connections */
    struct sd_conn *id_next;         /* id hash chain */
} sd_conn;

typedef struct sd_counters {
    uint64_t http_requests;
    uint64_t http_by_status[6];      /* index status/100 */
    uint64_t ws_upgrades, ws_refused_full;
    uint64_t ws_messages_in, ws_messages_out;
    uint64_t ws_closes_by_us[16];    /* index: see close_code_slot() in metrics.c */
    uint64_t slow_consumer_closes;
    uint64_t timeouts;
    uint64_t sockets_refused;
    uint64_t publishes, publish_sent, publish_buffered, publish_dropped;
    uint64_t deliveries;             /* update messages queued to clients */
    uint64_t backbone_decode_errors;
    uint64_t state_fetch_failures;
} sd_counters;

struct sd_server {
    uv_loop_t *loop;
    sd_config cfg;
    uv_tcp_t listener;
    bool listening;
    int port;                        /* the bound port */
    uv_timer_t core_timer;
    uv_timer_t shutdown_timer;
    uv_timer_t stagger_timer;
    uv_signal_t sig_term, sig_int, sig_usr1;
    sg_bcast *core;
    sg_notifier *notifier;           /* health watchers */
    bool pumping;
    const sd_backbone_ops *bb_ops;
    sd_backbone *bb;
    uint64_t bb_session;             /* bumped on every `subscribed`: caches older are stale */
    sd_topics topics;
    sd_conn *conns;
    sd_conn **id_buckets;
    size_t id_bucket_count;
    uint32_t sockets, ws_clients;
    uint64_t next_id;
    bool shutting_down;
    int exit_code;
    sg_time_ns started_ns;
    sd_counters counters;
    uint8_t read_buf[SD_READ_BUF_BYTES];
};

sg_time_ns sd_now(void);

/* conn.c */
sg_status sd_conn_listen(sd_server *srv, sg_error *err);
void sd_conn_send(sd_conn *c, const void *data, size_t len);
ssize_t sd_conn_ws_write(void *conn, const uint8_t *data, size_t len);
void sd_conn_close(sd_conn *c, const char *why);
/* Queues a WebSocket close frame and arms the grace timer. */
void sd_conn_ws_close(sd_conn *c, uint16_t code, const char *reason);
sd_conn *sd_conn_find(sd_server *srv, uint64_t id);
void sd_conn_after_ws_io(sd_conn *c);
/* The 101 answer was queued: the connection now speaks WebSocket. */
void sd_conn_became_ws(sd_conn *c);

/* routes.c */
void sd_routes_handle(sd_conn *c, const uint8_t *rest, size_t rest_len);
void sd_http_answer(sd_conn *c, int status, const char *content_type, const char *extra_headers, const void *body,
                    size_t body_len, bool close);
void sd_http_error(sd_conn *c, int status, const char *why, bool close);

/* client.c */
void sd_client_on_text(void *conn, const uint8_t *msg, size_t len);
/* Applies an update (the new state of topic) and fans it out. */
void sd_client_deliver(sd_server *srv, const char *topic, size_t topic_len, const uint8_t *payload, size_t len);
void sd_client_leave(sd_conn *c);
/* The backbone answered a state fetch for topic (state NULL = none yet). */
void sd_client_state_fetched(sd_server *srv, sd_topic *topic, const uint8_t *state, size_t len);
/* Queues a protocol message; a full queue closes the slow consumer. */
void sd_client_send(sd_conn *c, const uint8_t *msg, size_t len);

/* driver.c */
sg_status sd_driver_start(sd_server *srv, sg_error *err);
void sd_driver_stop(sd_server *srv);
void sd_driver_pump(sd_server *srv);
const char *sd_driver_publish(sd_server *srv, const char *topic, size_t topic_len, const uint8_t *payload,
                              size_t len, int *status);
void sd_driver_fetch_state(sd_server *srv, sd_conn *c, sd_topic *topic);

/* health_watch.c */
sg_status sd_health_start(sd_server *srv, sg_error *err);
void sd_health_stop(sd_server *srv);
void sd_health_publish(sd_server *srv, bool healthy);
void sd_health_goaway(sd_server *srv);
void sd_health_watch(sd_conn *c);
void sd_health_unwatch(sd_conn *c);
void sd_health_retry(sd_conn *c);

/* metrics.c */
void sd_metrics_render(sd_server *srv, sd_buf *out);
void sd_metrics_count_close(sd_server *srv, uint16_t code);

/* lifecycle.c */
int sd_server_run(int argc, char **argv, char **envp);
void sd_server_begin_shutdown(sd_server *srv, int exit_code, const char *why);
void sd_server_maybe_finish(sd_server *srv);

#endif

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
 *   topic_state.c  where a `state` comes from: cache or store fetch; REFETCH
 *   farewell.c   the goodbye of a graceful shutdown
 *   instance.c   this process across restarts: epoch, state marker
 *   drill.c      SIGUSR1/SIGUSR2 drills
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
#include "state_marker.h"
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
    uint64_t state_fetches;          /* store fetches issued (one per topic and session at most) */
    uint64_t state_fetch_stale;      /* answers to a fetch of an older session: fetched again */
    uint64_t refetch_clients;        /* SG_ACT_REFETCH for a live client: its states sent again */
    uint64_t refetch_gone;           /* SG_ACT_REFETCH for a client that had left */
    uint64_t publish_refused_after_goodbye;
} sd_counters;

/* The goodbye of a graceful shutdown (farewell.c). */
typedef enum sd_farewell_phase {
    SD_FAREWELL_IDLE = 0,  /* not shutting down */
    SD_FAREWELL_DRAINING,  /* waiting (bounded) for the replay buffer and live publishes */
    SD_FAREWELL_SENT,      /* goodbye handed to the backbone, waiting for its result */
    SD_FAREWELL_DONE       /* said (or skipped, or given up on): the process may exit */
} sd_farewell_phase;

typedef struct sd_farewell {
    sd_farewell_phase phase;
    sg_time_ns drain_deadline;
    uint32_t replay_left;    /* replay items when the goodbye was computed */
    uint32_t in_flight_left; /* live publishes without a result then */
    bool said;               /* the GOODBYE action came out of the core */
    bool lossless;           /* ... and it admitted no loss */
    bool delivered;          /* the backbone confirmed it */
    bool marker_clean;       /* the state marker now says "clean" */
    const char *outcome;     /* for the shutdown_done line */
} sd_farewell;

struct sd_server {
    uv_loop_t *loop;
    sd_config cfg;
    uv_tcp_t listener;
    bool listening;
    int port;                        /* the bound port */
    uv_timer_t core_timer;
    uv_timer_t shutdown_timer;
    uv_timer_t stagger_timer;
    uv_signal_t sig_term, sig_int, sig_usr1, sig_usr2;
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
    uint32_t live_in_flight;         /* SEND publishes whose result has not come back */
    uint64_t unstored_total;         /* sum of the topics' `unstored` (topic_state.c) */
    sd_farewell farewell;
    uv_timer_t farewell_timer;
    bool marker_on;                  /* --state-dir set (instance.c) */
    char marker_path[SD_MARKER_PATH_MAX];
    sd_marker marker_prev;           /* what the previous instance left */
    bool drill_held;                 /* a SUBSCRIBE is withheld until SIGUSR2 (drill.c) */
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
/* Applies an update (the new state of topic) and fans it out; false when
 * it could not be cached (table or state bytes full: nobody got it). */
bool sd_client_deliver(sd_server *srv, const char *topic, size_t topic_len, const uint8_t *payload, size_t len);
void sd_client_leave(sd_conn *c);
/* Queues a protocol message; a full queue closes the slow consumer. */
void sd_client_send(sd_conn *c, const uint8_t *msg, size_t len);
/* Queues {"type":"state",...} with the topic's cached state. */
void sd_client_send_state(sd_conn *c, const sd_topic *t);

/* topic_state.c */
/* The subscriber's `state` for its topic: now from a good cache, or after a store fetch. */
void sd_state_request(sd_conn *c, sd_sub *s);
/* A store fetch for topic in the live session, unless one is in flight. */
void sd_state_fetch(sd_server *srv, sd_topic *t);
/* A new backbone session: topics with waiting subscribers are fetched again. */
void sd_state_new_session(sd_server *srv);
/* SG_ACT_REFETCH: every topic of that client gets its `state` again. */
void sd_state_refetch(sd_server *srv, sg_client_handle handle, uint64_t cookie);
/* Local publishes (immediate policy) the store may not have yet. */
void sd_state_local_unstored(sd_server *srv, const char *topic, size_t topic_len);
void sd_state_local_stored(sd_server *srv, const uint8_t *msg, size_t len);
void sd_state_check_stored(sd_server *srv);

/* driver.c */
sg_status sd_driver_start(sd_server *srv, sg_error *err);
void sd_driver_stop(sd_server *srv);
void sd_driver_pump(sd_server *srv);
const char *sd_driver_publish(sd_server *srv, const char *topic, size_t topic_len, const uint8_t *payload,
                              size_t len, int *status);

/* farewell.c */
void sd_farewell_init(sd_server *srv);
/* Shutdown began: graceful (signal) drains and says goodbye; a give-up does not. */
void sd_farewell_begin(sd_server *srv, bool graceful);
/* After every core event: the goodbye goes out once the drain is over. */
void sd_farewell_progress(sd_server *srv);
/* The GOODBYE action's header was handed to the backbone (handed) or refused. */
void sd_farewell_sent(sd_server *srv, const sg_bcast_header *h, bool handed);
/* The backbone's result for the goodbye. */
void sd_farewell_result(sd_server *srv, bool ok);
/* Shutdown timeout or a second signal: say it now, wait for nothing. */
void sd_farewell_force(sd_server *srv);
bool sd_farewell_done(const sd_server *srv);
/* Publishes after the goodbye are refused: it stays the epoch's last word. */
bool sd_farewell_said(const sd_server *srv);

/* instance.c */
/* Before the core exists: the epoch, and after_unclean_exit from the marker. */
sg_status sd_instance_begin(sd_server *srv, sg_error *err);
/* Everything started: the marker says "running" with our epoch. */
sg_status sd_instance_running(sd_server *srv, sg_error *err);
/* A goodbye that lost nothing: the marker says "clean" (true once written). */
bool sd_instance_clean(sd_server *srv);
/* epoch: wall clock (~4 ms) with the pid in the low bits, never `previous`. */
uint64_t sd_instance_epoch(uint64_t wall_ns, uint32_t pid, uint64_t previous);

/* drill.c */
/* --drill-hold-subscribe: true when this SUBSCRIBE is withheld until SIGUSR2. */
bool sd_drill_hold_subscribe(sd_server *srv);
/* The backbone session ended: nothing is withheld any more. */
void sd_drill_session_ended(sd_server *srv);
/* SIGUSR1 (drop the backbone session) and SIGUSR2 (release the held SUBSCRIBE). */
void sd_drill_signal(sd_server *srv, int signum);

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

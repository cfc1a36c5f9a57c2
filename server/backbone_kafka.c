/*
 * backbone_kafka.c - kafka://host:port[,host:port...]/TOPIC, the Kafka
 * backbone (librdkafka; its events reach the loop through kafka_bridge.c,
 * its blocking calls run on libuv's thread pool).
 *
 * Mapping:
 *   updates  records on TOPIC, partition 0 (one partition: one order for
 *            every update), key = the stormglass topic (heartbeats: a key
 *            per origin that no topic name can take), value = the whole
 *            wire message;
 *   state    the log itself: a consumer reads TOPIC from the beginning into
 *            a bounded view (topic -> last payload), so a state fetch is
 *            answered from the log's truth.  Keys make the topic compactable
 *            (cleanup.policy=compact keeps the log, and the replay at start,
 *            bounded);
 *   sessions connected = a metadata request for TOPIC answered (run on the
 *            thread pool with the attempt's timeout); subscribed = the
 *            consumer is reading: the first time only once it has replayed
 *            the log (first end-of-partition), so the view is the truth
 *            before any client is answered; dropped = librdkafka reports all
 *            brokers down.  Between sessions the partition is paused and
 *            the consumer keeps its position: after an outage it resumes
 *            from its offset, so records written meanwhile (peers' replays)
 *            arrive as updates.
 *
 * librdkafka reconnects by itself; the adapter only reports what it sees
 * and never retries (the core decides).  Publishes are acknowledged by
 * delivery reports, in order (idempotent producer, one partition); one
 * reported as not persisted is failed, any other outcome is sent (bcast.h's
 * rule).  TCP keepalive via socket.keepalive.enable; a frozen broker is
 * caught by the core's watchdog.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backbone.h"
#include "backbone_net.h"
#include "bb_relay.h"
#include "bb_shell.h"
#include "bb_uri.h"
#include "kafka_bridge.h"
#include "sd_log.h"
#include "topics.h"
#include "wire.h"

#define KAFKA_PAYLOAD_MAX (900u << 10)  /* under a broker's default message.max.bytes (1 MB) */
#define KAFKA_WHY_MAX 512u
#define KAFKA_PARTITION 0
#define KAFKA_HEARTBEAT_KEY_MAX 32u
_Static_assert(KAFKA_PAYLOAD_MAX <= SG_BCAST_PAYLOAD_MAX, "kafka payload bound within the core's");

typedef enum phase {
    PH_IDLE = 0,
    PH_CONNECTING,
    PH_CONNECTED,
    PH_SUBSCRIBING,
    PH_SUBSCRIBED
} phase;

/* Delivery reports carry a pointer to the publish kind (not an integer
 * cast to a pointer). */
static sd_publish_kind publish_kinds[] = {SD_PUBLISH_LIVE, SD_PUBLISH_REPLAY, SD_PUBLISH_HEARTBEAT};

/* A state fetch waiting for the consumer to reach the end of the log. */
typedef struct waiting_fetch {
    sd_state_cb cb;
    void *arg;
    uint64_t cookie;
    size_t topic_len;
    struct waiting_fetch *next;
    char topic[];
} waiting_fetch;

typedef struct probe_work {
    uv_work_t req;
    sd_backbone *bb;
    uint64_t session;
    int timeout_ms;
    char why[KAFKA_WHY_MAX];
    bool ok;
} probe_work;

struct sd_backbone {
    bb_shell sh;               /* first: relay, bounds, counters, lifetime (its timer is unused) */
    kafka_bridge bridge;
    char bootstrap[BB_URI_PART_MAX];
    char topic[BB_URI_PART_MAX];
    rd_kafka_t *producer, *consumer;
    rd_kafka_topic_t *probe_topic;
    rd_kafka_topic_partition_list_t *parts;
    sd_topics view;            /* the log's state: topic -> last payload */
    phase phase;
    uint64_t session;
    bool caught_up;            /* the log was replayed once (first end of partition) */
    bool fresh;                /* at the end of the log since this session subscribed */
    waiting_fetch *waiting, *waiting_tail; /* fetches held until `fresh` */
    uint32_t waiting_count;
    uint32_t in_flight;        /* publishes awaiting their delivery report */
    uint64_t in_flight_bytes;
    uint64_t received_unsubscribed;
};

static void kafka_release(bb_shell *s)
{
    sd_backbone *bb = (sd_backbone *)s; /* the shell is the first member */
    sd_topics_free(&bb->view);
    free(bb);
}

static void set_paused(sd_backbone *bb, bool paused)
{
    if (bb->consumer != NULL) {
        if (paused) {
            rd_kafka_pause_partitions(bb->consumer, bb->parts);
        } else {
            rd_kafka_resume_partitions(bb->consumer, bb->parts);
        }
    }
}

/* Answers the held fetches: from the view (ok) or with an error. */
static void answer_waiting(sd_backbone *bb, bool ok)
{
    while (bb->waiting != NULL) {
        waiting_fetch *w = bb->waiting;
        bb->waiting = w->next;
        const sd_topic *t = ok ? sd_topics_find(&bb->view, w->topic, w->topic_len) : NULL;
        bb_relay_state(&bb->sh.relay, w->cb, w->arg, w->cookie, w->topic, w->topic_len, ok ? SG_OK : SG_E_STATE,
                       t != NULL ? t->state : NULL, t != NULL ? t->state_len : 0,
                       ok ? NULL : "kafka session ended before the log was read to its end");
        free(w);
    }
    bb->waiting_tail = NULL;
    bb->waiting_count = 0;
}

static void end_session(sd_backbone *bb)
{
    bb->phase = PH_IDLE;
    bb->fresh = false;
    set_paused(bb, true);
    answer_waiting(bb, false);
}

static void fail_session(sd_backbone *bb, const char *why)
{
    if (bb->phase == PH_IDLE) {
        return;
    }
    bb_session_event what = bb->phase == PH_CONNECTING ? BB_CONNECT_FAILED : BB_DROPPED;
    char text[KAFKA_WHY_MAX];
    snprintf(text, sizeof text, "kafka %.200s: %.200s", bb->bootstrap, why);
    end_session(bb);
    bb_relay_session_event(&bb->sh.relay, what, text);
}

/* ---- events from librdkafka (on the loop thread) ------------------------------- */

static void delivered(sd_backbone *bb, rd_kafka_event_t *ev)
{
    const rd_kafka_message_t *m;
    while ((m = rd_kafka_event_message_next(ev)) != NULL) {
        const sd_publish_kind *kind = m->_private;
        bool ok = m->err == RD_KAFKA_RESP_ERR_NO_ERROR ||
                  rd_kafka_message_status(m) != RD_KAFKA_MSG_STATUS_NOT_PERSISTED;
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            sd_log(SD_LOG_WARN, "kafka_delivery_failed", "error=\"%s\" reported_as=%s", rd_kafka_err2str(m->err),
                   ok ? "sent" : "failed");
        }
        assert(bb->in_flight > 0 && bb->in_flight_bytes >= m->len);
        bb->in_flight--;
        bb->in_flight_bytes -= m->len;
        bb->sh.published += ok;
        bb->sh.publish_failures += !ok;
        bb_relay_publish_done(&bb->sh.relay, kind != NULL ? *kind : SD_PUBLISH_LIVE, m->payload, m->len, ok);
    }
}

/* A record of the log: into the view, and to the core when subscribed. */
static void consumed(sd_backbone *bb, const rd_kafka_message_t *m)
{
    sg_bcast_header h;
    sd_wire_body body;
    if (sd_wire_decode(m->payload, m->len, &h, &body, NULL) != SG_OK) {
        sd_log(SD_LOG_WARN, "kafka_bad_record", "offset=%" PRId64 " bytes=%zu", m->offset, m->len);
        return;
    }
    if (h.kind == SG_MSG_DATA) {
        sd_topic *t = NULL;
        if (sd_topics_get(&bb->view, body.topic, body.topic_len, &t) != SG_OK ||
            sd_topic_set_state(&bb->view, t, body.payload, body.payload_len) != SG_OK) {
            sd_log(SD_LOG_WARN, "kafka_view_full", "topic=%.*s", (int)body.topic_len, body.topic);
        }
    }
    if (bb->phase != PH_SUBSCRIBED) {
        bb->received_unsubscribed++; /* history, or raced a pause: the view has it */
        return;
    }
    bb->sh.received++;
    if (bb_relay_message(&bb->sh.relay, m->payload, m->len) != SG_OK) {
        fail_session(bb, "incoming backlog over its bound");
    }
}

/* The consumer reached the end of the log (the event API reports it as an
 * error event): the view is the truth from now on. */
static void reached_end(sd_backbone *bb)
{
    bb->caught_up = true;
    if (bb->phase == PH_SUBSCRIBING) {
        bb->phase = PH_SUBSCRIBED;
        bb_relay_session_event(&bb->sh.relay, BB_SUBSCRIBED, NULL);
    }
    if (bb->phase == PH_SUBSCRIBED) {
        bb->fresh = true;
        answer_waiting(bb, true);
    }
}

static void fetched(sd_backbone *bb, rd_kafka_event_t *ev)
{
    const rd_kafka_message_t *m;
    while ((m = rd_kafka_event_message_next(ev)) != NULL) {
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            reached_end(bb);
        } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            sd_log(SD_LOG_WARN, "kafka_consume_error", "error=\"%s\"", rd_kafka_err2str(m->err));
        } else {
            consumed(bb, m);
        }
    }
}

static void errored(sd_backbone *bb, rd_kafka_event_t *ev)
{
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
    if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        reached_end(bb);
        return;
    }
    bool fatal = rd_kafka_event_error_is_fatal(ev) != 0;
    sd_log(fatal ? SD_LOG_ERROR : SD_LOG_DEBUG, "kafka_error", "error=\"%s\"", rd_kafka_event_error_string(ev));
    if ((err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || fatal) && bb->phase >= PH_CONNECTED) {
        fail_session(bb, rd_kafka_event_error_string(ev));
    }
}

static void logged(rd_kafka_event_t *ev)
{
    const char *fac = NULL, *str = NULL;
    int level = 7;
    if (rd_kafka_event_log(ev, &fac, &str, &level) == 0) {
        sd_log(level <= 4 ? SD_LOG_WARN : SD_LOG_DEBUG, "kafka_log", "facility=%s text=\"%.300s\"", fac, str);
    }
}

static void on_event(void *ctx, int index, rd_kafka_event_t *ev)
{
    sd_backbone *bb = ctx;
    (void)index;
    if (bb->sh.destroyed) {
        return;
    }
    switch (rd_kafka_event_type(ev)) {
    case RD_KAFKA_EVENT_DR: delivered(bb, ev); break;
    case RD_KAFKA_EVENT_FETCH: fetched(bb, ev); break;
    case RD_KAFKA_EVENT_ERROR: errored(bb, ev); break;
    case RD_KAFKA_EVENT_LOG: logged(ev); break;
    default: break;
    }
}

/* ---- clients ---------------------------------------------------------------------- */

static bool conf_set(rd_kafka_conf_t *conf, const char *const (*kv)[2], size_t n, char *why, size_t why_size)
{
    for (size_t i = 0; i < n; i++) {
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], why, why_size) != RD_KAFKA_CONF_OK) {
            return false;
        }
    }
    return true;
}

static rd_kafka_t *new_client(sd_backbone *bb, rd_kafka_type_t type, char *why, size_t why_size)
{
    char items[24], kbytes[24], group[64];
    snprintf(items, sizeof items, "%u", bb->sh.limits.queue_items_max);
    snprintf(kbytes, sizeof kbytes, "%" PRIu64, bb->sh.limits.queue_bytes_max / 1024 + 1);
    snprintf(group, sizeof group, "stormglassd-%ld-%p", (long)getpid(), (void *)bb);
    const char *const common[][2] = {
        {"bootstrap.servers", bb->bootstrap}, {"socket.keepalive.enable", "true"},
        {"reconnect.backoff.ms", "100"},      {"reconnect.backoff.max.ms", "1000"},
        {"log.queue", "true"},                {"message.max.bytes", "1000000"},
    };
    const char *const producer[][2] = {
        {"enable.idempotence", "true"},         {"linger.ms", "1"},
        {"message.timeout.ms", "60000"},        {"queue.buffering.max.messages", items},
        {"queue.buffering.max.kbytes", kbytes},
    };
    const char *const consumer[][2] = {
        {"group.id", group},           {"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "true"}, {"fetch.wait.max.ms", "20"},  {"fetch.error.backoff.ms", "100"},
        {"queued.max.messages.kbytes", "16384"},
    };
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    bool ok = conf_set(conf, common, sizeof common / sizeof common[0], why, why_size);
    if (type == RD_KAFKA_PRODUCER) {
        ok = ok && conf_set(conf, producer, sizeof producer / sizeof producer[0], why, why_size);
        rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_LOG);
    } else {
        ok = ok && conf_set(conf, consumer, sizeof consumer / sizeof consumer[0], why, why_size);
        rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_FETCH | RD_KAFKA_EVENT_ERROR | RD_KAFKA_EVENT_LOG);
    }
    rd_kafka_t *rk = ok ? rd_kafka_new(type, conf, why, why_size) : NULL;
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf); /* rd_kafka_new owns it only on success */
        return NULL;
    }
    rd_kafka_set_log_queue(rk, NULL); /* logs join the main queue: read on the loop */
    return rk;
}

/* Producer, consumer (assigned from the beginning, paused until subscribed)
 * and their queues on the bridge; once per adapter. */
static bool ensure_clients(sd_backbone *bb, char *why, size_t why_size)
{
    if (bb->producer != NULL) {
        return true;
    }
    bb->producer = new_client(bb, RD_KAFKA_PRODUCER, why, why_size);
    bb->consumer = bb->producer != NULL ? new_client(bb, RD_KAFKA_CONSUMER, why, why_size) : NULL;
    if (bb->consumer == NULL) {
        if (bb->producer != NULL) {
            rd_kafka_destroy(bb->producer);
            bb->producer = NULL;
        }
        return false;
    }
    bb->probe_topic = rd_kafka_topic_new(bb->producer, bb->topic, NULL);
    rd_kafka_poll_set_consumer(bb->consumer);
    kafka_bridge_add(&bb->bridge, rd_kafka_queue_get_main(bb->producer));
    kafka_bridge_add(&bb->bridge, rd_kafka_queue_get_consumer(bb->consumer));
    bb->parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(bb->parts, bb->topic, KAFKA_PARTITION)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t err = rd_kafka_assign(bb->consumer, bb->parts);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(why, why_size, "assign: %s", rd_kafka_err2str(err));
        return false;
    }
    set_paused(bb, true);
    return true;
}

/* ---- create / destroy ---------------------------------------------------------------- */

static sg_status kafka_create(uv_loop_t *loop, const char *uri, const sd_backbone_limits *limits,
                              const sd_backbone_events *events, sd_backbone **out, sg_error *err)
{
    assert(loop != NULL && uri != NULL && limits != NULL && events != NULL && out != NULL);
    *out = NULL;
    bb_uri u;
    sg_status st = bb_uri_split(uri, "kafka", &u, err);
    if (st != SG_OK) {
        return st;
    }
    if (u.path[0] == '\0' || strchr(u.path, '/') != NULL || u.query[0] != '\0') {
        return sg_error_set(err, SG_E_INVALID, "--backbone: kafka:// needs exactly one topic: kafka://host:port/TOPIC");
    }
    sd_backbone *bb = calloc(1, sizeof *bb);
    if (bb == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "kafka://: out of memory");
    }
    snprintf(bb->bootstrap, sizeof bb->bootstrap, "%s", u.authority);
    snprintf(bb->topic, sizeof bb->topic, "%s", u.path);
    if (sd_topics_init(&bb->view, limits->topics_max, limits->state_bytes_max) != SG_OK ||
        kafka_bridge_init(&bb->bridge, loop, on_event, bb) != 0) {
        sd_topics_free(&bb->view);
        free(bb);
        return sg_error_set(err, SG_E_NOMEM, "kafka://: out of memory or file descriptors");
    }
    bb_shell_init(&bb->sh, loop, limits, events, kafka_release);
    bb->sh.open_handles++; /* the bridge */
    *out = bb;
    return SG_OK;
}

static void on_bridge_closed(kafka_bridge *b)
{
    sd_backbone *bb = (sd_backbone *)((char *)b - offsetof(sd_backbone, bridge));
    bb_shell_handle_closed(&bb->sh);
}

typedef struct destroy_work {
    uv_work_t req;
    sd_backbone *bb;
    rd_kafka_t *producer, *consumer;
    rd_kafka_topic_t *probe_topic;
} destroy_work;

/* rd_kafka_destroy joins librdkafka's threads: not on the loop thread. */
static void destroy_clients(uv_work_t *req)
{
    destroy_work *w = req->data;
    if (w->probe_topic != NULL) {
        rd_kafka_topic_destroy(w->probe_topic);
    }
    if (w->consumer != NULL) {
        rd_kafka_destroy_flags(w->consumer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    }
    if (w->producer != NULL) {
        rd_kafka_destroy(w->producer);
    }
}

static void clients_destroyed(uv_work_t *req, int status)
{
    destroy_work *w = req->data;
    sd_backbone *bb = w->bb;
    (void)status;
    free(w);
    bb_shell_handle_closed(&bb->sh);
}

static void kafka_destroy(sd_backbone *bb)
{
    bb->phase = PH_IDLE;
    bb_shell_close(&bb->sh);
    answer_waiting(bb, false); /* the relay is closed: nothing is called back */
    kafka_bridge_close(&bb->bridge, on_bridge_closed); /* drops our queue references first */
    if (bb->parts != NULL) {
        rd_kafka_topic_partition_list_destroy(bb->parts);
        bb->parts = NULL;
    }
    if (bb->producer == NULL) {
        return;
    }
    destroy_work *w = calloc(1, sizeof *w);
    if (w == NULL) { /* no memory for the hand-off: destroy here, blocking the loop once */
        destroy_work local = {{0}, bb, bb->producer, bb->consumer, bb->probe_topic};
        local.req.data = &local;
        destroy_clients(&local.req);
        return;
    }
    *w = (destroy_work){{0}, bb, bb->producer, bb->consumer, bb->probe_topic};
    w->req.data = w;
    bb->producer = bb->consumer = NULL;
    bb->sh.open_handles++;
    uv_queue_work(bb->sh.loop, &w->req, destroy_clients, clients_destroyed);
}

/* ---- session -------------------------------------------------------------------------- */

/* On the thread pool: does the cluster answer for our topic? */
static void probe_run(uv_work_t *req)
{
    probe_work *w = req->data;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(w->bb->producer, 0, w->bb->probe_topic, &md, w->timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(w->why, sizeof w->why, "metadata: %s", rd_kafka_err2str(err));
    } else if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(w->why, sizeof w->why, "topic %s: %s", w->bb->topic,
                 md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "not in the metadata");
    } else if (md->topics[0].partition_cnt <= KAFKA_PARTITION || md->topics[0].partitions[0].leader < 0) {
        snprintf(w->why, sizeof w->why, "topic %s: partition %d has no leader", w->bb->topic, KAFKA_PARTITION);
    } else {
        w->ok = true;
    }
    if (md != NULL) {
        rd_kafka_metadata_destroy(md);
    }
}

static void probe_done(uv_work_t *req, int status)
{
    probe_work *w = req->data;
    sd_backbone *bb = w->bb;
    if (!bb->sh.destroyed && w->session == bb->session && bb->phase == PH_CONNECTING) {
        if (w->ok && status == 0) {
            bb->phase = PH_CONNECTED;
            bb_relay_session_event(&bb->sh.relay, BB_CONNECTED, NULL);
        } else {
            fail_session(bb, w->ok ? "probe cancelled" : w->why);
        }
    }
    free(w);
    bb_shell_handle_closed(&bb->sh);
}

static sg_status kafka_connect(sd_backbone *bb, sg_duration_ns timeout_ns)
{
    if (bb->phase != PH_IDLE) {
        end_session(bb);
    }
    bb_relay_next_session(&bb->sh.relay);
    bb->session++;
    bb->phase = PH_CONNECTING;
    char why[KAFKA_WHY_MAX] = "";
    probe_work *w = ensure_clients(bb, why, sizeof why) ? calloc(1, sizeof *w) : NULL;
    if (w == NULL) {
        fail_session(bb, why[0] != '\0' ? why : "out of memory");
        return SG_OK; /* reported through the relay */
    }
    int64_t ms = timeout_ns / SG_NS_PER_MS;
    w->bb = bb;
    w->session = bb->session;
    w->timeout_ms = ms < 1 ? 1 : ms > 600000 ? 600000 : (int)ms;
    w->req.data = w;
    bb->sh.open_handles++;
    uv_queue_work(bb->sh.loop, &w->req, probe_run, probe_done);
    return SG_OK;
}

static sg_status kafka_subscribe(sd_backbone *bb)
{
    if (bb->phase != PH_CONNECTED) {
        return SG_E_STATE;
    }
    set_paused(bb, false);
    if (bb->caught_up) { /* resumes from its offset: what was written meanwhile follows */
        bb->phase = PH_SUBSCRIBED;
        bb_relay_session_event(&bb->sh.relay, BB_SUBSCRIBED, NULL);
    } else {
        bb->phase = PH_SUBSCRIBING; /* subscribed at the end of the first replay of the log */
    }
    return SG_OK;
}

static void kafka_disconnect(sd_backbone *bb)
{
    if (bb->phase != PH_IDLE) {
        end_session(bb);
    }
    bb_relay_next_session(&bb->sh.relay);
    bb->session++;
}

/* ---- publish and state ------------------------------------------------------------------ */

static sg_status kafka_publish(sd_backbone *bb, sd_publish_kind kind, const uint8_t *msg, size_t len)
{
    if (len > KAFKA_PAYLOAD_MAX) {
        return SG_E_TOO_BIG;
    }
    if (bb->phase < PH_CONNECTED || bb->producer == NULL) {
        return SG_E_STATE;
    }
    sg_bcast_header h;
    sd_wire_body body;
    if (sd_wire_decode(msg, len, &h, &body, NULL) != SG_OK || (unsigned)kind > SD_PUBLISH_HEARTBEAT) {
        return SG_E_INVALID;
    }
    char key[SD_TOPIC_NAME_MAX + KAFKA_HEARTBEAT_KEY_MAX]; /* a copy: librdkafka's key type is not const */
    size_t key_len = body.topic_len;
    if (h.kind == SG_MSG_DATA) {
        memcpy(key, body.topic, body.topic_len);
    } else { /* '#' is not allowed in topic names: no clash */
        key_len = (size_t)snprintf(key, sizeof key, "#heartbeat:%u", h.origin);
    }
    void *value = NULL; /* librdkafka's API is not const-correct; with F_COPY it only reads */
    memcpy(&value, &msg, sizeof value);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        bb->producer, RD_KAFKA_V_TOPIC(bb->topic), RD_KAFKA_V_PARTITION(KAFKA_PARTITION),
        RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE(value, len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&publish_kinds[kind]), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return SG_E_FULL;
    }
    if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
        return SG_E_TOO_BIG;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        sd_log(SD_LOG_WARN, "kafka_produce_refused", "error=\"%s\"", rd_kafka_err2str(err));
        return SG_E_STATE;
    }
    bb->in_flight++;
    bb->in_flight_bytes += len;
    return SG_OK;
}

static sg_status kafka_fetch_state(sd_backbone *bb, const char *topic, size_t topic_len, uint64_t cookie,
                                   sd_state_cb cb, void *arg)
{
    if (bb->phase != PH_SUBSCRIBED) {
        return SG_E_STATE; /* the view is the truth only while the log is being followed */
    }
    if (bb->fresh) {
        const sd_topic *t = sd_topics_find(&bb->view, topic, topic_len);
        bb_relay_state(&bb->sh.relay, cb, arg, cookie, topic, topic_len, SG_OK, t != NULL ? t->state : NULL,
                       t != NULL ? t->state_len : 0, NULL);
        return SG_OK;
    }
    /* resumed after a gap: answer once the consumer has read what was
     * written meanwhile (its next end of partition) */
    if (bb->waiting_count >= bb->sh.limits.queue_items_max) {
        return SG_E_FULL;
    }
    waiting_fetch *w = malloc(sizeof *w + topic_len);
    if (w == NULL) {
        return SG_E_NOMEM;
    }
    *w = (waiting_fetch){cb, arg, cookie, topic_len, NULL};
    memcpy(w->topic, topic, topic_len);
    if (bb->waiting_tail != NULL) {
        bb->waiting_tail->next = w;
    } else {
        bb->waiting = w;
    }
    bb->waiting_tail = w;
    bb->waiting_count++;
    return SG_OK;
}

/* ---- observation and drills ---------------------------------------------------------------- */

static uint32_t kafka_payload_max(const sd_backbone *bb)
{
    (void)bb;
    return KAFKA_PAYLOAD_MAX;
}

static void kafka_stats(const sd_backbone *bb, sd_backbone_stats *out)
{
    bb_shell_stats(&bb->sh, bb->phase >= PH_CONNECTED, bb->phase == PH_SUBSCRIBED, kafka_bridge_fd(&bb->bridge),
                   bb->in_flight + bb->waiting_count, out);
}

static sg_status kafka_inject_drop(sd_backbone *bb)
{
    if (bb->phase == PH_IDLE) {
        return SG_E_STATE;
    }
    fail_session(bb, "session ended by inject_drop");
    return SG_OK;
}

const sd_backbone_ops sd_backbone_kafka = {
    .scheme = "kafka",
    .summary = "Kafka records on one partition, state replayed from the log (kafka://host:port/TOPIC)",
    .create = kafka_create,
    .destroy = kafka_destroy,
    .connect = kafka_connect,
    .subscribe = kafka_subscribe,
    .disconnect = kafka_disconnect,
    .publish = kafka_publish,
    .fetch_state = kafka_fetch_state,
    .payload_max = kafka_payload_max,
    .stats = kafka_stats,
    .inject_drop = kafka_inject_drop,
};

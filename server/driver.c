/*
 * driver.c - stormglassd's side of the core's sans-IO contract
 * (bcast.h): backbone callbacks and local publishes become sg_bcast_*
 * events; the actions the core emits become backbone calls, client closes
 * and log lines; one uv timer follows sg_bcast_next_deadline.  No
 * resilience decision is taken here: when to connect, what to replay,
 * whom to close and whether we are healthy all come from the core.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sd_log.h"
#include "server.h"
#include "wire.h"

sg_time_ns sd_now(void)
{
    return (sg_time_ns)uv_hrtime();
}

/* header[32] + body in one malloc'd message. */
static uint8_t *frame(const sg_bcast_header *h, const uint8_t *body, size_t len, size_t *out_len)
{
    uint8_t *msg = malloc(SG_BCAST_HEADER_BYTES + len + 1);
    if (msg == NULL) {
        return NULL;
    }
    sg_bcast_header_encode(h, msg);
    if (len > 0) {
        memcpy(msg + SG_BCAST_HEADER_BYTES, body, len);
    }
    *out_len = SG_BCAST_HEADER_BYTES + len;
    return msg;
}

static sg_status send_to_backbone(sd_server *srv, sd_publish_kind kind, const sg_bcast_header *h,
                                  const uint8_t *body, size_t len)
{
    size_t n = 0;
    uint8_t *msg = frame(h, body, len, &n);
    if (msg == NULL) {
        return SG_E_NOMEM;
    }
    sg_status st = srv->bb_ops->publish(srv->bb, kind, msg, n);
    free(msg);
    return st;
}

static void log_note(const sg_bcast_action *a)
{
    sd_log(SD_LOG_INFO, "core_note", "note=%s value=%" PRIu64 " peer=%u", sg_bcast_note_name(a->u.note.note),
           a->u.note.value, a->u.note.peer);
}

static void do_action(sd_server *srv, const sg_bcast_action *a, sg_time_ns now)
{
    switch (a->kind) {
    case SG_ACT_CONNECT:
        sd_log(SD_LOG_INFO, "backbone_connect", "attempt=%u backbone=%s", a->u.connect.attempt, srv->cfg.backbone);
        if (srv->bb_ops->connect(srv->bb, a->u.connect.timeout_ns) != SG_OK) {
            sg_bcast_on_connect_failed(srv->core, now);
        }
        break;
    case SG_ACT_SUBSCRIBE:
        if (sd_drill_hold_subscribe(srv)) {
            break; /* released by SIGUSR2 (drill.c) */
        }
        if (srv->bb_ops->subscribe(srv->bb) != SG_OK) {
            sg_bcast_on_subscribe_failed(srv->core, now);
        }
        break;
    case SG_ACT_DISCONNECT:
        sd_log(SD_LOG_INFO, "backbone_disconnect", "backbone=%s", srv->cfg.backbone);
        sd_drill_session_ended(srv);
        srv->bb_ops->disconnect(srv->bb);
        break;
    case SG_ACT_PUBLISH:
        if (send_to_backbone(srv, SD_PUBLISH_REPLAY, &a->u.publish.header, a->u.publish.payload,
                             a->u.publish.len) != SG_OK) {
            sg_bcast_on_replay_result(srv->core, now, false);
        }
        break;
    case SG_ACT_HEARTBEAT: send_to_backbone(srv, SD_PUBLISH_HEARTBEAT, &a->u.heartbeat.header, NULL, 0); break;
    case SG_ACT_CLOSE_CLIENT: {
        sd_conn *c = sd_conn_find(srv, a->u.close_client.cookie);
        if (c != NULL) {
            sd_conn_ws_close(c, a->u.close_client.close_code, "resync: reconnect and fetch the state again");
        }
        break;
    }
    case SG_ACT_HEALTH:
        sd_log(a->u.health.healthy ? SD_LOG_INFO : SD_LOG_WARN, "health", "healthy=%s reason=%s",
               a->u.health.healthy ? "true" : "false", sg_health_reason_name(a->u.health.reason));
        sd_health_publish(srv, a->u.health.healthy);
        break;
    case SG_ACT_SHUTDOWN:
        sd_log(SD_LOG_ERROR, "give_up", "why=\"backbone retries exhausted\" exit_code=%d", SD_EXIT_GIVE_UP);
        sd_server_begin_shutdown(srv, SD_EXIT_GIVE_UP, "backbone retries exhausted");
        break;
    case SG_ACT_NOTE: log_note(a); break;
    case SG_ACT_GOODBYE: { /* goes out like a canary; its result comes back to farewell.c */
        sg_status st = send_to_backbone(srv, SD_PUBLISH_HEARTBEAT, &a->u.goodbye.header, NULL, 0);
        sd_farewell_sent(srv, &a->u.goodbye.header, st == SG_OK);
        break;
    }
    case SG_ACT_REFETCH: sd_state_refetch(srv, a->u.refetch.handle, a->u.refetch.cookie); break;
    }
}

static void on_core_timer(uv_timer_t *t)
{
    sd_server *srv = t->data;
    sg_bcast_on_timer(srv->core, sd_now());
    sd_driver_pump(srv);
}

static void arm_core_timer(sd_server *srv)
{
    sg_time_ns deadline = sg_bcast_next_deadline(srv->core);
    if (deadline == SG_TIME_NEVER) {
        uv_timer_stop(&srv->core_timer);
        return;
    }
    sg_time_ns now = sd_now();
    uint64_t ms = deadline <= now ? 0 : (uint64_t)((deadline - now + SG_NS_PER_MS - 1) / SG_NS_PER_MS);
    uv_timer_start(&srv->core_timer, on_core_timer, ms, 0);
}

void sd_driver_pump(sd_server *srv)
{
    if (srv->core == NULL || srv->pumping) {
        return; /* the outer pump drains what this call would have */
    }
    srv->pumping = true;
    sg_bcast_action a;
    while (sg_bcast_poll_action(srv->core, &a)) {
        do_action(srv, &a, sd_now());
    }
    srv->pumping = false;
    sd_state_check_stored(srv);
    sd_farewell_progress(srv); /* may say goodbye, which pumps once more */
    arm_core_timer(srv);
}

/* ---- backbone callbacks ---------------------------------------------- */

static void bb_connected(void *ctx)
{
    sd_server *srv = ctx;
    sd_log(SD_LOG_INFO, "backbone_connected", "backbone=%s", srv->cfg.backbone);
    sg_bcast_on_connected(srv->core, sd_now());
    sd_driver_pump(srv);
}

static void bb_connect_failed(void *ctx, const char *why)
{
    sd_server *srv = ctx;
    sd_log(SD_LOG_WARN, "backbone_connect_failed", "why=\"%s\"", why);
    sg_bcast_on_connect_failed(srv->core, sd_now());
    sd_driver_pump(srv);
}

static void bb_subscribed(void *ctx)
{
    sd_server *srv = ctx;
    srv->bb_session++; /* every cached state is now suspect: refetch on next use */
    sd_log(SD_LOG_INFO, "backbone_subscribed", "backbone=%s session=%" PRIu64, srv->cfg.backbone, srv->bb_session);
    sg_bcast_on_subscribed(srv->core, sd_now());
    sd_driver_pump(srv); /* REFETCH actions: clients registered before this subscription */
    sd_state_new_session(srv);
}

static void bb_subscribe_failed(void *ctx, const char *why)
{
    sd_server *srv = ctx;
    sd_log(SD_LOG_WARN, "backbone_subscribe_failed", "why=\"%s\"", why);
    sg_bcast_on_subscribe_failed(srv->core, sd_now());
    sd_driver_pump(srv);
}

static void bb_dropped(void *ctx, const char *why)
{
    sd_server *srv = ctx;
    sd_log(SD_LOG_WARN, "backbone_dropped", "why=\"%s\"", why);
    sd_drill_session_ended(srv);
    sg_bcast_on_dropped(srv->core, sd_now());
    sd_driver_pump(srv);
}

static void bb_message(void *ctx, const uint8_t *msg, size_t len)
{
    sd_server *srv = ctx;
    sg_bcast_header h;
    sd_wire_body body;
    sg_error err;
    if (sd_wire_decode(msg, len, &h, &body, &err) != SG_OK) {
        srv->counters.backbone_decode_errors++;
        sd_log(SD_LOG_WARN, "backbone_bad_message", "bytes=%zu why=\"%s\"", len, err.msg);
        return;
    }
    size_t body_len = len - SG_BCAST_HEADER_BYTES;
    sg_msg_verdict v = sg_bcast_on_message(srv->core, sd_now(), &h, (uint32_t)body_len);
    if (v == SG_MSG_DELIVER) {
        sd_client_deliver(srv, body.topic, body.topic_len, body.payload, body.payload_len);
    }
    sd_driver_pump(srv);
}

static void bb_publish_done(void *ctx, sd_publish_kind kind, const uint8_t *msg, size_t len, bool ok)
{
    sd_server *srv = ctx;
    sg_time_ns now = sd_now();
    sg_bcast_header h;
    assert(len >= SG_BCAST_HEADER_BYTES);
    bool decoded = sg_bcast_header_decode(msg, SG_BCAST_HEADER_BYTES, &h, NULL) == SG_OK;
    if (ok && kind != SD_PUBLISH_HEARTBEAT) {
        sd_state_local_stored(srv, msg, len);
    }
    if (kind == SD_PUBLISH_REPLAY) {
        sg_bcast_on_replay_result(srv->core, now, ok);
    } else if (kind == SD_PUBLISH_LIVE) {
        if (srv->live_in_flight > 0) { /* one result per accepted publish (backbone.h) */
            srv->live_in_flight--;
        }
        if (decoded) {
            sg_bcast_on_publish_result(srv->core, now, &h, msg + SG_BCAST_HEADER_BYTES,
                                       (uint32_t)(len - SG_BCAST_HEADER_BYTES), ok);
        }
    } else if (decoded && h.kind == SG_MSG_GOODBYE) {
        sd_farewell_result(srv, ok);
    }
    sd_driver_pump(srv);
}

/* ---- local publish ------------------------------------------------------ */

const char *sd_driver_publish(sd_server *srv, const char *topic, size_t topic_len, const uint8_t *payload,
                              size_t len, int *status)
{
    if (sd_farewell_said(srv)) {
        srv->counters.publish_refused_after_goodbye++;
        *status = 503;
        return "shutting down: this instance said its goodbye";
    }
    uint8_t *body = NULL;
    size_t body_len = 0;
    if (sd_wire_body_encode(topic, topic_len, payload, len, &body, &body_len) != SG_OK) {
        *status = 503;
        return "out of memory";
    }
    sg_time_ns now = sd_now();
    srv->counters.publishes++;
    sg_publish_result r = sg_bcast_publish(srv->core, now, body, (uint32_t)body_len);
    const char *verdict = "dropped";
    *status = 202;
    if (r.verdict == SG_PUBLISH_SEND) {
        srv->counters.publish_sent++;
        verdict = "sent";
        if (send_to_backbone(srv, SD_PUBLISH_LIVE, &r.header, body, body_len) != SG_OK) {
            sg_bcast_on_publish_result(srv->core, now, &r.header, body, (uint32_t)body_len, false);
            verdict = "buffered";
        } else {
            srv->live_in_flight++;
        }
    } else if (r.verdict == SG_PUBLISH_BUFFERED) {
        srv->counters.publish_buffered++;
        verdict = "buffered";
    } else {
        srv->counters.publish_dropped++;
        *status = 503;
        verdict = "dropped: too large for the backbone or buffering disabled while it is down";
    }
    /* immediate policy: our clients get it now, the store only when the
     * send or its replay lands (topic_state.c trusts the cache until then) */
    if (r.deliver_locally && sd_client_deliver(srv, topic, topic_len, payload, len) &&
        r.verdict != SG_PUBLISH_DROPPED) {
        sd_state_local_unstored(srv, topic, topic_len);
    }
    free(body);
    sd_driver_pump(srv);
    return verdict;
}

/* ---- start and stop ------------------------------------------------------- */

sg_status sd_driver_start(sd_server *srv, sg_error *err)
{
    sd_config *cfg = &srv->cfg;
    srv->bb_ops = sd_backbone_find(cfg->backbone, err);
    if (srv->bb_ops == NULL) {
        return SG_E_INVALID;
    }
    sd_backbone_events ev = {srv,        bb_connected, bb_connect_failed, bb_subscribed, bb_subscribe_failed,
                             bb_dropped, bb_message,   bb_publish_done};
    sd_backbone_limits limits = {cfg->max_topics, cfg->max_state_bytes, 65536, cfg->max_state_bytes};
    sg_status st = srv->bb_ops->create(srv->loop, cfg->backbone, &limits, &ev, &srv->bb, err);
    if (st != SG_OK) {
        return st;
    }
    uint32_t carried = srv->bb_ops->payload_max(srv->bb);
    uint32_t body_max = carried > SG_BCAST_HEADER_BYTES ? carried - SG_BCAST_HEADER_BYTES : 0;
    if (cfg->bcast.backbone_payload_max > body_max) {
        cfg->bcast.backbone_payload_max = body_max;
    }
    uv_timer_init(srv->loop, &srv->core_timer);
    srv->core_timer.data = srv;
    st = sg_bcast_create(&cfg->bcast, sd_now(), &srv->core, err);
    if (st != SG_OK) {
        return st;
    }
    srv->bb_session = 1; /* caches start stale (fresh_session 0) */
    /* The server always listens: its topic caches must follow the fleet and
     * its publishes must reach the backbone even with no client connected,
     * so it holds one permanent pin (the core's "pinned context"). */
    sg_bcast_pin(srv->core, sd_now());
    sd_driver_pump(srv);
    return SG_OK;
}

void sd_driver_stop(sd_server *srv)
{
    uv_timer_stop(&srv->core_timer);
    if (srv->bb != NULL) {
        srv->bb_ops->destroy(srv->bb);
        srv->bb = NULL;
    }
}

/*
 * health_watch.c - health watchers over WebSocket, fed by the core's
 * notifier (notifier.h): a client that sends {"type":"watch-health"} gets
 * {"type":"health","status":"SERVING"|"NOT_SERVING"|...} now and on every
 * change of the core's judgement, and {"type":"health","status":"GOAWAY"}
 * when the server begins to shut down (sticky: never dropped for a live
 * watcher).  A watcher whose send queue is full is BUSY: its newest status
 * stays in its mailbox and is taken when its socket drains, so a slow
 * watcher never holds up the others.
 */
#include <assert.h>
#include <string.h>

#include "sd_log.h"
#include "server.h"

static void send_status(sd_conn *c, sg_health_code code, bool *sent)
{
    char msg[96];
    int n = snprintf(msg, sizeof msg, "{\"type\":\"health\",\"status\":\"%s\"}", sg_health_code_name(code));
    sg_status st = sd_ws_queue_text(c->ws, (const uint8_t *)msg, (size_t)n);
    *sent = st == SG_OK || st == SG_E_STATE; /* a closing client takes nothing more */
    if (st == SG_OK) {
        c->srv->counters.ws_messages_out++;
    }
}

static sg_deliver_verdict deliver_one(void *ctx, sg_watch_handle handle, const sg_notification *note)
{
    sd_server *srv = ctx;
    (void)handle;
    sd_conn *c = sd_conn_find(srv, note->cookie);
    if (c == NULL || c->closing || c->ws == NULL) {
        return SG_DELIVER_ACCEPTED; /* it is leaving; its unwatch follows */
    }
    bool sent = false;
    send_status(c, note->code, &sent);
    c->watch_busy = !sent;
    return sent ? SG_DELIVER_ACCEPTED : SG_DELIVER_BUSY;
}

/* Hands every pending status to its watcher; flushing happens afterwards
 * so no socket write runs inside the notifier's callback. */
static void pump(sd_server *srv)
{
    if (srv->notifier == NULL) {
        return;
    }
    sg_notifier_deliver(srv->notifier, sd_now(), srv->cfg.max_connections, deliver_one, srv, NULL);
    for (sd_conn *c = srv->conns; c != NULL; c = c->next) {
        if (c->watching && c->ws != NULL && !c->closing) {
            sd_conn_after_ws_io(c);
        }
    }
}

sg_status sd_health_start(sd_server *srv, sg_error *err)
{
    sg_notifier_config cfg = sg_notifier_config_default();
    cfg.watchers_max = srv->cfg.max_connections;
    sg_bcast_health h = sg_bcast_health_at(srv->core, sd_now());
    cfg.initial = h.healthy ? SG_HEALTH_CODE_SERVING : SG_HEALTH_CODE_NOT_SERVING;
    return sg_notifier_create(&cfg, &srv->notifier, err);
}

void sd_health_stop(sd_server *srv)
{
    sg_notifier_destroy(srv->notifier);
    srv->notifier = NULL;
}

void sd_health_publish(sd_server *srv, bool healthy)
{
    if (srv->notifier != NULL && !srv->shutting_down) {
        sg_notifier_publish(srv->notifier, sd_now(), healthy ? SG_HEALTH_CODE_SERVING : SG_HEALTH_CODE_NOT_SERVING);
        pump(srv);
    }
}

void sd_health_goaway(sd_server *srv)
{
    if (srv->notifier != NULL) {
        sg_notifier_publish(srv->notifier, sd_now(), SG_HEALTH_CODE_GOAWAY);
        pump(srv);
    }
}

void sd_health_watch(sd_conn *c)
{
    sd_server *srv = c->srv;
    if (c->watching) {
        return;
    }
    if (sg_notifier_watch(srv->notifier, sd_now(), c->id, &c->watch) != SG_OK) {
        sd_log(SD_LOG_WARN, "health_watch_full", "conn=%llu", (unsigned long long)c->id);
        return;
    }
    c->watching = true;
    pump(srv);
}

void sd_health_unwatch(sd_conn *c)
{
    if (c->watching && c->srv->notifier != NULL) {
        sg_notifier_unwatch(c->srv->notifier, sd_now(), c->watch);
    }
    c->watching = false;
}

/* The socket drained: a BUSY watcher takes its newest status now. */
void sd_health_retry(sd_conn *c)
{
    if (!c->watching || !c->watch_busy || c->closing) {
        return;
    }
    sg_notification note;
    memset(&note, 0, sizeof note);
    if (sg_notifier_take(c->srv->notifier, sd_now(), c->watch, &note) != SG_OK || note.code == SG_HEALTH_CODE_NONE) {
        c->watch_busy = false;
        return;
    }
    bool sent = false;
    send_status(c, note.code, &sent);
    c->watch_busy = false;
    assert(sent || c->ws != NULL);
}

/*
 * lifecycle.c - start, signals and the graceful shutdown of stormglassd.
 *
 * SIGTERM/SIGINT (exit 0) and the core's SHUTDOWN action (exit
 * SD_EXIT_GIVE_UP) end the same way: stop accepting, report the terminal
 * status, close WebSocket clients with 1001 spread over the close window,
 * let answers and close frames flush, and exit when every socket is gone
 * or at the shutdown timeout, whichever comes first.  A graceful stop
 * also says the core's goodbye on the backbone first (farewell.c); the
 * process exits only when that is done too.  A second signal closes
 * everything at once.  SIGUSR1 and SIGUSR2 are drills (drill.c).
 */
#include <assert.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sd_log.h"
#include "server.h"

#define STAGGER_TICK_MS 10u

static void close_everything(sd_server *srv, const char *why)
{
    for (sd_conn *c = srv->conns; c != NULL; c = c->next) {
        sd_conn_close(c, why);
    }
}

static void on_shutdown_timeout(uv_timer_t *t)
{
    sd_server *srv = t->data;
    sd_log(SD_LOG_WARN, "shutdown_timeout", "sockets_left=%u", srv->sockets);
    close_everything(srv, "shutdown timeout");
    sd_farewell_force(srv);
}

/* Closes the next batch of clients with 1001 so they do not all reconnect
 * to the fleet in the same millisecond. */
static void on_stagger(uv_timer_t *t)
{
    sd_server *srv = t->data;
    sg_duration_ns window = srv->cfg.shutdown_close_window_ns;
    uint64_t ticks = (uint64_t)(window / (STAGGER_TICK_MS * SG_NS_PER_MS));
    uint64_t batch = ticks == 0 ? UINT64_MAX : (srv->ws_clients + ticks - 1) / ticks;
    batch = batch == 0 ? 1 : batch;
    uint64_t left = 0;
    for (sd_conn *c = srv->conns; c != NULL; c = c->next) {
        if (c->phase != SD_CONN_WS || c->shutdown_closed || c->closing) {
            continue;
        }
        if (batch > 0) {
            batch--;
            c->shutdown_closed = true;
            sd_conn_ws_close(c, SD_WS_CLOSE_GOING_AWAY, "server shutting down");
        } else {
            left++;
        }
    }
    if (left == 0) {
        uv_timer_stop(t);
    }
}

static void close_idle_http(sd_server *srv)
{
    for (sd_conn *c = srv->conns; c != NULL; c = c->next) {
        if (c->phase == SD_CONN_HTTP && (c->req == NULL || !c->req->started) && !c->writing) {
            sd_conn_close(c, "shutting down");
        }
    }
}

void sd_server_begin_shutdown(sd_server *srv, int exit_code, const char *why)
{
    if (srv->shutting_down) {
        sd_log(SD_LOG_WARN, "shutdown_now", "why=\"%s\"", why);
        close_everything(srv, "shutdown now");
        sd_farewell_force(srv);
        return;
    }
    srv->shutting_down = true;
    srv->exit_code = exit_code;
    sd_log(SD_LOG_INFO, "shutdown_start", "why=\"%s\" clients=%u exit_code=%d", why, srv->ws_clients, exit_code);
    /* the terminal status: GOAWAY to every health watcher (sticky in the
     * notifier), and /healthcheck answers 503 shutting-down from now on */
    sd_log(SD_LOG_INFO, "health", "healthy=false reason=shutting-down terminal=true");
    sd_health_goaway(srv);
    if (srv->listening) {
        srv->listening = false;
        uv_close((uv_handle_t *)&srv->listener, NULL);
    }
    uv_timer_start(&srv->shutdown_timer, on_shutdown_timeout,
                   (uint64_t)(srv->cfg.shutdown_timeout_ns / SG_NS_PER_MS), 0);
    uv_timer_start(&srv->stagger_timer, on_stagger, 0, STAGGER_TICK_MS);
    close_idle_http(srv);
    sd_farewell_begin(srv, exit_code == 0);
    sd_server_maybe_finish(srv);
}

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h)) {
        uv_close(h, NULL);
    }
}

void sd_server_maybe_finish(sd_server *srv)
{
    if (!srv->shutting_down || srv->sockets > 0 || srv->core == NULL || !sd_farewell_done(srv)) {
        return;
    }
    sg_bcast_stats st;
    sg_bcast_stats_get(srv->core, &st);
    sd_log(SD_LOG_INFO, "shutdown_done", "exit_code=%d replay_items_unsent=%u goodbye=%s marker=%s", srv->exit_code,
           st.replay_items, srv->farewell.outcome,
           !srv->marker_on ? "off" : srv->farewell.marker_clean ? "clean" : "running");
    sd_driver_stop(srv);
    uv_walk(srv->loop, close_handle, NULL);
}

static void on_signal(uv_signal_t *s, int signum)
{
    sd_server *srv = s->data;
    if (signum == SIGUSR1 || signum == SIGUSR2) {
        sd_drill_signal(srv, signum);
        return;
    }
    sd_server_begin_shutdown(srv, 0, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void start_signals(sd_server *srv)
{
    uv_signal_t *sigs[] = {&srv->sig_term, &srv->sig_int, &srv->sig_usr1, &srv->sig_usr2};
    int nums[] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        uv_signal_init(srv->loop, sigs[i]);
        sigs[i]->data = srv;
        uv_signal_start(sigs[i], on_signal, nums[i]);
    }
    signal(SIGPIPE, SIG_IGN);
}

static int start(sd_server *srv)
{
    sg_error err;
    err.msg[0] = '\0';
    if (sd_topics_init(&srv->topics, srv->cfg.max_topics, srv->cfg.max_state_bytes) != SG_OK) {
        sd_log(SD_LOG_ERROR, "start_failed", "why=\"out of memory\"");
        return 1;
    }
    uv_timer_init(srv->loop, &srv->shutdown_timer);
    uv_timer_init(srv->loop, &srv->stagger_timer);
    srv->shutdown_timer.data = srv;
    srv->stagger_timer.data = srv;
    sd_farewell_init(srv);
    if (sd_instance_begin(srv, &err) != SG_OK || sd_conn_listen(srv, &err) != SG_OK ||
        sd_driver_start(srv, &err) != SG_OK || sd_health_start(srv, &err) != SG_OK ||
        sd_instance_running(srv, &err) != SG_OK) {
        fprintf(stderr, "stormglassd: %s\n", err.msg);
        sd_log(SD_LOG_ERROR, "start_failed", "why=\"%s\"", err.msg);
        return 2;
    }
    start_signals(srv);
    sd_log(SD_LOG_INFO, "listening", "bind=%s port=%d backbone=%s worker_id=%u epoch=%" PRIu64 " max_connections=%u",
           srv->cfg.bind, srv->port, srv->cfg.backbone, srv->cfg.bcast.worker_id, srv->cfg.bcast.epoch,
           srv->cfg.max_connections);
    return 0;
}

int sd_server_run(int argc, char **argv, char **envp)
{
    sd_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        fprintf(stderr, "stormglassd: out of memory\n");
        return 1;
    }
    sg_error err;
    err.msg[0] = '\0';
    sd_args_result r = sd_config_load(&srv->cfg, argc, argv, envp, &err);
    if (r != SD_ARGS_RUN) {
        if (r == SD_ARGS_HELP) {
            sd_settings_usage(stdout);
        } else {
            fprintf(stderr, "stormglassd: %s\n", err.msg);
        }
        free(srv);
        return r == SD_ARGS_HELP ? 0 : 2;
    }
    sd_log_set_level(srv->cfg.log_level);
    srv->loop = uv_default_loop();
    srv->started_ns = sd_now();
    int rc = start(srv);
    if (rc != 0) {
        srv->shutting_down = true;
        sd_driver_stop(srv);
        uv_walk(srv->loop, close_handle, NULL);
    }
    uv_run(srv->loop, UV_RUN_DEFAULT);
    rc = rc != 0 ? rc : srv->exit_code;
    sd_health_stop(srv);
    sg_bcast_destroy(srv->core);
    sd_topics_free(&srv->topics);
    free(srv->id_buckets);
    uv_loop_close(srv->loop);
    free(srv);
    return rc;
}

/*
 * metrics.c - GET /metrics in the Prometheus text format (version 0.0.4):
 * the core's counters and state, connections, send queues, the replay
 * buffer, and per-topic update counters (rate() of them is the per-topic
 * rate), capped at SD_METRICS_TOPICS_MAX topics so the answer is bounded.
 */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "server.h"

/* Close codes counted by slot; everything else lands in "other". */
static const uint16_t close_codes[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 1012};
#define CLOSE_SLOTS (sizeof close_codes / sizeof close_codes[0])
_Static_assert(CLOSE_SLOTS + 1 <= sizeof(((sd_counters *)0)->ws_closes_by_us) / sizeof(uint64_t),
               "close code slots fit the counters");

void sd_metrics_count_close(sd_server *srv, uint16_t code)
{
    size_t slot = CLOSE_SLOTS;
    for (size_t i = 0; i < CLOSE_SLOTS; i++) {
        if (close_codes[i] == code) {
            slot = i;
        }
    }
    srv->counters.ws_closes_by_us[slot]++;
}

static void metric(sd_buf *b, const char *name, const char *type, const char *help, uint64_t v)
{
    sd_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64 "\n", name, help, name, type, name, v);
}

#define CORE_COUNTER(field, help) {#field, offsetof(sg_bcast_counters, field), help}
typedef struct core_counter {
    const char *name;
    size_t offset;
    const char *help;
} core_counter;

static const core_counter core_counters[] = {
    CORE_COUNTER(connect_attempts, "backbone connect attempts"),
    CORE_COUNTER(connects_ok, "backbone connects that succeeded"),
    CORE_COUNTER(connect_failures, "backbone connects or subscribes that failed or timed out"),
    CORE_COUNTER(drops, "backbone sessions dropped"),
    CORE_COUNTER(reader_runs, "reader runs started (listeners 0 -> 1)"),
    CORE_COUNTER(gaps, "gaps detected, all causes"),
    CORE_COUNTER(gaps_reconnect, "gaps: reconnect after a delivering session"),
    CORE_COUNTER(gaps_sequence, "gaps: a peer's sequence jumped"),
    CORE_COUNTER(gaps_epoch, "gaps: a peer changed epoch"),
    CORE_COUNTER(gaps_watchdog, "gaps: the watchdog expired"),
    CORE_COUNTER(recoveries, "recovery rounds started"),
    CORE_COUNTER(recovery_reruns, "gaps that arrived during a recovery"),
    CORE_COUNTER(replays, "items re-sent from the replay buffer"),
    CORE_COUNTER(replay_partial, "replay rounds cut short by a send failure"),
    CORE_COUNTER(buffered, "publishes put in the replay buffer"),
    CORE_COUNTER(replay_drops_overflow, "replay items dropped oldest-first on overflow"),
    CORE_COUNTER(replay_drops_poison, "publishes too large for the backbone"),
    CORE_COUNTER(replay_drops_nomem, "replay copies that failed to allocate"),
    CORE_COUNTER(publish_drops, "publishes dropped (buffering disabled)"),
    CORE_COUNTER(resyncs, "resync rounds"),
    CORE_COUNTER(resyncs_deferred, "resyncs held back by the cooldown"),
    CORE_COUNTER(clients_closed_for_resync, "clients closed with 1012 for a resync"),
    CORE_COUNTER(double_disconnects, "unregisters of stale handles (counted no-ops)"),
    CORE_COUNTER(registry_full, "clients refused: registry full"),
    CORE_COUNTER(health_transitions, "health judgement changes"),
    CORE_COUNTER(messages_delivered, "backbone messages delivered to local clients"),
    CORE_COUNTER(duplicates_skipped, "backbone messages skipped as duplicates"),
    CORE_COUNTER(own_echoes, "own messages read back and skipped"),
    CORE_COUNTER(heartbeats_sent, "watchdog canaries sent"),
    CORE_COUNTER(heartbeats_seen, "watchdog canaries read back"),
    CORE_COUNTER(messages_while_not_reading, "messages ignored while not subscribed"),
    CORE_COUNTER(give_ups, "retries exhausted"),
    CORE_COUNTER(connect_timeouts, "backbone connects or subscribes not answered in time"),
    CORE_COUNTER(seq_skips, "own sequence numbers skipped for publishes lost here (peers see the gap)"),
    CORE_COUNTER(goodbyes_sent, "goodbyes said (graceful shutdown)"),
    CORE_COUNTER(goodbyes_seen, "peers' goodbyes read"),
    CORE_COUNTER(peer_restarts_clean, "peers' new epochs after a goodbye that lost nothing (no resync)"),
    CORE_COUNTER(refetch_rounds, "subscriptions that asked clients registered before them to refetch"),
    CORE_COUNTER(clients_refetched, "REFETCH actions (clients sent their states again)"),
};

static void render_core(sd_server *srv, sd_buf *b)
{
    sg_bcast_stats st;
    sg_bcast_stats_get(srv->core, &st);
    for (size_t i = 0; i < sizeof core_counters / sizeof core_counters[0]; i++) {
        uint64_t v;
        memcpy(&v, (const char *)&st.counters + core_counters[i].offset, sizeof v);
        sd_buf_printf(b, "# HELP stormglass_core_%s_total %s\n# TYPE stormglass_core_%s_total counter\n"
                         "stormglass_core_%s_total %" PRIu64 "\n",
                      core_counters[i].name, core_counters[i].help, core_counters[i].name, core_counters[i].name, v);
    }
    metric(b, "stormglass_replay_buffer_items", "gauge", "items in the replay buffer (incl. in flight)",
           st.replay_items);
    metric(b, "stormglass_replay_buffer_bytes", "gauge", "bytes in the replay buffer", st.replay_bytes);
    metric(b, "stormglass_listeners", "gauge", "clients + pins keeping the reader alive", st.listeners);
    metric(b, "stormglass_backoff_attempt", "gauge", "failed attempts since the last healthy session",
           st.backoff_attempt);
    sd_buf_printf(b, "# HELP stormglass_reader_state the backbone reader's state\n"
                     "# TYPE stormglass_reader_state gauge\n");
    for (int s = SG_READER_IDLE; s <= SG_READER_GIVEN_UP; s++) {
        sd_buf_printf(b, "stormglass_reader_state{state=\"%s\"} %d\n", sg_reader_state_name((sg_reader_state)s),
                      st.reader == (sg_reader_state)s);
    }
    sg_bcast_health h = sg_bcast_health_at(srv->core, sd_now());
    metric(b, "stormglass_healthy", "gauge", "the core's readiness judgement (1 healthy)",
           h.healthy && !srv->shutting_down);
}

static void render_server(sd_server *srv, sd_buf *b)
{
    const sd_counters *k = &srv->counters;
    metric(b, "stormglass_websocket_clients", "gauge", "open WebSocket clients", srv->ws_clients);
    metric(b, "stormglass_sockets", "gauge", "open TCP connections", srv->sockets);
    metric(b, "stormglass_sockets_refused_total", "counter", "connections closed at accept (limit)",
           k->sockets_refused);
    metric(b, "stormglass_websocket_refused_total", "counter", "upgrades refused with 503", k->ws_refused_full);
    metric(b, "stormglass_websocket_messages_in_total", "counter", "messages from clients", k->ws_messages_in);
    metric(b, "stormglass_websocket_messages_out_total", "counter", "messages queued to clients",
           k->ws_messages_out);
    metric(b, "stormglass_slow_consumer_closes_total", "counter", "clients closed for a full send queue",
           k->slow_consumer_closes);
    metric(b, "stormglass_timeouts_total", "counter", "connections timed out", k->timeouts);
    metric(b, "stormglass_publishes_total", "counter", "POST /publish accepted for the core", k->publishes);
    metric(b, "stormglass_publish_buffered_total", "counter", "publishes buffered by the core", k->publish_buffered);
    metric(b, "stormglass_publish_dropped_total", "counter", "publishes dropped by the core", k->publish_dropped);
    metric(b, "stormglass_deliveries_total", "counter", "updates queued to subscribers", k->deliveries);
    metric(b, "stormglass_state_fetch_failures_total", "counter", "state fetches that failed",
           k->state_fetch_failures);
    metric(b, "stormglass_state_fetches_total", "counter", "state fetches from the backbone's store",
           k->state_fetches);
    metric(b, "stormglass_state_fetch_stale_total", "counter",
           "fetch answers from before the live backbone session (fetched again)", k->state_fetch_stale);
    metric(b, "stormglass_refetch_clients_total", "counter", "clients sent their states again (core REFETCH)",
           k->refetch_clients);
    metric(b, "stormglass_refetch_gone_total", "counter", "REFETCH for clients that had already left",
           k->refetch_gone);
    metric(b, "stormglass_publish_refused_after_goodbye_total", "counter",
           "publishes refused during shutdown after the goodbye", k->publish_refused_after_goodbye);
    metric(b, "stormglass_started_after_unclean_exit", "gauge",
           "1 when the state marker said the previous instance did not end cleanly",
           srv->cfg.bcast.after_unclean_exit);
    sd_buf_printf(b, "# HELP stormglass_http_responses_total HTTP answers by class\n"
                     "# TYPE stormglass_http_responses_total counter\n");
    for (int i = 1; i <= 5; i++) {
        sd_buf_printf(b, "stormglass_http_responses_total{class=\"%dxx\"} %" PRIu64 "\n", i, k->http_by_status[i]);
    }
    sd_buf_printf(b, "# HELP stormglass_websocket_closes_total close frames sent, by code\n"
                     "# TYPE stormglass_websocket_closes_total counter\n");
    for (size_t i = 0; i <= CLOSE_SLOTS; i++) {
        char code[8];
        snprintf(code, sizeof code, "%u", i < CLOSE_SLOTS ? close_codes[i] : 0u);
        sd_buf_printf(b, "stormglass_websocket_closes_total{code=\"%s\"} %" PRIu64 "\n",
                      i < CLOSE_SLOTS ? code : "other", k->ws_closes_by_us[i]);
    }
}

static void render_queues(sd_server *srv, sd_buf *b)
{
    uint64_t bytes = 0, messages = 0;
    for (sd_conn *c = srv->conns; c != NULL; c = c->next) {
        bytes += c->out.len;
        if (c->ws != NULL) {
            uint64_t qb = 0;
            uint32_t qm = 0;
            sd_ws_queue_depth(c->ws, &qb, &qm);
            bytes += qb;
            messages += qm;
        }
    }
    metric(b, "stormglass_send_queue_bytes", "gauge", "bytes waiting to be sent to clients, all together", bytes);
    metric(b, "stormglass_send_queue_messages", "gauge", "messages waiting to be sent to clients", messages);
    sd_backbone_stats bs;
    srv->bb_ops->stats(srv->bb, &bs);
    metric(b, "stormglass_backbone_connected", "gauge", "backbone session open", bs.connected);
    metric(b, "stormglass_backbone_queue_items", "gauge", "work waiting inside the backbone adapter", bs.queue_depth);
    metric(b, "stormglass_backbone_queue_bytes", "gauge", "bytes waiting inside the backbone adapter", bs.queue_bytes);
    metric(b, "stormglass_topics", "gauge", "topics known", srv->topics.count);
    if (srv->notifier != NULL) {
        sg_notifier_stats ns;
        sg_notifier_stats_get(srv->notifier, &ns);
        metric(b, "stormglass_health_watchers", "gauge", "WebSocket clients watching health", ns.watchers);
        metric(b, "stormglass_health_delivered_total", "counter", "health statuses delivered to watchers",
               ns.counters.delivered);
        metric(b, "stormglass_health_busy_total", "counter", "deliveries deferred: the watcher's queue was full",
               ns.counters.busy);
        metric(b, "stormglass_health_coalesced_total", "counter", "statuses replaced by a newer one before delivery",
               ns.counters.coalesced);
    }
    metric(b, "stormglass_topic_state_bytes", "gauge", "bytes of all cached topic states", srv->topics.state_bytes);
}

typedef struct topic_walk {
    sd_buf *b;
    const char *metric;
    uint32_t shown;
} topic_walk;

static void topic_row(sd_topic *t, void *arg)
{
    topic_walk *w = arg;
    if (w->shown >= SD_METRICS_TOPICS_MAX) {
        return;
    }
    w->shown++;
    uint64_t v = strcmp(w->metric, "updates") == 0  ? t->updates_total
                 : strcmp(w->metric, "bytes") == 0 ? t->update_bytes_total
                                                   : t->subscriber_count;
    sd_buf_printf(w->b, "stormglass_topic_%s{topic=\"%.*s\"} %" PRIu64 "\n",
                  strcmp(w->metric, "subscribers") == 0 ? "subscribers"
                  : strcmp(w->metric, "updates") == 0   ? "updates_total"
                                                        : "update_bytes_total",
                  (int)t->name_len, t->name, v);
}

static void render_topics(sd_server *srv, sd_buf *b)
{
    static const char *const kinds[][3] = {
        {"updates", "updates_total", "counter"},
        {"bytes", "update_bytes_total", "counter"},
        {"subscribers", "subscribers", "gauge"},
    };
    for (size_t k = 0; k < 3; k++) {
        sd_buf_printf(b, "# HELP stormglass_topic_%s per topic (first %u topics)\n# TYPE stormglass_topic_%s %s\n",
                      kinds[k][1], SD_METRICS_TOPICS_MAX, kinds[k][1], kinds[k][2]);
        topic_walk w = {b, kinds[k][0], 0};
        sd_topics_each(&srv->topics, topic_row, &w);
    }
}

void sd_metrics_render(sd_server *srv, sd_buf *out)
{
    render_core(srv, out);
    render_server(srv, out);
    render_queues(srv, out);
    render_topics(srv, out);
    metric(out, "stormglass_uptime_seconds", "gauge", "seconds since start",
           (uint64_t)((sd_now() - srv->started_ns) / SG_NS_PER_S));
}

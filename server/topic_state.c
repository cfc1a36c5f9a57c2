/*
 * topic_state.c - where a client's `state` message for a topic comes
 * from, and when (docs/ARCHITECTURE.md, "State freshness across a gap").
 *
 * A topic's cache is good when it was filled in the live backbone session
 * (an update read, or a fetch answered, since the last `subscribed`), or
 * when it holds a local publish the store may not have yet: under the
 * immediate delivery policy a publish buffered by the core reaches our
 * clients at once but the store only at its replay, and our own echo of
 * it is skipped, so until then the store is OLDER than the cache.
 * Otherwise the state is fetched from the backbone's store (the truth):
 * at most one fetch per topic and session, its answer going to every
 * subscriber still waiting.  An answer counts only in the session its
 * fetch was issued in: one issued before a reconnect may predate the
 * subscription, so a fresh fetch replaces it.
 *
 * While a subscriber waits (awaiting_state), an update for the topic is
 * sent to it as its `state` (every update is the whole new state) and the
 * pending answer is then no longer sent to it: per topic, what a client
 * receives only moves forward.
 *
 * SG_ACT_REFETCH (sd_state_refetch) sends this path again for every topic
 * of a client that registered before the reader's subscription was live;
 * its cost is bounded by the same rules (fetches deduplicated per topic,
 * each client's send queue bounded: a client that cannot take its states
 * is closed 1008 like any slow consumer).
 */
#include <assert.h>
#include <inttypes.h>

#include "sd_log.h"
#include "server.h"

static bool cache_good(const sd_server *srv, const sd_topic *t)
{
    return t->fresh_session == srv->bb_session || t->unstored > 0;
}

/* Every subscriber still waiting for this topic's first (or refetched)
 * state gets the cache. */
static void answer_waiting(sd_topic *t)
{
    for (sd_sub *s = t->subs; s != NULL; s = s->topic_next) {
        sd_conn *c = s->subscriber;
        if (s->awaiting_state && !c->closing) {
            s->awaiting_state = false;
            sd_client_send_state(c, t);
        }
    }
}

static bool anyone_waiting(const sd_topic *t)
{
    for (const sd_sub *s = t->subs; s != NULL; s = s->topic_next) {
        if (s->awaiting_state) {
            return true;
        }
    }
    return false;
}

static void on_fetched(void *arg, uint64_t issued_session, const char *topic, size_t topic_len, sg_status st,
                       const uint8_t *state, size_t len, const char *why)
{
    sd_server *srv = arg;
    sd_topic *t = sd_topics_find(&srv->topics, topic, topic_len);
    if (t == NULL) {
        return;
    }
    if (t->fetch_session == issued_session) {
        t->fetch_session = 0;
    }
    if (st != SG_OK) { /* the waiting clients are asked again after the next `subscribed` */
        srv->counters.state_fetch_failures++;
        sd_log(SD_LOG_WARN, "state_fetch_failed", "topic=%.*s why=\"%s\"", (int)topic_len, topic,
               why != NULL ? why : "?");
        return;
    }
    if (issued_session != srv->bb_session) { /* may predate the live subscription */
        srv->counters.state_fetch_stale++;
        if (anyone_waiting(t)) {
            sd_state_fetch(srv, t);
        }
        return;
    }
    if (!cache_good(srv, t)) {
        if (state != NULL && sd_topic_set_state(&srv->topics, t, state, len) != SG_OK) {
            sd_log(SD_LOG_WARN, "state_cache_full", "topic=%.*s", (int)t->name_len, t->name);
        }
        t->fresh_session = srv->bb_session;
    }
    answer_waiting(t);
}

void sd_state_fetch(sd_server *srv, sd_topic *t)
{
    assert(srv->bb_session > 0);
    if (t->fetch_session == srv->bb_session) {
        return; /* one in flight for this session: its answer serves everyone */
    }
    t->fetch_session = srv->bb_session;
    srv->counters.state_fetches++;
    sg_status st = srv->bb_ops->fetch_state(srv->bb, t->name, t->name_len, srv->bb_session, on_fetched, srv);
    if (st != SG_OK) {
        t->fetch_session = 0;
        srv->counters.state_fetch_failures++;
        sd_log(SD_LOG_WARN, "state_fetch_refused", "topic=%s status=%s", t->name, sg_status_name(st));
    }
}

void sd_state_request(sd_conn *c, sd_sub *s)
{
    sd_server *srv = c->srv;
    sd_topic *t = s->topic;
    assert(s->subscriber == c);
    if (cache_good(srv, t)) {
        s->awaiting_state = false;
        sd_client_send_state(c, t);
        return;
    }
    s->awaiting_state = true;
    sd_state_fetch(srv, t);
}

static void fetch_if_waiting(sd_topic *t, void *arg)
{
    if (anyone_waiting(t)) {
        sd_state_fetch(arg, t);
    }
}

void sd_state_new_session(sd_server *srv)
{
    sd_topics_each(&srv->topics, fetch_if_waiting, srv);
}

void sd_state_refetch(sd_server *srv, sg_client_handle handle, uint64_t cookie)
{
    sd_conn *c = sd_conn_find(srv, cookie);
    if (c == NULL || !c->registered || c->handle.index != handle.index ||
        c->handle.generation != handle.generation) {
        srv->counters.refetch_gone++; /* it left before its turn: nothing to cover */
        return;
    }
    srv->counters.refetch_clients++;
    sd_log(SD_LOG_DEBUG, "refetch", "conn=%llu topics=%u", (unsigned long long)c->id, c->sub_count);
    for (sd_sub *s = c->subs; s != NULL && !c->closing && !sd_ws_close_sent(c->ws); s = s->subscriber_next) {
        sd_state_request(c, s);
    }
}

/* ---- local publishes the store has not seen yet ----------------------
 * Counted per topic when a publish reached our clients (immediate policy)
 * and went to the backbone or into the replay buffer; uncounted when its
 * send or replay is confirmed; all forgotten once nothing is buffered or
 * in flight (a publish the core dropped will never be stored).  A dropped
 * publish is never counted: the store stays the truth for it. */

void sd_state_local_unstored(sd_server *srv, const char *topic, size_t topic_len)
{
    sd_topic *t = sd_topics_find(&srv->topics, topic, topic_len);
    if (t != NULL && t->unstored < UINT32_MAX) {
        t->unstored++;
        srv->unstored_total++;
    }
}

void sd_state_local_stored(sd_server *srv, const uint8_t *msg, size_t len)
{
    sg_bcast_header h;
    sd_wire_body body;
    if (srv->unstored_total == 0 || sd_wire_decode(msg, len, &h, &body, NULL) != SG_OK) {
        return;
    }
    sd_topic *t = sd_topics_find(&srv->topics, body.topic, body.topic_len);
    if (t != NULL && t->unstored > 0) {
        t->unstored--;
        srv->unstored_total--;
    }
}

static void forget_unstored(sd_topic *t, void *arg)
{
    (void)arg;
    t->unstored = 0;
}

void sd_state_check_stored(sd_server *srv)
{
    if (srv->unstored_total == 0 || srv->live_in_flight > 0) {
        return;
    }
    sg_bcast_stats st;
    sg_bcast_stats_get(srv->core, &st);
    if (st.replay_items == 0) { /* stored or dropped: either way the store is the truth again */
        sd_topics_each(&srv->topics, forget_unstored, NULL);
        srv->unstored_total = 0;
    }
}

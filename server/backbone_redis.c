/*
 * backbone_redis.c - redis://host[:port][/db][?prefix=NAME], the Redis
 * backbone (hiredis 0.14 async on the server's libuv loop).
 *
 * Mapping:
 *   updates  PUBLISH on channel "<prefix>:bus" (default prefix "stormglass"):
 *            the whole wire message (header + body), binary-safe;
 *   state    hash "<prefix>:state", field = topic, value = the payload; set
 *            by the same Lua script that publishes (HSET then PUBLISH, one
 *            atomic step), so the stored state and the stream never disagree
 *            about order, and a resync's HGET gets the truth;
 *   sessions two connections, as Redis requires: a command connection
 *            (SELECT db, PING, EVAL, HGET) and a subscriber connection
 *            (PING, SUBSCRIBE).  connected = both answered PING; subscribed =
 *            the SUBSCRIBE confirmation; dropped = either connection died.
 *            After every reconnect the core asks for SUBSCRIBE again.
 *
 * No resilience here: a failure ends the session and is reported; when to
 * reconnect is the core's call.  hiredis 0.14 has no async timeouts, so a
 * uv timer bounds the connect (a server that accepts TCP but never answers,
 * such as a SIGSTOPped one, fails the attempt).  Every socket gets TCP
 * keepalive (bb_socket.h); a frozen server is caught by the core's watchdog.
 *
 * A publish that dies with its connection is reported failed only if its
 * bytes never fully left (redis_link's written accounting); otherwise it
 * may have run and is reported sent (bcast.h's rule).
 *
 * Payloads: up to REDIS_PAYLOAD_MAX per message, well under Redis' default
 * pub/sub client output limit (32 MiB hard), so a subscriber is never cut
 * off by one large message.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backbone.h"
#include "bb_relay.h"
#include "bb_shell.h"
#include "bb_uri.h"
#include "redis_link.h"
#include "sd_log.h"
#include "wire.h"

#define REDIS_DEFAULT_PORT 6379
#define REDIS_PAYLOAD_MAX (4u << 20)
#define REDIS_PREFIX_MAX 64u
#define REDIS_NAME_MAX (REDIS_PREFIX_MAX + 16u)
#define REDIS_WHY_MAX 512u
_Static_assert(REDIS_PAYLOAD_MAX <= SG_BCAST_PAYLOAD_MAX, "redis payload bound within the core's");

/* HSET the state, then PUBLISH the message: one atomic step. */
static const char publish_script[] = "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) "
                                     "return redis.call('PUBLISH', ARGV[3], ARGV[4])";

typedef enum phase {
    PH_IDLE = 0,
    PH_CONNECTING,
    PH_CONNECTED,
    PH_SUBSCRIBING,
    PH_SUBSCRIBED
} phase;

typedef enum redis_op_kind {
    OP_HELLO = 1, /* SELECT or PING while connecting */
    OP_PUBLISH,
    OP_FETCH
} redis_op_kind;

struct sd_backbone {
    bb_shell sh;               /* first: relay, timer, bounds, counters, lifetime */
    char host[BB_URI_PART_MAX];
    int port;
    int db;
    char state_key[REDIS_NAME_MAX];
    char channel[REDIS_NAME_MAX];
    redis_link *cmd, *sub;     /* the current session's links (NULL when idle) */
    int hellos_left;           /* replies still needed before `connected` */
    phase phase;
};

static void redis_release(bb_shell *s)
{
    free((sd_backbone *)s); /* the shell is the first member */
}

/* Ends the session's links; their pending commands answer into the relay. */
static void teardown(sd_backbone *bb)
{
    redis_link *cmd = bb->cmd, *sub = bb->sub;
    bb->cmd = NULL;
    bb->sub = NULL;
    bb->phase = PH_IDLE;
    bb->hellos_left = 0;
    bb_shell_timer_stop(&bb->sh);
    if (cmd != NULL) {
        redis_link_close(cmd);
    }
    if (sub != NULL) {
        redis_link_close(sub);
    }
}

/* The session failed by itself: report it (connect failure or drop). */
static void fail_session(sd_backbone *bb, const char *why)
{
    if (bb->phase == PH_IDLE) {
        return;
    }
    bb_session_event what = bb->phase == PH_CONNECTING ? BB_CONNECT_FAILED : BB_DROPPED;
    char text[REDIS_WHY_MAX];
    snprintf(text, sizeof text, "redis %.200s:%d: %.200s", bb->host, bb->port, why);
    teardown(bb);
    bb_relay_session_event(&bb->sh.relay, what, text);
}

/* ---- link callbacks ------------------------------------------------------- */

static void publish_answered(sd_backbone *bb, rl_cmd *cmd, const redisReply *reply)
{
    bb_publish_req *p = cmd->data;
    bool ok = reply != NULL ? reply->type != REDIS_REPLY_ERROR : cmd->written;
    if (reply != NULL && reply->type == REDIS_REPLY_ERROR) {
        sd_log(SD_LOG_WARN, "redis_publish_error", "error=\"%.*s\"", (int)(reply->len > 120 ? 120 : reply->len),
               reply->str);
    }
    bb_shell_publish_done(&bb->sh, p, ok);
}

static void fetch_answered(sd_backbone *bb, rl_cmd *cmd, const redisReply *reply)
{
    bb_fetch_req *f = cmd->data;
    if (reply == NULL) {
        bb_shell_fetch_done(&bb->sh, f, SG_E_STATE, NULL, 0, "redis connection lost");
    } else if (reply->type == REDIS_REPLY_STRING) {
        bb_shell_fetch_done(&bb->sh, f, SG_OK, (const uint8_t *)reply->str, reply->len, NULL);
    } else if (reply->type == REDIS_REPLY_NIL) {
        bb_shell_fetch_done(&bb->sh, f, SG_OK, NULL, 0, NULL);
    } else {
        bb_shell_fetch_done(&bb->sh, f, SG_E_STATE, NULL, 0,
                            reply->type == REDIS_REPLY_ERROR ? reply->str : "unexpected reply to HGET");
    }
}

static void hello_answered(sd_backbone *bb, redis_link *l, const redisReply *reply)
{
    bool current = l == bb->cmd || l == bb->sub;
    if (!current || bb->phase != PH_CONNECTING) {
        return; /* a closed session's greeting */
    }
    if (reply == NULL || reply->type == REDIS_REPLY_ERROR) {
        fail_session(bb, reply != NULL ? reply->str : "connection lost while connecting");
        return;
    }
    if (--bb->hellos_left == 0) {
        bb->phase = PH_CONNECTED;
        bb_shell_timer_stop(&bb->sh);
        bb_relay_session_event(&bb->sh.relay, BB_CONNECTED, NULL);
    }
}

static void on_reply(void *ctx, redis_link *l, rl_cmd *cmd, const redisReply *reply)
{
    sd_backbone *bb = ctx;
    switch ((redis_op_kind)cmd->op) {
    case OP_HELLO: hello_answered(bb, l, reply); break;
    case OP_PUBLISH: publish_answered(bb, cmd, reply); break;
    case OP_FETCH: fetch_answered(bb, cmd, reply); break;
    }
}

static bool push_is(const redisReply *r, const char *type)
{
    return r->type == REDIS_REPLY_ARRAY && r->elements == 3 && r->element[0]->type == REDIS_REPLY_STRING &&
           strcmp(r->element[0]->str, type) == 0;
}

static void on_push(void *ctx, redis_link *l, const redisReply *r)
{
    sd_backbone *bb = ctx;
    if (l != bb->sub) {
        return;
    }
    if (push_is(r, "subscribe") && bb->phase == PH_SUBSCRIBING) {
        bb->phase = PH_SUBSCRIBED;
        bb_relay_session_event(&bb->sh.relay, BB_SUBSCRIBED, NULL);
        return;
    }
    if (!push_is(r, "message") || bb->phase != PH_SUBSCRIBED || r->element[2]->type != REDIS_REPLY_STRING) {
        return;
    }
    const redisReply *body = r->element[2];
    bb->sh.received++;
    sg_status st = bb_relay_message(&bb->sh.relay, (const uint8_t *)body->str, body->len);
    if (st != SG_OK) { /* the driver fell behind past the bound: end the session, the core resyncs */
        fail_session(bb, "incoming backlog over its bound");
    }
}

static void on_lost(void *ctx, redis_link *l, const char *why)
{
    sd_backbone *bb = ctx;
    if (l == bb->cmd || l == bb->sub) {
        fail_session(bb, why);
    }
}

static void on_link_closed(void *ctx, redis_link *l)
{
    sd_backbone *bb = ctx;
    (void)l;
    bb_shell_handle_closed(&bb->sh);
}

static const redis_link_owner link_owner_template = {NULL, on_reply, on_push, on_lost, on_link_closed};

/* ---- create / destroy ------------------------------------------------------- */

static sg_status parse_uri(sd_backbone *bb, const char *uri, sg_error *err)
{
    static const char *const known[] = {"prefix", NULL};
    bb_uri u;
    sg_status st = bb_uri_split(uri, "redis", &u, err);
    if (st == SG_OK) {
        st = bb_uri_host_port(u.authority, REDIS_DEFAULT_PORT, bb->host, sizeof bb->host, &bb->port, err);
    }
    if (st == SG_OK) {
        st = bb_uri_query_check(u.query, known, "redis", err);
    }
    if (st != SG_OK) {
        return st;
    }
    char *end = NULL;
    long db = u.path[0] != '\0' ? strtol(u.path, &end, 10) : 0;
    if (u.path[0] != '\0' && (*end != '\0' || db < 0 || db > 65535)) {
        return sg_error_set(err, SG_E_INVALID, "--backbone: redis:// database must be a number (got \"%s\")", u.path);
    }
    bb->db = (int)db;
    char prefix[REDIS_PREFIX_MAX] = "stormglass";
    if (strstr(u.query, "prefix=") != NULL &&
        (!bb_uri_query_get(u.query, "prefix", prefix, sizeof prefix) || prefix[0] == '\0')) {
        return sg_error_set(err, SG_E_INVALID, "--backbone: redis:// prefix must be 1..%u bytes",
                            REDIS_PREFIX_MAX - 1);
    }
    snprintf(bb->state_key, sizeof bb->state_key, "%s:state", prefix);
    snprintf(bb->channel, sizeof bb->channel, "%s:bus", prefix);
    return SG_OK;
}

static sg_status redis_create(uv_loop_t *loop, const char *uri, const sd_backbone_limits *limits,
                              const sd_backbone_events *events, sd_backbone **out, sg_error *err)
{
    assert(loop != NULL && uri != NULL && limits != NULL && events != NULL && out != NULL);
    *out = NULL;
    sd_backbone *bb = calloc(1, sizeof *bb);
    if (bb == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "redis://: out of memory");
    }
    sg_status st = parse_uri(bb, uri, err);
    if (st != SG_OK) {
        free(bb);
        return st;
    }
    bb_shell_init(&bb->sh, loop, limits, events, redis_release);
    *out = bb;
    return SG_OK;
}

static void redis_destroy(sd_backbone *bb)
{
    bb_shell_close(&bb->sh); /* first: the teardown's answers go nowhere */
    teardown(bb);
}

/* ---- session -------------------------------------------------------------- */

static void on_connect_timeout(uv_timer_t *t)
{
    sd_backbone *bb = t->data; /* the shell, first member */
    if (bb->phase == PH_CONNECTING) {
        fail_session(bb, "no answer within the connect timeout");
    }
}

static redis_link *open_link(sd_backbone *bb, char *why, size_t why_size)
{
    redis_link_owner owner = link_owner_template;
    owner.ctx = bb;
    redis_link *l = redis_link_open(bb->sh.loop, bb->host, bb->port, &owner, why, why_size);
    bb->sh.open_handles += l != NULL;
    return l;
}

static sg_status hello(redis_link *l, int db)
{
    char dbtext[16];
    snprintf(dbtext, sizeof dbtext, "%d", db);
    const char *select[] = {"SELECT", dbtext};
    const char *ping[] = {"PING"};
    sg_status st = db != 0 ? redis_link_command(l, OP_HELLO, NULL, 2, select, NULL) : SG_OK;
    return st == SG_OK ? redis_link_command(l, OP_HELLO, NULL, 1, ping, NULL) : st;
}

static sg_status redis_connect(sd_backbone *bb, sg_duration_ns timeout_ns)
{
    if (bb->phase != PH_IDLE) {
        teardown(bb); /* a new attempt replaces whatever was left */
    }
    bb_relay_next_session(&bb->sh.relay);
    bb->phase = PH_CONNECTING;
    char why[REDIS_WHY_MAX] = "";
    bb->cmd = open_link(bb, why, sizeof why);
    bb->sub = bb->cmd != NULL ? open_link(bb, why, sizeof why) : NULL;
    bb->hellos_left = (bb->db != 0 ? 2 : 1) + 1;
    if (bb->cmd == NULL || bb->sub == NULL || hello(bb->cmd, bb->db) != SG_OK || hello(bb->sub, 0) != SG_OK) {
        fail_session(bb, why[0] != '\0' ? why : "cannot queue the greeting");
        return SG_OK; /* reported through the relay, like any failure */
    }
    bb_shell_timer_start(&bb->sh, timeout_ns, on_connect_timeout);
    return SG_OK;
}

static sg_status redis_subscribe(sd_backbone *bb)
{
    if (bb->phase != PH_CONNECTED) {
        return SG_E_STATE;
    }
    sg_status st = redis_link_subscribe(bb->sub, bb->channel);
    if (st == SG_OK) {
        bb->phase = PH_SUBSCRIBING;
    }
    return st;
}

static void redis_disconnect(sd_backbone *bb)
{
    if (bb->phase != PH_IDLE) {
        teardown(bb);
    }
    bb_relay_next_session(&bb->sh.relay);
}

/* ---- publish and state ------------------------------------------------------ */

static sg_status send_publish(void *ctx, bb_publish_req *p)
{
    sd_backbone *bb = ctx;
    sg_bcast_header h;
    sd_wire_body body;
    if (sd_wire_decode(p->msg, p->len, &h, &body, NULL) != SG_OK) {
        return SG_E_INVALID;
    }
    if (h.kind != SG_MSG_DATA) { /* heartbeats carry no state */
        const char *argv[] = {"PUBLISH", bb->channel, (const char *)p->msg};
        size_t lens[] = {7, strlen(bb->channel), p->len};
        return redis_link_command(bb->cmd, OP_PUBLISH, p, 3, argv, lens);
    }
    const char *argv[] = {"EVAL", publish_script, "1", bb->state_key, body.topic, (const char *)body.payload,
                          bb->channel, (const char *)p->msg};
    size_t lens[] = {4, sizeof publish_script - 1, 1, strlen(bb->state_key), body.topic_len, body.payload_len,
                     strlen(bb->channel), p->len};
    return redis_link_command(bb->cmd, OP_PUBLISH, p, 8, argv, lens);
}

static sg_status send_fetch(void *ctx, bb_fetch_req *f)
{
    sd_backbone *bb = ctx;
    const char *argv[] = {"HGET", bb->state_key, f->topic};
    size_t lens[] = {4, strlen(bb->state_key), f->topic_len};
    return redis_link_command(bb->cmd, OP_FETCH, f, 3, argv, lens);
}

static sg_status redis_publish(sd_backbone *bb, sd_publish_kind kind, const uint8_t *msg, size_t len)
{
    bool up = bb->phase >= PH_CONNECTED && bb->cmd != NULL;
    return bb_shell_publish(&bb->sh, up, REDIS_PAYLOAD_MAX, kind, msg, len, send_publish, bb);
}

static sg_status redis_fetch_state(sd_backbone *bb, const char *topic, size_t topic_len, uint64_t cookie,
                                   sd_state_cb cb, void *arg)
{
    bool up = bb->phase >= PH_CONNECTED && bb->cmd != NULL;
    return bb_shell_fetch(&bb->sh, up, topic, topic_len, cookie, cb, arg, send_fetch, bb);
}

/* ---- observation and drills --------------------------------------------------- */

static uint32_t redis_payload_max(const sd_backbone *bb)
{
    (void)bb;
    return REDIS_PAYLOAD_MAX;
}

static void redis_stats(const sd_backbone *bb, sd_backbone_stats *out)
{
    bb_shell_stats(&bb->sh, bb->phase >= PH_CONNECTED, bb->phase == PH_SUBSCRIBED,
                   bb->cmd != NULL ? redis_link_fd(bb->cmd) : -1, 0, out);
}

static sg_status redis_inject_drop(sd_backbone *bb)
{
    if (bb->phase == PH_IDLE) {
        return SG_E_STATE;
    }
    fail_session(bb, "session ended by inject_drop");
    return SG_OK;
}

const sd_backbone_ops sd_backbone_redis = {
    .scheme = "redis",
    .summary = "Redis pub/sub + a state hash (redis://host:port[/db][?prefix=NAME])",
    .create = redis_create,
    .destroy = redis_destroy,
    .connect = redis_connect,
    .subscribe = redis_subscribe,
    .disconnect = redis_disconnect,
    .publish = redis_publish,
    .fetch_state = redis_fetch_state,
    .payload_max = redis_payload_max,
    .stats = redis_stats,
    .inject_drop = redis_inject_drop,
};

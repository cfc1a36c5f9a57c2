/*
 * backbone_postgres.c - postgres://... (or postgresql://), the PostgreSQL
 * LISTEN/NOTIFY backbone, with libpq fully non-blocking on the server's
 * loop (pg_link.c).  The URI goes to libpq whole.
 *
 * Mapping:
 *   state    table stormglass_state(topic PRIMARY KEY, payload bytea),
 *            upserted by the same statement that notifies, so the row and
 *            the notification commit together and in the same order (the
 *            row lock serializes two instances writing one topic);
 *   updates  NOTIFY stormglass with the whole wire message.  NOTIFY takes
 *            text under 8000 bytes: a message whose base64 form fits is sent
 *            inline ("m:<base64>"); a larger one is stored in
 *            stormglass_spill and the notification carries its id
 *            ("r:<id>"); the listener fetches the row, and messages keep
 *            their order across both kinds (an ordered inbox).  Spill rows
 *            older than PG_SPILL_KEEP are pruned by later spills;
 *   sessions two connections: commands (table setup, publishes, state
 *            fetches) and listen (LISTEN, spill fetches).  connected = both
 *            up and the tables exist; subscribed = LISTEN acknowledged (it
 *            is per session: the core asks again after every reconnect);
 *            dropped = either connection lost.
 *
 * libpq ignores connect_timeout in non-blocking mode: a uv timer bounds the
 * attempt.  TCP keepalive and a user timeout are set through libpq's own
 * keywords; a frozen server is caught by the core's watchdog.  A publish
 * lost with its connection is reported failed only if its query had not
 * fully left (bcast.h).
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backbone.h"
#include "backbone_net.h"
#include "bb_base64.h"
#include "bb_inbox.h"
#include "bb_relay.h"
#include "bb_shell.h"
#include "bb_socket.h"
#include "pg_link.h"
#include "sd_log.h"
#include "wire.h"

#define PG_NOTIFY_MAX 7999u          /* NOTIFY payload bytes (server limit: under 8000) */
#define PG_INLINE_MAX ((size_t)(PG_NOTIFY_MAX - 2u) / 4u * 3u) /* raw bytes whose "m:"+base64 fits */
#define PG_PAYLOAD_MAX (16u << 20)   /* one message, spilled through a row */
#define PG_URI_MAX 1024u
#define PG_WHY_MAX 512u
#define PG_SPILL_KEEP "10 minutes"
_Static_assert(PG_INLINE_MAX == 5997u, "inline bound: base64 of it plus the prefix fits NOTIFY");
_Static_assert(PG_PAYLOAD_MAX <= SG_BCAST_PAYLOAD_MAX, "postgres payload bound within the core's");

static const char sql_setup[] =
    "SET client_min_messages TO warning;"
    "SELECT pg_advisory_xact_lock(7316001);"
    "CREATE TABLE IF NOT EXISTS stormglass_state (topic text PRIMARY KEY, payload bytea NOT NULL,"
    " updated timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS stormglass_spill (id bigserial PRIMARY KEY, msg bytea NOT NULL,"
    " created timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX IF NOT EXISTS stormglass_spill_created ON stormglass_spill (created)";
static const char sql_listen[] = "LISTEN stormglass";
static const char sql_publish_inline[] =
    "WITH s AS (INSERT INTO stormglass_state (topic, payload) VALUES ($1, $2) ON CONFLICT (topic)"
    " DO UPDATE SET payload = EXCLUDED.payload, updated = now())"
    " SELECT pg_notify('stormglass', $3)";
static const char sql_publish_spill[] =
    "WITH s AS (INSERT INTO stormglass_state (topic, payload) VALUES ($1, $2) ON CONFLICT (topic)"
    " DO UPDATE SET payload = EXCLUDED.payload, updated = now()),"
    " d AS (DELETE FROM stormglass_spill WHERE created < now() - interval '" PG_SPILL_KEEP "'),"
    " sp AS (INSERT INTO stormglass_spill (msg) VALUES ($3) RETURNING id)"
    " SELECT pg_notify('stormglass', 'r:' || id) FROM sp";
static const char sql_heartbeat[] = "SELECT pg_notify('stormglass', $1)";
static const char sql_fetch_state[] = "SELECT payload FROM stormglass_state WHERE topic = $1";
static const char sql_fetch_spill[] = "SELECT msg FROM stormglass_spill WHERE id = $1";

typedef enum phase {
    PH_IDLE = 0,
    PH_CONNECTING,
    PH_CONNECTED,
    PH_SUBSCRIBING,
    PH_SUBSCRIBED
} phase;

typedef enum pg_op_kind {
    OP_SETUP = 1,
    OP_LISTEN,
    OP_PUBLISH,
    OP_FETCH_STATE,
    OP_FETCH_SPILL
} pg_op_kind;

struct sd_backbone {
    bb_shell sh;               /* first: relay, timer, bounds, counters, lifetime */
    bb_inbox inbox;            /* incoming messages in notification order */
    char uri[PG_URI_MAX];
    pg_link *cmd, *listen;
    int ready_links;
    bool tables_ready;
    phase phase;
    uint64_t spilled;
};

static void pg_release(bb_shell *s)
{
    sd_backbone *bb = (sd_backbone *)s; /* the shell is the first member */
    bb_inbox_free(&bb->inbox);
    free(bb);
}

static void teardown(sd_backbone *bb)
{
    pg_link *cmd = bb->cmd, *listen = bb->listen;
    bb->cmd = NULL;
    bb->listen = NULL;
    bb->phase = PH_IDLE;
    bb->ready_links = 0;
    bb->tables_ready = false;
    bb_inbox_clear(&bb->inbox);
    bb_shell_timer_stop(&bb->sh);
    if (cmd != NULL) {
        pg_link_close(cmd);
    }
    if (listen != NULL) {
        pg_link_close(listen);
    }
}

static void fail_session(sd_backbone *bb, const char *why)
{
    if (bb->phase == PH_IDLE) {
        return;
    }
    bb_session_event what = bb->phase == PH_CONNECTING ? BB_CONNECT_FAILED : BB_DROPPED;
    char text[PG_WHY_MAX];
    snprintf(text, sizeof text, "postgres: %.400s", why);
    teardown(bb);
    bb_relay_session_event(&bb->sh.relay, what, text);
}

static bool current(const sd_backbone *bb, const pg_link *l)
{
    return l != NULL && (l == bb->cmd || l == bb->listen);
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

static const char *result_why(const PGresult *res)
{
    return res != NULL ? PQresultErrorMessage(res) : "connection lost";
}

/* ---- incoming messages ------------------------------------------------------ */

/* Hands every complete message at the head of the inbox to the relay. */
static void deliver_inbox(sd_backbone *bb)
{
    const uint8_t *msg = NULL;
    size_t len = 0;
    while (bb->phase == PH_SUBSCRIBED && bb_inbox_head(&bb->inbox, &msg, &len)) {
        bb->sh.received++;
        sg_status st = bb_relay_message(&bb->sh.relay, msg, len);
        bb_inbox_pop(&bb->inbox);
        if (st != SG_OK) {
            fail_session(bb, "incoming backlog over its bound");
            return;
        }
    }
}

static void fetch_spill(sd_backbone *bb, uint64_t id, uint64_t ticket)
{
    char idtext[24];
    int n = snprintf(idtext, sizeof idtext, "%" PRIu64, id);
    const char *values[] = {idtext};
    int lengths[] = {n}, formats[] = {0};
    uint64_t *t = malloc(sizeof *t);
    if (t == NULL) {
        fail_session(bb, "out of memory");
        return;
    }
    *t = ticket;
    if (pg_link_query(bb->listen, OP_FETCH_SPILL, t, sql_fetch_spill, 1, values, lengths, formats, 1) != SG_OK) {
        free(t);
        fail_session(bb, "cannot queue a spill fetch");
    }
}

static void on_notify(void *ctx, pg_link *l, const PGnotify *n)
{
    sd_backbone *bb = ctx;
    if (l != bb->listen || bb->phase != PH_SUBSCRIBED || strcmp(n->relname, "stormglass") != 0) {
        return;
    }
    sg_status st = SG_E_INVALID;
    if (strncmp(n->extra, "m:", 2) == 0) {
        st = bb_inbox_push_base64(&bb->inbox, n->extra + 2);
    } else if (strncmp(n->extra, "r:", 2) == 0) {
        char *end = NULL;
        uint64_t id = strtoull(n->extra + 2, &end, 10);
        uint64_t ticket = 0;
        st = *end == '\0' ? bb_inbox_push_pending(&bb->inbox, &ticket) : SG_E_INVALID;
        if (st == SG_OK) {
            fetch_spill(bb, id, ticket);
            return;
        }
    }
    if (st == SG_E_INVALID) {
        sd_log(SD_LOG_WARN, "postgres_bad_notification", "bytes=%zu", strlen(n->extra));
        return;
    }
    if (st != SG_OK) {
        fail_session(bb, "incoming backlog over its bound");
        return;
    }
    deliver_inbox(bb);
}

static void spill_fetched(sd_backbone *bb, pg_link *l, pg_op *op, const PGresult *res)
{
    uint64_t ticket = *(const uint64_t *)op->data;
    free(op->data);
    if (!current(bb, l) || bb->phase != PH_SUBSCRIBED) {
        return;
    }
    if (res == NULL || !result_ok(res) || PQntuples(res) != 1) {
        /* pruned or unreadable: the message is lost to this session, so is
         * the session (the core then resyncs from the state table) */
        fail_session(bb, res == NULL ? "connection lost" : "a spilled message is gone");
        return;
    }
    if (bb_inbox_fill(&bb->inbox, ticket, (const uint8_t *)PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0)) !=
        SG_OK) {
        fail_session(bb, "incoming backlog over its bound");
        return;
    }
    deliver_inbox(bb);
}

/* ---- command results ---------------------------------------------------------- */

static void publish_answered(sd_backbone *bb, pg_op *op, const PGresult *res)
{
    bool ok = res != NULL ? result_ok(res) : op->sent;
    if (res != NULL && !ok) {
        sd_log(SD_LOG_WARN, "postgres_publish_error", "error=\"%.160s\"", PQresultErrorMessage(res));
    }
    bb_shell_publish_done(&bb->sh, op->data, ok);
}

static void state_answered(sd_backbone *bb, pg_op *op, const PGresult *res)
{
    bb_fetch_req *f = op->data;
    if (res == NULL || !result_ok(res)) {
        bb_shell_fetch_done(&bb->sh, f, SG_E_STATE, NULL, 0, result_why(res));
    } else if (PQntuples(res) == 0) {
        bb_shell_fetch_done(&bb->sh, f, SG_OK, NULL, 0, NULL);
    } else {
        bb_shell_fetch_done(&bb->sh, f, SG_OK, (const uint8_t *)PQgetvalue(res, 0, 0),
                            (size_t)PQgetlength(res, 0, 0), NULL);
    }
}

static void session_answered(sd_backbone *bb, pg_link *l, pg_op *op, const PGresult *res)
{
    if (!current(bb, l)) {
        return;
    }
    if (res == NULL || !result_ok(res)) {
        if (op->op == OP_LISTEN && bb->phase == PH_SUBSCRIBING) {
            char why[PG_WHY_MAX];
            snprintf(why, sizeof why, "postgres: LISTEN failed: %.400s", result_why(res));
            bb->phase = PH_CONNECTED;
            bb_relay_session_event(&bb->sh.relay, BB_SUBSCRIBE_FAILED, why);
            return;
        }
        fail_session(bb, result_why(res));
        return;
    }
    if (op->op == OP_SETUP && bb->phase == PH_CONNECTING) {
        bb->tables_ready = true;
        bb->phase = PH_CONNECTED;
        bb_shell_timer_stop(&bb->sh);
        bb_relay_session_event(&bb->sh.relay, BB_CONNECTED, NULL);
    } else if (op->op == OP_LISTEN && bb->phase == PH_SUBSCRIBING) {
        bb->phase = PH_SUBSCRIBED;
        bb_relay_session_event(&bb->sh.relay, BB_SUBSCRIBED, NULL);
    }
}

static void on_result(void *ctx, pg_link *l, pg_op *op, const PGresult *res)
{
    sd_backbone *bb = ctx;
    switch ((pg_op_kind)op->op) {
    case OP_PUBLISH: publish_answered(bb, op, res); break;
    case OP_FETCH_STATE: state_answered(bb, op, res); break;
    case OP_FETCH_SPILL: spill_fetched(bb, l, op, res); break;
    case OP_SETUP:
    case OP_LISTEN: session_answered(bb, l, op, res); break;
    }
}

static void on_ready(void *ctx, pg_link *l)
{
    sd_backbone *bb = ctx;
    if (!current(bb, l) || bb->phase != PH_CONNECTING || ++bb->ready_links < 2) {
        return;
    }
    if (pg_link_query(bb->cmd, OP_SETUP, NULL, sql_setup, 0, NULL, NULL, NULL, 0) != SG_OK) {
        fail_session(bb, "cannot queue the table setup");
    }
}

static void on_lost(void *ctx, pg_link *l, const char *why)
{
    sd_backbone *bb = ctx;
    if (current(bb, l)) {
        fail_session(bb, why);
    }
}

static void on_link_closed(void *ctx, pg_link *l)
{
    sd_backbone *bb = ctx;
    (void)l;
    bb_shell_handle_closed(&bb->sh);
}

/* ---- create / destroy ------------------------------------------------------------ */

static sg_status pg_create(uv_loop_t *loop, const char *uri, const sd_backbone_limits *limits,
                           const sd_backbone_events *events, sd_backbone **out, sg_error *err)
{
    assert(loop != NULL && uri != NULL && limits != NULL && events != NULL && out != NULL);
    *out = NULL;
    if (strlen(uri) >= PG_URI_MAX) {
        return sg_error_set(err, SG_E_INVALID, "--backbone: postgres:// URI over %u bytes", PG_URI_MAX - 1);
    }
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(uri, &msg);
    if (opts == NULL) {
        sg_error_set(err, SG_E_INVALID, "--backbone: %.120s", msg != NULL ? msg : "invalid postgres:// URI");
        PQfreemem(msg);
        return SG_E_INVALID;
    }
    PQconninfoFree(opts);
    sd_backbone *bb = calloc(1, sizeof *bb);
    if (bb == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "postgres://: out of memory");
    }
    snprintf(bb->uri, sizeof bb->uri, "%s", uri);
    bb_shell_init(&bb->sh, loop, limits, events, pg_release);
    bb_inbox_init(&bb->inbox, limits->queue_items_max, limits->queue_bytes_max);
    *out = bb;
    return SG_OK;
}

static void pg_destroy(sd_backbone *bb)
{
    bb_shell_close(&bb->sh); /* first: the teardown's answers go nowhere */
    teardown(bb);
}

/* ---- session ---------------------------------------------------------------------- */

static const pg_link_owner link_owner_template = {NULL, on_ready, on_result, on_notify, on_lost, on_link_closed};

static pg_link *open_link(sd_backbone *bb, char *why, size_t why_size)
{
    char idle[12], interval[12], count[12], user_timeout[16];
    snprintf(idle, sizeof idle, "%d", BB_KEEPALIVE_IDLE_S);
    snprintf(interval, sizeof interval, "%d", BB_KEEPALIVE_INTERVAL_S);
    snprintf(count, sizeof count, "%d", BB_KEEPALIVE_COUNT);
    snprintf(user_timeout, sizeof user_timeout, "%u", BB_TCP_USER_TIMEOUT_MS);
    const char *const keys[] = {"dbname",          "keepalives",     "keepalives_idle", "keepalives_interval",
                                "keepalives_count", "tcp_user_timeout", "application_name", NULL};
    const char *const values[] = {bb->uri, "1", idle, interval, count, user_timeout, "stormglassd", NULL};
    pg_link_owner owner = link_owner_template;
    owner.ctx = bb;
    pg_link *l = pg_link_open(bb->sh.loop, keys, values, &owner, why, why_size);
    bb->sh.open_handles += l != NULL;
    return l;
}

static void on_connect_timeout(uv_timer_t *t)
{
    sd_backbone *bb = t->data; /* the shell, first member */
    if (bb->phase == PH_CONNECTING) {
        fail_session(bb, "no answer within the connect timeout");
    }
}

static sg_status pg_connect(sd_backbone *bb, sg_duration_ns timeout_ns)
{
    if (bb->phase != PH_IDLE) {
        teardown(bb);
    }
    bb_relay_next_session(&bb->sh.relay);
    bb->phase = PH_CONNECTING;
    char why[PG_WHY_MAX] = "";
    bb->cmd = open_link(bb, why, sizeof why);
    bb->listen = bb->cmd != NULL ? open_link(bb, why, sizeof why) : NULL;
    if (bb->cmd == NULL || bb->listen == NULL) {
        fail_session(bb, why[0] != '\0' ? why : "cannot start connecting");
        return SG_OK; /* reported through the relay */
    }
    bb_shell_timer_start(&bb->sh, timeout_ns, on_connect_timeout);
    return SG_OK;
}

static sg_status pg_subscribe(sd_backbone *bb)
{
    if (bb->phase != PH_CONNECTED) {
        return SG_E_STATE;
    }
    bb->phase = PH_SUBSCRIBING;
    sg_status st = pg_link_query(bb->listen, OP_LISTEN, NULL, sql_listen, 0, NULL, NULL, NULL, 0);
    if (st != SG_OK && bb->phase == PH_SUBSCRIBING) {
        bb->phase = PH_CONNECTED;
    }
    return st;
}

static void pg_disconnect(sd_backbone *bb)
{
    if (bb->phase != PH_IDLE) {
        teardown(bb);
    }
    bb_relay_next_session(&bb->sh.relay);
}

/* ---- publish and state ---------------------------------------------------------------- */

/* "m:" + base64(msg) into a malloc'd string (caller frees). */
static char *inline_text(const uint8_t *msg, size_t len, int *text_len)
{
    size_t n = 2 + bb_base64_encoded_len(len);
    char *t = malloc(n + 1);
    if (t != NULL) {
        t[0] = 'm';
        t[1] = ':';
        bb_base64_encode(msg, len, t + 2);
        *text_len = (int)n;
    }
    return t;
}

static sg_status send_publish(void *ctx, bb_publish_req *p)
{
    sd_backbone *bb = ctx;
    sg_bcast_header h;
    sd_wire_body body;
    if (sd_wire_decode(p->msg, p->len, &h, &body, NULL) != SG_OK) {
        return SG_E_INVALID;
    }
    bool spill = p->len > PG_INLINE_MAX;
    if (h.kind != SG_MSG_DATA && spill) {
        return SG_E_TOO_BIG; /* heartbeats are 32 bytes; anything else here is a bug upstream */
    }
    int text_len = 0;
    char *text = spill ? NULL : inline_text(p->msg, p->len, &text_len);
    if (!spill && text == NULL) {
        return SG_E_NOMEM;
    }
    sg_status st;
    if (h.kind != SG_MSG_DATA) {
        const char *values[] = {text};
        int lengths[] = {text_len}, formats[] = {0};
        st = pg_link_query(bb->cmd, OP_PUBLISH, p, sql_heartbeat, 1, values, lengths, formats, 0);
    } else {
        const char *values[] = {body.topic, (const char *)body.payload, spill ? (const char *)p->msg : text};
        int lengths[] = {(int)body.topic_len, (int)body.payload_len, spill ? (int)p->len : text_len};
        int formats[] = {0, 1, spill ? 1 : 0};
        st = pg_link_query(bb->cmd, OP_PUBLISH, p, spill ? sql_publish_spill : sql_publish_inline, 3, values,
                           lengths, formats, 0);
        bb->spilled += spill && st == SG_OK;
    }
    free(text);
    return st;
}

static sg_status send_fetch(void *ctx, bb_fetch_req *f)
{
    sd_backbone *bb = ctx;
    const char *values[] = {f->topic};
    int lengths[] = {(int)f->topic_len}, formats[] = {0};
    return pg_link_query(bb->cmd, OP_FETCH_STATE, f, sql_fetch_state, 1, values, lengths, formats, 1);
}

/* The request is counted before it is queued: a result may come from
 * inside the query call (a connection found dead). */
static sg_status pg_publish(sd_backbone *bb, sd_publish_kind kind, const uint8_t *msg, size_t len)
{
    bool up = bb->phase >= PH_CONNECTED && bb->cmd != NULL;
    return bb_shell_publish(&bb->sh, up, PG_PAYLOAD_MAX, kind, msg, len, send_publish, bb);
}

static sg_status pg_fetch_state(sd_backbone *bb, const char *topic, size_t topic_len, uint64_t cookie,
                                sd_state_cb cb, void *arg)
{
    bool up = bb->phase >= PH_CONNECTED && bb->cmd != NULL;
    return bb_shell_fetch(&bb->sh, up, topic, topic_len, cookie, cb, arg, send_fetch, bb);
}

/* ---- observation and drills ------------------------------------------------------------- */

static uint32_t pg_payload_max(const sd_backbone *bb)
{
    (void)bb;
    return PG_PAYLOAD_MAX;
}

static void pg_stats(const sd_backbone *bb, sd_backbone_stats *out)
{
    bb_shell_stats(&bb->sh, bb->phase >= PH_CONNECTED, bb->phase == PH_SUBSCRIBED,
                   bb->listen != NULL ? pg_link_fd(bb->listen) : -1, bb_inbox_count(&bb->inbox), out);
}

static sg_status pg_inject_drop(sd_backbone *bb)
{
    if (bb->phase == PH_IDLE) {
        return SG_E_STATE;
    }
    fail_session(bb, "session ended by inject_drop");
    return SG_OK;
}

/* libpq accepts both URI schemes; so does stormglassd. */
#define PG_OPS(scheme_name, summary_text)                                                                  \
    {                                                                                                      \
        .scheme = (scheme_name), .summary = (summary_text), .create = pg_create, .destroy = pg_destroy,  \
        .connect = pg_connect, .subscribe = pg_subscribe, .disconnect = pg_disconnect,                   \
        .publish = pg_publish, .fetch_state = pg_fetch_state, .payload_max = pg_payload_max,             \
        .stats = pg_stats, .inject_drop = pg_inject_drop,                                                \
    }

const sd_backbone_ops sd_backbone_postgres =
    PG_OPS("postgres", "PostgreSQL LISTEN/NOTIFY + a state table (postgres://user@host:port/db)");
const sd_backbone_ops sd_backbone_postgresql = PG_OPS("postgresql", "the same as postgres://");

/*
 * bcast.c - fuzz target: the broadcaster core (core/src/bcast*.c) driven by
 * arbitrary event sequences.
 *
 * The harness is a driver with a perfect memory.  From the input it builds
 * a small configuration (every bound tiny so limits are hit), then plays
 * events in any order: clients connect and leave (live, stale and made-up
 * handles), pins and unpins (also below zero), backbone answers (connected,
 * failed, subscribed, dropped: also when they do not apply), messages with
 * arbitrary origin/epoch/sequence/kind, publishes (tagged payloads, some
 * poison), send and replay results (in or out of order, ok or failed),
 * timer ticks with arbitrary time jumps, and libfiu allocation failures
 * chosen by the input.  After every step it drains the actions, answers
 * them as a driver would, and checks:
 *   - listener count = clients + pins (+1 while a recovery runs), never
 *     negative; clients, pins and refusals match the driver's own count;
 *   - the replay buffer within both bounds (in-flight item aside);
 *   - health equals the last HEALTH announced, agrees with the reader
 *     state, and "listeners but no reader" never happens;
 *   - at most one recovery, always pinned; no resync start within the
 *     cooldown of the previous one; resync closes only for clients that
 *     were registered before the resync started, each once, on time;
 *   - no time travel: after a tick next_deadline is not in the past;
 *   - CONNECT only without a connection, SUBSCRIBE only on an open one,
 *     no connection left open by a reader that is not using it;
 *   - one replay PUBLISH in flight at a time; its payload pointer stays
 *     valid (read again before its result is reported) and holds exactly
 *     the bytes that were published; no sequence number is ever put on
 *     the wire twice (a peer would skip the second: silent loss);
 *   - inbound verdicts equal a model of the documented gap rules: the
 *     per-origin table (LRU eviction, sequence, epoch, the clean end a
 *     goodbye marks, rebase on a run's first subscription), first-seen
 *     origins (after-loss flag, blind runs after a quiet reconnect), own
 *     echoes; sequence, epoch and reconnect gaps, clean restarts, goodbyes
 *     seen and evictions are counted exactly as the model says;
 *   - exactly once: a number of an origin's epoch is delivered at most
 *     once while the origin stays in that epoch (the core keeps one epoch
 *     per origin and does not order them: an epoch that comes back after
 *     another one, DATA or goodbye, starts over; on a backbone that keeps
 *     each publisher's order this cannot happen, epochs change only at a
 *     process start);
 *   - GOODBYE only after sg_bcast_goodbye, REFETCH only for live clients
 *     with their cookie, headers with known flags only;
 *   - SHUTDOWN only when giving up is allowed, and it is terminal;
 *   - at the end, with a healthy backbone and time running, every publish
 *     the core accepted reaches the wire or is counted as dropped.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_faults.h"
#include "stormglass/bcast.h"

#define CLIENTS_TRACK 32u   /* handles remembered (live or gone) */
#define SENDS_MAX 8u        /* outstanding direct sends the driver holds */
#define PAYLOADS_MAX 256u   /* tagged publishes per input */
#define PAYLOAD_BYTES_MAX 64u
#define WIRE_SEQ_MAX 4096u  /* sequence numbers tracked for uniqueness */
#define OPS_MAX 1500u
#define FINAL_ROUNDS 400u

typedef enum conn_state { C_NONE, C_CONNECTING, C_OPEN, C_SUBSCRIBING, C_SUBSCRIBED } conn_state;

typedef struct client {
    sg_client_handle h;
    uint64_t cookie;
    uint64_t serial;     /* registration order */
    bool live;
    bool closed;         /* got its CLOSE_CLIENT in the current resync */
} client;

typedef struct payload {
    uint8_t bytes[PAYLOAD_BYTES_MAX];
    uint32_t len;
    bool accepted;       /* SEND or BUFFERED */
    bool on_wire;        /* a send of it was reported ok */
} payload;

typedef struct send {
    sg_bcast_header h;
    uint32_t tag;
} send;

#define ORIGINS_MAX 8u

typedef struct origin_seen {
    uint32_t origin;
    uint64_t epoch;
    uint64_t last_seq;     /* the last number delivered (to pick plausible next ones) */
    uint8_t delivered[64]; /* numbers 0..511 of the current epoch delivered */
} origin_seen;

/* The model of the core's per-origin table (docs/ARCHITECTURE.md, "Gap
 * rules"): LRU over peers_max entries, the epoch's clean end, rebase. */
typedef struct peer_m {
    uint32_t origin;
    uint64_t epoch, last_seq, last_use;
    bool clean;  /* the epoch ended with a goodbye that left nothing missing */
    bool rebase; /* learned in an earlier reader run */
} peer_m;

typedef enum peer_rule { P_FIRST, P_FIRST_NEW_EPOCH, P_NEXT, P_DUP, P_SEQ_GAP, P_RESTART, P_EPOCH_GAP } peer_rule;

typedef struct model {
    sg_bcast *b;
    sg_bcast_config c;
    fuzz_input *in;
    sg_time_ns now;
    conn_state conn;
    client clients[CLIENTS_TRACK];
    uint32_t n_clients;
    uint64_t next_serial;
    uint32_t pins;
    payload pl[PAYLOADS_MAX];
    uint32_t n_pl;
    send sends[SENDS_MAX];
    uint32_t n_sends;
    bool flight;                    /* a replay PUBLISH awaits its result */
    sg_bcast_action flight_action;
    uint32_t flight_tag;
    uint8_t wire[WIRE_SEQ_MAX / 8]; /* seqs reported ok */
    origin_seen origins[ORIGINS_MAX];
    uint32_t n_origins;
    peer_m peers[ORIGINS_MAX];      /* the model of the core's peer table (peers_max <= 6) */
    uint32_t n_peers;
    uint64_t peer_clock;
    uint64_t peer_evictions;
    bool run_heard;                 /* a message was read in this reader run */
    uint32_t run_subs;              /* subscriptions in this reader run */
    bool blind;                     /* a quiet reconnect since the run's last resync */
    uint64_t own_lo, own_hi;        /* bounds of the last own number delivered (ON_ECHO) */
    uint64_t heartbeat_seq;
    sg_bcast_health announced;
    sg_time_ns resync_start;        /* INT64_MIN: none running */
    sg_time_ns last_resync_start;   /* INT64_MIN: never */
    uint64_t resync_serial;         /* clients with a serial below were registered before it */
    sg_time_ns last_tick;           /* time of the previous on_timer call */
    bool last_tick_deferred;        /* it left work for "now" (deferred, no room) */
    bool shutdown;
    bool goodbye;                   /* sg_bcast_goodbye was called: the worker is leaving */
    uint32_t lost_unbuffered;       /* failed sends while buffering is disabled */
} model;

static void model_subscribed(model *m, const sg_bcast_stats *before);

/* ---- configuration -------------------------------------------------------- */

static sg_duration_ns ms(uint64_t n)
{
    return (sg_duration_ns)n * SG_NS_PER_MS;
}

/* Small bounds and short times, so every limit is reached. */
static void make_config(fuzz_input *in, sg_bcast_config *c)
{
    *c = sg_bcast_config_default();
    c->worker_id = fuzz_u8(in) % 4u;
    c->epoch = 1u + fuzz_u8(in) % 3u;
    c->seed = fuzz_u64(in);
    c->reconnect_enabled = fuzz_u8(in) < 224;
    c->backoff = sg_backoff_config_default((sg_backoff_policy)(fuzz_u8(in) % SG_BACKOFF_POLICY_COUNT));
    c->backoff.base_ns = ms(1u + fuzz_u8(in) % 200u);
    c->backoff.max_ns = c->backoff.base_ns * (1 + fuzz_u8(in) % 16);
    c->backoff.max_retries = fuzz_u8(in) % 6u;
    c->connect_timeout_ns = ms(100u * (fuzz_u8(in) % 50u));
    c->replay_items_max = fuzz_u8(in) % 9u;
    c->replay_bytes_max = 2u * (uint64_t)fuzz_u8(in);
    c->backbone_payload_max = 1u + fuzz_u8(in) % 80u;
    c->resync_on_reconnect = fuzz_bool(in);
    c->settle_ns = ms(500u * (fuzz_u8(in) % 5u));
    c->settle_jitter_ns = ms(500u * (fuzz_u8(in) % 3u));
    c->resync_window_ns = ms(1000u * (fuzz_u8(in) % 5u));
    c->resync_cooldown_ns = ms(5000u * (fuzz_u8(in) % 8u));
    c->delivery = fuzz_bool(in) ? SG_DELIVERY_ON_ECHO : SG_DELIVERY_IMMEDIATE;
    uint8_t w = fuzz_u8(in);
    c->watchdog_ns = w % 4u == 0 ? ms(1000u * (1u + w / 4u % 10u)) : 0;
    c->heartbeat_ns = 0;
    c->healthcheck_enabled = fuzz_u8(in) < 224;
    c->clients_max = 1u + fuzz_u8(in) % 16u;
    uint8_t peers = fuzz_u8(in);
    c->peers_max = 1u + peers % 6u;
    c->after_unclean_exit = peers >= 128;
    if (fuzz_u8(in) == 0xee) { /* now and then one field gets any value at all */
        int64_t v = fuzz_edgy_i64(in, INT64_MIN, INT64_MAX);
        switch (fuzz_u8(in) % 6) {
        case 0: c->settle_ns = v; break;
        case 1: c->connect_timeout_ns = v; break;
        case 2: c->replay_items_max = (uint32_t)v; break;
        case 3: c->replay_bytes_max = (uint64_t)v; break;
        case 4: c->clients_max = (uint32_t)v; break;
        default: c->watchdog_ns = v; break;
        }
    }
}

/* ---- the driver's bookkeeping ---------------------------------------------- */

static void wire_mark(model *m, uint64_t seq, uint32_t tag)
{
    if (seq < WIRE_SEQ_MAX) {
        uint8_t bit = (uint8_t)(1u << (seq % 8));
        FUZZ_CHECK_MSG((m->wire[seq / 8] & bit) == 0, "seq %llu put on the wire twice: peers skip the second",
                       (unsigned long long)seq);
        m->wire[seq / 8] |= bit;
    }
    m->pl[tag].on_wire = true;
}

static uint32_t tag_of(const uint8_t *p, uint32_t len)
{
    FUZZ_CHECK(len >= 4);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A payload the core hands back must be, byte for byte, one we published. */
static uint32_t check_payload(const model *m, const uint8_t *p, uint32_t len)
{
    FUZZ_CHECK(p != NULL || len == 0);
    uint32_t tag = tag_of(p, len);
    FUZZ_CHECK_MSG(tag < m->n_pl && m->pl[tag].accepted, "unknown payload tag %u", tag);
    FUZZ_CHECK_MSG(len == m->pl[tag].len && memcmp(p, m->pl[tag].bytes, len) == 0,
                   "replayed payload %u differs from what was published", tag);
    return tag;
}

static void check_own_header(const model *m, const sg_bcast_header *h, uint8_t kind)
{
    FUZZ_CHECK(h->origin == m->c.worker_id && h->epoch == m->c.epoch && h->kind == kind);
    FUZZ_CHECK(kind == SG_MSG_GOODBYE || h->seq >= 1); /* a goodbye says 0 when nothing was sent */
    FUZZ_CHECK((h->flags & ~SG_MSG_FLAGS_KNOWN) == 0 && (kind != SG_MSG_HEARTBEAT || h->flags == 0));
}

static client *live_client(model *m, sg_client_handle h)
{
    for (uint32_t i = 0; i < m->n_clients; i++) {
        client *c = &m->clients[i];
        if (c->live && c->h.index == h.index && c->h.generation == h.generation) {
            return c;
        }
    }
    return NULL;
}

static uint32_t live_clients(const model *m)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->n_clients; i++) {
        n += m->clients[i].live;
    }
    return n;
}

/* ---- actions: what a driver does with each ---------------------------------- */

static void on_close_client(model *m, const sg_bcast_action *a)
{
    client *c = live_client(m, a->u.close_client.handle);
    FUZZ_CHECK_MSG(c != NULL, "CLOSE_CLIENT for a client that is gone (slot %u)", a->u.close_client.handle.index);
    FUZZ_CHECK(a->u.close_client.cookie == c->cookie && a->u.close_client.close_code == SG_CLOSE_CODE_RESYNC);
    FUZZ_CHECK_MSG(m->resync_start != INT64_MIN, "CLOSE_CLIENT outside a resync");
    FUZZ_CHECK_MSG(c->serial < m->resync_serial, "closed a client that arrived after the resync started");
    FUZZ_CHECK_MSG(!c->closed, "client closed twice in one resync");
    /* Closes are due within the window; one comes later only when the
     * driver's timer was late (no tick since the window ended) or the
     * previous tick had to defer work for lack of room. */
    sg_time_ns window_end = sg_time_add(m->resync_start, m->c.resync_window_ns);
    FUZZ_CHECK_MSG(m->now <= window_end || m->last_tick < window_end || m->last_tick_deferred,
                   "close %lld ns after the resync window, though the timer ran in time",
                   (long long)(m->now - window_end));
    c->closed = true;
}

static void on_note(model *m, const sg_bcast_action *a)
{
    switch (a->u.note.note) {
    case SG_NOTE_RESYNC_START:
        FUZZ_CHECK_MSG(m->resync_start == INT64_MIN, "a resync started inside another");
        FUZZ_CHECK_MSG(m->last_resync_start == INT64_MIN || m->now - m->last_resync_start >= m->c.resync_cooldown_ns,
                       "resync %lld ns after the previous one, cooldown %lld", (long long)(m->now - m->last_resync_start),
                       (long long)m->c.resync_cooldown_ns);
        m->resync_start = m->now;
        m->last_resync_start = m->now;
        m->resync_serial = m->next_serial;
        m->blind = false; /* every client is closed and fetches again */
        for (uint32_t i = 0; i < m->n_clients; i++) {
            m->clients[i].closed = false;
        }
        break;
    case SG_NOTE_RESYNC_DONE:
        FUZZ_CHECK(m->resync_start != INT64_MIN);
        m->resync_start = INT64_MIN;
        break;
    case SG_NOTE_READER_START: /* a new run: gap detection starts over */
        m->run_heard = false;
        m->run_subs = 0;
        m->blind = false;
        break;
    default:
        FUZZ_CHECK(a->u.note.note >= SG_NOTE_GAP_RECONNECT && a->u.note.note <= SG_NOTE_REFETCH_DONE);
        break;
    }
}

static void on_action(model *m, const sg_bcast_action *a)
{
    FUZZ_CHECK_MSG(!m->shutdown || a->kind == SG_ACT_NOTE || a->kind == SG_ACT_HEALTH || a->kind == SG_ACT_DISCONNECT ||
                       a->kind == SG_ACT_GOODBYE,
                   "action %s after SHUTDOWN", sg_bcast_action_name(a->kind));
    switch (a->kind) {
    case SG_ACT_CONNECT:
        FUZZ_CHECK_MSG(m->conn == C_NONE, "CONNECT while the driver holds a connection (%d)", (int)m->conn);
        m->conn = C_CONNECTING;
        break;
    case SG_ACT_SUBSCRIBE:
        FUZZ_CHECK_MSG(m->conn == C_OPEN, "SUBSCRIBE without an open connection (%d)", (int)m->conn);
        m->conn = C_SUBSCRIBING;
        break;
    case SG_ACT_DISCONNECT:
        m->conn = C_NONE;
        break;
    case SG_ACT_PUBLISH:
        FUZZ_CHECK_MSG(!m->flight, "a second replay PUBLISH before the first one's result");
        FUZZ_CHECK(m->conn == C_SUBSCRIBED);
        check_own_header(m, &a->u.publish.header, SG_MSG_DATA);
        m->flight_tag = check_payload(m, a->u.publish.payload, a->u.publish.len);
        m->flight_action = *a;
        m->flight = true;
        break;
    case SG_ACT_HEARTBEAT:
        check_own_header(m, &a->u.heartbeat.header, SG_MSG_HEARTBEAT);
        FUZZ_CHECK(a->u.heartbeat.header.seq > m->heartbeat_seq && m->c.watchdog_ns > 0);
        m->heartbeat_seq = a->u.heartbeat.header.seq;
        break;
    case SG_ACT_CLOSE_CLIENT:
        on_close_client(m, a);
        break;
    case SG_ACT_HEALTH: {
        bool ok_reason = a->u.health.reason <= SG_HEALTH_OK_DISABLED;
        FUZZ_CHECK(a->u.health.healthy == ok_reason);
        FUZZ_CHECK(a->u.health.healthy != m->announced.healthy || a->u.health.reason != m->announced.reason);
        m->announced.healthy = a->u.health.healthy;
        m->announced.reason = a->u.health.reason;
        break;
    }
    case SG_ACT_SHUTDOWN:
        FUZZ_CHECK_MSG(!m->c.reconnect_enabled || m->c.backoff.max_retries != 0, "SHUTDOWN while retrying forever");
        m->shutdown = true;
        m->resync_start = INT64_MIN; /* give-up aborts any recovery */
        break;
    case SG_ACT_NOTE:
        on_note(m, a);
        break;
    case SG_ACT_GOODBYE:
        FUZZ_CHECK_MSG(m->goodbye, "GOODBYE nobody asked for");
        check_own_header(m, &a->u.goodbye.header, SG_MSG_GOODBYE);
        break;
    case SG_ACT_REFETCH: {
        client *c = live_client(m, a->u.refetch.handle);
        FUZZ_CHECK_MSG(c != NULL, "REFETCH for a client that is gone (slot %u)", a->u.refetch.handle.index);
        FUZZ_CHECK(a->u.refetch.cookie == c->cookie);
        break;
    }
    default:
        FUZZ_CHECK_MSG(0, "unknown action kind %d", (int)a->kind);
    }
}

static void drain(model *m)
{
    sg_bcast_action a;
    for (unsigned n = 0; sg_bcast_poll_action(m->b, &a); n++) {
        FUZZ_CHECK(n < 100000u);
        on_action(m, &a);
    }
}

/* ---- invariants after every step -------------------------------------------- */

static void check_health(const model *m, const sg_bcast_stats *st)
{
    /* At the core's own clock (an earlier time is clamped to it), the
     * judgement is what it last announced; the driver's clock may be ahead
     * when no event told the core that time passed. */
    sg_bcast_health at_core = sg_bcast_health_at(m->b, INT64_MIN);
    FUZZ_CHECK_MSG(at_core.healthy == m->announced.healthy && at_core.reason == m->announced.reason,
                   "health %s but %s was announced", sg_health_reason_name(at_core.reason),
                   sg_health_reason_name(m->announced.reason));
    sg_bcast_health h = sg_bcast_health_at(m->b, m->now);
    FUZZ_CHECK(h.healthy == (h.reason <= SG_HEALTH_OK_DISABLED));
    FUZZ_CHECK(h.reason != SG_HEALTH_BAD_NO_READER); /* a reader whenever someone listens */
    if (!m->c.healthcheck_enabled) {
        FUZZ_CHECK(h.healthy && h.reason == SG_HEALTH_OK_DISABLED);
        return;
    }
    FUZZ_CHECK((h.reason == SG_HEALTH_BAD_GIVEN_UP) == (st->reader == SG_READER_GIVEN_UP));
    FUZZ_CHECK(h.reason != SG_HEALTH_OK_READING || st->reader == SG_READER_READING);
    FUZZ_CHECK(h.reason != SG_HEALTH_OK_IDLE || st->listeners == 0);
    FUZZ_CHECK(h.reason != SG_HEALTH_BAD_DEAF || m->c.watchdog_ns > 0);
    FUZZ_CHECK(h.reason != SG_HEALTH_OK_RECONNECTING ||
               (st->reader != SG_READER_READING && st->reader != SG_READER_IDLE));
}

/* The reader never leaves a connection behind, nor uses one it lacks. */
static void check_connection(const model *m, const sg_bcast_stats *st)
{
    switch (st->reader) {
    case SG_READER_READING: FUZZ_CHECK(m->conn == C_SUBSCRIBED); break;
    case SG_READER_SUBSCRIBING: FUZZ_CHECK(m->conn == C_SUBSCRIBING); break;
    case SG_READER_CONNECTING: FUZZ_CHECK(m->conn == C_CONNECTING); break;
    default:
        FUZZ_CHECK_MSG(m->conn == C_NONE, "reader %s left connection state %d behind",
                       sg_reader_state_name(st->reader), (int)m->conn);
        break;
    }
}

static void check_state(model *m)
{
    sg_bcast_stats st;
    sg_bcast_stats_get(m->b, &st);
    FUZZ_CHECK_MSG(st.clients == live_clients(m), "clients %u, driver counts %u", st.clients, live_clients(m));
    FUZZ_CHECK(st.listeners == st.clients + st.pins);
    FUZZ_CHECK_MSG(st.pins == m->pins + (st.recovery != SG_RECOVERY_NONE ? 1u : 0u),
                   "pins %u, driver pins %u, recovery %s", st.pins, m->pins, sg_recovery_phase_name(st.recovery));
    FUZZ_CHECK(st.listeners == 0 || st.reader != SG_READER_IDLE);
    uint32_t flying = m->flight ? 1u : 0u;
    uint64_t flying_bytes = m->flight ? m->flight_action.u.publish.len : 0u;
    FUZZ_CHECK_MSG(st.replay_items <= m->c.replay_items_max + flying, "%u items, bound %u", st.replay_items,
                   m->c.replay_items_max);
    FUZZ_CHECK_MSG(st.replay_bytes <= m->c.replay_bytes_max + flying_bytes, "%llu bytes, bound %llu",
                   (unsigned long long)st.replay_bytes, (unsigned long long)m->c.replay_bytes_max);
    FUZZ_CHECK(st.counters.actions_dropped == 0); /* the driver drains after every event */
    FUZZ_CHECK((st.reader == SG_READER_GIVEN_UP) == m->shutdown);
    FUZZ_CHECK(st.last_resync_ns == SG_TIME_NEVER || st.last_resync_ns <= m->now);
    check_connection(m, &st);
    check_health(m, &st);
}

/* ---- events: clients and pins ------------------------------------------------- */

static void do_register(model *m)
{
    if (m->n_clients == CLIENTS_TRACK) {
        return; /* the model remembers CLIENTS_TRACK handles: enough for clients_max <= 16 */
    }
    uint64_t cookie = fuzz_u64(m->in);
    sg_client_handle h = {UINT32_MAX, 0};
    sg_status st = sg_bcast_client_register(m->b, m->now, cookie, &h);
    if (live_clients(m) == m->c.clients_max) {
        FUZZ_CHECK(st == SG_E_FULL);
        return;
    }
    FUZZ_CHECK_MSG(st == SG_OK, "register: %d", (int)st);
    FUZZ_CHECK(live_client(m, h) == NULL);
    m->clients[m->n_clients++] = (client){h, cookie, m->next_serial++, true, false};
}

static void do_unregister(model *m)
{
    uint8_t v = fuzz_u8(m->in);
    sg_client_handle h;
    h.index = fuzz_u8(m->in) % 20u; /* one statement each: initializers are unsequenced */
    h.generation = fuzz_u8(m->in) % 4u;
    if (v < 0xf0 && m->n_clients > 0) {
        h = m->clients[v % m->n_clients].h;
    }
    client *c = live_client(m, h);
    sg_status st = sg_bcast_client_unregister(m->b, m->now, h);
    FUZZ_CHECK_MSG(st == (c != NULL ? SG_OK : SG_E_NOT_FOUND), "unregister: %d", (int)st);
    if (c != NULL) {
        c->live = false;
    }
}

static void do_pin(model *m, bool pin)
{
    if (pin) {
        sg_bcast_pin(m->b, m->now);
        m->pins++;
        return;
    }
    sg_status st = sg_bcast_unpin(m->b, m->now);
    FUZZ_CHECK(st == (m->pins > 0 ? SG_OK : SG_E_STATE)); /* never below zero */
    m->pins -= m->pins > 0 ? 1u : 0u;
}

/* ---- events: the backbone connection ------------------------------------------- */

/* The driver reports what happened to its connection; an event that does
 * not apply (no such connection) must change nothing in the reader. */
static void do_backbone(model *m)
{
    sg_bcast_stats before, after;
    sg_bcast_stats_get(m->b, &before);
    bool applies = false;
    switch (fuzz_u8(m->in) % 5) {
    case 0:
        applies = m->conn == C_CONNECTING;
        m->conn = applies ? C_OPEN : m->conn;
        sg_bcast_on_connected(m->b, m->now);
        break;
    case 1:
        applies = m->conn == C_CONNECTING;
        m->conn = applies ? C_NONE : m->conn;
        sg_bcast_on_connect_failed(m->b, m->now);
        break;
    case 2:
        applies = m->conn == C_SUBSCRIBING;
        m->conn = applies ? C_SUBSCRIBED : m->conn;
        sg_bcast_on_subscribed(m->b, m->now);
        model_subscribed(m, &before);
        break;
    case 3:
        applies = m->conn == C_SUBSCRIBING;
        m->conn = applies ? C_OPEN : m->conn; /* open until the core says DISCONNECT */
        sg_bcast_on_subscribe_failed(m->b, m->now);
        break;
    default:
        applies = m->conn != C_NONE;
        m->conn = C_NONE;
        sg_bcast_on_dropped(m->b, m->now);
        break;
    }
    sg_bcast_stats_get(m->b, &after);
    FUZZ_CHECK_MSG(applies || after.reader == before.reader, "an event that does not apply moved the reader %s -> %s",
                   sg_reader_state_name(before.reader), sg_reader_state_name(after.reader));
    FUZZ_CHECK(applies || after.counters.events_ignored > before.counters.events_ignored);
}

/* ---- events: inbound messages ---------------------------------------------------- */

/* What the harness remembers per origin: the epoch it heard last and which
 * numbers of it were delivered, to check exactly-once delivery. */
static origin_seen *origin_of(model *m, uint32_t origin)
{
    for (uint32_t i = 0; i < m->n_origins; i++) {
        if (m->origins[i].origin == origin) {
            return &m->origins[i];
        }
    }
    FUZZ_CHECK(m->n_origins < ORIGINS_MAX);
    origin_seen *o = &m->origins[m->n_origins++];
    memset(o, 0, sizeof *o);
    o->origin = origin;
    return o;
}

/* The peer table entry of origin (touched for LRU), NULL when unknown. */
static peer_m *peer_lookup(model *m, uint32_t origin)
{
    m->peer_clock++;
    for (uint32_t i = 0; i < m->n_peers; i++) {
        if (m->peers[i].origin == origin) {
            m->peers[i].last_use = m->peer_clock;
            return &m->peers[i];
        }
    }
    return NULL;
}

/* A baseline for an origin not in the table; the least recently heard
 * entry makes room when it is full. */
static void peer_insert(model *m, uint32_t origin, uint64_t epoch, uint64_t seq, bool clean)
{
    peer_m *p;
    if (m->n_peers < m->c.peers_max) {
        FUZZ_CHECK(m->n_peers < ORIGINS_MAX);
        p = &m->peers[m->n_peers++];
    } else {
        p = &m->peers[0];
        for (uint32_t i = 1; i < m->n_peers; i++) {
            p = m->peers[i].last_use < p->last_use ? &m->peers[i] : p;
        }
        m->peer_evictions++;
    }
    *p = (peer_m){origin, epoch, seq, m->peer_clock, clean, false};
}

/* Moves the entry to a new (epoch, last); `missed` = what we know we missed. */
static peer_rule peer_restart(peer_m *p, uint64_t epoch, uint64_t last, bool clean, uint64_t missed)
{
    bool was_clean = p->clean;
    *p = (peer_m){p->origin, epoch, last, p->last_use, clean, false};
    return was_clean && missed == 0 ? P_RESTART : P_EPOCH_GAP;
}

/* DATA (epoch, seq) from a peer, by the documented rules. */
static peer_rule peer_data(model *m, const sg_bcast_header *h, uint64_t *missed)
{
    peer_m *p = peer_lookup(m, h->origin);
    uint64_t before = h->seq > 1 ? h->seq - 1 : 0; /* numbers of this epoch before it */
    *missed = 0;
    if (p == NULL) {
        peer_insert(m, h->origin, h->epoch, h->seq, false);
        *missed = before;
        return P_FIRST;
    }
    bool same = p->epoch == h->epoch;
    if (p->rebase && !(same && h->seq <= p->last_seq)) { /* learned in an earlier run: a baseline */
        *missed = same ? h->seq - p->last_seq - 1 : before;
        *p = (peer_m){p->origin, h->epoch, h->seq, p->last_use, false, false};
        return same ? P_FIRST : P_FIRST_NEW_EPOCH;
    }
    if (!same) {
        *missed = before;
        return peer_restart(p, h->epoch, h->seq, false, before);
    }
    if (h->seq <= p->last_seq) {
        return P_DUP;
    }
    *missed = h->seq - p->last_seq - 1;
    p->last_seq = h->seq;
    p->clean = false; /* the epoch goes on after all */
    return *missed == 0 ? P_NEXT : P_SEQ_GAP;
}

/* A peer's goodbye: seq = the last DATA number of its epoch. */
static peer_rule peer_goodbye(model *m, const sg_bcast_header *h, uint64_t *missed)
{
    peer_m *p = peer_lookup(m, h->origin);
    uint64_t last = h->seq;
    *missed = 0;
    if (p == NULL) {
        peer_insert(m, h->origin, h->epoch, last, true);
        *missed = last;
        return P_FIRST;
    }
    bool same = p->epoch == h->epoch;
    if (p->rebase && !(same && last <= p->last_seq)) {
        *missed = same ? last - p->last_seq : last;
        *p = (peer_m){p->origin, h->epoch, last, p->last_use, true, false};
        return same ? P_FIRST : P_FIRST_NEW_EPOCH;
    }
    if (!same) {
        *missed = last;
        return peer_restart(p, h->epoch, last, true, last);
    }
    p->clean = true;
    if (last <= p->last_seq) {
        return P_NEXT;
    }
    *missed = last - p->last_seq;
    p->last_seq = last;
    return P_SEQ_GAP;
}

/* A subscription became live (SUBSCRIBING -> READING). */
static void model_subscribed(model *m, const sg_bcast_stats *before)
{
    sg_bcast_stats after;
    sg_bcast_stats_get(m->b, &after);
    if (before->reader != SG_READER_SUBSCRIBING || after.reader != SG_READER_READING) {
        return;
    }
    bool gap = m->run_heard;
    FUZZ_CHECK_MSG(after.counters.gaps_reconnect == before->counters.gaps_reconnect + (gap ? 1u : 0u),
                   "reconnect gap %d expected", (int)gap);
    if (m->run_subs == 0) {
        /* a run's first subscription rebases every origin; our own numbers
         * so far (at most one per publish) went out before it */
        for (uint32_t i = 0; i < m->n_peers; i++) {
            m->peers[i].rebase = true;
        }
        m->own_hi = m->own_hi > m->n_pl ? m->own_hi : m->n_pl;
    } else if (!gap) {
        m->blind = true; /* a quiet reconnect */
    }
    m->run_subs++;
}

/* The verdict and the gaps a message must give (gap -1: either). */
typedef struct expect {
    sg_msg_verdict verdict;
    sg_msg_verdict or_verdict; /* also accepted (own echoes with an uncertain floor) */
    int seq_gap, epoch_gap, restart, goodbye;
} expect;

static expect expected(model *m, const sg_bcast_header *h, bool reading)
{
    expect e = {0, 0, 0, 0, 0, 0};
    bool own = h->origin == m->c.worker_id && h->epoch == m->c.epoch;
    bool flagged = (h->flags & SG_MSG_FLAG_AFTER_LOSS) != 0;
    if (h->kind != SG_MSG_DATA && h->kind != SG_MSG_HEARTBEAT && h->kind != SG_MSG_GOODBYE) {
        e.verdict = SG_MSG_SKIP_INVALID;
    } else if (!reading) {
        e.verdict = SG_MSG_SKIP_NOT_READING;
    } else if (h->kind == SG_MSG_HEARTBEAT) {
        e.verdict = SG_MSG_SKIP_HEARTBEAT;
    } else if (h->kind == SG_MSG_DATA && own && m->c.delivery == SG_DELIVERY_IMMEDIATE) {
        e.verdict = SG_MSG_SKIP_OWN;
    } else if (h->kind == SG_MSG_DATA && own) {
        /* ON_ECHO: the echo is the delivery, checked against the numbers we
         * sent; the floor is exact until a run's rebase raised it to an
         * unknown number <= own_hi */
        if (h->seq <= m->own_lo) {
            e.verdict = SG_MSG_SKIP_DUPLICATE;
        } else if (h->seq > m->own_hi) {
            e.verdict = SG_MSG_DELIVER;
            e.seq_gap = m->own_lo == m->own_hi ? h->seq > m->own_hi + 1u : h->seq - 1u > m->own_hi ? 1 : -1;
        } else {
            e.verdict = SG_MSG_DELIVER;
            e.or_verdict = SG_MSG_SKIP_DUPLICATE;
            e.seq_gap = -1;
        }
    } else if (h->kind == SG_MSG_GOODBYE && own) {
        e.verdict = SG_MSG_SKIP_GOODBYE; /* our own, read back on the way out */
    } else {
        uint64_t missed = 0;
        peer_rule r;
        if (h->kind == SG_MSG_GOODBYE) {
            e.goodbye = 1;
            r = peer_goodbye(m, h, &missed);
            e.verdict = SG_MSG_SKIP_GOODBYE;
        } else {
            r = peer_data(m, h, &missed);
            e.verdict = r == P_DUP ? SG_MSG_SKIP_DUPLICATE : SG_MSG_DELIVER;
        }
        bool first = r == P_FIRST || r == P_FIRST_NEW_EPOCH;
        e.seq_gap = r == P_SEQ_GAP || (first && (flagged || (missed > 0 && m->blind)));
        /* a rebased origin in another epoch is doubtful in a blind run: the
         * epoch we knew may have gone on while we were not listening */
        e.epoch_gap = !e.seq_gap && (r == P_EPOCH_GAP || (r == P_RESTART && flagged) ||
                                     (r == P_FIRST_NEW_EPOCH && m->blind));
        e.restart = r == P_RESTART && !flagged;
    }
    if (e.or_verdict == 0) {
        e.or_verdict = e.verdict;
    }
    return e;
}

/* Exactly once: a number of the origin's current epoch is delivered at most
 * once, while no eviction from the core's peer table is possible.  The
 * epoch is the one the core holds for the origin: a goodbye of another
 * epoch moves it as well as DATA does. */
static void check_exactly_once(model *m, const sg_bcast_header *h, sg_msg_verdict v)
{
    bool data = h->kind == SG_MSG_DATA && (v == SG_MSG_DELIVER || v == SG_MSG_SKIP_DUPLICATE);
    bool goodbye = h->kind == SG_MSG_GOODBYE && v == SG_MSG_SKIP_GOODBYE;
    if (!data && !goodbye) {
        return;
    }
    origin_seen *o = origin_of(m, h->origin);
    if (o->epoch != h->epoch) {
        /* A different epoch starts over, an older one coming back included:
         * the core does not order epochs, so a late message of a previous
         * instance is delivered again (an epoch gap, or a clean restart
         * when the epoch in between ended with a goodbye: the gap-count
         * model checks which; regress-older-epoch-after-goodbye). */
        o->epoch = h->epoch;
        memset(o->delivered, 0, sizeof o->delivered);
    }
    if (!data) {
        return;
    }
    bool exact = m->n_origins <= m->c.peers_max && h->seq < 8u * sizeof o->delivered;
    if (!exact || v != SG_MSG_DELIVER) {
        return;
    }
    uint8_t bit = (uint8_t)(1u << (h->seq % 8));
    FUZZ_CHECK_MSG((o->delivered[h->seq / 8] & bit) == 0, "origin %u epoch %llu seq %llu delivered twice",
                   h->origin, (unsigned long long)h->epoch, (unsigned long long)h->seq);
    o->delivered[h->seq / 8] |= bit;
}

static uint64_t pick_seq(model *m, uint32_t origin)
{
    uint64_t last = 0;
    for (uint32_t i = 0; i < m->n_origins; i++) {
        last = m->origins[i].origin == origin ? m->origins[i].last_seq : last;
    }
    switch (fuzz_u8(m->in) % 6) {
    case 0: case 1: return last + 1;
    case 2: return last;
    case 3: return last + 2 + fuzz_u8(m->in) % 4;
    case 4: return 1;
    default: return (uint64_t)fuzz_edgy_i64(m->in, 0, INT64_MAX);
    }
}

static void do_message(model *m)
{
    sg_bcast_header h;
    memset(&h, 0, sizeof h);
    h.origin = fuzz_u8(m->in) % 6u;
    uint8_t kb = fuzz_u8(m->in), k = kb % 9u;
    h.kind = k < 5 ? SG_MSG_DATA : k < 7 ? SG_MSG_HEARTBEAT : k < 8 ? SG_MSG_GOODBYE : (uint8_t)(fuzz_u8(m->in) | 4u);
    h.epoch = fuzz_u8(m->in) < 200 ? m->c.epoch : 1u + fuzz_u8(m->in) % 3u;
    h.seq = pick_seq(m, h.origin);
    if (h.kind == SG_MSG_DATA) {
        h.flags = fuzz_u8(m->in) < 32 ? SG_MSG_FLAG_AFTER_LOSS : 0;
    } else if (h.kind == SG_MSG_GOODBYE) {
        /* a goodbye after a loss carries the flag too (bcast_publish.c);
         * from the kind byte, so inputs from before keep their meaning */
        h.flags = kb >= 144 ? SG_MSG_FLAG_AFTER_LOSS : 0;
    }
    sg_bcast_stats before, after;
    sg_bcast_stats_get(m->b, &before);
    bool reading = before.reader == SG_READER_READING;
    expect e = expected(m, &h, reading);
    sg_msg_verdict got = sg_bcast_on_message(m->b, m->now, &h, fuzz_u8(m->in));
    FUZZ_CHECK_MSG(got == e.verdict || got == e.or_verdict,
                   "origin %u epoch %llu seq %llu kind %u flags %u: verdict %d, model %d", h.origin,
                   (unsigned long long)h.epoch, (unsigned long long)h.seq, h.kind, h.flags, (int)got, (int)e.verdict);
    if (h.kind == SG_MSG_DATA && h.origin == m->c.worker_id && h.epoch == m->c.epoch &&
        m->c.delivery == SG_DELIVERY_ON_ECHO && reading) {
        if (got == SG_MSG_DELIVER) {
            m->own_lo = m->own_hi = h.seq;
        } else {
            m->own_lo = h.seq > m->own_lo ? h.seq : m->own_lo; /* the floor is at least this */
        }
    }
    if (reading && e.verdict != SG_MSG_SKIP_INVALID) {
        m->run_heard = true;
    }
    check_exactly_once(m, &h, got);
    if (h.kind == SG_MSG_DATA && got == SG_MSG_DELIVER) {
        origin_of(m, h.origin)->last_seq = h.seq;
    }
    sg_bcast_stats_get(m->b, &after);
    const sg_bcast_counters *b0 = &before.counters, *b1 = &after.counters;
    uint64_t seq_gaps = b1->gaps_sequence - b0->gaps_sequence, epoch_gaps = b1->gaps_epoch - b0->gaps_epoch;
    FUZZ_CHECK_MSG(e.seq_gap < 0 ? seq_gaps <= 1 : seq_gaps == (uint64_t)e.seq_gap,
                   "origin %u epoch %llu seq %llu kind %u flags %u: %llu sequence gaps, model %d (blind %d)", h.origin,
                   (unsigned long long)h.epoch, (unsigned long long)h.seq, h.kind, h.flags,
                   (unsigned long long)seq_gaps, e.seq_gap, (int)m->blind);
    FUZZ_CHECK_MSG(epoch_gaps == (uint64_t)e.epoch_gap,
                   "origin %u epoch %llu seq %llu kind %u flags %u: %llu epoch gaps, model %d", h.origin,
                   (unsigned long long)h.epoch, (unsigned long long)h.seq, h.kind, h.flags,
                   (unsigned long long)epoch_gaps, e.epoch_gap);
    FUZZ_CHECK(b1->gaps == b0->gaps + seq_gaps + epoch_gaps);
    FUZZ_CHECK(b1->peer_restarts_clean == b0->peer_restarts_clean + (uint64_t)e.restart);
    FUZZ_CHECK(b1->goodbyes_seen == b0->goodbyes_seen + (uint64_t)e.goodbye);
    FUZZ_CHECK_MSG(b1->peer_evictions == m->peer_evictions, "%llu evictions, model %llu",
                   (unsigned long long)b1->peer_evictions, (unsigned long long)m->peer_evictions);
}

/* ---- events: publishes and results ------------------------------------------------ */

static void report_send(model *m, uint32_t i, bool ok)
{
    FUZZ_CHECK(i < m->n_sends);
    send s = m->sends[i];
    memmove(&m->sends[i], &m->sends[i + 1], (m->n_sends - i - 1) * sizeof s);
    m->n_sends--;
    const payload *p = &m->pl[s.tag];
    if (ok) {
        wire_mark(m, s.h.seq, s.tag);
    } else if (m->c.replay_items_max == 0) {
        m->lost_unbuffered++; /* nowhere to keep it: counted as a publish drop */
    }
    sg_bcast_on_publish_result(m->b, m->now, &s.h, p->bytes, p->len, ok);
}

static void do_publish(model *m)
{
    if (m->n_pl == PAYLOADS_MAX) {
        return;
    }
    uint32_t tag = m->n_pl;
    payload *p = &m->pl[tag];
    const uint8_t *raw;
    size_t extra = fuzz_slice(m->in, PAYLOAD_BYTES_MAX - 4, &raw);
    p->len = 4u + (uint32_t)extra;
    p->bytes[0] = (uint8_t)tag;
    p->bytes[1] = (uint8_t)(tag >> 8);
    p->bytes[2] = p->bytes[3] = 0;
    memcpy(p->bytes + 4, raw, extra);
    m->n_pl++;
    sg_bcast_stats before;
    sg_bcast_stats_get(m->b, &before);
    unsigned faults_before = fuzz_faults_injected();
    sg_publish_result r = sg_bcast_publish(m->b, m->now, p->bytes, p->len);
    bool poison = p->len > m->c.backbone_payload_max;
    FUZZ_CHECK(r.deliver_locally == (m->c.delivery == SG_DELIVERY_IMMEDIATE));
    if (r.verdict == SG_PUBLISH_DROPPED) {
        FUZZ_CHECK_MSG(poison || m->c.replay_items_max == 0 || fuzz_faults_injected() > faults_before ||
                           p->len > m->c.replay_bytes_max,
                       "a %u-byte publish dropped for no reason", p->len);
        return;
    }
    FUZZ_CHECK(!poison);
    p->accepted = true;
    if (r.verdict == SG_PUBLISH_BUFFERED) {
        FUZZ_CHECK(m->c.replay_items_max > 0);
        return;
    }
    FUZZ_CHECK_MSG(r.verdict == SG_PUBLISH_SEND, "verdict %d", (int)r.verdict);
    FUZZ_CHECK_MSG(before.reader == SG_READER_READING && before.replay_items == 0,
                   "SEND while %s with %u items waiting: would overtake them", sg_reader_state_name(before.reader),
                   before.replay_items);
    check_own_header(m, &r.header, SG_MSG_DATA);
    if (m->n_sends == SENDS_MAX) {
        report_send(m, 0, true);
    }
    m->sends[m->n_sends++] = (send){r.header, tag};
}

static void do_results(model *m)
{
    uint8_t v = fuzz_u8(m->in);
    bool ok = fuzz_u8(m->in) >= 64;
    if (v < 128 && m->n_sends > 0) {
        report_send(m, v % m->n_sends, ok);
        return;
    }
    if (m->flight) {
        /* the payload pointer must still be valid and unchanged */
        FUZZ_CHECK(check_payload(m, m->flight_action.u.publish.payload, m->flight_action.u.publish.len) ==
                   m->flight_tag);
        m->flight = false;
        if (ok) {
            wire_mark(m, m->flight_action.u.publish.header.seq, m->flight_tag);
        }
    }
    sg_bcast_on_replay_result(m->b, m->now, ok); /* with nothing in flight: a stale report */
}

/* ---- time ----------------------------------------------------------------------- */

static void tick(model *m, sg_time_ns to)
{
    m->now = to > m->now ? to : m->now;
    sg_bcast_on_timer(m->b, m->now);
    drain(m);
    sg_time_ns next = sg_bcast_next_deadline(m->b);
    FUZZ_CHECK_MSG(next >= m->now, "next deadline %lld is before now %lld", (long long)next, (long long)m->now);
    m->last_tick = m->now;
    m->last_tick_deferred = next == m->now;
}

static void do_time(model *m)
{
    switch (fuzz_u8(m->in) % 4) {
    case 0: { /* the timer fires when asked */
        sg_time_ns next = sg_bcast_next_deadline(m->b);
        if (next != SG_TIME_NEVER) {
            tick(m, next);
        }
        break;
    }
    case 1: tick(m, sg_time_add(m->now, fuzz_edgy_i64(m->in, 0, 60 * SG_NS_PER_S))); break;
    case 2: tick(m, sg_time_add(m->now, fuzz_edgy_i64(m->in, 0, 24 * 3600 * SG_NS_PER_S))); break;
    default: /* time passes but the driver's timer is late */
        m->now = sg_time_add(m->now, fuzz_edgy_i64(m->in, 0, 5 * SG_NS_PER_S));
        break;
    }
}

/* ---- the run ---------------------------------------------------------------------- */

static void run_ops(model *m)
{
    for (unsigned i = 0; i < OPS_MAX && fuzz_left(m->in) > 0 && !m->shutdown && !m->goodbye; i++) {
        switch (fuzz_u8(m->in) % 13) {
        case 12: /* a graceful shutdown: the worker says goodbye and exits */
            m->goodbye = true;
            sg_bcast_goodbye(m->b, m->now);
            break;
        case 0: do_register(m); break;
        case 1: do_unregister(m); break;
        case 2: do_pin(m, true); break;
        case 3: do_pin(m, false); break;
        case 4: case 5: do_backbone(m); break;
        case 6: do_message(m); break;
        case 7: do_publish(m); break;
        case 8: do_results(m); break;
        default: do_time(m); break;
        }
        drain(m);
        check_state(m);
    }
}

/* One round of a perfect backbone: answer what is pending, else let time
 * run to the next deadline.  A heartbeat from a peer keeps the session
 * from looking deaf. */
static void final_round(model *m)
{
    sg_bcast_header hb;
    memset(&hb, 0, sizeof hb);
    hb.origin = 5u;
    hb.kind = SG_MSG_HEARTBEAT;
    hb.epoch = 1u;
    hb.seq = 1u;
    if (m->n_sends > 0) {
        report_send(m, 0, true);
    } else if (m->flight) {
        m->flight = false;
        wire_mark(m, m->flight_action.u.publish.header.seq, m->flight_tag);
        sg_bcast_on_replay_result(m->b, m->now, true);
    } else if (m->conn == C_CONNECTING) {
        m->conn = C_OPEN;
        sg_bcast_on_connected(m->b, m->now);
    } else if (m->conn == C_SUBSCRIBING) {
        sg_bcast_stats before;
        sg_bcast_stats_get(m->b, &before);
        m->conn = C_SUBSCRIBED;
        sg_bcast_on_subscribed(m->b, m->now);
        model_subscribed(m, &before);
    } else {
        sg_time_ns next = sg_bcast_next_deadline(m->b);
        m->now = next == SG_TIME_NEVER ? m->now : (next > m->now ? next : m->now);
        if (m->conn == C_SUBSCRIBED) {
            (void)sg_bcast_on_message(m->b, m->now, &hb, 0);
            m->run_heard = true; /* the reader reads while the driver is subscribed */
        }
        tick(m, m->now); /* drains */
    }
    drain(m);
    check_state(m);
}

/* With a healthy backbone and time running, everything settles and every
 * publish the core accepted is on the wire or counted as dropped. */
static void final_check(model *m)
{
    if (m->shutdown || m->goodbye) {
        return;
    }
    sg_bcast_pin(m->b, m->now); /* keep the reader running */
    m->pins++;
    drain(m);
    bool settled = false;
    for (unsigned i = 0; i < FINAL_ROUNDS && !m->shutdown && !settled; i++) {
        final_round(m);
        sg_bcast_stats st;
        sg_bcast_stats_get(m->b, &st);
        settled = st.reader == SG_READER_READING && st.replay_items == 0 && !m->flight && m->n_sends == 0 &&
                  st.recovery == SG_RECOVERY_NONE;
    }
    if (m->shutdown || m->goodbye) {
        return; /* gave up or said goodbye: the worker exits (its goodbye counts what it had) */
    }
    FUZZ_CHECK_MSG(settled, "no steady state after %u rounds of a healthy backbone", FINAL_ROUNDS);
    sg_bcast_stats st;
    sg_bcast_stats_get(m->b, &st);
    uint64_t missing = 0;
    for (uint32_t t = 0; t < m->n_pl; t++) {
        missing += m->pl[t].accepted && !m->pl[t].on_wire;
    }
    uint64_t counted = st.counters.replay_drops_overflow + st.counters.replay_drops_nomem + m->lost_unbuffered;
    FUZZ_CHECK_MSG(missing <= counted, "%llu accepted publishes never reached the wire, %llu drops counted",
                   (unsigned long long)missing, (unsigned long long)counted);
}

static bool create(model *m, fuzz_input *in)
{
    make_config(in, &m->c);
    sg_error err = {{0}}, err2 = {{0}};
    sg_status valid = sg_bcast_config_check(&m->c, &err);
    m->now = fuzz_edgy_i64(in, 0, INT64_MAX / 4);
    sg_status st = sg_bcast_create(&m->c, m->now, &m->b, &err2);
    if (valid != SG_OK) {
        FUZZ_CHECK(st == valid && m->b == NULL && strcmp(err.msg, err2.msg) == 0);
        FUZZ_CHECK_MSG(strncmp(err.msg, "bcast", 5) == 0, "'%s'", err.msg);
        return false;
    }
    if (st == SG_E_NOMEM) {
        FUZZ_CHECK(fuzz_faults_injected() > 0 && m->b == NULL);
        return false;
    }
    FUZZ_CHECK_MSG(st == SG_OK, "create: %d (%s)", (int)st, err2.msg);
    m->announced = sg_bcast_health_at(m->b, m->now);
    m->resync_start = INT64_MIN;
    m->last_resync_start = INT64_MIN;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const points[] = {"stormglass/bcast/create_alloc", "stormglass/bcast/replay_alloc"};
    static model m; /* large: reset below */
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    memset(&m, 0, sizeof m);
    m.in = &in;
    (void)fuzz_faults_maybe(&in, points, 2, 8); /* this input may also fail allocations */
    if (create(&m, &in)) {
        drain(&m);
        check_state(&m);
        run_ops(&m);
        final_check(&m);
        sg_bcast_destroy(m.b);
    }
    fuzz_faults_disarm(points, 2);
    return 0;
}

/*
 * embed_loop.c - how to put the stormglass core into a server of your own.
 *
 * The core (stormglass/bcast.h) decides when to reconnect to the backbone,
 * what to replay after an outage and when to resync clients; it does no
 * I/O and reads no clock.  Your server owns the sockets, the clock and the
 * loop, and repeats one pattern:
 *
 *   1. something happens (a socket is readable, a client connects, the
 *      timer fires)  ->  tell the core: sg_bcast_on_*(core, now, ...)
 *   2. drain the core's actions (sg_bcast_poll_action) and carry them out:
 *      CONNECT, SUBSCRIBE, PUBLISH (replay), CLOSE_CLIENT (resync), ...
 *      reporting each result back as another event;
 *   3. sleep in poll() until the next socket event or the core's next
 *      deadline (sg_bcast_next_deadline), whichever comes first.
 *
 * `now` is always CLOCK_MONOTONIC in nanoseconds, never the wall clock.
 *
 * Here the "backbone" is a toy in-process hub (pipes, at-most-once like
 * Redis pub/sub) shared by two workers, each with a few local clients and
 * a core of its own.  Both publish a message every 50 ms.  From 300 ms to
 * 800 ms the hub is down: each core backs off and retries, buffers its
 * worker's publishes, and once the hub is back replays them and resyncs
 * its clients (close code 1012).  A client's state is the newest message
 * of each worker it has seen: live deliveries raise it, and a client
 * closed for resync refetches it from the hub's record of what was
 * published (the source of truth).  The replay is best effort (a peer that
 * re-subscribes late misses it); the resync is the guarantee.  The program
 * exits 0 when every client's state equals the truth and both cores are
 * back to reading with no recovery running, 1 if that does not happen
 * within 10 seconds.
 *
 * Build it against an installed core:
 *   cc -std=c11 embed_loop.c $(pkg-config --cflags --libs stormglass-core) -o embed_loop
 */
#define _POSIX_C_SOURCE 200809L
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stormglass/bcast.h>

#define WORKERS 2
#define CLIENTS_PER_WORKER 3
#define PAYLOAD_MAX 64                                /* bytes of one message body */
#define FRAME_MAX (4 + SG_BCAST_HEADER_BYTES + PAYLOAD_MAX) /* length, header, body */
#define INBUF_BYTES 4096                              /* unparsed input per connection */
#define PUBLISH_PERIOD_NS (50 * SG_NS_PER_MS)
#define OUTAGE_START_NS (300 * SG_NS_PER_MS)
#define OUTAGE_END_NS (800 * SG_NS_PER_MS)
#define PUBLISH_STOP_NS (1200 * SG_NS_PER_MS)
#define RUN_LIMIT_NS (10 * SG_NS_PER_S)
#define POLL_MAX_MS 1000

_Static_assert(FRAME_MAX <= 512, "a frame must stay far below PIPE_BUF so pipe writes are atomic");

static sg_time_ns now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (sg_time_ns)ts.tv_sec * SG_NS_PER_S + ts.tv_nsec;
}

/* ---- the toy backbone: a hub with one pipe per subscribed worker ------- */

typedef struct hub {
    bool up;
    int subscriber[WORKERS]; /* write end of each worker's connection; -1 when none */
    uint64_t truth[WORKERS]; /* messages each worker has published: what a refetch returns */
} hub;

static void hub_unsubscribe(hub *h, size_t worker)
{
    if (h->subscriber[worker] >= 0) {
        close(h->subscriber[worker]);
        h->subscriber[worker] = -1;
    }
}

/* Going down closes every subscriber's connection: each worker reads EOF. */
static void hub_set_up(hub *h, bool up)
{
    h->up = up;
    for (size_t i = 0; !up && i < WORKERS; i++) {
        hub_unsubscribe(h, i);
    }
}

/* Fans one message out to every subscriber (the sender's echo included).
 * false when the hub is down: the caller's send failed. */
static bool hub_send(hub *h, const sg_bcast_header *header, const uint8_t *payload, uint32_t len)
{
    if (!h->up || len > PAYLOAD_MAX) {
        return false;
    }
    uint8_t frame[FRAME_MAX];
    frame[0] = (uint8_t)(len >> 24);
    frame[1] = (uint8_t)(len >> 16);
    frame[2] = (uint8_t)(len >> 8);
    frame[3] = (uint8_t)len;
    sg_bcast_header_encode(header, frame + 4);
    if (len > 0) {
        memcpy(frame + 4 + SG_BCAST_HEADER_BYTES, payload, len);
    }
    size_t size = 4 + SG_BCAST_HEADER_BYTES + len;
    for (size_t i = 0; i < WORKERS; i++) {
        if (h->subscriber[i] >= 0 && write(h->subscriber[i], frame, size) != (ssize_t)size) {
            hub_unsubscribe(h, i); /* a stuck subscriber is cut off, as Redis does */
        }
    }
    return true;
}

/* ---- one server worker: its core, its connection, its clients ---------- */

typedef struct worker {
    size_t index;
    sg_time_ns t0;     /* start of the run, for the log */
    sg_bcast *core;
    int conn;          /* read end of the backbone connection; -1 when none */
    int conn_writer;   /* write end until the hub takes it at SUBSCRIBE */
    uint8_t in[INBUF_BYTES];
    size_t in_len;
    sg_client_handle clients[CLIENTS_PER_WORKER];
    uint64_t seen[CLIENTS_PER_WORKER][WORKERS]; /* each client's newest message per origin */
    uint64_t published, delivered, resync_closes;
    bool shutdown;
} worker;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void say(const worker *w, sg_time_ns t, const char *fmt, ...)
{
    va_list ap;
    printf("[%5lld ms] worker %zu: ", (long long)((t - w->t0) / SG_NS_PER_MS), w->index + 1);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static void close_connection(worker *w, hub *h)
{
    if (w->conn >= 0) {
        close(w->conn);
    }
    if (w->conn_writer >= 0) {
        close(w->conn_writer);
    }
    w->conn = w->conn_writer = -1;
    w->in_len = 0;
    hub_unsubscribe(h, w->index);
}

/* CONNECT: open a connection, or report that the backbone refused it. */
static void do_connect(worker *w, hub *h, sg_time_ns now, uint32_t attempt)
{
    int fds[2];
    close_connection(w, h);
    if (!h->up || pipe(fds) != 0) {
        say(w, now, "connect attempt %u refused", attempt);
        sg_bcast_on_connect_failed(w->core, now);
        return;
    }
    (void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
    (void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
    w->conn = fds[0];
    w->conn_writer = fds[1];
    sg_bcast_on_connected(w->core, now);
}

/* SUBSCRIBE: hand the connection to the hub's fan-out. */
static void do_subscribe(worker *w, hub *h, sg_time_ns now)
{
    if (!h->up || w->conn_writer < 0) {
        close_connection(w, h);
        sg_bcast_on_subscribe_failed(w->core, now);
        return;
    }
    h->subscriber[w->index] = w->conn_writer;
    w->conn_writer = -1;
    sg_bcast_on_subscribed(w->core, now);
}

/* CLOSE_CLIENT: a real server sends a WebSocket close with the code; the
 * client reconnects and refetches its state.  Here it comes straight back
 * with a fresh registry handle. */
static void do_close_client(worker *w, const hub *h, sg_time_ns now, const sg_bcast_action *a)
{
    uint64_t slot = a->u.close_client.cookie;
    if (slot >= CLIENTS_PER_WORKER) {
        return;
    }
    w->resync_closes++;
    (void)sg_bcast_client_unregister(w->core, now, a->u.close_client.handle);
    if (sg_bcast_client_register(w->core, now, slot, &w->clients[slot]) != SG_OK) {
        say(w, now, "could not re-register a client");
        return;
    }
    memcpy(w->seen[slot], h->truth, sizeof h->truth); /* the refetch of full state */
}

/* A message from `origin` (1-based worker id) numbered `seq` reached this
 * worker's clients.  Sequence numbers count each origin's messages in
 * publish order, so the newest seen is a max. */
static void clients_apply(worker *w, uint32_t origin, uint64_t seq)
{
    if (origin == 0 || origin > WORKERS) {
        return;
    }
    for (size_t k = 0; k < CLIENTS_PER_WORKER; k++) {
        if (w->seen[k][origin - 1] < seq) {
            w->seen[k][origin - 1] = seq;
        }
    }
}

static void carry_out(worker *w, hub *h, sg_time_ns now, const sg_bcast_action *a)
{
    switch (a->kind) {
    case SG_ACT_CONNECT:
        do_connect(w, h, now, a->u.connect.attempt);
        break;
    case SG_ACT_SUBSCRIBE:
        do_subscribe(w, h, now);
        break;
    case SG_ACT_DISCONNECT:
        close_connection(w, h);
        break;
    case SG_ACT_PUBLISH:
        sg_bcast_on_replay_result(w->core, now, hub_send(h, &a->u.publish.header, a->u.publish.payload,
                                                          a->u.publish.len));
        break;
    case SG_ACT_HEARTBEAT:
        (void)hub_send(h, &a->u.heartbeat.header, NULL, 0);
        break;
    case SG_ACT_CLOSE_CLIENT:
        do_close_client(w, h, now, a);
        break;
    case SG_ACT_HEALTH:
        say(w, now, "health -> %s", sg_health_reason_name(a->u.health.reason));
        break;
    case SG_ACT_SHUTDOWN:
        say(w, now, "retries exhausted: exiting so the supervisor restarts us");
        w->shutdown = true;
        break;
    case SG_ACT_NOTE:
        say(w, now, "%s", sg_bcast_note_name(a->u.note.note));
        break;
    case SG_ACT_REFETCH: /* registered before the reader subscribed: fetch the state again */
        if (a->u.refetch.cookie < CLIENTS_PER_WORKER) {
            memcpy(w->seen[a->u.refetch.cookie], h->truth, sizeof h->truth);
        }
        break;
    case SG_ACT_GOODBYE: /* only after sg_bcast_goodbye, on a graceful exit */
        (void)hub_send(h, &a->u.goodbye.header, NULL, 0);
        break;
    }
}

/* Step 2 of the pattern: after every event, drain and carry out the
 * actions (carrying one out may report an event that queues more). */
static void drain(worker *w, hub *h, sg_time_ns now)
{
    sg_bcast_action a;
    while (sg_bcast_poll_action(w->core, &a)) {
        carry_out(w, h, now, &a);
    }
}

/* A local client published: the core says send now, or that it buffered
 * the message because the backbone is not there. */
static void publish(worker *w, hub *h, sg_time_ns now)
{
    uint8_t payload[PAYLOAD_MAX];
    int n = snprintf((char *)payload, sizeof payload, "worker %zu message %llu", w->index + 1,
                     (unsigned long long)w->published + 1);
    uint32_t len = (uint32_t)n;
    sg_publish_result r = sg_bcast_publish(w->core, now, payload, len);
    w->published++;
    h->truth[w->index] = w->published; /* the state store takes every publish */
    if (r.deliver_locally) {
        w->delivered++;
        clients_apply(w, (uint32_t)w->index + 1, w->published);
    }
    if (r.verdict == SG_PUBLISH_SEND) {
        sg_bcast_on_publish_result(w->core, now, &r.header, payload, len, hub_send(h, &r.header, payload, len));
    }
    drain(w, h, now);
}

/* Splits the input into frames and asks the core about each. */
static void parse_frames(worker *w, sg_time_ns now)
{
    size_t at = 0;
    while (w->in_len - at >= 4 + SG_BCAST_HEADER_BYTES) {
        const uint8_t *f = w->in + at;
        uint32_t len = (uint32_t)f[0] << 24 | (uint32_t)f[1] << 16 | (uint32_t)f[2] << 8 | f[3];
        size_t size = 4 + SG_BCAST_HEADER_BYTES + (size_t)len;
        if (len > PAYLOAD_MAX || w->in_len - at < size) {
            break;
        }
        sg_bcast_header header;
        if (sg_bcast_header_decode(f + 4, SG_BCAST_HEADER_BYTES, &header, NULL) == SG_OK &&
            sg_bcast_on_message(w->core, now, &header, len) == SG_MSG_DELIVER) {
            w->delivered++; /* a real server hands the payload to its subscribed clients */
            clients_apply(w, header.origin, header.seq);
        }
        at += size;
    }
    memmove(w->in, w->in + at, w->in_len - at);
    w->in_len -= at;
}

/* The connection is readable: messages, or EOF when the backbone dropped us. */
static void on_readable(worker *w, hub *h, sg_time_ns now)
{
    assert(w->in_len < sizeof w->in); /* parse_frames leaves less than one frame */
    ssize_t n = read(w->conn, w->in + w->in_len, sizeof w->in - w->in_len);
    if (n > 0) {
        w->in_len += (size_t)n;
        parse_frames(w, now);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        close_connection(w, h);
        sg_bcast_on_dropped(w->core, now);
    }
    drain(w, h, now);
}

static sg_status worker_start(worker *w, size_t index, sg_time_ns now)
{
    sg_bcast_config c = sg_bcast_config_default();
    c.worker_id = (uint32_t)index + 1;
    c.epoch = (uint64_t)now;    /* new on every process start */
    c.seed = (uint64_t)now ^ index;
    c.backoff.base_ns = 20 * SG_NS_PER_MS;
    c.backoff.max_ns = 200 * SG_NS_PER_MS;
    c.settle_ns = 100 * SG_NS_PER_MS;
    c.settle_jitter_ns = 50 * SG_NS_PER_MS;
    c.resync_window_ns = 100 * SG_NS_PER_MS;
    c.clients_max = 16;
    sg_error err = {{0}};
    memset(w, 0, sizeof *w);
    w->index = index;
    w->t0 = now;
    w->conn = w->conn_writer = -1;
    if (sg_bcast_config_check(&c, &err) != SG_OK || sg_bcast_create(&c, now, &w->core, &err) != SG_OK) {
        fprintf(stderr, "embed_loop: %s\n", err.msg);
        return SG_E_INVALID;
    }
    for (uint64_t k = 0; k < CLIENTS_PER_WORKER; k++) {
        /* The first client also starts the reader: the core asks to CONNECT. */
        if (sg_bcast_client_register(w->core, now, k, &w->clients[k]) != SG_OK) {
            sg_bcast_destroy(w->core);
            return SG_E_FULL;
        }
    }
    return SG_OK;
}

/* Step 3: how long poll() may sleep - until the earliest core deadline or
 * the scenario's next step, at most POLL_MAX_MS. */
static int poll_timeout_ms(worker *ws, sg_time_ns now, sg_time_ns next_step)
{
    sg_time_ns deadline = next_step;
    for (size_t i = 0; i < WORKERS; i++) {
        deadline = sg_time_min(deadline, sg_bcast_next_deadline(ws[i].core));
    }
    if (deadline <= now) {
        return 0;
    }
    sg_duration_ns wait_ns = deadline - now;
    if (wait_ns >= (sg_duration_ns)POLL_MAX_MS * SG_NS_PER_MS) {
        return POLL_MAX_MS;
    }
    return (int)((wait_ns + SG_NS_PER_MS - 1) / SG_NS_PER_MS);
}

static bool converged(const worker *ws, const hub *h)
{
    for (size_t i = 0; i < WORKERS; i++) {
        sg_bcast_stats st;
        sg_bcast_stats_get(ws[i].core, &st);
        if (st.recovery != SG_RECOVERY_NONE || st.reader != SG_READER_READING) {
            return false;
        }
        for (size_t k = 0; k < CLIENTS_PER_WORKER; k++) {
            if (memcmp(ws[i].seen[k], h->truth, sizeof h->truth) != 0) {
                return false;
            }
        }
    }
    return true;
}

/* The scenario: publishes every PUBLISH_PERIOD_NS, the hub's outage.
 * Returns when the next step is due. */
static sg_time_ns scenario_step(worker *ws, hub *h, sg_time_ns t0, sg_time_ns now, sg_time_ns *next_publish)
{
    sg_duration_ns t = now - t0;
    if (h->up && t >= OUTAGE_START_NS && t < OUTAGE_END_NS) {
        printf("[%5lld ms] hub: DOWN\n", (long long)(t / SG_NS_PER_MS));
        hub_set_up(h, false);
    } else if (!h->up && t >= OUTAGE_END_NS) {
        printf("[%5lld ms] hub: up again\n", (long long)(t / SG_NS_PER_MS));
        hub_set_up(h, true);
    }
    if (now >= *next_publish && t < PUBLISH_STOP_NS) {
        for (size_t i = 0; i < WORKERS; i++) {
            publish(&ws[i], h, now);
        }
        *next_publish = sg_time_add(*next_publish, PUBLISH_PERIOD_NS);
    }
    sg_time_ns next_outage_step = SG_TIME_NEVER;
    if (t < OUTAGE_START_NS) {
        next_outage_step = t0 + OUTAGE_START_NS;
    } else if (t < OUTAGE_END_NS) {
        next_outage_step = t0 + OUTAGE_END_NS;
    }
    return sg_time_min(t < PUBLISH_STOP_NS ? *next_publish : SG_TIME_NEVER, next_outage_step);
}

/* One turn of the loop: timers that are due, then sleep in poll() and
 * hand readable connections to their workers. */
static void loop_turn(worker *ws, hub *h, sg_time_ns next_step)
{
    sg_time_ns now = now_ns();
    for (size_t i = 0; i < WORKERS; i++) {
        if (sg_bcast_next_deadline(ws[i].core) <= now) {
            sg_bcast_on_timer(ws[i].core, now);
            drain(&ws[i], h, now);
        }
    }
    struct pollfd fds[WORKERS];
    nfds_t n = 0;
    for (size_t i = 0; i < WORKERS; i++) {
        if (ws[i].conn >= 0) {
            fds[n++] = (struct pollfd){.fd = ws[i].conn, .events = POLLIN};
        }
    }
    if (poll(fds, n, poll_timeout_ms(ws, now, next_step)) <= 0) {
        return; /* timeout (or EINTR): the next turn handles the timers */
    }
    now = now_ns();
    for (nfds_t k = 0; k < n; k++) {
        for (size_t i = 0; i < WORKERS && fds[k].revents != 0; i++) {
            if (ws[i].conn == fds[k].fd) {
                on_readable(&ws[i], h, now);
            }
        }
    }
}

static int run(worker *ws, hub *h, sg_time_ns t0)
{
    sg_time_ns next_publish = t0;
    for (;;) {
        sg_time_ns now = now_ns();
        sg_time_ns next_step = scenario_step(ws, h, t0, now, &next_publish);
        for (size_t i = 0; i < WORKERS; i++) {
            if (ws[i].shutdown) {
                return 3;
            }
        }
        if (now - t0 >= PUBLISH_STOP_NS && converged(ws, h)) {
            return 0;
        }
        if (now - t0 >= RUN_LIMIT_NS) {
            fprintf(stderr, "embed_loop: no convergence within %lld s\n", (long long)(RUN_LIMIT_NS / SG_NS_PER_S));
            return 1;
        }
        loop_turn(ws, h, next_step);
    }
}

int main(void)
{
    hub h = {.up = true, .subscriber = {-1, -1}};
    (void)signal(SIGPIPE, SIG_IGN); /* a peer that went away is an error value, not a signal */
    worker ws[WORKERS];
    sg_time_ns t0 = now_ns();
    for (size_t i = 0; i < WORKERS; i++) {
        if (worker_start(&ws[i], i, t0) != SG_OK) {
            return 1;
        }
        drain(&ws[i], &h, t0);
    }
    int rc = run(ws, &h, t0);
    for (size_t i = 0; i < WORKERS; i++) {
        sg_bcast_stats st;
        sg_bcast_stats_get(ws[i].core, &st);
        printf("worker %zu: published %llu, delivered %llu, replayed %llu, resync closes %llu, reconnects %llu\n",
               i + 1, (unsigned long long)ws[i].published, (unsigned long long)ws[i].delivered,
               (unsigned long long)st.counters.replays, (unsigned long long)ws[i].resync_closes,
               (unsigned long long)st.counters.connects_ok);
        close_connection(&ws[i], &h);
        sg_bcast_destroy(ws[i].core);
    }
    printf("%s\n", rc == 0 ? "converged: every client holds the truth" : "NOT converged");
    return rc;
}

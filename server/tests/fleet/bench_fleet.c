/*
 * bench_fleet.c - the load side of `make bench-fleet`: N WebSocket
 * subscribers and one HTTP publisher against either stormglassd or nginx
 * with the nchan module, both on the same Redis.
 *
 *   bench_fleet stormglass|nchan PORT SUBSCRIBERS MESSAGES RESTART_CMD OUT_JSON
 *
 * Two measurements, printed as one JSON object:
 *   1. fan-out: MESSAGES publishes, closed loop (the next leaves when every
 *      subscriber has the previous one, or after 2 s), so the latency is one
 *      fan-out, never a queue the bench overfilled: deliveries per second,
 *      publish-to-delivery p50/p99 (the payload carries the publish time);
 *   2. backbone restart: 20 publishes a second for 14 s; at 2 s RESTART_CMD
 *      runs (it kills Redis and restarts it after a pause); afterwards: the
 *      publishes accepted, the updates each subscriber never received
 *      individually, whether every subscriber ends on the last value,
 *      subscribers dropped (a close other than 1012, or a failed socket) and
 *      resync closes (1012, stormglassd's "reconnect and refetch"), and the
 *      time from the restart command's end until the first publish made
 *      after it had reached every subscriber.
 * A subscriber that is closed reconnects and subscribes again (stormglass:
 * its `state` is the truth; nchan: it just listens again), as a real client
 * would.  One thread, epoll; it shares the machine with the servers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SUBS_MAX 5000
#define MSGS_MAX 4096
#define RBUF 16384
#define RESTART_RATE 20
#define RESTART_SECONDS 14
#define RESTART_AT_S 2

typedef enum proto { SG, NCHAN } proto;

typedef struct sub {
    int fd;
    bool open, ready;          /* socket up; subscribed (stormglass: first state seen) */
    uint8_t buf[RBUF];
    size_t len;
    uint8_t got[MSGS_MAX / 8]; /* message numbers received */
    int64_t last_n;            /* last value held (update or state) */
    uint32_t drops, resyncs;
    uint64_t reconnect_at;     /* ns; 0 = none pending */
} sub;

static proto P;
static int PORT, EP;
static sub *S;
static int N;
static uint64_t *lat;
static size_t nlat, lat_max;
static uint64_t pub_at[MSGS_MAX];
static uint64_t recv_at[MSGS_MAX]; /* latest arrival of each message at any subscriber */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int tcp_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)PORT)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0) {
            return false;
        }
        c += w;
        n -= (size_t)w;
    }
    return true;
}

/* A masked client frame (the mask is constant: this is a benchmark). */
static bool ws_send(int fd, uint8_t opcode, const char *data, size_t len)
{
    uint8_t h[8] = {(uint8_t)(0x80 | opcode), (uint8_t)(0x80 | len), 1, 2, 3, 4};
    char body[512];
    if (len > 125 || len > sizeof body) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        body[i] = (char)(data[i] ^ h[2 + i % 4]);
    }
    return send_all(fd, h, 6) && send_all(fd, body, len);
}

/* Blocking handshake (connects are done before load starts). */
static bool sub_open(sub *s)
{
    s->fd = tcp_connect();
    if (s->fd < 0) {
        return false;
    }
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     P == SG ? "/ws" : "/sub/bench");
    char ans[2048] = "";
    size_t got = 0;
    if (!send_all(s->fd, req, (size_t)n)) {
        return false;
    }
    while (got < sizeof ans - 1 && strstr(ans, "\r\n\r\n") == NULL) {
        ssize_t r = recv(s->fd, ans + got, sizeof ans - 1 - got, 0);
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
        ans[got] = '\0';
    }
    char *end = strstr(ans, "\r\n\r\n");
    if (end == NULL || strncmp(ans, "HTTP/1.1 101", 12) != 0) {
        return false;
    }
    s->len = got - (size_t)(end + 4 - ans); /* frames that followed the answer */
    memcpy(s->buf, end + 4, s->len);
    static const char subscribe[] = "{\"type\":\"subscribe\",\"topics\":[\"bench\"]}";
    if (P == SG && !ws_send(s->fd, 1, subscribe, sizeof subscribe - 1)) {
        return false;
    }
    s->open = true;
    s->ready = P == NCHAN;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
    return epoll_ctl(EP, EPOLL_CTL_ADD, s->fd, &ev) == 0;
}

static void sub_closed(sub *s, unsigned code)
{
    if (s->fd >= 0) {
        epoll_ctl(EP, EPOLL_CTL_DEL, s->fd, NULL);
        close(s->fd);
    }
    s->fd = -1;
    s->open = s->ready = false;
    s->len = 0;
    if (code == 1012) {
        s->resyncs++;
    } else {
        s->drops++;
    }
    s->reconnect_at = now_ns() + UINT64_C(100000000) + (uint64_t)(rand() % 200) * UINT64_C(1000000);
}

static int64_t field(const char *text, size_t len, const char *name)
{
    const char *p = memmem(text, len, name, strlen(name));
    return p != NULL ? strtoll(p + strlen(name), NULL, 10) : -1;
}

static void on_text(sub *s, const char *text, size_t len)
{
    uint64_t t = now_ns();
    bool is_state = P == SG && memmem(text, len, "\"type\":\"state\"", 14) != NULL;
    if (is_state) {
        s->ready = true;
    }
    int64_t n = field(text, len, "\"n\":");
    if (n < 0 || n >= MSGS_MAX) {
        return;
    }
    s->last_n = n;
    s->got[n / 8] |= (uint8_t)(1u << (n % 8));
    recv_at[n] = t > recv_at[n] ? t : recv_at[n];
    if (!is_state && pub_at[n] != 0 && nlat < lat_max) {
        lat[nlat++] = t - pub_at[n];
    }
}

/* Parses whole frames from the buffer; false when the connection ended. */
static bool sub_frames(sub *s)
{
    for (;;) {
        if (s->len < 2) {
            return true;
        }
        uint8_t op = s->buf[0] & 0x0f;
        size_t plen = s->buf[1] & 0x7f, hl = 2;
        if (plen == 126) {
            if (s->len < 4) {
                return true;
            }
            plen = (size_t)s->buf[2] << 8 | s->buf[3];
            hl = 4;
        } else if (plen == 127) {
            return false; /* never this large here */
        }
        if (hl + plen > RBUF) {
            return false;
        }
        if (s->len < hl + plen) {
            return true;
        }
        const char *pl = (const char *)s->buf + hl;
        if (op == 1) {
            on_text(s, pl, plen);
        } else if (op == 8) {
            sub_closed(s, plen >= 2 ? (unsigned)((uint8_t)pl[0] << 8 | (uint8_t)pl[1]) : 1005u);
            return false;
        } else if (op == 9) {
            ws_send(s->fd, 10, pl, plen);
        }
        memmove(s->buf, s->buf + hl + plen, s->len - hl - plen);
        s->len -= hl + plen;
    }
}

static void pump(int timeout_ms)
{
    struct epoll_event evs[256];
    int n = epoll_wait(EP, evs, 256, timeout_ms);
    for (int i = 0; i < n; i++) {
        sub *s = evs[i].data.ptr;
        ssize_t r = s->fd >= 0 ? recv(s->fd, s->buf + s->len, RBUF - s->len, 0) : -1;
        if (r <= 0) {
            if (s->fd >= 0 && (r == 0 || (errno != EAGAIN && errno != EINTR))) {
                sub_closed(s, 1006);
            }
            continue;
        }
        s->len += (size_t)r;
        sub_frames(s);
    }
    uint64_t t = now_ns();
    for (int i = 0; i < N; i++) {
        if (!S[i].open && S[i].reconnect_at != 0 && t >= S[i].reconnect_at) {
            S[i].reconnect_at = sub_open(&S[i]) ? 0 : t + 200000000ull;
            if (S[i].reconnect_at != 0 && S[i].fd >= 0) {
                close(S[i].fd);
                S[i].fd = -1;
            }
        }
    }
}

/* ---- publisher: blocking keep-alive HTTP (one request at a time) -------------- */

static int pub_fd = -1;

static bool read_answer(int fd, int *status)
{
    char buf[8192] = "";
    size_t got = 0;
    char *end = NULL;
    while ((end = strstr(buf, "\r\n\r\n")) == NULL) {
        ssize_t r = got < sizeof buf - 1 ? recv(fd, buf + got, sizeof buf - 1 - got, 0) : -1;
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
        buf[got] = '\0';
    }
    *status = atoi(buf + 9);
    const char *cl = strcasestr(buf, "content-length:");
    size_t want = cl != NULL ? (size_t)atol(cl + 15) : 0;
    size_t have = got - (size_t)(end + 4 - buf);
    bool chunked = strcasestr(buf, "transfer-encoding: chunked") != NULL;
    while ((chunked && strstr(end + 4, "0\r\n\r\n") == NULL) || (!chunked && have < want)) {
        ssize_t r = got < sizeof buf - 1 ? recv(fd, buf + got, sizeof buf - 1 - got, 0) : -1;
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
        have += (size_t)r;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    return true;
}

/* POSTs message n; the HTTP status, 0 if it failed or timed out. */
static int publish(int n)
{
    char body[256], req[512];
    uint64_t t = now_ns();
    int blen = P == SG ? snprintf(body, sizeof body, "{\"topic\":\"bench\",\"payload\":{\"n\":%d,\"t\":%llu}}", n,
                                  (unsigned long long)t)
                       : snprintf(body, sizeof body, "{\"n\":%d,\"t\":%llu}", n, (unsigned long long)t);
    int rlen = snprintf(req, sizeof req,
                        "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        "Accept: text/json\r\nContent-Length: %d\r\n\r\n%s",
                        P == SG ? "/publish" : "/pub/bench", blen, body);
    pub_at[n] = t;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (pub_fd < 0) {
            pub_fd = tcp_connect();
            struct timeval tv = {2, 0};
            if (pub_fd >= 0) {
                setsockopt(pub_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            }
        }
        int status = 0;
        if (pub_fd >= 0 && send_all(pub_fd, req, (size_t)rlen) && read_answer(pub_fd, &status)) {
            return status;
        }
        if (pub_fd >= 0) {
            close(pub_fd);
        }
        pub_fd = -1;
    }
    return 0;
}

/* ---- measurements ------------------------------------------------------------------ */

static bool has(const sub *s, int n)
{
    return (s->got[n / 8] >> (n % 8)) & 1u;
}

static int all_have(int n)
{
    int c = 0;
    for (int i = 0; i < N; i++) {
        c += has(&S[i], n);
    }
    return c;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void fanout(int messages, FILE *out)
{
    uint64_t t0 = now_ns();
    uint64_t deliveries = 0;
    int timeouts = 0;
    for (int n = 0; n < messages; n++) {
        publish(n);
        uint64_t deadline = now_ns() + 2000000000ull;
        while (all_have(n) < N && now_ns() < deadline) {
            pump(5);
        }
        timeouts += all_have(n) < N;
        deliveries += (uint64_t)all_have(n);
    }
    double secs = (double)(now_ns() - t0) / 1e9;
    qsort(lat, nlat, sizeof lat[0], cmp_u64);
    double p50 = nlat > 0 ? (double)lat[nlat / 2] / 1e6 : -1, p99 = nlat > 0 ? (double)lat[nlat * 99 / 100] / 1e6 : -1;
    fprintf(out, "\"fanout\":{\"messages\":%d,\"deliveries\":%llu,\"seconds\":%.3f,\"deliveries_per_s\":%.0f,"
                 "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"incomplete_fanouts\":%d}",
            messages, (unsigned long long)deliveries, secs, (double)deliveries / secs, p50, p99, timeouts);
}

static pid_t run_cmd(const char *cmd)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void restart_report(FILE *out, int first, int last, const bool *accepted, uint64_t done_at, int cmd_status)
{
    long missing = 0, wrong_final = 0, drops = 0, resyncs = 0, acc = 0;
    int last_acc = -1, recover_n = -1;
    for (int n = first; n <= last; n++) {
        acc += accepted[n];
        last_acc = accepted[n] ? n : last_acc;
        if (recover_n < 0 && accepted[n] && done_at != 0 && pub_at[n] >= done_at && all_have(n) == N) {
            recover_n = n;
        }
    }
    for (int i = 0; i < N; i++) {
        for (int n = first; n <= last; n++) {
            missing += accepted[n] && !has(&S[i], n);
        }
        wrong_final += S[i].last_n != last_acc;
        drops += S[i].drops;
        resyncs += S[i].resyncs;
    }
    /* until the first publish after the restart reached every subscriber */
    double recover = recover_n >= 0 ? (double)(recv_at[recover_n] - done_at) / 1e9 : -1;
    fprintf(out, "\"restart\":{\"published\":%d,\"accepted\":%ld,\"updates_missed\":%ld,\"updates_missed_per_sub\":%.1f,"
                 "\"subs_wrong_final_state\":%ld,\"subscribers_dropped\":%ld,\"resync_closes\":%ld,"
                 "\"recover_s\":%.2f,\"restart_cmd_status\":%d}",
            last - first + 1, acc, missing, (double)missing / N, wrong_final, drops, resyncs, recover, cmd_status);
}

static void restart_test(int first, const char *cmd, FILE *out)
{
    static bool accepted[MSGS_MAX];
    int last = first + RESTART_RATE * RESTART_SECONDS - 1;
    uint64_t t0 = now_ns(), done_at = 0;
    pid_t child = -1;
    int cmd_status = -1;
    for (int n = first; n <= last; n++) {
        uint64_t due = t0 + (uint64_t)(n - first) * (UINT64_C(1000000000) / (uint64_t)RESTART_RATE);
        while (now_ns() < due) {
            pump(2);
        }
        if (child < 0 && now_ns() - t0 >= (uint64_t)RESTART_AT_S * 1000000000ull) {
            child = run_cmd(cmd);
        }
        int st = 0;
        if (child > 0 && done_at == 0 && waitpid(child, &st, WNOHANG) == child) {
            done_at = now_ns();
            cmd_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        int status = publish(n);
        accepted[n] = status >= 200 && status < 300;
    }
    uint64_t settle = now_ns() + 10000000000ull; /* resync closes, reconnects, refetches */
    while (now_ns() < settle) {
        pump(10);
    }
    restart_report(out, first, last, accepted, done_at, cmd_status);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: bench_fleet stormglass|nchan PORT SUBSCRIBERS MESSAGES RESTART_CMD OUT_JSON\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    P = strcmp(argv[1], "nchan") == 0 ? NCHAN : SG;
    PORT = atoi(argv[2]);
    N = atoi(argv[3]);
    int messages = atoi(argv[4]);
    if (N < 1 || N > SUBS_MAX || messages < 1 || messages + RESTART_RATE * RESTART_SECONDS >= MSGS_MAX) {
        fprintf(stderr, "bench_fleet: 1..%d subscribers, messages + %d under %d\n", SUBS_MAX,
                RESTART_RATE * RESTART_SECONDS, MSGS_MAX);
        return 2;
    }
    S = calloc((size_t)N, sizeof *S);
    lat_max = (size_t)N * (size_t)messages;
    lat = calloc(lat_max, sizeof *lat);
    EP = epoll_create1(0);
    if (S == NULL || lat == NULL || EP < 0) {
        return 1;
    }
    for (int i = 0; i < N; i++) {
        S[i].fd = -1;
        S[i].last_n = -1;
        if (!sub_open(&S[i])) {
            fprintf(stderr, "bench_fleet: subscriber %d could not connect\n", i);
            return 1;
        }
    }
    int ready = 0;
    for (uint64_t deadline = now_ns() + 10000000000ull; now_ns() < deadline && ready < N;) {
        pump(10);
        ready = 0;
        for (int i = 0; i < N; i++) {
            ready += S[i].ready;
        }
    }
    FILE *out = fopen(argv[6], "w");
    if (out == NULL || ready < N) {
        fprintf(stderr, "bench_fleet: %d of %d subscribers ready\n", ready, N);
        return 1;
    }
    fprintf(out, "{\"system\":\"%s\",\"subscribers\":%d,", argv[1], N);
    fanout(messages, out);
    fputc(',', out);
    restart_test(messages, argv[5], out);
    fputs("}\n", out);
    fclose(out);
    return 0;
}

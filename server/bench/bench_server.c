/*
 * bench_server.c - `make bench-server`: one publisher and N WebSocket
 * subscribers (default 1000) against a real stormglassd on loopback.
 *
 * Reports deliveries per second, publish-to-delivery latency p50/p99 and
 * the server's resident memory per idle connection (VmRSS before and
 * after the subscribers connect and subscribe, divided by N).  The
 * publisher is closed-loop: the next POST leaves when every subscriber has
 * the previous update, so latency is one fan-out (first to last
 * subscriber), never a queue the bench itself overfilled.  One thread,
 * epoll; the bench shares the machine's cores with the server.
 *
 * usage: bench_server SERVER_BIN [subscribers] [publishes] [payload_bytes] [out_prefix]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SUBS_MAX 20000
#define RBUF 65536

typedef struct sub {
    int fd;
    uint8_t buf[RBUF];
    size_t len;
    uint64_t received;
    bool got_state;
} sub;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static pid_t server_pid; /* killed on the way out, whatever happens */

static void die(const char *what)
{
    perror(what);
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
    }
    exit(1);
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = atol(line + 6);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kib;
}

/* utime + stime of a process, in seconds. */
static double cpu_seconds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long ut = 0, st = 0;
    if (f != NULL) {
        char comm[256];
        char state;
        int skip;
        if (fscanf(f, "%d %255s %c", &skip, comm, &state) == 3) {
            for (int i = 4; i < 14; i++) {
                unsigned long dummy;
                if (fscanf(f, " %lu", &dummy) != 1) {
                    break;
                }
            }
            if (fscanf(f, " %lu %lu", &ut, &st) != 2) {
                ut = st = 0;
            }
        }
        fclose(f);
    }
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Starts the server on a free port; its `event=listening ... port=N` log
 * line is the readiness signal. */
static pid_t start_server(const char *bin, const char *log, int *port)
{
    unlink(log); /* never read a previous run's port */
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        /* subscribers never write: keep the idle timeout out of the run */
        execl(bin, bin, "--port", "0", "--log-level", "info", "--max-connections", "20000", "--max-sockets",
              "21000", "--idle-timeout", "1h", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) {
        char text[4096] = "";
        FILE *f = fopen(log, "r");
        if (f != NULL) {
            size_t n = fread(text, 1, sizeof text - 1, f);
            text[n] = '\0';
            fclose(f);
        }
        const char *at = strstr(text, "event=listening");
        const char *p = at != NULL ? strstr(at, " port=") : NULL;
        if (p != NULL) {
            *port = atoi(p + 6);
            server_pid = pid;
            return pid;
        }
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "server did not start (log: %s)\n", log);
    exit(1);
}

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        die("connect");
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void write_all(int fd, const void *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            die("write");
        }
        p = (const char *)p + w;
        n -= (size_t)w;
    }
}

static void masked_text(int fd, const char *text)
{
    uint8_t f[512];
    size_t len = strlen(text), o = 0;
    f[o++] = 0x81;
    f[o++] = (uint8_t)(0x80 | len);
    memset(f + o, 0, 4); /* zero mask: legal and simple */
    o += 4;
    memcpy(f + o, text, len);
    write_all(fd, f, o + len);
}

static int ws_open(int port)
{
    int fd = tcp_connect(port);
    const char *req = "GET /ws HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    write_all(fd, req, strlen(req));
    char buf[512];
    size_t got = 0;
    while (got < 4 || memcmp(buf + got - 4, "\r\n\r\n", 4) != 0) {
        if (read(fd, buf + got, 1) != 1 || ++got >= sizeof buf) {
            die("handshake");
        }
    }
    masked_text(fd, "{\"type\":\"subscribe\",\"topics\":[\"bench\"]}");
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Consumes whole frames; each text frame carries "t":<ns> from the publisher. */
static void drain(sub *s, uint64_t *lat, uint64_t *nlat, uint64_t lat_cap, uint64_t *deliveries)
{
    for (;;) {
        ssize_t r = read(s->fd, s->buf + s->len, RBUF - s->len);
        if (r == 0) {
            die("a subscriber was closed by the server");
        }
        if (r < 0) {
            break;
        }
        s->len += (size_t)r;
        uint64_t t = now_ns();
        size_t off = 0;
        while (s->len - off >= 2) {
            size_t n = s->buf[off + 1] & 0x7f, h = 2;
            if (n == 126) {
                if (s->len - off < 4) {
                    break;
                }
                n = ((size_t)s->buf[off + 2] << 8) | s->buf[off + 3];
                h = 4;
            }
            if (s->len - off < h + n) {
                break;
            }
            const char *m = (const char *)s->buf + off + h;
            const char *ts = memmem(m, n, "\"t\":", 4);
            if (memmem(m, n, "\"type\":\"state\"", 14) != NULL) {
                s->got_state = true;
            } else if (ts != NULL) {
                uint64_t sent = strtoull(ts + 4, NULL, 10);
                if (*nlat < lat_cap) {
                    lat[(*nlat)++] = t - sent;
                }
                (*deliveries)++;
                s->received++;
            }
            off += h + n;
        }
        memmove(s->buf, s->buf + off, s->len - off);
        s->len -= off;
    }
}

typedef struct bench {
    int nsubs, npub, pbytes;
    const char *out;
    pid_t pid;
    int port, ep;
    sub *subs;
    uint64_t *lat, nlat, lat_cap, deliveries;
    long rss0, rss1;
    double secs, server_cpu;
} bench;

/* Reads what the subscribers have until `want` deliveries arrived (or
 * states, when counting states), 5 s of silence at most. */
static void pump(bench *b, uint64_t want, int *states)
{
    struct epoll_event evs[256];
    while (states != NULL ? *states < b->nsubs : b->deliveries < want) {
        int n = epoll_wait(b->ep, evs, 256, 5000);
        if (n <= 0) {
            die(states != NULL ? "waiting for states" : "waiting for deliveries");
        }
        for (int i = 0; i < n; i++) {
            sub *s = evs[i].data.ptr;
            bool had = s->got_state;
            drain(s, b->lat, &b->nlat, b->lat_cap, &b->deliveries);
            if (states != NULL) {
                *states += !had && s->got_state;
            }
        }
    }
}

/* Every subscriber connected, subscribed and holding its state: the
 * fan-out list is complete and the connections are idle. */
static void open_subscribers(bench *b)
{
    b->subs = calloc((size_t)b->nsubs, sizeof *b->subs);
    b->ep = epoll_create1(0);
    for (int i = 0; i < b->nsubs; i++) {
        b->subs[i].fd = ws_open(b->port);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &b->subs[i]};
        epoll_ctl(b->ep, EPOLL_CTL_ADD, b->subs[i].fd, &ev);
    }
    b->lat_cap = (uint64_t)b->nsubs * (uint64_t)b->npub;
    b->lat = malloc(b->lat_cap * sizeof *b->lat);
    int states = 0;
    pump(b, 0, &states);
}

/* One POST carrying its send time, answered 202. */
static void publish_one(int pub, const char *pad)
{
    char req[9000], body[8600], ans[4096];
    int bl = snprintf(body, sizeof body, "{\"topic\":\"bench\",\"payload\":{\"t\":%llu,\"pad\":\"%s\"}}",
                      (unsigned long long)now_ns(), pad);
    int rl = snprintf(req, sizeof req, "POST /publish HTTP/1.1\r\nHost: b\r\nContent-Length: %d\r\n\r\n%s", bl, body);
    write_all(pub, req, (size_t)rl);
    size_t got = 0; /* the 202 and its small body arrive together on loopback */
    ans[0] = '\0';
    while (got == 0 || strstr(ans, "}") == NULL) {
        ssize_t r = read(pub, ans + got, sizeof ans - 1 - got);
        if (r <= 0) {
            die("publish answer");
        }
        got += (size_t)r;
        ans[got] = '\0';
    }
}

static void run_publishes(bench *b)
{
    int pub = tcp_connect(b->port);
    char *pad = malloc((size_t)b->pbytes + 1);
    memset(pad, 'p', (size_t)b->pbytes);
    pad[b->pbytes] = '\0';
    double cpu0 = cpu_seconds(b->pid);
    uint64_t start = now_ns();
    for (int k = 0; k < b->npub; k++) {
        publish_one(pub, pad);
        pump(b, (uint64_t)(k + 1) * (uint64_t)b->nsubs, NULL); /* one update in flight */
    }
    b->secs = (double)(now_ns() - start) / 1e9;
    b->server_cpu = cpu_seconds(b->pid) - cpu0;
    free(pad);
    close(pub);
}

static void save(const bench *b, const char *text, double p50, double p99, double per_conn)
{
    char path[512];
    snprintf(path, sizeof path, "%s.txt", b->out);
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
    snprintf(path, sizeof path, "%s.json", b->out);
    f = fopen(path, "w");
    if (f != NULL) {
        fprintf(f,
                "{\"subscribers\":%d,\"publishes\":%d,\"payload_bytes\":%d,\"deliveries\":%llu,"
                "\"expected\":%llu,\"seconds\":%.3f,\"deliveries_per_second\":%.0f,\"latency_ms_p50\":%.3f,"
                "\"latency_ms_p99\":%.3f,\"rss_kib_before\":%ld,\"rss_kib_after\":%ld,"
                "\"bytes_per_idle_connection\":%.0f,\"server_cpu_seconds\":%.2f}\n",
                b->nsubs, b->npub, b->pbytes, (unsigned long long)b->deliveries, (unsigned long long)b->lat_cap,
                b->secs, (double)b->deliveries / b->secs, p50, p99, b->rss0, b->rss1, per_conn, b->server_cpu);
        fclose(f);
    }
}

static void report(bench *b)
{
    qsort(b->lat, b->nlat, sizeof *b->lat, cmp_u64);
    double p50 = b->nlat ? (double)b->lat[b->nlat / 2] / 1e6 : -1;
    double p99 = b->nlat ? (double)b->lat[b->nlat * 99 / 100] / 1e6 : -1;
    double per_conn = (double)(b->rss1 - b->rss0) * 1024.0 / b->nsubs;
    char text[2048];
    snprintf(text, sizeof text,
             "stormglassd bench: %d subscribers, %d publishes of %d payload bytes, closed-loop publisher (one update in flight)\n"
             "deliveries: %llu of %llu expected in %.2f s = %.0f deliveries/s (%.0f publishes/s)\n"
             "publish-to-delivery latency: p50 %.3f ms, p99 %.3f ms\n"
             "server RSS: %ld KiB before, %ld KiB with %d idle subscribers = %.0f bytes per idle connection\n"
             "server CPU during the run: %.2f s = %.2f us per delivery (the rest of the wall time is the bench\n"
             "client and the other work on this machine's 2 shared cores)\n",
             b->nsubs, b->npub, b->pbytes, (unsigned long long)b->deliveries, (unsigned long long)b->lat_cap, b->secs,
             (double)b->deliveries / b->secs, (double)b->npub / b->secs, p50, p99, b->rss0, b->rss1, b->nsubs,
             per_conn, b->server_cpu, b->deliveries ? b->server_cpu * 1e6 / (double)b->deliveries : 0.0);
    fputs(text, stdout);
    if (b->out != NULL) {
        save(b, text, p50, p99, per_conn);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SERVER_BIN [subscribers] [publishes] [payload_bytes] [out_prefix]\n", argv[0]);
        return 2;
    }
    bench b;
    memset(&b, 0, sizeof b);
    b.nsubs = argc > 2 ? atoi(argv[2]) : 1000;
    b.npub = argc > 3 ? atoi(argv[3]) : 2000;
    b.pbytes = argc > 4 ? atoi(argv[4]) : 64;
    b.out = argc > 5 ? argv[5] : NULL;
    if (b.nsubs < 1 || b.nsubs > SUBS_MAX || b.npub < 1 || b.pbytes < 0 || b.pbytes > 8000) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    struct rlimit rl = {SUBS_MAX + 100, SUBS_MAX + 100};
    setrlimit(RLIMIT_NOFILE, &rl);
    signal(SIGPIPE, SIG_IGN);
    char log[64];
    snprintf(log, sizeof log, "/tmp/stormglassd-bench-%d.log", (int)getpid());
    b.pid = start_server(argv[1], log, &b.port);
    b.rss0 = rss_kib(b.pid);
    open_subscribers(&b);
    b.rss1 = rss_kib(b.pid);
    run_publishes(&b);
    report(&b);
    kill(b.pid, SIGTERM);
    int status = 0;
    waitpid(b.pid, &status, 0);
    unlink(log);
    return b.deliveries == b.lat_cap ? 0 : 1;
}

/*
 * harness.c - process control and a minimal blocking HTTP/WebSocket
 * client for the integration suite (see harness.h).  Readiness is the
 * server's own `event=listening` line, polled in its log file; replies are
 * read with poll() timeouts, never assumed after a sleep.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

#define LIVE_MAX 16
static sd_proc live[LIVE_MAX]; /* copies of started servers, for sd_proc_reap_all */

static void remember(const sd_proc *p)
{
    for (int i = 0; i < LIVE_MAX; i++) {
        if (live[i].pid <= 0) {
            live[i] = *p;
            return;
        }
    }
}

void sd_proc_reap_all(void)
{
    for (int i = 0; i < LIVE_MAX; i++) {
        if (live[i].pid > 0 && waitpid(live[i].pid, NULL, WNOHANG) == 0) {
            kill(live[i].pid, SIGKILL);
            waitpid(live[i].pid, NULL, 0);
        }
        if (live[i].log_path[0] != '\0') {
            unlink(live[i].log_path);
        }
        memset(&live[i], 0, sizeof live[i]);
    }
}

static char *read_log(const sd_proc *p)
{
    FILE *f = fopen(p->log_path, "r");
    if (f == NULL) {
        return NULL;
    }
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

bool sd_proc_log_has(const sd_proc *p, const char *text)
{
    const char *log = read_log(p);
    return log != NULL && strstr(log, text) != NULL;
}

bool sd_proc_wait_log(const sd_proc *p, const char *text, int timeout_ms)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        if (sd_proc_log_has(p, text)) {
            return true;
        }
        pause_ms(10);
    }
    return false;
}

bool sd_proc_log_value(const sd_proc *p, const char *event, const char *key, char *out, size_t size)
{
    char ev[96], k[64];
    snprintf(ev, sizeof ev, " event=%s ", event);
    snprintf(k, sizeof k, " %s=", key);
    const char *log = read_log(p);
    const char *line = log != NULL ? strstr(log, ev) : NULL;
    const char *eol = line != NULL ? strchr(line, '\n') : NULL;
    const char *at = line != NULL ? strstr(line, k) : NULL;
    if (at == NULL || (eol != NULL && at > eol) || size == 0) {
        return false;
    }
    at += strlen(k);
    size_t n = strcspn(at, " \n");
    n = n < size - 1 ? n : size - 1;
    memcpy(out, at, n);
    out[n] = '\0';
    return true;
}

bool sd_proc_start(sd_proc *p, const char *const *args)
{
    static int counter;
    memset(p, 0, sizeof *p);
    snprintf(p->log_path, sizeof p->log_path, "/tmp/stormglassd-test-%d-%d.log", (int)getpid(), counter++);
    const char *argv[64] = {SD_TEST_SERVER_BIN, "--port", "0", "--log-level", "debug"};
    size_t n = 5;
    for (size_t i = 0; args != NULL && args[i] != NULL && n < 62; i++) {
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    p->pid = fork();
    if (p->pid == 0) {
        int fd = open(p->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execv(argv[0], (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) { /* up to 10 s for the readiness line */
        const char *log = read_log(p);
        const char *at = log != NULL ? strstr(log, "event=listening") : NULL;
        const char *port = at != NULL ? strstr(at, " port=") : NULL;
        if (port != NULL) {
            p->port = atoi(port + 6);
            remember(p);
            return p->port > 0;
        }
        int status = 0;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            p->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return false;
        }
        pause_ms(10);
    }
    return false;
}

int sd_proc_wait(sd_proc *p, int timeout_ms)
{
    if (p->pid == 0) {
        return p->exit_status;
    }
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        int status = 0;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        pause_ms(10);
    }
    return -1;
}

int sd_proc_stop(sd_proc *p, int signum, int timeout_ms)
{
    if (p->pid <= 0) {
        unlink(p->log_path);
        return -1;
    }
    kill(p->pid, signum);
    int rc = sd_proc_wait(p, timeout_ms);
    if (rc < 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
    unlink(p->log_path);
    return rc;
}

static int connect_with(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && rcvbuf > 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int sd_tcp_connect(int port)
{
    return connect_with(port, 0);
}

static ssize_t read_some(int fd, void *buf, size_t len, int timeout_ms)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0) {
        return -1;
    }
    return read(fd, buf, len);
}

static bool read_exact(int fd, void *buf, size_t len, int timeout_ms)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read_some(fd, (char *)buf + got, len - got, timeout_ms);
        if (n <= 0) {
            return false;
        }
        got += (size_t)n;
    }
    return true;
}

int sd_http_raw(int port, const void *req, size_t len, char *body, size_t body_size)
{
    int fd = sd_tcp_connect(port);
    if (fd < 0) {
        return 0;
    }
    if (write(fd, req, len) != (ssize_t)len) {
        close(fd);
        return 0;
    }
    char buf[65536];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read_some(fd, buf + got, sizeof buf - 1 - got, 3000)) > 0) {
        got += (size_t)n;
        buf[got] = '\0';
        const char *end = strstr(buf, "\r\n\r\n");
        const char *cl = strstr(buf, "Content-Length: ");
        if (end != NULL && cl != NULL && got >= (size_t)(end + 4 - buf) + (size_t)atoi(cl + 16)) {
            break;
        }
    }
    close(fd);
    buf[got] = '\0';
    int status = 0;
    sscanf(buf, "HTTP/1.1 %d", &status);
    const char *end = strstr(buf, "\r\n\r\n");
    if (body != NULL && body_size > 0) {
        snprintf(body, body_size, "%s", end != NULL ? end + 4 : "");
    }
    return status;
}

int sd_http(int port, const char *method, const char *path, const char *headers, const char *body, char *out,
            size_t out_size)
{
    char req[70000];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n%sContent-Length: %zu\r\n\r\n%s",
                     method, path, headers != NULL ? headers : "", body != NULL ? strlen(body) : 0,
                     body != NULL ? body : "");
    return sd_http_raw(port, req, (size_t)n, out, out_size);
}

int sd_publish(int port, const char *topic, int n, const char *headers)
{
    char body[256], out[512];
    snprintf(body, sizeof body, "{\"topic\":\"%s\",\"payload\":{\"n\":%d}}", topic, n);
    return sd_http(port, "POST", "/publish", headers, body, out, sizeof out);
}

long sd_metric(int port, const char *name)
{
    static char out[1 << 17];
    if (sd_http(port, "GET", "/metrics", NULL, NULL, out, sizeof out) != 200) {
        return -1;
    }
    char line[160]; /* the sample line, not the # HELP line */
    snprintf(line, sizeof line, "\n%s ", name);
    const char *at = strstr(out, line);
    return at != NULL ? atol(at + strlen(line)) : -1;
}

bool sd_wait_metric(int port, const char *name, long min)
{
    for (int i = 0; i < 500; i++) {
        if (sd_metric(port, name) >= min) {
            return true;
        }
        pause_ms(10);
    }
    return false;
}

int sd_ws_open(int port)
{
    return sd_ws_open_rcvbuf(port, 0);
}

int sd_ws_open_rcvbuf(int port, int rcvbuf)
{
    int fd = connect_with(port, rcvbuf);
    if (fd < 0) {
        return -1;
    }
    const char *req = "GET /ws HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
        close(fd);
        return -1;
    }
    char buf[1024];
    size_t got = 0;
    while (got < sizeof buf - 1) { /* byte by byte: frames may follow the answer */
        if (read_some(fd, buf + got, 1, 3000) != 1) {
            close(fd);
            return -1;
        }
        got++;
        buf[got] = '\0';
        if (got >= 4 && memcmp(buf + got - 4, "\r\n\r\n", 4) == 0) {
            break;
        }
    }
    if (strncmp(buf, "HTTP/1.1 101", 12) != 0 || strstr(buf, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == NULL) {
        close(fd);
        return -1;
    }
    return fd;
}

bool sd_ws_send_frame(int fd, uint8_t opcode, bool masked, const void *data, size_t len)
{
    uint8_t *f = malloc(len + 14);
    size_t o = 0;
    f[o++] = (uint8_t)(0x80 | opcode);
    uint8_t m = masked ? 0x80 : 0;
    if (len < 126) {
        f[o++] = (uint8_t)(m | len);
    } else if (len < 65536) {
        f[o++] = m | 126;
        f[o++] = (uint8_t)(len >> 8);
        f[o++] = (uint8_t)len;
    } else {
        f[o++] = m | 127;
        for (int i = 7; i >= 0; i--) {
            f[o++] = (uint8_t)((uint64_t)len >> (8 * i));
        }
    }
    static const uint8_t key[4] = {0xa1, 0xb2, 0xc3, 0xd4};
    if (masked) {
        memcpy(f + o, key, 4);
        o += 4;
    }
    for (size_t i = 0; i < len; i++) {
        f[o + i] = ((const uint8_t *)data)[i] ^ (masked ? key[i % 4] : 0);
    }
    bool ok = write(fd, f, o + len) == (ssize_t)(o + len);
    free(f);
    return ok;
}

bool sd_ws_subscribe(int fd, const char *topics_json)
{
    char msg[512];
    snprintf(msg, sizeof msg, "{\"type\":\"subscribe\",\"topics\":%s}", topics_json);
    return sd_ws_send_frame(fd, 1, true, msg, strlen(msg));
}

int sd_ws_read(int fd, char *buf, size_t size, size_t *len, unsigned *close_code, int timeout_ms)
{
    uint8_t h[10];
    if (!read_exact(fd, h, 2, timeout_ms)) {
        return -1;
    }
    int opcode = h[0] & 0x0f;
    uint64_t n = h[1] & 0x7f;
    if (n == 126) {
        if (!read_exact(fd, h + 2, 2, timeout_ms)) {
            return -1;
        }
        n = ((uint64_t)h[2] << 8) | h[3];
    } else if (n == 127) {
        if (!read_exact(fd, h + 2, 8, timeout_ms)) {
            return -1;
        }
        n = 0;
        for (int i = 0; i < 8; i++) {
            n = (n << 8) | h[2 + i];
        }
    }
    char *tmp = malloc(n + 1);
    if (!read_exact(fd, tmp, n, timeout_ms)) {
        free(tmp);
        return -1;
    }
    size_t keep = n < size - 1 ? n : size - 1;
    memcpy(buf, tmp, keep);
    buf[keep] = '\0';
    *len = keep;
    if (opcode == 8 && close_code != NULL) {
        *close_code = n >= 2 ? ((unsigned)(uint8_t)tmp[0] << 8) | (uint8_t)tmp[1] : 1005;
    }
    free(tmp);
    return opcode;
}

bool sd_ws_expect_text(int fd, const char *needle, char *buf, size_t size, int timeout_ms)
{
    for (;;) {
        size_t len = 0;
        unsigned code = 0;
        int op = sd_ws_read(fd, buf, size, &len, &code, timeout_ms);
        if (op < 0 || op == 8) {
            return false;
        }
        if (op == 1 && strstr(buf, needle) != NULL) {
            return true;
        }
    }
}

unsigned sd_ws_expect_close(int fd, int timeout_ms)
{
    char buf[256];
    for (;;) {
        size_t len = 0;
        unsigned code = 0;
        int op = sd_ws_read(fd, buf, sizeof buf, &len, &code, timeout_ms);
        if (op < 0) {
            return 0;
        }
        if (op == 8) {
            return code;
        }
    }
}

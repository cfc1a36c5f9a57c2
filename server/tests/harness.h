/*
 * harness.h - what the integration suite needs to drive a real
 * stormglassd: start it on a free loopback port (it picks one with
 * --port 0 and logs it), stop it, and a small blocking WebSocket and HTTP
 * client written independently of the server's own code paths.
 */
#ifndef STORMGLASS_SD_TEST_HARNESS_H
#define STORMGLASS_SD_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct sd_proc {
    pid_t pid;
    int port;
    int exit_status;   /* when it exited during sd_proc_start */
    char log_path[128];
} sd_proc;

/* Starts the server with extra args (NULL-terminated) and waits for its
 * `event=listening` line.  Returns false if it did not come up. */
bool sd_proc_start(sd_proc *p, const char *const *args);
/* Signals and waits up to timeout_ms; returns the exit status, or -1 if it
 * had to be killed. */
int sd_proc_stop(sd_proc *p, int signum, int timeout_ms);
/* Waits for the process to exit by itself; -1 on timeout. */
int sd_proc_wait(sd_proc *p, int timeout_ms);
/* Kills every server still running and removes its log: the teardown of
 * each test, so a failed assertion never leaves a server behind. */
void sd_proc_reap_all(void);
/* Whether the log contains text (for events the test waits on). */
bool sd_proc_log_has(const sd_proc *p, const char *text);
/* Polls the log until it contains text (the server's own readiness
 * signal); false after timeout_ms. */
bool sd_proc_wait_log(const sd_proc *p, const char *text, int timeout_ms);
/* The value of `key=` on the first log line with `event=<event>` (up to
 * the next space); false if there is none. */
bool sd_proc_log_value(const sd_proc *p, const char *event, const char *key, char *out, size_t size);

int sd_tcp_connect(int port);
/* Sends raw bytes and reads the answer until the server closes or
 * timeout; returns the HTTP status of the first answer (0 if none). */
int sd_http_raw(int port, const void *req, size_t len, char *body, size_t body_size);
int sd_http(int port, const char *method, const char *path, const char *headers, const char *body, char *out,
            size_t out_size);
/* The sample value of a metric line `name value` in GET /metrics; -1 if absent. */
long sd_metric(int port, const char *name);
/* Polls /metrics until `name` reaches at least `min` (a readiness signal,
 * not a guess at timing); false after about 5 s. */
bool sd_wait_metric(int port, const char *name, long min);

/* POST /publish {"topic": topic, "payload": {"n": n}}; the HTTP status. */
int sd_publish(int port, const char *topic, int n, const char *headers);

/* WebSocket client frames: returns opcode (1 text, 8 close, ...), -1 on
 * EOF/timeout.  Close frames put the code in *close_code. */
int sd_ws_open(int port);
/* The same with a small receive buffer: a client that reads slowly fills fast. */
int sd_ws_open_rcvbuf(int port, int rcvbuf);
bool sd_ws_send_frame(int fd, uint8_t opcode, bool masked, const void *data, size_t len);
/* Sends {"type":"subscribe","topics":<topics_json>}. */
bool sd_ws_subscribe(int fd, const char *topics_json);
int sd_ws_read(int fd, char *buf, size_t size, size_t *len, unsigned *close_code, int timeout_ms);
/* Reads frames until a text frame containing `needle` (true) or close/EOF. */
bool sd_ws_expect_text(int fd, const char *needle, char *buf, size_t size, int timeout_ms);
/* Reads until a close frame; returns its code (0 on EOF without one). */
unsigned sd_ws_expect_close(int fd, int timeout_ms);

#endif

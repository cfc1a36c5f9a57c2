/*
 * bb_harness.c - real servers, an event recorder and a loop runner for the
 * adapter suites (see bb_harness.h).
 */
#include "bb_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "stormglass/bcast.h"
#include "wire.h"

/* ---- servers ---------------------------------------------------------------- */

static bool run_ci(const char *op, const bbh_server *s, char *out, size_t out_size)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "KAFKA_MOCK=%s %s/backbone %s %s %s", SD_TEST_KAFKA_MOCK, SD_TEST_CI_DIR, op, s->kind,
             s->dir);
    FILE *p = popen(cmd, "r");
    if (p == NULL) {
        return false;
    }
    size_t n = out != NULL ? fread(out, 1, out_size - 1, p) : 0;
    if (out != NULL) {
        out[n] = '\0';
        out[strcspn(out, "\n")] = '\0';
    }
    return pclose(p) == 0;
}

bool bbh_server_start(bbh_server *s, const char *kind)
{
    memset(s, 0, sizeof *s);
    snprintf(s->kind, sizeof s->kind, "%s", kind);
    snprintf(s->dir, sizeof s->dir, "/tmp/sg-test-%s.XXXXXX", kind);
    if (mkdtemp(s->dir) == NULL) {
        return false;
    }
    return run_ci("start", s, s->uri, sizeof s->uri);
}

bool bbh_server_op(const bbh_server *s, const char *op)
{
    return run_ci(op, s, NULL, 0);
}

void bbh_server_destroy(bbh_server *s)
{
    if (s->dir[0] != '\0') {
        run_ci("destroy", s, NULL, 0);
        s->dir[0] = '\0';
    }
}

/* ---- recorder --------------------------------------------------------------- */

static bbh_event *record(bbh_recorder *r, bbh_kind kind, const void *data, size_t len, const char *why)
{
    if (r->in_call > 0) {
        r->callbacks_in_call++;
    }
    if (r->count >= BBH_EVENTS_MAX) {
        return NULL;
    }
    bbh_event *e = &r->events[r->count++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    if (data != NULL && len <= BBH_BYTES_MAX) {
        e->data = malloc(len + 1);
        if (e->data != NULL) {
            memcpy(e->data, data, len);
            e->data[len] = 0;
            e->len = len;
        }
    }
    if (why != NULL) {
        snprintf(e->why, sizeof e->why, "%s", why);
    }
    return e;
}

static void on_connected(void *ctx)
{
    record(ctx, BBH_CONNECTED, NULL, 0, NULL);
}

static void on_connect_failed(void *ctx, const char *why)
{
    record(ctx, BBH_CONNECT_FAILED, NULL, 0, why);
}

static void on_subscribed(void *ctx)
{
    record(ctx, BBH_SUBSCRIBED, NULL, 0, NULL);
}

static void on_subscribe_failed(void *ctx, const char *why)
{
    record(ctx, BBH_SUBSCRIBE_FAILED, NULL, 0, why);
}

static void on_dropped(void *ctx, const char *why)
{
    record(ctx, BBH_DROPPED, NULL, 0, why);
}

static void on_message(void *ctx, const uint8_t *msg, size_t len)
{
    record(ctx, BBH_MESSAGE, msg, len, NULL);
}

static void on_publish_done(void *ctx, sd_publish_kind kind, const uint8_t *msg, size_t len, bool ok)
{
    bbh_event *e = record(ctx, BBH_PUBLISH_DONE, msg, len, NULL);
    if (e != NULL) {
        e->ok = ok;
        e->publish_kind = kind;
    }
}

sd_backbone_events bbh_events(bbh_recorder *r)
{
    sd_backbone_events ev = {r,          on_connected, on_connect_failed, on_subscribed, on_subscribe_failed,
                             on_dropped, on_message,   on_publish_done};
    return ev;
}

void bbh_recorder_reset(bbh_recorder *r)
{
    for (size_t i = 0; i < r->count; i++) {
        free(r->events[i].data);
    }
    memset(r, 0, sizeof *r);
}

size_t bbh_count(const bbh_recorder *r, bbh_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++) {
        n += r->events[i].kind == kind;
    }
    return n;
}

const bbh_event *bbh_nth(const bbh_recorder *r, bbh_kind kind, size_t n)
{
    for (size_t i = 0; i < r->count; i++) {
        if (r->events[i].kind == kind && n-- == 0) {
            return &r->events[i];
        }
    }
    return NULL;
}

void bbh_on_state(void *arg, uint64_t cookie, const char *topic, size_t topic_len, sg_status st,
                  const uint8_t *state, size_t len, const char *why)
{
    (void)cookie;
    (void)topic;
    (void)topic_len;
    bbh_event *e = record(arg, BBH_STATE, state, len, why);
    if (e != NULL) {
        e->st = st;
        e->has_state = state != NULL;
    }
}

/* ---- loop ------------------------------------------------------------------- */

static void on_deadline(uv_timer_t *t)
{
    *(bool *)t->data = true;
}

static bool run_until(uv_loop_t *loop, const bbh_recorder *r, bbh_kind kind, size_t n, int timeout_ms)
{
    bool expired = false;
    uv_timer_t t;
    uv_timer_init(loop, &t);
    t.data = &expired;
    uv_timer_start(&t, on_deadline, (uint64_t)timeout_ms, 0);
    while (!expired && (r == NULL || bbh_count(r, kind) < n)) {
        uv_run(loop, UV_RUN_ONCE);
    }
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    return r != NULL && bbh_count(r, kind) >= n;
}

bool bbh_wait(uv_loop_t *loop, const bbh_recorder *r, bbh_kind kind, size_t n, int timeout_ms)
{
    return run_until(loop, r, kind, n, timeout_ms);
}

void bbh_spin(uv_loop_t *loop, int ms)
{
    run_until(loop, NULL, BBH_CONNECTED, 0, ms);
}

void bbh_destroy(uv_loop_t *loop, const sd_backbone_ops *ops, sd_backbone *bb)
{
    ops->destroy(bb);
    for (int i = 0; i < 1000 && uv_loop_alive(loop); i++) {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
}

/* ---- messages ------------------------------------------------------------------ */

static size_t frame(uint8_t *out, size_t size, const sg_bcast_header *h, const uint8_t *body, size_t len)
{
    if (size < SG_BCAST_HEADER_BYTES + len) {
        return 0;
    }
    sg_bcast_header_encode(h, out);
    if (len > 0) {
        memcpy(out + SG_BCAST_HEADER_BYTES, body, len);
    }
    return SG_BCAST_HEADER_BYTES + len;
}

size_t bbh_data_message(uint8_t *out, size_t size, uint32_t origin, uint64_t seq, const char *topic,
                        const char *payload)
{
    sg_bcast_header h = {.origin = origin, .kind = SG_MSG_DATA, .epoch = 7, .seq = seq};
    uint8_t *body = NULL;
    size_t len = 0;
    if (sd_wire_body_encode(topic, strlen(topic), (const uint8_t *)payload, strlen(payload), &body, &len) != SG_OK) {
        return 0;
    }
    size_t n = frame(out, size, &h, body, len);
    free(body);
    return n;
}

size_t bbh_heartbeat_message(uint8_t *out, size_t size, uint32_t origin, uint64_t seq)
{
    sg_bcast_header h = {.origin = origin, .kind = SG_MSG_HEARTBEAT, .epoch = 7, .seq = seq};
    return frame(out, size, &h, NULL, 0);
}

sd_backbone_limits bbh_limits(void)
{
    sd_backbone_limits l = {1000, 1u << 20, 1024, 16u << 20};
    return l;
}

int bbh_blackhole_open(int *fd_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return 0;
    }
    *fd_out = fd;
    return ntohs(a.sin_port);
}

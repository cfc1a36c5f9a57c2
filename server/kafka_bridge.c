/*
 * kafka_bridge.c - librdkafka queue events delivered on the libuv loop
 * (see kafka_bridge.h).
 */
#include "kafka_bridge.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void drain(kafka_bridge *b);

static void on_readable(uv_poll_t *h, int status, int events)
{
    kafka_bridge *b = h->data;
    (void)status;
    (void)events;
    char sink[256];
    while (read(b->fds[0], sink, sizeof sink) > 0) {
    }
    drain(b);
}

static void on_again(uv_idle_t *h)
{
    drain(h->data);
}

/* Hands queued events to the owner, at most the budget per queue. */
static void drain(kafka_bridge *b)
{
    bool more = false;
    for (int i = 0; i < b->nqueues && !b->closing; i++) {
        uint32_t n = 0;
        rd_kafka_event_t *ev = NULL;
        while (!b->closing && n < KAFKA_BRIDGE_BUDGET && (ev = rd_kafka_queue_poll(b->queues[i], 0)) != NULL) {
            n++;
            b->on_event(b->ctx, i, ev);
            rd_kafka_event_destroy(ev);
        }
        more |= n == KAFKA_BRIDGE_BUDGET;
    }
    if (b->closing) {
        return;
    }
    if (more) {
        uv_idle_start(&b->again, on_again);
    } else {
        uv_idle_stop(&b->again);
    }
}

static int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 ? 0 : -errno;
}

int kafka_bridge_init(kafka_bridge *b, uv_loop_t *loop, kafka_bridge_event_cb on_event, void *ctx)
{
    assert(b != NULL && loop != NULL && on_event != NULL);
    memset(b, 0, sizeof *b);
    b->on_event = on_event;
    b->ctx = ctx;
    if (pipe(b->fds) != 0) {
        return -errno;
    }
    int rc = set_nonblocking(b->fds[0]);
    rc = rc == 0 ? set_nonblocking(b->fds[1]) : rc;
    rc = rc == 0 ? uv_poll_init(loop, &b->poll, b->fds[0]) : rc;
    if (rc != 0) {
        close(b->fds[0]);
        close(b->fds[1]);
        return rc;
    }
    uv_idle_init(loop, &b->again);
    b->poll.data = b;
    b->again.data = b;
    b->handles_open = 2;
    uv_poll_start(&b->poll, UV_READABLE, on_readable);
    return 0;
}

void kafka_bridge_add(kafka_bridge *b, rd_kafka_queue_t *q)
{
    assert(b->nqueues < KAFKA_BRIDGE_QUEUES_MAX && q != NULL);
    b->queues[b->nqueues++] = q;
    rd_kafka_queue_io_event_enable(q, b->fds[1], "1", 1);
    uv_idle_start(&b->again, on_again); /* events queued before the wake-up was set */
}

static void on_handle_closed(uv_handle_t *h)
{
    kafka_bridge *b = h->data;
    if (--b->handles_open == 0) {
        close(b->fds[0]);
        close(b->fds[1]);
        if (b->on_closed != NULL) {
            b->on_closed(b);
        }
    }
}

void kafka_bridge_close(kafka_bridge *b, void (*on_closed)(kafka_bridge *b))
{
    assert(!b->closing);
    b->closing = true;
    b->on_closed = on_closed;
    for (int i = 0; i < b->nqueues; i++) {
        rd_kafka_queue_io_event_enable(b->queues[i], -1, NULL, 0);
        rd_kafka_queue_destroy(b->queues[i]);
        b->queues[i] = NULL;
    }
    b->nqueues = 0;
    uv_close((uv_handle_t *)&b->poll, on_handle_closed);
    uv_close((uv_handle_t *)&b->again, on_handle_closed);
}

int kafka_bridge_fd(const kafka_bridge *b)
{
    return b->fds[0];
}

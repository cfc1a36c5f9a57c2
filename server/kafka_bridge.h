/*
 * kafka_bridge.h - brings librdkafka's events onto the libuv loop thread.
 *
 * librdkafka runs its own threads.  Nothing of ours may run on them, so
 * each rd_kafka queue we read is set to write a byte into a pipe when it
 * goes from empty to non-empty (rd_kafka_queue_io_event_enable); a uv_poll
 * on the pipe's read end wakes the loop, which then polls the queues with
 * a zero timeout and hands every event to the owner, on the loop thread.
 *
 * The wake-up only fires on empty -> non-empty, so a drain must leave the
 * queues empty; to keep one busy turn short it stops after BRIDGE_BUDGET
 * events and finishes on the next turn through a uv_idle.  The pipe is
 * non-blocking on both ends: a full pipe means a wake-up is already pending.
 */
#ifndef STORMGLASS_SD_KAFKA_BRIDGE_H
#define STORMGLASS_SD_KAFKA_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>
#include <uv.h>

#define KAFKA_BRIDGE_QUEUES_MAX 2
#define KAFKA_BRIDGE_BUDGET 512u

typedef struct kafka_bridge kafka_bridge;

/* One event from queue `index`; destroyed by the bridge after the call. */
typedef void (*kafka_bridge_event_cb)(void *ctx, int index, rd_kafka_event_t *ev);

struct kafka_bridge {
    uv_poll_t poll;
    uv_idle_t again;
    int fds[2];
    rd_kafka_queue_t *queues[KAFKA_BRIDGE_QUEUES_MAX];
    int nqueues;
    kafka_bridge_event_cb on_event;
    void *ctx;
    bool closing;
    int handles_open;
    void (*on_closed)(kafka_bridge *b);
};

/* 0, or a negative libuv/errno code. */
int kafka_bridge_init(kafka_bridge *b, uv_loop_t *loop, kafka_bridge_event_cb on_event, void *ctx);
/* Watches q (the bridge keeps the reference and destroys it at close). */
void kafka_bridge_add(kafka_bridge *b, rd_kafka_queue_t *q);
/* Stops the wake-ups, drops the queue references, closes the handles and
 * the pipe; on_closed runs from the loop when all is closed. */
void kafka_bridge_close(kafka_bridge *b, void (*on_closed)(kafka_bridge *b));
int kafka_bridge_fd(const kafka_bridge *b);

#endif

/*
 * queue.h - the simulator's event queue: a bounded 4-ary min-heap.
 *
 * Order is (time, insertion sequence): two events at the same simulated
 * time run in the order they were scheduled, so nothing depends on heap
 * layout, pointer values or hash order.  The capacity is fixed at creation
 * (a named bound of the run); a push beyond it fails with SG_E_FULL.
 */
#ifndef STORMGLASS_SIM_QUEUE_H
#define STORMGLASS_SIM_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "stormglass/status.h"
#include "stormglass/time.h"

typedef struct sim_event {
    sg_time_ns at;
    uint64_t seq;     /* insertion order: the tie-break */
    uint64_t arg;     /* kind-specific (message index, fault index, ...) */
    uint32_t target;  /* actor index */
    uint32_t gen;     /* generation stamp: a stale event is ignored by its actor */
    uint16_t kind;    /* sim_event_kind (world.h) */
} sim_event;

typedef struct sim_queue {
    void *heap;        /* compact nodes (queue.c) */
    uint32_t count;
    uint32_t capacity;
    uint64_t next_seq;
} sim_queue;

sg_status sim_queue_init(sim_queue *q, uint32_t capacity);
void sim_queue_free(sim_queue *q);

/* Copies *ev in with the next sequence number (ev->seq is ignored). */
sg_status sim_queue_push(sim_queue *q, const sim_event *ev);

/* Removes the earliest event; false when empty. */
bool sim_queue_pop(sim_queue *q, sim_event *out);

/* Time of the earliest event, SG_TIME_NEVER when empty. */
sg_time_ns sim_queue_peek_time(const sim_queue *q);

#endif

/*
 * queue.c - bounded binary min-heap ordered by (time, sequence).
 *
 * Sift with a hole (move, not swap) to keep the hot path short: the
 * simulator spends most of its time here.
 */
#include "queue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static inline bool before(const sim_event *a, const sim_event *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

sg_status sim_queue_init(sim_queue *q, uint32_t capacity)
{
    assert(q != NULL);
    memset(q, 0, sizeof *q);
    if (capacity == 0) {
        return SG_E_INVALID;
    }
    q->heap = malloc((size_t)capacity * sizeof *q->heap);
    if (q->heap == NULL) {
        return SG_E_NOMEM;
    }
    q->capacity = capacity;
    return SG_OK;
}

void sim_queue_free(sim_queue *q)
{
    if (q != NULL) {
        free(q->heap);
        memset(q, 0, sizeof *q);
    }
}

sg_status sim_queue_push(sim_queue *q, const sim_event *ev)
{
    assert(q != NULL && ev != NULL);
    if (q->count >= q->capacity) {
        return SG_E_FULL;
    }
    sim_event item = *ev;
    item.seq = q->next_seq++;
    uint32_t i = q->count++;
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(&item, &q->heap[parent])) {
            break;
        }
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = item;
    return SG_OK;
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
    assert(q != NULL && out != NULL);
    if (q->count == 0) {
        return false;
    }
    *out = q->heap[0];
    sim_event last = q->heap[--q->count];
    uint32_t n = q->count;
    uint32_t i = 0;
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= n) {
            break;
        }
        if (child + 1 < n && before(&q->heap[child + 1], &q->heap[child])) {
            child++;
        }
        if (!before(&q->heap[child], &last)) {
            break;
        }
        q->heap[i] = q->heap[child];
        i = child;
    }
    if (n > 0) {
        q->heap[i] = last;
    }
    return true;
}

sg_time_ns sim_queue_peek_time(const sim_queue *q)
{
    assert(q != NULL);
    return q->count > 0 ? q->heap[0].at : SG_TIME_NEVER;
}

/*
 * queue.c - bounded 4-ary min-heap ordered by (time, sequence).
 *
 * The simulator spends most of its time here, so the layout is chosen for
 * the cache: a node is 32 bytes (two per cache line; the kind rides in
 * the low 16 bits of the sequence key, which keeps the order since
 * sequences are unique) and the heap is 4-ary (half the depth of a binary
 * heap).  Sifts move a hole instead of swapping.
 */
#include "queue.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define ARITY 4u
#define KIND_BITS 16u
#define SEQ_MAX ((uint64_t)1 << (64 - KIND_BITS))

typedef struct sim_node {
    sg_time_ns at;
    uint64_t key;     /* seq << KIND_BITS | kind */
    uint64_t arg;
    uint32_t target;
    uint32_t gen;
} sim_node;

_Static_assert(sizeof(sim_node) == 32, "two heap nodes per cache line");

static inline bool before(const sim_node *a, const sim_node *b)
{
    return a->at < b->at || (a->at == b->at && a->key < b->key);
}

sg_status sim_queue_init(sim_queue *q, uint32_t capacity)
{
    assert(q != NULL);
    memset(q, 0, sizeof *q);
    if (capacity == 0) {
        return SG_E_INVALID;
    }
    q->heap = malloc((size_t)capacity * sizeof(sim_node));
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
    if (q->count >= q->capacity || q->next_seq >= SEQ_MAX) {
        return SG_E_FULL;
    }
    sim_node *heap = q->heap;
    sim_node item = {.at = ev->at, .key = q->next_seq++ << KIND_BITS | ev->kind, .arg = ev->arg,
                     .target = ev->target, .gen = ev->gen};
    uint32_t i = q->count++;
    while (i > 0) {
        uint32_t parent = (i - 1) / ARITY;
        if (!before(&item, &heap[parent])) {
            break;
        }
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = item;
    return SG_OK;
}

/* Index of the earliest of the (up to ARITY) children starting at `first`. */
static inline uint32_t earliest_child(const sim_node *heap, uint32_t first, uint32_t n)
{
    uint32_t best = first;
    uint32_t end = first + ARITY < n ? first + ARITY : n;
    for (uint32_t c = first + 1; c < end; c++) {
        if (before(&heap[c], &heap[best])) {
            best = c;
        }
    }
    return best;
}

bool sim_queue_pop(sim_queue *q, sim_event *out)
{
    assert(q != NULL && out != NULL);
    if (q->count == 0) {
        return false;
    }
    sim_node *heap = q->heap;
    const sim_node *top = &heap[0];
    *out = (sim_event){.at = top->at, .seq = top->key >> KIND_BITS, .arg = top->arg, .target = top->target,
                       .gen = top->gen, .kind = (uint16_t)(top->key & ((1u << KIND_BITS) - 1u))};
    sim_node last = heap[--q->count];
    uint32_t n = q->count;
    uint32_t i = 0;
    for (;;) {
        uint32_t first = ARITY * i + 1;
        if (first >= n) {
            break;
        }
        uint32_t child = earliest_child(heap, first, n);
        if (!before(&heap[child], &last)) {
            break;
        }
        heap[i] = heap[child];
        i = child;
    }
    if (n > 0) {
        heap[i] = last;
    }
    return true;
}

sg_time_ns sim_queue_peek_time(const sim_queue *q)
{
    assert(q != NULL);
    return q->count > 0 ? ((const sim_node *)q->heap)[0].at : SG_TIME_NEVER;
}

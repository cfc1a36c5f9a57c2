/*
 * bcast_replay.c - the replay buffer: outbound broadcasts not yet on the
 * backbone, oldest first.
 *
 * A ring of item pointers (allocated once, items_max long) holding payload
 * copies allocated per item (fault point "stormglass/bcast/replay_alloc").
 * Both bounds hold at all times for the ring: items <= items_max and payload
 * bytes <= bytes_max; overflow evicts from the front (drop-oldest) and is
 * counted.  The item being replayed leaves the ring (`in_flight`) so its
 * payload stays valid until the driver reports the send.
 *
 * Failed sends come back to the front, after older failed sends (ordered
 * by the sequence number they held), and the ring is then truncated from
 * the front: a partial flush that meets a refilled buffer drops its own
 * oldest entries, never the newer ones behind it (review finding 5; the
 * first fix used a bounded deque's extendleft, which evicted the newest).
 *
 * A dropped item must not vanish silently (swarm class A): one that still
 * holds the number of its failed send leaves that number unused, a hole
 * peers see; any other is counted in lost_unnumbered, and the sender skips
 * that many numbers at its next send.
 */
#include <assert.h>
#include <fiu-local.h>
#include <stdlib.h>
#include <string.h>

#include "bcast_internal.h"

sg_status sg_replay_init(sg_replay *q, uint32_t items_max, uint64_t bytes_max)
{
    assert(q != NULL);
    assert(items_max <= SG_BCAST_REPLAY_ITEMS_MAX && bytes_max <= SG_BCAST_REPLAY_BYTES_MAX);
    memset(q, 0, sizeof *q);
    q->items_max = items_max;
    q->bytes_max = bytes_max;
    if (items_max > 0) {
        /* An array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
        q->ring = sg_bcast_alloc_zeroed(items_max, sizeof(sg_replay_item *));
        if (q->ring == NULL) {
            return SG_E_NOMEM;
        }
    }
    return SG_OK;
}

static sg_replay_item **slot_at(const sg_replay *q, uint32_t i)
{
    assert(i < q->items_max);
    return &q->ring[(q->head + i) % q->items_max];
}

void sg_replay_free(sg_replay *q)
{
    assert(q != NULL);
    for (uint32_t i = 0; i < q->count; i++) {
        free(*slot_at(q, i));
    }
    free(q->in_flight);
    free(q->ring);
    memset(q, 0, sizeof *q);
}

static sg_replay_item *item_copy(const uint8_t *payload, uint32_t len, uint64_t returned_seq)
{
    fiu_return_on("stormglass/bcast/replay_alloc", NULL);
    sg_replay_item *it = malloc(sizeof *it + (size_t)len);
    if (it == NULL) {
        return NULL;
    }
    it->returned_seq = returned_seq;
    it->len = len;
    it->seq_released = false;
    if (len > 0) {
        memcpy(it->data, payload, len);
    }
    return it;
}

static uint32_t snapshot_queued(const sg_replay *q)
{
    uint32_t flying = q->in_flight != NULL ? 1u : 0u;
    return q->snapshot_left > flying ? q->snapshot_left - flying : 0u;
}

/* An item that holds a number nobody else will reuse (a failed send whose
 * number was not given back): dropping it leaves a hole peers will see. */
static bool holds_number(const sg_replay_item *it)
{
    return it->returned_seq != 0 && !it->seq_released;
}

static void evict_front(sg_replay *q)
{
    assert(q->count > 0);
    sg_replay_item *it = *slot_at(q, 0);
    if (!holds_number(it)) {
        q->lost_unnumbered++;
    }
    q->head = (q->head + 1) % q->items_max;
    q->count--;
    assert(q->bytes >= it->len);
    q->bytes -= it->len;
    if (snapshot_queued(q) > 0) {
        q->snapshot_left--;
    }
    free(it);
    q->drops_overflow++;
}

static bool over_bounds(const sg_replay *q, uint32_t extra_items, uint64_t extra_bytes)
{
    return q->count + extra_items > q->items_max || q->bytes + extra_bytes > q->bytes_max;
}

/* Drop-oldest until one more item of len bytes fits; false if it never can. */
static bool make_room(sg_replay *q, uint32_t len)
{
    while (q->count > 0 && over_bounds(q, 1, len)) {
        evict_front(q);
    }
    return !over_bounds(q, 1, len);
}

sg_status sg_replay_push_back(sg_replay *q, const uint8_t *payload, uint32_t len)
{
    assert(q != NULL);
    assert(payload != NULL || len == 0);
    if (q->items_max == 0 || len > q->bytes_max) {
        q->drops_overflow++;
        return SG_E_TOO_BIG;
    }
    sg_replay_item *it = item_copy(payload, len, 0);
    if (it == NULL) {
        q->drops_nomem++;
        return SG_E_NOMEM;
    }
    (void)make_room(q, len);
    *slot_at(q, q->count) = it;
    q->count++;
    q->bytes += len;
    assert(!over_bounds(q, 0, 0));
    return SG_OK;
}

/* Position of a returned item with `seq`: after older returned sends. */
static uint32_t returned_position(const sg_replay *q, uint64_t seq)
{
    uint32_t k = 0;
    while (k < q->count) {
        const sg_replay_item *it = *slot_at(q, k);
        if (it->returned_seq == 0 || it->returned_seq > seq) {
            break;
        }
        k++;
    }
    return k;
}

/* Inserts an item at the front region (ordered by returned_seq), then
 * truncates from the front.  The item itself is dropped when everything
 * before it is gone and it still does not fit: it is the oldest then. */
static void insert_returned(sg_replay *q, sg_replay_item *it)
{
    uint32_t k = returned_position(q, it->returned_seq);
    while (k > 0 && over_bounds(q, 1, it->len)) {
        evict_front(q);
        k--;
    }
    if (over_bounds(q, 1, it->len)) {
        assert(holds_number(it)); /* its number stays burned: the sender will not reuse it */
        free(it);
        q->drops_overflow++;
        return;
    }
    if (q->snapshot_left > 0 && snapshot_queued(q) >= k) {
        q->snapshot_left++; /* older than the round's entries: part of the round */
    }
    q->head = (q->head + q->items_max - 1) % q->items_max;
    q->count++;
    for (uint32_t i = 0; i < k; i++) {
        *slot_at(q, i) = *slot_at(q, i + 1);
    }
    *slot_at(q, k) = it;
    q->bytes += it->len;
    assert(!over_bounds(q, 0, 0));
}

sg_status sg_replay_push_returned(sg_replay *q, const uint8_t *payload, uint32_t len, uint64_t seq)
{
    assert(q != NULL && seq != 0);
    assert(payload != NULL || len == 0);
    if (q->items_max == 0 || len > q->bytes_max) {
        q->drops_overflow++;
        return SG_E_TOO_BIG;
    }
    sg_replay_item *it = item_copy(payload, len, seq);
    if (it == NULL) {
        q->drops_nomem++;
        return SG_E_NOMEM;
    }
    insert_returned(q, it);
    return SG_OK;
}

bool sg_replay_release_returned(sg_replay *q, uint64_t seq)
{
    assert(q != NULL && seq != 0);
    for (uint32_t k = 0; k < q->count; k++) {
        sg_replay_item *it = *slot_at(q, k);
        if (it->returned_seq == 0) {
            return false;
        }
        if (it->returned_seq == seq && !it->seq_released) {
            it->seq_released = true;
            return true;
        }
    }
    return false;
}

void sg_replay_begin_round(sg_replay *q)
{
    assert(q != NULL);
    q->snapshot_left = q->count + (q->in_flight != NULL ? 1u : 0u);
    q->draining = true;
}

const sg_replay_item *sg_replay_take(sg_replay *q, uint64_t seq)
{
    assert(q != NULL && seq != 0);
    if (q->in_flight != NULL || q->count == 0) {
        return NULL;
    }
    sg_replay_item *it = *slot_at(q, 0);
    q->head = (q->head + 1) % q->items_max;
    q->count--;
    q->bytes -= it->len;
    q->in_flight = it;
    q->in_flight_seq = seq;
    return it;
}

void sg_replay_finish(sg_replay *q, bool ok)
{
    assert(q != NULL && q->in_flight != NULL);
    sg_replay_item *it = q->in_flight;
    q->in_flight = NULL;
    if (ok) {
        if (q->snapshot_left > 0) {
            q->snapshot_left--;
        }
        free(it);
        return;
    }
    /* A failure ends the drain; the unsent tail is already at the front of
     * the ring, the failed item goes back before it. */
    q->draining = false;
    q->snapshot_left = 0;
    it->returned_seq = q->in_flight_seq;
    it->seq_released = false;
    insert_returned(q, it);
}

bool sg_replay_empty(const sg_replay *q)
{
    return q->count == 0 && q->in_flight == NULL;
}

uint32_t sg_replay_items(const sg_replay *q)
{
    return q->count + (q->in_flight != NULL ? 1u : 0u);
}

uint64_t sg_replay_total_bytes(const sg_replay *q)
{
    return q->bytes + (q->in_flight != NULL ? q->in_flight->len : 0u);
}

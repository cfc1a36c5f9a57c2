/*
 * bcast_actions.c - the bounded queue of actions for the driver.
 *
 * A fixed ring of SG_BCAST_ACTION_QUEUE_MAX actions inside sg_bcast (no
 * allocation).  Deferrable producers (resync closes, replay publishes) use
 * it only up to QUEUE_MAX - RESERVE and otherwise wait for the next
 * on_timer, so the few actions one event can cause (DISCONNECT, CONNECT,
 * HEALTH, NOTE, SHUTDOWN) always fit when the driver drains the queue
 * after each event as the contract asks.  A driver that never drains it
 * loses actions, counted in actions_dropped; the reader's timeouts then
 * recover a lost CONNECT or SUBSCRIBE, and health_at stays queryable.
 */
#include <assert.h>
#include <string.h>

#include "bcast_internal.h"

void sg_actions_init(sg_actions *q)
{
    assert(q != NULL);
    memset(q, 0, sizeof *q);
}

uint32_t sg_actions_room_deferrable(const sg_actions *q)
{
    assert(q->count <= SG_BCAST_ACTION_QUEUE_MAX);
    uint32_t limit = SG_BCAST_ACTION_QUEUE_MAX - SG_BCAST_ACTION_RESERVE;
    return q->count >= limit ? 0u : limit - q->count;
}

bool sg_actions_pop(sg_actions *q, sg_bcast_action *out)
{
    assert(q != NULL && out != NULL);
    if (q->count == 0) {
        return false;
    }
    *out = q->items[q->head];
    q->head = (q->head + 1) % SG_BCAST_ACTION_QUEUE_MAX;
    q->count--;
    return true;
}

void sg_emit(sg_bcast *b, const sg_bcast_action *a)
{
    assert(b != NULL && a != NULL);
    sg_actions *q = &b->actions;
    if (q->count == SG_BCAST_ACTION_QUEUE_MAX) {
        b->counters.actions_dropped++;
        return;
    }
    q->items[(q->head + q->count) % SG_BCAST_ACTION_QUEUE_MAX] = *a;
    q->count++;
    assert(q->count <= SG_BCAST_ACTION_QUEUE_MAX);
}

void sg_emit_simple(sg_bcast *b, sg_bcast_action_kind kind)
{
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    sg_emit(b, &a);
}

void sg_emit_note(sg_bcast *b, sg_bcast_note_kind note, uint64_t value, uint32_t peer)
{
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_NOTE;
    a.u.note.note = note;
    a.u.note.value = value;
    a.u.note.peer = peer;
    sg_emit(b, &a);
}

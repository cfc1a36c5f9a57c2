/*
 * legacy_util.c - bookkeeping shared by the legacy models (see the header).
 */
#include "legacy_util.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

sg_status legacy_actions_init(legacy_actions *q)
{
    memset(q, 0, sizeof *q);
    q->items = calloc(LEGACY_ACTIONS_MAX, sizeof *q->items);
    return q->items == NULL ? SG_E_NOMEM : SG_OK;
}

void legacy_actions_free(legacy_actions *q)
{
    free(q->items);
    q->items = NULL;
}

void legacy_emit(legacy_actions *q, const sg_bcast_action *a, uint64_t *dropped)
{
    if (q->count == LEGACY_ACTIONS_MAX) {
        (*dropped)++;
        return;
    }
    q->items[(q->head + q->count) % LEGACY_ACTIONS_MAX] = *a;
    q->count++;
}

bool legacy_poll(legacy_actions *q, sg_bcast_action *out)
{
    if (q->count == 0) {
        return false;
    }
    *out = q->items[q->head];
    q->head = (q->head + 1) % LEGACY_ACTIONS_MAX;
    q->count--;
    return true;
}

void legacy_emit_kind(legacy_actions *q, sg_bcast_action_kind kind, uint64_t *dropped)
{
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    legacy_emit(q, &a, dropped);
}

void legacy_emit_note(legacy_actions *q, sg_bcast_note_kind note, uint64_t value, uint64_t *dropped)
{
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_NOTE;
    a.u.note.note = note;
    a.u.note.value = value;
    legacy_emit(q, &a, dropped);
}

void legacy_emit_close(legacy_actions *q, uint32_t index, const legacy_client *c, uint16_t code, uint64_t *dropped)
{
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_CLOSE_CLIENT;
    a.u.close_client.handle.index = index;
    a.u.close_client.handle.generation = c->generation;
    a.u.close_client.cookie = c->cookie;
    a.u.close_client.close_code = code;
    legacy_emit(q, &a, dropped);
}

void legacy_emit_health(legacy_actions *q, bool healthy, sg_health_reason reason, uint64_t *dropped)
{
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_HEALTH;
    a.u.health.healthy = healthy;
    a.u.health.reason = reason;
    legacy_emit(q, &a, dropped);
}

sg_status legacy_clients_init(legacy_clients *t, uint32_t capacity)
{
    memset(t, 0, sizeof *t);
    t->slots = calloc(capacity, sizeof *t->slots);
    t->capacity = capacity;
    t->free_head = UINT32_MAX;
    return t->slots == NULL ? SG_E_NOMEM : SG_OK;
}

void legacy_clients_free(legacy_clients *t)
{
    free(t->slots);
    t->slots = NULL;
}

sg_status legacy_clients_add(legacy_clients *t, uint64_t cookie, sg_client_handle *out)
{
    uint32_t i;
    if (t->free_head != UINT32_MAX) {
        i = t->free_head;
        t->free_head = t->slots[i].next_free;
    } else if (t->high_water < t->capacity) {
        i = t->high_water++;
    } else {
        return SG_E_FULL;
    }
    legacy_client *c = &t->slots[i];
    assert(!c->live);
    c->live = true;
    c->cancelled = false;
    c->cookie = cookie;
    t->count++;
    out->index = i;
    out->generation = c->generation;
    return SG_OK;
}

legacy_client *legacy_clients_get(legacy_clients *t, sg_client_handle h)
{
    if (h.index >= t->high_water) {
        return NULL;
    }
    legacy_client *c = &t->slots[h.index];
    return c->live && c->generation == h.generation ? c : NULL;
}

void legacy_clients_remove(legacy_clients *t, sg_client_handle h)
{
    legacy_client *c = legacy_clients_get(t, h);
    assert(c != NULL);
    c->live = false;
    c->generation++;
    c->next_free = t->free_head;
    t->free_head = h.index;
    t->count--;
}

sg_bcast_header legacy_header(const sg_bcast_config *c, sg_msg_kind kind, uint64_t seq)
{
    sg_bcast_header h;
    memset(&h, 0, sizeof h);
    h.origin = c->worker_id;
    h.kind = (uint8_t)kind;
    h.epoch = c->epoch;
    h.seq = seq;
    return h;
}

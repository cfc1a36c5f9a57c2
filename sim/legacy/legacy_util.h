/*
 * legacy_util.h - plumbing shared by the legacy worker models (never by
 * the core): an action queue, a client table with handles, and header
 * stamping.  The legacy models reproduce what the incident systems did;
 * this file only saves them from re-implementing bookkeeping.
 */
#ifndef STORMGLASS_SIM_LEGACY_UTIL_H
#define STORMGLASS_SIM_LEGACY_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/worker_model.h"

/* Legacy models queue more than the core's 64 actions (a stock storm
 * closes every client at once); still bounded. */
#define LEGACY_ACTIONS_MAX 65536u

typedef struct legacy_actions {
    sg_bcast_action *items;
    uint32_t head;
    uint32_t count;
} legacy_actions;

typedef struct legacy_client {
    uint64_t cookie;
    uint32_t generation;
    bool live;
    bool cancelled; /* closed abnormally by the model: its disconnect path runs twice */
    uint32_t next_free;
} legacy_client;

typedef struct legacy_clients {
    legacy_client *slots;
    uint32_t capacity;
    uint32_t count;
    uint32_t high_water; /* slots [0, high_water) have been used */
    uint32_t free_head;  /* UINT32_MAX: none */
} legacy_clients;

sg_status legacy_actions_init(legacy_actions *q);
void legacy_actions_free(legacy_actions *q);
/* Appends; counts into *dropped when full. */
void legacy_emit(legacy_actions *q, const sg_bcast_action *a, uint64_t *dropped);
bool legacy_poll(legacy_actions *q, sg_bcast_action *out);
void legacy_emit_note(legacy_actions *q, sg_bcast_note_kind note, uint64_t value, uint64_t *dropped);
void legacy_emit_kind(legacy_actions *q, sg_bcast_action_kind kind, uint64_t *dropped);
void legacy_emit_close(legacy_actions *q, uint32_t index, const legacy_client *c, uint16_t code, uint64_t *dropped);
void legacy_emit_health(legacy_actions *q, bool healthy, sg_health_reason reason, uint64_t *dropped);

sg_status legacy_clients_init(legacy_clients *t, uint32_t capacity);
void legacy_clients_free(legacy_clients *t);
/* A free slot (most recently freed first); SG_E_FULL when none. */
sg_status legacy_clients_add(legacy_clients *t, uint64_t cookie, sg_client_handle *out);
/* The live client a handle names, or NULL for a stale/unknown handle. */
legacy_client *legacy_clients_get(legacy_clients *t, sg_client_handle h);
void legacy_clients_remove(legacy_clients *t, sg_client_handle h);

sg_bcast_header legacy_header(const sg_bcast_config *c, sg_msg_kind kind, uint64_t seq);

#endif

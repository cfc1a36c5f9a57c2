/*
 * bb_inbox.h - incoming backbone messages kept in arrival order when some
 * of them arrive in two steps.  PostgreSQL's NOTIFY carries a message
 * inline (base64) or only the id of a row holding it; the row is fetched
 * later, and a message notified after it must not overtake it.  Items wait
 * here until every one before them is complete.
 *
 * Bounded by items_max and bytes_max (SG_E_FULL beyond: the caller ends the
 * session, and the core's gap handling resyncs from the state store).
 */
#ifndef STORMGLASS_SD_BB_INBOX_H
#define STORMGLASS_SD_BB_INBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"

typedef struct bb_inbox_item bb_inbox_item;

typedef struct bb_inbox {
    bb_inbox_item *head, *tail;
    uint32_t count, items_max;
    uint64_t bytes, bytes_max;
    uint64_t next_ticket;
} bb_inbox;

void bb_inbox_init(bb_inbox *in, uint32_t items_max, uint64_t bytes_max);
void bb_inbox_clear(bb_inbox *in);
void bb_inbox_free(bb_inbox *in);

/* A complete message given as base64 text (SG_E_INVALID if it is not). */
sg_status bb_inbox_push_base64(bb_inbox *in, const char *text);
/* Reserves the slot, in arrival order, of a message whose bytes come in a
 * second step (a spilled row); *ticket names the slot. */
sg_status bb_inbox_push_pending(bb_inbox *in, uint64_t *ticket);
/* Fills the reserved slot `ticket` (unknown tickets are ignored: the
 * inbox was cleared since).  SG_E_FULL over the byte bound. */
sg_status bb_inbox_fill(bb_inbox *in, uint64_t ticket, const uint8_t *msg, size_t len);

/* The oldest message if it is complete. */
bool bb_inbox_head(const bb_inbox *in, const uint8_t **msg, size_t *len);
void bb_inbox_pop(bb_inbox *in);
uint32_t bb_inbox_count(const bb_inbox *in);

#endif

/*
 * ilist.h - intrusive doubly-linked lists of table indices (internal).
 *
 * The notifier's ready list and the fence's tombstone list both link
 * entries of a fixed table in some order and unlink any of them in O(1).
 * The links live in an array parallel to the table (one sg_ilink per
 * entry, allocated with it), so a list can never hold more entries than
 * the table and needs no allocation of its own.
 */
#ifndef STORMGLASS_ILIST_H
#define STORMGLASS_ILIST_H

#include <stdbool.h>
#include <stdint.h>

#define SG_ILIST_NIL UINT32_MAX

typedef struct sg_ilink {
    uint32_t prev, next;
} sg_ilink;

typedef struct sg_ilist {
    uint32_t head, tail;
    uint32_t len;
} sg_ilist;

/* An empty list, and `count` unlinked links. */
void sg_ilist_init(sg_ilist *list, sg_ilink *links, uint32_t count);
void sg_ilist_push_tail(sg_ilist *list, sg_ilink *links, uint32_t index);
void sg_ilist_unlink(sg_ilist *list, sg_ilink *links, uint32_t index);
/* Unlinks and returns the head; SG_ILIST_NIL when empty. */
uint32_t sg_ilist_pop_head(sg_ilist *list, sg_ilink *links);

#endif

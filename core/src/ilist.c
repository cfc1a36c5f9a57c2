/*
 * ilist.c - intrusive index lists (see ilist.h).
 */
#include "ilist.h"

#include <assert.h>

void sg_ilist_init(sg_ilist *list, sg_ilink *links, uint32_t count)
{
    list->head = SG_ILIST_NIL;
    list->tail = SG_ILIST_NIL;
    list->len = 0;
    for (uint32_t i = 0; i < count; i++) {
        links[i].prev = SG_ILIST_NIL;
        links[i].next = SG_ILIST_NIL;
    }
}

void sg_ilist_push_tail(sg_ilist *list, sg_ilink *links, uint32_t index)
{
    assert(index != SG_ILIST_NIL);
    assert(list->head != index && links[index].prev == SG_ILIST_NIL); /* not linked yet */
    links[index].prev = list->tail;
    links[index].next = SG_ILIST_NIL;
    if (list->tail == SG_ILIST_NIL) {
        list->head = index;
    } else {
        links[list->tail].next = index;
    }
    list->tail = index;
    list->len++;
}

void sg_ilist_unlink(sg_ilist *list, sg_ilink *links, uint32_t index)
{
    sg_ilink *l = &links[index];
    assert(list->len > 0);
    if (l->prev == SG_ILIST_NIL) {
        assert(list->head == index);
        list->head = l->next;
    } else {
        links[l->prev].next = l->next;
    }
    if (l->next == SG_ILIST_NIL) {
        list->tail = l->prev;
    } else {
        links[l->next].prev = l->prev;
    }
    l->prev = SG_ILIST_NIL;
    l->next = SG_ILIST_NIL;
    list->len--;
}

uint32_t sg_ilist_pop_head(sg_ilist *list, sg_ilink *links)
{
    uint32_t index = list->head;
    if (index != SG_ILIST_NIL) {
        sg_ilist_unlink(list, links, index);
    }
    return index;
}

/*
 * bcast_registry.c - the worker's local clients: slots with generations.
 *
 * A client is a slot index plus the slot's generation at registration;
 * freeing a slot bumps the generation, so a second unregister or any stale
 * handle is detected and refused (the caller counts it) instead of
 * removing somebody else - the list.remove storm of the stock library.
 * Each registration also gets a serial number: a resync closes only the
 * clients registered before it started, never the ones reconnecting in
 * response to it, and a refetch reaches only those registered while the
 * reader was not reading.  Slots are allocated once (capacity = clients_max) and
 * recycled through a LIFO free list, so live clients stay packed at low
 * indices and a resync walk over [0, high_water) is short.
 */
#include <assert.h>
#include <stdlib.h>

#include "bcast_internal.h"

sg_status sg_registry_init(sg_registry *r, uint32_t capacity)
{
    assert(r != NULL);
    assert(capacity > 0 && capacity <= SG_BCAST_CLIENTS_MAX);
    r->slots = sg_bcast_alloc_zeroed(capacity, sizeof *r->slots);
    if (r->slots == NULL) {
        return SG_E_NOMEM;
    }
    r->capacity = capacity;
    r->count = 0;
    r->high_water = 0;
    r->free_head = SG_REG_NONE;
    r->next_serial = 1;
    return SG_OK;
}

void sg_registry_free(sg_registry *r)
{
    assert(r != NULL);
    free(r->slots);
    r->slots = NULL;
}

sg_status sg_registry_add(sg_registry *r, uint64_t cookie, sg_client_handle *out)
{
    assert(r != NULL && out != NULL);
    assert(r->count <= r->capacity);
    uint32_t index;
    if (r->free_head != SG_REG_NONE) {
        index = r->free_head;
        r->free_head = r->slots[index].next_free;
    } else if (r->high_water < r->capacity) {
        index = r->high_water++;
    } else {
        return SG_E_FULL;
    }
    sg_reg_slot *s = &r->slots[index];
    assert(s->serial == 0);
    s->cookie = cookie;
    s->serial = r->next_serial++;
    s->next_free = SG_REG_NONE;
    r->count++;
    out->index = index;
    out->generation = s->generation;
    return SG_OK;
}

static bool handle_live(const sg_registry *r, sg_client_handle h)
{
    return h.index < r->high_water && r->slots[h.index].serial != 0 && r->slots[h.index].generation == h.generation;
}

sg_status sg_registry_remove(sg_registry *r, sg_client_handle handle)
{
    assert(r != NULL);
    if (!handle_live(r, handle)) {
        return SG_E_NOT_FOUND;
    }
    assert(r->count > 0);
    sg_reg_slot *s = &r->slots[handle.index];
    s->serial = 0;
    s->generation++;
    s->next_free = r->free_head;
    r->free_head = handle.index;
    r->count--;
    return SG_OK;
}

bool sg_registry_registered_between(const sg_registry *r, uint32_t index, uint64_t from, uint64_t to,
                                    sg_client_handle *handle, uint64_t *cookie)
{
    assert(r != NULL && handle != NULL && cookie != NULL);
    if (index >= r->high_water) {
        return false;
    }
    const sg_reg_slot *s = &r->slots[index];
    if (s->serial == 0 || s->serial < from || s->serial >= to) {
        return false;
    }
    handle->index = index;
    handle->generation = s->generation;
    *cookie = s->cookie;
    return true;
}

bool sg_registry_registered_before(const sg_registry *r, uint32_t index, uint64_t serial, sg_client_handle *handle,
                                   uint64_t *cookie)
{
    return sg_registry_registered_between(r, index, 1, serial, handle, cookie);
}

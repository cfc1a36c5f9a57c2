/*
 * bb_inbox.c - ordered incoming messages with two-step arrivals
 * (bb_inbox.h).
 */
#include "bb_inbox.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "bb_base64.h"

struct bb_inbox_item {
    uint64_t ticket;
    bool ready;
    size_t len;
    uint8_t *data;
    struct bb_inbox_item *next;
};

void bb_inbox_init(bb_inbox *in, uint32_t items_max, uint64_t bytes_max)
{
    assert(in != NULL);
    memset(in, 0, sizeof *in);
    in->items_max = items_max;
    in->bytes_max = bytes_max;
    in->next_ticket = 1;
}

void bb_inbox_clear(bb_inbox *in)
{
    while (in->head != NULL) {
        bb_inbox_pop(in);
    }
}

void bb_inbox_free(bb_inbox *in)
{
    bb_inbox_clear(in);
}

static sg_status append(bb_inbox *in, bb_inbox_item **out)
{
    if (in->count >= in->items_max) {
        return SG_E_FULL;
    }
    bb_inbox_item *it = calloc(1, sizeof *it);
    if (it == NULL) {
        return SG_E_NOMEM;
    }
    it->ticket = in->next_ticket++;
    if (in->tail != NULL) {
        in->tail->next = it;
    } else {
        in->head = it;
    }
    in->tail = it;
    in->count++;
    *out = it;
    return SG_OK;
}

sg_status bb_inbox_push_base64(bb_inbox *in, const char *text)
{
    size_t tlen = strlen(text);
    size_t max = tlen / 4 * 3;
    if (in->bytes + max > in->bytes_max) {
        return SG_E_FULL;
    }
    uint8_t *data = malloc(max > 0 ? max : 1);
    size_t len = 0;
    if (data == NULL) {
        return SG_E_NOMEM;
    }
    sg_status st = bb_base64_decode(text, tlen, data, &len);
    bb_inbox_item *it = NULL;
    if (st == SG_OK) {
        st = append(in, &it);
    }
    if (st != SG_OK) {
        free(data);
        return st;
    }
    it->ready = true;
    it->data = data;
    it->len = len;
    in->bytes += len;
    return SG_OK;
}

sg_status bb_inbox_push_pending(bb_inbox *in, uint64_t *ticket)
{
    bb_inbox_item *it = NULL;
    sg_status st = append(in, &it);
    if (st == SG_OK) {
        *ticket = it->ticket;
    }
    return st;
}

sg_status bb_inbox_fill(bb_inbox *in, uint64_t ticket, const uint8_t *msg, size_t len)
{
    for (bb_inbox_item *it = in->head; it != NULL; it = it->next) {
        if (it->ticket != ticket || it->ready) {
            continue;
        }
        if (in->bytes + len > in->bytes_max) {
            return SG_E_FULL;
        }
        it->data = malloc(len > 0 ? len : 1);
        if (it->data == NULL) {
            return SG_E_NOMEM;
        }
        memcpy(it->data, msg, len);
        it->len = len;
        it->ready = true;
        in->bytes += len;
        return SG_OK;
    }
    return SG_OK;
}

bool bb_inbox_head(const bb_inbox *in, const uint8_t **msg, size_t *len)
{
    if (in->head == NULL || !in->head->ready) {
        return false;
    }
    *msg = in->head->data;
    *len = in->head->len;
    return true;
}

void bb_inbox_pop(bb_inbox *in)
{
    bb_inbox_item *it = in->head;
    if (it == NULL) {
        return;
    }
    in->head = it->next;
    if (in->head == NULL) {
        in->tail = NULL;
    }
    assert(in->count > 0 && in->bytes >= it->len);
    in->count--;
    in->bytes -= it->len;
    free(it->data);
    free(it);
}

uint32_t bb_inbox_count(const bb_inbox *in)
{
    return in->count;
}

/*
 * bcast_peers.c - what this worker last heard from each origin: (epoch,
 * last DATA sequence), so a jump or an unexplained epoch change reveals
 * missed messages even when our own connection never dropped (Redis kills
 * slow subscribers silently; a LISTEN session can be half-open).
 *
 * A fixed table of `max` entries (allocated at create) with an open-
 * addressing index (linear probing, backward-shift deletion).  When full,
 * the least recently heard origin is evicted and counted; its next message
 * is then a fresh baseline (no gap can be judged for it), which is the
 * price of a bound.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "bcast_internal.h"

static uint32_t hash_origin(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

sg_status sg_peers_init(sg_peers *p, uint32_t max)
{
    assert(p != NULL);
    assert(max > 0 && max <= SG_BCAST_PEERS_MAX);
    memset(p, 0, sizeof *p);
    uint32_t slots = 1;
    while (slots < 2 * max) {
        slots <<= 1;
    }
    p->entries = sg_bcast_alloc_zeroed(max, sizeof *p->entries);
    p->index = sg_bcast_alloc_zeroed(slots, sizeof *p->index);
    if (p->entries == NULL || p->index == NULL) {
        sg_peers_free(p);
        return SG_E_NOMEM;
    }
    p->max = max;
    p->index_mask = slots - 1;
    return SG_OK;
}

void sg_peers_free(sg_peers *p)
{
    assert(p != NULL);
    free(p->entries);
    free(p->index);
    p->entries = NULL;
    p->index = NULL;
}

/* Index slot holding origin, or the empty slot where it would go. */
static uint32_t probe(const sg_peers *p, uint32_t origin, bool *found)
{
    uint32_t i = hash_origin(origin) & p->index_mask;
    for (uint32_t n = 0; n <= p->index_mask; n++) {
        uint32_t e = p->index[i];
        if (e == 0) {
            *found = false;
            return i;
        }
        if (p->entries[e - 1].origin == origin) {
            *found = true;
            return i;
        }
        i = (i + 1) & p->index_mask;
    }
    assert(0 && "index is at most half full");
    *found = false;
    return 0;
}

/* True when `home` lies cyclically in (hole, j]: the entry may not move to hole. */
static bool stays(uint32_t home, uint32_t hole, uint32_t j)
{
    if (hole <= j) {
        return home > hole && home <= j;
    }
    return home > hole || home <= j;
}

static void index_delete(sg_peers *p, uint32_t hole)
{
    p->index[hole] = 0;
    uint32_t j = hole;
    for (;;) {
        j = (j + 1) & p->index_mask;
        uint32_t e = p->index[j];
        if (e == 0) {
            return;
        }
        uint32_t home = hash_origin(p->entries[e - 1].origin) & p->index_mask;
        if (!stays(home, hole, j)) {
            p->index[hole] = e;
            p->entries[e - 1].slot = hole;
            p->index[j] = 0;
            hole = j;
        }
    }
}

/* Frees the least recently used entry; returns its number. */
static uint32_t evict_lru(sg_peers *p)
{
    assert(p->count == p->max);
    uint32_t victim = 0;
    for (uint32_t e = 1; e < p->count; e++) {
        if (p->entries[e].last_use < p->entries[victim].last_use) {
            victim = e;
        }
    }
    index_delete(p, p->entries[victim].slot);
    p->evictions++;
    return victim;
}

static sg_peer *insert(sg_peers *p, uint32_t origin)
{
    uint32_t e;
    if (p->count < p->max) {
        e = p->count++;
    } else {
        e = evict_lru(p);
    }
    bool found = false;
    uint32_t slot = probe(p, origin, &found);
    assert(!found);
    p->index[slot] = e + 1;
    sg_peer *peer = &p->entries[e];
    memset(peer, 0, sizeof *peer);
    peer->origin = origin;
    peer->slot = slot;
    return peer;
}

sg_peer_verdict sg_peers_observe(sg_peers *p, uint32_t origin, uint64_t epoch, uint64_t seq, uint64_t *missed)
{
    assert(p != NULL && missed != NULL);
    *missed = 0;
    p->clock++;
    bool found = false;
    uint32_t slot = probe(p, origin, &found);
    if (!found) {
        sg_peer *fresh = insert(p, origin);
        fresh->epoch = epoch;
        fresh->last_seq = seq;
        fresh->last_use = p->clock;
        return SG_PEER_FIRST;
    }
    sg_peer *peer = &p->entries[p->index[slot] - 1];
    assert(peer->origin == origin);
    peer->last_use = p->clock;
    if (peer->epoch != epoch) {
        peer->epoch = epoch;
        peer->last_seq = seq;
        *missed = seq > 1 ? seq - 1 : 0;
        return seq == 1 ? SG_PEER_RESTART : SG_PEER_EPOCH_GAP;
    }
    if (seq <= peer->last_seq) {
        return SG_PEER_DUPLICATE;
    }
    uint64_t jump = seq - peer->last_seq;
    peer->last_seq = seq;
    if (jump == 1) {
        return SG_PEER_NEXT;
    }
    *missed = jump - 1;
    return SG_PEER_SEQ_GAP;
}

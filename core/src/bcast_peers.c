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
 *
 * Epochs (swarm class B): a worker that crashes loses whatever it had
 * buffered, and its next epoch starts at seq 1 like a clean restart.  So
 * an entry remembers whether its epoch ended with a goodbye that left
 * nothing missing (SG_PEER_CLEAN); only then is a new epoch starting at 1
 * a clean restart (a graceful rolling restart resyncs nobody).  A new
 * epoch without it is an epoch gap: the peer may have died with messages
 * we never saw.  Entries learned in an earlier reader run are rebased when
 * a new run subscribes (SG_PEER_REBASE): their next new number or epoch is
 * a baseline, and a crash shows then only through the after-loss flag of
 * the successor's first message (bcast_message.c).
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
            p->entries[e - 1].slot = (uint16_t)hole;
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
    assert(slot <= UINT16_MAX);
    p->index[slot] = e + 1;
    sg_peer *peer = &p->entries[e];
    memset(peer, 0, sizeof *peer);
    peer->origin = origin;
    peer->slot = (uint16_t)slot;
    return peer;
}

/* The entry for origin (touched for LRU), or NULL when unknown. */
static sg_peer *lookup(sg_peers *p, uint32_t origin)
{
    p->clock++;
    bool found = false;
    uint32_t slot = probe(p, origin, &found);
    if (!found) {
        return NULL;
    }
    sg_peer *peer = &p->entries[p->index[slot] - 1];
    assert(peer->origin == origin);
    peer->last_use = p->clock;
    return peer;
}

static void baseline(sg_peers *p, uint32_t origin, uint64_t epoch, uint64_t seq, uint8_t flags)
{
    sg_peer *fresh = insert(p, origin);
    fresh->epoch = epoch;
    fresh->last_seq = seq;
    fresh->last_use = p->clock;
    fresh->flags = flags;
}

/* Origin's epoch changed; `missed` = messages of the new epoch before
 * `seq_seen`.  A restart is clean only after a complete goodbye and with
 * nothing of the new epoch missed. */
static sg_peer_verdict new_epoch(sg_peer *peer, uint64_t epoch, uint64_t missed, uint64_t last_seq, uint8_t flags,
                                 uint64_t *out_missed)
{
    bool clean = (peer->flags & SG_PEER_CLEAN) != 0;
    peer->epoch = epoch;
    peer->last_seq = last_seq;
    peer->flags = flags;
    *out_missed = missed;
    return clean && missed == 0 ? SG_PEER_RESTART : SG_PEER_EPOCH_GAP;
}

void sg_peers_rebase(sg_peers *p)
{
    assert(p != NULL && p->count <= p->max);
    for (uint32_t e = 0; e < p->count; e++) {
        p->entries[e].flags |= SG_PEER_REBASE;
    }
}

/* An entry from an earlier run meets something new: start over from it,
 * as from an origin never heard of (what it sent in between predates our
 * subscription, so the clients' fetches cover it).  That holds for a new
 * epoch too: had the peer crashed with publishes buffered, its new
 * instance flags its first message, and the first-seen rules see the flag
 * (bcast_message.c); only in a blind run is a new epoch doubtful
 * (SG_PEER_FIRST_NEW_EPOCH).  An older number of the same epoch is a
 * duplicate. */
static bool rebased(sg_peer *peer, uint64_t epoch, uint64_t seq, uint8_t flags)
{
    if (!(peer->flags & SG_PEER_REBASE) || (peer->epoch == epoch && seq <= peer->last_seq)) {
        return false;
    }
    peer->epoch = epoch;
    peer->last_seq = seq;
    peer->flags = flags;
    return true;
}

sg_peer_verdict sg_peers_observe(sg_peers *p, uint32_t origin, uint64_t epoch, uint64_t seq, uint64_t *missed)
{
    assert(p != NULL && missed != NULL);
    *missed = 0;
    sg_peer *peer = lookup(p, origin);
    if (peer == NULL) {
        baseline(p, origin, epoch, seq, 0);
        *missed = seq > 1 ? seq - 1 : 0;
        return SG_PEER_FIRST;
    }
    uint64_t known_epoch = peer->epoch;
    uint64_t known = peer->last_seq;
    if (rebased(peer, epoch, seq, 0)) {
        *missed = known_epoch == epoch ? seq - known - 1 : (seq > 1 ? seq - 1 : 0);
        return known_epoch == epoch ? SG_PEER_FIRST : SG_PEER_FIRST_NEW_EPOCH;
    }
    if (peer->epoch != epoch) {
        return new_epoch(peer, epoch, seq > 1 ? seq - 1 : 0, seq, 0, missed);
    }
    if (seq <= peer->last_seq) {
        return SG_PEER_DUPLICATE;
    }
    uint64_t jump = seq - peer->last_seq;
    peer->last_seq = seq;
    peer->flags &= (uint8_t)~SG_PEER_CLEAN; /* the epoch goes on after all */
    if (jump == 1) {
        return SG_PEER_NEXT;
    }
    *missed = jump - 1;
    return SG_PEER_SEQ_GAP;
}

sg_peer_verdict sg_peers_goodbye(sg_peers *p, uint32_t origin, uint64_t epoch, uint64_t last, uint64_t *missed)
{
    assert(p != NULL && missed != NULL);
    *missed = 0;
    sg_peer *peer = lookup(p, origin);
    if (peer == NULL) {
        baseline(p, origin, epoch, last, SG_PEER_CLEAN);
        *missed = last;
        return SG_PEER_FIRST;
    }
    uint64_t known_epoch = peer->epoch;
    uint64_t known = peer->last_seq;
    if (rebased(peer, epoch, last, SG_PEER_CLEAN)) {
        *missed = known_epoch == epoch ? last - known : last;
        return known_epoch == epoch ? SG_PEER_FIRST : SG_PEER_FIRST_NEW_EPOCH;
    }
    if (peer->epoch != epoch) {
        return new_epoch(peer, epoch, last, last, SG_PEER_CLEAN, missed);
    }
    peer->flags |= SG_PEER_CLEAN;
    if (last <= peer->last_seq) {
        return SG_PEER_NEXT;
    }
    *missed = last - peer->last_seq;
    peer->last_seq = last; /* the gap is reported now; the next epoch is clean */
    return SG_PEER_SEQ_GAP;
}

/*
 * bcast_message.c - the verdict on each message read from the backbone,
 * and the gap rules that look beyond our own connection.
 *
 * Every DATA message carries (origin, epoch, seq).  Per origin:
 *   first message ever (or after LRU eviction)  baseline, deliver
 *   same epoch, seq == last + 1                 deliver
 *   same epoch, seq <= last                     SKIP_DUPLICATE (replays are at-least-once)
 *   same epoch, seq >  last + 1                 deliver, then a SEQUENCE gap
 *   new epoch,  seq == 1                        deliver: the peer restarted cleanly
 *   new epoch,  seq >  1                        deliver, then an EPOCH gap
 * The seq == 1 refinement keeps a rolling restart of the fleet from
 * resyncing every worker: a restarted peer starts a new epoch at 1 and
 * nothing of the new epoch was missed.
 *
 * Our own messages: under IMMEDIATE they were delivered at publish time,
 * so the echo is SKIP_OWN.  Under ON_ECHO the echo is the delivery (the
 * worker's clients see the fleet's order); own echoes are checked for
 * duplicates and jumps against the numbers we sent, starting at 1.
 * Heartbeats are consumed by the watchdog and never count toward gaps.
 * Any message read while READING proves the session alive.
 */
#include <assert.h>

#include "bcast_internal.h"

static sg_msg_verdict own_echo(sg_bcast *b, const sg_bcast_header *h)
{
    b->counters.own_echoes++;
    if (b->config.delivery == SG_DELIVERY_IMMEDIATE) {
        return SG_MSG_SKIP_OWN;
    }
    if (h->seq <= b->own_echo_seq) {
        b->counters.duplicates_skipped++;
        return SG_MSG_SKIP_DUPLICATE;
    }
    assert(h->seq > b->own_echo_seq);
    uint64_t missed = h->seq - b->own_echo_seq - 1u;
    b->own_echo_seq = h->seq;
    b->counters.messages_delivered++;
    if (missed > 0) {
        sg_recovery_gap(b, SG_NOTE_GAP_SEQUENCE, missed, h->origin);
    }
    return SG_MSG_DELIVER;
}

static sg_msg_verdict peer_message(sg_bcast *b, const sg_bcast_header *h)
{
    uint64_t missed = 0;
    sg_peer_verdict v = sg_peers_observe(&b->peers, h->origin, h->epoch, h->seq, &missed);
    if (v == SG_PEER_DUPLICATE) {
        b->counters.duplicates_skipped++;
        return SG_MSG_SKIP_DUPLICATE;
    }
    b->counters.messages_delivered++;
    if (v == SG_PEER_SEQ_GAP) {
        sg_recovery_gap(b, SG_NOTE_GAP_SEQUENCE, missed, h->origin);
    } else if (v == SG_PEER_EPOCH_GAP) {
        sg_recovery_gap(b, SG_NOTE_GAP_EPOCH, missed, h->origin);
    }
    return SG_MSG_DELIVER;
}

sg_msg_verdict sg_message_judge(sg_bcast *b, const sg_bcast_header *h)
{
    if (h == NULL || (h->kind != SG_MSG_DATA && h->kind != SG_MSG_HEARTBEAT)) {
        b->counters.events_ignored++;
        return SG_MSG_SKIP_INVALID;
    }
    if (b->reader.state != SG_READER_READING) {
        b->counters.messages_while_not_reading++;
        return SG_MSG_SKIP_NOT_READING;
    }
    sg_reader_heard(b);
    if (h->kind == SG_MSG_HEARTBEAT) {
        b->counters.heartbeats_seen++;
        return SG_MSG_SKIP_HEARTBEAT;
    }
    if (h->origin == b->config.worker_id && h->epoch == b->config.epoch) {
        return own_echo(b, h);
    }
    return peer_message(b, h);
}

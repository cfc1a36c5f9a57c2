/*
 * bcast_message.c - the verdict on each message read from the backbone,
 * and the gap rules that look beyond our own connection.
 *
 * Every DATA message carries (origin, epoch, seq).  Per origin:
 *   first message ever (or after LRU eviction)  baseline, deliver
 *   same epoch, seq == last + 1                 deliver
 *   same epoch, seq <= last                     SKIP_DUPLICATE (replays are at-least-once)
 *   same epoch, seq >  last + 1                 deliver, then a SEQUENCE gap
 *   new epoch,  seq == 1, after a clean goodbye deliver: the peer restarted cleanly
 *   new epoch,  otherwise                       deliver, then an EPOCH gap
 * A GOODBYE (seq = the last DATA number of its epoch) is never delivered:
 * a last number above what we saw is a SEQUENCE gap at once, and the epoch
 * is then marked clean.  A graceful restart (goodbye, new epoch at 1)
 * therefore resyncs nobody, so a rolling restart of the fleet stays
 * quiet; a crash (no goodbye) is an EPOCH gap at every peer, because the
 * crashed worker's buffered publishes died with it (swarm class B).
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
    sg_publish_echo_heard(b, h->seq);
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

/* Gap consequences of a peer verdict.  A baseline (an origin first heard
 * in this run) is no gap: what it sent before predates our subscription,
 * and the clients' fetches cover it.  Two exceptions, where that cannot be
 * told: the origin flags a loss of its own right before this message (it
 * may be newer than our subscription; even at seq 1, when its previous
 * instance died with publishes buffered), or the run is blind (after a
 * quiet reconnect the origin may have published while we were not
 * listening; a known origin would show a jump, or a new epoch: its old
 * one may have gone on and ended meanwhile). */
static void peer_gap(sg_bcast *b, sg_peer_verdict v, uint64_t missed, const sg_bcast_header *h)
{
    bool flagged = (h->flags & SG_MSG_FLAG_AFTER_LOSS) != 0;
    bool first = v == SG_PEER_FIRST || v == SG_PEER_FIRST_NEW_EPOCH;
    bool doubtful_first = first && (flagged || (missed > 0 && b->reader.blind));
    if (doubtful_first || v == SG_PEER_SEQ_GAP) {
        sg_recovery_gap(b, SG_NOTE_GAP_SEQUENCE, missed, h->origin);
    } else if (v == SG_PEER_EPOCH_GAP || (v == SG_PEER_RESTART && flagged) ||
               (v == SG_PEER_FIRST_NEW_EPOCH && b->reader.blind)) {
        /* a flagged first message of a new epoch: an epoch we never saw
         * (between the clean one we know and this one) died unclean; a
         * known origin's new epoch in a blind run: the epoch we knew may
         * have published (and said goodbye) while we were not listening */
        sg_recovery_gap(b, SG_NOTE_GAP_EPOCH, missed, h->origin);
    } else if (v == SG_PEER_RESTART) {
        b->counters.peer_restarts_clean++;
    }
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
    peer_gap(b, v, missed, h);
    return SG_MSG_DELIVER;
}

static sg_msg_verdict goodbye(sg_bcast *b, const sg_bcast_header *h)
{
    if (h->origin == b->config.worker_id && h->epoch == b->config.epoch) {
        return SG_MSG_SKIP_GOODBYE; /* our own, read back on the way out */
    }
    b->counters.goodbyes_seen++;
    uint64_t missed = 0;
    sg_peer_verdict v = sg_peers_goodbye(&b->peers, h->origin, h->epoch, h->seq, &missed);
    peer_gap(b, v, missed, h);
    return SG_MSG_SKIP_GOODBYE;
}

sg_msg_verdict sg_message_judge(sg_bcast *b, const sg_bcast_header *h)
{
    if (h == NULL || (h->kind != SG_MSG_DATA && h->kind != SG_MSG_HEARTBEAT && h->kind != SG_MSG_GOODBYE)) {
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
    if (h->kind == SG_MSG_GOODBYE) {
        return goodbye(b, h);
    }
    if (h->origin == b->config.worker_id && h->epoch == b->config.epoch) {
        return own_echo(b, h);
    }
    return peer_message(b, h);
}

void sg_message_rebase(sg_bcast *b)
{
    sg_peers_rebase(&b->peers);
    /* our own numbers up to now (lost ones included) went out before this
     * run subscribed: under ON_ECHO their echoes are no gap either */
    uint64_t before = b->next_seq - 1u + sg_publish_pending_skips(b);
    if (b->own_echo_seq < before) {
        b->own_echo_seq = before;
    }
}

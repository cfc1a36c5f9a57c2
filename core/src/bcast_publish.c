/*
 * bcast_publish.c - outbound broadcasts: the verdict for a local publish,
 * sequence stamping, send results and the replay drain.
 *
 * DATA messages from this worker carry seq 1, 2, 3, ... per epoch, stamped
 * when a message goes on the wire (a direct SEND or a replay PUBLISH), not
 * when it is buffered.  A failed send whose copy is queued gives its number
 * back when no later number is outstanding, so the copy's resend reuses it
 * and peers see no phantom gap (failures reported in order rewind one by
 * one, via the numbers their queued copies still hold).
 *
 * A publish the worker loses must be visible to its peers as a sequence
 * gap (swarm class A: otherwise their clients stay stale for good).  So
 * every publish consumes one number whether or not it reaches the wire:
 * one dropped at publish time (poison, buffering off, no memory) or evicted
 * from the buffer without a number of its own adds a skip, and the next
 * stamp jumps over the skipped numbers; a failed send whose copy could not
 * be kept never gets its number back.  The origin's own echo sees the same
 * jump, so under ON_ECHO its own clients resync too.
 *
 * A publish goes straight out only while the reader reads, the buffer is
 * empty and no replay is in flight; otherwise it queues behind the buffer,
 * so this origin's messages reach the wire in publish order.  The drain
 * sends one replay item at a time (its result decides whether the next
 * goes), continuing past the round's snapshot until the buffer is empty.
 */
#include <assert.h>
#include <string.h>

#include "bcast_internal.h"

static sg_bcast_header data_header(const sg_bcast *b, uint64_t seq)
{
    sg_bcast_header h = sg_own_header(b, SG_MSG_DATA, seq);
    h.flags = seq == b->loss_mark ? SG_MSG_FLAG_AFTER_LOSS : 0u;
    return h;
}

static bool is_poison(const sg_bcast *b, const uint8_t *payload, uint32_t len)
{
    return (payload == NULL && len > 0) || len > b->config.backbone_payload_max;
}

/* Publishes lost so far that hold no number: the next stamp skips them. */
uint64_t sg_publish_pending_skips(const sg_bcast *b)
{
    return b->seq_skip + b->replay.lost_unnumbered;
}

/* The number for the next message on the wire, past any lost publishes;
 * the first one after a (suspected) loss is marked for the flag.  A failed
 * send of the marked number that is re-stamped later keeps the flag: the
 * rewind cannot pass the skipped numbers below it. */
static uint64_t stamp_seq(sg_bcast *b)
{
    uint64_t skip = sg_publish_pending_skips(b);
    assert(b->next_seq >= 1 && b->next_seq < UINT64_MAX - skip);
    b->next_seq += skip;
    b->counters.seq_skips += skip;
    b->seq_skip = 0;
    b->replay.lost_unnumbered = 0;
    if (skip > 0 || b->loss_suspect) {
        b->loss_mark = b->next_seq;
        b->loss_suspect = false;
    }
    b->sent_in_session = true;
    return b->next_seq++;
}

/* The reader left READING: if the session broke, what we sent in it and
 * have not read back may not have arrived (the connection died after the
 * write, or it was half-open).  A deliberate stop closes cleanly. */
void sg_publish_session_ended(sg_bcast *b, bool failed)
{
    if (b->sent_in_session && failed) {
        b->loss_suspect = true;
    }
    b->sent_in_session = false;
}

void sg_publish_echo_heard(sg_bcast *b, uint64_t seq)
{
    if (seq + 1u >= b->next_seq) {
        b->sent_in_session = false; /* the newest is back: the backbone has them all */
    }
}

static sg_publish_verdict dropped(sg_bcast *b)
{
    b->seq_skip++;
    return SG_PUBLISH_DROPPED;
}

static sg_publish_verdict buffer_publish(sg_bcast *b, const uint8_t *payload, uint32_t len)
{
    if (b->config.replay_items_max == 0) {
        b->counters.publish_drops++;
        return dropped(b);
    }
    if (sg_replay_push_back(&b->replay, payload, len) != SG_OK) {
        return dropped(b); /* counted by the buffer (nomem) */
    }
    b->counters.buffered++;
    return SG_PUBLISH_BUFFERED;
}

sg_publish_result sg_publish_decide(sg_bcast *b, const uint8_t *payload, uint32_t len)
{
    sg_publish_result res;
    memset(&res, 0, sizeof res);
    res.deliver_locally = b->config.delivery == SG_DELIVERY_IMMEDIATE;
    if (is_poison(b, payload, len)) {
        b->counters.replay_drops_poison++;
        res.verdict = dropped(b);
        return res;
    }
    if (b->reader.state == SG_READER_READING && sg_replay_empty(&b->replay)) {
        res.verdict = SG_PUBLISH_SEND;
        res.header = data_header(b, stamp_seq(b));
        return res;
    }
    res.verdict = buffer_publish(b, payload, len);
    return res;
}

/* A send failed: give back the numbers at the top that queued copies of
 * failed sends hold.  A number whose message was lost (its copy could not
 * be kept) stops the rewind: it stays unused, a hole peers will see. */
static void rewind_seq(sg_bcast *b)
{
    assert(b->next_seq >= 1);
    uint64_t before = b->next_seq;
    while (b->next_seq > 1 && sg_replay_release_returned(&b->replay, b->next_seq - 1)) {
        b->next_seq--;
    }
    assert(b->next_seq <= before);
}

void sg_publish_result_of_send(sg_bcast *b, const sg_bcast_header *h, const uint8_t *payload, uint32_t len, bool ok)
{
    if (h == NULL || h->origin != b->config.worker_id || h->kind != SG_MSG_DATA || h->epoch != b->config.epoch ||
        h->seq == 0 || h->seq >= b->next_seq) {
        b->counters.events_ignored++;
        return;
    }
    if (ok) {
        b->counters.publishes_sent++;
        return;
    }
    b->counters.publish_failures++;
    if (is_poison(b, payload, len)) {
        b->counters.replay_drops_poison++;
    } else if (b->config.replay_items_max == 0) {
        b->counters.publish_drops++;
    } else if (sg_replay_push_returned(&b->replay, payload, len, h->seq) == SG_OK) {
        b->counters.buffered++;
    }
    rewind_seq(b);
    sg_recovery_kick(b);
}

void sg_publish_replay_result(sg_bcast *b, bool ok)
{
    sg_replay *q = &b->replay;
    if (q->in_flight == NULL) {
        b->counters.replay_results_stale++;
        return;
    }
    uint64_t seq = q->in_flight_seq;
    uint32_t unsent = q->snapshot_left;
    assert(seq != 0 && seq < b->next_seq);
    sg_replay_finish(q, ok);
    assert(q->in_flight == NULL);
    if (ok) {
        b->counters.replays++;
    } else {
        rewind_seq(b);
    }
    sg_recovery_replay_finished(b, ok, unsent);
}

bool sg_publish_pump(sg_bcast *b)
{
    sg_replay *q = &b->replay;
    if (!q->draining || b->reader.state != SG_READER_READING || q->in_flight != NULL) {
        return false;
    }
    if (q->count == 0) {
        q->draining = false; /* drained: publishes go straight out again */
        return false;
    }
    if (sg_actions_room_deferrable(&b->actions) == 0) {
        b->work_deferred = true;
        return false;
    }
    uint64_t seq = stamp_seq(b);
    const sg_replay_item *it = sg_replay_take(q, seq);
    assert(it != NULL);
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_PUBLISH;
    a.u.publish.header = data_header(b, seq);
    a.u.publish.payload = it->data;
    a.u.publish.len = it->len;
    sg_emit(b, &a);
    return true;
}

void sg_publish_goodbye(sg_bcast *b)
{
    /* The last number of this epoch as if everything still queued had been
     * sent: anything a peer has not seen up to it is lost with us. */
    uint64_t last = b->next_seq - 1u + sg_publish_pending_skips(b) + b->replay.count;
    assert(last >= b->next_seq - 1u);
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_GOODBYE;
    a.u.goodbye.header = sg_own_header(b, SG_MSG_GOODBYE, last);
    if (last > b->next_seq - 1u || b->loss_suspect) {
        a.u.goodbye.header.flags = SG_MSG_FLAG_AFTER_LOSS;
    }
    sg_emit(b, &a);
    b->counters.goodbyes_sent++;
}

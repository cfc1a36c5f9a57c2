/*
 * bcast_refetch.c - clients that registered while the reader was not
 * reading are asked to refetch once it is (swarm class C).
 *
 * A client fetches the full state when it connects; what is published
 * after that reaches it through the reader.  A client that connects while
 * the reader is still connecting or subscribing (the start of every run,
 * or a reconnect) fetches at once, and whatever peers publish between its
 * fetch and the subscription is lost to it: the first message it then sees
 * from a peer is a baseline, not a gap, because nobody can tell how much of
 * the peer's earlier stream predates the fetch.  So when the subscription
 * becomes live, every client registered since the reader last left READING
 * (since the run began, for the first subscription) gets one REFETCH: a
 * fetch after the subscription covers everything before it.
 *
 * No client is closed: closing at startup would feed finding 1's close
 * loop on reader churn.  A subscription that is a reconnect gap needs no
 * refetch when the resync that follows will close these clients anyway.
 * Like the resync's closes, REFETCH actions are deferrable: the walk over
 * registry slots stops when the action ring has no room and resumes on
 * the next sg_bcast_on_timer (next_deadline = now).
 */
#include <assert.h>
#include <string.h>

#include "bcast_internal.h"

void sg_refetch_init(sg_refetch *f)
{
    assert(f != NULL);
    memset(f, 0, sizeof *f);
    f->uncovered_from = SG_REFETCH_NONE;
}

void sg_refetch_run_started(sg_bcast *b)
{
    sg_refetch *f = &b->refetch;
    f->active = false;   /* a walk of the previous run: its clients are gone */
    f->uncovered_from = 1; /* every client of this run (serials start at 1) */
}

void sg_refetch_reader_left(sg_bcast *b)
{
    sg_refetch *f = &b->refetch;
    if (f->uncovered_from == SG_REFETCH_NONE) {
        f->uncovered_from = b->registry.next_serial;
    }
}

void sg_refetch_reader_reading(sg_bcast *b, bool resync_covers)
{
    sg_refetch *f = &b->refetch;
    uint64_t from = f->uncovered_from;
    f->uncovered_from = SG_REFETCH_NONE;
    if (from == SG_REFETCH_NONE || resync_covers || from >= b->registry.next_serial) {
        return; /* nobody registered while it was not reading, or the resync will close them */
    }
    if (f->active && f->from < from) {
        from = f->from; /* a walk still running: restart it over both ranges */
    }
    f->active = true;
    f->from = from;
    f->to = b->registry.next_serial;
    f->cursor = 0;
    f->span = b->registry.high_water;
    f->emitted = 0;
    b->counters.refetch_rounds++;
}

static void emit_refetch(sg_bcast *b, sg_client_handle h, uint64_t cookie)
{
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_REFETCH;
    a.u.refetch.handle = h;
    a.u.refetch.cookie = cookie;
    sg_emit(b, &a);
    b->counters.clients_refetched++;
    b->refetch.emitted++;
}

bool sg_refetch_pump(sg_bcast *b)
{
    sg_refetch *f = &b->refetch;
    if (!f->active) {
        return false;
    }
    assert(f->from < f->to);
    assert(f->span <= b->registry.capacity);
    bool emitted = false;
    sg_client_handle h;
    uint64_t cookie = 0;
    for (; f->cursor < f->span; f->cursor++) {
        if (!sg_registry_registered_between(&b->registry, f->cursor, f->from, f->to, &h, &cookie)) {
            continue; /* free, or registered outside the uncovered window */
        }
        if (sg_actions_room_deferrable(&b->actions) == 0) {
            b->work_deferred = true;
            return emitted;
        }
        emit_refetch(b, h, cookie);
        emitted = true;
    }
    f->active = false;
    sg_emit_note(b, SG_NOTE_REFETCH_DONE, f->emitted, 0);
    return true;
}

/*
 * test_bcast_table.c - the reader state table of docs/ARCHITECTURE.md as
 * data: every (state, event) pair is driven from a fresh core and the next
 * state and the connection actions it emits are checked, so the document
 * and the code cannot drift apart silently.
 */
#include "bcast_fixture.h"

typedef enum ev {
    EV_CONNECTED,
    EV_CONNECT_FAILED,
    EV_SUBSCRIBED,
    EV_SUBSCRIBE_FAILED,
    EV_DROPPED,
    EV_TIMER,      /* on_timer at the reader's own deadline */
    EV_LAST_LEAVES,
    EV_COUNT
} ev;

static const char *const ev_names[EV_COUNT] = {"connected", "connect_failed", "subscribed", "subscribe_failed",
                                               "dropped", "timer", "last_leaves"};

/* Expected outcome: next state and the actions (C=CONNECT, S=SUBSCRIBE,
 * D=DISCONNECT, X=SHUTDOWN) emitted, in order; "-" = ignored. */
typedef struct cell {
    sg_reader_state next;
    const char *acts;
} cell;

#define I(state) {state, "-"}

static const cell table[6][EV_COUNT] = {
    [SG_READER_IDLE] = {I(SG_READER_IDLE), I(SG_READER_IDLE), I(SG_READER_IDLE), I(SG_READER_IDLE),
                        I(SG_READER_IDLE), {SG_READER_IDLE, ""}, {SG_READER_IDLE, ""}},
    [SG_READER_BACKOFF] = {I(SG_READER_BACKOFF), I(SG_READER_BACKOFF), I(SG_READER_BACKOFF), I(SG_READER_BACKOFF),
                           I(SG_READER_BACKOFF), {SG_READER_CONNECTING, "C"}, {SG_READER_IDLE, ""}},
    [SG_READER_CONNECTING] = {{SG_READER_SUBSCRIBING, "S"}, {SG_READER_BACKOFF, ""}, I(SG_READER_CONNECTING),
                              I(SG_READER_CONNECTING), {SG_READER_BACKOFF, ""}, {SG_READER_BACKOFF, "D"},
                              {SG_READER_IDLE, "D"}},
    [SG_READER_SUBSCRIBING] = {I(SG_READER_SUBSCRIBING), I(SG_READER_SUBSCRIBING), {SG_READER_READING, ""},
                               {SG_READER_BACKOFF, "D"}, {SG_READER_BACKOFF, ""}, {SG_READER_BACKOFF, "D"},
                               {SG_READER_IDLE, "D"}},
    [SG_READER_READING] = {I(SG_READER_READING), I(SG_READER_READING), I(SG_READER_READING), I(SG_READER_READING),
                           {SG_READER_BACKOFF, ""}, {SG_READER_BACKOFF, "D"}, {SG_READER_IDLE, "D"}},
    [SG_READER_GIVEN_UP] = {I(SG_READER_GIVEN_UP), I(SG_READER_GIVEN_UP), I(SG_READER_GIVEN_UP),
                            I(SG_READER_GIVEN_UP), I(SG_READER_GIVEN_UP), {SG_READER_GIVEN_UP, ""},
                            {SG_READER_GIVEN_UP, ""}},
};

/* A core in `state` with one client (none for IDLE).  READING has the
 * watchdog on, so its timer event is the watchdog firing. */
static fx *in_state(sg_reader_state state, sg_client_handle *h)
{
    sg_bcast_config c = fx_config();
    c.watchdog_ns = S(9);
    c.heartbeat_ns = S(8);
    c.reconnect_enabled = state != SG_READER_GIVEN_UP;
    fx *f = fx_new(&c);
    if (state == SG_READER_IDLE) {
        return f;
    }
    *h = fx_client(f, 1);
    if (state == SG_READER_SUBSCRIBING || state == SG_READER_READING) {
        sg_bcast_on_connected(f->b, f->now);
    }
    if (state == SG_READER_READING) {
        sg_bcast_on_subscribed(f->b, f->now);
    }
    if (state == SG_READER_BACKOFF || state == SG_READER_GIVEN_UP) {
        sg_bcast_on_connect_failed(f->b, f->now);
    }
    fx_drain(f);
    assert_int_equal(fx_stats(f).reader, state);
    return f;
}

static void apply(fx *f, ev e, sg_client_handle h)
{
    switch (e) {
    case EV_CONNECTED: sg_bcast_on_connected(f->b, f->now); break;
    case EV_CONNECT_FAILED: sg_bcast_on_connect_failed(f->b, f->now); break;
    case EV_SUBSCRIBED: sg_bcast_on_subscribed(f->b, f->now); break;
    case EV_SUBSCRIBE_FAILED: sg_bcast_on_subscribe_failed(f->b, f->now); break;
    case EV_DROPPED: sg_bcast_on_dropped(f->b, f->now); break;
    case EV_TIMER: {
        sg_time_ns d = sg_bcast_next_deadline(f->b);
        if (fx_stats(f).reader == SG_READER_READING) {
            d = f->now + S(9); /* the watchdog (the heartbeat at 8 s fires first) */
            sg_bcast_on_timer(f->b, f->now + S(8));
        }
        if (d != SG_TIME_NEVER) {
            f->now = d;
            sg_bcast_on_timer(f->b, f->now);
        }
        break;
    }
    case EV_LAST_LEAVES:
        if (fx_stats(f).clients > 0) {
            assert_int_equal(sg_bcast_client_unregister(f->b, f->now, h), SG_OK);
        }
        break;
    case EV_COUNT:
    default: fail();
    }
}

static void actions_string(fx *f, size_t from, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = from; i < f->n && k + 1 < cap; i++) {
        char ch = 0;
        switch (f->log[i].kind) {
        case SG_ACT_CONNECT: ch = 'C'; break;
        case SG_ACT_SUBSCRIBE: ch = 'S'; break;
        case SG_ACT_DISCONNECT: ch = 'D'; break;
        case SG_ACT_SHUTDOWN: ch = 'X'; break;
        default: break;
        }
        if (ch != 0) {
            out[k++] = ch;
        }
    }
    out[k] = '\0';
}

static void every_state_and_event_matches_the_table(void **state)
{
    (void)state;
    for (int s = SG_READER_IDLE; s <= SG_READER_GIVEN_UP; s++) {
        for (int e = 0; e < EV_COUNT; e++) {
            sg_client_handle h = {0, 0};
            fx *f = in_state((sg_reader_state)s, &h);
            uint64_t ignored = fx_stats(f).counters.events_ignored;
            size_t from = f->n;
            apply(f, (ev)e, h);
            fx_drain(f);
            const cell *want = &table[s][e];
            char got[16];
            actions_string(f, from, got, sizeof got);
            sg_bcast_stats st = fx_stats(f);
            bool was_ignored = st.counters.events_ignored > ignored;
            const char *want_acts = strcmp(want->acts, "-") == 0 ? "" : want->acts;
            if (st.reader != want->next || strcmp(got, want_acts) != 0 ||
                was_ignored != (strcmp(want->acts, "-") == 0)) {
                fail_msg("%s + %s: got %s/\"%s\"%s, want %s/\"%s\"", sg_reader_state_name((sg_reader_state)s),
                         ev_names[e], sg_reader_state_name(st.reader), got, was_ignored ? " (ignored)" : "",
                         sg_reader_state_name(want->next), want->acts);
            }
            fx_free(f);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_state_and_event_matches_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

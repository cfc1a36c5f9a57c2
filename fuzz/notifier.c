/*
 * notifier.c - fuzz target: the health fan-out notifier (core/src/notifier*.c).
 *
 * Input: a configuration (table size 1..16, initial status, possibly
 * invalid), then operations in any order: watch, unwatch (live, stale or
 * made-up handles), publish and resume (any code, valid or not), take,
 * next_ready, time jumps, and deliver steps whose callback itself
 * unwatches, watches, takes, tries to publish/resume/deliver again and
 * answers ACCEPTED or BUSY.
 *
 * A reference model tracks what each watcher must see: a watcher owes a
 * GOAWAY from the moment one is published (or it joins while terminal)
 * until it takes it; otherwise it is owed the current status if that
 * differs from what it took last.  Checked after every step:
 *   - never a delivery (callback or take) to a departed watcher; a stale
 *     handle is refused and changes nothing;
 *   - never a lost terminal status: a watcher owing a GOAWAY takes exactly
 *     that before anything else, and at the end every live watcher drains
 *     to exactly what the model says;
 *   - the ready list is FIFO and edge-triggered as documented, only ever
 *     names live watchers with something pending; budgets are respected;
 *   - statistics (watchers, pending, current, terminal) match the model.
 */
#include <string.h>

#include "fuzz.h"
#include "fuzz_faults.h"
#include "stormglass/notifier.h"

#define CAP_MAX 16u       /* table sizes fuzzed */
#define ISSUED_MAX 64u    /* handles remembered (live or stale) */
#define OPS_MAX 2000u
#define CALLBACK_ACTIONS_MAX 3u

typedef enum ready_state { R_IDLE, R_LINKED, R_ANNOUNCED } ready_state;

typedef struct watcher {
    sg_watch_handle h;
    uint64_t cookie;
    bool live;
    bool owes_goaway;
    sg_health_code last_taken;
    ready_state ready;
} watcher;

typedef struct model {
    sg_notifier *n;
    uint32_t cap;
    sg_health_code current;
    bool terminal;
    sg_time_ns now;
    watcher w[ISSUED_MAX];
    uint32_t issued;
    uint32_t fifo[ISSUED_MAX]; /* indices into w[], in announcement order */
    uint32_t fifo_len;
    fuzz_input *in;
    bool in_callback;
    uint32_t callbacks;
} model;

static sg_health_code expected_take(const model *m, const watcher *w)
{
    if (w->owes_goaway) {
        return SG_HEALTH_CODE_GOAWAY;
    }
    return w->last_taken != m->current ? m->current : SG_HEALTH_CODE_NONE;
}

static bool pending(const model *m, const watcher *w)
{
    return w->live && expected_take(m, w) != SG_HEALTH_CODE_NONE;
}

static void fifo_remove(model *m, uint32_t wi)
{
    uint32_t j = 0;
    for (uint32_t i = 0; i < m->fifo_len; i++) {
        if (m->fifo[i] != wi) {
            m->fifo[j++] = m->fifo[i];
        }
    }
    m->fifo_len = j;
}

/* The documented ready-list rule after a mailbox change of watcher wi:
 * empty -> off the list; non-empty and idle (or re-announced after a
 * take that left something) -> appended. */
static void settle(model *m, uint32_t wi, bool reannounce)
{
    watcher *w = &m->w[wi];
    if (!pending(m, w)) {
        if (w->ready == R_LINKED) {
            fifo_remove(m, wi);
        }
        w->ready = R_IDLE;
    } else if (w->ready == R_IDLE || (reannounce && w->ready == R_ANNOUNCED)) {
        FUZZ_CHECK(m->fifo_len < ISSUED_MAX);
        m->fifo[m->fifo_len++] = wi;
        w->ready = R_LINKED;
    }
}

static void settle_all(model *m)
{
    for (uint32_t i = 0; i < m->issued; i++) {
        if (m->w[i].live) {
            settle(m, i, false);
        }
    }
}

/* The model's watcher for a handle, or NULL when the handle is not live. */
static watcher *live_watcher(model *m, sg_watch_handle h, uint32_t *wi)
{
    for (uint32_t i = 0; i < m->issued; i++) {
        watcher *w = &m->w[i];
        if (w->live && w->h.index == h.index && w->h.generation == h.generation) {
            *wi = i;
            return w;
        }
    }
    return NULL;
}

static sg_watch_handle pick_handle(model *m)
{
    uint8_t v = fuzz_u8(m->in);
    if (v < 0xf0 && m->issued > 0) {
        return m->w[v % m->issued].h;
    }
    sg_watch_handle h = {(uint32_t)fuzz_below(m->in, m->cap + 2u), fuzz_u32(m->in) % 4u};
    return h;
}

static sg_health_code pick_code(model *m)
{
    return (sg_health_code)(int)(fuzz_u8(m->in) % 7u) - 1; /* -1 .. 5: invalid ones included */
}

static bool code_valid(sg_health_code c)
{
    return c > SG_HEALTH_CODE_NONE && c <= SG_HEALTH_CODE_LAST;
}

static void do_watch(model *m)
{
    sg_watch_handle h = {UINT32_MAX, 0};
    uint64_t cookie = fuzz_u64(m->in);
    uint32_t live = 0;
    for (uint32_t i = 0; i < m->issued; i++) {
        live += m->w[i].live;
    }
    if (m->issued == ISSUED_MAX) {
        return; /* the model remembers ISSUED_MAX handles; enough for any table here */
    }
    sg_status st = sg_notifier_watch(m->n, m->now, cookie, &h);
    if (live == m->cap) {
        FUZZ_CHECK(st == SG_E_FULL && h.index == UINT32_MAX);
        return;
    }
    FUZZ_CHECK(st == SG_OK && h.generation != 0 && sg_notifier_handle_valid(m->n, h));
    for (uint32_t i = 0; i < m->issued; i++) {
        FUZZ_CHECK(!m->w[i].live || m->w[i].h.index != h.index); /* a live slot is never reissued */
    }
    watcher *w = &m->w[m->issued];
    *w = (watcher){h, cookie, true, m->terminal, SG_HEALTH_CODE_NONE, R_IDLE};
    settle(m, m->issued++, false);
}

static void do_unwatch(model *m, sg_watch_handle h)
{
    uint32_t wi;
    watcher *w = live_watcher(m, h, &wi);
    sg_status st = sg_notifier_unwatch(m->n, m->now, h);
    FUZZ_CHECK(st == (w != NULL ? SG_OK : SG_E_NOT_FOUND));
    if (w != NULL) {
        if (w->ready == R_LINKED) {
            fifo_remove(m, wi);
        }
        w->live = false;
        w->ready = R_IDLE;
        FUZZ_CHECK(!sg_notifier_handle_valid(m->n, h));
    }
}

/* The watcher took what it was owed (if anything). */
static void model_take(model *m, uint32_t wi)
{
    watcher *w = &m->w[wi];
    sg_health_code want = expected_take(m, w);
    if (want == SG_HEALTH_CODE_NONE) {
        return;
    }
    if (want == SG_HEALTH_CODE_GOAWAY) {
        w->owes_goaway = false;
    }
    w->last_taken = want;
    settle(m, wi, true);
}

static void apply_take(model *m, uint32_t wi, const sg_notification *note)
{
    const watcher *w = &m->w[wi];
    sg_health_code want = expected_take(m, w);
    FUZZ_CHECK_MSG(note->code == want, "took %d, the model owes %d (owes_goaway %d)", (int)note->code, (int)want,
                   (int)w->owes_goaway);
    FUZZ_CHECK(want == SG_HEALTH_CODE_NONE || (note->cookie == w->cookie && note->pending_since <= m->now));
    model_take(m, wi);
}

static void do_take(model *m, sg_watch_handle h)
{
    uint32_t wi;
    watcher *w = live_watcher(m, h, &wi);
    sg_notification note;
    sg_status st = sg_notifier_take(m->n, m->now, h, &note);
    if (w == NULL) {
        FUZZ_CHECK(st == SG_E_NOT_FOUND && note.code == SG_HEALTH_CODE_NONE);
        return;
    }
    FUZZ_CHECK(st == SG_OK);
    apply_take(m, wi, &note);
}

static void do_publish(model *m, bool resume)
{
    sg_health_code c = pick_code(m);
    sg_status st = resume ? sg_notifier_resume(m->n, m->now, c) : sg_notifier_publish(m->n, m->now, c);
    sg_status want = SG_OK;
    if (!code_valid(c) || (resume && c == SG_HEALTH_CODE_GOAWAY)) {
        want = SG_E_INVALID;
    } else if (m->in_callback || m->terminal != resume) {
        want = SG_E_STATE;
    }
    FUZZ_CHECK_MSG(st == want, "%s(%d): %d, want %d", resume ? "resume" : "publish", (int)c, (int)st, (int)want);
    if (st != SG_OK) {
        return;
    }
    if (c == SG_HEALTH_CODE_GOAWAY && m->current != c) {
        for (uint32_t i = 0; i < m->issued; i++) {
            m->w[i].owes_goaway |= m->w[i].live;
        }
    }
    m->current = c;
    m->terminal = c == SG_HEALTH_CODE_GOAWAY;
    settle_all(m);
}

static void do_next_ready(model *m)
{
    sg_watch_handle h;
    bool got = sg_notifier_next_ready(m->n, &h);
    FUZZ_CHECK(got == (m->fifo_len > 0));
    if (!got) {
        return;
    }
    uint32_t wi;
    watcher *w = live_watcher(m, h, &wi);
    FUZZ_CHECK_MSG(w != NULL, "next_ready named a departed watcher (slot %u)", h.index);
    FUZZ_CHECK_MSG(wi == m->fifo[0], "ready list not FIFO: got watcher %u, want %u", wi, m->fifo[0]);
    FUZZ_CHECK(pending(m, w));
    fifo_remove(m, wi);
    w->ready = R_ANNOUNCED;
}

/* ---- deliver: the callback acts on the notifier while it is delivering -- */

typedef struct delivery {
    bool active;        /* a callback returned; its verdict is not applied to the model yet */
    uint32_t wi;        /* the model's watcher that was called */
    bool took_itself;
    sg_deliver_verdict verdict;
} delivery;

/* What deliver does after a callback returns, applied to the model: a
 * departed watcher or one that took by itself gets nothing more; ACCEPTED
 * takes; BUSY leaves it pending and announced. */
static void finish_callback(model *m, delivery *d)
{
    if (!d->active) {
        return;
    }
    d->active = false;
    const watcher *w = &m->w[d->wi];
    if (w->live && !d->took_itself && d->verdict == SG_DELIVER_ACCEPTED) {
        model_take(m, d->wi);
    }
}

static sg_deliver_verdict never_called(void *ctx, sg_watch_handle h, const sg_notification *note)
{
    (void)ctx;
    (void)h;
    (void)note;
    FUZZ_CHECK_MSG(0, "a nested deliver ran its callback");
    return SG_DELIVER_BUSY;
}

static void callback_action(model *m, delivery *d)
{
    switch (fuzz_u8(m->in) % 7) {
    case 0: do_unwatch(m, m->w[d->wi].h); break; /* leaves inside its own callback */
    case 1: do_unwatch(m, pick_handle(m)); break;
    case 2: do_watch(m); break;
    case 3:
        d->took_itself |= m->w[d->wi].live;
        do_take(m, m->w[d->wi].h);
        break;
    case 4: do_take(m, pick_handle(m)); break;
    case 5: do_publish(m, fuzz_bool(m->in)); break; /* refused: no broadcast inside another */
    default: {
        uint32_t visited = 7;
        FUZZ_CHECK(sg_notifier_deliver(m->n, m->now, 4, never_called, NULL, &visited) == SG_E_STATE);
        FUZZ_CHECK(visited == 0);
        break;
    }
    }
}

typedef struct deliver_ctx {
    model *m;
    delivery d;
} deliver_ctx;

static sg_deliver_verdict on_deliver(void *ctx, sg_watch_handle h, const sg_notification *note)
{
    deliver_ctx *c = ctx;
    model *m = c->m;
    finish_callback(m, &c->d); /* deliver applied the previous verdict before this pop */
    uint32_t wi;
    watcher *w = live_watcher(m, h, &wi);
    m->callbacks++;
    FUZZ_CHECK_MSG(w != NULL, "delivery to a departed watcher (slot %u generation %u)", h.index, h.generation);
    FUZZ_CHECK_MSG(m->fifo_len > 0 && wi == m->fifo[0], "deliver did not follow the ready list");
    FUZZ_CHECK(note->code == expected_take(m, w) && note->cookie == w->cookie);
    fifo_remove(m, wi);
    w->ready = R_ANNOUNCED;
    c->d = (delivery){true, wi, false, SG_DELIVER_BUSY};
    for (unsigned n = fuzz_u8(m->in) % (CALLBACK_ACTIONS_MAX + 1); n > 0; n--) {
        callback_action(m, &c->d);
    }
    c->d.verdict = fuzz_bool(m->in) ? SG_DELIVER_ACCEPTED : SG_DELIVER_BUSY;
    return c->d.verdict;
}

static void do_deliver(model *m)
{
    uint32_t budget = fuzz_u8(m->in) % 6u;
    uint32_t visited = 99;
    uint32_t before = m->callbacks;
    deliver_ctx c = {m, {false, 0, false, SG_DELIVER_BUSY}};
    m->in_callback = true;
    sg_status st = sg_notifier_deliver(m->n, m->now, budget, on_deliver, &c, &visited);
    m->in_callback = false;
    finish_callback(m, &c.d);
    FUZZ_CHECK(st == SG_OK);
    FUZZ_CHECK(visited == m->callbacks - before && visited <= budget);
    FUZZ_CHECK_MSG(visited == budget || m->fifo_len == 0, "deliver stopped early with %u ready", m->fifo_len);
}

/* ---- the run ------------------------------------------------------------- */

static void check_stats(const model *m)
{
    sg_notifier_stats st;
    sg_notifier_stats_get(m->n, &st);
    uint32_t live = 0, pend = 0;
    for (uint32_t i = 0; i < m->issued; i++) {
        live += m->w[i].live;
        pend += pending(m, &m->w[i]);
    }
    FUZZ_CHECK(st.capacity == m->cap && st.watchers == live);
    FUZZ_CHECK_MSG(st.pending == pend, "pending %u, model %u", st.pending, pend);
    FUZZ_CHECK(st.ready == m->fifo_len);
    FUZZ_CHECK(st.current == m->current && sg_notifier_current(m->n) == m->current);
    FUZZ_CHECK(st.terminal == m->terminal);
}

/* At the end every live watcher drains to exactly what it is owed: a
 * GOAWAY first if one is outstanding, then the current status. */
static void drain_all(model *m)
{
    for (uint32_t i = 0; i < m->issued; i++) {
        for (int k = 0; k < 3 && m->w[i].live; k++) {
            do_take(m, m->w[i].h);
        }
        FUZZ_CHECK(!pending(m, &m->w[i]));
    }
    check_stats(m);
}

static void run_ops(model *m)
{
    for (unsigned i = 0; i < OPS_MAX && fuzz_left(m->in) > 0; i++) {
        switch (fuzz_u8(m->in) % 9) {
        case 0: do_watch(m); break;
        case 1: do_unwatch(m, pick_handle(m)); break;
        case 2: do_publish(m, false); break;
        case 3: do_publish(m, true); break;
        case 4: do_take(m, pick_handle(m)); break;
        case 5: do_next_ready(m); break;
        case 6: do_deliver(m); break;
        case 7: m->now = sg_time_add(m->now, fuzz_edgy_i64(m->in, 0, SG_DURATION_MAX_NS)); break;
        default: {
            uint32_t wi;
            sg_watch_handle h = pick_handle(m);
            FUZZ_CHECK(sg_notifier_handle_valid(m->n, h) == (live_watcher(m, h, &wi) != NULL));
            break;
        }
        }
        check_stats(m);
    }
}

/* Creates the notifier from the input's configuration (possibly invalid,
 * possibly with allocations failing); false when there is none to run. */
static bool create(model *m, fuzz_input *in)
{
    static const char *const points[] = {"stormglass/notifier/alloc"};
    sg_notifier_config config = sg_notifier_config_default();
    config.watchers_max = (uint32_t)fuzz_below(in, CAP_MAX + 1); /* 0 is invalid */
    config.initial = (sg_health_code)(int)(fuzz_u8(in) % 6u);
    bool valid = config.watchers_max > 0 && config.initial > SG_HEALTH_CODE_NONE &&
                 config.initial < SG_HEALTH_CODE_GOAWAY;
    bool faults = fuzz_u8(in) < 16; /* this input also fails allocations */
    if (faults) {
        fuzz_faults_arm(in, points, 1, 128);
    }
    sg_error err = {{0}};
    sg_status st = sg_notifier_create(&config, &m->n, &err);
    if (faults) {
        fuzz_faults_disarm(points, 1);
    }
    if (st == SG_E_NOMEM) {
        FUZZ_CHECK(valid && fuzz_faults_injected() > 0 && m->n == NULL);
        FUZZ_CHECK(strncmp(err.msg, "notifier:", 9) == 0);
        return false;
    }
    FUZZ_CHECK_MSG((st == SG_OK) == valid, "create: %d (%s)", (int)st, err.msg);
    if (st != SG_OK) {
        FUZZ_CHECK(m->n == NULL && strncmp(err.msg, "notifier.", 9) == 0);
        return false;
    }
    m->cap = config.watchers_max;
    m->current = config.initial;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    static model m; /* large; reset below */
    memset(&m, 0, sizeof m);
    m.in = &in;
    if (!create(&m, &in)) {
        return 0;
    }
    m.now = fuzz_edgy_i64(&in, 0, INT64_MAX / 2);
    run_ops(&m);
    drain_all(&m);
    sg_notifier_destroy(m.n);
    return 0;
}

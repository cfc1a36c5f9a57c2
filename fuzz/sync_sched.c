/*
 * sync_sched.c - fuzz target: the peer-sync schedule (core/src/sync_sched.c).
 *
 * Input: a configuration (edge-biased durations, any double as jitter), a
 * seed, a start time, then operations: time jumps of any size, begin,
 * finish ok, finish failed (with an error record built from arbitrary
 * bytes, or from a Retry-After text run through the real parser), and
 * direct probes of sg_sync_failure_delay.  The harness follows the API
 * contract (finish only a running sync, time never goes back) and checks
 * after every step:
 *   - the delay equals an independent 128-bit statement of
 *     max(min(base*2^(n-1), cap), retry_after), or lies inside its jitter
 *     band, and is never below the peer's Retry-After;
 *   - next_due = now + delay, saturated, never before now (no overflow,
 *     no time travel); without jitter, consecutive failures never shorten
 *     the wait for the same Retry-After;
 *   - counters, outcome and the kept error are consistent; the body
 *     prefix is terminated and printable.
 */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "stormglass/retry_after.h"
#include "stormglass/sync_sched.h"

#define OPS_MAX 4096u

typedef __int128 wide;

typedef struct model {
    sg_sync_config config;
    sg_sync_state s;
    sg_rng rng;
    bool use_rng;
    sg_time_ns now;
    uint64_t begins, oks;
    sg_duration_ns last_fail_delay; /* -1: no failure since the last success */
    int64_t last_fail_ra;
} model;

static sg_duration_ns duration_field(fuzz_input *in)
{
    if (fuzz_u8(in) < 32) {
        return fuzz_edgy_i64(in, INT64_MIN, INT64_MAX);
    }
    return fuzz_edgy_i64(in, 0, SG_DURATION_MAX_NS + 1);
}

static sg_duration_ns ref_failure_delay(sg_duration_ns base, uint32_t failures, sg_duration_ns ra,
                                        sg_duration_ns cap)
{
    base = base < 0 ? 0 : base;
    ra = ra < 0 ? 0 : ra;
    if (cap <= 0) {
        return ra;
    }
    wide grown = 0;
    if (base > 0 && failures > 0) {
        uint32_t e = failures - 1 > SG_SYNC_EXPONENT_MAX ? SG_SYNC_EXPONENT_MAX : failures - 1;
        grown = (wide)base << e;
    }
    wide ladder = grown < cap ? grown : cap;
    return (sg_duration_ns)(ladder > ra ? ladder : ra);
}

static sg_time_ns sat_add(sg_time_ns a, sg_duration_ns b)
{
    wide sum = (wide)a + b;
    return sum > INT64_MAX ? INT64_MAX : (sg_time_ns)sum;
}

/* Always terminated; printable when built by sg_sync_error_make (a raw
 * record keeps the caller's bytes, terminated). */
static void check_body(const sg_sync_error *e, bool printable)
{
    size_t n = strnlen(e->body_prefix, sizeof e->body_prefix);
    FUZZ_CHECK(n < sizeof e->body_prefix);
    for (size_t i = 0; printable && i < n; i++) {
        FUZZ_CHECK(e->body_prefix[i] >= 0x20 && e->body_prefix[i] < 0x7f);
    }
}

/* An error record: from sg_sync_error_make, or raw (unterminated body). */
static bool make_error(fuzz_input *in, sg_sync_error *e, bool *raw)
{
    uint8_t how = fuzz_u8(in) % 4;
    *raw = how == 3;
    if (how == 0) {
        return false; /* finish without an error record */
    }
    int status = (int)fuzz_u16(in) - 1;
    int64_t ra_s = fuzz_edgy_i64(in, INT64_MIN, INT64_MAX);
    const uint8_t *body;
    if (how == 1) {
        sg_retry_after ra;
        size_t len = fuzz_slice(in, 64, &body);
        (void)sg_retry_after_parse((const char *)body, len, 0, SG_RETRY_AFTER_CEILING_DEFAULT_S, &ra);
        ra_s = ra.seconds;
    }
    if (how == 3) { /* raw: whatever the caller put there */
        memset(e, 0, sizeof *e);
        e->http_status = status;
        e->retry_after_s = ra_s;
        size_t len = fuzz_slice(in, sizeof e->body_prefix, &body);
        memcpy(e->body_prefix, body, len);
        return true;
    }
    size_t len = fuzz_slice(in, 300, &body);
    sg_sync_error_make(e, status, ra_s, (const char *)body, len);
    FUZZ_CHECK(e->http_status == status && e->retry_after_s == (ra_s < 0 ? 0 : ra_s));
    FUZZ_CHECK(strlen(e->body_prefix) == (len < SG_SYNC_BODY_PREFIX_MAX ? len : SG_SYNC_BODY_PREFIX_MAX - 1));
    check_body(e, true);
    return true;
}

static void check_failure(model *m, const sg_sync_error *e, bool raw, uint32_t failures_before,
                          sg_duration_ns delay)
{
    const sg_sync_config *c = &m->config;
    int64_t ra_s = e != NULL ? e->retry_after_s : 0;
    sg_duration_ns ra = ra_s <= 0 ? 0 : (wide)ra_s * SG_NS_PER_S > SG_DURATION_MAX_NS ? SG_DURATION_MAX_NS : ra_s * SG_NS_PER_S;
    uint32_t failures = failures_before == UINT32_MAX ? UINT32_MAX : failures_before + 1;
    FUZZ_CHECK(m->s.outcome == SG_SYNC_ERROR && m->s.consecutive_failures == failures);
    sg_duration_ns want = ref_failure_delay(c->failure_base_ns, failures, ra, c->failure_cap_ns);
    FUZZ_CHECK_MSG(delay >= ra && delay >= 0 && delay <= SG_DURATION_MAX_NS, "delay %lld ra %lld",
                   (long long)delay, (long long)ra);
    if (c->jitter > 0.0 && m->use_rng && want > 0) {
        double lo = (double)want * (1.0 - c->jitter) - 1.0, hi = (double)want * (1.0 + c->jitter) + 1.0;
        FUZZ_CHECK_MSG(delay == ra || ((double)delay >= lo && (double)delay <= hi), "delay %lld want %lld j %g",
                       (long long)delay, (long long)want, c->jitter);
    } else {
        FUZZ_CHECK_MSG(delay == want, "delay %lld want %lld", (long long)delay, (long long)want);
        FUZZ_CHECK(m->last_fail_delay < 0 || m->last_fail_ra != ra || delay >= m->last_fail_delay);
    }
    m->last_fail_delay = delay;
    m->last_fail_ra = ra;
    FUZZ_CHECK(e != NULL || m->s.last_error.http_status == 0);
    check_body(&m->s.last_error, !raw);
}

static void step_finish(model *m, fuzz_input *in, bool ok)
{
    sg_sync_error e;
    bool raw = false;
    bool have_error = !ok && make_error(in, &e, &raw);
    uint32_t failures_before = m->s.consecutive_failures;
    sg_duration_ns delay =
        sg_sync_finish(&m->s, &m->config, m->now, ok, have_error ? &e : NULL, m->use_rng ? &m->rng : NULL);
    FUZZ_CHECK(m->s.last_finished_ns == m->now);
    FUZZ_CHECK_MSG(m->s.next_due_ns == sat_add(m->now, delay), "due %lld now %lld delay %lld",
                   (long long)m->s.next_due_ns, (long long)m->now, (long long)delay);
    FUZZ_CHECK(m->s.next_due_ns >= m->now);
    if (ok) {
        static const sg_sync_error zero;
        m->oks++;
        FUZZ_CHECK(delay == m->config.interval_ns && m->s.outcome == SG_SYNC_OK);
        FUZZ_CHECK(m->s.consecutive_failures == 0 && m->s.last_ok_ns == m->now);
        FUZZ_CHECK(memcmp(&m->s.last_error, &zero, sizeof zero) == 0);
        m->last_fail_delay = -1;
    } else {
        check_failure(m, have_error ? &e : NULL, raw, failures_before, delay);
    }
}

static void probe_failure_delay(fuzz_input *in)
{
    sg_duration_ns base = fuzz_edgy_i64(in, INT64_MIN, INT64_MAX);
    uint32_t failures = (uint32_t)fuzz_edgy_i64(in, 0, UINT32_MAX);
    sg_duration_ns ra = fuzz_edgy_i64(in, INT64_MIN, SG_DURATION_MAX_NS);
    sg_duration_ns cap = fuzz_edgy_i64(in, INT64_MIN, SG_DURATION_MAX_NS);
    if (base > SG_DURATION_MAX_NS) {
        base = SG_DURATION_MAX_NS; /* documented domain: configured durations */
    }
    sg_duration_ns got = sg_sync_failure_delay(base, failures, ra, cap);
    sg_duration_ns want = ref_failure_delay(base, failures, ra, cap);
    FUZZ_CHECK_MSG(got == want, "base %lld n %u ra %lld cap %lld: %lld want %lld", (long long)base, failures,
                   (long long)ra, (long long)cap, (long long)got, (long long)want);
}

static void run_ops(model *m, fuzz_input *in)
{
    for (unsigned n = 0; n < OPS_MAX && fuzz_left(in) > 0; n++) {
        bool running = m->s.outcome == SG_SYNC_RUNNING;
        FUZZ_CHECK(sg_sync_should_run(&m->s, m->now) == (!running && m->s.next_due_ns <= m->now));
        switch (fuzz_u8(in) % 6) {
        case 0: /* time passes, by any amount */
            m->now = sat_add(m->now, fuzz_edgy_i64(in, 0, INT64_MAX));
            break;
        case 1:
            if (!running) {
                sg_sync_begin(&m->s, m->now);
                m->begins++;
                FUZZ_CHECK(!sg_sync_should_run(&m->s, m->now) && m->s.last_started_ns == m->now);
            }
            break;
        case 2:
            if (running) {
                step_finish(m, in, true);
            }
            break;
        case 3:
        case 4:
            if (running) {
                step_finish(m, in, false);
            }
            break;
        default:
            probe_failure_delay(in);
            break;
        }
        FUZZ_CHECK(m->s.attempts == m->begins && m->s.successes == m->oks);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, data, size);
    model m;
    memset(&m, 0, sizeof m);
    m.config.interval_ns = duration_field(&in);
    m.config.failure_base_ns = duration_field(&in);
    m.config.failure_cap_ns = duration_field(&in);
    m.config.jitter = fuzz_double(&in);
    const sg_sync_config *c = &m.config;
    int expect_ok = c->interval_ns >= 0 && c->interval_ns <= SG_DURATION_MAX_NS && c->failure_base_ns >= 0 &&
                    c->failure_base_ns <= SG_DURATION_MAX_NS && c->failure_cap_ns >= 0 &&
                    c->failure_cap_ns <= SG_DURATION_MAX_NS && isfinite(c->jitter) && c->jitter >= 0.0 &&
                    c->jitter <= 1.0;
    sg_error err = {{0}};
    sg_status st = sg_sync_config_check(c, &err);
    FUZZ_CHECK_MSG((st == SG_OK) == expect_ok, "check %d: %s", (int)st, err.msg);
    if (st != SG_OK) {
        FUZZ_CHECK(strncmp(err.msg, "sync.", 5) == 0);
        return 0;
    }
    sg_rng_seed(&m.rng, fuzz_u64(&in), 3);
    m.use_rng = fuzz_bool(&in);
    m.now = fuzz_edgy_i64(&in, 0, INT64_MAX);
    m.last_fail_delay = -1;
    sg_sync_init(&m.s);
    FUZZ_CHECK(m.s.outcome == SG_SYNC_IDLE && sg_sync_should_run(&m.s, m.now));
    run_ops(&m, &in);
    return 0;
}

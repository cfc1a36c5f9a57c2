/*
 * sync_sched.c - peer sync scheduling under failures and 429s.
 *
 * A small value-type state machine: idle -> running -> ok | error, with
 * the next due time computed on finish.  See sync_sched.h for the rule.
 */
#include "stormglass/sync_sched.h"

#include <assert.h>
#include <math.h>
#include <string.h>

sg_sync_config sg_sync_config_default(void)
{
    sg_sync_config c;
    c.interval_ns = 300 * SG_NS_PER_S;
    c.failure_base_ns = 60 * SG_NS_PER_S;
    c.failure_cap_ns = 1800 * SG_NS_PER_S;
    c.jitter = 0.0;
    return c;
}

sg_status sg_sync_config_check(const sg_sync_config *c, sg_error *err)
{
    if (c == NULL) {
        return sg_error_set(err, SG_E_INVALID, "sync: config is NULL");
    }
    if (c->interval_ns < 0 || c->interval_ns > SG_DURATION_MAX_NS) {
        return sg_error_set(err, SG_E_INVALID, "sync.interval: must be within 0 .. 100 days");
    }
    if (c->failure_base_ns < 0 || c->failure_base_ns > SG_DURATION_MAX_NS) {
        return sg_error_set(err, SG_E_INVALID, "sync.failure_base: must be within 0 .. 100 days");
    }
    if (c->failure_cap_ns < 0 || c->failure_cap_ns > SG_DURATION_MAX_NS) {
        return sg_error_set(err, SG_E_INVALID, "sync.failure_cap: must be within 0 .. 100 days");
    }
    if (!isfinite(c->jitter) || c->jitter < 0.0 || c->jitter > 1.0) {
        return sg_error_set(err, SG_E_INVALID, "sync.jitter: must be within 0 .. 1");
    }
    return SG_OK;
}

void sg_sync_init(sg_sync_state *s)
{
    assert(s != NULL);
    memset(s, 0, sizeof *s);
    s->outcome = SG_SYNC_IDLE;
}

bool sg_sync_should_run(const sg_sync_state *s, sg_time_ns now)
{
    assert(s != NULL);
    if (s->outcome == SG_SYNC_RUNNING) {
        return false;
    }
    return s->next_due_ns <= now;
}

void sg_sync_begin(sg_sync_state *s, sg_time_ns now)
{
    assert(s != NULL);
    assert(s->outcome != SG_SYNC_RUNNING);
    s->outcome = SG_SYNC_RUNNING;
    s->last_started_ns = now;
    s->attempts++;
}

sg_duration_ns sg_sync_failure_delay(sg_duration_ns base_ns, uint32_t failures,
                                     sg_duration_ns retry_after_ns, sg_duration_ns cap_ns)
{
    if (base_ns < 0) {
        base_ns = 0;
    }
    if (retry_after_ns < 0) {
        retry_after_ns = 0;
    }
    if (cap_ns <= 0) {
        return retry_after_ns; /* cap 0: Retry-After only */
    }
    sg_duration_ns grown = 0;
    if (base_ns > 0 && failures > 0) {
        uint32_t exponent = failures - 1u;
        if (exponent > SG_SYNC_EXPONENT_MAX) {
            exponent = SG_SYNC_EXPONENT_MAX;
        }
        /* base <= 100 days < 2^53 and exponent <= 30: check before shifting. */
        if (base_ns > (cap_ns >> exponent)) {
            grown = cap_ns;
        } else {
            grown = base_ns << exponent;
        }
    }
    sg_duration_ns exponential = grown < cap_ns ? grown : cap_ns;
    return exponential > retry_after_ns ? exponential : retry_after_ns;
}

sg_duration_ns sg_sync_finish(sg_sync_state *s, const sg_sync_config *c, sg_time_ns now, bool ok,
                              const sg_sync_error *error, sg_rng *rng)
{
    assert(s != NULL && c != NULL);
    s->last_finished_ns = now;
    if (ok) {
        s->outcome = SG_SYNC_OK;
        s->last_ok_ns = now;
        s->consecutive_failures = 0;
        s->successes++;
        memset(&s->last_error, 0, sizeof s->last_error);
        s->next_due_ns = sg_time_add(now, c->interval_ns);
        return c->interval_ns;
    }
    s->outcome = SG_SYNC_ERROR;
    if (s->consecutive_failures < UINT32_MAX) {
        s->consecutive_failures++;
    }
    sg_duration_ns retry_after_ns = 0;
    if (error != NULL) {
        s->last_error = *error;
        s->last_error.body_prefix[SG_SYNC_BODY_PREFIX_MAX - 1] = '\0';
        int64_t ra = error->retry_after_s;
        if (ra > 0) {
            retry_after_ns = ra > SG_DURATION_MAX_NS / SG_NS_PER_S ? SG_DURATION_MAX_NS : ra * SG_NS_PER_S;
        }
    } else {
        memset(&s->last_error, 0, sizeof s->last_error);
    }
    sg_duration_ns delay =
        sg_sync_failure_delay(c->failure_base_ns, s->consecutive_failures, retry_after_ns, c->failure_cap_ns);
    if (c->jitter > 0.0 && rng != NULL && delay > 0) {
        double factor = 1.0 + c->jitter * (2.0 * sg_rng_unit(rng) - 1.0);
        double jittered = (double)delay * factor;
        delay = jittered >= (double)SG_DURATION_MAX_NS ? SG_DURATION_MAX_NS : (sg_duration_ns)jittered;
        if (delay < retry_after_ns) {
            delay = retry_after_ns; /* never earlier than the peer asked */
        }
    }
    s->next_due_ns = sg_time_add(now, delay);
    return delay;
}

void sg_sync_error_make(sg_sync_error *e, int http_status, int64_t retry_after_s, const char *body,
                        size_t body_len)
{
    assert(e != NULL);
    memset(e, 0, sizeof *e);
    e->http_status = http_status;
    e->retry_after_s = retry_after_s < 0 ? 0 : retry_after_s;
    if (body == NULL) {
        return;
    }
    size_t n = body_len < SG_SYNC_BODY_PREFIX_MAX - 1 ? body_len : SG_SYNC_BODY_PREFIX_MAX - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)body[i];
        e->body_prefix[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
}

const char *sg_sync_outcome_name(sg_sync_outcome o)
{
    switch (o) {
    case SG_SYNC_IDLE: return "idle";
    case SG_SYNC_RUNNING: return "running";
    case SG_SYNC_OK: return "ok";
    case SG_SYNC_ERROR: return "error";
    }
    return "?";
}

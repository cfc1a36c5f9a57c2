/*
 * bcast_health.c - the worker's readiness judgement.
 *
 * Unhealthy only when something depends on a reader that cannot serve:
 * the reader gave up, it is deaf past the watchdog, or listeners exist
 * with no reader at all.  A normal transient reconnect stays healthy
 * (OK_RECONNECTING), so a probe does not flap and restart a worker that
 * would have recovered by itself.  Every change of the judgement (reason
 * included) is announced with a HEALTH action; health_transitions counts
 * the flips of `healthy` only, the number a probe would see.
 */
#include <assert.h>
#include <string.h>

#include "bcast_internal.h"

static sg_bcast_health verdict(bool healthy, sg_health_reason reason)
{
    sg_bcast_health h;
    h.healthy = healthy;
    h.reason = reason;
    return h;
}

sg_bcast_health sg_health_judge(const sg_bcast *b, sg_time_ns now)
{
    const sg_reader *r = &b->reader;
    if (!b->config.healthcheck_enabled) {
        return verdict(true, SG_HEALTH_OK_DISABLED);
    }
    if (r->state == SG_READER_GIVEN_UP) {
        return verdict(false, SG_HEALTH_BAD_GIVEN_UP);
    }
    bool silent = r->state == SG_READER_READING && b->config.watchdog_ns > 0 &&
                  sg_elapsed_ns(now, r->last_heard) >= (uint64_t)b->config.watchdog_ns;
    if (r->deaf || silent) {
        return verdict(false, SG_HEALTH_BAD_DEAF);
    }
    if (sg_bcast_listeners(b) == 0) {
        return verdict(true, SG_HEALTH_OK_IDLE);
    }
    if (r->state == SG_READER_IDLE) {
        return verdict(false, SG_HEALTH_BAD_NO_READER);
    }
    if (r->state == SG_READER_READING) {
        return verdict(true, SG_HEALTH_OK_READING);
    }
    return verdict(true, SG_HEALTH_OK_RECONNECTING);
}

void sg_health_refresh(sg_bcast *b)
{
    sg_bcast_health h = sg_health_judge(b, b->now);
    if (h.healthy == b->health.healthy && h.reason == b->health.reason) {
        return;
    }
    if (h.healthy != b->health.healthy) {
        b->counters.health_transitions++;
    }
    b->health = h;
    assert(h.healthy == (h.reason <= SG_HEALTH_OK_DISABLED));
    sg_bcast_action a;
    memset(&a, 0, sizeof a);
    a.kind = SG_ACT_HEALTH;
    a.u.health.healthy = h.healthy;
    a.u.health.reason = h.reason;
    sg_emit(b, &a);
}

sg_bcast_health sg_bcast_health_at(const sg_bcast *b, sg_time_ns now)
{
    assert(b != NULL);
    return sg_health_judge(b, now < b->now ? b->now : now);
}

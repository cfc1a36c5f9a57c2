/*
 * sync_world.c - the infonet world: nodes syncing from one upstream peer
 * that rate-limits with a leaky bucket.
 *
 * Each request adds 1 to the bucket (rejected ones too, when
 * count_rejected: the limiter the seed's node kept full); the bucket
 * drains at drain_per_s.  Over capacity the peer answers 429 with a
 * Retry-After: the configured text verbatim (hostile values included) or
 * the seconds until it would accept again.  Nodes parse it with the
 * core's sg_retry_after_parse and schedule with their sync model.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stormglass/retry_after.h"
#include "world.h"

sg_status sync_world_init(sim_world *w)
{
    const sim_sync_params *p = &w->s->sync;
    if (p->nodes == 0) {
        return SG_OK;
    }
    w->nodes = calloc(p->nodes, sizeof *w->nodes);
    if (w->nodes == NULL) {
        return SG_E_NOMEM;
    }
    w->upstream.last_ns = 0;
    w->r->metrics[SIM_M_SYNC_RECOVERY_S] = 0;
    for (uint32_t i = 0; i < p->nodes; i++) {
        sim_sync_node *n = &w->nodes[i];
        sg_sync_init(&n->state);
        n->first_429_ns = SG_TIME_NEVER;
        n->recovered_ns = SG_TIME_NEVER;
        sg_rng_seed(&n->rng, w->seed, SIM_STREAM_NODE_BASE + i);
        sg_time_ns at = p->start_spread_ns > 0 ? (sg_time_ns)sg_rng_below(&n->rng, (uint64_t)p->start_spread_ns + 1)
                                               : 0;
        n->state.next_due_ns = at;
        world_schedule(w, at, EV_SYNC_NODE, i, 0, 0);
    }
    return SG_OK;
}

void sync_world_free(sim_world *w)
{
    free(w->nodes);
    w->nodes = NULL;
}

static void bucket_advance(sim_world *w)
{
    const sim_sync_params *p = &w->s->sync;
    double dt = (double)(w->now - w->upstream.last_ns) / 1e9;
    w->upstream.last_ns = w->now;
    double level = w->upstream.level - p->drain_per_s * dt + p->overload_per_s * dt;
    w->upstream.level = level < 0.0 ? 0.0 : level;
}

void sync_upstream_burst(sim_world *w, uint32_t count)
{
    bucket_advance(w);
    w->upstream.level += count;
}

double sync_bucket_level(sim_world *w)
{
    if (w->nodes == NULL) {
        return 0.0;
    }
    bucket_advance(w);
    return w->upstream.level;
}

static void count_request(sim_world *w)
{
    w->r->metrics[SIM_M_UPSTREAM_REQUESTS] += 1;
    sampler_count(w, SIM_S_UPSTREAM_REQUESTS, 1);
    uint64_t minute = (uint64_t)(w->now / (60 * SG_NS_PER_S));
    if (minute != w->upstream.minute_index) {
        w->upstream.minute_index = minute;
        w->upstream.minute_count = 0;
    }
    w->upstream.minute_count++;
    if ((double)w->upstream.minute_count > w->r->metrics[SIM_M_UPSTREAM_RATE_MAX_PER_MIN]) {
        w->r->metrics[SIM_M_UPSTREAM_RATE_MAX_PER_MIN] = (double)w->upstream.minute_count;
    }
}

/* The upstream's answer: true = 200; else *text is the Retry-After sent. */
static bool upstream_request(sim_world *w, char *text, size_t text_size)
{
    const sim_sync_params *p = &w->s->sync;
    bucket_advance(w);
    count_request(w);
    if (w->upstream.level + 1.0 <= p->bucket_capacity) {
        w->upstream.level += 1.0;
        return true;
    }
    if (p->count_rejected) {
        w->upstream.level += 1.0;
    }
    if (p->retry_after[0] != '\0') {
        (void)snprintf(text, text_size, "%s", p->retry_after);
    } else {
        double over = w->upstream.level + 1.0 - p->bucket_capacity;
        double secs = p->drain_per_s > 0.0 ? ceil(over / p->drain_per_s) : 3600.0;
        (void)snprintf(text, text_size, "%.0f", secs);
    }
    return false;
}

void sync_on_node(sim_world *w, const sim_event *ev)
{
    sim_sync_node *n = &w->nodes[ev->target];
    if (!sg_sync_should_run(&n->state, w->now)) {
        return;
    }
    sg_sync_begin(&n->state, w->now);
    char text[SIM_RETRY_AFTER_TEXT_MAX + 8];
    bool ok = upstream_request(w, text, sizeof text);
    if (ok) {
        w->r->metrics[SIM_M_UPSTREAM_OK] += 1;
        if (n->first_429_ns != SG_TIME_NEVER && n->recovered_ns == SG_TIME_NEVER) {
            n->recovered_ns = w->now;
        }
        w->models->sync->finish(&n->state, &w->s->sync, w->now, true, NULL, &n->rng);
    } else {
        w->r->metrics[SIM_M_UPSTREAM_429] += 1;
        sampler_count(w, SIM_S_UPSTREAM_429, 1);
        if (n->first_429_ns == SG_TIME_NEVER) {
            n->first_429_ns = w->now;
        }
        sg_retry_after ra;
        int64_t epoch = SIM_EPOCH_BASE_S + w->now / SG_NS_PER_S;
        (void)sg_retry_after_parse(text, strlen(text), epoch, w->s->sync.retry_after_ceiling_s, &ra);
        sg_sync_error e;
        sg_sync_error_make(&e, 429, ra.seconds, "rate limited", 12);
        w->models->sync->finish(&n->state, &w->s->sync, w->now, false, &e, &n->rng);
    }
    if ((double)n->state.consecutive_failures > w->r->metrics[SIM_M_SYNC_FAILURES_MAX]) {
        w->r->metrics[SIM_M_SYNC_FAILURES_MAX] = n->state.consecutive_failures;
    }
    world_trace(w, EV_SYNC_NODE, ev->target, ok ? 200u : 429u, (uint64_t)n->state.next_due_ns);
    world_schedule(w, n->state.next_due_ns > w->now ? n->state.next_due_ns : w->now + 1, EV_SYNC_NODE, ev->target,
                   0, 0);
}

void sync_world_finish(sim_world *w)
{
    const sim_sync_params *p = &w->s->sync;
    double worst = 0.0;
    for (uint32_t i = 0; i < p->nodes && w->nodes != NULL; i++) {
        const sim_sync_node *n = &w->nodes[i];
        if (n->first_429_ns == SG_TIME_NEVER) {
            continue;
        }
        if (n->recovered_ns == SG_TIME_NEVER) {
            worst = -1.0;
            if (w->now - n->first_429_ns > w->s->oracle.sync_recovery_bound_ns) {
                oracle_violation(w, SIM_ORACLE_UPSTREAM_RECOVERY, -1, i,
                                 "node %u never synced after its first 429 (%u consecutive failures)", i,
                                 n->state.consecutive_failures);
            }
            continue;
        }
        double s = (double)(n->recovered_ns - n->first_429_ns) / 1e9;
        if (worst >= 0.0 && s > worst) {
            worst = s;
        }
        if (n->recovered_ns - n->first_429_ns > w->s->oracle.sync_recovery_bound_ns) {
            oracle_violation(w, SIM_ORACLE_UPSTREAM_RECOVERY, -1, i, "node %u took %.0f s to recover from 429", i, s);
        }
    }
    w->r->metrics[SIM_M_SYNC_RECOVERY_S] = worst;
}

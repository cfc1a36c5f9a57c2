/*
 * swarm.c - swarm testing: every seed draws its own world (topology,
 * backbone, workload, core settings, fault mix) from its own PRNG stream,
 * runs it, and the summary keeps the failing seeds.  Drawing depends only
 * on (config, seed), so seed N means the same scenario in any sweep.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sim/search.h"
#include "stormglass/rng.h"

#define SWARM_STREAM 0x5377a12dULL
#define WORKER_FAULTS                                                                            \
    ((1u << SIM_FAULT_PARTITION) | (1u << SIM_FAULT_SUBSCRIBER_KILL) | (1u << SIM_FAULT_SLOW_SUBSCRIBER) | \
     (1u << SIM_FAULT_SLOW_CLIENTS) | (1u << SIM_FAULT_WORKER_CRASH) | (1u << SIM_FAULT_GRACEFUL_RESTART))

const char *const sim_core_fiu_points[] = {"stormglass/bcast/create_alloc", "stormglass/bcast/replay_alloc", NULL};

void sim_swarm_config_default(sim_swarm_config *c)
{
    memset(c, 0, sizeof *c);
    c->seed_first = 1;
    c->seed_count = 100;
    c->workers_max = 4;
    c->clients_max = 20;
    c->faults_max = 6;
    c->fault_kinds = ((1u << SIM_FAULT_KIND_COUNT) - 1u) & ~(1u << SIM_FAULT_UPSTREAM_BURST) &
                     ~(1u << SIM_FAULT_GRACEFUL_RESTART);
    c->fiu_points = sim_core_fiu_points;
    c->backbone_kinds = (1u << SIM_BACKBONE_KIND_COUNT) - 1u;
    c->duration_ns = (sg_duration_ns)5 * 60 * SG_NS_PER_S;
    c->oracle_checks = SIM_ORACLE_ALL;
    c->draw_settings = true;
}

/* A uniformly drawn set bit of mask (mask != 0). */
static unsigned pick_bit(sg_rng *r, uint32_t mask)
{
    unsigned n = (unsigned)__builtin_popcount(mask);
    unsigned k = (unsigned)sg_rng_below(r, n);
    for (unsigned b = 0; b < 32; b++) {
        if (((mask >> b) & 1u) && k-- == 0) {
            return b;
        }
    }
    return 0;
}

/* Multiple of `step` in [lo, hi]. */
static sg_duration_ns draw_span(sg_rng *r, sg_duration_ns lo, sg_duration_ns hi, sg_duration_ns step)
{
    uint64_t steps = (uint64_t)((hi - lo) / step);
    return lo + (sg_duration_ns)sg_rng_below(r, steps + 1) * step;
}

static void draw_fiu_point(sg_rng *r, const char *const *points, sim_fault *f)
{
    uint32_t n = 0;
    while (points != NULL && points[n] != NULL) {
        n++;
    }
    if (n == 0) {
        f->kind = SIM_FAULT_LATENCY; /* nothing to fail: a harmless fault instead */
        f->down_ns = 100 * SG_NS_PER_MS;
        return;
    }
    (void)snprintf(f->point, sizeof f->point, "%s", points[sg_rng_below(r, n)]);
    f->value = (double)(1 + sg_rng_below(r, 10)) / 10.0;
}

static sim_fault draw_fault(sg_rng *r, const sim_swarm_config *c, uint32_t workers)
{
    sim_fault_kind kind = (sim_fault_kind)pick_bit(r, c->fault_kinds);
    sg_duration_ns latest = c->duration_ns > 260 * SG_NS_PER_S ? c->duration_ns - 250 * SG_NS_PER_S
                                                                : c->duration_ns / 4;
    sim_fault f = sim_fault_make(kind, draw_span(r, 10 * SG_NS_PER_S, latest, 100 * SG_NS_PER_MS));
    if ((WORKER_FAULTS >> kind) & 1u || (kind == SIM_FAULT_HALF_OPEN && sg_rng_below(r, 2) == 0)) {
        f.target = (int32_t)sg_rng_below(r, workers);
    }
    f.duration_ns = draw_span(r, SG_NS_PER_S, 30 * SG_NS_PER_S, 100 * SG_NS_PER_MS);
    switch (kind) {
    case SIM_FAULT_FLAP:
        f.count = 1 + (uint32_t)sg_rng_below(r, 5);
        f.down_ns = draw_span(r, 500 * SG_NS_PER_MS, 5 * SG_NS_PER_S, 100 * SG_NS_PER_MS);
        f.up_ns = draw_span(r, 500 * SG_NS_PER_MS, 5 * SG_NS_PER_S, 100 * SG_NS_PER_MS);
        f.duration_ns = 0;
        break;
    case SIM_FAULT_LATENCY:
        f.down_ns = draw_span(r, 100 * SG_NS_PER_MS, 3 * SG_NS_PER_S, 100 * SG_NS_PER_MS);
        f.jitter_ns = draw_span(r, 0, 500 * SG_NS_PER_MS, 100 * SG_NS_PER_MS);
        break;
    case SIM_FAULT_CONNECT_DROP:
        f.up_ns = draw_span(r, 50 * SG_NS_PER_MS, 500 * SG_NS_PER_MS, 50 * SG_NS_PER_MS);
        break;
    case SIM_FAULT_SLOW_SUBSCRIBER:
        f.value = (double)(100 * (1 + sg_rng_below(r, 100)));
        break;
    case SIM_FAULT_SLOW_CLIENTS:
        f.value = (double)(1 + sg_rng_below(r, 10)) / 10.0;
        break;
    case SIM_FAULT_UPSTREAM_BURST:
        f.count = 1 + (uint32_t)sg_rng_below(r, 50);
        break;
    case SIM_FAULT_FIU:
        draw_fiu_point(r, c->fiu_points, &f);
        break;
    case SIM_FAULT_SEND_FAIL:
    case SIM_FAULT_CLIENTS_LEAVE:
        f.value = (double)(1 + sg_rng_below(r, 10)) / 10.0;
        f.target = sg_rng_below(r, 2) == 0 ? -1 : (int32_t)sg_rng_below(r, workers);
        break;
    default:
        break;
    }
    return f;
}

/* The world's knobs: backbone timing, the core's settings, the clients'
 * policy, a probe.  Each from a small set of meaningful values. */
static void draw_settings(sg_rng *r, sim_scenario *s)
{
    static const sg_backoff_policy client_policies[] = {SG_BACKOFF_FULL_JITTER, SG_BACKOFF_EQUAL_JITTER,
                                                        SG_BACKOFF_DECORRELATED};
    static const uint32_t replay_items[] = {10000, 100, 10};
    s->topology.backbone.latency_ns = draw_span(r, SG_NS_PER_MS, 50 * SG_NS_PER_MS, SG_NS_PER_MS);
    s->topology.backbone.jitter_ns = draw_span(r, 0, 20 * SG_NS_PER_MS, SG_NS_PER_MS);
    if (sg_rng_below(r, 2) == 0) {
        s->bcast.watchdog_ns = 6 * SG_NS_PER_S;
        s->bcast.heartbeat_ns = 2 * SG_NS_PER_S;
    }
    s->bcast.replay_items_max = replay_items[sg_rng_below(r, 3)];
    s->bcast.delivery = sg_rng_below(r, 2) == 0 ? SG_DELIVERY_IMMEDIATE : SG_DELIVERY_ON_ECHO;
    s->bcast.settle_ns = sg_rng_below(r, 3) == 0 ? 0 : 2 * SG_NS_PER_S;
    s->bcast.resync_cooldown_ns = sg_rng_below(r, 3) == 0 ? 0 : 30 * SG_NS_PER_S;
    s->bcast.backoff.max_retries = sg_rng_below(r, 4) == 0 ? 5 : 0;
    s->client.backoff = sg_backoff_config_default(client_policies[sg_rng_below(r, 3)]);
    s->probe.enabled = sg_rng_below(r, 2) == 0;
}

void sim_swarm_draw(const sim_swarm_config *c, uint64_t seed, sim_scenario *s)
{
    sg_rng r;
    sg_rng_seed(&r, seed, SWARM_STREAM);
    sim_scenario_init(s);
    (void)snprintf(s->name, sizeof s->name, "swarm-%" PRIu64, seed);
    s->seed = seed;
    s->duration_ns = c->duration_ns;
    s->oracle.checks = c->oracle_checks;
    /* A flapping backbone can chain recoveries: settle, a resync deferred by
     * the cooldown, its window, a rerun after another cooldown.  The bound
     * leaves room for that with the default settings (about 90 s). */
    s->oracle.convergence_bound_ns = 120 * SG_NS_PER_S;
    s->topology.workers = 1 + (uint32_t)sg_rng_below(&r, c->workers_max);
    s->topology.clients_per_worker = 1 + (uint32_t)sg_rng_below(&r, c->clients_max);
    s->topology.backbone.kind = (sim_backbone_kind)pick_bit(&r, c->backbone_kinds);
    s->workload.publish_per_s = (double)(1 + sg_rng_below(&r, 8)) / 2.0;
    s->bcast.clients_max = s->topology.clients_per_worker < 64 ? 64 : s->topology.clients_per_worker;
    if (c->draw_settings) {
        draw_settings(&r, s);
    } else if (sg_rng_below(&r, 2) == 0) {
        s->bcast.watchdog_ns = 6 * SG_NS_PER_S;
        s->bcast.heartbeat_ns = 2 * SG_NS_PER_S;
    }
    uint32_t n = (uint32_t)sg_rng_below(&r, (uint64_t)c->faults_max + 1);
    for (uint32_t i = 0; i < n && c->fault_kinds != 0; i++) {
        sim_fault f = draw_fault(&r, c, s->topology.workers);
        (void)sim_scenario_add_fault(s, &f);
        if (f.kind == SIM_FAULT_HALF_OPEN) {
            /* A half-open session gives no error: only the silence watchdog
             * can notice it, so a world that has one runs the watchdog (the
             * documented mitigation); without it the result is known. */
            s->bcast.watchdog_ns = 6 * SG_NS_PER_S;
            s->bcast.heartbeat_ns = 2 * SG_NS_PER_S;
        }
    }
}

sg_status sim_swarm(const sim_swarm_config *c, const sim_model_set *models, sim_swarm_summary *sum, sg_error *err)
{
    memset(sum, 0, sizeof *sum);
    if (c->workers_max == 0 || c->workers_max > SIM_WORKERS_MAX || c->clients_max == 0 ||
        c->faults_max > SIM_FAULTS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "swarm: workers-max 1..%u, clients-max >= 1, faults-max <= %u",
                            SIM_WORKERS_MAX, SIM_FAULTS_MAX);
    }
    sim_run_options opt = {.stop_at_first_violation = true};
    sim_scenario *s = malloc(sizeof *s); /* large: keep it off the stack */
    if (s == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "swarm: no memory");
    }
    for (uint64_t k = 0; k < c->seed_count; k++) {
        uint64_t seed = c->seed_first + k;
        sim_swarm_draw(c, seed, s);
        sim_result r;
        sg_error run_err = {{0}};
        sg_status st = sim_run(s, models, seed, &opt, &r, &run_err);
        sum->runs++;
        sum->events += (uint64_t)r.metrics[SIM_M_EVENTS];
        if (st != SG_OK) {
            sum->errors++;
        } else if (r.violations_kept > 0) {
            sum->failures++;
            sum->per_oracle[r.violations[0].oracle]++;
            if (sum->kept < SIM_SWARM_FAILURES_KEPT) {
                sum->failing[sum->kept++] = (sim_swarm_failure){.seed = seed, .first = r.violations[0]};
            }
        }
        sim_result_free(&r);
    }
    free(s);
    return SG_OK;
}

void sim_swarm_print(FILE *out, const sim_swarm_summary *sum)
{
    fprintf(out, "swarm: %" PRIu64 " runs, %" PRIu64 " failing, %" PRIu64 " errors, %" PRIu64 " events\n", sum->runs,
            sum->failures, sum->errors, sum->events);
    for (unsigned i = 0; i < SIM_ORACLE_COUNT; i++) {
        if (sum->per_oracle[i] > 0) {
            fprintf(out, "  %-20s %u\n", sim_oracle_name((sim_oracle_id)i), sum->per_oracle[i]);
        }
    }
    for (uint32_t i = 0; i < sum->kept; i++) {
        const sim_swarm_failure *f = &sum->failing[i];
        fprintf(out, "  seed %" PRIu64 ": %s at %.3f s: %s\n", f->seed, sim_oracle_name(f->first.oracle),
                (double)f->first.at / 1e9, f->first.event);
    }
}

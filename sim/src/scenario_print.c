/*
 * scenario_print.c - writes a sim_scenario in its canonical text form
 * (grammar in scenario.h), so a shrunk or drawn scenario can be saved as a
 * file that replays without depending on PRNG draw order.
 */
#include "sim/scenario.h"

#include <assert.h>
#include <inttypes.h>

/* Exact, single-unit durations ("90s", "1500ms"), so printing and parsing
 * round-trip: the people-friendly sg_format_duration rounds. */
static const char *dur(sg_duration_ns d, char *buf, size_t n)
{
    static const struct { sg_duration_ns ns; const char *unit; } units[] = {
        {3600 * SG_NS_PER_S, "h"}, {60 * SG_NS_PER_S, "m"}, {SG_NS_PER_S, "s"},
        {SG_NS_PER_MS, "ms"},      {SG_NS_PER_US, "us"},    {1, "ns"}};
    if (d == 0) {
        (void)snprintf(buf, n, "0s");
        return buf;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (d % units[i].ns == 0) {
            (void)snprintf(buf, n, "%lld%s", (long long)(d / units[i].ns), units[i].unit);
            break;
        }
    }
    return buf;
}

static const char *onoff(bool b)
{
    return b ? "on" : "off";
}

static void print_world(FILE *out, const sim_scenario *s)
{
    char a[32], b[32], c[32], d[32];
    const sim_topology *t = &s->topology;
    fprintf(out, "workers %u\nclients-per-worker %u\nworker-restart %s %s\npin-listener %s\n", t->workers,
            t->clients_per_worker, onoff(t->worker_restart), dur(t->worker_restart_ns, a, sizeof a),
            onoff(t->pin_listener));
    fprintf(out, "backbone %s latency=%s jitter=%s connect-latency=%s detect=%s output-buffer=%" PRIu64
                 " retention=%u payload-max=%u\n",
            sim_backbone_kind_name(t->backbone.kind), dur(t->backbone.latency_ns, a, sizeof a),
            dur(t->backbone.jitter_ns, b, sizeof b), dur(t->backbone.connect_latency_ns, c, sizeof c),
            dur(t->backbone.detect_ns, d, sizeof d), t->backbone.output_buffer_bytes, t->backbone.retention_msgs,
            t->backbone.payload_max);
    const sg_bcast_config *k = &s->bcast;
    fprintf(out, "bcast reconnect=%s max-retries=%u backoff=%s backoff-min=%s backoff-max=%s\n",
            onoff(k->reconnect_enabled), k->backoff.max_retries, sg_backoff_policy_name(k->backoff.policy),
            dur(k->backoff.base_ns, a, sizeof a), dur(k->backoff.max_ns, b, sizeof b));
    fprintf(out, "bcast replay-items=%u replay-bytes=%" PRIu64 " payload-max=%u resync=%s settle=%s settle-jitter=%s\n",
            k->replay_items_max, k->replay_bytes_max, k->backbone_payload_max, onoff(k->resync_on_reconnect),
            dur(k->settle_ns, a, sizeof a), dur(k->settle_jitter_ns, b, sizeof b));
    fprintf(out, "bcast resync-window=%s resync-cooldown=%s watchdog=%s healthcheck=%s delivery=%s connect-timeout=%s\n",
            dur(k->resync_window_ns, a, sizeof a), dur(k->resync_cooldown_ns, b, sizeof b),
            dur(k->watchdog_ns, c, sizeof c), onoff(k->healthcheck_enabled),
            k->delivery == SG_DELIVERY_ON_ECHO ? "on-echo" : "immediate", dur(k->connect_timeout_ns, d, sizeof d));
    fprintf(out, "bcast heartbeat=%s clients-max=%u peers-max=%u\n", dur(k->heartbeat_ns, a, sizeof a),
            k->clients_max, k->peers_max);
    const sim_workload *w = &s->workload;
    fprintf(out, "workload publish-rate=%.15g payload=%u start=%s stop=%s connect-spread=%s publisher=%d\n",
            w->publish_per_s, w->payload_bytes, dur(w->publish_start_ns, a, sizeof a),
            dur(w->publish_stop_ns, b, sizeof b), dur(w->connect_spread_ns, c, sizeof c), w->publisher);
    fprintf(out, "client backoff=%s base=%s max=%s max-retries=%u connect-latency=%s\n",
            sg_backoff_policy_name(s->client.backoff.policy), dur(s->client.backoff.base_ns, a, sizeof a),
            dur(s->client.backoff.max_ns, b, sizeof b), s->client.backoff.max_retries,
            dur(s->client.connect_latency_ns, c, sizeof c));
    fprintf(out, "truth refetch-rate=%.15g queue=%u latency=%s\n", s->truth.refetch_per_s, s->truth.queue_max,
            dur(s->truth.refetch_latency_ns, a, sizeof a));
}

static void print_checks(FILE *out, uint32_t checks)
{
    if (checks == SIM_ORACLE_ALL) {
        fputs("all", out);
        return;
    }
    const char *sep = "";
    for (unsigned i = 0; i < SIM_ORACLE_COUNT; i++) {
        if (checks & (1u << i)) {
            fprintf(out, "%s%s", sep, sim_oracle_name((sim_oracle_id)i));
            sep = ",";
        }
    }
    if (*sep == '\0') {
        fputs("none", out);
    }
}

static void print_side_worlds(FILE *out, const sim_scenario *s)
{
    char a[32], b[32], c[32], d[32];
    const sim_probe_params *p = &s->probe;
    fprintf(out, "probe %s period=%s timeout=%s failure-threshold=%u initial-delay=%s restart=%s\n",
            onoff(p->enabled), dur(p->period_ns, a, sizeof a), dur(p->timeout_ns, b, sizeof b), p->failure_threshold,
            dur(p->initial_delay_ns, c, sizeof c), onoff(p->restart));
    const sim_sync_params *y = &s->sync;
    fprintf(out, "sync nodes=%u interval=%s base=%s cap=%s jitter=%.15g legacy-retry=%s\n", y->nodes,
            dur(y->config.interval_ns, a, sizeof a), dur(y->config.failure_base_ns, b, sizeof b),
            dur(y->config.failure_cap_ns, c, sizeof c), y->config.jitter, dur(y->legacy_retry_ns, d, sizeof d));
    fprintf(out, "sync bucket=%.15g drain=%.15g count-rejected=%s retry-after=\"%s\" ceiling=%" PRId64
                 " start-spread=%s overload=%.15g\n",
            y->bucket_capacity, y->drain_per_s, onoff(y->count_rejected), y->retry_after, y->retry_after_ceiling_s,
            dur(y->start_spread_ns, a, sizeof a), y->overload_per_s);
    const sim_healthz_params *h = &s->healthz;
    fprintf(out, "healthz watchers=%u slow=%d busy=%s code=%s goaway-at=%s step=%s leave-trigger=%d leave-victim=%d\n",
            h->watchers, h->slow, dur(h->busy_ns, a, sizeof a), sim_health_code_name(h->code),
            dur(h->goaway_at_ns, b, sizeof b), dur(h->step_ns, c, sizeof c), h->leave_trigger, h->leave_victim);
    fprintf(out, "appproxy race=%s\n", sim_race_name(s->appproxy.race));
    const sim_oracle_params *o = &s->oracle;
    fprintf(out, "oracle convergence-bound=%s convergence-lag=%s wedge-grace=%s sync-recovery-bound=%s ",
            dur(o->convergence_bound_ns, a, sizeof a), dur(o->convergence_lag_ns, b, sizeof b),
            dur(o->wedge_grace_ns, c, sizeof c), dur(o->sync_recovery_bound_ns, d, sizeof d));
    fprintf(out, "notify-bound=%s checks=", dur(o->notify_bound_ns, a, sizeof a));
    print_checks(out, o->checks);
    fputc('\n', out);
}

static void print_fault(FILE *out, const sim_fault *f)
{
    char a[32];
    fprintf(out, "fault at=%s kind=%s", dur(f->at, a, sizeof a), sim_fault_kind_name(f->kind));
    if (f->target >= 0) {
        fprintf(out, " target=%d", f->target);
    }
    if (f->duration_ns > 0) {
        fprintf(out, " duration=%s", dur(f->duration_ns, a, sizeof a));
    }
    if (f->count > 0) {
        fprintf(out, " count=%u", f->count);
    }
    if (f->down_ns > 0) {
        fprintf(out, " down=%s", dur(f->down_ns, a, sizeof a));
    }
    if (f->up_ns > 0) {
        fprintf(out, " up=%s", dur(f->up_ns, a, sizeof a));
    }
    if (f->jitter_ns > 0) {
        fprintf(out, " jitter=%s", dur(f->jitter_ns, a, sizeof a));
    }
    if (f->kind == SIM_FAULT_FIU) {
        fprintf(out, " point=%s probability=%.15g", f->point, f->value);
    } else if (f->value > 0.0) {
        fprintf(out, " value=%.15g", f->value);
    }
    fputc('\n', out);
}

void sim_scenario_print(FILE *out, const sim_scenario *s)
{
    assert(out != NULL && s != NULL);
    char a[32], b[32];
    fprintf(out, "name %s\nseed %" PRIu64 "\nduration %s\nsample-period %s\nmodels", s->name, s->seed,
            dur(s->duration_ns, a, sizeof a), dur(s->sample_period_ns, b, sizeof b));
    for (uint32_t i = 0; i < s->model_count && i < SIM_MODELS_MAX; i++) {
        fprintf(out, " %s", s->models[i]);
    }
    fputc('\n', out);
    print_world(out, s);
    print_side_worlds(out, s);
    for (uint32_t i = 0; i < s->fault_count && i < SIM_FAULTS_MAX; i++) {
        print_fault(out, &s->faults[i]);
    }
}

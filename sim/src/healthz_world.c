/*
 * healthz_world.c - the healthz incidents inside a run: a health fan-out
 * (the notifier model of the run) with simulated watchers, driven by
 * sim_fanout in virtual time (sim/fanout_drive.h).
 *
 * Script: watchers join at t = 0; at t = 1 s the status changes to
 * `code` while the slow watcher is busy for busy_ns; at goaway_at (if set)
 * the server leaves with GOAWAY while the slow watcher is busy again; the
 * leave trigger/victim pair makes a watcher disconnect in the middle of a
 * broadcast.  Measured: latency of the change per watcher (the slow one
 * apart), watchers never reached, GOAWAY lost by live watchers, crashes of
 * the sender, deliveries to watchers that had left.
 */
#include "world.h"

#include "sim/fanout_drive.h"

#define HEALTHZ_CHANGE_AT SG_NS_PER_S

static bool is_slow(const sim_healthz_params *h, uint32_t i)
{
    return h->slow >= 0 && (uint32_t)h->slow == i;
}

/* Latency of `code` to ready watchers; counts the ones never reached. */
static void measure(sim_world *w, const sim_fanout *fo)
{
    const sim_healthz_params *h = &w->s->healthz;
    sg_time_ns end = w->now;
    double worst = 0.0;
    uint32_t unreached = 0, lost_goaway = 0;
    for (uint32_t i = 0; i < fo->count; i++) {
        const sim_fanout_watcher *x = &fo->w[i];
        if (x->gone) {
            continue;
        }
        sg_time_ns got = x->got_at[h->code];
        double lat = got == SG_TIME_NEVER ? -1.0 : (double)(got - HEALTHZ_CHANGE_AT) / 1e9;
        if (is_slow(h, i)) {
            w->r->metrics[SIM_M_SLOW_WATCHER_LATENCY_S] = lat;
        } else if (lat < 0.0) {
            unreached++;
        } else if (lat > worst) {
            worst = lat;
        }
        if (h->goaway_at_ns > 0 && x->got_at[SG_HEALTH_CODE_GOAWAY] == SG_TIME_NEVER) {
            lost_goaway++;
        }
    }
    w->r->metrics[SIM_M_NOTIFY_LATENCY_MAX_S] = unreached > 0 ? -1.0 : worst;
    w->r->metrics[SIM_M_WATCHERS_UNREACHED] = unreached;
    w->r->metrics[SIM_M_TERMINAL_LOST] = lost_goaway;
    w->now = HEALTHZ_CHANGE_AT;
    if (unreached > 0 || worst * 1e9 > (double)w->s->oracle.notify_bound_ns) {
        oracle_violation(w, SIM_ORACLE_NOTIFY_LATENCY, -1, -1,
                         "healthz: %u ready watchers never got %s, the slowest of the others after %.3f s", unreached,
                         sim_health_code_name(h->code), worst);
    }
    if (lost_goaway > 0) {
        w->now = h->goaway_at_ns;
        oracle_violation(w, SIM_ORACLE_TERMINAL_LOST, -1, -1, "healthz: %u live watchers never got GOAWAY",
                         lost_goaway);
    }
    w->now = end; /* violations carry the time of the change they are about */
}

static sg_status drive(sim_world *w, sim_fanout *fo)
{
    const sim_healthz_params *h = &w->s->healthz;
    sg_status st = sim_fanout_step(fo, 0);
    bool changed = false, left = false;
    for (sg_time_ns t = h->step_ns; st == SG_OK && t <= w->s->duration_ns; t += h->step_ns) {
        if (!changed && t >= HEALTHZ_CHANGE_AT) {
            changed = true;
            if (h->slow >= 0) {
                sim_fanout_set_busy(fo, (uint32_t)h->slow, t + h->busy_ns);
            }
            if (h->leave_trigger >= 0) {
                fo->leave_when_delivering = h->leave_trigger;
                fo->leave_victim = h->leave_victim;
            }
            (void)sim_fanout_publish(fo, t, h->code);
        }
        if (!left && h->goaway_at_ns > 0 && t >= h->goaway_at_ns) {
            left = true;
            if (h->slow >= 0) {
                sim_fanout_set_busy(fo, (uint32_t)h->slow, t + h->busy_ns);
            }
            (void)sim_fanout_publish(fo, t, SG_HEALTH_CODE_GOAWAY);
        }
        st = sim_fanout_step(fo, t);
    }
    return st;
}

void healthz_world_run(sim_world *w)
{
    const sim_healthz_params *h = &w->s->healthz;
    if (h->watchers == 0) {
        return;
    }
    sim_fanout fo;
    sg_error err = {{0}};
    if (sim_fanout_create(&fo, w->models->notifier, h->watchers, 0, &err) != SG_OK) {
        world_fail(w, SG_E_NOMEM, "healthz: cannot create the notifier model");
        return;
    }
    sg_status st = drive(w, &fo);
    sim_notifier_stats stats;
    w->models->notifier->stats_get(fo.model, &stats);
    w->r->metrics[SIM_M_SENDER_CRASHES] = (double)stats.crashes;
    w->r->metrics[SIM_M_DELIVERIES_TO_GONE] = (double)fo.deliveries_to_gone;
    w->r->metrics[SIM_M_BROADCAST_CALLBACKS] = (double)fo.callbacks;
    measure(w, &fo);
    if (st == SG_E_STATE || stats.crashes > 0 || fo.deliveries_to_gone > 0) {
        oracle_violation(w, SIM_ORACLE_MODEL_CRASH, -1, h->leave_victim,
                         "healthz: the sender sent to a closed mailbox (%llu crashes, %llu deliveries to gone)",
                         (unsigned long long)stats.crashes, (unsigned long long)fo.deliveries_to_gone);
    }
    world_trace(w, TR_HEALTHZ, 0, (uint64_t)fo.callbacks, (uint64_t)stats.crashes);
    sim_fanout_destroy(&fo);
}

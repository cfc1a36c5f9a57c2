/*
 * bench_sim.c - `make bench-sim`: the simulator's speed and size figures.
 *
 *   1. raw speed: simulated events per second of wall time (one core);
 *   2. the fleet storm: 4 workers x 10,000 clients, one simulated hour, a
 *      20 s backbone outage and the full resync that follows: wall time,
 *      time compression, and memory per simulated client (the peak heap
 *      of the whole run divided by the clients: simulator state, event
 *      queue, the models with their registries, all in);
 *   3. a 1,000-seed swarm of small topologies.
 * Prints the figures and writes them to DIR/sim.txt and DIR/sim.json.
 * Usage: bench_sim [DIR [MODEL]] (MODEL defaults to the core).
 * The wall clock is read here only, to measure: the runs themselves are
 * simulated time.
 */
#define _GNU_SOURCE /* mallinfo2: measuring only */
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/run.h"
#include "sim/search.h"

typedef struct figures {
    double events_per_s, events_run;
    double fleet_wall_s, fleet_compression, fleet_bytes_per_client, fleet_events;
    double fleet_resync_closes, fleet_refetches, fleet_convergence_s;
    double swarm_wall_s, swarm_runs, swarm_failures;
    double legacy_wall_s, legacy_events, legacy_crashes;
    const char *model;
} figures;

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Heap in use (malloc'd and mmap'd blocks), sampled during a run. */
static void heap_peak(void *ctx, sg_time_ns now, sg_time_ns end)
{
    (void)now;
    (void)end;
    struct mallinfo2 mi = mallinfo2();
    double used = (double)mi.uordblks + (double)mi.hblkhd;
    double *peak = ctx;
    if (used > *peak) {
        *peak = used;
    }
}

static int run(const sim_scenario *s, const sim_model_set *m, sim_result *r, double *wall, double *heap)
{
    sg_error err = {{0}};
    sim_run_options opt = {.progress = heap_peak, .progress_ctx = heap};
    double t0 = wall_s();
    sg_status st = sim_run(s, m, s->seed, &opt, r, &err);
    *wall = wall_s() - t0;
    if (st != SG_OK) {
        fprintf(stderr, "bench-sim: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static sim_scenario *fleet_scenario(void)
{
    sim_scenario *s = malloc(sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    sim_scenario_init(s);
    strcpy(s->name, "fleet-storm");
    s->topology.workers = 4;
    s->topology.clients_per_worker = 10000;
    s->bcast.clients_max = 16384;
    s->duration_ns = 3600 * SG_NS_PER_S;
    s->workload.publish_per_s = 1.0;
    s->workload.connect_spread_ns = 30 * SG_NS_PER_S;
    s->truth.refetch_per_s = 2000;
    s->truth.queue_max = 50000;
    sim_fault down = sim_fault_make(SIM_FAULT_BACKBONE_DOWN, 600 * SG_NS_PER_S);
    down.duration_ns = 20 * SG_NS_PER_S;
    (void)sim_scenario_add_fault(s, &down);
    return s;
}

static int fleet_storm(const sim_model_set *m, figures *f)
{
    sim_scenario *s = fleet_scenario();
    if (s == NULL) {
        return 1;
    }
    struct mallinfo2 mi = mallinfo2();
    double heap0 = (double)mi.uordblks + (double)mi.hblkhd, heap = heap0;
    sim_result r;
    double wall = 0;
    int rc = run(s, m, &r, &wall, &heap);
    f->fleet_wall_s = wall;
    f->fleet_compression = 3600.0 / wall;
    /* the whole world's heap (clients, queue, models with their registries,
     * logs, bitmaps, series) at its peak, divided by the clients */
    f->fleet_bytes_per_client = (heap - heap0) / 40000.0;
    f->fleet_events = r.metrics[SIM_M_EVENTS];
    f->fleet_resync_closes = r.metrics[SIM_M_RESYNC_CLOSES];
    f->fleet_refetches = r.metrics[SIM_M_REFETCHES];
    f->fleet_convergence_s = r.metrics[SIM_M_CONVERGENCE_TIME_S];
    sim_result_free(&r);
    free(s);
    return rc;
}

/* The same storm with the stock broadcaster: every reconnect crashes, so
 * the negative control is the heaviest run of the catalogue. */
static int fleet_storm_legacy(figures *f)
{
    sim_model_set m;
    sim_scenario *s = fleet_scenario();
    if (s == NULL || sim_model_resolve("stock", &m, NULL) != SG_OK) {
        free(s);
        return 1;
    }
    sim_result r;
    double wall = 0, heap = 0;
    int rc = run(s, &m, &r, &wall, &heap);
    f->legacy_wall_s = wall;
    f->legacy_events = r.metrics[SIM_M_EVENTS];
    f->legacy_crashes = r.metrics[SIM_M_CLIENT_CRASHES];
    sim_result_free(&r);
    free(s);
    return rc;
}

static int raw_speed(const sim_model_set *m, figures *f)
{
    sim_scenario *s = malloc(sizeof *s);
    if (s == NULL) {
        return 1;
    }
    sim_scenario_init(s);
    strcpy(s->name, "raw-speed");
    s->topology.workers = 8;
    s->topology.clients_per_worker = 50;
    s->bcast.clients_max = 64;
    s->topology.backbone.kind = SIM_BACKBONE_IDEAL;
    s->duration_ns = 120 * SG_NS_PER_S;
    s->workload.publish_per_s = 2000.0;
    sim_result r;
    double wall = 0, heap = 0;
    int rc = run(s, m, &r, &wall, &heap);
    f->events_run = r.metrics[SIM_M_EVENTS];
    f->events_per_s = r.metrics[SIM_M_EVENTS] / wall;
    sim_result_free(&r);
    free(s);
    return rc;
}

static int swarm(const sim_model_set *m, figures *f)
{
    sim_swarm_config c;
    sim_swarm_config_default(&c);
    c.seed_count = 1000;
    sim_swarm_summary sum;
    sg_error err = {{0}};
    double t0 = wall_s();
    if (sim_swarm(&c, m, &sum, &err) != SG_OK) {
        fprintf(stderr, "bench-sim: %s\n", err.msg);
        return 1;
    }
    f->swarm_wall_s = wall_s() - t0;
    f->swarm_runs = (double)sum.runs;
    f->swarm_failures = (double)sum.failures;
    return 0;
}

static void report(FILE *out, const figures *f)
{
    fprintf(out, "simulator benchmark (model: %s)\n", f->model);
    fprintf(out, "  raw speed        %.2f million simulated events/s (%.0f events)   target >= 2\n",
            f->events_per_s / 1e6, f->events_run);
    fprintf(out, "  fleet storm      4 x 10000 clients, 1 h, 20 s outage: %.2f s wall, %.0fx compression "
                 "(target < 5 s, > 700x)\n",
            f->fleet_wall_s, f->fleet_compression);
    fprintf(out, "                   %.0f events, %.0f resync closes, %.0f refetches, converged %.1f s after the outage\n",
            f->fleet_events, f->fleet_resync_closes, f->fleet_refetches, f->fleet_convergence_s);
    fprintf(out, "                   %.0f bytes per simulated client, all in (target < 512)\n",
            f->fleet_bytes_per_client);
    fprintf(out, "  fleet storm      the same with the stock model: %.2f s wall, %.0f events, %.0f handler crashes\n",
            f->legacy_wall_s, f->legacy_events, f->legacy_crashes);
    fprintf(out, "  swarm            %.0f seeds in %.2f s (target < 60 s), %.0f failing\n", f->swarm_runs,
            f->swarm_wall_s, f->swarm_failures);
}

static void report_json(FILE *out, const figures *f)
{
    fprintf(out,
            "{\"model\":\"%s\",\"events_per_s\":%.0f,\"fleet_wall_s\":%.3f,\"fleet_compression\":%.1f,"
            "\"fleet_bytes_per_client\":%.0f,\"fleet_events\":%.0f,\"fleet_convergence_s\":%.3f,"
            "\"swarm_seeds\":%.0f,\"swarm_wall_s\":%.3f,\"swarm_failures\":%.0f,\"fleet_stock_wall_s\":%.3f}\n",
            f->model, f->events_per_s, f->fleet_wall_s, f->fleet_compression, f->fleet_bytes_per_client,
            f->fleet_events, f->fleet_convergence_s, f->swarm_runs, f->swarm_wall_s, f->swarm_failures, f->legacy_wall_s);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "reports/bench";
    const char *model = argc > 2 ? argv[2] : "core";
    sim_model_set m;
    sg_error err = {{0}};
    if (sim_model_resolve(model, &m, &err) != SG_OK) {
        fprintf(stderr, "bench-sim: %s\n", err.msg);
        return 2;
    }
    figures f = {.model = m.name};
    if (fleet_storm(&m, &f) != 0 || fleet_storm_legacy(&f) != 0 || raw_speed(&m, &f) != 0 || swarm(&m, &f) != 0) {
        return 1;
    }
    report(stdout, &f);
    char path[512];
    (void)snprintf(path, sizeof path, "%s/sim.txt", dir);
    FILE *txt = fopen(path, "w");
    (void)snprintf(path, sizeof path, "%s/sim.json", dir);
    FILE *json = fopen(path, "w");
    if (txt == NULL || json == NULL) {
        fprintf(stderr, "bench-sim: cannot write under %s\n", dir);
        return 1;
    }
    report(txt, &f);
    report_json(json, &f);
    fclose(txt);
    fclose(json);
    return 0;
}

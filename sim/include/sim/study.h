/*
 * study.h - the backoff contention study (not a storm): N clients race
 * optimistic-concurrency writes to one row, each retrying with a backoff
 * policy of the core (stormglass/backoff.h) after losing the race.
 *
 * The experiment that made "add jitter" common advice: how many calls do
 * N contending clients make in all, and how long until the last one is
 * done, with no backoff, exponential backoff, and exponential backoff with
 * equal, full and decorrelated jitter?
 *
 * Model (deterministic, virtual time): every client starts at t = 0 knowing
 * version 0.  A call is a conditional write "set if the version is still
 * v"; it reaches the row after the network delay (delay +- jitter), is
 * applied atomically in arrival order, and the answer travels back after
 * another delay.  A winner is done when its answer arrives; a loser learns
 * the current version from the answer, waits its backoff, and calls again.
 * Calls counts every conditional write; completion is the arrival of the
 * last winner's answer.
 */
#ifndef STORMGLASS_SIM_STUDY_H
#define STORMGLASS_SIM_STUDY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stormglass/backoff.h"
#include "stormglass/status.h"
#include "stormglass/time.h"

#define STUDY_CLIENTS_MAX 1000u
#define STUDY_CALLS_MAX 10000000u /* per run: a run past this is cut short (truncated) */

typedef struct study_contention_config {
    uint32_t clients;            /* 1 .. STUDY_CLIENTS_MAX */
    sg_backoff_config backoff;   /* policy, base, cap; max_retries must be 0 */
    sg_duration_ns delay_ns;     /* one-way network delay, default 10 ms */
    sg_duration_ns jitter_ns;    /* +- on each leg, default 1 ms */
    uint64_t seed;
} study_contention_config;

typedef struct study_contention_result {
    uint64_t calls;
    sg_duration_ns completion_ns;
    bool truncated;              /* STUDY_CALLS_MAX reached */
} study_contention_result;

/* The study's setting for one policy: base 5 ms, cap 2 s, forever. */
study_contention_config study_contention_default(uint32_t clients, sg_backoff_policy policy, uint64_t seed);

/* One run.  SG_E_INVALID for a bad config (err names the field), SG_E_NOMEM. */
sg_status study_contention_run(const study_contention_config *c, study_contention_result *out, sg_error *err);

/* ---- the sweep: every policy x client count, averaged over runs ---------- */

#define STUDY_POLICIES 5u        /* none, exponential, equal, full, decorrelated */
#define STUDY_POINTS_MAX 32u     /* client counts in one sweep */
#define STUDY_RUNS_MAX 10000u

typedef struct study_contention_table {
    uint32_t points;
    uint32_t clients[STUDY_POINTS_MAX];
    uint32_t runs;                                   /* seeds 1 .. runs per cell */
    sg_backoff_policy policy[STUDY_POLICIES];
    double calls[STUDY_POLICIES][STUDY_POINTS_MAX];         /* mean total calls */
    double completion_ms[STUDY_POLICIES][STUDY_POINTS_MAX]; /* mean time to the last winner */
    uint32_t truncated;                              /* runs cut at STUDY_CALLS_MAX */
} study_contention_table;

/* Fills the table for the given client counts; SG_E_INVALID (err says
 * why) for 0 or too many points, runs out of 1 .. STUDY_RUNS_MAX. */
sg_status study_contention_sweep(const uint32_t *clients, uint32_t points, uint32_t runs,
                                 study_contention_table *out, sg_error *err);

/* The markdown table (clients x policy: mean calls and ms). */
void study_contention_print(FILE *out, const study_contention_table *t);

/* Writes DIR/contention.csv, contention.md and contention.html (a table
 * and two SVG plots); `table_out` (may be NULL) gets the markdown table. */
sg_status study_contention_write(const study_contention_table *t, const char *dir, FILE *table_out, sg_error *err);

#endif

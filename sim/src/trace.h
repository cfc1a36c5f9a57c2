/*
 * trace.h - the run's trace: a rolling hash of every trace event, and the
 * optional human outputs (JSON lines, Chrome/Perfetto trace-event JSON).
 *
 * The hash is FNV-1a 64 taken a 64-bit word at a time over each record's
 * values (time, kind:actor, a, b), so it depends only on what happened
 * and when, never on addresses, byte order or output settings: same
 * scenario, model and seed -> same hash, with gcc or clang.
 */
#ifndef STORMGLASS_SIM_TRACE_H
#define STORMGLASS_SIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stormglass/time.h"

#define SIM_TRACE_HASH_INIT 0xcbf29ce484222325ULL

typedef struct sim_trace {
    uint64_t hash;
    uint64_t records;
    FILE *jsonl;
    FILE *chrome;
    bool chrome_started;
} sim_trace;

void sim_trace_init(sim_trace *t, FILE *jsonl, FILE *chrome);
/* Closes the Chrome JSON array (the FILEs stay the caller's). */
void sim_trace_finish(sim_trace *t);

/* One record: hashed always, written to the JSON-lines log if enabled.
 * `name` is the record kind's stable name (not hashed; kind is). */
void sim_trace_record(sim_trace *t, sg_time_ns at, uint32_t kind, const char *name, uint32_t actor,
                      uint64_t a, uint64_t b);

/* Written to the JSON-lines log like a record but not hashed: the
 * scenario's own fault timeline, whose effects (not its bookkeeping) are
 * what the hash must capture, so a fault that changed nothing leaves the
 * hash as it was (the enumerator's coverage test). */
void sim_trace_unhashed(sim_trace *t, sg_time_ns at, const char *name, uint32_t actor, uint64_t a, uint64_t b);

/* Chrome/Perfetto helpers: tid is the lane (0 = world, 1+i = worker i). */
void sim_chrome_lane(sim_trace *t, uint32_t tid, const char *name);
void sim_chrome_instant(sim_trace *t, sg_time_ns at, uint32_t tid, const char *name, const char *detail);
void sim_chrome_span(sim_trace *t, sg_time_ns start, sg_time_ns end, uint32_t tid, const char *name);
void sim_chrome_counter(sim_trace *t, sg_time_ns at, const char *name, const char *key, double value);

/* FNV-1a 64 of `len` bytes continuing from `h`. */
uint64_t sim_fnv1a64(uint64_t h, const void *data, size_t len);

#endif

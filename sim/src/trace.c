/*
 * trace.c - rolling trace hash and the JSON-lines / Chrome trace writers.
 *
 * Chrome trace-event format: {"traceEvents":[ ... ]} with ph "X"
 * (complete span), "i" (instant), "C" (counter) and "M" (lane names);
 * timestamps in microseconds.  Opens in chrome://tracing and
 * ui.perfetto.dev.
 */
#include "trace.h"

#include <assert.h>
#include <inttypes.h>

#define FNV_PRIME 0x100000001b3ULL

uint64_t sim_fnv1a64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

void sim_trace_init(sim_trace *t, FILE *jsonl, FILE *chrome)
{
    assert(t != NULL);
    t->hash = SIM_TRACE_HASH_INIT;
    t->records = 0;
    t->jsonl = jsonl;
    t->chrome = chrome;
    t->chrome_started = false;
    if (chrome != NULL) {
        fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", chrome);
        fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"stormglass sim\"}}",
              chrome);
        t->chrome_started = true;
    }
}

void sim_trace_finish(sim_trace *t)
{
    assert(t != NULL);
    if (t->chrome != NULL && t->chrome_started) {
        fputs("\n]}\n", t->chrome);
        t->chrome_started = false;
    }
}

/* FNV-1a's step over a whole 64-bit word: the record's fields are words
 * already, and one multiply per word instead of per byte keeps hashing
 * off the simulator's profile.  Values, not bytes in memory, are mixed,
 * so the hash does not depend on the host's byte order. */
static inline uint64_t mix_word(uint64_t h, uint64_t word)
{
    return (h ^ word) * FNV_PRIME;
}

void sim_trace_record(sim_trace *t, sg_time_ns at, uint32_t kind, const char *name, uint32_t actor,
                      uint64_t a, uint64_t b)
{
    uint64_t h = t->hash;
    h = mix_word(h, (uint64_t)at);
    h = mix_word(h, (uint64_t)kind << 32 | actor);
    h = mix_word(h, a);
    h = mix_word(h, b);
    t->hash = h;
    t->records++;
    if (t->jsonl != NULL) {
        fprintf(t->jsonl, "{\"t\":%" PRId64 ",\"ev\":\"%s\",\"actor\":%" PRIu32 ",\"a\":%" PRIu64 ",\"b\":%" PRIu64 "}\n",
                at, name, actor, a, b);
    }
}

void sim_trace_unhashed(sim_trace *t, sg_time_ns at, const char *name, uint32_t actor, uint64_t a, uint64_t b)
{
    if (t->jsonl != NULL) {
        fprintf(t->jsonl, "{\"t\":%" PRId64 ",\"ev\":\"%s\",\"actor\":%" PRIu32 ",\"a\":%" PRIu64 ",\"b\":%" PRIu64 "}\n",
                at, name, actor, a, b);
    }
}

static double us(sg_time_ns t)
{
    return (double)t / 1000.0;
}

void sim_chrome_lane(sim_trace *t, uint32_t tid, const char *name)
{
    if (t->chrome == NULL) {
        return;
    }
    fprintf(t->chrome, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%" PRIu32
                       ",\"args\":{\"name\":\"%s\"}}",
            tid, name);
}

void sim_chrome_instant(sim_trace *t, sg_time_ns at, uint32_t tid, const char *name, const char *detail)
{
    if (t->chrome == NULL) {
        return;
    }
    fprintf(t->chrome, ",\n{\"name\":\"%s\",\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":1,\"tid\":%" PRIu32
                       ",\"args\":{\"detail\":\"%s\"}}",
            name, us(at), tid, detail != NULL ? detail : "");
}

void sim_chrome_span(sim_trace *t, sg_time_ns start, sg_time_ns end, uint32_t tid, const char *name)
{
    if (t->chrome == NULL || end < start) {
        return;
    }
    fprintf(t->chrome, ",\n{\"name\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":1,\"tid\":%" PRIu32 "}",
            name, us(start), us(end - start), tid);
}

void sim_chrome_counter(sim_trace *t, sg_time_ns at, const char *name, const char *key, double value)
{
    if (t->chrome == NULL) {
        return;
    }
    fprintf(t->chrome, ",\n{\"name\":\"%s\",\"ph\":\"C\",\"ts\":%.3f,\"pid\":1,\"args\":{\"%s\":%.6g}}", name,
            us(at), key, value);
}

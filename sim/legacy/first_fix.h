/*
 * first_fix.h - private layout of the "first-fix" legacy model: the OPAL
 * reconnecting broadcaster as first submitted, before the deep review.
 * first_fix.c owns the lifecycle, reader and client side; first_fix_recovery.c
 * the replay buffer, flush and resync.  Negative control only.
 */
#ifndef STORMGLASS_SIM_FIRST_FIX_H
#define STORMGLASS_SIM_FIRST_FIX_H

#include "legacy_util.h"
#include "stormglass/backoff.h"
#include "stormglass/rng.h"

#define FF_CODE_DROPPED 1011u

typedef struct ff_item {
    uint32_t len;
    uint8_t data[];
} ff_item;

typedef struct first_fix {
    sg_bcast_config config;
    sg_rng rng;
    sg_backoff backoff;
    legacy_actions q;
    legacy_clients clients;
    uint64_t *serials;        /* per slot: registration serial (close_all_staggered snapshots) */
    uint64_t next_serial;
    sg_time_ns now;
    uint32_t pins;
    bool recovery_pin;
    /* reader */
    sg_reader_state reader;   /* GIVEN_UP: the dead task stays until the count reaches 0 */
    sg_time_ns reader_at;     /* BACKOFF: next connect */
    bool had_prior_connection; /* finding 1: instance-level, never reset */
    /* replay buffer: a deque bounded by count only (finding 6: no bytes) */
    ff_item **buf;
    uint32_t cap;
    uint32_t head;
    uint32_t count;
    uint64_t bytes;
    /* flush: a lock-free snapshot of the buffer */
    ff_item **staging;
    uint32_t staged;
    uint32_t sent;
    /* recovery */
    sg_recovery_phase phase;
    sg_time_ns phase_at;
    uint64_t resync_serial;
    uint32_t close_cursor;
    uint32_t close_span;
    sg_time_ns close_start;
    uint64_t next_seq;
    bool announced_healthy;
    sg_bcast_counters counters;
} first_fix;

uint32_t ff_listeners(const first_fix *f);
void ff_listeners_changed(first_fix *f, uint32_t before);

/* first_fix_recovery.c */
sg_status ff_buffer_init(first_fix *f);
void ff_buffer_free(first_fix *f);
void ff_buffer_push(first_fix *f, const uint8_t *payload, uint32_t len);
void ff_schedule_gap_recovery(first_fix *f);
void ff_replay_result(first_fix *f, bool ok);
void ff_recovery_on_timer(first_fix *f);
sg_time_ns ff_recovery_deadline(const first_fix *f);

#endif

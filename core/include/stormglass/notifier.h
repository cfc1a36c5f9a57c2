/*
 * notifier.h - health status fan-out to many watchers (gRPC Watch style)
 * that never blocks on a slow watcher, never delivers to one that left and
 * never loses a GOAWAY.
 *
 * The incident (healthz MonitorHealthChan): the broadcast loop sent each
 * status to every client with a blocking send, so one busy client stalled
 * everyone; a client that disconnected during a broadcast had its channel
 * closed under the sender, which crashed the process; the quick fix
 * (non-blocking send into a 1-slot buffer) drops whatever does not fit,
 * GOAWAY included.
 *
 * Design:
 *   - Watchers live in a table allocated at create (watchers_max slots, at
 *     most SG_NOTIFIER_WATCHERS_MAX).  Each slot holds the watcher's
 *     mailbox, owned by the notifier alone: a watcher leaving is an event
 *     (sg_notifier_unwatch) that retires the mailbox, so nothing is ever
 *     delivered to a departed watcher.  Handles carry a generation; a stale
 *     handle is detected, counted and changes nothing.
 *   - A mailbox holds at most two things: one pending non-terminal status
 *     and one sticky GOAWAY flag.  Publishing offers the new status to every
 *     mailbox in O(1) each and never waits: a newer status replaces a
 *     pending one (latest wins, counted "coalesced"); a status equal to what
 *     the watcher already holds or will hold is suppressed (counted).
 *   - GOAWAY is terminal and sticky: it replaces any older pending status
 *     and is never overwritten or dropped while the watcher lives; while
 *     the notifier is terminal every publish is ignored (counted) until
 *     sg_notifier_resume.  A watcher that still holds an untaken GOAWAY
 *     when the service resumes takes the GOAWAY first, then the new status.
 *   - A new watcher gets the current status at once: it is pending in its
 *     mailbox (and on the ready list) as soon as sg_notifier_watch returns.
 *
 * Cost of a broadcast (chosen: O(n) marking, O(1) per watcher).  A status
 * change has to reach every watcher, so someone does O(n) work per change
 * anyway; marking at publish time keeps exact per-watcher counters and
 * pending-since times, lets the ready list tell the driver exactly who has
 * something to send (no scan), and handles GOAWAY stickiness across a
 * resume without per-watcher epoch arithmetic.  The alternative (a global
 * version counter, O(1) publish, each watcher compares its last taken
 * version) would make every watcher pending after every change with no
 * cheap way to list them, so the driver would scan all n anyway.  Repeating
 * the current status costs O(1) (every watcher already holds it).  Neither
 * publishing nor delivering ever waits for a watcher: a busy watcher keeps
 * its (latest) status in its mailbox and takes it when it is ready.
 *
 * Delivery, sans-IO: the driver learns who has something pending from the
 * ready list (sg_notifier_next_ready, FIFO, edge-triggered: a watcher is
 * announced once when its mailbox becomes non-empty and again only after a
 * take leaves something behind) and takes the status when that watcher's
 * stream can accept it (sg_notifier_take).  sg_notifier_deliver does both
 * in an incremental, budgeted loop through a callback that answers
 * ACCEPTED or BUSY; the callback may unwatch any watcher, itself included,
 * or watch new ones.  Time: `now` is passed in; each notification carries
 * the time its watcher's view first went stale, so a driver can measure
 * notification latency.  No clock reads, no I/O, no threads.
 */
#ifndef STORMGLASS_NOTIFIER_H
#define STORMGLASS_NOTIFIER_H

#include <stdbool.h>
#include <stdint.h>

#include "stormglass/status.h"
#include "stormglass/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest watcher table a notifier accepts. */
#define SG_NOTIFIER_WATCHERS_MAX 1000000u
/* Default table size. */
#define SG_NOTIFIER_WATCHERS_DEFAULT 65536u

/* Status codes, numbered like grpc.health.v1 where they exist there. */
typedef enum sg_health_code {
    SG_HEALTH_CODE_NONE = 0,            /* "nothing": take found nothing pending */
    SG_HEALTH_CODE_SERVING = 1,
    SG_HEALTH_CODE_NOT_SERVING = 2,
    SG_HEALTH_CODE_SERVICE_UNKNOWN = 3,
    SG_HEALTH_CODE_GOAWAY = 4           /* terminal: the server is leaving; sticky */
} sg_health_code;

#define SG_HEALTH_CODE_LAST SG_HEALTH_CODE_GOAWAY

typedef struct sg_notifier_config {
    uint32_t watchers_max;      /* 1 .. SG_NOTIFIER_WATCHERS_MAX; default 65536 */
    sg_health_code initial;     /* status before the first publish; non-terminal;
                                   default SERVICE_UNKNOWN */
} sg_notifier_config;

typedef struct sg_watch_handle {
    uint32_t index;      /* slot in the table */
    uint32_t generation; /* bumped when the slot is retired; never 0 for a live slot */
} sg_watch_handle;

typedef struct sg_notification {
    sg_health_code code;        /* NONE when nothing was pending */
    sg_time_ns pending_since;   /* when this watcher's view first diverged from the
                                   published status (kept across coalescing) */
    uint64_t cookie;            /* the driver's id given at watch */
} sg_notification;

typedef enum sg_deliver_verdict {
    SG_DELIVER_ACCEPTED = 1,    /* the watcher took it: the mailbox slot is emptied */
    SG_DELIVER_BUSY             /* cannot accept now: it stays pending; the driver calls
                                   sg_notifier_take when the watcher becomes ready */
} sg_deliver_verdict;

/* Called by sg_notifier_deliver for one watcher with its oldest pending
 * status.  It may call sg_notifier_watch, _unwatch and _take; publish,
 * resume and a nested deliver are refused with SG_E_STATE. */
typedef sg_deliver_verdict (*sg_notifier_deliver_fn)(void *ctx, sg_watch_handle handle,
                                                     const sg_notification *note);

typedef struct sg_notifier sg_notifier; /* opaque */

sg_notifier_config sg_notifier_config_default(void);
/* SG_E_INVALID naming the field ("notifier.watchers_max: ..."). */
sg_status sg_notifier_config_check(const sg_notifier_config *config, sg_error *err);

/* Allocates the whole table (fault point "stormglass/notifier/alloc").
 * SG_E_INVALID or SG_E_NOMEM; *out is NULL on failure. */
sg_status sg_notifier_create(const sg_notifier_config *config, sg_notifier **out, sg_error *err);
/* Not allowed from inside a deliver callback. */
void sg_notifier_destroy(sg_notifier *n);

/* ---- watchers ------------------------------------------------------------ */

/* A watcher arrives; its mailbox holds the current status at once.
 * SG_E_FULL (counted) when the table is full; *out untouched then. */
sg_status sg_notifier_watch(sg_notifier *n, sg_time_ns now, uint64_t cookie, sg_watch_handle *out);

/* A watcher leaves: its mailbox is retired and anything pending in it is
 * discarded.  A stale or repeated handle is a counted no-op returning
 * SG_E_NOT_FOUND. */
sg_status sg_notifier_unwatch(sg_notifier *n, sg_time_ns now, sg_watch_handle handle);

/* ---- the monitor's side --------------------------------------------------- */

/* Broadcasts `code` to every watcher's mailbox (never waits).
 * SG_OK: offered (or a repeat of the current status: suppressed for all);
 * SG_E_INVALID: not a status code;
 * SG_E_STATE: the notifier is terminal (ignored, counted) or called from a
 * deliver callback (refused, counted). */
sg_status sg_notifier_publish(sg_notifier *n, sg_time_ns now, sg_health_code code);

/* Leaves the terminal state and broadcasts `code` (non-terminal).  Watchers
 * that have not taken their GOAWAY yet still get it first.  SG_E_STATE if
 * the notifier is not terminal or inside a deliver callback; SG_E_INVALID
 * for GOAWAY or a non-code. */
sg_status sg_notifier_resume(sg_notifier *n, sg_time_ns now, sg_health_code code);

/* ---- the watchers' side ------------------------------------------------- */

/* Takes the watcher's oldest pending status (a GOAWAY before a status
 * published after the resume).  SG_OK with out->code NONE when nothing is
 * pending; SG_E_NOT_FOUND (counted) for a stale handle. */
sg_status sg_notifier_take(sg_notifier *n, sg_time_ns now, sg_watch_handle handle, sg_notification *out);

/* Pops the next watcher announced as having something pending (FIFO);
 * false when none.  O(1); no scan. */
bool sg_notifier_next_ready(sg_notifier *n, sg_watch_handle *out);

/* Incremental broadcast step: pops up to `budget` ready watchers and calls
 * fn for each with its oldest pending status; ACCEPTED takes it, BUSY
 * leaves it pending (the driver takes it later).  If the watcher left or
 * took by itself inside the callback, nothing more happens to it.
 * *visited (may be NULL) receives the number of callbacks made.
 * SG_E_STATE if called from inside a callback. */
sg_status sg_notifier_deliver(sg_notifier *n, sg_time_ns now, uint32_t budget, sg_notifier_deliver_fn fn,
                              void *ctx, uint32_t *visited);

/* ---- observation ------------------------------------------------------------ */

typedef struct sg_notifier_counters {
    uint64_t publishes;             /* publishes that changed the current status */
    uint64_t repeats;               /* publishes of the current status (O(1), all suppressed) */
    uint64_t offers;                /* per-watcher mailbox updates: the work publishing did */
    uint64_t coalesced;             /* pending statuses replaced before being taken */
    uint64_t suppressed;            /* offers equal to what the watcher holds or will hold */
    uint64_t delivered;             /* statuses taken by watchers */
    uint64_t delivered_terminal;    /* of which GOAWAY */
    uint64_t busy;                  /* deliver callbacks that answered BUSY */
    uint64_t watches;
    uint64_t unwatches;
    uint64_t watch_full;            /* watch refused: table full */
    uint64_t stale_handles;         /* unwatch/take with a stale or unknown handle */
    uint64_t ignored_after_terminal;/* publishes while terminal */
    uint64_t resumes;
    uint64_t reentrant_refused;     /* publish/resume/deliver from inside a callback */
    uint64_t left_during_delivery;  /* watcher left inside its own deliver callback */
    sg_duration_ns latency_max_ns;  /* largest now - pending_since seen at a take */
} sg_notifier_counters;

typedef struct sg_notifier_stats {
    uint32_t capacity;
    uint32_t watchers;              /* live watchers */
    uint32_t pending;               /* live watchers with something in their mailbox */
    uint32_t ready;                 /* of which announced on the ready list, not yet popped */
    sg_health_code current;         /* last published status (GOAWAY while terminal) */
    bool terminal;
    sg_notifier_counters counters;
} sg_notifier_stats;

void sg_notifier_stats_get(const sg_notifier *n, sg_notifier_stats *out);

/* The status the notifier currently publishes. */
sg_health_code sg_notifier_current(const sg_notifier *n);

/* True for a live handle. */
bool sg_notifier_handle_valid(const sg_notifier *n, sg_watch_handle handle);

/* "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN", "GOAWAY", "NONE"; never NULL. */
const char *sg_health_code_name(sg_health_code code);

#ifdef __cplusplus
}
#endif

#endif

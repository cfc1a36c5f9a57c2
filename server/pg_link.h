/*
 * pg_link.h - one libpq connection driven fully non-blocking on the libuv
 * loop, as the postgres:// adapter needs it:
 *
 *   - connect: PQconnectStartParams then PQconnectPoll on socket readiness,
 *     re-reading PQsocket after every call (libpq may switch sockets while
 *     trying addresses); libpq's connect_timeout does not apply in this
 *     mode, so the owner times the attempt;
 *   - queries one at a time from a FIFO (PQsendQuery / PQsendQueryParams,
 *     PQflush until the query has fully left, PQconsumeInput + PQgetResult
 *     when readable); each op learns whether it had fully left (`sent`)
 *     when the connection dies before its result, which is what bcast.h
 *     needs to report a publish failed only when it was never sent;
 *   - every readable event drains PQnotifies (LISTEN's notifications);
 *   - the link's memory is freed only after its last poll handle closed.
 */
#ifndef STORMGLASS_SD_PG_LINK_H
#define STORMGLASS_SD_PG_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>
#include <uv.h>

#include "stormglass/status.h"

typedef struct pg_link pg_link;

typedef struct pg_op {
    int op;                /* the owner's tag */
    void *data;            /* the owner's payload (freed by the owner in `result`) */
    bool sent;             /* the query had fully left when the link died */
    struct pg_op *next;
} pg_op;

typedef struct pg_link_owner {
    void *ctx;
    /* The connection is up (CONNECTION_OK, non-blocking mode set). */
    void (*ready)(void *ctx, pg_link *l);
    /* The outcome of a queued op, in order: res is the first error result
     * or the last result (cleared after the call); NULL when the link died
     * or was closed first (see op->sent). */
    void (*result)(void *ctx, pg_link *l, pg_op *op, const PGresult *res);
    void (*notify)(void *ctx, pg_link *l, const PGnotify *n);
    /* The connection failed or died by itself (not after pg_link_close). */
    void (*lost)(void *ctx, pg_link *l, const char *why);
    /* The link's memory is about to be freed. */
    void (*closed)(void *ctx, pg_link *l);
} pg_link_owner;

/* Starts connecting with libpq keyword/value arrays (NULL-terminated, as
 * PQconnectStartParams takes them).  NULL with why on immediate failure. */
pg_link *pg_link_open(uv_loop_t *loop, const char *const *keywords, const char *const *values,
                      const pg_link_owner *owner, char *why, size_t why_size);

/* Queues a query; nparams == 0 sends it with the simple protocol (several
 * statements allowed).  Parameters are binary when formats[i] == 1.
 * SG_E_STATE once the link is closing or lost. */
sg_status pg_link_query(pg_link *l, int op, void *data, const char *sql, int nparams, const char *const *values,
                        const int *lengths, const int *formats, int result_format);

/* Ends the connection: pending ops get their NULL result now, owner->lost
 * is not called, owner->closed follows from the loop.  Idempotent, safe
 * inside the link's callbacks. */
void pg_link_close(pg_link *l);

int pg_link_fd(const pg_link *l);
uint32_t pg_link_pending(const pg_link *l);

#endif

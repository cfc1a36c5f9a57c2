/*
 * pg_link.c - one non-blocking libpq connection on the libuv loop (see
 * pg_link.h).
 *
 * One query in flight at a time: libpq without pipeline mode allows no
 * more, and it keeps results in the order of the FIFO for free.  Params are
 * copied into the op when queued, since the query may leave much later.
 * Reentrancy: every owner callback may close the link, so after each one
 * the code checks that the connection still exists before going on.
 */
#include "pg_link.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_PARAMS_MAX 4

typedef enum link_state {
    L_CONNECTING = 0,
    L_READY,
    L_DEAD
} link_state;

typedef struct op_rec {
    pg_op pub;               /* first: the owner sees this part */
    const char *sql;         /* must outlive the op (the adapter's literals) */
    int nparams;
    int result_format;
    const char *values[PG_PARAMS_MAX];
    int lengths[PG_PARAMS_MAX];
    int formats[PG_PARAMS_MAX];
    char buf[];              /* the parameter bytes */
} op_rec;

struct pg_link {
    pg_link_owner owner;
    uv_loop_t *loop;
    PGconn *conn;            /* NULL once finished */
    uv_poll_t *poll;         /* on poll_fd; replaced when libpq switches sockets */
    int poll_fd;
    uint32_t handles_open;
    link_state state;
    bool closing;
    bool in_flight;          /* the head op was handed to libpq */
    bool flushing;           /* ... and has bytes left to write */
    PGresult *keep;          /* the result the head op will be given */
    op_rec *head, *tail;
    uint32_t pending;
};

static void on_poll(uv_poll_t *h, int status, int events);

static void maybe_free(pg_link *l)
{
    if (l->conn == NULL && l->handles_open == 0) {
        if (l->owner.closed != NULL) {
            l->owner.closed(l->owner.ctx, l);
        }
        free(l);
    }
}

static void on_poll_closed(uv_handle_t *h)
{
    pg_link *l = h->data;
    free(h);
    assert(l->handles_open > 0);
    l->handles_open--;
    maybe_free(l);
}

static void drop_poll(pg_link *l)
{
    if (l->poll != NULL) {
        uv_close((uv_handle_t *)l->poll, on_poll_closed);
        l->poll = NULL;
        l->poll_fd = -1;
    }
}

/* Watches libpq's current socket for `events`; false if it cannot. */
static bool watch(pg_link *l, int events)
{
    int fd = PQsocket(l->conn);
    if (fd < 0) {
        return false;
    }
    if (fd != l->poll_fd) {
        drop_poll(l);
        uv_poll_t *p = malloc(sizeof *p);
        if (p == NULL || uv_poll_init_socket(l->loop, p, fd) != 0) {
            free(p);
            return false;
        }
        p->data = l;
        l->poll = p;
        l->poll_fd = fd;
        l->handles_open++;
    }
    return uv_poll_start(l->poll, events, on_poll) == 0;
}

/* Ends the connection; pending ops get a NULL result (in order). */
static void finish(pg_link *l)
{
    if (l->conn == NULL) {
        return;
    }
    if (l->head != NULL) {
        l->head->pub.sent = l->in_flight && !l->flushing;
    }
    PQfinish(l->conn);
    l->conn = NULL;
    l->state = L_DEAD;
    l->in_flight = false;
    drop_poll(l);
    PQclear(l->keep);
    l->keep = NULL;
    while (l->head != NULL) {
        op_rec *r = l->head;
        l->head = (op_rec *)r->pub.next;
        l->pending--;
        l->owner.result(l->owner.ctx, l, &r->pub, NULL);
        free(r);
    }
    l->tail = NULL;
    maybe_free(l);
}

static void die(pg_link *l, const char *why)
{
    if (l->conn == NULL || l->state == L_DEAD) {
        return;
    }
    l->state = L_DEAD;
    if (!l->closing) {
        char text[256];
        snprintf(text, sizeof text, "%s", why != NULL && why[0] != '\0' ? why : "connection lost");
        text[strcspn(text, "\n")] = '\0';
        l->owner.lost(l->owner.ctx, l, text);
    }
    finish(l);
}

static void flush(pg_link *l)
{
    int r = PQflush(l->conn);
    if (r < 0) {
        die(l, PQerrorMessage(l->conn));
        return;
    }
    l->flushing = r == 1;
    if (!watch(l, UV_READABLE | (l->flushing ? UV_WRITABLE : 0))) {
        die(l, "cannot watch the socket");
    }
}

/* Hands the head op to libpq if the connection is idle. */
static void kick(pg_link *l)
{
    if (l->conn == NULL || l->state != L_READY || l->in_flight || l->head == NULL) {
        return;
    }
    op_rec *r = l->head;
    int ok = r->nparams == 0 ? PQsendQuery(l->conn, r->sql)
                             : PQsendQueryParams(l->conn, r->sql, r->nparams, NULL, r->values, r->lengths,
                                                 r->formats, r->result_format);
    if (!ok) {
        die(l, PQerrorMessage(l->conn));
        return;
    }
    l->in_flight = true;
    flush(l);
}

static void drain_notifies(pg_link *l)
{
    PGnotify *n;
    while (l->conn != NULL && (n = PQnotifies(l->conn)) != NULL) {
        l->owner.notify(l->owner.ctx, l, n);
        PQfreemem(n);
    }
}

/* The head op's last result arrived: report it and send the next. */
static void complete_head(pg_link *l)
{
    op_rec *r = l->head;
    assert(r != NULL && l->in_flight);
    l->head = (op_rec *)r->pub.next;
    if (l->head == NULL) {
        l->tail = NULL;
    }
    l->pending--;
    l->in_flight = false;
    PGresult *res = l->keep;
    l->keep = NULL;
    l->owner.result(l->owner.ctx, l, &r->pub, res);
    PQclear(res);
    free(r);
    kick(l);
}

static bool is_error(const PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);
    return s == PGRES_FATAL_ERROR || s == PGRES_BAD_RESPONSE || s == PGRES_NONFATAL_ERROR;
}

static void read_input(pg_link *l)
{
    if (!PQconsumeInput(l->conn)) {
        die(l, PQerrorMessage(l->conn));
        return;
    }
    drain_notifies(l);
    while (l->conn != NULL && l->in_flight && !l->flushing && !PQisBusy(l->conn)) {
        PGresult *r = PQgetResult(l->conn);
        if (r == NULL) {
            complete_head(l);
        } else if (l->keep == NULL || !is_error(l->keep)) {
            PQclear(l->keep); /* keep the first error, else the last result */
            l->keep = r;
        } else {
            PQclear(r);
        }
    }
    drain_notifies(l);
    if (l->conn != NULL && PQstatus(l->conn) == CONNECTION_BAD) {
        die(l, PQerrorMessage(l->conn));
    }
}

static void connect_step(pg_link *l)
{
    switch (PQconnectPoll(l->conn)) {
    case PGRES_POLLING_FAILED: die(l, PQerrorMessage(l->conn)); return;
    case PGRES_POLLING_OK:
        if (PQsetnonblocking(l->conn, 1) != 0 || !watch(l, UV_READABLE)) {
            die(l, "cannot switch to non-blocking mode");
            return;
        }
        l->state = L_READY;
        l->owner.ready(l->owner.ctx, l);
        kick(l);
        return;
    case PGRES_POLLING_READING:
        if (!watch(l, UV_READABLE)) {
            die(l, "cannot watch the socket");
        }
        return;
    case PGRES_POLLING_WRITING:
    case PGRES_POLLING_ACTIVE:
    default:
        if (!watch(l, UV_WRITABLE)) {
            die(l, "cannot watch the socket");
        }
        return;
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    pg_link *l = h->data;
    if (l->conn == NULL || h != l->poll) {
        return; /* a replaced or finished socket */
    }
    if (l->state == L_CONNECTING) {
        connect_step(l);
        return;
    }
    if (status < 0) {
        die(l, uv_strerror(status));
        return;
    }
    if ((events & UV_WRITABLE) && l->flushing) {
        flush(l);
    }
    if (l->conn != NULL && (events & UV_READABLE)) {
        read_input(l);
    }
}

pg_link *pg_link_open(uv_loop_t *loop, const char *const *keywords, const char *const *values,
                      const pg_link_owner *owner, char *why, size_t why_size)
{
    assert(loop != NULL && keywords != NULL && values != NULL && owner != NULL);
    pg_link *l = calloc(1, sizeof *l);
    if (l == NULL) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    l->owner = *owner;
    l->loop = loop;
    l->poll_fd = -1;
    l->conn = PQconnectStartParams(keywords, values, 1);
    if (l->conn == NULL || PQstatus(l->conn) == CONNECTION_BAD || !watch(l, UV_WRITABLE)) {
        snprintf(why, why_size, "%s", l->conn != NULL ? PQerrorMessage(l->conn) : "out of memory");
        why[strcspn(why, "\n")] = '\0';
        if (l->conn != NULL) {
            PQfinish(l->conn);
        }
        l->conn = NULL;
        l->owner.closed = NULL;
        if (l->handles_open == 0) {
            free(l);
        } else {
            drop_poll(l); /* the poll's close callback frees the link */
        }
        return NULL; // NOLINT(clang-analyzer-unix.Malloc): freed by on_poll_closed
    }
    return l;
}

static op_rec *op_new(int op, void *data, const char *sql, int nparams, const char *const *values,
                      const int *lengths, const int *formats, int result_format)
{
    size_t bytes = 0;
    for (int i = 0; i < nparams; i++) {
        bytes += (size_t)lengths[i] + 1;
    }
    op_rec *r = calloc(1, sizeof *r + bytes);
    if (r == NULL) {
        return NULL;
    }
    r->pub.op = op;
    r->pub.data = data;
    r->sql = sql;
    r->nparams = nparams;
    r->result_format = result_format;
    char *p = r->buf;
    for (int i = 0; i < nparams; i++) {
        memcpy(p, values[i], (size_t)lengths[i]);
        p[lengths[i]] = '\0'; /* text parameters are read as C strings */
        r->values[i] = p;
        r->lengths[i] = lengths[i];
        r->formats[i] = formats[i];
        p += lengths[i] + 1;
    }
    return r;
}

sg_status pg_link_query(pg_link *l, int op, void *data, const char *sql, int nparams, const char *const *values,
                        const int *lengths, const int *formats, int result_format)
{
    assert(nparams >= 0 && nparams <= PG_PARAMS_MAX);
    if (l->conn == NULL || l->state == L_DEAD || l->closing) {
        return SG_E_STATE;
    }
    op_rec *r = op_new(op, data, sql, nparams, values, lengths, formats, result_format);
    if (r == NULL) {
        return SG_E_NOMEM;
    }
    if (l->tail != NULL) {
        l->tail->pub.next = &r->pub;
    } else {
        l->head = r;
    }
    l->tail = r;
    l->pending++;
    kick(l);
    return SG_OK;
}

void pg_link_close(pg_link *l)
{
    if (l->closing) {
        return;
    }
    l->closing = true;
    finish(l);
}

int pg_link_fd(const pg_link *l)
{
    return l->conn != NULL ? PQsocket(l->conn) : -1;
}

uint32_t pg_link_pending(const pg_link *l)
{
    return l->pending;
}

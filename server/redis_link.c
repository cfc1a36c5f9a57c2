/*
 * redis_link.c - one hiredis async connection with an owned lifetime (see
 * redis_link.h).
 *
 * Lifetime, the part hiredis 0.14 makes delicate:
 *   - we free the context (redisAsyncFree) only through redis_link_close,
 *     and never while hiredis is already freeing it: inside the connect
 *     callback of a failed connect and inside the disconnect callback the
 *     link is `dying` and close only detaches;
 *   - hiredis calls our cleanup hook once, when it frees the context; the
 *     hook closes the uv_poll, and the poll's close callback is the one
 *     place the link's memory is released.  Nothing else frees it.
 */
#include "redis_link.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/async.h>
#include <hiredis/sds.h>

#include "bb_socket.h"

struct redis_link {
    redis_link_owner owner;
    redisAsyncContext *ac;   /* NULL once hiredis has released it */
    uv_poll_t poll;
    bool poll_open;
    int events;
    bool closing;            /* redis_link_close was called */
    bool dying;              /* hiredis is freeing the context on its own */
    bool fates_marked;       /* `written` computed for the pending commands */
    rl_cmd *head, *tail;
    uint32_t pending;
};

/* ---- libuv hooks (the five hiredis adapter hooks) ------------------------- */

static void on_poll(uv_poll_t *h, int status, int events)
{
    redis_link *l = h->data;
    /* An error (status < 0) is read by hiredis as a failed read. */
    if (l->ac != NULL && (status < 0 || (events & UV_READABLE))) {
        redisAsyncHandleRead(l->ac);
    }
    if (l->ac != NULL && status == 0 && (events & UV_WRITABLE)) {
        redisAsyncHandleWrite(l->ac);
    }
}

static void set_events(redis_link *l, int events)
{
    l->events = events;
    if (!l->poll_open) {
        return;
    }
    if (events != 0) {
        uv_poll_start(&l->poll, events, on_poll);
    } else {
        uv_poll_stop(&l->poll);
    }
}

static void hook_add_read(void *p)
{
    redis_link *l = p;
    set_events(l, l->events | UV_READABLE);
}

static void hook_del_read(void *p)
{
    redis_link *l = p;
    set_events(l, l->events & ~UV_READABLE);
}

static void hook_add_write(void *p)
{
    redis_link *l = p;
    set_events(l, l->events | UV_WRITABLE);
}

static void hook_del_write(void *p)
{
    redis_link *l = p;
    set_events(l, l->events & ~UV_WRITABLE);
}

static void on_poll_closed(uv_handle_t *h)
{
    redis_link *l = h->data;
    assert(l->ac == NULL && l->head == NULL);
    l->owner.closed(l->owner.ctx, l);
    free(l);
}

/* hiredis is releasing the context: every callback has run. */
static void hook_cleanup(void *p)
{
    redis_link *l = p;
    l->ac = NULL;
    l->poll_open = false;
    uv_close((uv_handle_t *)&l->poll, on_poll_closed);
}

/* ---- written or not ------------------------------------------------------- */

void redis_link_mark_written(rl_cmd *head, size_t unwritten_bytes)
{
    size_t total = 0;
    for (const rl_cmd *c = head; c != NULL; c = c->next) {
        total += c->wire_len;
    }
    size_t sent = total > unwritten_bytes ? total - unwritten_bytes : 0;
    size_t end = 0;
    for (rl_cmd *c = head; c != NULL; c = c->next) {
        end += c->wire_len;
        c->written = end <= sent; /* a partly written command cannot have run */
    }
}

static void mark_fates(redis_link *l, const redisAsyncContext *ac)
{
    if (!l->fates_marked) {
        l->fates_marked = true;
        size_t unwritten = ac->c.obuf != NULL ? sdslen(ac->c.obuf) : 0;
        redis_link_mark_written(l->head, unwritten);
    }
}

/* ---- callbacks ---------------------------------------------------------- */

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redis_link *l = privdata;
    rl_cmd *cmd = l->head;
    assert(cmd != NULL && "hiredis answers in command order");
    if (r == NULL) {
        mark_fates(l, ac);
    }
    l->head = cmd->next;
    if (l->head == NULL) {
        l->tail = NULL;
    }
    l->pending--;
    l->owner.reply(l->owner.ctx, l, cmd, r);
    free(cmd);
}

static void on_push(redisAsyncContext *ac, void *r, void *privdata)
{
    redis_link *l = privdata;
    (void)ac;
    if (r != NULL && !l->closing) {
        l->owner.push(l->owner.ctx, l, r);
    }
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    redis_link *l = ac->data;
    if (status == REDIS_OK) {
        bb_socket_keepalive(ac->c.fd);
        return;
    }
    l->dying = true; /* hiredis frees the context after this callback */
    if (!l->closing) {
        l->owner.lost(l->owner.ctx, l, ac->errstr[0] != '\0' ? ac->errstr : "connect failed");
    }
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    redis_link *l = ac->data;
    l->dying = true;
    if (!l->closing) {
        l->owner.lost(l->owner.ctx, l, status == REDIS_OK ? "connection closed" : ac->errstr);
    }
}

/* ---- API ------------------------------------------------------------------ */

static bool attach(redis_link *l, uv_loop_t *loop, redisAsyncContext *ac)
{
    if (uv_poll_init(loop, &l->poll, ac->c.fd) != 0) {
        return false;
    }
    l->poll.data = l;
    l->poll_open = true;
    ac->data = l;
    ac->ev.data = l;
    ac->ev.addRead = hook_add_read;
    ac->ev.delRead = hook_del_read;
    ac->ev.addWrite = hook_add_write;
    ac->ev.delWrite = hook_del_write;
    ac->ev.cleanup = hook_cleanup;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    return true;
}

redis_link *redis_link_open(uv_loop_t *loop, const char *host, int port, const redis_link_owner *owner, char *why,
                            size_t why_size)
{
    assert(loop != NULL && host != NULL && owner != NULL);
    redis_link *l = calloc(1, sizeof *l);
    if (l == NULL) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    l->owner = *owner;
    redisAsyncContext *ac = redisAsyncConnect(host, port);
    if (ac == NULL || ac->err != 0) {
        snprintf(why, why_size, "%s", ac != NULL ? ac->errstr : "out of memory");
        if (ac != NULL) {
            redisAsyncFree(ac);
        }
        free(l);
        return NULL;
    }
    if (!attach(l, loop, ac)) {
        snprintf(why, why_size, "cannot watch the socket");
        redisAsyncFree(ac); /* no hooks yet: nothing calls back */
        free(l);
        return NULL;
    }
    l->ac = ac;
    return l;
}

sg_status redis_link_command(redis_link *l, int op, void *data, int argc, const char **argv, const size_t *argvlen)
{
    if (l->ac == NULL || l->closing || l->dying) {
        return SG_E_STATE;
    }
    rl_cmd *cmd = calloc(1, sizeof *cmd);
    char *wire = NULL;
    int n = cmd != NULL ? redisFormatCommandArgv(&wire, argc, argv, argvlen) : -1;
    if (n < 0 || redisAsyncFormattedCommand(l->ac, on_reply, l, wire, (size_t)n) != REDIS_OK) {
        free(cmd);
        if (wire != NULL) {
            redisFreeCommand(wire);
        }
        return n < 0 ? SG_E_NOMEM : SG_E_STATE;
    }
    redisFreeCommand(wire);
    cmd->op = op;
    cmd->data = data;
    cmd->wire_len = (size_t)n;
    if (l->tail != NULL) {
        l->tail->next = cmd;
    } else {
        l->head = cmd;
    }
    l->tail = cmd;
    l->pending++;
    return SG_OK;
}

sg_status redis_link_subscribe(redis_link *l, const char *channel)
{
    if (l->ac == NULL || l->closing || l->dying) {
        return SG_E_STATE;
    }
    return redisAsyncCommand(l->ac, on_push, l, "SUBSCRIBE %s", channel) == REDIS_OK ? SG_OK : SG_E_STATE;
}

void redis_link_close(redis_link *l)
{
    if (l->closing) {
        return;
    }
    l->closing = true;
    if (l->ac != NULL && !l->dying) {
        mark_fates(l, l->ac);
        redisAsyncFree(l->ac); /* inside a callback hiredis defers the free itself */
    }
}

int redis_link_fd(const redis_link *l)
{
    return l->ac != NULL ? l->ac->c.fd : -1;
}

uint32_t redis_link_pending(const redis_link *l)
{
    return l->pending;
}

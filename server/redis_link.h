/*
 * redis_link.h - one hiredis 0.14 async connection on the libuv loop, as
 * the redis:// adapter needs it:
 *
 *   - its own libuv hooks (hiredis' five adapter hooks) so the link object
 *     outlives the hiredis context: it is freed only when the poll handle
 *     has closed, after hiredis has run every callback;
 *   - a FIFO of the commands waiting for a reply.  When the connection is
 *     lost, each pending command learns whether its bytes had fully left
 *     (`written`: the server may have run it) or not (certainly not run),
 *     from the unwritten length of hiredis' output buffer.  bcast.h needs
 *     that distinction: a publish is reported failed only if never sent;
 *   - hiredis 0.14 frees the context itself after a failed connect and
 *     after the disconnect callback; the link never touches it again then.
 */
#ifndef STORMGLASS_SD_REDIS_LINK_H
#define STORMGLASS_SD_REDIS_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <uv.h>

#include "stormglass/status.h"

typedef struct redis_link redis_link;

typedef struct rl_cmd {
    int op;                /* the owner's tag */
    void *data;            /* the owner's payload (the owner frees it in `reply`) */
    size_t wire_len;       /* bytes of the formatted command */
    bool written;          /* set when the link is lost: all bytes had left */
    struct rl_cmd *next;
} rl_cmd;

typedef struct redis_link_owner {
    void *ctx;
    /* A reply to a queued command, in order.  reply NULL: the link is gone
     * (lost or closed) and cmd->written says whether it may have run. */
    void (*reply)(void *ctx, redis_link *l, rl_cmd *cmd, const redisReply *reply);
    /* A push on a subscribed link (subscribe confirmation or message). */
    void (*push)(void *ctx, redis_link *l, const redisReply *reply);
    /* The connection failed or died by itself (not after redis_link_close). */
    void (*lost)(void *ctx, redis_link *l, const char *why);
    /* The link's memory is about to be freed (every callback has run). */
    void (*closed)(void *ctx, redis_link *l);
} redis_link_owner;

/* Starts a non-blocking connect; commands may be queued at once (they are
 * written when the connection is up).  NULL with why filled on failure. */
redis_link *redis_link_open(uv_loop_t *loop, const char *host, int port, const redis_link_owner *owner, char *why,
                            size_t why_size);

/* Queues a command (binary-safe arguments) whose reply goes to owner->reply.
 * SG_E_STATE once the link is closing or lost; SG_E_NOMEM. */
sg_status redis_link_command(redis_link *l, int op, void *data, int argc, const char **argv, const size_t *argvlen);

/* SUBSCRIBE channel; the confirmation and every message go to owner->push. */
sg_status redis_link_subscribe(redis_link *l, const char *channel);

/* Ends the connection: pending commands get their NULL reply (now, from
 * inside this call), owner->lost is not called, owner->closed follows from
 * the loop.  Safe from inside any of the link's callbacks; idempotent. */
void redis_link_close(redis_link *l);

int redis_link_fd(const redis_link *l);
uint32_t redis_link_pending(const redis_link *l);

/* Marks commands as written or not, given the bytes still unwritten at the
 * tail of the FIFO (exposed for tests). */
void redis_link_mark_written(rl_cmd *head, size_t unwritten_bytes);

#endif

/*
 * bb_relay.h - how the network adapters (redis://, postgres://, kafka://)
 * hand their events to the driver: one FIFO, drained by a uv_idle on the
 * next loop turn.
 *
 * Every event goes through the queue, never straight to the driver, for
 * two reasons that backbone.h makes rules:
 *   - no callback may run from inside the adapter call that caused it (a
 *     disconnect() that fails pending publishes, a connect() that fails at
 *     once), and the driver must never re-enter the core;
 *   - order: "subscribed" must reach the core before the first message of
 *     that subscription, and publish results in call order.  One queue for
 *     everything keeps the order the adapter saw.
 *
 * Session events (connected, failed, subscribed, dropped) and messages
 * carry the session they belong to: when the adapter has moved on (a new
 * connect, a disconnect), the stale ones are discarded at delivery.
 * Publish results and state answers are always delivered: the core waits
 * for every publish result, and a state answer names its own topic.
 *
 * Bounds: messages are refused past items_max / bytes_max (the caller
 * treats that as a failed session: the core's gap handling then resyncs);
 * other events are bounded by the adapter's own queues and never refused.
 */
#ifndef STORMGLASS_SD_BB_RELAY_H
#define STORMGLASS_SD_BB_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "backbone.h"

typedef enum bb_session_event {
    BB_CONNECTED = 1,
    BB_CONNECT_FAILED,
    BB_SUBSCRIBED,
    BB_SUBSCRIBE_FAILED,
    BB_DROPPED
} bb_session_event;

typedef struct bb_relay_item bb_relay_item;

typedef struct bb_relay {
    uv_idle_t idle;
    sd_backbone_events ev;
    uint64_t session;          /* events of other sessions are stale */
    bb_relay_item *head, *tail;
    uint32_t count;
    uint64_t bytes;
    uint32_t messages;         /* message items queued (bounded) */
    uint64_t message_bytes;
    uint32_t messages_max;
    uint64_t message_bytes_max;
    bool closed;
    void (*on_closed)(struct bb_relay *r);
} bb_relay;

void bb_relay_init(bb_relay *r, uv_loop_t *loop, const sd_backbone_events *ev, uint32_t messages_max,
                   uint64_t message_bytes_max);
/* Drops everything queued without a callback and closes the idle handle;
 * on_closed runs from the loop once it is closed. */
void bb_relay_close(bb_relay *r, void (*on_closed)(bb_relay *r));

/* Starts a new session (on connect and when a session ends): events queued
 * for the old one are discarded.  Returns the new session number. */
uint64_t bb_relay_next_session(bb_relay *r);

void bb_relay_session_event(bb_relay *r, bb_session_event what, const char *why);
/* SG_E_FULL over the message bounds, SG_E_NOMEM; the caller ends the session. */
sg_status bb_relay_message(bb_relay *r, const uint8_t *msg, size_t len);
void bb_relay_publish_done(bb_relay *r, sd_publish_kind kind, const uint8_t *msg, size_t len, bool ok);
void bb_relay_state(bb_relay *r, sd_state_cb cb, void *arg, uint64_t cookie, const char *topic, size_t topic_len,
                    sg_status st, const uint8_t *state, size_t len, const char *why);

/* Items and bytes waiting (for stats). */
void bb_relay_depth(const bb_relay *r, uint64_t *items, uint64_t *bytes);

#endif

/*
 * bb_harness.h - what the adapter suites (test_backbone_*.c) share:
 *
 *   - a throwaway real server through ci/backbone (start, kill, restart,
 *     stop, cont, destroy), so the suites need nothing installed beyond
 *     the packages in ci/packages.txt;
 *   - a recorder of every event an adapter reports, in order;
 *   - a loop runner that turns the libuv loop until a condition holds or a
 *     deadline passes (these suites talk to real servers: real time, with
 *     generous bounds, and the condition, not the clock, decides);
 *   - wire messages built the way the driver builds them.
 */
#ifndef STORMGLASS_SD_TEST_BB_HARNESS_H
#define STORMGLASS_SD_TEST_BB_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "backbone.h"

#define BBH_EVENTS_MAX 4096u
#define BBH_BYTES_MAX (8u << 20)

typedef enum bbh_kind {
    BBH_CONNECTED = 1,
    BBH_CONNECT_FAILED,
    BBH_SUBSCRIBED,
    BBH_SUBSCRIBE_FAILED,
    BBH_DROPPED,
    BBH_MESSAGE,
    BBH_PUBLISH_DONE,
    BBH_STATE
} bbh_kind;

typedef struct bbh_event {
    bbh_kind kind;
    bool ok;                  /* PUBLISH_DONE */
    sd_publish_kind publish_kind;
    int st;                   /* STATE: sg_status */
    bool has_state;           /* STATE: false = none yet */
    uint8_t *data;            /* MESSAGE / PUBLISH_DONE bytes, STATE payload */
    size_t len;
    char why[200];
} bbh_event;

typedef struct bbh_recorder {
    bbh_event events[BBH_EVENTS_MAX];
    size_t count;
    int in_call;              /* > 0 while the test is inside an adapter call */
    int callbacks_in_call;    /* rule: must stay 0 */
} bbh_recorder;

/* A backbone server started by ci/backbone. */
typedef struct bbh_server {
    char kind[16];
    char dir[256];
    char uri[512];
} bbh_server;

bool bbh_server_start(bbh_server *s, const char *kind);
/* ci/backbone OP (kill, restart, stop, cont, down, up); true on success. */
bool bbh_server_op(const bbh_server *s, const char *op);
void bbh_server_destroy(bbh_server *s);

sd_backbone_events bbh_events(bbh_recorder *r);
/* An sd_state_cb that records a STATE event (arg: the recorder). */
void bbh_on_state(void *arg, uint64_t cookie, const char *topic, size_t topic_len, sg_status st,
                  const uint8_t *state, size_t len, const char *why);
void bbh_recorder_reset(bbh_recorder *r);
/* Number of recorded events of that kind. */
size_t bbh_count(const bbh_recorder *r, bbh_kind kind);
/* The n-th (0-based) event of that kind, or NULL. */
const bbh_event *bbh_nth(const bbh_recorder *r, bbh_kind kind, size_t n);

/* Turns the loop until count(kind) >= n or timeout; true if reached. */
bool bbh_wait(uv_loop_t *loop, const bbh_recorder *r, bbh_kind kind, size_t n, int timeout_ms);
/* Turns the loop for about ms milliseconds (to show that nothing happens). */
void bbh_spin(uv_loop_t *loop, int ms);

/* A DATA message as the driver frames it: header + body(topic, payload). */
size_t bbh_data_message(uint8_t *out, size_t size, uint32_t origin, uint64_t seq, const char *topic,
                        const char *payload);
size_t bbh_heartbeat_message(uint8_t *out, size_t size, uint32_t origin, uint64_t seq);

/* Standard bounds for the suites. */
sd_backbone_limits bbh_limits(void);

/* Destroys the adapter and turns the loop until its handles are closed. */
void bbh_destroy(uv_loop_t *loop, const sd_backbone_ops *ops, sd_backbone *bb);

/* A TCP listener on loopback that accepts and never answers (a frozen
 * server); returns its port, 0 on failure. */
int bbh_blackhole_open(int *fd_out);

/* Calls an adapter function with the recorder marked "inside a call". */
#define BBH_CALL(rec, expr) ((rec)->in_call++, (expr), (rec)->in_call--)

#endif

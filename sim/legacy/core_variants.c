/*
 * core_variants.c - the core with one historical mistake put back
 * (sim/legacy_variants.h).  A variant owns an instance of the real core
 * (through sim_model_core, so nothing here reaches into its internals)
 * and changes one thing:
 *
 *   forgets-resubscribe: after the first successful subscribe, a SUBSCRIBE
 *   action of the core is swallowed and reported back as done, so the
 *   core believes it is reading while the backbone never heard of it.
 *   zero-delay: the reader's backoff policy is NONE (0 s between attempts)
 *   and it never gives up.
 *   unstaggered: no settle jitter and a zero resync window.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/legacy_variants.h"

typedef enum variant_kind {
    VARIANT_FORGET = 0,
    VARIANT_ZERO_DELAY,
    VARIANT_UNSTAGGERED
} variant_kind;

typedef struct variant {
    void *core;
    bool forget;             /* forgets-resubscribe */
    bool subscribed_once;
    sg_time_ns last_now;     /* the time of the event being handled */
} variant;

#define CORE sim_model_core

static sg_status create_variant(const sg_bcast_config *config, sg_time_ns now, variant_kind kind, void **out,
                                sg_error *err)
{
    variant *v = calloc(1, sizeof *v);
    if (v == NULL) {
        *out = NULL;
        return sg_error_set(err, SG_E_NOMEM, "legacy variant: out of memory");
    }
    sg_bcast_config c = *config;
    if (kind == VARIANT_ZERO_DELAY) {
        c.backoff.policy = SG_BACKOFF_NONE; /* the mistake: retry at once, forever */
        c.backoff.max_retries = 0;
    } else if (kind == VARIANT_UNSTAGGERED) {
        c.settle_jitter_ns = 0; /* the mistake: every worker resyncs in the same instant */
        c.resync_window_ns = 0;
    }
    v->forget = kind == VARIANT_FORGET;
    v->last_now = now;
    sg_status st = CORE.create(&c, now, &v->core, err);
    if (st != SG_OK) {
        free(v);
        v = NULL;
    }
    *out = v;
    return st;
}

static sg_status forget_create(const sg_bcast_config *config, sg_time_ns now, void **out, sg_error *err)
{
    return create_variant(config, now, VARIANT_FORGET, out, err);
}

static sg_status zero_create(const sg_bcast_config *config, sg_time_ns now, void **out, sg_error *err)
{
    return create_variant(config, now, VARIANT_ZERO_DELAY, out, err);
}

static sg_status unstaggered_create(const sg_bcast_config *config, sg_time_ns now, void **out, sg_error *err)
{
    return create_variant(config, now, VARIANT_UNSTAGGERED, out, err);
}

static void v_destroy(void *m)
{
    variant *v = m;
    if (v != NULL) {
        CORE.destroy(v->core);
        free(v);
    }
}

/* Every event records its time, so a swallowed SUBSCRIBE can be answered
 * at the time it was asked for. */
static sg_status v_register(void *m, sg_time_ns now, uint64_t cookie, sg_client_handle *out)
{
    variant *v = m;
    v->last_now = now;
    return CORE.client_register(v->core, now, cookie, out);
}

static sg_status v_unregister(void *m, sg_time_ns now, sg_client_handle h)
{
    variant *v = m;
    v->last_now = now;
    return CORE.client_unregister(v->core, now, h);
}

static void v_pin(void *m, sg_time_ns now)
{
    variant *v = m;
    v->last_now = now;
    CORE.pin(v->core, now);
}

static sg_status v_unpin(void *m, sg_time_ns now)
{
    variant *v = m;
    v->last_now = now;
    return CORE.unpin(v->core, now);
}

#define FORWARD_EVENT(fn, op)              \
    static void fn(void *m, sg_time_ns now) \
    {                                       \
        variant *v = m;                     \
        v->last_now = now;                  \
        CORE.op(v->core, now);              \
    }
FORWARD_EVENT(v_on_connected, on_connected)
FORWARD_EVENT(v_on_connect_failed, on_connect_failed)
FORWARD_EVENT(v_on_subscribe_failed, on_subscribe_failed)
FORWARD_EVENT(v_on_dropped, on_dropped)
FORWARD_EVENT(v_on_timer, on_timer)

static void v_on_subscribed(void *m, sg_time_ns now)
{
    variant *v = m;
    v->last_now = now;
    v->subscribed_once = true;
    CORE.on_subscribed(v->core, now);
}

static sg_msg_verdict v_on_message(void *m, sg_time_ns now, const sg_bcast_header *h, uint32_t len)
{
    variant *v = m;
    v->last_now = now;
    return CORE.on_message(v->core, now, h, len);
}

static sg_publish_result v_publish(void *m, sg_time_ns now, const uint8_t *payload, uint32_t len)
{
    variant *v = m;
    v->last_now = now;
    return CORE.publish(v->core, now, payload, len);
}

static void v_on_publish_result(void *m, sg_time_ns now, const sg_bcast_header *h, const uint8_t *payload,
                                uint32_t len, bool ok)
{
    variant *v = m;
    v->last_now = now;
    CORE.on_publish_result(v->core, now, h, payload, len, ok);
}

static void v_on_replay_result(void *m, sg_time_ns now, bool ok)
{
    variant *v = m;
    v->last_now = now;
    CORE.on_replay_result(v->core, now, ok);
}

static sg_time_ns v_next_deadline(const void *m)
{
    const variant *v = m;
    return CORE.next_deadline(v->core);
}

/* forgets-resubscribe: a re-SUBSCRIBE never reaches the backbone; the
 * core is told it succeeded (what the buggy client believed). */
static bool v_poll(void *m, sg_bcast_action *out)
{
    variant *v = m;
    while (CORE.poll_action(v->core, out)) {
        if (!(v->forget && v->subscribed_once && out->kind == SG_ACT_SUBSCRIBE)) {
            return true;
        }
        CORE.on_subscribed(v->core, v->last_now);
    }
    return false;
}

static sg_bcast_health v_health(const void *m, sg_time_ns now)
{
    const variant *v = m;
    return CORE.health_at(v->core, now);
}

static void v_stats(const void *m, sg_bcast_stats *out)
{
    const variant *v = m;
    CORE.stats_get(v->core, out);
}

#define VARIANT_OPS(NAME, DESC, CREATE)                                                                       \
    {                                                                                                         \
        .name = (NAME), .description = (DESC), .create = (CREATE), .destroy = v_destroy,                      \
        .client_register = v_register, .client_unregister = v_unregister, .pin = v_pin, .unpin = v_unpin,     \
        .on_connected = v_on_connected, .on_connect_failed = v_on_connect_failed,                             \
        .on_subscribed = v_on_subscribed, .on_subscribe_failed = v_on_subscribe_failed,                       \
        .on_dropped = v_on_dropped, .on_message = v_on_message, .publish = v_publish,                         \
        .on_publish_result = v_on_publish_result, .on_replay_result = v_on_replay_result,                     \
        .next_deadline = v_next_deadline, .on_timer = v_on_timer, .poll_action = v_poll,                      \
        .health_at = v_health, .stats_get = v_stats,                                                          \
    }

const sim_worker_ops sim_model_forgets_resubscribe =
    VARIANT_OPS("forgets-resubscribe", "reconnects but never re-subscribes after the first session: connected, "
                                       "deaf and healthy", forget_create);
const sim_worker_ops sim_model_zero_delay =
    VARIANT_OPS("zero-delay", "reconnects at once after every failure, forever: a connect storm", zero_create);
const sim_worker_ops sim_model_unstaggered =
    VARIANT_OPS("unstaggered", "resyncs with no settle jitter and closes all its clients at once", unstaggered_create);

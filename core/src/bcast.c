/*
 * bcast.c - the broadcaster's lifecycle and public entry points: the glue
 * between the driver's events and the state machines in the other
 * bcast_*.c files (see bcast_internal.h for the map).
 *
 * Every entry point follows the same shape: advance the clock (time never
 * goes backwards: asserted, and clamped should assertions be compiled
 * out), let one state machine react, then settle the consequences (replay
 * drain, recovery progress, refetches, health announcement) so the action
 * queue and next_deadline are consistent when control returns to the
 * driver.
 *
 * All memory is allocated here, in sg_bcast_create, through one helper
 * carrying the fault point "stormglass/bcast/create_alloc"; only replay
 * payload copies are allocated later (bcast_replay.c).
 */
#include <assert.h>
#include <fiu-local.h>
#include <stdlib.h>
#include <string.h>

#include "bcast_internal.h"

void *sg_bcast_alloc_zeroed(size_t count, size_t size)
{
    fiu_return_on("stormglass/bcast/create_alloc", NULL);
    return calloc(count, size);
}

uint32_t sg_bcast_listeners(const sg_bcast *b)
{
    uint64_t n = (uint64_t)b->registry.count + b->pins + (b->recovery.pinned ? 1u : 0u);
    assert(n <= UINT32_MAX);
    return (uint32_t)n;
}

void sg_bcast_listeners_changed(sg_bcast *b, uint32_t before)
{
    uint32_t after = sg_bcast_listeners(b);
    if (before == 0 && after > 0 && b->reader.state == SG_READER_IDLE) {
        sg_reader_start_run(b);
    } else if (before > 0 && after == 0) {
        sg_reader_stop_run(b);
    }
    /* A reader whenever someone listens; none when nobody does. */
    assert(after == 0 || b->reader.state != SG_READER_IDLE);
    assert(after > 0 || b->reader.state == SG_READER_IDLE || b->reader.state == SG_READER_GIVEN_UP);
}

static void tick(sg_bcast *b, sg_time_ns now)
{
    assert(b != NULL);
    assert(now >= b->now && "time never goes backwards");
    if (now > b->now) {
        b->now = now; /* an earlier `now` is treated as the last one */
    }
}

/* Consequences of an event: drain, recovery progress, health. */
static void settle(sg_bcast *b)
{
    for (unsigned i = 0; i < SG_BCAST_TIMER_ROUNDS; i++) {
        bool acted = sg_publish_pump(b);
        acted = sg_recovery_advance(b) || acted;
        acted = sg_refetch_pump(b) || acted;
        if (!acted) {
            break;
        }
    }
    sg_health_refresh(b);
    assert(b->replay.count <= b->replay.items_max && b->replay.bytes <= b->replay.bytes_max);
}

static sg_status create_parts(sg_bcast *b)
{
    const sg_bcast_config *c = &b->config;
    if (sg_registry_init(&b->registry, c->clients_max) != SG_OK ||
        sg_replay_init(&b->replay, c->replay_items_max, c->replay_bytes_max) != SG_OK ||
        sg_peers_init(&b->peers, c->peers_max) != SG_OK) {
        return SG_E_NOMEM;
    }
    return SG_OK;
}

sg_status sg_bcast_create(const sg_bcast_config *config, sg_time_ns now, sg_bcast **out, sg_error *err)
{
    if (out == NULL) {
        return sg_error_set(err, SG_E_INVALID, "bcast: out is NULL");
    }
    *out = NULL;
    sg_status st = sg_bcast_config_check(config, err);
    if (st != SG_OK) {
        return st;
    }
    sg_bcast *b = sg_bcast_alloc_zeroed(1, sizeof *b);
    if (b == NULL) {
        return sg_error_set(err, SG_E_NOMEM, "bcast: out of memory for the broadcaster");
    }
    b->config = *config;
    b->now = now;
    sg_rng_seed(&b->rng, config->seed, config->worker_id);
    if (create_parts(b) != SG_OK) {
        sg_bcast_destroy(b);
        return sg_error_set(err, SG_E_NOMEM, "bcast: out of memory for %u clients, %u replay items, %u peers",
                            config->clients_max, config->replay_items_max, config->peers_max);
    }
    sg_reader_init(b);
    sg_recovery_init(&b->recovery);
    sg_refetch_init(&b->refetch);
    sg_actions_init(&b->actions);
    b->next_seq = 1;
    b->loss_suspect = config->after_unclean_exit;
    b->health = sg_health_judge(b, now);
    *out = b;
    return SG_OK;
}

void sg_bcast_destroy(sg_bcast *b)
{
    if (b == NULL) {
        return;
    }
    sg_registry_free(&b->registry);
    sg_replay_free(&b->replay);
    sg_peers_free(&b->peers);
    free(b);
}

sg_status sg_bcast_client_register(sg_bcast *b, sg_time_ns now, uint64_t cookie, sg_client_handle *out)
{
    tick(b, now);
    if (out == NULL) {
        b->counters.events_ignored++;
        return SG_E_INVALID;
    }
    uint32_t before = sg_bcast_listeners(b);
    sg_status st = sg_registry_add(&b->registry, cookie, out);
    if (st != SG_OK) {
        b->counters.registry_full++;
        return st;
    }
    sg_bcast_listeners_changed(b, before);
    settle(b);
    return SG_OK;
}

sg_status sg_bcast_client_unregister(sg_bcast *b, sg_time_ns now, sg_client_handle handle)
{
    tick(b, now);
    uint32_t before = sg_bcast_listeners(b);
    sg_status st = sg_registry_remove(&b->registry, handle);
    if (st != SG_OK) {
        b->counters.double_disconnects++;
        assert(sg_bcast_listeners(b) == before && "a stale handle changes nothing");
        return st;
    }
    assert(sg_bcast_listeners(b) + 1u == before);
    sg_bcast_listeners_changed(b, before);
    settle(b);
    return SG_OK;
}

void sg_bcast_pin(sg_bcast *b, sg_time_ns now)
{
    tick(b, now);
    if (b->pins == UINT32_MAX - 1u) {
        b->counters.events_ignored++; /* a pin leak this large is the driver's bug */
        return;
    }
    uint32_t before = sg_bcast_listeners(b);
    b->pins++;
    sg_bcast_listeners_changed(b, before);
    settle(b);
}

sg_status sg_bcast_unpin(sg_bcast *b, sg_time_ns now)
{
    tick(b, now);
    if (b->pins == 0) {
        b->counters.unpin_underflows++;
        return SG_E_STATE;
    }
    uint32_t before = sg_bcast_listeners(b);
    assert(before > 0);
    b->pins--;
    sg_bcast_listeners_changed(b, before);
    settle(b);
    return SG_OK;
}

/* A backbone event: one reader transition and its consequences. */
static void reader_event(sg_bcast *b, sg_time_ns now, void (*transition)(sg_bcast *b))
{
    tick(b, now);
    transition(b);
    settle(b);
}

void sg_bcast_on_connected(sg_bcast *b, sg_time_ns now)
{
    reader_event(b, now, sg_reader_on_connected);
}

void sg_bcast_on_connect_failed(sg_bcast *b, sg_time_ns now)
{
    reader_event(b, now, sg_reader_on_connect_failed);
}

void sg_bcast_on_subscribed(sg_bcast *b, sg_time_ns now)
{
    reader_event(b, now, sg_reader_on_subscribed);
}

void sg_bcast_on_subscribe_failed(sg_bcast *b, sg_time_ns now)
{
    reader_event(b, now, sg_reader_on_subscribe_failed);
}

void sg_bcast_on_dropped(sg_bcast *b, sg_time_ns now)
{
    reader_event(b, now, sg_reader_on_dropped);
}

sg_msg_verdict sg_bcast_on_message(sg_bcast *b, sg_time_ns now, const sg_bcast_header *header, uint32_t payload_len)
{
    (void)payload_len;
    tick(b, now);
    sg_msg_verdict v = sg_message_judge(b, header);
    settle(b);
    return v;
}

sg_publish_result sg_bcast_publish(sg_bcast *b, sg_time_ns now, const uint8_t *payload, uint32_t len)
{
    tick(b, now);
    sg_publish_result res = sg_publish_decide(b, payload, len);
    settle(b);
    return res;
}

void sg_bcast_on_publish_result(sg_bcast *b, sg_time_ns now, const sg_bcast_header *header, const uint8_t *payload,
                                uint32_t len, bool ok)
{
    tick(b, now);
    sg_publish_result_of_send(b, header, payload, len, ok);
    settle(b);
}

void sg_bcast_on_replay_result(sg_bcast *b, sg_time_ns now, bool ok)
{
    tick(b, now);
    sg_publish_replay_result(b, ok);
    settle(b);
}

void sg_bcast_goodbye(sg_bcast *b, sg_time_ns now)
{
    tick(b, now);
    sg_publish_goodbye(b);
    settle(b);
}

sg_time_ns sg_bcast_next_deadline(const sg_bcast *b)
{
    assert(b != NULL);
    if (b->work_deferred) {
        return b->now;
    }
    return sg_time_min(sg_reader_deadline(b), sg_recovery_deadline(b));
}

void sg_bcast_on_timer(sg_bcast *b, sg_time_ns now)
{
    tick(b, now);
    b->work_deferred = false;
    for (unsigned i = 0; i < SG_BCAST_TIMER_ROUNDS; i++) {
        bool acted = sg_reader_on_timer(b);
        acted = sg_recovery_on_timer(b) || acted;
        acted = sg_publish_pump(b) || acted;
        acted = sg_recovery_advance(b) || acted;
        acted = sg_refetch_pump(b) || acted;
        if (!acted) {
            break;
        }
    }
    settle(b);
}

bool sg_bcast_poll_action(sg_bcast *b, sg_bcast_action *out)
{
    assert(b != NULL);
    return sg_actions_pop(&b->actions, out);
}

void sg_bcast_stats_get(const sg_bcast *b, sg_bcast_stats *out)
{
    assert(b != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    out->reader = b->reader.state;
    out->recovery = b->recovery.phase;
    out->listeners = sg_bcast_listeners(b);
    out->clients = b->registry.count;
    out->pins = b->pins + (b->recovery.pinned ? 1u : 0u);
    out->replay_items = sg_replay_items(&b->replay);
    out->replay_bytes = sg_replay_total_bytes(&b->replay);
    out->backoff_attempt = b->reader.backoff.attempt;
    out->recovery_rerun_pending = b->recovery.rerun;
    out->last_resync_ns = b->recovery.last_resync;
    out->counters = b->counters;
    out->counters.replay_drops_overflow = b->replay.drops_overflow;
    out->counters.replay_drops_nomem = b->replay.drops_nomem;
    out->counters.peer_evictions = b->peers.evictions;
}

/*
 * bcast_config.c - the broadcaster's knobs: defaults from the OPAL seed's
 * documented table (reconnect on, retries forever, equal-jitter backoff
 * 0.5 s .. 30 s, 10000 buffered items, resync on, 2 s settle, health on)
 * plus the bounds the review asked for (buffer bytes, resync cooldown,
 * staggered-close window, watchdog), and validation that names the field.
 */
#include <assert.h>
#include <string.h>

#include "bcast_internal.h"

#define HOUR_NS (3600 * SG_NS_PER_S)
#define DAY_NS (24 * HOUR_NS)

sg_bcast_config sg_bcast_config_default(void)
{
    sg_bcast_config c;
    memset(&c, 0, sizeof c);
    c.reconnect_enabled = true;
    c.backoff = sg_backoff_config_default(SG_BACKOFF_EQUAL_JITTER);
    c.connect_timeout_ns = 10 * SG_NS_PER_S;
    c.replay_items_max = 10000;
    c.replay_bytes_max = (uint64_t)64 << 20;
    c.backbone_payload_max = (uint32_t)1 << 20;
    c.resync_on_reconnect = true;
    c.settle_ns = 2 * SG_NS_PER_S;
    c.settle_jitter_ns = 1 * SG_NS_PER_S;
    c.resync_window_ns = 10 * SG_NS_PER_S;
    c.resync_cooldown_ns = 30 * SG_NS_PER_S;
    c.delivery = SG_DELIVERY_IMMEDIATE;
    c.watchdog_ns = 0;
    c.heartbeat_ns = 0;
    c.healthcheck_enabled = true;
    c.clients_max = 65536;
    c.peers_max = 256;
    return c;
}

static sg_status check_span(const char *field, sg_duration_ns v, sg_duration_ns lo, sg_duration_ns hi,
                            const char *range, sg_error *err)
{
    if (v < lo || v > hi) {
        return sg_error_set(err, SG_E_INVALID, "bcast.%s: must be within %s", field, range);
    }
    return SG_OK;
}

static sg_status check_reader(const sg_bcast_config *c, sg_error *err)
{
    sg_error inner;
    memset(&inner, 0, sizeof inner);
    if (sg_backoff_config_check(&c->backoff, &inner) != SG_OK) {
        return sg_error_set(err, SG_E_INVALID, "bcast.%s", inner.msg);
    }
    return check_span("connect_timeout", c->connect_timeout_ns, SG_NS_PER_MS, HOUR_NS, "1ms .. 1h", err);
}

static sg_status check_replay(const sg_bcast_config *c, sg_error *err)
{
    if (c->replay_items_max > SG_BCAST_REPLAY_ITEMS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "bcast.replay_items_max: must be <= %u", SG_BCAST_REPLAY_ITEMS_MAX);
    }
    if (c->replay_bytes_max > SG_BCAST_REPLAY_BYTES_MAX) {
        return sg_error_set(err, SG_E_INVALID, "bcast.replay_bytes_max: must be <= 4 GiB");
    }
    if (c->backbone_payload_max == 0 || c->backbone_payload_max > SG_BCAST_PAYLOAD_MAX) {
        return sg_error_set(err, SG_E_INVALID, "bcast.backbone_payload_max: must be within 1 .. 64 MiB");
    }
    if (c->replay_items_max > 0 && c->replay_bytes_max < c->backbone_payload_max) {
        return sg_error_set(err, SG_E_INVALID,
                            "bcast.replay_bytes_max: must be >= backbone_payload_max (%u) so any sendable "
                            "payload can be buffered",
                            c->backbone_payload_max);
    }
    return SG_OK;
}

static sg_status check_recovery(const sg_bcast_config *c, sg_error *err)
{
    sg_status st = check_span("settle", c->settle_ns, 0, HOUR_NS, "0 .. 1h", err);
    if (st == SG_OK) {
        st = check_span("settle_jitter", c->settle_jitter_ns, 0, HOUR_NS, "0 .. 1h", err);
    }
    if (st == SG_OK) {
        st = check_span("resync_window", c->resync_window_ns, 0, HOUR_NS, "0 .. 1h", err);
    }
    if (st == SG_OK) {
        st = check_span("resync_cooldown", c->resync_cooldown_ns, 0, DAY_NS, "0 .. 24h", err);
    }
    return st;
}

static sg_status check_watchdog(const sg_bcast_config *c, sg_error *err)
{
    if (c->delivery != SG_DELIVERY_IMMEDIATE && c->delivery != SG_DELIVERY_ON_ECHO) {
        return sg_error_set(err, SG_E_INVALID, "bcast.delivery: unknown policy %d", (int)c->delivery);
    }
    if (c->watchdog_ns != 0) {
        sg_status st = check_span("watchdog", c->watchdog_ns, 3 * SG_NS_PER_MS, HOUR_NS, "0 (off) or 3ms .. 1h", err);
        if (st != SG_OK) {
            return st;
        }
    }
    if (c->heartbeat_ns < 0 || (c->watchdog_ns != 0 && c->heartbeat_ns >= c->watchdog_ns)) {
        return sg_error_set(err, SG_E_INVALID,
                            "bcast.heartbeat: must be 0 (watchdog/3) or > 0 and shorter than the watchdog");
    }
    return SG_OK;
}

static sg_status check_capacity(const sg_bcast_config *c, sg_error *err)
{
    if (c->clients_max == 0 || c->clients_max > SG_BCAST_CLIENTS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "bcast.clients_max: must be within 1 .. %u", SG_BCAST_CLIENTS_MAX);
    }
    if (c->peers_max == 0 || c->peers_max > SG_BCAST_PEERS_MAX) {
        return sg_error_set(err, SG_E_INVALID, "bcast.peers_max: must be within 1 .. %u", SG_BCAST_PEERS_MAX);
    }
    return SG_OK;
}

sg_status sg_bcast_config_check(const sg_bcast_config *c, sg_error *err)
{
    if (c == NULL) {
        return sg_error_set(err, SG_E_INVALID, "bcast: config is NULL");
    }
    sg_status st = check_reader(c, err);
    if (st == SG_OK) {
        st = check_replay(c, err);
    }
    if (st == SG_OK) {
        st = check_recovery(c, err);
    }
    if (st == SG_OK) {
        st = check_watchdog(c, err);
    }
    if (st == SG_OK) {
        st = check_capacity(c, err);
    }
    return st;
}

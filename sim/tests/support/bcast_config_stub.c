/*
 * bcast_config_stub.c - TEMPORARY weak stand-ins for sg_bcast_config_default
 * and sg_bcast_config_check so the simulator's suites link before the
 * broadcaster core (wip/bcast) is merged.  Weak: the moment the core
 * library provides the real functions they win and these are unused.
 * Delete this file once main has core/src/bcast*.c.
 */
#include "stormglass/bcast.h"

#include <string.h>

__attribute__((weak)) sg_bcast_config sg_bcast_config_default(void)
{
    sg_bcast_config c;
    memset(&c, 0, sizeof c);
    c.reconnect_enabled = true;
    c.backoff = sg_backoff_config_default(SG_BACKOFF_EQUAL_JITTER);
    c.connect_timeout_ns = 10 * SG_NS_PER_S;
    c.replay_items_max = 10000;
    c.replay_bytes_max = (uint64_t)64 << 20;
    c.backbone_payload_max = 1u << 20;
    c.resync_on_reconnect = true;
    c.settle_ns = 2 * SG_NS_PER_S;
    c.settle_jitter_ns = SG_NS_PER_S;
    c.resync_window_ns = 10 * SG_NS_PER_S;
    c.resync_cooldown_ns = 30 * SG_NS_PER_S;
    c.healthcheck_enabled = true;
    c.clients_max = 65536;
    c.peers_max = 256;
    return c;
}

__attribute__((weak)) sg_status sg_bcast_config_check(const sg_bcast_config *config, sg_error *err)
{
    if (config == NULL) {
        return sg_error_set(err, SG_E_INVALID, "bcast: config is NULL");
    }
    return sg_backoff_config_check(&config->backoff, err);
}

__attribute__((weak)) const char *sg_bcast_note_name(sg_bcast_note_kind k)
{
    (void)k;
    return "note";
}

__attribute__((weak)) const char *sg_health_reason_name(sg_health_reason r)
{
    (void)r;
    return "reason";
}

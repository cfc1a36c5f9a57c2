/*
 * notifier_send_after_close.c - legacy model: the original healthz loop's
 * second defect.  The broadcast looks the watchers up once (the registry
 * lock is released before the sends) and then sends to each, blocking; a
 * watcher that disconnects meanwhile has its mailbox closed by its own
 * handler, and the send to it panics the monitor and the process.  Here
 * that is a counted crash, after which every call returns SG_E_STATE.
 */
#include "notifier_legacy_loop.h"

static sg_status sac_create(const sg_notifier_config *config, void **out, sg_error *err)
{
    static const sim_legacy_options options = {SIM_LEGACY_BUSY_BLOCKS, true, false};
    return sim_legacy_create(&options, config, out, err);
}

const sim_notifier_ops sim_notifier_send_after_close = {
    "send-after-close",
    "legacy healthz loop: sends to a registry snapshot; a watcher leaving mid-broadcast crashes it",
    sac_create, sim_legacy_destroy, sim_legacy_watch, sim_legacy_unwatch, sim_legacy_publish,
    sim_legacy_publish, sim_legacy_take, sim_legacy_deliver, sim_legacy_stats,
};

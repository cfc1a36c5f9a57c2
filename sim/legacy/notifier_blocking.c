/*
 * notifier_blocking.c - legacy model: the healthz broadcast loop with a
 * blocking, unbuffered send.  A watcher whose reader is busy (say, still
 * in a slow stream write) holds the send, so the loop stops there and
 * every watcher after it, and every later broadcast, waits: one slow
 * client stalls everyone.  The loop walks the live registry, so this model
 * shows the stall alone (the crash is notifier_send_after_close.c).
 */
#include "notifier_legacy_loop.h"

static sg_status blocking_create(const sg_notifier_config *config, void **out, sg_error *err)
{
    static const sim_legacy_options options = {SIM_LEGACY_BUSY_BLOCKS, false, false};
    return sim_legacy_create(&options, config, out, err);
}

const sim_notifier_ops sim_notifier_blocking = {
    "blocking",
    "legacy healthz loop: blocking send, one busy watcher stalls the broadcast",
    blocking_create, sim_legacy_destroy, sim_legacy_watch, sim_legacy_unwatch, sim_legacy_publish,
    sim_legacy_publish, sim_legacy_take, sim_legacy_deliver, sim_legacy_stats,
};

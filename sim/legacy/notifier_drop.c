/*
 * notifier_drop.c - legacy model: the healthz PR's quick fix.  Each send
 * is non-blocking into the watcher's 1-slot buffer; when the reader is
 * busy and the buffer already holds a status, the new one is dropped (the
 * older one stays: oldest wins, the opposite of what a health watcher
 * needs), so a GOAWAY sent to a momentarily busy watcher is lost.  Sends to
 * a closed mailbox are recovered, so this model never crashes.
 */
#include "notifier_legacy_loop.h"

static sg_status drop_create(const sg_notifier_config *config, void **out, sg_error *err)
{
    static const sim_legacy_options options = {SIM_LEGACY_BUSY_BUFFER_OR_DROP, true, true};
    return sim_legacy_create(&options, config, out, err);
}

const sim_notifier_ops sim_notifier_drop = {
    "drop",
    "healthz PR quick fix: non-blocking send, 1-slot buffer, drops when full (can lose GOAWAY)",
    drop_create, sim_legacy_destroy, sim_legacy_watch, sim_legacy_unwatch, sim_legacy_publish,
    sim_legacy_publish, sim_legacy_take, sim_legacy_deliver, sim_legacy_stats,
};

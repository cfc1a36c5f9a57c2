/*
 * notifier_legacy_loop.h - the healthz monitor's broadcast loop, shared by
 * the three legacy notifier models (notifier_blocking.c, notifier_drop.c,
 * notifier_send_after_close.c), which differ only in their options.
 *
 * The loop: published codes queue on the monitor's channel (bounded by
 * SIM_LEGACY_QUEUE_MAX: a full channel blocks the publisher, reported as
 * SG_E_FULL); each code is sent to every registered watcher in turn; a
 * watcher not ready to receive either blocks the loop where it stands or
 * gets the code into its 1-slot buffer, dropped if the buffer is full.
 */
#ifndef STORMGLASS_SIM_NOTIFIER_LEGACY_LOOP_H
#define STORMGLASS_SIM_NOTIFIER_LEGACY_LOOP_H

#include "sim/notifier_model.h"

#define SIM_LEGACY_QUEUE_MAX 64u

typedef enum sim_legacy_on_busy {
    SIM_LEGACY_BUSY_BLOCKS = 1,     /* unbuffered blocking send */
    SIM_LEGACY_BUSY_BUFFER_OR_DROP  /* non-blocking send into a 1-slot buffer */
} sim_legacy_on_busy;

typedef struct sim_legacy_options {
    sim_legacy_on_busy on_busy;
    bool walk_snapshot;   /* walk the registry as it was when the broadcast started */
    bool recover_closed;  /* a send to a closed mailbox is recovered instead of crashing */
} sim_legacy_options;

sg_status sim_legacy_create(const sim_legacy_options *options, const sg_notifier_config *config, void **out,
                            sg_error *err);
void sim_legacy_destroy(void *m);
sg_status sim_legacy_watch(void *m, sg_time_ns now, uint64_t cookie, sg_watch_handle *out);
sg_status sim_legacy_unwatch(void *m, sg_time_ns now, sg_watch_handle handle);
sg_status sim_legacy_publish(void *m, sg_time_ns now, sg_health_code code);
sg_status sim_legacy_take(void *m, sg_time_ns now, sg_watch_handle handle, sg_notification *out);
sg_status sim_legacy_deliver(void *m, sg_time_ns now, uint32_t budget, sg_notifier_deliver_fn fn, void *ctx,
                             uint32_t *visited);
void sim_legacy_stats(const void *m, sim_notifier_stats *out);

#endif

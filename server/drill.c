/*
 * drill.c - drills run on a live server by signal, for operators and for
 * the integration suite:
 *
 *   SIGUSR1  the backbone session drops, as if the network failed (the
 *            adapter's inject_drop; adapters that cannot say so in the log);
 *   SIGUSR2  releases the SUBSCRIBE that --drill-hold-subscribe withholds.
 *
 * --drill-hold-subscribe (tests only, off by default) keeps the reader in
 * SUBSCRIBING after every connect until a SIGUSR2: clients that arrive
 * meanwhile register and fetch their states before the subscription is
 * live, the race the core answers with SG_ACT_REFETCH (at startup, and
 * after a reconnect).  The core's connect timeout still runs: a hold
 * longer than it fails the subscribe like an unanswered one.  Withholding
 * is a driver matter only; the core sees a slow backbone.
 */
#include <signal.h>

#include "sd_log.h"
#include "server.h"

bool sd_drill_hold_subscribe(sd_server *srv)
{
    if (!srv->cfg.drill_hold_subscribe) {
        return false;
    }
    srv->drill_held = true;
    sd_log(SD_LOG_WARN, "drill_subscribe_held", "release=SIGUSR2");
    return true;
}

void sd_drill_session_ended(sd_server *srv)
{
    srv->drill_held = false; /* the next SUBSCRIBE comes with the next session */
}

static void release_subscribe(sd_server *srv)
{
    bool was_held = srv->drill_held;
    srv->drill_held = false;
    sg_bcast_stats st;
    sg_bcast_stats_get(srv->core, &st);
    sd_log(SD_LOG_WARN, "drill_subscribe_released", "was_held=%s reader=%s", was_held ? "true" : "false",
           sg_reader_state_name(st.reader));
    if (!was_held || st.reader != SG_READER_SUBSCRIBING) {
        return; /* nothing withheld now */
    }
    if (srv->bb_ops->subscribe(srv->bb) != SG_OK) {
        sg_bcast_on_subscribe_failed(srv->core, sd_now());
    }
    sd_driver_pump(srv);
}

void sd_drill_signal(sd_server *srv, int signum)
{
    if (signum == SIGUSR2) {
        release_subscribe(srv);
        return;
    }
    sg_status st = srv->bb_ops->inject_drop != NULL ? srv->bb_ops->inject_drop(srv->bb) : SG_E_STATE;
    sd_log(SD_LOG_WARN, "drill_drop_backbone", "status=%s", sg_status_name(st));
}

/*
 * instance.c - this process as one instance in the life of a worker:
 * its epoch, and the state marker that tells the next start how this one
 * ended (state_marker.h; docs/ARCHITECTURE.md, "Server: epoch and state
 * marker").
 *
 * Epoch (sg_bcast_config.epoch): it must differ on every process start,
 * or peers would take a restart for the same stream and skip its first
 * numbers as duplicates.  The wall clock (CLOCK_REALTIME, ~4 ms steps)
 * with the pid in the low 22 bits: two processes alive together never
 * share a pid, and a successor starts later.  With --state-dir it is also
 * never the epoch the marker recorded (a clock stepped back, a pid
 * reused).  Peers compare epochs for equality only.
 *
 * Marker: read before the core exists (a predecessor that did not end
 * "clean" sets after_unclean_exit; no file, the worker's first start,
 * never does), written "running" once everything started and before
 * anything is published, and "clean" by farewell.c after a goodbye that
 * admitted no loss.  A state directory that cannot be read or written
 * refuses the start (exit 2) with a message naming --state-dir: the
 * operator asked for the guarantee, and running without it would let a
 * later crash go unannounced.  Leave the setting empty to run without it.
 */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "sd_log.h"
#include "server.h"

#define EPOCH_PID_BITS 22u /* Linux pid_max is at most 2^22 */
#define EPOCH_PID_MASK (((uint64_t)1 << EPOCH_PID_BITS) - 1u)

uint64_t sd_instance_epoch(uint64_t wall_ns, uint32_t pid, uint64_t previous)
{
    uint64_t epoch = (wall_ns & ~EPOCH_PID_MASK) | ((uint64_t)pid & EPOCH_PID_MASK);
    if (epoch == previous || epoch == 0) {
        epoch = previous + 1u == 0 ? 1u : previous + 1u;
    }
    assert(epoch != previous);
    return epoch;
}

static uint64_t wall_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

sg_status sd_instance_begin(sd_server *srv, sg_error *err)
{
    sd_config *cfg = &srv->cfg;
    srv->marker_on = cfg->state_dir[0] != '\0';
    srv->marker_prev = (sd_marker){SD_MARKER_NONE, 0};
    if (srv->marker_on) {
        sg_status st = sd_marker_dir_check(cfg->state_dir, err);
        if (st == SG_OK) {
            st = sd_marker_path(cfg->state_dir, cfg->bcast.worker_id, srv->marker_path, sizeof srv->marker_path, err);
        }
        if (st == SG_OK) {
            st = sd_marker_read(srv->marker_path, &srv->marker_prev, err);
        }
        if (st != SG_OK) {
            return st;
        }
    }
    uint64_t wall = wall_clock_ns();
    cfg->bcast.epoch = sd_instance_epoch(wall, (uint32_t)getpid(), srv->marker_prev.epoch);
    if (cfg->bcast.seed == 0) {
        cfg->bcast.seed = wall ^ ((uint64_t)getpid() << 32) ^ uv_hrtime();
    }
    cfg->bcast.after_unclean_exit = sd_marker_unclean(&srv->marker_prev);
    sd_log(cfg->bcast.after_unclean_exit ? SD_LOG_WARN : SD_LOG_INFO, "state_marker",
           "state_dir=%s previous=%s previous_epoch=%" PRIu64 " epoch=%" PRIu64 " after_unclean_exit=%s",
           srv->marker_on ? cfg->state_dir : "(off)", sd_marker_status_name(srv->marker_prev.status),
           srv->marker_prev.epoch, cfg->bcast.epoch, cfg->bcast.after_unclean_exit ? "true" : "false");
    return SG_OK;
}

sg_status sd_instance_running(sd_server *srv, sg_error *err)
{
    if (!srv->marker_on) {
        return SG_OK;
    }
    return sd_marker_write(srv->marker_path, SD_MARKER_RUNNING, srv->cfg.bcast.epoch, err);
}

bool sd_instance_clean(sd_server *srv)
{
    if (!srv->marker_on) {
        return false;
    }
    sg_error err;
    err.msg[0] = '\0';
    if (sd_marker_write(srv->marker_path, SD_MARKER_CLEAN, srv->cfg.bcast.epoch, &err) != SG_OK) {
        /* the marker keeps "running": the next start flags its first message (safe, one resync) */
        sd_log(SD_LOG_ERROR, "state_marker_write_failed", "why=\"%s\" marker=running", err.msg);
        return false;
    }
    sd_log(SD_LOG_INFO, "state_marker_clean", "path=%s epoch=%" PRIu64, srv->marker_path, srv->cfg.bcast.epoch);
    return true;
}

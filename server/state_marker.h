/*
 * state_marker.h - the one small file that tells the next start of a
 * worker how the previous one ended (--state-dir, STORMGLASS_STATE_DIR).
 *
 * The core cannot know whether its predecessor died with publishes it
 * never sent; only the driver can, across the restart.  At start the
 * server reads the marker (no file = the worker's first start), then
 * writes "running" with its own epoch; it rewrites "clean" only after a
 * goodbye that reported no loss.  A marker found "running" (a crash, a
 * kill -9, a give-up, a goodbye that admitted losses) or not understood
 * sets sg_bcast_config.after_unclean_exit, so this instance's first
 * message carries the after-loss flag and peers that never knew the dead
 * epoch still recover.  docs/ARCHITECTURE.md, "Server: state marker".
 *
 * Writes are atomic: a temporary file in the same directory, fsync,
 * rename over the marker, fsync of the directory.  A crash in the middle
 * leaves the old marker or the new one, never a torn one.
 */
#ifndef STORMGLASS_SD_STATE_MARKER_H
#define STORMGLASS_SD_STATE_MARKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"

#define SD_MARKER_PATH_MAX 512u  /* directory + file name */
#define SD_MARKER_BYTES_MAX 256u /* the file is one short line; more is not ours */

typedef enum sd_marker_status {
    SD_MARKER_NONE = 0,   /* no file: the worker's first start with this directory */
    SD_MARKER_CLEAN,      /* the previous instance said a goodbye that lost nothing */
    SD_MARKER_RUNNING,    /* the previous instance never got that far */
    SD_MARKER_UNREADABLE  /* a file we do not understand: taken as unclean */
} sd_marker_status;

typedef struct sd_marker {
    sd_marker_status status;
    uint64_t epoch;      /* the epoch the file names (0 if none) */
} sd_marker;

/* DIR/worker-<id>.state.  SG_E_INVALID (err names --state-dir) when the
 * directory is empty or the path does not fit. */
sg_status sd_marker_path(const char *dir, uint32_t worker_id, char *out, size_t size, sg_error *err);

/* The directory exists and is one.  SG_E_INVALID naming --state-dir
 * otherwise (writability shows at the first write, at start). */
sg_status sd_marker_dir_check(const char *dir, sg_error *err);

/* Reads the marker at path.  A missing file is SD_MARKER_NONE and a file
 * that is not one of ours is SD_MARKER_UNREADABLE, both SG_OK; any other
 * failure (a directory that is not one, no permission) is SG_E_INVALID
 * with why, naming --state-dir. */
sg_status sd_marker_read(const char *path, sd_marker *out, sg_error *err);

/* Atomically replaces the marker with `status` (CLEAN or RUNNING) and
 * epoch.  SG_E_INVALID with why on any failure; the old marker is then
 * left as it was.  Fault point: stormglass/server/marker_write. */
sg_status sd_marker_write(const char *path, sd_marker_status status, uint64_t epoch, sg_error *err);

/* Whether a predecessor's marker means it may have died with a loss. */
bool sd_marker_unclean(const sd_marker *m);

const char *sd_marker_status_name(sd_marker_status s);

#endif

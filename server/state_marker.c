/*
 * state_marker.c - read and atomically replace the worker's state marker
 * (see state_marker.h).  The file is one line:
 *
 *   stormglassd-marker 1 status=running epoch=1718000000000123456
 *
 * Anything else in the file is SD_MARKER_UNREADABLE, which the server
 * treats like "running": when in doubt, say a loss may have happened (it
 * costs peers that never knew the dead epoch one resync; the opposite
 * mistake leaves their clients stale).
 */
#include "state_marker.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fiu-local.h>

#define MARKER_MAGIC "stormglassd-marker 1 status="

const char *sd_marker_status_name(sd_marker_status s)
{
    switch (s) {
    case SD_MARKER_NONE: return "none";
    case SD_MARKER_CLEAN: return "clean";
    case SD_MARKER_RUNNING: return "running";
    case SD_MARKER_UNREADABLE: return "unreadable";
    }
    return "?";
}

bool sd_marker_unclean(const sd_marker *m)
{
    assert(m != NULL);
    return m->status == SD_MARKER_RUNNING || m->status == SD_MARKER_UNREADABLE;
}

sg_status sd_marker_path(const char *dir, uint32_t worker_id, char *out, size_t size, sg_error *err)
{
    assert(out != NULL && size > 0);
    if (dir == NULL || dir[0] == '\0') {
        return sg_error_set(err, SG_E_INVALID, "--state-dir: empty");
    }
    int n = snprintf(out, size, "%s/worker-%" PRIu32 ".state", dir, worker_id);
    if (n < 0 || (size_t)n >= size || (size_t)n + 16 >= SD_MARKER_PATH_MAX) { /* room for the temp suffix */
        return sg_error_set(err, SG_E_INVALID, "--state-dir: path too long (%d bytes)", n);
    }
    return SG_OK;
}

sg_status sd_marker_dir_check(const char *dir, sg_error *err)
{
    assert(dir != NULL);
    struct stat st;
    if (stat(dir, &st) != 0) {
        return sg_error_set(err, SG_E_INVALID, "--state-dir: %s: %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        return sg_error_set(err, SG_E_INVALID, "--state-dir: %s: not a directory", dir);
    }
    return SG_OK;
}

/* "clean epoch=N\n" or "running epoch=N\n" after the magic. */
static sd_marker parse(const char *text)
{
    sd_marker m = {SD_MARKER_UNREADABLE, 0};
    size_t magic = strlen(MARKER_MAGIC);
    if (strncmp(text, MARKER_MAGIC, magic) != 0) {
        return m;
    }
    const char *p = text + magic;
    sd_marker_status status = SD_MARKER_UNREADABLE;
    if (strncmp(p, "clean ", 6) == 0) {
        status = SD_MARKER_CLEAN;
        p += 6;
    } else if (strncmp(p, "running ", 8) == 0) {
        status = SD_MARKER_RUNNING;
        p += 8;
    }
    if (status == SD_MARKER_UNREADABLE || strncmp(p, "epoch=", 6) != 0 || p[6] < '0' || p[6] > '9') {
        return m;
    }
    char *end = NULL;
    errno = 0;
    unsigned long long epoch = strtoull(p + 6, &end, 10);
    if (errno != 0 || strcmp(end, "\n") != 0) {
        return m;
    }
    m.status = status;
    m.epoch = (uint64_t)epoch;
    return m;
}

sg_status sd_marker_read(const char *path, sd_marker *out, sg_error *err)
{
    assert(path != NULL && out != NULL);
    out->status = SD_MARKER_NONE;
    out->epoch = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) {
            return SG_OK; /* first start with this directory */
        }
        return sg_error_set(err, SG_E_INVALID, "--state-dir: cannot read %s: %s", path, strerror(errno));
    }
    char buf[SD_MARKER_BYTES_MAX + 1];
    size_t got = 0;
    ssize_t n;
    while (got < SD_MARKER_BYTES_MAX && (n = read(fd, buf + got, SD_MARKER_BYTES_MAX - got)) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int e = errno;
            close(fd);
            return sg_error_set(err, SG_E_INVALID, "--state-dir: cannot read %s: %s", path, strerror(e));
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *out = parse(buf);
    return SG_OK;
}

static sg_status write_all(int fd, const char *text, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return SG_E_INVALID;
        }
        done += (size_t)n;
    }
    return SG_OK;
}

/* The directory entry of the rename must reach the disk too. */
static void sync_dir(const char *path)
{
    char dir[SD_MARKER_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else {
        slash[slash == dir ? 1 : 0] = '\0'; /* "/x" -> "/", "a/x" -> "a" */
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some file systems refuse fsync on a directory */
        close(fd);
    }
}

sg_status sd_marker_write(const char *path, sd_marker_status status, uint64_t epoch, sg_error *err)
{
    assert(path != NULL);
    assert(status == SD_MARKER_CLEAN || status == SD_MARKER_RUNNING);
    char tmp[SD_MARKER_PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    char text[128];
    int len = snprintf(text, sizeof text, MARKER_MAGIC "%s epoch=%" PRIu64 "\n", sd_marker_status_name(status), epoch);
    assert(len > 0 && (size_t)len < sizeof text);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return sg_error_set(err, SG_E_INVALID, "--state-dir: cannot create %s: %s", tmp, strerror(errno));
    }
    bool ok = write_all(fd, text, (size_t)len) == SG_OK && fsync(fd) == 0;
    int e = errno;
    ok = close(fd) == 0 && ok;
    if (ok && fiu_fail("stormglass/server/marker_write")) {
        ok = false;
        e = EIO;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        return sg_error_set(err, SG_E_INVALID, "--state-dir: cannot write %s: %s", path, strerror(e));
    }
    sync_dir(path);
    return SG_OK;
}

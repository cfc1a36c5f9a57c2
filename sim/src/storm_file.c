/*
 * storm_file.c - where storm files come from: the default loader (a file
 * on disk, bounded in size) and include path resolution.
 *
 * Paths are resolved lexically (no realpath): `include` names a file
 * relative to the directory of the including file, "." and ".." segments
 * are folded, so the same file reached two ways has one name, which is
 * what cycle detection compares.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/storm.h"

sg_status storm_load_file(void *ctx, const char *path, char **data, size_t *len, sg_error *err)
{
    (void)ctx;
    assert(path != NULL && data != NULL && len != NULL);
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return sg_error_set(err, SG_E_NOT_FOUND, "%s", strerror(errno));
    }
    char *buf = malloc(STORM_FILE_BYTES_MAX + 1);
    if (buf == NULL) {
        (void)fclose(f);
        return sg_error_set(err, SG_E_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, STORM_FILE_BYTES_MAX + 1, f);
    bool failed = ferror(f) != 0;
    (void)fclose(f);
    if (failed) {
        free(buf);
        return sg_error_set(err, SG_E_INVALID, "read error");
    }
    if (n > STORM_FILE_BYTES_MAX) {
        free(buf);
        return sg_error_set(err, SG_E_TOO_BIG, "larger than %u bytes", STORM_FILE_BYTES_MAX);
    }
    *data = buf;
    *len = n;
    return SG_OK;
}

/* Folds ".." into out (length *used): pops the last segment; at the root
 * it stays at the root; above a relative start (or after another "..")
 * it is kept.  Returns false when ".." must be appended instead. */
static bool pop_segment(char *out, size_t *used)
{
    if (*used == 0) {
        return false;
    }
    if (*used == 1 && out[0] == '/') {
        return true;
    }
    char *last = strrchr(out, '/');
    const char *seg = last != NULL ? last + 1 : out;
    if (strcmp(seg, "..") == 0) {
        return false;
    }
    *used = last == NULL ? 0 : last == out ? 1 : (size_t)(last - out);
    out[*used] = '\0';
    return true;
}

/* Appends segment [s, s+n) to out (length *used), folding "." and "..". */
static sg_status push_segment(char *out, size_t size, size_t *used, const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '.')) {
        return SG_OK;
    }
    if (n == 2 && s[0] == '.' && s[1] == '.' && pop_segment(out, used)) {
        return SG_OK;
    }
    bool need_slash = *used > 0 && out[*used - 1] != '/';
    if (*used + (need_slash ? 1u : 0u) + n + 1 > size) {
        return SG_E_TOO_BIG;
    }
    if (need_slash) {
        out[(*used)++] = '/';
    }
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
    return SG_OK;
}

static sg_status push_path(char *out, size_t size, size_t *used, const char *path, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/') {
            j++;
        }
        sg_status s = push_segment(out, size, used, path + i, j - i);
        if (s != SG_OK) {
            return s;
        }
        i = j + 1;
    }
    return SG_OK;
}

sg_status storm_path_resolve(const char *from, const char *path, char *out, size_t size)
{
    assert(from != NULL && path != NULL && out != NULL);
    assert(size > 1);
    size_t used = 0;
    out[0] = '\0';
    if (path[0] == '/') {
        out[used++] = '/';
        out[used] = '\0';
    } else {
        const char *slash = strrchr(from, '/');
        if (slash != NULL) {
            if (from[0] == '/') {
                out[used++] = '/';
                out[used] = '\0';
            }
            sg_status s = push_path(out, size, &used, from, (size_t)(slash - from));
            if (s != SG_OK) {
                return s;
            }
        }
    }
    if (strlen(path) >= STORM_PATH_MAX) {
        return SG_E_TOO_BIG;
    }
    sg_status s = push_path(out, size, &used, path, strlen(path));
    if (s != SG_OK) {
        return s;
    }
    if (used == 0) {
        return SG_E_INVALID;
    }
    return SG_OK;
}

/*
 * storm_collect.c - turns the paths of a command line into a list of
 * storm files (see storm_collect.h).
 *
 * Folder entries are sorted by name before they are visited, so the order
 * of a run (and of its reports) never depends on the file system.
 */
#include "sim/storm_collect.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void storm_file_list_init(storm_file_list *l)
{
    assert(l != NULL);
    memset(l, 0, sizeof *l);
}

void storm_file_list_free(storm_file_list *l)
{
    if (l != NULL) {
        free(l->paths);
        memset(l, 0, sizeof *l);
    }
}

static sg_status add(storm_file_list *l, const char *path, sg_error *err)
{
    if (l->count >= STORM_COLLECT_MAX) {
        return sg_error_set(err, SG_E_FULL, "more than %u storm files", STORM_COLLECT_MAX);
    }
    if (strlen(path) >= STORM_PATH_MAX) {
        return sg_error_set(err, SG_E_TOO_BIG, "%.60s...: path longer than %u bytes", path, STORM_PATH_MAX - 1);
    }
    if (l->count == l->capacity) {
        uint32_t cap = l->capacity == 0 ? 32u : l->capacity * 2u;
        void *grown = realloc(l->paths, (size_t)cap * sizeof *l->paths);
        if (grown == NULL) {
            return sg_error_set(err, SG_E_NOMEM, "out of memory");
        }
        l->paths = grown;
        l->capacity = cap;
    }
    (void)snprintf(l->paths[l->count++], STORM_PATH_MAX, "%s", path);
    return SG_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_storm_name(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && n > 6 && strcmp(name + n - 6, ".storm") == 0;
}

#define DIR_ENTRIES_MAX 4096u

static sg_status walk(storm_file_list *l, const char *dir, uint32_t depth, sg_error *err);

/* Visits the sorted entries of one folder. */
static sg_status visit(storm_file_list *l, const char *dir, char **names, size_t n, uint32_t depth, sg_error *err)
{
    assert(names != NULL);
    qsort(names, n, sizeof *names, by_name);
    sg_status s = SG_OK;
    for (size_t i = 0; i < n && s == SG_OK; i++) {
        char path[STORM_PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
            return sg_error_set(err, SG_E_TOO_BIG, "%s/%.40s: path longer than %u bytes", dir, names[i],
                                STORM_PATH_MAX - 1);
        }
        struct stat sb;
        if (stat(path, &sb) != 0) {
            continue; /* vanished or a dangling link */
        }
        if (S_ISDIR(sb.st_mode)) {
            s = walk(l, path, depth + 1, err);
        } else if (S_ISREG(sb.st_mode) && is_storm_name(names[i])) {
            s = add(l, path, err);
        }
    }
    return s;
}

static sg_status walk(storm_file_list *l, const char *dir, uint32_t depth, sg_error *err)
{
    if (depth > STORM_COLLECT_DEPTH_MAX) {
        return sg_error_set(err, SG_E_FULL, "%s: folders nested deeper than %u", dir, STORM_COLLECT_DEPTH_MAX);
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        return sg_error_set(err, SG_E_NOT_FOUND, "%s: %s", dir, strerror(errno));
    }
    char **names = calloc(DIR_ENTRIES_MAX, sizeof *names);
    if (names == NULL) {
        (void)closedir(d);
        return sg_error_set(err, SG_E_NOMEM, "out of memory");
    }
    size_t n = 0;
    sg_status s = SG_OK;
    const struct dirent *e;
    while (s == SG_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue; /* ., .., hidden files */
        }
        if (n >= DIR_ENTRIES_MAX) {
            s = sg_error_set(err, SG_E_FULL, "%s: more than %u entries", dir, DIR_ENTRIES_MAX);
        } else if ((names[n] = strdup(e->d_name)) == NULL) {
            s = sg_error_set(err, SG_E_NOMEM, "out of memory");
        } else {
            n++;
        }
    }
    (void)closedir(d);
    if (s == SG_OK) {
        s = visit(l, dir, names, n, depth, err);
    }
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    return s;
}

sg_status storm_collect(storm_file_list *l, const char *path, sg_error *err)
{
    assert(l != NULL && path != NULL);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        return sg_error_set(err, SG_E_NOT_FOUND, "%s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(sb.st_mode)) {
        return add(l, path, err);
    }
    char dir[STORM_PATH_MAX];
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') {
        n--;
    }
    if (n >= sizeof dir) {
        return sg_error_set(err, SG_E_TOO_BIG, "path longer than %u bytes", STORM_PATH_MAX - 1);
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
    return walk(l, dir, 0, err);
}

/*
 * storm_fixture.h - what the storm suites share: an in-memory file system
 * for includes, and parse helpers that keep the last error as text.
 */
#ifndef STORMGLASS_STORM_FIXTURE_H
#define STORMGLASS_STORM_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/storm.h"
#include "test_util.h"

typedef struct memfile {
    const char *name;
    const char *text;
} memfile;

#define MEMFS_MAX 16

typedef struct memfs {
    memfile files[MEMFS_MAX];
    unsigned count;
    unsigned loads;
} memfs;

static inline sg_status memfs_load(void *ctx, const char *path, char **data, size_t *len, sg_error *err)
{
    memfs *fs = ctx;
    fs->loads++;
    for (unsigned i = 0; i < fs->count; i++) {
        if (strcmp(fs->files[i].name, path) == 0) {
            *len = strlen(fs->files[i].text);
            *data = malloc(*len + 1);
            if (*data == NULL) {
                return SG_E_NOMEM;
            }
            memcpy(*data, fs->files[i].text, *len + 1);
            return SG_OK;
        }
    }
    return sg_error_set(err, SG_E_NOT_FOUND, "no such file");
}

static inline void memfs_add(memfs *fs, const char *name, const char *text)
{
    assert_true(fs->count < MEMFS_MAX);
    fs->files[fs->count++] = (memfile){name, text};
}

/* Parses text as `name` with the files of fs reachable; the formatted
 * error (if any) lands in msg. */
static inline sg_status parse_with(memfs *fs, const char *name, const char *text, storm *s, char *msg,
                                   size_t size)
{
    storm_loader loader = {memfs_load, fs};
    storm_error err;
    sg_status st = storm_parse_buffer(name, text, strlen(text), &loader, s, &err);
    msg[0] = '\0';
    if (st != SG_OK) {
        storm_error_format(&err, msg, size);
    }
    return st;
}

/* A storm that needs nothing else: title and an expectation for core. */
#define STORM_MINIMAL "title minimal\nexpect core: events >= 0\n"

#endif

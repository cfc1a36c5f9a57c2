/*
 * storm_collect.h - which storm files a command line names: files as
 * given, folders walked for *.storm files (sorted, so every run visits
 * them in the same order), bounded in count and depth.
 */
#ifndef STORMGLASS_SIM_STORM_COLLECT_H
#define STORMGLASS_SIM_STORM_COLLECT_H

#include <stdint.h>

#include "sim/storm.h"
#include "stormglass/status.h"

#define STORM_COLLECT_MAX 4096u      /* files one command handles */
#define STORM_COLLECT_DEPTH_MAX 8u   /* folder nesting below a named folder */

typedef struct storm_file_list {
    uint32_t count;
    char (*paths)[STORM_PATH_MAX];  /* heap, `count` entries */
    uint32_t capacity;
} storm_file_list;

void storm_file_list_init(storm_file_list *l);
void storm_file_list_free(storm_file_list *l);

/* Adds `path`: a file is taken as is (whatever its name), a folder adds
 * every *.storm below it in name order.  SG_E_NOT_FOUND (err says which)
 * for a path that does not exist, SG_E_FULL past STORM_COLLECT_MAX. */
sg_status storm_collect(storm_file_list *l, const char *path, sg_error *err);

#endif

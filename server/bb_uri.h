/*
 * bb_uri.h - the small URI splitting the network adapters share:
 *
 *   scheme://AUTHORITY[/PATH][?QUERY]
 *
 * AUTHORITY is host[:port] (redis) or a comma-separated bootstrap list
 * (kafka); PATH is the database number (redis) or the topic (kafka).
 * postgres:// URIs go to libpq whole and do not use this.  Every part has
 * a byte bound; a value that does not fit is refused with the field name.
 */
#ifndef STORMGLASS_SD_BB_URI_H
#define STORMGLASS_SD_BB_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "stormglass/status.h"

#define BB_URI_PART_MAX 256u

typedef struct bb_uri {
    char authority[BB_URI_PART_MAX];
    char path[BB_URI_PART_MAX];   /* without the leading '/' */
    char query[BB_URI_PART_MAX];  /* without the '?' */
} bb_uri;

/* Splits uri (which must start with "scheme://"). */
sg_status bb_uri_split(const char *uri, const char *scheme, bb_uri *out, sg_error *err);

/* host[:port] -> host and port (default_port when absent). */
sg_status bb_uri_host_port(const char *authority, int default_port, char *host, size_t host_size, int *port,
                           sg_error *err);

/* Value of name=value in a query ("a=1&b=2"); false if absent or too long. */
bool bb_uri_query_get(const char *query, const char *name, char *out, size_t out_size);

/* Refuses query names other than those listed (NULL-terminated). */
sg_status bb_uri_query_check(const char *query, const char *const *known, const char *scheme, sg_error *err);

#endif

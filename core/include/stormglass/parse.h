/*
 * parse.h - strict parsers for the values operators type: durations with
 * units, counts, byte sizes, ratios and booleans.
 *
 * Shared by the command-line tool, the scenario language and the server's
 * flags/environment so a value means the same thing everywhere.  Every
 * parser takes (text, length), never reads past it, rejects trailing
 * garbage, range-checks, and names what was expected in err.
 */
#ifndef STORMGLASS_PARSE_H
#define STORMGLASS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stormglass/status.h"
#include "stormglass/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest text any of these parsers accepts. */
#define SG_PARSE_INPUT_MAX 64

/* Unit applied to a bare number ("30") by sg_parse_duration. */
typedef enum sg_duration_unit {
    SG_UNIT_REQUIRED = 0, /* a bare number is an error */
    SG_UNIT_SECONDS,
    SG_UNIT_MILLISECONDS
} sg_duration_unit;

/* "1.5s", "500ms", "250us", "100ns", "2m", "1h", "0"; a bare number takes
 * bare_unit.  Result in [0, SG_DURATION_MAX_NS]. */
sg_status sg_parse_duration(const char *text, size_t len, sg_duration_unit bare_unit,
                            sg_duration_ns *out, sg_error *err);

/* Decimal unsigned integer within [min, max]. */
sg_status sg_parse_u64(const char *text, size_t len, uint64_t min, uint64_t max, uint64_t *out,
                       sg_error *err);

/* Byte size: "512", "64k", "16KiB", "4MiB", "1m", "2G" (k/m/g = 1024-based). */
sg_status sg_parse_bytes(const char *text, size_t len, uint64_t max, uint64_t *out, sg_error *err);

/* Finite decimal ("0.5", "2", "1e-3") within [min, max]. */
sg_status sg_parse_double(const char *text, size_t len, double min, double max, double *out,
                          sg_error *err);

/* true/false, yes/no, on/off, 1/0 (case-insensitive). */
sg_status sg_parse_bool(const char *text, size_t len, bool *out, sg_error *err);

/* Copies up to buf_size-1 bytes of text for an error message, each control
 * or non-ASCII byte as '?', so a message quoting user input stays one
 * printable line.  Returns buf. */
const char *sg_parse_show(const char *text, size_t len, char *buf, size_t buf_size);

/* Formats a duration compactly for people: "500ms", "1.5s", "2m30s", "1h". */
void sg_format_duration(sg_duration_ns d, char *buf, size_t buf_size);

#ifdef __cplusplus
}
#endif

#endif

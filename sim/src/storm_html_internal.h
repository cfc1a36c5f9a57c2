/*
 * storm_html_internal.h - what the index writer and the storm page writer
 * share: the page head (one inline style sheet), value formatting and the
 * colour class of each model.
 */
#ifndef STORMGLASS_SIM_STORM_HTML_INTERNAL_H
#define STORMGLASS_SIM_STORM_HTML_INTERNAL_H

#include <stdio.h>

#include "sim/storm_write.h"

/* <!doctype html> ... <body> with the shared style sheet. */
void storm_html_head(FILE *out, const char *title);
void storm_html_tail(FILE *out);

/* "core" for the core, "legacyN" for the N-th legacy model (N < 4). */
const char *storm_model_class(const storm *s, int model);

/* A metric for a table cell: "-" for NaN, "never" for a -1 time. */
void storm_html_value(char *buf, size_t size, double v, bool is_time);

/* Did every selected run of this mode pass? (no runs: false) */
bool storm_mode_passed(const storm_entry *e, bool core);
bool storm_mode_ran(const storm_entry *e, bool core);

/* Writes DIR/storms/<name>.html for one entry (storm_write_page.c). */
sg_status storm_write_page(const storm_report *r, const storm_entry *e, const char *path, sg_error *err);

#endif

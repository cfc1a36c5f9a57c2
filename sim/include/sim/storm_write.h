/*
 * storm_write.h - the reports of a storm run, for CI and for people:
 *
 *   JUnit XML    one <testsuite> per storm, one <testcase> per model; a
 *                failure lists each failed expectation (measured vs
 *                bound, seed, replay command).
 *   JSON         a summary: every storm, model, verdict and the headline
 *                metrics, for dashboards and scripts.
 *   HTML + SVG   DIR/index.html (one row per storm, legacy and core side
 *                by side) and DIR/storms/NAME.html (timelines of both
 *                modes on the same axes), self-contained: no scripts, no
 *                external files.
 *
 * Every writer escapes what it copies from storm files (titles,
 * descriptions, paths) for its format; output is a pure function of the
 * report (no clock, no host name) except the host run time, which is
 * reported as such.
 */
#ifndef STORMGLASS_SIM_STORM_WRITE_H
#define STORMGLASS_SIM_STORM_WRITE_H

#include <stdio.h>

#include "sim/storm_run.h"

sg_status storm_write_junit(const storm_report *r, FILE *out);
sg_status storm_write_json(const storm_report *r, FILE *out);

/* Writes DIR/index.html and DIR/storms/<name>.html (DIR and DIR/storms
 * are created if missing).  err names the file that could not be written. */
sg_status storm_write_html(const storm_report *r, const char *dir, sg_error *err);

/* ---- shared by the writers ---------------------------------------------- */

/* Writes s with &, <, >, " and ' escaped (XML and HTML); control bytes
 * other than tab and newline become U+FFFD. */
void storm_put_xml(FILE *out, const char *s);
/* Writes s as the inside of a JSON string (quotes not included). */
void storm_put_json(FILE *out, const char *s);
/* A number for JSON/XML: integers without a fraction, NaN/inf as null. */
void storm_put_number(FILE *out, double v);

/* One line describing a verdict: "spurious_drops == 0: measured 3". */
void storm_verdict_text(const storm *s, const storm_verdict *v, char *buf, size_t size);

/* The headline columns of the index: which metric each shows. */
typedef enum storm_headline {
    STORM_H_DROPS = 0,     /* spurious_drops: closes that were not a deliberate resync */
    STORM_H_CONVERGENCE,   /* convergence_time_s */
    STORM_H_HEALTH_503,    /* health_503_s */
    STORM_H_REQUESTS,      /* upstream_requests (infonet) or refetches */
    STORM_H_RESURRECTED,   /* resurrected_keys (scale-in) */
    STORM_H_COUNT
} storm_headline;

const char *storm_headline_name(storm_headline h);
/* The value of a headline for an outcome of storm s; NaN when it does not
 * apply to the storm's world. */
double storm_headline_value(const storm *s, const storm_outcome *o, storm_headline h);

#endif

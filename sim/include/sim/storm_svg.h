/*
 * storm_svg.h - the little SVG chart writer of the storm reports: a time
 * axis in simulated seconds, a value axis from 0, shaded bands (backbone
 * down, fault spans) and one polyline per model, all sharing the axes so
 * legacy and core can be compared at a glance.  Inline SVG, no scripts.
 */
#ifndef STORMGLASS_SIM_STORM_SVG_H
#define STORMGLASS_SIM_STORM_SVG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define STORM_SVG_POINTS_MAX 1200u /* points drawn per line (longer series are bucketed) */

typedef struct storm_chart {
    FILE *out;
    bool x_plain;       /* x labels as plain numbers, not durations */
    double t_max_s;     /* x axis: 0 .. t_max_s */
    double y_max;       /* y axis: 0 .. y_max (rounded up to a tick) */
    double width, height;
    double left, right, top, bottom; /* margins */
} storm_chart;

/* Starts an <svg> of width x height with axes, ticks and a y label. */
void storm_chart_begin(storm_chart *c, FILE *out, double width, double height, double t_max_s, double y_max,
                       const char *y_label);
/* Shades [t0, t1] seconds over the whole plot; css_class picks the colour. */
void storm_chart_band(const storm_chart *c, double t0_s, double t1_s, const char *css_class, const char *title);
/* A vertical marker at t (a fault that acts at one instant). */
void storm_chart_marker(const storm_chart *c, double t_s, const char *title);
/* One line: values[i] at i * period_s; more than STORM_SVG_POINTS_MAX
 * points are bucketed keeping each bucket's maximum (peaks stay visible). */
void storm_chart_line(const storm_chart *c, const double *values, uint32_t count, double period_s, double scale,
                      const char *css_class, const char *title);
/* One line through (xs[i], ys[i] * scale) on an x axis of plain numbers
 * (storm_chart_begin_plain). */
void storm_chart_xy(const storm_chart *c, const double *xs, const double *ys, uint32_t count, const char *css_class,
                    const char *title);
/* storm_chart_begin with an x axis of plain numbers 0 .. x_max. */
void storm_chart_begin_plain(storm_chart *c, FILE *out, double width, double height, double x_max, double y_max,
                             const char *y_label);
void storm_chart_end(const storm_chart *c);

/* 1, 2 or 5 times a power of ten, at least x / 5: a tick step for 0 .. x. */
double storm_nice_step(double x);

/* Bars: one per label, horizontal, all on one scale (world metrics). */
void storm_bars(FILE *out, const char *const *labels, const double *values, const char *const *css_classes,
                uint32_t count, const char *unit);

#endif

/*
 * storm_svg.c - SVG charts for the storm pages (storm_svg.h).
 *
 * Coordinates are computed here and written with two decimals; styling
 * lives in the page's CSS classes, so a chart is only geometry.  Long
 * series are bucketed to STORM_SVG_POINTS_MAX points keeping the maximum
 * of each bucket: a one-sample spike of reconnects stays visible at any
 * zoom, which is the point of these charts.
 */
#include "sim/storm_svg.h"

#include <assert.h>
#include <math.h>

#include "sim/storm_write.h"

double storm_nice_step(double x)
{
    if (!(x > 0.0) || !isfinite(x)) {
        return 1.0;
    }
    double raw = x / 5.0;
    double p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    double step = m <= 1.0 ? 1.0 : m <= 2.0 ? 2.0 : m <= 5.0 ? 5.0 : 10.0;
    return step * p;
}

/* A tick step for a time axis of t_max seconds: a round span people
 * read at a glance (15 s, 1 m, 10 m, 1 h ...), about 4 to 10 ticks. */
static double time_step(double t_max)
{
    static const double steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                                   43200, 86400};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (t_max / steps[i] <= 10.0) {
            return steps[i];
        }
    }
    return storm_nice_step(t_max);
}

static double px(const storm_chart *c, double t)
{
    double w = c->width - c->left - c->right;
    return c->left + (c->t_max_s > 0.0 ? t / c->t_max_s : 0.0) * w;
}

static double py(const storm_chart *c, double v)
{
    double h = c->height - c->top - c->bottom;
    double f = c->y_max > 0.0 ? v / c->y_max : 0.0;
    f = f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
    return c->top + (1.0 - f) * h;
}

/* "90s" -> "1m30s", "3600" -> "1h", "5400" -> "1h30m": the largest units only. */
static void time_label(double t, char *buf, size_t size)
{
    long s = lround(t);
    long h = s / 3600, m = (s % 3600) / 60, sec = s % 60;
    if (h > 0) {
        (void)snprintf(buf, size, m > 0 ? "%ldh%02ldm" : "%ldh", h, m);
    } else if (m > 0) {
        (void)snprintf(buf, size, sec > 0 ? "%ldm%02lds" : "%ldm", m, sec);
    } else {
        (void)snprintf(buf, size, "%lds", sec);
    }
}

static void axes(const storm_chart *c, const char *y_label)
{
    double x0 = c->left, x1 = c->width - c->right, y0 = c->top, y1 = c->height - c->bottom;
    fprintf(c->out, "<rect class=\"plot\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", x0, y0,
            x1 - x0, y1 - y0);
    double ys = storm_nice_step(c->y_max);
    long yticks = lround(c->y_max / ys);
    for (long i = 0; i <= yticks; i++) {
        double v = (double)i * ys;
        fprintf(c->out,
                "<line class=\"grid\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>"
                "<text class=\"tick\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%g</text>\n",
                x0, py(c, v), x1, py(c, v), x0 - 4, py(c, v) + 4, v);
    }
    double ts = c->x_plain ? storm_nice_step(c->t_max_s) : time_step(c->t_max_s);
    ts = ts < 1.0 ? 1.0 : ts;
    char label[32];
    long tticks = (long)floor(c->t_max_s / ts + 1e-9);
    for (long i = 0; i <= tticks; i++) {
        double t = (double)i * ts;
        if (c->x_plain) {
            (void)snprintf(label, sizeof label, "%g", t);
        } else {
            time_label(t, label, sizeof label);
        }
        fprintf(c->out, "<text class=\"tick\" x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%s</text>\n", px(c, t),
                y1 + 14, t > 0.0 ? label : "0");
    }
    fprintf(c->out, "<text class=\"label\" x=\"%.2f\" y=\"%.2f\">", x0, y0 - 6);
    storm_put_xml(c->out, y_label);
    fputs("</text>\n", c->out);
}

static void chart_begin(storm_chart *c, FILE *out, double width, double height, double t_max_s, double y_max,
                        const char *y_label, bool plain)
{
    assert(c != NULL && out != NULL && y_label != NULL);
    assert(width > 100.0 && height > 60.0);
    c->out = out;
    c->x_plain = plain;
    c->width = width;
    c->height = height;
    c->left = 52;
    c->right = 30;
    c->top = 20;
    c->bottom = 22;
    c->t_max_s = t_max_s > 0.0 ? t_max_s : 1.0;
    double step = storm_nice_step(y_max > 0.0 ? y_max : 1.0);
    c->y_max = ceil((y_max > 0.0 ? y_max : 1.0) / step) * step;
    fprintf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\">\n",
            width, height, width, height);
    axes(c, y_label);
}

void storm_chart_band(const storm_chart *c, double t0_s, double t1_s, const char *css_class, const char *title)
{
    t0_s = t0_s < 0.0 ? 0.0 : t0_s;
    t1_s = t1_s > c->t_max_s ? c->t_max_s : t1_s;
    if (t1_s <= t0_s) {
        return;
    }
    fprintf(c->out, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>", css_class,
            px(c, t0_s), c->top, px(c, t1_s) - px(c, t0_s), c->height - c->top - c->bottom);
    storm_put_xml(c->out, title);
    fputs("</title></rect>\n", c->out);
}

void storm_chart_marker(const storm_chart *c, double t_s, const char *title)
{
    if (t_s < 0.0 || t_s > c->t_max_s) {
        return;
    }
    fprintf(c->out, "<line class=\"marker\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"><title>", px(c, t_s),
            c->top, px(c, t_s), c->height - c->bottom);
    storm_put_xml(c->out, title);
    fputs("</title></line>\n", c->out);
}

void storm_chart_line(const storm_chart *c, const double *values, uint32_t count, double period_s, double scale,
                      const char *css_class, const char *title)
{
    assert(c != NULL && css_class != NULL);
    if (values == NULL || count == 0) {
        return;
    }
    uint32_t per = (count + STORM_SVG_POINTS_MAX - 1) / STORM_SVG_POINTS_MAX;
    fprintf(c->out, "<polyline class=\"%s\" points=\"", css_class);
    for (uint32_t i = 0; i < count; i += per) {
        double v = values[i];
        for (uint32_t k = i + 1; k < i + per && k < count; k++) {
            v = values[k] > v ? values[k] : v;
        }
        fprintf(c->out, "%.2f,%.2f ", px(c, (double)i * period_s), py(c, v * scale));
    }
    fputs("\"><title>", c->out);
    storm_put_xml(c->out, title);
    fputs("</title></polyline>\n", c->out);
}

void storm_chart_begin(storm_chart *c, FILE *out, double width, double height, double t_max_s, double y_max,
                       const char *y_label)
{
    chart_begin(c, out, width, height, t_max_s, y_max, y_label, false);
}

void storm_chart_begin_plain(storm_chart *c, FILE *out, double width, double height, double x_max, double y_max,
                             const char *y_label)
{
    chart_begin(c, out, width, height, x_max, y_max, y_label, true);
}

void storm_chart_xy(const storm_chart *c, const double *xs, const double *ys, uint32_t count, const char *css_class,
                    const char *title)
{
    assert(c != NULL && xs != NULL && ys != NULL);
    fprintf(c->out, "<polyline class=\"%s\" points=\"", css_class);
    for (uint32_t i = 0; i < count; i++) {
        fprintf(c->out, "%.2f,%.2f ", px(c, xs[i]), py(c, ys[i]));
    }
    fputs("\"><title>", c->out);
    storm_put_xml(c->out, title);
    fputs("</title></polyline>\n", c->out);
}

void storm_chart_end(const storm_chart *c)
{
    fputs("</svg>\n", c->out);
}

void storm_bars(FILE *out, const char *const *labels, const double *values, const char *const *css_classes,
                uint32_t count, const char *unit)
{
    assert(out != NULL && labels != NULL && values != NULL);
    double max = 0.0;
    for (uint32_t i = 0; i < count; i++) {
        max = isfinite(values[i]) && values[i] > max ? values[i] : max;
    }
    const double width = 640, label_w = 150, bar_h = 22;
    double height = (double)count * (bar_h + 6) + 8;
    fprintf(out, "<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\">\n", width,
            height);
    for (uint32_t i = 0; i < count; i++) {
        double y = 4 + (double)i * (bar_h + 6);
        double v = isfinite(values[i]) && values[i] > 0.0 ? values[i] : 0.0;
        double w = max > 0.0 ? v / max * (width - label_w - 120) : 0.0;
        fprintf(out, "<text class=\"tick\" x=\"%.0f\" y=\"%.2f\" text-anchor=\"end\">", label_w - 8, y + 15);
        storm_put_xml(out, labels[i]);
        fprintf(out, "</text><rect class=\"%s\" x=\"%.0f\" y=\"%.2f\" width=\"%.2f\" height=\"%.0f\"/>", css_classes[i],
                label_w, y, w < 1.0 ? 1.0 : w, bar_h);
        fprintf(out, "<text class=\"tick\" x=\"%.2f\" y=\"%.2f\">%.6g %s</text>\n", label_w + w + 6, y + 15,
                values[i], unit);
    }
    fputs("</svg>\n", out);
}

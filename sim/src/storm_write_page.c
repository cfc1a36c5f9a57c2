/*
 * storm_write_page.c - one page per storm: what happened, the verdict of
 * every expectation for every model, and timelines of the first seed's
 * run for every model on the SAME axes (connected clients, clients
 * without the truth, healthy workers, reconnect and refetch rates, server
 * closes, replay buffer depth, upstream requests), with the backbone's
 * down time and the fault spans shaded.  Healthz and app-proxy storms have
 * no timelines: they show their measurements as a table and bars.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/storm_svg.h"
#include "stormglass/parse.h"
#include "storm_html_internal.h"

#define CHART_W 980.0
#define CHART_H 170.0

typedef struct chart_def {
    const char *label;
    sim_series_id series;
    bool always;     /* drawn even when every model's line is flat zero (fleet storms) */
    bool cumulative; /* a per-period count drawn as a running total (sparse events) */
} chart_def;

static const chart_def charts[] = {
    {"connected clients", SIM_S_CONNECTED, true, false},
    {"clients without the truth", SIM_S_NOT_CONVERGED, false, false},
    {"workers answering healthy (200)", SIM_S_WORKERS_HEALTHY, false, false},
    {"workers reading the backbone", SIM_S_WORKERS_READING, false, false},
    {"client reconnects per second", SIM_S_RECONNECTS, false, false},
    {"refetches per second (source of truth)", SIM_S_REFETCHES, false, false},
    {"server-side closes per second", SIM_S_CLOSES, false, false},
    {"refetches waiting at the source of truth", SIM_S_REFETCH_QUEUE, false, false},
    {"replay buffer depth (items)", SIM_S_BUFFER_ITEMS, false, false},
    {"upstream requests (running total)", SIM_S_UPSTREAM_REQUESTS, false, true},
    {"upstream 429 answers (running total)", SIM_S_UPSTREAM_429, false, true},
    {"upstream token bucket level", SIM_S_UPSTREAM_BUCKET, false, false},
};

/* The values a chart draws for one run: the series, per second for a
 * per-period count, or its running total.  *scale multiplies the result. */
static const double *chart_values(const chart_def *d, const sim_result *r, double *buf, double *scale)
{
    const double *v = r->series[d->series];
    double period = (double)r->sample_period_ns / (double)SG_NS_PER_S;
    *scale = sim_series_per_period(d->series) && !d->cumulative && period > 0.0 ? 1.0 / period : 1.0;
    if (!d->cumulative || v == NULL) {
        return v;
    }
    double sum = 0.0;
    for (uint32_t i = 0; i < r->samples; i++) {
        sum += v[i];
        buf[i] = sum;
    }
    return buf;
}

static void page_header(FILE *out, const storm_report *r, const storm_entry *e)
{
    const storm *s = e->storm;
    storm_html_head(out, s->title);
    fputs("<p class=\"sub\"><a href=\"../index.html\">&larr; all storms</a></p>\n<h1>", out);
    storm_put_xml(out, s->title);
    fputs("</h1>\n<p class=\"sub\">", out);
    storm_put_xml(out, s->scenario.name);
    fputs(" &middot; <code>", out);
    storm_put_xml(out, e->path);
    fprintf(out, "</code> &middot; world %s", storm_world_name(storm_world_of(s)));
    if (s->source[0] != '\0') {
        fputs(" &middot; from ", out);
        storm_put_xml(out, s->source);
    }
    if (r->plan.seeds_given && r->plan.seed_last > r->plan.seed_first) {
        fprintf(out, " &middot; seeds %llu..%llu (timelines: seed %llu)", (unsigned long long)r->plan.seed_first,
                (unsigned long long)r->plan.seed_last, (unsigned long long)r->plan.seed_first);
    }
    fputs("</p>\n", out);
    const char *d = s->description;
    while (*d != '\0') {
        const char *nl = strchr(d, '\n');
        size_t n = nl != NULL ? (size_t)(nl - d) : strlen(d);
        char para[STORM_DESCRIPTION_MAX];
        memcpy(para, d, n);
        para[n] = '\0';
        fputs("<p>", out);
        storm_put_xml(out, para);
        fputs("</p>\n", out);
        d += n + (nl != NULL ? 1 : 0);
    }
}

static void verdict_table(FILE *out, const storm_entry *e)
{
    const storm *s = e->storm;
    fputs("<h2>Expectations</h2>\n<table><thead><tr><th>expectation</th><th>applies to</th>", out);
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        if (e->selected[m]) {
            fprintf(out, "<th><span class=\"key %s\"></span>", storm_model_class(s, (int)m));
            storm_put_xml(out, s->scenario.models[m]);
            fprintf(out, "<div class=\"sub\">%u/%u runs passed</div></th>",
                    e->models[m].runs - e->models[m].failed_runs - e->models[m].errors, e->models[m].runs);
        }
    }
    fputs("</tr></thead><tbody>\n", out);
    static const char *const who[] = {"core", "legacy", "named models", "all"};
    for (uint32_t i = 0; i < s->expect_count; i++) {
        const storm_expect *x = &s->expects[i];
        fputs(x->known_gap ? "<tr><td><span class=\"badge gap\">expect-fail</span> <code>" : "<tr><td><code>", out);
        storm_put_xml(out, x->text);
        fprintf(out, "</code><div class=\"sub\">line %u</div></td><td>%s</td>", x->loc.line, who[x->who]);
        for (uint32_t m = 0; m < s->scenario.model_count; m++) {
            if (!e->selected[m]) {
                continue;
            }
            const storm_outcome *o = &e->models[m].first;
            const storm_verdict *v = NULL;
            for (uint32_t k = 0; e->models[m].has_first && k < o->verdict_count; k++) {
                v = o->verdicts[k].expect == i ? &o->verdicts[k] : v;
            }
            if (v == NULL) {
                fputs("<td class=\"sub\">&ndash;</td>", out);
            } else if (x->known_gap && v->passed) {
                fprintf(out, "<td class=\"num\"><span class=\"gap\">known gap</span> %.6g</td>", v->measured);
            } else {
                fprintf(out, "<td class=\"num\"><span class=\"%s\">%s</span> %.6g</td>", v->passed ? "ok" : "bad",
                        v->passed ? "&#10003;" : "&#10007;", v->measured);
            }
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static void legend(FILE *out, const storm_entry *e)
{
    const storm *s = e->storm;
    fputs("<p class=\"sub\">", out);
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        if (e->selected[m] && e->models[m].has_first) {
            fprintf(out, "<span class=\"key %s\"></span>", storm_model_class(s, (int)m));
            storm_put_xml(out, s->scenario.models[m]);
        }
    }
    fputs("<span class=\"key down\"></span>backbone down<span class=\"key fault\"></span>fault acting</p>\n", out);
}

static double series_max(const storm_entry *e, const chart_def *d, double *buf, double *t_max)
{
    double max = 0.0;
    for (uint32_t m = 0; m < e->storm->scenario.model_count; m++) {
        const sim_result *r = &e->models[m].first.result;
        if (!e->selected[m] || !e->models[m].has_first || r->series[d->series] == NULL) {
            continue;
        }
        double scale = 1.0;
        const double *v = chart_values(d, r, buf, &scale);
        double end = (double)r->samples * (double)r->sample_period_ns / (double)SG_NS_PER_S;
        *t_max = end > *t_max ? end : *t_max;
        for (uint32_t i = 0; i < r->samples; i++) {
            max = v[i] * scale > max ? v[i] * scale : max;
        }
    }
    return max;
}

/* Shades the time the backbone was down (from the first run that sampled it)
 * and every fault's span. */
static void shade(const storm_chart *c, const storm_entry *e)
{
    for (uint32_t m = 0; m < e->storm->scenario.model_count; m++) {
        const sim_result *r = &e->models[m].first.result;
        const double *up = r->series[SIM_S_BACKBONE_UP];
        if (!e->selected[m] || !e->models[m].has_first || up == NULL) {
            continue;
        }
        double period = (double)r->sample_period_ns / (double)SG_NS_PER_S;
        for (uint32_t i = 0; i < r->samples; i++) {
            uint32_t j = i;
            while (j < r->samples && up[j] < 0.5) {
                j++;
            }
            if (j > i) {
                storm_chart_band(c, (double)i * period, (double)j * period, "down", "backbone down");
                i = j;
            }
        }
        break;
    }
    const sim_scenario *sc = &e->storm->scenario;
    for (uint32_t f = 0; f < sc->fault_count; f++) {
        const sim_fault *fault = &sc->faults[f];
        sg_time_ns end = sim_fault_end(fault);
        double t0 = (double)fault->at / (double)SG_NS_PER_S;
        double t1 = end == SG_TIME_NEVER ? c->t_max_s : (double)end / (double)SG_NS_PER_S;
        if (t1 > t0) {
            storm_chart_band(c, t0, t1, "fault", sim_fault_kind_name(fault->kind));
        } else {
            storm_chart_marker(c, t0, sim_fault_kind_name(fault->kind));
        }
    }
}

static void timelines(FILE *out, const storm_entry *e)
{
    fputs("<h2>Timelines (first seed, every model on the same axes)</h2>\n", out);
    legend(out, e);
    const storm *s = e->storm;
    static double buf[SIM_SERIES_POINTS_MAX]; /* running totals; one chart at a time */
    bool fleet = s->scenario.topology.workers > 0;
    for (size_t k = 0; k < sizeof charts / sizeof charts[0]; k++) {
        double t_max = (double)s->scenario.duration_ns / (double)SG_NS_PER_S;
        double max = series_max(e, &charts[k], buf, &t_max);
        if (!(max > 0.0) && !(charts[k].always && fleet)) {
            continue;
        }
        storm_chart c;
        storm_chart_begin(&c, out, CHART_W, CHART_H, t_max, max, charts[k].label);
        shade(&c, e);
        for (uint32_t m = 0; m < s->scenario.model_count; m++) {
            const sim_result *r = &e->models[m].first.result;
            if (e->selected[m] && e->models[m].has_first && r->series[charts[k].series] != NULL) {
                double scale = 1.0;
                const double *v = chart_values(&charts[k], r, buf, &scale);
                storm_chart_line(&c, v, r->samples, (double)r->sample_period_ns / (double)SG_NS_PER_S, scale,
                                 storm_model_class(s, (int)m), s->scenario.models[m]);
            }
        }
        storm_chart_end(&c);
    }
}

/* Healthz and app-proxy runs have no timelines: their metrics, and the
 * one that tells the story as bars. */
static void measurements(FILE *out, const storm_entry *e)
{
    const storm *s = e->storm;
    static const sim_metric_id healthz[] = {SIM_M_NOTIFY_LATENCY_MAX_S, SIM_M_SLOW_WATCHER_LATENCY_S,
                                            SIM_M_WATCHERS_UNREACHED, SIM_M_TERMINAL_LOST, SIM_M_SENDER_CRASHES,
                                            SIM_M_DELIVERIES_TO_GONE, SIM_M_BROADCAST_CALLBACKS};
    static const sim_metric_id appproxy[] = {SIM_M_INTERLEAVINGS, SIM_M_RESURRECTED_KEYS, SIM_M_STALE_FINAL_KEYS};
    bool hz = storm_world_of(s) == STORM_WORLD_HEALTHZ;
    const sim_metric_id *ids = hz ? healthz : appproxy;
    size_t count = hz ? sizeof healthz / sizeof healthz[0] : sizeof appproxy / sizeof appproxy[0];
    fputs("<h2>Measurements (first seed)</h2>\n<table><thead><tr><th>metric</th>", out);
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        if (e->selected[m] && e->models[m].has_first) {
            fprintf(out, "<th><span class=\"key %s\"></span>", storm_model_class(s, (int)m));
            storm_put_xml(out, s->scenario.models[m]);
            fputs("</th>", out);
        }
    }
    fputs("</tr></thead><tbody>\n", out);
    for (size_t k = 0; k < count; k++) {
        fprintf(out, "<tr><td><code>%s</code><div class=\"sub\">%s</div></td>", sim_metric_name(ids[k]),
                sim_metric_description(ids[k]));
        for (uint32_t m = 0; m < s->scenario.model_count; m++) {
            if (e->selected[m] && e->models[m].has_first) {
                fprintf(out, "<td class=\"num\">%.6g</td>", e->models[m].first.result.metrics[ids[k]]);
            }
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    const char *labels[SIM_MODELS_MAX];
    const char *classes[SIM_MODELS_MAX];
    double bars[SIM_MODELS_MAX];
    uint32_t n = 0;
    sim_metric_id key = hz ? SIM_M_NOTIFY_LATENCY_MAX_S : SIM_M_RESURRECTED_KEYS;
    for (uint32_t m = 0; m < s->scenario.model_count && n < SIM_MODELS_MAX; m++) {
        if (e->selected[m] && e->models[m].has_first) {
            labels[n] = s->scenario.models[m];
            classes[n] = storm_model_class(s, (int)m);
            bars[n++] = e->models[m].first.result.metrics[key];
        }
    }
    fprintf(out, "<h2>%s</h2>\n", sim_metric_description(key));
    storm_bars(out, labels, bars, classes, n, hz ? "s" : "interleavings");
}

static void failures(FILE *out, const storm_entry *e)
{
    const storm *s = e->storm;
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        const storm_model_summary *ms = &e->models[m];
        if (!e->selected[m] || !ms->has_failure) {
            continue;
        }
        fputs("<h2>Failures: ", out);
        storm_put_xml(out, s->scenario.models[m]);
        fprintf(out, "</h2>\n<p>%u of %u runs failed; seeds:", ms->failed_runs + ms->errors, ms->runs);
        for (uint32_t i = 0; i < ms->failing_kept; i++) {
            fprintf(out, " %llu", (unsigned long long)ms->failing_seeds[i]);
        }
        fputs("</p>\n<pre>", out);
        char line[STORM_PATH_MAX + 128];
        if (ms->failure.status != SG_OK) {
            storm_put_xml(out, ms->failure.error);
            fputc('\n', out);
        }
        for (uint32_t i = 0; i < ms->failure.verdict_count; i++) {
            if (!ms->failure.verdicts[i].passed) {
                storm_verdict_text(s, &ms->failure.verdicts[i], line, sizeof line);
                storm_put_xml(out, line);
                fputc('\n', out);
            }
        }
        storm_replay_command(e, (int)m, ms->failure.seed, line, sizeof line);
        fputs("replay: ", out);
        storm_put_xml(out, line);
        fputs("</pre>\n", out);
    }
}

static void violations(FILE *out, const storm_entry *e)
{
    const storm *s = e->storm;
    bool header = false;
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        const sim_result *r = &e->models[m].first.result;
        for (uint32_t i = 0; e->selected[m] && e->models[m].has_first && i < r->violations_kept && i < 6; i++) {
            if (!header) {
                fputs("<h2>First oracle violations (first seed)</h2>\n<table><thead><tr><th>model</th><th>time</th>"
                      "<th>oracle</th><th>what happened</th></tr></thead><tbody>\n",
                      out);
                header = true;
            }
            const sim_violation *v = &r->violations[i];
            char t[32];
            sg_format_duration(v->at, t, sizeof t);
            fputs("<tr><td>", out);
            storm_put_xml(out, s->scenario.models[m]);
            fprintf(out, "</td><td class=\"num\">%s</td><td>%s</td><td>", t, sim_oracle_name(v->oracle));
            storm_put_xml(out, v->event);
            fputs("</td></tr>\n", out);
        }
    }
    if (header) {
        fputs("</tbody></table>\n", out);
    }
}

sg_status storm_write_page(const storm_report *r, const storm_entry *e, const char *path, sg_error *err)
{
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        return sg_error_set(err, SG_E_INVALID, "%s: %s", path, strerror(errno));
    }
    page_header(out, r, e);
    verdict_table(out, e);
    storm_world w = storm_world_of(e->storm);
    if (w == STORM_WORLD_HEALTHZ || w == STORM_WORLD_APPPROXY) {
        measurements(out, e);
    } else {
        timelines(out, e);
    }
    violations(out, e);
    failures(out, e);
    storm_html_tail(out);
    return fclose(out) == 0 ? SG_OK : sg_error_set(err, SG_E_INVALID, "%s: write failed", path);
}

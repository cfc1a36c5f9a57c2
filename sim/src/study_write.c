/*
 * study_write.c - the contention study's outputs: a CSV for scripts, a
 * markdown table for the README, and an HTML page with the table and two
 * SVG plots (total calls and completion time against the number of
 * clients, one line per policy), in the style of the storm reports.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/storm_svg.h"
#include "sim/study.h"
#include "storm_html_internal.h"

static const char *const line_class[STUDY_POLICIES] = {"legacy0", "legacy1", "legacy2", "core", "legacy3"};

static void write_csv(FILE *out, const study_contention_table *t)
{
    fputs("policy,clients,mean_calls,mean_completion_ms,runs\n", out);
    for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
        for (uint32_t k = 0; k < t->points; k++) {
            fprintf(out, "%s,%u,%.1f,%.1f,%u\n", sg_backoff_policy_name(t->policy[p]), t->clients[k], t->calls[p][k],
                    t->completion_ms[p][k], t->runs);
        }
    }
}

void study_contention_print(FILE *out, const study_contention_table *t)
{
    fputs("| clients |", out);
    for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
        fprintf(out, " %s calls | %s ms |", sg_backoff_policy_name(t->policy[p]), sg_backoff_policy_name(t->policy[p]));
    }
    fputs("\n|---:|", out);
    for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
        fputs("---:|---:|", out);
    }
    fputc('\n', out);
    for (uint32_t k = 0; k < t->points; k++) {
        fprintf(out, "| %u |", t->clients[k]);
        for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
            fprintf(out, " %.0f | %.0f |", t->calls[p][k], t->completion_ms[p][k]);
        }
        fputc('\n', out);
    }
}

static void plot(FILE *out, const study_contention_table *t, const double (*values)[STUDY_POINTS_MAX], const char *label)
{
    assert(t->points > 0 && t->points <= STUDY_POINTS_MAX);
    double xs[STUDY_POINTS_MAX] = {0}, max = 0.0;
    for (uint32_t k = 0; k < t->points; k++) {
        xs[k] = t->clients[k];
        for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
            max = values[p][k] > max ? values[p][k] : max;
        }
    }
    storm_chart c;
    storm_chart_begin_plain(&c, out, 760, 300, (double)t->clients[t->points - 1], max, label);
    for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
        storm_chart_xy(&c, xs, values[p], t->points, line_class[p], sg_backoff_policy_name(t->policy[p]));
    }
    storm_chart_end(&c);
}

static void write_html(FILE *out, const study_contention_table *t)
{
    storm_html_head(out, "stormglass: backoff under contention");
    fputs("<p class=\"sub\"><a href=\"../index.html\">&larr; all storms</a></p>\n"
          "<h1>Backoff under contention (a study)</h1>\n"
          "<p>N clients race optimistic-concurrency writes to one row (a conditional write: set if the version "
          "is still the one I saw).  The network takes 10 ms &plusmn; 1 ms each way; a loser learns the current "
          "version from the answer, waits its backoff (base 5 ms, cap 2 s) and tries again.  Each cell is the "
          "mean of ",
          out);
    fprintf(out, "%u runs (seeds 1..%u).  Total calls is the load the row sees; completion is when the last "
                 "client is done.  The backoff policies are the core's (<code>backoff.h</code>).</p>\n<p>",
            t->runs, t->runs);
    for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
        fprintf(out, "<span class=\"key %s\"></span>%s", line_class[p], sg_backoff_policy_name(t->policy[p]));
    }
    fputs("</p>\n", out);
    plot(out, t, (const double (*)[STUDY_POINTS_MAX])t->calls, "total calls (mean)");
    plot(out, t, (const double (*)[STUDY_POINTS_MAX])t->completion_ms, "completion time, ms (mean)");
    fputs("<table><thead><tr><th rowspan=\"2\">clients</th>", out);
    for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
        fprintf(out, "<th colspan=\"2\">%s</th>", sg_backoff_policy_name(t->policy[p]));
    }
    fputs("</tr><tr>", out);
    for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
        fputs("<th>calls</th><th>ms</th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
    for (uint32_t k = 0; k < t->points; k++) {
        fprintf(out, "<tr><td class=\"num\">%u</td>", t->clients[k]);
        for (uint32_t p = 0; p < STUDY_POLICIES; p++) {
            fprintf(out, "<td class=\"num\">%.0f</td><td class=\"num\">%.0f</td>", t->calls[p][k],
                    t->completion_ms[p][k]);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    storm_html_tail(out);
}

typedef void (*writer_fn)(FILE *out, const study_contention_table *t);

static sg_status write_file(const char *dir, const char *name, writer_fn fn, const study_contention_table *t,
                            sg_error *err)
{
    char path[512];
    (void)snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *out = fopen(path, "w");
    if (out == NULL) {
        return sg_error_set(err, SG_E_INVALID, "%s: %s", path, strerror(errno));
    }
    fn(out, t);
    return fclose(out) == 0 ? SG_OK : sg_error_set(err, SG_E_INVALID, "%s: write failed", path);
}

sg_status study_contention_write(const study_contention_table *t, const char *dir, FILE *table_out, sg_error *err)
{
    assert(t != NULL && dir != NULL);
    assert(t->points > 0);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        return sg_error_set(err, SG_E_INVALID, "%s: %s", dir, strerror(errno));
    }
    sg_status st = write_file(dir, "contention.csv", write_csv, t, err);
    if (st == SG_OK) {
        st = write_file(dir, "contention.md", study_contention_print, t, err);
    }
    if (st == SG_OK) {
        st = write_file(dir, "contention.html", write_html, t, err);
    }
    if (st == SG_OK && table_out != NULL) {
        study_contention_print(table_out, t);
    }
    return st;
}

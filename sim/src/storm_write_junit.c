/*
 * storm_write_junit.c - JUnit XML for CI: one <testsuite> per storm, one
 * <testcase> per model that ran, a <failure> listing what did not hold
 * (with the seed and the command that replays it) or an <error> when a
 * run did not complete.  A storm file that failed to parse is a suite
 * with one errored "parse" case, so CI shows the file:line:column.
 */
#include <assert.h>
#include <stdio.h>

#include "sim/storm_write.h"

static void seeds_text(const storm_report *r, const storm *s, char *buf, size_t size)
{
    uint64_t first = r->plan.seeds_given ? r->plan.seed_first : s->scenario.seed;
    uint64_t last = r->plan.seeds_given ? r->plan.seed_last : s->scenario.seed;
    if (first == last) {
        (void)snprintf(buf, size, "seed %llu", (unsigned long long)first);
    } else {
        (void)snprintf(buf, size, "seeds %llu..%llu", (unsigned long long)first, (unsigned long long)last);
    }
}

static void failure_body(FILE *out, const storm_entry *e, int model, const storm_model_summary *m)
{
    const storm_outcome *f = &m->failure;
    char line[STORM_EXPECT_TEXT_MAX + 64];
    char replay[STORM_PATH_MAX + 96];
    if (f->status != SG_OK) {
        fprintf(out, "seed %llu: ", (unsigned long long)f->seed);
        storm_put_xml(out, f->error);
        fputc('\n', out);
    }
    for (uint32_t i = 0; i < f->verdict_count; i++) {
        if (!f->verdicts[i].passed) {
            storm_verdict_text(e->storm, &f->verdicts[i], line, sizeof line);
            fprintf(out, "seed %llu: ", (unsigned long long)f->seed);
            storm_put_xml(out, line);
            fputc('\n', out);
        }
    }
    fputs("failing seeds:", out);
    for (uint32_t i = 0; i < m->failing_kept; i++) {
        fprintf(out, " %llu", (unsigned long long)m->failing_seeds[i]);
    }
    fputs(m->failing_kept < m->failed_runs + m->errors ? " ...\n" : "\n", out);
    storm_replay_command(e, model, f->seed, replay, sizeof replay);
    fputs("replay: ", out);
    storm_put_xml(out, replay);
    fputc('\n', out);
}

static void write_case(FILE *out, const storm_report *r, const storm_entry *e, int model)
{
    const storm *s = e->storm;
    const storm_model_summary *m = &e->models[model];
    char seeds[64];
    seeds_text(r, s, seeds, sizeof seeds);
    fputs("    <testcase classname=\"storms.", out);
    storm_put_xml(out, s->scenario.name);
    fputs("\" name=\"", out);
    storm_put_xml(out, s->scenario.models[model]);
    fprintf(out, " (%s)\" time=\"%.3f\">\n", seeds, m->wall_s);
    if (m->errors > 0 || m->failed_runs > 0) {
        const char *tag = m->failed_runs > 0 ? "failure" : "error";
        fprintf(out, "      <%s type=\"%s\" message=\"%u of %u runs failed\">", tag,
                m->failed_runs > 0 ? "expectation" : "run", m->failed_runs + m->errors, m->runs);
        failure_body(out, e, model, m);
        fprintf(out, "</%s>\n", tag);
    }
    fputs("    </testcase>\n", out);
}

static void write_parse_error(FILE *out, const storm_entry *e)
{
    char msg[STORM_ERROR_MSG_MAX + STORM_PATH_MAX + 32];
    storm_error_format(&e->parse_error, msg, sizeof msg);
    fputs("  <testsuite name=\"", out);
    storm_put_xml(out, e->path);
    fputs("\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase classname=\"storms\" name=\"parse ", out);
    storm_put_xml(out, e->path);
    fputs("\">\n      <error type=\"parse\" message=\"", out);
    storm_put_xml(out, msg);
    fputs("\"/>\n    </testcase>\n  </testsuite>\n", out);
}

static void write_suite(FILE *out, const storm_report *r, const storm_entry *e)
{
    const storm *s = e->storm;
    uint32_t tests = 0, failures = 0, errors = 0;
    double time_s = 0.0;
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        const storm_model_summary *ms = &e->models[m];
        if (e->selected[m]) {
            tests++;
            failures += ms->failed_runs > 0 ? 1u : 0u;
            errors += ms->failed_runs == 0 && ms->errors > 0 ? 1u : 0u;
            time_s += ms->wall_s;
        }
    }
    fputs("  <testsuite name=\"", out);
    storm_put_xml(out, s->scenario.name);
    fprintf(out, "\" tests=\"%u\" failures=\"%u\" errors=\"%u\" time=\"%.3f\">\n", tests, failures, errors, time_s);
    fputs("    <properties>\n      <property name=\"file\" value=\"", out);
    storm_put_xml(out, e->path);
    fputs("\"/>\n      <property name=\"title\" value=\"", out);
    storm_put_xml(out, s->title);
    fputs("\"/>\n    </properties>\n", out);
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        if (e->selected[m]) {
            write_case(out, r, e, (int)m);
        }
    }
    fputs("  </testsuite>\n", out);
}

sg_status storm_write_junit(const storm_report *r, FILE *out)
{
    assert(r != NULL && out != NULL);
    uint32_t tests = 0, failures = 0, errors = 0;
    for (uint32_t i = 0; i < r->count; i++) {
        const storm_entry *e = &r->entries[i];
        if (e->storm == NULL) {
            tests++;
            errors++;
            continue;
        }
        for (uint32_t m = 0; m < e->storm->scenario.model_count; m++) {
            tests += e->selected[m] ? 1u : 0u;
            failures += e->selected[m] && e->models[m].failed_runs > 0 ? 1u : 0u;
            errors += e->selected[m] && e->models[m].failed_runs == 0 && e->models[m].errors > 0 ? 1u : 0u;
        }
    }
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"stormglass storms\" tests=\"%u\" failures=\"%u\" errors=\"%u\" time=\"%.3f\">\n",
            tests, failures, errors, r->wall_s);
    for (uint32_t i = 0; i < r->count; i++) {
        if (r->entries[i].storm == NULL) {
            write_parse_error(out, &r->entries[i]);
        } else {
            write_suite(out, r, &r->entries[i]);
        }
    }
    fputs("</testsuites>\n", out);
    return ferror(out) ? SG_E_INVALID : SG_OK;
}

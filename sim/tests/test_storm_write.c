/*
 * test_storm_write.c - the report writers produce well-formed JUnit XML
 * and JSON (checked by small validators here, no external tools), escape
 * what storm files contain, report failures with the replay command, and
 * write self-contained HTML pages with SVG timelines.
 */
#include <ctype.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/storm_run.h"
#include "sim/storm_svg.h"
#include "sim/storm_write.h"
#include "storm_fixture.h"

/* ---- a tiny XML well-formedness checker ------------------------------- */

#define XML_DEPTH_MAX 32

static bool xml_entity_ok(const char *p)
{
    static const char *const ok[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (strncmp(p, ok[i], strlen(ok[i])) == 0) {
            return true;
        }
    }
    return false;
}

/* Attributes of a tag body [p, end): name="value" with no raw < or &. */
static bool xml_attrs_ok(const char *p, const char *end)
{
    while (p < end) {
        while (p < end && isspace((unsigned char)*p)) {
            p++;
        }
        if (p >= end || *p == '/' || *p == '?') {
            return true;
        }
        while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == ':')) {
            p++;
        }
        if (p + 1 >= end || p[0] != '=' || p[1] != '"') {
            return false;
        }
        for (p += 2; p < end && *p != '"'; p++) {
            if (*p == '<' || (*p == '&' && !xml_entity_ok(p))) {
                return false;
            }
        }
        p++;
    }
    return true;
}

static bool xml_well_formed(const char *doc)
{
    char stack[XML_DEPTH_MAX][64];
    int depth = 0;
    bool root_seen = false;
    for (const char *p = doc; *p != '\0'; p++) {
        if (*p == '&' && !xml_entity_ok(p)) {
            return false;
        }
        if (*p != '<') {
            continue;
        }
        const char *end = strchr(p, '>');
        if (end == NULL) {
            return false;
        }
        bool closing = p[1] == '/', decl = p[1] == '?', empty = end[-1] == '/';
        const char *name = p + (closing ? 2 : 1);
        size_t n = strcspn(name, " \t\n/>");
        if (!decl && (n == 0 || n >= 64 || !xml_attrs_ok(name + n, end))) {
            return false;
        }
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], name, n) != 0 || stack[depth - 1][n] != '\0') {
                return false;
            }
            depth--;
        } else if (!decl && !empty) {
            if (depth == XML_DEPTH_MAX || (depth == 0 && root_seen)) {
                return false;
            }
            memcpy(stack[depth], name, n);
            stack[depth++][n] = '\0';
            root_seen = true;
        }
        p = end;
    }
    return depth == 0 && root_seen;
}

/* ---- a tiny JSON validator ---------------------------------------------- */

static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
        p++;
    }
    return p;
}

static const char *json_string(const char *p)
{
    if (*p != '"') {
        return NULL;
    }
    for (p++; *p != '"'; p++) {
        if ((unsigned char)*p < 0x20) {
            return NULL;
        }
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (!isxdigit((unsigned char)p[i])) {
                        return NULL;
                    }
                }
                p += 4;
            } else if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0') {
                return NULL;
            }
        }
    }
    return p + 1;
}

static const char *json_container(const char *p, int depth, char close, bool object)
{
    p = json_ws(p + 1);
    if (*p == close) {
        return p + 1;
    }
    for (;;) {
        if (object) {
            p = json_string(json_ws(p));
            p = p != NULL ? json_ws(p) : NULL;
            if (p == NULL || *p != ':') {
                return NULL;
            }
            p++;
        }
        p = json_value(p, depth + 1);
        if (p == NULL) {
            return NULL;
        }
        p = json_ws(p);
        if (*p == close) {
            return p + 1;
        }
        if (*p != ',') {
            return NULL;
        }
        p++;
    }
}

static const char *json_value(const char *p, int depth)
{
    p = json_ws(p);
    if (depth > 64) {
        return NULL;
    }
    if (*p == '{') {
        return json_container(p, depth, '}', true);
    }
    if (*p == '[') {
        return json_container(p, depth, ']', false);
    }
    if (*p == '"') {
        return json_string(p);
    }
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        if (strncmp(p, words[i], strlen(words[i])) == 0) {
            return p + strlen(words[i]);
        }
    }
    char *end = NULL;
    (void)strtod(p, &end);
    return end != p && *p != '+' && *p != '.' ? end : NULL;
}

static bool json_valid(const char *doc)
{
    const char *end = json_value(doc, 0);
    return end != NULL && *json_ws(end) == '\0';
}

/* ---- a report to write ---------------------------------------------------- */

static sg_status fake_exec(void *ctx, const storm *s, int model, uint64_t seed, bool keep_series,
                           const storm_plan *plan, storm_outcome *out)
{
    (void)ctx;
    (void)plan;
    sim_result *r = &out->result;
    r->end_ns = S(120);
    bool core = storm_model_is_core(s->scenario.models[model]);
    r->metrics[SIM_M_CLIENTS_DROPPED] = core ? 0.0 : 40.0;
    r->metrics[SIM_M_SPURIOUS_DROPS] = core && seed == 2 ? 3.0 : 0.0; /* a planted failure */
    r->metrics[SIM_M_CONVERGENCE_TIME_S] = core ? 4.0 : -1.0;
    if (!core) {
        r->violations_kept = 1;
        r->violations[0] = (sim_violation){SIM_ORACLE_SPURIOUS_DROP, S(31), 0, 7, "client 7 dropped <spurious>"};
    }
    if (keep_series) {
        r->samples = 120;
        r->sample_period_ns = S(1);
        for (int k = 0; k < 2; k++) {
            sim_series_id id = k == 0 ? SIM_S_CONNECTED : SIM_S_BACKBONE_UP;
            r->series[id] = calloc(120, sizeof(double));
            if (r->series[id] == NULL) {
                return SG_E_NOMEM;
            }
            for (int i = 0; i < 120; i++) {
                bool down = i >= 30 && i < 50;
                r->series[id][i] = k == 1 ? (down ? 0.0 : 1.0) : (down && !core ? 0.0 : 20.0);
            }
        }
    }
    return SG_OK;
}

static storm_report *written_report(uint64_t seed_last)
{
    static storm s;
    memfs fs = {0};
    char msg[256];
    assert_int_equal(parse_with(&fs, "scenarios/esc.storm",
                                "title A <storm> & \"quotes\" 'too'\nname esc\nmodels core stock\nduration 2m\n"
                                "description Line one & <b>not bold</b>.\n"
                                "fault at=30s kind=backbone-down duration=20s\n"
                                "expect core: spurious_drops == 0, converged >= 0\n"
                                "expect legacy: clients_dropped > 0\n",
                                &s, msg, sizeof msg),
                     SG_OK);
    storm_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    storm_report_init(r);
    assert_int_equal(storm_report_add_storm(r, "scenarios/esc.storm", &s), SG_OK);
    assert_int_equal(storm_report_add_file(r, "/nonexistent/broken.storm"), SG_OK); /* a parse error entry */
    storm_plan plan = storm_plan_default();
    plan.seeds_given = true;
    plan.seed_first = 1;
    plan.seed_last = seed_last;
    sg_error err = {{0}};
    assert_int_equal(storm_report_run(r, &plan, fake_exec, NULL, NULL, NULL, &err), SG_OK);
    return r;
}

static char *capture(sg_status (*writer)(const storm_report *, FILE *), const storm_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(writer(r, out), SG_OK);
    assert_int_equal(fclose(out), 0);
    return buf;
}

static void validators_reject_broken_documents(void **state)
{
    (void)state; /* negative controls: the checkers below can fail */
    assert_true(xml_well_formed("<a x=\"1\"><b/>t &amp; u</a>"));
    assert_false(xml_well_formed("<a><b></a></b>"));
    assert_false(xml_well_formed("<a>x & y</a>"));
    assert_false(xml_well_formed("<a t=\"<\"></a>"));
    assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"x\\n\"]}"));
    assert_false(json_valid("{\"a\": [1, 2,]}"));
    assert_false(json_valid("{\"a\": \"tab\there\"}"));
}

static void junit_is_well_formed_and_names_failures(void **state)
{
    (void)state;
    storm_report *r = written_report(3);
    char *xml = capture(storm_write_junit, r);
    assert_true(xml_well_formed(xml));
    assert_non_null(strstr(xml, "tests=\"3\" failures=\"1\" errors=\"1\"")); /* core failed, one parse error */
    assert_non_null(strstr(xml, "name=\"core (seeds 1..3)\""));
    assert_non_null(strstr(xml, "seed 2: spurious_drops == 0: measured 3"));
    assert_non_null(strstr(xml, "replay: stormglass run scenarios/esc.storm --model core --seed 2"));
    assert_non_null(strstr(xml, "A &lt;storm&gt; &amp; &quot;quotes&quot; &#39;too&#39;"));
    assert_non_null(strstr(xml, "/nonexistent/broken.storm"));
    free(xml);
    storm_report_free(r);
    free(r);
}

static void json_is_valid_and_complete(void **state)
{
    (void)state;
    storm_report *r = written_report(3);
    char *json = capture(storm_write_json, r);
    assert_true(json_valid(json));
    assert_non_null(strstr(json, "\"failing_seeds\": [2]"));
    assert_non_null(strstr(json, "\"spurious_drops\": 0"));
    assert_non_null(strstr(json, "\"title\": \"A <storm> & \\\"quotes\\\" 'too'\""));
    assert_non_null(strstr(json, "\"parse_error\": \"/nonexistent/broken.storm"));
    assert_non_null(strstr(json, "\"passed\": false"));
    free(json);
    storm_report_free(r);
    free(r);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    (void)fclose(f);
    return buf;
}

static void html_pages_are_self_contained(void **state)
{
    (void)state;
    storm_report *r = written_report(1);
    char dir[] = "/tmp/storm-html-XXXXXX";
    assert_non_null(mkdtemp(dir));
    sg_error err = {{0}};
    assert_int_equal(storm_write_html(r, dir, &err), SG_OK);
    char path[128];
    (void)snprintf(path, sizeof path, "%s/index.html", dir);
    const char *index = slurp(path);
    assert_non_null(strstr(index, "href=\"storms/esc.html\""));
    assert_non_null(strstr(index, "A &lt;storm&gt;"));
    assert_non_null(strstr(index, "INVALID"));
    assert_non_null(strstr(index, "never")); /* legacy never converged */
    assert_null(strstr(index, "<script"));
    (void)snprintf(path, sizeof path, "%s/storms/esc.html", dir);
    const char *page = slurp(path);
    assert_non_null(strstr(page, "<svg class=\"chart\""));
    assert_non_null(strstr(page, "<polyline class=\"core\""));
    assert_non_null(strstr(page, "<polyline class=\"legacy0\""));
    assert_non_null(strstr(page, "class=\"down\""));           /* backbone down band */
    assert_non_null(strstr(page, "&lt;b&gt;not bold&lt;/b&gt;")); /* description escaped */
    assert_non_null(strstr(page, "client 7 dropped &lt;spurious&gt;"));
    assert_null(strstr(page, "<script"));
    for (const char *u = strstr(page, "http"); u != NULL; u = strstr(u + 1, "http")) {
        assert_int_equal(strncmp(u, "http://www.w3.org/2000/svg", 26), 0); /* no external resources */
    }
    (void)unlink(path);
    (void)snprintf(path, sizeof path, "%s/index.html", dir);
    (void)unlink(path);
    (void)snprintf(path, sizeof path, "%s/storms", dir);
    (void)rmdir(path);
    (void)rmdir(dir);
    storm_report_free(r);
    free(r);
}

static void svg_scale_steps(void **state)
{
    (void)state;
    assert_true(storm_nice_step(100.0) > 19.9 && storm_nice_step(100.0) < 20.1);
    assert_true(storm_nice_step(7.0) > 1.9 && storm_nice_step(7.0) < 2.1);
    assert_true(storm_nice_step(0.0) > 0.9);
    assert_true(storm_nice_step(3000.0) > 499.0 && storm_nice_step(3000.0) < 1001.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(validators_reject_broken_documents),
        cmocka_unit_test(junit_is_well_formed_and_names_failures),
        cmocka_unit_test(json_is_valid_and_complete),
        cmocka_unit_test(html_pages_are_self_contained),
        cmocka_unit_test(svg_scale_steps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

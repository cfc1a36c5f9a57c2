/*
 * test_catalogue.c - the incident catalogue end to end: every file under
 * scenarios/ parses (through the real `stormglass check`), every storm
 * judges the core and at least one legacy model, and a short seed sweep
 * (seeds 1..10, forked runs) passes in both modes.  The full sweep is
 * `make storms-sweep`.  Run from the repository root (ci/run-tests does).
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/storm_collect.h"
#include "sim/storm_run.h"
#include "storm_fixture.h"

#define CATALOGUE_DIR "scenarios"
#define CI_SEEDS 10u

static char tool[512];

/* The stormglass binary of this build: tests live in BUILD/tests/sim/. */
static void find_tool(const char *argv0)
{
    char copy[512];
    (void)snprintf(copy, sizeof copy, "%s", argv0);
    (void)snprintf(tool, sizeof tool, "%s/../../stormglass", dirname(copy));
}

static void check_verb_accepts_the_catalogue(void **state)
{
    (void)state;
    char cmd[600];
    (void)snprintf(cmd, sizeof cmd, "%s check " CATALOGUE_DIR " 2>&1", tool);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[1024];
    bool summary = false;
    while (fgets(line, sizeof line, p) != NULL) {
        summary = summary || strstr(line, "check: ") != NULL;
        if (strncmp(line, "ok ", 3) != 0 && strncmp(line, "check: ", 7) != 0) {
            print_message("%s", line);
        }
    }
    assert_int_equal(pclose(p), 0);
    assert_true(summary);
}

static void every_storm_has_a_negative_control(void **state)
{
    (void)state;
    storm_file_list files;
    storm_file_list_init(&files);
    sg_error err = {{0}};
    assert_int_equal(storm_collect(&files, CATALOGUE_DIR, &err), SG_OK);
    assert_true(files.count >= 20);
    storm *s = malloc(sizeof *s);
    assert_non_null(s);
    uint32_t storms = 0;
    for (uint32_t i = 0; i < files.count; i++) {
        storm_error perr;
        assert_int_equal(storm_parse_file(files.paths[i], s, &perr), SG_OK);
        if (s->fragment) {
            continue;
        }
        storms++;
        bool core = storm_model_index(s, "core") >= 0, legacy = false;
        for (uint32_t m = 0; m < s->scenario.model_count; m++) {
            legacy = legacy || !storm_model_is_core(s->scenario.models[m]);
        }
        if (!core || !legacy || s->source[0] == '\0' || s->description[0] == '\0') {
            print_message("%s: needs core, a legacy model, a source and a description\n", files.paths[i]);
            fail();
        }
    }
    assert_true(storms >= 20);
    free(s);
    storm_file_list_free(&files);
}

static void short_sweep_passes_in_both_modes(void **state)
{
    (void)state;
    storm_file_list files;
    storm_file_list_init(&files);
    sg_error err = {{0}};
    assert_int_equal(storm_collect(&files, CATALOGUE_DIR, &err), SG_OK);
    storm_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    storm_report_init(r);
    for (uint32_t i = 0; i < files.count; i++) {
        assert_int_equal(storm_report_add_file(r, files.paths[i]), SG_OK);
    }
    storm_plan plan = storm_plan_default();
    plan.seeds_given = true;
    plan.seed_first = 1;
    plan.seed_last = CI_SEEDS;
    plan.jobs = 2;
    assert_int_equal(storm_report_run(r, &plan, storm_exec_default, NULL, NULL, NULL, &err), SG_OK);
    for (uint32_t i = 0; i < r->count; i++) {
        for (uint32_t m = 0; r->entries[i].storm != NULL && m < r->entries[i].storm->scenario.model_count; m++) {
            const storm_model_summary *ms = &r->entries[i].models[m];
            if (ms->failed_runs + ms->errors > 0) {
                char cmd[STORM_PATH_MAX + 96];
                storm_replay_command(&r->entries[i], (int)m, ms->failing_seeds[0], cmd, sizeof cmd);
                print_message("failed: %s (%s)\n", cmd, ms->failure.error);
            }
        }
    }
    assert_true(r->runs >= 20 * 2 * CI_SEEDS);
    assert_true(storm_report_passed(r));
    storm_report_free(r);
    free(r);
    storm_file_list_free(&files);
}

int main(int argc, char **argv)
{
    (void)argc;
    find_tool(argv[0]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_verb_accepts_the_catalogue),
        cmocka_unit_test(every_storm_has_a_negative_control),
        cmocka_unit_test(short_sweep_passes_in_both_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

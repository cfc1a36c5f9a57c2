/*
 * cmd_check.c - `stormglass check PATH...`: parses and validates storm
 * files without running them, so a typo fails in a second, not after a
 * sweep.  Prints one line per file; errors as file:line:column: message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sim/storm.h"
#include "sim/storm_collect.h"
#include "sim/storm_run.h"

void cli_check_usage(FILE *out)
{
    fprintf(out, "usage: stormglass check [--quiet] PATH...\n"
           "       stormglass check --reference\n\n"
           "Parses every storm file named (folders: every *.storm below them) and\n"
           "validates it: statements, keys, bounds, includes, expectations.\n"
           "Prints file:line:column: message for each error; exit 0 only if all are valid.\n"
           "  --quiet      print errors only\n"
           "  --reference  print every statement's keys and every metric, and exit\n");
}

static void describe(const char *path, const storm *s)
{
    if (s->fragment) {
        printf("ok    %s (fragment, included by other storms)\n", path);
        return;
    }
    printf("ok    %s: %s [", path, s->title);
    for (uint32_t m = 0; m < s->scenario.model_count; m++) {
        printf("%s%s", m > 0 ? " " : "", s->scenario.models[m]);
    }
    printf("] %u expectation%s, %u fault%s\n", s->expect_count, s->expect_count == 1 ? "" : "s",
           s->scenario.fault_count, s->scenario.fault_count == 1 ? "" : "s");
}

int cli_check(int argc, char **argv)
{
    bool quiet = false;
    storm_file_list files;
    storm_file_list_init(&files);
    int rc = CLI_EXIT_OK;
    for (int i = 1; i < argc && rc == CLI_EXIT_OK; i++) {
        sg_error err = {{0}};
        if (strcmp(argv[i], "--reference") == 0) {
            storm_print_reference(stdout);
            storm_file_list_free(&files);
            return CLI_EXIT_OK;
        }
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = true;
        } else if (argv[i][0] == '-') {
            rc = cli_usage_error("check", "unknown option '%s'", argv[i]);
        } else if (storm_collect(&files, argv[i], &err) != SG_OK) {
            rc = cli_usage_error("check", "%s", err.msg);
        }
    }
    if (rc == CLI_EXIT_OK && files.count == 0) {
        rc = cli_usage_error("check", "no storm files named (give files or folders)");
    }
    storm *s = rc == CLI_EXIT_OK ? malloc(sizeof *s) : NULL;
    if (rc == CLI_EXIT_OK && s == NULL) {
        fprintf(stderr, "stormglass check: out of memory\n");
        rc = CLI_EXIT_FAILED;
    }
    uint32_t bad = 0;
    for (uint32_t i = 0; s != NULL && i < files.count; i++) {
        storm_error err;
        sg_error merr = {{0}};
        if (storm_parse_file(files.paths[i], s, &err) != SG_OK) {
            char line[STORM_ERROR_MSG_MAX + STORM_PATH_MAX + 32];
            storm_error_format(&err, line, sizeof line);
            fprintf(stderr, "%s\n", line);
            bad++;
        } else if (storm_check_models(s, &merr) != SG_OK) {
            fprintf(stderr, "%s: models: %s\n", files.paths[i], merr.msg); /* the simulator knows no such model */
            bad++;
        } else if (!quiet) {
            describe(files.paths[i], s);
        }
    }
    if (s != NULL) {
        printf("check: %u file%s, %u invalid\n", files.count, files.count == 1 ? "" : "s", bad);
        rc = bad > 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
    }
    free(s);
    storm_file_list_free(&files);
    return rc;
}

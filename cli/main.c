/*
 * main.c - entry point of the `stormglass` tool: dispatches to a verb.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "build_info.h" /* generated: SG_BUILD_VERSION_LINE (dist/version.mk) */
#include "cli.h"

static const cli_verb verbs[] = {
    {"backoff", "print the retry schedule a backoff policy produces", cli_backoff, cli_backoff_usage},
    {"retry-after", "parse a Retry-After value and print the wait in seconds", cli_retry_after,
     cli_retry_after_usage},
    {"run", "replay incident storms (legacy and core), judge them, write reports", cli_run, cli_run_usage},
    {"check", "parse and validate storm files without running them", cli_check, cli_check_usage},
    {"study", "the backoff contention study: calls and completion per policy", cli_study, cli_study_usage},
    {"swarm", "run many drawn scenarios, list and write the failing seeds as storms", cli_swarm,
     cli_swarm_usage},
    {"shrink", "reduce a failing storm run to a minimal storm file", cli_shrink, cli_shrink_usage},
};

#define VERB_COUNT (sizeof verbs / sizeof verbs[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: stormglass VERB [OPTIONS]\n\nverbs:\n");
    for (size_t i = 0; i < VERB_COUNT; i++) {
        fprintf(out, "  %-14s %s\n", verbs[i].name, verbs[i].summary);
    }
    fprintf(out, "\n`stormglass VERB --help` describes a verb; `stormglass --version` the build.\n");
}

bool cli_is_flag(const char *arg, const char *flag)
{
    size_t n = strlen(flag);
    return strncmp(arg, flag, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

const char *cli_flag_value(int argc, char **argv, int *i, const char *flag)
{
    const char *arg = argv[*i];
    size_t n = strlen(flag);
    if (arg[n] == '=') {
        return arg + n + 1;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "stormglass %s: %s needs a value\n", argv[0], flag);
        return NULL;
    }
    (*i)++;
    return argv[*i];
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "stormglass %s: ", verb);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        fputs(SG_BUILD_VERSION_LINE("stormglass"), stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < VERB_COUNT; i++) {
        if (strcmp(argv[1], verbs[i].name) == 0) {
            for (int a = 2; a < argc; a++) {
                if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
                    verbs[i].usage(stdout);
                    return CLI_EXIT_OK;
                }
            }
            return verbs[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "stormglass: unknown verb '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}

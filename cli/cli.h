/*
 * cli.h - what the verbs of the `stormglass` tool share: the verb table
 * entry type and small helpers for flags.
 *
 * Exit codes: 0 success, 1 the verb ran and found a failure (an invalid
 * Retry-After, a failed expectation), 2 usage error.
 */
#ifndef STORMGLASS_CLI_H
#define STORMGLASS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "stormglass/status.h"
#include "stormglass/time.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE 2

typedef struct cli_verb {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the verb */
    void (*usage)(FILE *out); /* --help: stdout; a usage error: stderr */
} cli_verb;

/* Verbs (one file each). */
int cli_backoff(int argc, char **argv);
void cli_backoff_usage(FILE *out);
int cli_retry_after(int argc, char **argv);
void cli_retry_after_usage(FILE *out);
int cli_check(int argc, char **argv);
void cli_check_usage(FILE *out);
int cli_run(int argc, char **argv);
void cli_run_usage(FILE *out);
int cli_study(int argc, char **argv);
void cli_study_usage(FILE *out);
int cli_swarm(int argc, char **argv);
void cli_swarm_usage(FILE *out);
int cli_shrink(int argc, char **argv);
void cli_shrink_usage(FILE *out);

/* Returns the value of flag argv[*i] ("--x VALUE" or "--x=VALUE") and
 * advances *i, or NULL (after printing why) when the value is missing. */
const char *cli_flag_value(int argc, char **argv, int *i, const char *flag);

/* True when argv[i] is `flag` or starts with "flag=". */
bool cli_is_flag(const char *arg, const char *flag);

/* Prints "stormglass VERB: MESSAGE" to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *verb, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif

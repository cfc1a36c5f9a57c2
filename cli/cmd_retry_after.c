/*
 * cmd_retry_after.c - `stormglass retry-after VALUE`: how long a client
 * that honours this Retry-After value would wait, or why it is invalid.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "stormglass/parse.h"
#include "stormglass/retry_after.h"

void cli_retry_after_usage(FILE *out)
{
    fprintf(out, "usage: stormglass retry-after VALUE [--now EPOCH] [--ceiling SECONDS]\n\n"
           "Parses VALUE as an HTTP Retry-After field (delay-seconds or an HTTP-date in\n"
           "IMF-fixdate, RFC 850 or asctime form) and prints the wait in seconds.\n"
           "  --now       the current Unix time for dates (default: this machine's clock)\n"
           "  --ceiling   clamp the wait to this many seconds (default 3600)\n"
           "Exit status: 0 valid, 1 absent or invalid (the reason goes to stderr), 2 usage.\n");
}

int cli_retry_after(int argc, char **argv)
{
    const char *value = NULL;
    int64_t now = (int64_t)time(NULL);
    uint64_t ceiling = (uint64_t)SG_RETRY_AFTER_CEILING_DEFAULT_S;
    sg_error err = {{0}};
    for (int i = 1; i < argc; i++) {
        uint64_t u = 0;
        if (cli_is_flag(argv[i], "--now")) {
            const char *v = cli_flag_value(argc, argv, &i, "--now");
            if (v == NULL) {
                return CLI_EXIT_USAGE;
            }
            if (sg_parse_u64(v, strlen(v), 0, (uint64_t)INT64_MAX / 2, &u, &err) != SG_OK) {
                return cli_usage_error("retry-after", "--now: %s", err.msg);
            }
            now = (int64_t)u;
        } else if (cli_is_flag(argv[i], "--ceiling")) {
            const char *v = cli_flag_value(argc, argv, &i, "--ceiling");
            if (v == NULL) {
                return CLI_EXIT_USAGE;
            }
            if (sg_parse_u64(v, strlen(v), 0, (uint64_t)365 * 24 * 3600, &u, &err) != SG_OK) {
                return cli_usage_error("retry-after", "--ceiling: %s", err.msg);
            }
            ceiling = u;
        } else if (strcmp(argv[i], "--") == 0 && i + 1 < argc && value == NULL) {
            value = argv[++i]; /* `--` ends the options: the value may start with '-' */
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            cli_usage_error("retry-after", "unknown option '%s'", argv[i]);
            cli_retry_after_usage(stderr);
            return CLI_EXIT_USAGE;
        } else if (value == NULL) {
            value = argv[i];
        } else {
            return cli_usage_error("retry-after", "expected one VALUE, got a second one: '%s'", argv[i]);
        }
    }
    if (value == NULL) {
        cli_usage_error("retry-after", "missing VALUE");
        cli_retry_after_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    sg_retry_after ra;
    (void)sg_retry_after_parse(value, strlen(value), now, (int64_t)ceiling, &ra);
    switch (ra.kind) {
    case SG_RETRY_AFTER_ABSENT:
        fprintf(stderr, "retry-after: absent (empty value): fall back to the backoff schedule\n");
        return CLI_EXIT_FAILED;
    case SG_RETRY_AFTER_INVALID:
        fprintf(stderr, "retry-after: invalid: %s\n", ra.reason);
        return CLI_EXIT_FAILED;
    case SG_RETRY_AFTER_SECONDS:
    case SG_RETRY_AFTER_DATE:
        break;
    }
    printf("%lld\n", (long long)ra.seconds);
    if (ra.clamped) {
        fprintf(stderr, "retry-after: clamped to the ceiling of %llu s\n", (unsigned long long)ceiling);
    }
    return CLI_EXIT_OK;
}

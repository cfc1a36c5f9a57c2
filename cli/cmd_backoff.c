/*
 * cmd_backoff.c - `stormglass backoff`: prints the retry schedule that an
 * operator's backoff settings produce, one row per attempt, so a setting
 * can be judged before it ships.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "stormglass/backoff.h"
#include "stormglass/parse.h"

#define BACKOFF_ATTEMPTS_DEFAULT 10u
#define BACKOFF_ATTEMPTS_MAX 100000u

void cli_backoff_usage(FILE *out)
{
    fprintf(out, "usage: stormglass backoff [--policy P] [--base SECONDS] [--max SECONDS]\n"
           "                          [--multiplier X] [--jitter J] [--max-retries N]\n"
           "                          [--attempts N] [--seed S]\n\n"
           "Prints one row per failed attempt: attempt, delay, cumulative wait.\n"
           "  --policy       none|constant|exponential|full|equal|decorrelated|grpc (default equal)\n"
           "  --base         first/minimum delay (default 0.5; grpc 1); units ms/s/m/h allowed\n"
           "  --max          cap on any delay (default 30; grpc 120)\n"
           "  --multiplier   growth per attempt (default 2; grpc 1.6)\n"
           "  --jitter       grpc only: +-fraction (default 0.2)\n"
           "  --max-retries  give up after N failures (default 0 = forever)\n"
           "  --attempts     rows to print (default 10, at most 100000)\n"
           "  --seed         PRNG seed for the jittered policies (default 1)\n");
}

typedef struct backoff_args {
    sg_backoff_config config;
    uint64_t attempts;
    uint64_t seed;
} backoff_args;

static int parse_args(int argc, char **argv, backoff_args *a)
{
    sg_error err = {{0}};
    sg_backoff_policy policy = SG_BACKOFF_EQUAL_JITTER;
    /* The policy decides the defaults, so find it first. */
    for (int i = 1; i < argc; i++) {
        if (cli_is_flag(argv[i], "--policy")) {
            const char *v = cli_flag_value(argc, argv, &i, "--policy");
            if (v == NULL) {
                return CLI_EXIT_USAGE;
            }
            if (sg_backoff_policy_parse(v, &policy) != SG_OK) {
                return cli_usage_error("backoff", "--policy: unknown policy '%s' (expected none, constant, "
                                                  "exponential, full, equal, decorrelated or grpc)", v);
            }
        }
    }
    a->config = sg_backoff_config_default(policy);
    a->attempts = BACKOFF_ATTEMPTS_DEFAULT;
    a->seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        const char *v = NULL;
        sg_status st = SG_OK;
        if (cli_is_flag(flag, "--policy")) {
            (void)cli_flag_value(argc, argv, &i, "--policy");
            continue;
        }
        static const char *const known[] = {"--base", "--max", "--multiplier", "--jitter",
                                            "--max-retries", "--attempts", "--seed"};
        const char *name = NULL;
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
            if (cli_is_flag(flag, known[k])) {
                name = known[k];
            }
        }
        if (name == NULL) {
            cli_usage_error("backoff", "unknown option '%s'", flag);
            cli_backoff_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        v = cli_flag_value(argc, argv, &i, name);
        if (v == NULL) {
            return CLI_EXIT_USAGE;
        }
        size_t n = strlen(v);
        uint64_t u = 0;
        if (strcmp(name, "--base") == 0) {
            st = sg_parse_duration(v, n, SG_UNIT_SECONDS, &a->config.base_ns, &err);
        } else if (strcmp(name, "--max") == 0) {
            st = sg_parse_duration(v, n, SG_UNIT_SECONDS, &a->config.max_ns, &err);
        } else if (strcmp(name, "--multiplier") == 0) {
            st = sg_parse_double(v, n, SG_BACKOFF_MULTIPLIER_MIN, SG_BACKOFF_MULTIPLIER_MAX, &a->config.multiplier,
                                 &err);
        } else if (strcmp(name, "--jitter") == 0) {
            st = sg_parse_double(v, n, 0.0, SG_BACKOFF_JITTER_MAX, &a->config.jitter, &err);
        } else if (strcmp(name, "--max-retries") == 0) {
            st = sg_parse_u64(v, n, 0, SG_BACKOFF_MAX_RETRIES_MAX, &u, &err);
            a->config.max_retries = (uint32_t)u;
        } else if (strcmp(name, "--attempts") == 0) {
            st = sg_parse_u64(v, n, 1, BACKOFF_ATTEMPTS_MAX, &a->attempts, &err);
        } else {
            st = sg_parse_u64(v, n, 0, UINT64_MAX, &a->seed, &err);
        }
        if (st != SG_OK) {
            return cli_usage_error("backoff", "%s: %s", name, err.msg);
        }
    }
    if (sg_backoff_config_check(&a->config, &err) != SG_OK) {
        return cli_usage_error("backoff", "%s", err.msg);
    }
    return CLI_EXIT_OK;
}

int cli_backoff(int argc, char **argv)
{
    backoff_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    sg_backoff b;
    sg_rng rng;
    sg_backoff_init(&b, &a.config);
    sg_rng_seed(&rng, a.seed, 0);
    char base[32], max[32];
    sg_format_duration(a.config.base_ns, base, sizeof base);
    sg_format_duration(a.config.max_ns, max, sizeof max);
    printf("# policy=%s base=%s max=%s multiplier=%g max_retries=%u seed=%llu\n",
           sg_backoff_policy_name(a.config.policy), base, max, a.config.multiplier, a.config.max_retries,
           (unsigned long long)a.seed);
    printf("%8s %14s %16s\n", "attempt", "delay_s", "cumulative_s");
    double cumulative = 0.0;
    for (uint64_t i = 1; i <= a.attempts; i++) {
        sg_duration_ns delay = 0;
        if (sg_backoff_next(&b, &rng, &delay) == SG_E_GIVE_UP) {
            printf("%8llu %14s %16s\n", (unsigned long long)i, "give-up", "-");
            break;
        }
        cumulative += (double)delay / (double)SG_NS_PER_S;
        printf("%8llu %14.3f %16.3f\n", (unsigned long long)i, (double)delay / (double)SG_NS_PER_S, cumulative);
    }
    return CLI_EXIT_OK;
}

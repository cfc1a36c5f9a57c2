/*
 * cmd_study.c - `stormglass study contention`: the backoff contention
 * experiment (sim/study.h), printed as a table and written as CSV,
 * markdown and an HTML page with plots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sim/study.h"
#include "stormglass/parse.h"

void cli_study_usage(FILE *out)
{
    fprintf(out, "usage: stormglass study contention [--runs N] [--clients A,B,...] [--out DIR]\n\n"
           "N clients race optimistic-concurrency writes to one row (10 ms network delay,\n"
           "backoff base 5 ms, cap 2 s); prints mean total calls and completion time for\n"
           "no backoff, exponential, equal, full and decorrelated jitter.\n"
           "  --runs N       runs (seeds 1..N) averaged per cell (default 100)\n"
           "  --clients L    client counts (default 1,2,5,10,20,30,40,50,60,70,80,90,100)\n"
           "  --out DIR      also write DIR/contention.{csv,md,html} (default: print only)\n");
}

static int parse_clients(const char *v, uint32_t *clients, uint32_t *points)
{
    *points = 0;
    const char *p = v;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        uint64_t u = 0;
        sg_error err = {{0}};
        if (*points >= STUDY_POINTS_MAX || sg_parse_u64(p, n, 1, STUDY_CLIENTS_MAX, &u, &err) != SG_OK) {
            return cli_usage_error("study", "--clients: up to %u counts within 1 .. %u, comma-separated",
                                   STUDY_POINTS_MAX, STUDY_CLIENTS_MAX);
        }
        clients[(*points)++] = (uint32_t)u;
        p += n + (p[n] == ',' ? 1 : 0);
    }
    return *points > 0 ? CLI_EXIT_OK : cli_usage_error("study", "--clients: empty list");
}

int cli_study(int argc, char **argv)
{
    uint32_t clients[STUDY_POINTS_MAX] = {1, 2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
    uint32_t points = 13;
    uint64_t runs = 100;
    const char *out = NULL;
    if (argc < 2 || strcmp(argv[1], "contention") != 0) {
        return cli_usage_error("study", "expected a study name: contention");
    }
    for (int i = 2; i < argc; i++) {
        sg_error err = {{0}};
        const char *name = cli_is_flag(argv[i], "--runs")      ? "--runs"
                           : cli_is_flag(argv[i], "--clients") ? "--clients"
                           : cli_is_flag(argv[i], "--out")     ? "--out"
                                                               : NULL;
        if (name == NULL) {
            return cli_usage_error("study", "unknown option '%s'", argv[i]);
        }
        const char *v = cli_flag_value(argc, argv, &i, name);
        int rc = v == NULL ? CLI_EXIT_USAGE : CLI_EXIT_OK;
        if (rc == CLI_EXIT_OK && strcmp(name, "--runs") == 0 &&
            sg_parse_u64(v, strlen(v), 1, STUDY_RUNS_MAX, &runs, &err) != SG_OK) {
            rc = cli_usage_error("study", "--runs: %s", err.msg);
        } else if (rc == CLI_EXIT_OK && strcmp(name, "--clients") == 0) {
            rc = parse_clients(v, clients, &points);
        } else if (rc == CLI_EXIT_OK && strcmp(name, "--out") == 0) {
            out = v;
        }
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    study_contention_table *t = malloc(sizeof *t);
    sg_error err = {{0}};
    sg_status st = t == NULL ? SG_E_NOMEM : study_contention_sweep(clients, points, (uint32_t)runs, t, &err);
    if (st == SG_OK && out != NULL) {
        st = study_contention_write(t, out, stdout, &err);
    } else if (st == SG_OK) {
        study_contention_print(stdout, t);
    }
    if (st != SG_OK) {
        fprintf(stderr, "stormglass study: %s\n", err.msg);
    }
    free(t);
    return st == SG_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/*
 * cmd_shrink.c - `stormglass shrink FILE --seed N`: reduces a failing run
 * (the simulator's sim_shrink: delta debugging over the faults, then their
 * sizes, then the topology) and writes the minimal scenario as a storm
 * file that replays the same failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sim/run.h"
#include "sim/search.h"
#include "sim/storm.h"
#include "sim/storm_finding.h"
#include "stormglass/parse.h"

void cli_shrink_usage(FILE *out)
{
    fprintf(out, "usage: stormglass shrink FILE --seed N [--model NAME] [--oracle NAME] [--runs-max N]\n"
           "                         [--out FILE]\n\n"
           "Runs the storm's scenario with the model (default core) and seed; if an oracle\n"
           "breaks (or --oracle NAME does), shrinks the scenario while it still breaks that\n"
           "oracle and writes the result as a storm file (default: standard output).\n");
}

typedef struct shrink_args {
    const char *file, *model, *oracle, *out;
    uint64_t seed;
    uint64_t runs_max;
    bool seed_given;
} shrink_args;

static int parse_args(int argc, char **argv, shrink_args *a)
{
    static const char *const flags[] = {"--seed", "--model", "--oracle", "--runs-max", "--out"};
    for (int i = 1; i < argc; i++) {
        const char *name = NULL;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0] && name == NULL; k++) {
            name = cli_is_flag(argv[i], flags[k]) ? flags[k] : NULL;
        }
        if (name == NULL && argv[i][0] != '-' && a->file == NULL) {
            a->file = argv[i];
            continue;
        }
        if (name == NULL) {
            return cli_usage_error("shrink", "unexpected '%s'", argv[i]);
        }
        const char *v = cli_flag_value(argc, argv, &i, name);
        sg_error err = {{0}};
        if (v == NULL) {
            return CLI_EXIT_USAGE;
        }
        if (strcmp(name, "--seed") == 0 || strcmp(name, "--runs-max") == 0) {
            uint64_t *dst = strcmp(name, "--seed") == 0 ? &a->seed : &a->runs_max;
            if (sg_parse_u64(v, strlen(v), 0, strcmp(name, "--seed") == 0 ? UINT64_MAX : 100000, dst, &err) != SG_OK) {
                return cli_usage_error("shrink", "%s: %s", name, err.msg);
            }
            a->seed_given = a->seed_given || strcmp(name, "--seed") == 0;
        } else {
            *(strcmp(name, "--model") == 0 ? &a->model : strcmp(name, "--oracle") == 0 ? &a->oracle : &a->out) = v;
        }
    }
    if (a->file == NULL || !a->seed_given) {
        return cli_usage_error("shrink", "expected FILE and --seed N");
    }
    return CLI_EXIT_OK;
}

/* The oracle to preserve: --oracle, else the first one the run breaks. */
static sg_status pick_oracle(const shrink_args *a, const sim_scenario *s, const sim_model_set *m, sim_oracle_id *out,
                             sg_error *err)
{
    if (a->oracle != NULL) {
        return sim_oracle_parse(a->oracle, out) == SG_OK
                   ? SG_OK
                   : sg_error_set(err, SG_E_INVALID, "--oracle: unknown oracle '%s'", a->oracle);
    }
    sim_result r;
    sim_run_options opt = {.stop_at_first_violation = true};
    sg_status st = sim_run(s, m, a->seed, &opt, &r, err);
    const sim_violation *v = st == SG_OK ? sim_result_first_violation(&r) : NULL;
    if (v != NULL) {
        *out = v->oracle;
    }
    sim_result_free(&r);
    if (st == SG_OK && v == NULL) {
        return sg_error_set(err, SG_E_NOT_FOUND, "seed %llu breaks no oracle with model %s: nothing to shrink",
                            (unsigned long long)a->seed, a->model);
    }
    return st;
}

static int shrink_and_write(const shrink_args *a, const storm *s)
{
    sim_model_set m;
    sg_error err = {{0}};
    sim_oracle_id oracle = SIM_ORACLE_CONVERGENCE;
    sim_scenario *small = malloc(sizeof *small);
    sim_shrink_stats stats;
    sg_status st = small == NULL ? sg_error_set(&err, SG_E_NOMEM, "out of memory") : SG_OK;
    st = st == SG_OK ? sim_model_resolve(a->model, &m, &err) : st;
    st = st == SG_OK ? pick_oracle(a, &s->scenario, &m, &oracle, &err) : st;
    st = st == SG_OK ? sim_shrink(&s->scenario, &m, a->seed, oracle, (uint32_t)a->runs_max, small, &stats, &err) : st;
    if (st != SG_OK || small == NULL) {
        fprintf(stderr, "stormglass shrink: %s\n", err.msg);
        free(small);
        return CLI_EXIT_FAILED;
    }
    fprintf(stderr, "shrink: %u runs; faults %u -> %u, workers %u -> %u, clients per worker %u -> %u\n", stats.runs,
            stats.faults_before, stats.faults_after, stats.workers_before, stats.workers_after, stats.clients_before,
            stats.clients_after);
    char title[192], source[STORM_PATH_MAX + 96];
    (void)snprintf(title, sizeof title, "Shrunk from %s (seed %llu): breaks %s", s->scenario.name,
                   (unsigned long long)a->seed, sim_oracle_name(oracle));
    (void)snprintf(source, sizeof source, "stormglass shrink %s --seed %llu --model %s", a->file,
                   (unsigned long long)a->seed, a->model);
    small->seed = a->seed;
    storm_finding finding = {title, source, NULL, a->model, oracle};
    FILE *out = a->out != NULL ? fopen(a->out, "w") : stdout;
    st = out == NULL ? SG_E_INVALID : storm_finding_write(out, small, &finding);
    if (out != NULL && out != stdout && fclose(out) != 0) {
        st = SG_E_INVALID;
    }
    free(small);
    if (st != SG_OK) {
        fprintf(stderr, "stormglass shrink: cannot write %s\n", a->out != NULL ? a->out : "the output");
        return CLI_EXIT_FAILED;
    }
    return CLI_EXIT_OK;
}

int cli_shrink(int argc, char **argv)
{
    shrink_args a;
    memset(&a, 0, sizeof a);
    a.model = "core";
    int rc = parse_args(argc, argv, &a);
    storm *s = rc == CLI_EXIT_OK ? malloc(sizeof *s) : NULL;
    if (rc == CLI_EXIT_OK && s == NULL) {
        rc = CLI_EXIT_FAILED;
    }
    storm_error perr;
    if (s != NULL && storm_parse_file(a.file, s, &perr) != SG_OK) {
        char msg[STORM_ERROR_MSG_MAX + STORM_PATH_MAX + 32];
        storm_error_format(&perr, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        rc = CLI_EXIT_FAILED;
    } else if (s != NULL) {
        rc = shrink_and_write(&a, s);
    }
    free(s);
    return rc;
}

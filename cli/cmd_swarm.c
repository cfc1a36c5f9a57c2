/*
 * cmd_swarm.c - `stormglass swarm`: many seeds, each drawing its own
 * topology, configuration and fault mix (the simulator's sim_swarm),
 * summarised with the failing seeds; each failure is written as a storm
 * file that replays it (`stormglass run`) and can be shrunk
 * (`stormglass shrink`).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "sim/run.h"
#include "sim/search.h"
#include "sim/storm_finding.h"
#include "stormglass/parse.h"

void cli_swarm_usage(FILE *out)
{
    fprintf(out, "usage: stormglass swarm [--seeds A..B] [--model NAME] [--workers-max N] [--clients-max N]\n"
           "                        [--faults-max N] [--duration SPAN] [--out DIR]\n\n"
           "Runs one drawn scenario per seed against the model (default core) and lists the\n"
           "seeds whose run broke an oracle.  With --out, writes DIR/swarm-SEED.storm for each\n"
           "(at most %u): `stormglass run` replays it, `stormglass shrink` minimises it.\n",
           SIM_SWARM_FAILURES_KEPT);
}

typedef struct swarm_args {
    sim_swarm_config config;
    const char *model;
    const char *out;
} swarm_args;

static int option(swarm_args *a, const char *name, const char *v)
{
    sg_error err = {{0}};
    uint64_t u = 0, last = 0;
    sg_status st = SG_OK;
    if (strcmp(name, "--seeds") == 0) {
        const char *dots = strstr(v, "..");
        st = dots == NULL ? SG_E_INVALID : sg_parse_u64(v, (size_t)(dots - v), 0, UINT64_MAX, &u, &err);
        st = st == SG_OK ? sg_parse_u64(dots + 2, strlen(dots + 2), u, u + 1000000, &last, &err) : st;
        a->config.seed_first = u;
        a->config.seed_count = last - u + 1;
    } else if (strcmp(name, "--model") == 0) {
        a->model = v;
    } else if (strcmp(name, "--out") == 0) {
        a->out = v;
    } else if (strcmp(name, "--duration") == 0) {
        st = sg_parse_duration(v, strlen(v), SG_UNIT_REQUIRED, &a->config.duration_ns, &err);
    } else {
        st = sg_parse_u64(v, strlen(v), 1, SIM_FAULTS_MAX, &u, &err);
        uint32_t *dst = strcmp(name, "--workers-max") == 0   ? &a->config.workers_max
                        : strcmp(name, "--clients-max") == 0 ? &a->config.clients_max
                                                             : &a->config.faults_max;
        *dst = (uint32_t)u;
    }
    return st == SG_OK ? CLI_EXIT_OK : cli_usage_error("swarm", "%s: invalid value '%s' %s", name, v, err.msg);
}

static int parse_args(int argc, char **argv, swarm_args *a)
{
    static const char *const flags[] = {"--seeds", "--model", "--workers-max", "--clients-max",
                                        "--faults-max", "--duration", "--out"};
    for (int i = 1; i < argc; i++) {
        const char *name = NULL;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0] && name == NULL; k++) {
            name = cli_is_flag(argv[i], flags[k]) ? flags[k] : NULL;
        }
        if (name == NULL) {
            return cli_usage_error("swarm", "unknown option '%s'", argv[i]);
        }
        const char *v = cli_flag_value(argc, argv, &i, name);
        int rc = v == NULL ? CLI_EXIT_USAGE : option(a, name, v);
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    return CLI_EXIT_OK;
}

static int write_findings(const swarm_args *a, const sim_swarm_summary *sum)
{
    if (mkdir(a->out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "stormglass swarm: %s: %s\n", a->out, strerror(errno));
        return CLI_EXIT_FAILED;
    }
    sim_scenario *s = malloc(sizeof *s);
    int rc = s == NULL ? CLI_EXIT_FAILED : CLI_EXIT_OK;
    for (uint32_t i = 0; s != NULL && i < sum->kept && rc == CLI_EXIT_OK; i++) {
        const sim_swarm_failure *f = &sum->failing[i];
        char path[512], title[160], source[160];
        (void)snprintf(path, sizeof path, "%s/swarm-%llu.storm", a->out, (unsigned long long)f->seed);
        (void)snprintf(title, sizeof title, "Swarm finding: seed %llu breaks %s", (unsigned long long)f->seed,
                       sim_oracle_name(f->first.oracle));
        (void)snprintf(source, sizeof source, "stormglass swarm --seeds %llu..%llu --model %s",
                       (unsigned long long)f->seed, (unsigned long long)f->seed, a->model);
        sim_swarm_draw(&a->config, f->seed, s);
        (void)snprintf(s->name, sizeof s->name, "swarm-%llu", (unsigned long long)f->seed);
        s->seed = f->seed;
        storm_finding finding = {title, source, f->first.event, a->model, f->first.oracle};
        FILE *out = fopen(path, "w");
        if (out == NULL || storm_finding_write(out, s, &finding) != SG_OK || fclose(out) != 0) {
            fprintf(stderr, "stormglass swarm: cannot write %s\n", path);
            rc = CLI_EXIT_FAILED;
        } else {
            printf("wrote %s\n", path);
        }
    }
    free(s);
    return rc;
}

int cli_swarm(int argc, char **argv)
{
    swarm_args a;
    memset(&a, 0, sizeof a);
    sim_swarm_config_default(&a.config);
    a.model = "core";
    int rc = parse_args(argc, argv, &a);
    if (rc != CLI_EXIT_OK) {
        return rc;
    }
    sim_model_set models;
    sg_error err = {{0}};
    sim_swarm_summary *sum = malloc(sizeof *sum);
    if (sum == NULL || sim_model_resolve(a.model, &models, &err) != SG_OK ||
        sim_swarm(&a.config, &models, sum, &err) != SG_OK) {
        fprintf(stderr, "stormglass swarm: %s\n", sum == NULL ? "out of memory" : err.msg);
        free(sum);
        return CLI_EXIT_FAILED;
    }
    sim_swarm_print(stdout, sum);
    if (a.out != NULL && sum->kept > 0) {
        rc = write_findings(&a, sum);
    }
    rc = rc == CLI_EXIT_OK && (sum->failures > 0 || sum->errors > 0) ? CLI_EXIT_FAILED : rc;
    free(sum);
    return rc;
}

/*
 * cmd_run.c - `stormglass run PATH...`: replays storms (legacy and core),
 * judges every expectation, prints what failed with the command that
 * replays exactly that run, and writes the reports CI and people read.
 * Exit 0 only when every file parsed and every expectation held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sim/storm_collect.h"
#include "sim/storm_run.h"
#include "sim/storm_write.h"
#include "stormglass/parse.h"

#define PROGRESS_MIN_RUNS 40u /* sweeps at least this long get a progress line */

void cli_run_usage(FILE *out)
{
    fprintf(out, "usage: stormglass run [OPTIONS] PATH...\n\n"
           "Replays every storm named (folders: every *.storm below them) with its legacy\n"
           "model(s) and the core, and judges the storm's expectations.\n"
           "  --mode M        legacy, core or both (default both)\n"
           "  --model NAME    only this model (repeatable; overrides --mode)\n"
           "  --seed N        run with seed N instead of each storm's own seed\n"
           "  --seeds A..B    a sweep over seeds A to B (inclusive)\n"
           "  -j, --jobs N    N runs in parallel (forked processes; default 1)\n"
           "  --junit FILE    write JUnit XML\n"
           "  --json FILE     write a JSON summary\n"
           "  --report DIR    write DIR/index.html and a page per storm (SVG timelines)\n"
           "  --trace FILE    event trace of a single run (.json: Chrome/Perfetto, else JSON lines)\n"
           "  --quiet         print failures and the summary only\n"
           "  --verbose       print every verdict of every run\n"
           "Exit status: 0 every expectation held, 1 something failed, 2 usage error.\n");
}

typedef struct run_args {
    storm_plan plan;
    const char *junit, *json, *report, *trace;
    bool quiet, verbose;
    storm_file_list files;
} run_args;

static int parse_seeds(const char *v, storm_plan *plan)
{
    sg_error err = {{0}};
    const char *dots = strstr(v, "..");
    if (dots == NULL || sg_parse_u64(v, (size_t)(dots - v), 0, UINT64_MAX, &plan->seed_first, &err) != SG_OK ||
        sg_parse_u64(dots + 2, strlen(dots + 2), 0, UINT64_MAX, &plan->seed_last, &err) != SG_OK ||
        plan->seed_last < plan->seed_first || plan->seed_last - plan->seed_first >= STORM_SEEDS_MAX) {
        return cli_usage_error("run", "--seeds: expected A..B with A <= B and at most %u seeds, got '%s'",
                               STORM_SEEDS_MAX, v);
    }
    plan->seeds_given = true;
    return CLI_EXIT_OK;
}

/* One option with a value; returns CLI_EXIT_OK or a usage error. */
static int option(run_args *a, const char *name, const char *v)
{
    sg_error err = {{0}};
    uint64_t u = 0;
    if (strcmp(name, "--mode") == 0) {
        return storm_mode_parse(v, &a->plan.mode) == SG_OK
                   ? CLI_EXIT_OK
                   : cli_usage_error("run", "--mode: expected legacy, core or both, got '%s'", v);
    }
    if (strcmp(name, "--model") == 0) {
        if (a->plan.model_count >= SIM_MODELS_MAX || strlen(v) >= SIM_MODEL_NAME_MAX) {
            return cli_usage_error("run", "--model: at most %u models of at most %u bytes", SIM_MODELS_MAX,
                                   SIM_MODEL_NAME_MAX - 1);
        }
        (void)snprintf(a->plan.models[a->plan.model_count++], SIM_MODEL_NAME_MAX, "%s", v);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--seed") == 0) {
        if (sg_parse_u64(v, strlen(v), 0, UINT64_MAX, &u, &err) != SG_OK) {
            return cli_usage_error("run", "--seed: %s", err.msg);
        }
        a->plan.seeds_given = true;
        a->plan.seed_first = a->plan.seed_last = u;
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--seeds") == 0) {
        return parse_seeds(v, &a->plan);
    }
    if (strcmp(name, "--jobs") == 0 || strcmp(name, "-j") == 0) {
        if (sg_parse_u64(v, strlen(v), 1, STORM_JOBS_MAX, &u, &err) != SG_OK) {
            return cli_usage_error("run", "--jobs: %s", err.msg);
        }
        a->plan.jobs = (uint32_t)u;
        return CLI_EXIT_OK;
    }
    const char **slot = strcmp(name, "--junit") == 0 ? &a->junit
                        : strcmp(name, "--json") == 0 ? &a->json
                        : strcmp(name, "--report") == 0 ? &a->report
                                                        : &a->trace;
    *slot = v;
    return CLI_EXIT_OK;
}

static int parse_args(int argc, char **argv, run_args *a)
{
    static const char *const valued[] = {"--mode", "--model", "--seed", "--seeds", "--jobs", "-j",
                                         "--junit", "--json", "--report", "--trace"};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *name = NULL;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0] && name == NULL; k++) {
            name = cli_is_flag(arg, valued[k]) ? valued[k] : NULL;
        }
        if (name == NULL && strncmp(arg, "-j", 2) == 0 && arg[2] >= '0' && arg[2] <= '9') {
            int rc = option(a, "-j", arg + 2); /* -j2 */
            if (rc != CLI_EXIT_OK) {
                return rc;
            }
            continue;
        }
        int rc = CLI_EXIT_OK;
        sg_error err = {{0}};
        if (name != NULL) {
            const char *v = cli_flag_value(argc, argv, &i, name);
            rc = v == NULL ? CLI_EXIT_USAGE : option(a, name, v);
        } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            a->quiet = true;
        } else if (strcmp(arg, "--verbose") == 0 || strcmp(arg, "-v") == 0) {
            a->verbose = true;
        } else if (arg[0] == '-') {
            rc = cli_usage_error("run", "unknown option '%s' (see stormglass run --help)", arg);
        } else if (storm_collect(&a->files, arg, &err) != SG_OK) {
            rc = cli_usage_error("run", "%s", err.msg);
        }
        if (rc != CLI_EXIT_OK) {
            return rc;
        }
    }
    return a->files.count == 0 ? cli_usage_error("run", "no storm files named (give files or folders)")
                               : CLI_EXIT_OK;
}

typedef struct printer {
    const run_args *args;
    bool progress;     /* a progress line on stderr */
    bool tty;
} printer;

static void print_failure(const storm_entry *e, const storm_outcome *o)
{
    const storm *s = e->storm;
    char t[32], replay[STORM_PATH_MAX + 96], line[STORM_EXPECT_TEXT_MAX + 64];
    sg_format_duration(o->result.end_ns, t, sizeof t);
    storm_replay_command(e, o->model, o->seed, replay, sizeof replay);
    if (o->status != SG_OK) {
        printf("ERROR %s [%s] seed %llu: %s\n", s->scenario.name, s->scenario.models[o->model],
               (unsigned long long)o->seed, o->error);
    }
    for (uint32_t i = 0; i < o->verdict_count; i++) {
        const storm_verdict *v = &o->verdicts[i];
        if (v->passed) {
            continue;
        }
        const storm_expect *x = &s->expects[v->expect];
        storm_verdict_text(s, v, line, sizeof line);
        printf("FAIL  %s [%s] seed %llu, simulated %s: %s (bound %s %.6g)\n      expectation at %s:%u:%u\n",
               s->scenario.name, s->scenario.models[o->model], (unsigned long long)o->seed, t, line,
               storm_op_name(x->op), x->bound, s->files[x->loc.file], x->loc.line, x->loc.column);
    }
    const sim_violation *first = sim_result_first_violation(&o->result);
    if (first != NULL) {
        char at[32];
        sg_format_duration(first->at, at, sizeof at);
        printf("      first oracle violation at %s (%s): %s\n", at, sim_oracle_name(first->oracle), first->event);
    }
    printf("      replay: %s\n", replay);
}

static void print_verdicts(const storm *s, const storm_outcome *o)
{
    char line[STORM_EXPECT_TEXT_MAX + 64];
    for (uint32_t i = 0; i < o->verdict_count; i++) {
        storm_verdict_text(s, &o->verdicts[i], line, sizeof line);
        const char *tag = !o->verdicts[i].passed ? "FAIL" : o->verdicts[i].held ? "ok  " : "GAP ";
        printf("      %s %s\n", tag, line);
    }
}

static void on_outcome(void *ctx, const storm_report *r, const storm_outcome *o, uint64_t done, uint64_t total)
{
    printer *pr = ctx;
    const storm_entry *e = &r->entries[o->entry];
    bool passed = storm_outcome_passed(o);
    if (pr->progress && pr->tty) {
        fputs("\r\033[K", stderr);
    }
    if (!passed) {
        print_failure(e, o);
    } else if (!pr->args->quiet && (!pr->progress || pr->args->verbose)) {
        printf("ok    %-34s %-16s seed %-6llu %u/%u expectations  %.2fs\n", e->storm->scenario.name,
               e->storm->scenario.models[o->model], (unsigned long long)o->seed, o->verdict_count - o->failed,
               o->verdict_count, o->wall_s);
    }
    if (pr->args->verbose) {
        print_verdicts(e->storm, o);
    }
    (void)fflush(stdout);
    if (pr->progress && (pr->tty || done % (total / 20 + 1) == 0 || done == total)) {
        uint64_t failed = r->failed_runs + r->errors + (passed ? 0u : 1u); /* this one is not folded yet */
        fprintf(stderr, "%s[%llu/%llu runs, %llu failed] %s [%s] seed %llu%s", pr->tty ? "" : "progress ",
                (unsigned long long)done, (unsigned long long)total, (unsigned long long)failed, e->storm->scenario.name,
                e->storm->scenario.models[o->model], (unsigned long long)o->seed, pr->tty ? "" : "\n");
    }
}

static int write_reports(const run_args *a, const storm_report *r)
{
    int rc = CLI_EXIT_OK;
    const char *paths[] = {a->junit, a->json};
    for (int k = 0; k < 2; k++) {
        if (paths[k] == NULL) {
            continue;
        }
        FILE *out = fopen(paths[k], "w");
        sg_status st = out == NULL ? SG_E_INVALID : k == 0 ? storm_write_junit(r, out) : storm_write_json(r, out);
        if (out == NULL || fclose(out) != 0 || st != SG_OK) {
            fprintf(stderr, "stormglass run: cannot write %s\n", paths[k]);
            rc = CLI_EXIT_FAILED;
        }
    }
    sg_error err = {{0}};
    if (a->report != NULL && storm_write_html(r, a->report, &err) != SG_OK) {
        fprintf(stderr, "stormglass run: report: %s\n", err.msg);
        rc = CLI_EXIT_FAILED;
    }
    return rc;
}

static void print_parse_errors(const storm_report *r)
{
    for (uint32_t i = 0; i < r->count; i++) {
        if (r->entries[i].storm == NULL) {
            char msg[STORM_ERROR_MSG_MAX + STORM_PATH_MAX + 32];
            storm_error_format(&r->entries[i].parse_error, msg, sizeof msg);
            fprintf(stderr, "%s\n", msg);
        }
    }
}

static int run_all(run_args *a, storm_report *r)
{
    for (uint32_t i = 0; i < a->files.count; i++) {
        if (storm_report_add_file(r, a->files.paths[i]) != SG_OK) {
            fprintf(stderr, "stormglass run: %s: cannot load (too many files or out of memory)\n", a->files.paths[i]);
            return CLI_EXIT_FAILED;
        }
    }
    print_parse_errors(r);
    FILE *trace = NULL;
    if (a->trace != NULL) {
        size_t n = strlen(a->trace);
        trace = fopen(a->trace, "w");
        if (trace == NULL) {
            return cli_usage_error("run", "--trace: cannot open %s", a->trace);
        }
        bool chrome = n > 5 && strcmp(a->trace + n - 5, ".json") == 0;
        *(chrome ? &a->plan.trace_chrome : &a->plan.trace_jsonl) = trace;
    }
    printer pr = {a, false, isatty(STDERR_FILENO) != 0};
    sg_error err = {{0}};
    storm_plan probe = a->plan;
    pr.progress = !a->quiet && a->plan.seeds_given && a->plan.seed_last - a->plan.seed_first + 1 >= PROGRESS_MIN_RUNS;
    sg_status st = storm_report_run(r, &probe, storm_exec_default, NULL, on_outcome, &pr, &err);
    if (trace != NULL) {
        (void)fclose(trace);
    }
    if (pr.progress && pr.tty) {
        fputs("\r\033[K", stderr);
    }
    if (st != SG_OK) {
        return cli_usage_error("run", "%s", err.msg);
    }
    int rc = write_reports(a, r);
    bool passed = storm_report_passed(r);
    printf("run: %u storm file%s, %llu runs, %llu failed, %llu errors, %llu with a known gap, %.1f s: %s\n",
           r->count, r->count == 1 ? "" : "s", (unsigned long long)r->runs, (unsigned long long)r->failed_runs,
           (unsigned long long)r->errors, (unsigned long long)r->known_gap_runs, r->wall_s,
           passed ? "every expectation held" : "FAILED");
    return passed && rc == CLI_EXIT_OK ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

int cli_run(int argc, char **argv)
{
    run_args *a = calloc(1, sizeof *a);
    storm_report *r = calloc(1, sizeof *r);
    if (a == NULL || r == NULL) {
        free(a);
        free(r);
        fprintf(stderr, "stormglass run: out of memory\n");
        return CLI_EXIT_FAILED;
    }
    a->plan = storm_plan_default();
    storm_file_list_init(&a->files);
    storm_report_init(r);
    int rc = parse_args(argc, argv, a);
    if (rc == CLI_EXIT_OK) {
        rc = run_all(a, r);
    }
    storm_report_free(r);
    storm_file_list_free(&a->files);
    free(r);
    free(a);
    return rc;
}

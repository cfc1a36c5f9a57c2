/*
 * test_storm_run.c - the runner with a hand-made executor: plans (modes,
 * models, seed sweeps), judging and folding, the same report whether runs
 * happen here or in forked processes, and a crashing run turned into a
 * failed outcome instead of a crashed runner.
 */
#include <signal.h>
#include <stdlib.h>

#include "sim/storm_run.h"
#include "sim/storm_write.h"
#include "storm_fixture.h"

#define STORM_TEXT                                                                            \
    "title fake\nmodels core stock first-fix\nworkers 1\n"                                    \
    "expect core: spurious_drops == 0\n"                                                      \
    "expect legacy: clients_dropped > 0\n"

/* core: spurious_drops = 1 on seeds divisible by 7 (a planted failure);
 * stock: clients_dropped = seed; first-fix: clients_dropped = 0 on seed 3.
 * Seed 13 of first-fix crashes (the pool must survive it). */
static sg_status fake_exec(void *ctx, const storm *s, int model, uint64_t seed, bool keep_series,
                           const storm_plan *plan, storm_outcome *out)
{
    (void)ctx;
    (void)plan;
    const char *name = s->scenario.models[model];
    if (strcmp(name, "first-fix") == 0 && seed == 13) {
        abort();
    }
    sim_result *r = &out->result;
    r->end_ns = S(60);
    r->metrics[SIM_M_EVENTS] = 100.0;
    if (storm_model_is_core(name)) {
        r->metrics[SIM_M_SPURIOUS_DROPS] = seed % 7 == 0 ? 1.0 : 0.0;
    } else {
        r->metrics[SIM_M_CLIENTS_DROPPED] = strcmp(name, "stock") == 0 ? (double)seed : (seed == 3 ? 0.0 : 5.0);
    }
    if (keep_series) {
        r->samples = 4;
        r->sample_period_ns = S(15);
        r->series[SIM_S_CONNECTED] = calloc(4, sizeof(double));
        if (r->series[SIM_S_CONNECTED] == NULL) {
            return SG_E_NOMEM;
        }
        r->series[SIM_S_CONNECTED][2] = (double)seed;
    }
    return SG_OK;
}

static storm_report *report_for(void)
{
    static storm s;
    memfs fs = {0};
    char msg[256];
    assert_int_equal(parse_with(&fs, "scenarios/fake.storm", STORM_TEXT, &s, msg, sizeof msg), SG_OK);
    storm_report *r = calloc(1, sizeof *r);
    assert_non_null(r);
    storm_report_init(r);
    assert_int_equal(storm_report_add_storm(r, "scenarios/fake.storm", &s), SG_OK);
    return r;
}

static void single_seed_both_modes(void **state)
{
    (void)state;
    storm_report *r = report_for();
    storm_plan plan = storm_plan_default();
    sg_error err = {{0}};
    assert_int_equal(storm_report_run(r, &plan, fake_exec, NULL, NULL, NULL, &err), SG_OK);
    assert_int_equal(r->runs, 3); /* storm seed 1, three models */
    assert_true(storm_report_passed(r));
    const storm_model_summary *core = &r->entries[0].models[0];
    assert_true(core->has_first);
    assert_int_equal(core->first.seed, 1);
    assert_int_equal(core->first.verdict_count, 1);
    assert_non_null(core->first.result.series[SIM_S_CONNECTED]);
    storm_report_free(r);
    free(r);
}

static void sweep_keeps_smallest_failing_seeds(void **state)
{
    (void)state;
    storm_report *r = report_for();
    storm_plan plan = storm_plan_default();
    plan.seeds_given = true;
    plan.seed_first = 1;
    plan.seed_last = 40;
    plan.mode = STORM_MODE_CORE;
    sg_error err = {{0}};
    assert_int_equal(storm_report_run(r, &plan, fake_exec, NULL, NULL, NULL, &err), SG_OK);
    assert_int_equal(r->runs, 40);
    assert_false(storm_report_passed(r));
    const storm_model_summary *core = &r->entries[0].models[0];
    assert_int_equal(core->failed_runs, 5); /* 7 14 21 28 35 */
    assert_int_equal(core->failing_kept, 5);
    assert_int_equal(core->failing_seeds[0], 7);
    assert_int_equal(core->failing_seeds[4], 35);
    assert_int_equal(core->failure.seed, 7);
    assert_null(core->failure.result.series[SIM_S_CONNECTED]); /* only the first seed keeps series */
    assert_int_equal(r->entries[0].models[1].runs, 0);        /* legacy not selected */
    char cmd[512];
    storm_replay_command(&r->entries[0], 0, 7, cmd, sizeof cmd);
    assert_string_equal(cmd, "stormglass run scenarios/fake.storm --model core --seed 7");
    storm_report_free(r);
    free(r);
}

static void named_models_and_bad_plans(void **state)
{
    (void)state;
    storm_report *r = report_for();
    storm_plan plan = storm_plan_default();
    plan.model_count = 1;
    strcpy(plan.models[0], "first-fix");
    plan.seeds_given = true;
    plan.seed_first = plan.seed_last = 3;
    sg_error err = {{0}};
    assert_int_equal(storm_report_run(r, &plan, fake_exec, NULL, NULL, NULL, &err), SG_OK);
    assert_int_equal(r->runs, 1);
    assert_int_equal(r->failed_runs, 1); /* first-fix did not reproduce on seed 3 */
    plan.jobs = 0;
    assert_int_equal(storm_report_run(r, &plan, fake_exec, NULL, NULL, NULL, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "jobs"));
    plan.jobs = 1;
    plan.trace_jsonl = stderr;
    plan.model_count = 0; /* three runs: a trace needs exactly one */
    assert_int_equal(storm_report_run(r, &plan, fake_exec, NULL, NULL, NULL, &err), SG_E_INVALID);
    assert_non_null(strstr(err.msg, "trace"));
    storm_report_free(r);
    free(r);
}

static char *json_of(const storm_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(storm_write_json(r, out), SG_OK);
    assert_int_equal(fclose(out), 0);
    /* host time and the job count differ between the runs: blank them out */
    static const char *const keys[] = {"\"host_wall_s\": ", "\"jobs\": "};
    for (size_t k = 0; k < 2; k++) {
        char *t = strstr(buf, keys[k]);
        if (t != NULL) {
            char *v = t + strlen(keys[k]);
            size_t n = strcspn(v, ",}");
            memmove(v + 1, v + n, strlen(v + n) + 1);
            *v = '0';
        }
    }
    return buf;
}

static void counting_callback(void *ctx, const storm_report *r, const storm_outcome *o, uint64_t done,
                              uint64_t total)
{
    (void)r;
    (void)o;
    uint64_t *calls = ctx;
    (*calls)++;
    assert_true(done <= total);
}

/* Forked runs give the very same report as in-process ones, and the
 * crashing seed is an error outcome naming the signal. */
static void pool_matches_in_process_and_survives_crashes(void **state)
{
    (void)state;
    storm_plan plan = storm_plan_default();
    plan.seeds_given = true;
    plan.seed_first = 10;
    plan.seed_last = 16;
    plan.model_count = 2;
    strcpy(plan.models[0], "core");
    strcpy(plan.models[1], "stock");
    storm_report *a = report_for(), *b = report_for();
    sg_error err = {{0}};
    assert_int_equal(storm_report_run(a, &plan, fake_exec, NULL, NULL, NULL, &err), SG_OK);
    plan.jobs = 3;
    uint64_t calls = 0;
    assert_int_equal(storm_report_run(b, &plan, fake_exec, NULL, counting_callback, &calls, &err), SG_OK);
    assert_int_equal(calls, 14);
    char *ja = json_of(a), *jb = json_of(b);
    assert_string_equal(ja, jb);
    assert_non_null(b->entries[0].models[0].first.result.series[SIM_S_CONNECTED]);
    assert_true(b->entries[0].models[0].first.result.series[SIM_S_CONNECTED][2] > 9.9);

    storm_plan crash = storm_plan_default();
    crash.seeds_given = true;
    crash.seed_first = 12;
    crash.seed_last = 14;
    crash.jobs = 2;
    crash.model_count = 1;
    strcpy(crash.models[0], "first-fix");
    storm_report *c = report_for();
    assert_int_equal(storm_report_run(c, &crash, fake_exec, NULL, NULL, NULL, &err), SG_OK);
    const storm_model_summary *ff = &c->entries[0].models[2];
    assert_int_equal(ff->runs, 3);
    assert_int_equal(ff->errors, 1);
    assert_int_equal(ff->failing_seeds[0], 13);
    assert_non_null(strstr(ff->failure.error, "run crashed: signal"));
    free(ja);
    free(jb);
    storm_report_free(a);
    storm_report_free(b);
    storm_report_free(c);
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_seed_both_modes),
        cmocka_unit_test(sweep_keeps_smallest_failing_seeds),
        cmocka_unit_test(named_models_and_bad_plans),
        cmocka_unit_test(pool_matches_in_process_and_survives_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_trace.c - the trace outputs: the JSON-lines event log and the
 * Chrome/Perfetto trace file, and that writing them never changes the
 * run (same trace hash with and without outputs).
 */
#include "sim_test.h"

#include <stdio.h>
#include <stdlib.h>

#include "trace.h"

static void fnv1a_matches_reference_vectors(void **state)
{
    (void)state;
    assert_true(sim_fnv1a64(SIM_TRACE_HASH_INIT, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(sim_fnv1a64(SIM_TRACE_HASH_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(sim_fnv1a64(SIM_TRACE_HASH_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
}

static void outputs_are_written_and_do_not_change_the_run(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    sim_fault f = down_at(S(30), S(20));
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    char *jl = NULL, *ch = NULL;
    size_t jl_len = 0, ch_len = 0;
    FILE *jf = open_memstream(&jl, &jl_len);
    FILE *cf = open_memstream(&ch, &ch_len);
    sim_run_options opt = {.trace_jsonl = jf, .trace_chrome = cf};
    sim_model_set m = toy_models(&toy_model_resync);
    sim_result with, without;
    assert_int_equal(sim_run(&s, &m, 3, &opt, &with, NULL), SG_OK);
    fclose(jf);
    fclose(cf);
    assert_int_equal(sim_run(&s, &m, 3, NULL, &without, NULL), SG_OK);
    assert_true(with.trace_hash == without.trace_hash);
    /* JSON lines: one object per record */
    size_t lines = 0;
    for (size_t i = 0; i < jl_len; i++) {
        lines += jl[i] == '\n';
    }
    assert_true(lines >= (size_t)with.metrics[SIM_M_EVENTS]);
    assert_memory_equal(jl, "{\"t\":", 5);
    assert_non_null(strstr(jl, "\"ev\":\"bb.deliver\""));
    assert_non_null(strstr(jl, "\"ev\":\"client.closed\""));
    /* Chrome trace: an object with traceEvents, counters, spans, lanes */
    assert_memory_equal(ch, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", 39);
    assert_string_equal(ch + ch_len - 4, "\n]}\n");
    assert_non_null(strstr(ch, "\"ph\":\"C\""));
    assert_non_null(strstr(ch, "\"ph\":\"X\""));
    assert_non_null(strstr(ch, "\"name\":\"backbone down\""));
    assert_non_null(strstr(ch, "\"name\":\"worker 1\""));
    free(jl);
    free(ch);
    sim_result_free(&with);
    sim_result_free(&without);
}

static void result_as_json(void **state)
{
    (void)state;
    sim_scenario s;
    small_scenario(&s, SIM_BACKBONE_REDIS);
    s.workload.publisher = 0;
    sim_fault f = sim_fault_make(SIM_FAULT_PARTITION, S(30));
    f.target = 1;
    f.duration_ns = S(20);
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_noresync, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    sim_result_write_json(out, &r, true);
    fclose(out);
    const char *head = "{\"model\":\"toy-noresync\",\"seed\":1,";
    assert_memory_equal(buf, head, strlen(head));
    assert_non_null(strstr(buf, "\"clients_total\":10,"));
    assert_non_null(strstr(buf, "\"per_oracle\":{\"convergence\":1,"));
    assert_non_null(strstr(buf, "\"connected_clients\":["));
    assert_non_null(strstr(buf, "\"oracle\":\"convergence\",\"at_s\":"));
    assert_string_equal(buf + len - 4, "]}}\n");
    free(buf);
    sim_result_free(&r);
}

/* The trace hash of one fixed run, recorded once.  `make test` builds and
 * runs this suite with gcc and with clang, so both compilers (and the
 * sanitizer build) must reproduce the same simulation bit for bit.  A
 * deliberate change to the simulator's behaviour changes it: update the
 * constant in the same commit and say why. */
#define GOLDEN_HASH 0x6eb75401b7ce1baeULL

static void golden_hash_across_compilers(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_init(&s);
    s.topology.clients_per_worker = 5;
    s.bcast.clients_max = 64;
    s.duration_ns = S(120);
    sim_fault f = down_at(S(30), S(20));
    assert_int_equal(sim_scenario_add_fault(&s, &f), SG_OK);
    sim_result r = run_ok(&s, &toy_model_resync, 1);
    if (r.trace_hash != GOLDEN_HASH) {
        print_error("trace hash %016llx, golden %016llx\n", (unsigned long long)r.trace_hash,
                    (unsigned long long)GOLDEN_HASH);
    }
    assert_true(r.trace_hash == GOLDEN_HASH);
    sim_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fnv1a_matches_reference_vectors),
        cmocka_unit_test(outputs_are_written_and_do_not_change_the_run),
        cmocka_unit_test(golden_hash_across_compilers),
        cmocka_unit_test(result_as_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

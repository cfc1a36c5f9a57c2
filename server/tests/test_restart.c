/*
 * test_restart.c - the real stormglassd around its restarts: clients that
 * registered before the backbone subscription was live get their states
 * again (the core's SG_ACT_REFETCH), a graceful stop says the core's
 * goodbye on the backbone (after the replay buffer drained, and honestly
 * when it could not), the state marker tells the next start how the last
 * one ended (after_unclean_exit), and every start has a new epoch.
 *
 * Readiness comes from the server itself: its log lines (event=...) and
 * /metrics, polled with a bound; the startup race is produced with the
 * --drill-hold-subscribe drill (SUBSCRIBE withheld until SIGUSR2), never
 * with a sleep.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "test_util.h"

#define WAIT_MS 5000

static char state_dir[64]; /* the current test's --state-dir, removed at teardown */

static void start(sd_proc *p, const char *const *args)
{
    assert_true(sd_proc_start(p, args));
}

/* The very next text message (no skipping: order is what is tested). */
static void next_text(int fd, char *buf, size_t size)
{
    size_t len = 0;
    unsigned code = 0;
    assert_int_equal(sd_ws_read(fd, buf, size, &len, &code, WAIT_MS), 1);
}

static void expect_next(int fd, const char *type, const char *topic, const char *payload)
{
    char buf[2048], want[256];
    next_text(fd, buf, sizeof buf);
    snprintf(want, sizeof want, "{\"type\":\"%s\",\"topic\":\"%s\",", type, topic);
    if (strstr(buf, want) == NULL || strstr(buf, payload) == NULL) {
        fail_msg("expected %s %s %s, got %s", type, topic, payload, buf);
    }
}

static void make_state_dir(void)
{
    snprintf(state_dir, sizeof state_dir, "/tmp/stormglassd-state-XXXXXX");
    assert_non_null(mkdtemp(state_dir));
}

static void read_marker(char *out, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/worker-0.state", state_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    fclose(f);
}

static void expect_marker(const char *status, const char *epoch)
{
    char text[256], want[128];
    read_marker(text, sizeof text);
    snprintf(want, sizeof want, "status=%s epoch=%s\n", status, epoch);
    if (strstr(text, want) == NULL) {
        fail_msg("marker: expected \"%s\", got \"%s\"", want, text);
    }
}

/* Stops with a signal and waits; the log stays for the checks that follow. */
static int stop_keep_log(sd_proc *p, int signum)
{
    kill(p->pid, signum);
    return sd_proc_wait(p, WAIT_MS);
}

static void expect_log_value(const sd_proc *p, const char *event, const char *key, const char *want)
{
    char v[64];
    if (!sd_proc_log_value(p, event, key, v, sizeof v) || strcmp(v, want) != 0) {
        fail_msg("event=%s %s: expected %s", event, key, want);
    }
}

static void epoch_of(const sd_proc *p, char *out, size_t size)
{
    assert_true(sd_proc_log_value(p, "listening", "epoch", out, size));
}

/* A client that registered and fetched while the subscription was held
 * back gets every topic's state again once it is live; one that came
 * after does not.  The refetched state never goes behind what the client
 * already has: a publish buffered while the reader was not reading reached
 * it at once (immediate policy) but reaches the store only at its replay,
 * so the store's older answer must not win. */
static void test_refetch_after_the_subscription_goes_live(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--drill-hold-subscribe", "--resync-settle-seconds", "0.3",
                          "--resync-settle-jitter-seconds", "0", NULL};
    start(&p, args);
    assert_true(sd_proc_wait_log(&p, "event=drill_subscribe_held", WAIT_MS));
    int early = sd_ws_open(p.port);
    assert_true(early >= 0);
    assert_true(sd_ws_subscribe(early, "[\"r\",\"q\"]"));
    char buf[2048];
    next_text(early, buf, sizeof buf);
    next_text(early, buf + 1024, sizeof buf - 1024);
    assert_non_null(strstr(buf, "\"type\":\"state\""));
    assert_non_null(strstr(buf + 1024, "\"type\":\"state\""));
    assert_int_equal(sd_publish(p.port, "r", 1, NULL), 202); /* buffered: the reader is not reading */
    expect_next(early, "update", "r", "{\"n\":1}");
    assert_int_equal(sd_metric(p.port, "stormglass_core_buffered_total"), 1);

    kill(p.pid, SIGUSR2); /* the subscription goes live */
    /* both topics again, as states; r is the buffered publish, not the store's null */
    char first[1024], second[1024];
    next_text(early, first, sizeof first);
    next_text(early, second, sizeof second);
    const char *r_state = strstr(first, "\"topic\":\"r\"") != NULL ? first : second;
    const char *q_state = r_state == first ? second : first;
    assert_non_null(strstr(r_state, "{\"type\":\"state\",\"topic\":\"r\","));
    assert_non_null(strstr(r_state, "\"payload\":{\"n\":1}"));
    assert_non_null(strstr(q_state, "{\"type\":\"state\",\"topic\":\"q\","));
    assert_non_null(strstr(q_state, "\"payload\":null"));

    assert_true(sd_wait_metric(p.port, "stormglass_reader_state{state=\"reading\"}", 1));
    int late = sd_ws_open(p.port);
    assert_true(late >= 0);
    assert_true(sd_ws_subscribe(late, "[\"r\"]"));
    expect_next(late, "state", "r", "{\"n\":1}");
    assert_int_equal(sd_publish(p.port, "r", 2, NULL), 202);
    expect_next(early, "update", "r", "{\"n\":2}"); /* updates again, not states */
    expect_next(late, "update", "r", "{\"n\":2}");
    assert_int_equal(sd_metric(p.port, "stormglass_core_clients_refetched_total"), 1); /* not `late` */
    assert_int_equal(sd_metric(p.port, "stormglass_refetch_clients_total"), 1);
    /* the replay lands; a newcomer gets the newest state */
    assert_true(sd_wait_metric(p.port, "stormglass_core_replays_total", 1)); /* n:2 may have been sent live */
    int newcomer = sd_ws_open(p.port);
    assert_true(newcomer >= 0);
    assert_true(sd_ws_subscribe(newcomer, "[\"r\"]"));
    expect_next(newcomer, "state", "r", "{\"n\":2}");
    close(early);
    close(late);
    close(newcomer);
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

/* After a reconnect (resync off, so no 1012 closes everyone), a client
 * that subscribed while the reader was reconnecting is refetched.  Its
 * topic's store holds an older state than the publish buffered meanwhile,
 * which the client already got: the refetch must send that publish, not
 * the store's older state. */
static void test_refetch_never_goes_behind_a_buffered_publish(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--drill-hold-subscribe", "--resync-on-reconnect", "false", "--resync-settle-seconds",
                          "0.3", "--resync-settle-jitter-seconds", "0", "--backoff-min-seconds", "0.02",
                          "--backoff-max-seconds", "0.05", NULL};
    start(&p, args);
    assert_true(sd_proc_wait_log(&p, "event=drill_subscribe_held", WAIT_MS));
    kill(p.pid, SIGUSR2);
    assert_true(sd_wait_metric(p.port, "stormglass_reader_state{state=\"reading\"}", 1));
    assert_int_equal(sd_publish(p.port, "r", 0, NULL), 202); /* the store holds n:0 */
    assert_true(sd_wait_metric(p.port, "stormglass_core_own_echoes_total", 1));
    kill(p.pid, SIGUSR1); /* drop; the reconnect's SUBSCRIBE is held */
    assert_true(sd_wait_metric(p.port, "stormglass_core_drops_total", 1));
    assert_true(sd_wait_metric(p.port, "stormglass_reader_state{state=\"subscribing\"}", 1));
    int fd = sd_ws_open(p.port);
    assert_true(fd >= 0);
    assert_true(sd_ws_subscribe(fd, "[\"r\"]"));
    expect_next(fd, "state", "r", "{\"n\":0}");
    assert_int_equal(sd_publish(p.port, "r", 1, NULL), 202); /* buffered; our client has it at once */
    expect_next(fd, "update", "r", "{\"n\":1}");
    kill(p.pid, SIGUSR2);
    expect_next(fd, "state", "r", "{\"n\":1}"); /* the refetch: not the store's n:0 */
    assert_true(sd_wait_metric(p.port, "stormglass_core_replays_total", 1));
    assert_int_equal(sd_publish(p.port, "r", 2, NULL), 202);
    expect_next(fd, "update", "r", "{\"n\":2}");
    assert_int_equal(sd_metric(p.port, "stormglass_core_clients_refetched_total"), 1);
    close(fd);
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

/* Three publishes buffered while the subscription is held, the
 * subscription released, then SIGTERM (exit 0); the log stays. */
static void buffer_three_then_stop(sd_proc *p, const char *const *args)
{
    start(p, args);
    assert_true(sd_proc_wait_log(p, "event=drill_subscribe_held", WAIT_MS));
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(sd_publish(p->port, "g", i, NULL), 202);
    }
    assert_int_equal(sd_metric(p->port, "stormglass_replay_buffer_items"), 3);
    kill(p->pid, SIGUSR2);
    assert_true(sd_proc_wait_log(p, "event=backbone_subscribed", WAIT_MS));
    assert_int_equal(stop_keep_log(p, SIGTERM), 0);
}

/* SIGTERM: the goodbye goes out after the replay buffer drained, and says
 * nothing was lost. */
static void test_graceful_stop_drains_then_says_goodbye(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--drill-hold-subscribe", "--resync-settle-seconds", "0.2",
                          "--resync-settle-jitter-seconds", "0", "--shutdown-drain-timeout", "4", NULL};
    buffer_three_then_stop(&p, args); /* the settle has not passed at the stop */
    expect_log_value(&p, "goodbye", "lossless", "true");
    expect_log_value(&p, "goodbye", "replay_items", "0");
    expect_log_value(&p, "goodbye", "last_seq", "3");
    assert_true(sd_proc_log_has(&p, "note=replay-done value=3"));
    assert_true(sd_proc_log_has(&p, "event=goodbye_sent ok=true"));
    expect_log_value(&p, "shutdown_done", "goodbye", "sent");
    unlink(p.log_path);
}

/* Negative control: no time to drain, so the goodbye admits the three
 * buffered publishes (after-loss flag, seq counting them). */
static void test_goodbye_without_drain_admits_the_loss(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--drill-hold-subscribe", "--resync-settle-seconds", "5",
                          "--shutdown-drain-timeout", "0", NULL};
    buffer_three_then_stop(&p, args); /* the settle has not passed at the stop */
    expect_log_value(&p, "goodbye", "lossless", "false");
    expect_log_value(&p, "goodbye", "after_loss_flag", "true");
    expect_log_value(&p, "goodbye", "last_seq", "3");
    assert_true(sd_proc_log_has(&p, "event=goodbye_sent ok=true")); /* said, honestly */
    unlink(p.log_path);
}

/* The backbone is down at the stop: nothing can drain and the goodbye
 * cannot be sent; the process still exits 0 at once. */
static void test_goodbye_with_the_backbone_down(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--backbone", "memory://?refuse=always", "--backoff-min-seconds", "0.05",
                          "--backoff-max-seconds", "0.1", NULL};
    start(&p, args);
    assert_int_equal(sd_publish(p.port, "d", 1, NULL), 202);
    assert_int_equal(stop_keep_log(&p, SIGTERM), 0);
    expect_log_value(&p, "goodbye", "handed_to_backbone", "false");
    expect_log_value(&p, "goodbye", "lossless", "false");
    expect_log_value(&p, "shutdown_done", "goodbye", "unsent");
    unlink(p.log_path);
}

static void expect_start_flag(sd_proc *p, const char *previous, const char *unclean)
{
    expect_log_value(p, "state_marker", "previous", previous);
    expect_log_value(p, "state_marker", "after_unclean_exit", unclean);
    assert_int_equal(sd_metric(p->port, "stormglass_started_after_unclean_exit"), strcmp(unclean, "true") == 0);
}

/* start -> running; SIGTERM -> clean; kill -9 -> the next start sets
 * after_unclean_exit; its first message carries the flag, and once it
 * said a lossless goodbye the marker is clean again. */
static void test_state_marker_lifecycle(void **state)
{
    (void)state;
    make_state_dir();
    const char *args[] = {"--state-dir", state_dir, NULL};
    sd_proc p;
    char e1[32], e2[32], e3[32];

    start(&p, args); /* first start: no marker, no flag */
    expect_start_flag(&p, "none", "false");
    epoch_of(&p, e1, sizeof e1);
    expect_marker("running", e1);
    assert_int_equal(stop_keep_log(&p, SIGTERM), 0);
    expect_marker("clean", e1);
    expect_log_value(&p, "shutdown_done", "marker", "clean");
    unlink(p.log_path);

    start(&p, args); /* after a clean stop */
    expect_start_flag(&p, "clean", "false");
    epoch_of(&p, e2, sizeof e2);
    assert_string_not_equal(e1, e2);
    expect_marker("running", e2);
    assert_int_equal(stop_keep_log(&p, SIGKILL), 128 + SIGKILL);
    expect_marker("running", e2);
    unlink(p.log_path);

    start(&p, args); /* after a crash */
    expect_start_flag(&p, "running", "true");
    epoch_of(&p, e3, sizeof e3);
    assert_string_not_equal(e2, e3);
    assert_int_equal(sd_publish(p.port, "m", 1, NULL), 202); /* carries the after-loss flag */
    assert_int_equal(stop_keep_log(&p, SIGTERM), 0);
    expect_marker("clean", e3);
    unlink(p.log_path);
}

/* An instance after a crash that stops before it ever published has not
 * told anyone about the loss: its goodbye carries the flag, and the
 * marker stays "running" for the next one. */
static void test_marker_stays_unclean_until_the_loss_is_told(void **state)
{
    (void)state;
    make_state_dir();
    const char *args[] = {"--state-dir", state_dir, NULL};
    sd_proc p;
    char e[32];
    start(&p, args);
    assert_int_equal(stop_keep_log(&p, SIGKILL), 128 + SIGKILL);
    unlink(p.log_path);
    start(&p, args);
    expect_start_flag(&p, "running", "true");
    epoch_of(&p, e, sizeof e);
    assert_int_equal(stop_keep_log(&p, SIGTERM), 0);
    expect_log_value(&p, "goodbye", "after_loss_flag", "true");
    expect_marker("running", e);
    expect_log_value(&p, "shutdown_done", "marker", "running");
    unlink(p.log_path);
}

/* A give-up (exit 3) says no goodbye: the next start is after an unclean exit. */
static void test_give_up_leaves_the_marker_unclean(void **state)
{
    (void)state;
    make_state_dir();
    const char *give_up[] = {"--state-dir", state_dir, "--backbone", "memory://?refuse=always",
                             "--reconnect-max-retries", "2", "--backoff-min-seconds", "0.02",
                             "--backoff-max-seconds", "0.05", NULL};
    sd_proc p;
    start(&p, give_up);
    assert_int_equal(sd_proc_wait(&p, WAIT_MS), 3);
    assert_true(sd_proc_log_has(&p, "event=goodbye_skipped"));
    unlink(p.log_path);
    const char *args[] = {"--state-dir", state_dir, NULL};
    start(&p, args);
    expect_start_flag(&p, "running", "true");
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

/* A state directory that is not usable refuses the start, naming the setting. */
static void test_unusable_state_dir_refuses_the_start(void **state)
{
    (void)state;
    const char *missing[] = {"--state-dir", "/nonexistent/stormglassd-state", NULL};
    sd_proc p;
    assert_false(sd_proc_start(&p, missing));
    assert_int_equal(sd_proc_wait(&p, WAIT_MS), 2);
    assert_true(sd_proc_log_has(&p, "--state-dir: /nonexistent/stormglassd-state: No such file or directory"));
    unlink(p.log_path);
    make_state_dir();
    char not_a_dir[128];
    snprintf(not_a_dir, sizeof not_a_dir, "%s/worker-0.state", state_dir);
    assert_int_equal(mkdir(not_a_dir, 0700), 0); /* the marker's name is taken by a directory */
    const char *taken[] = {"--state-dir", state_dir, NULL};
    assert_false(sd_proc_start(&p, taken));
    assert_int_equal(sd_proc_wait(&p, WAIT_MS), 2);
    assert_true(sd_proc_log_has(&p, "--state-dir: cannot read"));
    unlink(p.log_path);
    rmdir(not_a_dir);
}

/* Without a state directory the epoch still differs on every start. */
static void test_every_start_has_a_new_epoch(void **state)
{
    (void)state;
    char seen[4][32];
    for (int i = 0; i < 4; i++) {
        sd_proc p;
        start(&p, NULL);
        epoch_of(&p, seen[i], sizeof seen[i]);
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(seen[i], seen[j]);
        }
        assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
    }
}

static int reap(void **state)
{
    (void)state;
    sd_proc_reap_all();
    if (state_dir[0] != '\0') {
        DIR *d = opendir(state_dir);
        struct dirent *e;
        while (d != NULL && (e = readdir(d)) != NULL) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", state_dir, e->d_name);
            if (e->d_name[0] != '.') {
                unlink(path);
            }
        }
        if (d != NULL) {
            closedir(d);
        }
        rmdir(state_dir);
        state_dir[0] = '\0';
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_refetch_after_the_subscription_goes_live, reap),
        cmocka_unit_test_teardown(test_refetch_never_goes_behind_a_buffered_publish, reap),
        cmocka_unit_test_teardown(test_graceful_stop_drains_then_says_goodbye, reap),
        cmocka_unit_test_teardown(test_goodbye_without_drain_admits_the_loss, reap),
        cmocka_unit_test_teardown(test_goodbye_with_the_backbone_down, reap),
        cmocka_unit_test_teardown(test_state_marker_lifecycle, reap),
        cmocka_unit_test_teardown(test_marker_stays_unclean_until_the_loss_is_told, reap),
        cmocka_unit_test_teardown(test_give_up_leaves_the_marker_unclean, reap),
        cmocka_unit_test_teardown(test_unusable_state_dir_refuses_the_start, reap),
        cmocka_unit_test_teardown(test_every_start_has_a_new_epoch, reap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

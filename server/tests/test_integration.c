/*
 * test_integration.c - the real stormglassd binary on a free loopback
 * port, driven by the C client of harness.c, plus the independent client
 * (Debian's python3-websockets, ws_python_client.py).  Each test starts
 * its own server with the settings it needs.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "test_util.h"

#define WAIT_MS 5000

static void start(sd_proc *p, const char *const *args)
{
    assert_true(sd_proc_start(p, args));
}

static void test_state_then_updates_in_order(void **state)
{
    (void)state;
    sd_proc p;
    start(&p, NULL);
    assert_int_equal(sd_publish(p.port, "prices", 0, NULL), 202);
    int fd = sd_ws_open(p.port);
    assert_true(fd >= 0);
    assert_true(sd_ws_subscribe(fd, "[\"prices\"]"));
    char buf[4096];
    assert_true(sd_ws_expect_text(fd, "\"type\":\"state\"", buf, sizeof buf, WAIT_MS));
    assert_non_null(strstr(buf, "\"payload\":{\"n\":0}"));
    for (int i = 1; i <= 50; i++) {
        assert_int_equal(sd_publish(p.port, "prices", i, NULL), 202);
    }
    for (int i = 1; i <= 50; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"payload\":{\"n\":%d}}", i);
        assert_true(sd_ws_expect_text(fd, "\"type\":\"update\"", buf, sizeof buf, WAIT_MS));
        assert_non_null(strstr(buf, want)); /* the next update is exactly the next publish */
    }
    close(fd);
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

static void test_http_answers_and_bad_requests(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--max-header-bytes", "1k", "--max-body-bytes", "2k", "--publish-token", "t0k3n", NULL};
    start(&p, args);
    char out[65536];
    assert_int_equal(sd_http(p.port, "GET", "/", NULL, NULL, out, sizeof out), 200);
    assert_int_equal(sd_http(p.port, "GET", "/healthcheck", NULL, NULL, out, sizeof out), 200);
    assert_non_null(strstr(out, "\"healthy\":true"));
    assert_int_equal(sd_http(p.port, "GET", "/metrics", NULL, NULL, out, sizeof out), 200);
    assert_non_null(strstr(out, "stormglass_websocket_clients 0"));
    assert_non_null(strstr(out, "stormglass_core_connect_attempts_total"));
    assert_int_equal(sd_http(p.port, "GET", "/nope", NULL, NULL, out, sizeof out), 404);
    assert_int_equal(sd_http(p.port, "GET", "/publish", NULL, NULL, out, sizeof out), 405);
    const char *garbage = "GARBAGE\x01\x02 / HTTP/1.1\r\n\r\n";
    assert_int_equal(sd_http_raw(p.port, garbage, strlen(garbage), out, sizeof out), 400);
    char big[4096];
    snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX-Big: %02000d\r\n\r\n", 1);
    assert_int_equal(sd_http_raw(p.port, big, strlen(big), out, sizeof out), 431);
    const char *huge = "POST /publish HTTP/1.1\r\nAuthorization: Bearer t0k3n\r\nContent-Length: 999999\r\n\r\n";
    assert_int_equal(sd_http_raw(p.port, huge, strlen(huge), out, sizeof out), 413);
    assert_int_equal(sd_publish(p.port, "t", 1, NULL), 401);
    assert_int_equal(sd_publish(p.port, "t", 1, "Authorization: Bearer wrong\r\n"), 403);
    assert_int_equal(sd_publish(p.port, "t", 1, "Authorization: Bearer t0k3n\r\n"), 202);
    assert_int_equal(sd_http(p.port, "POST", "/publish", "Authorization: Bearer t0k3n\r\n", "{\"topic\":\"bad topic\"}",
                             out, sizeof out),
                     400);
    assert_int_equal(sd_http(p.port, "POST", "/publish", "Authorization: Bearer t0k3n\r\n", "not json", out, sizeof out),
                     400);
    /* the server is still fine after all of it */
    assert_int_equal(sd_http(p.port, "GET", "/", NULL, NULL, out, sizeof out), 200);
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

static unsigned violation_close(int port, uint8_t opcode, bool masked, const void *data, size_t len)
{
    int fd = sd_ws_open(port);
    assert_true(fd >= 0);
    assert_true(sd_ws_send_frame(fd, opcode, masked, data, len));
    unsigned code = sd_ws_expect_close(fd, WAIT_MS);
    close(fd);
    return code;
}

static void test_websocket_violations_do_not_touch_others(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--max-message-bytes", "1k", NULL};
    start(&p, args);
    int good = sd_ws_open(p.port);
    assert_true(good >= 0);
    assert_true(sd_ws_subscribe(good, "[\"t\"]"));
    char buf[2048];
    assert_true(sd_ws_expect_text(good, "\"type\":\"state\"", buf, sizeof buf, WAIT_MS));
    assert_int_equal(violation_close(p.port, 1, false, "{}", 2), 1002);  /* unmasked */
    assert_int_equal(violation_close(p.port, 1, true, "\xc3\x28", 2), 1007); /* invalid UTF-8 */
    char big[2000];
    memset(big, ' ', sizeof big);
    assert_int_equal(violation_close(p.port, 1, true, big, sizeof big), 1009);
    assert_int_equal(violation_close(p.port, 2, true, "\x00", 1), 1003);
    assert_int_equal(violation_close(p.port, 0xb, true, "", 0), 1002); /* reserved opcode */
    assert_true(sd_ws_send_frame(good, 1, true, "not json", 8));
    assert_true(sd_ws_expect_text(good, "\"type\":\"error\"", buf, sizeof buf, WAIT_MS));
    assert_int_equal(sd_publish(p.port, "t", 7, NULL), 202);
    assert_true(sd_ws_expect_text(good, "\"type\":\"update\"", buf, sizeof buf, WAIT_MS));
    assert_non_null(strstr(buf, "{\"n\":7}"));
    close(good);
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

static void test_limits_connections_slowloris_slow_consumer(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--max-connections", "2", "--request-timeout", "300ms", "--send-queue-bytes", "64k",
                          "--max-body-bytes", "16k", "--send-queue-messages", "100000", NULL};
    start(&p, args);
    int slow = sd_ws_open_rcvbuf(p.port, 4096);
    int fast = sd_ws_open(p.port);
    assert_true(slow >= 0 && fast >= 0);
    char out[1024];
    const char *upgrade = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    assert_int_equal(sd_http_raw(p.port, upgrade, strlen(upgrade), out, sizeof out), 503);
    /* slowloris: half a request, then nothing: answered 408 and closed */
    const char *half = "GET / HTTP/1.1\r\nHost: x\r\n";
    assert_int_equal(sd_http_raw(p.port, half, strlen(half), out, sizeof out), 408);
    assert_true(sd_ws_subscribe(slow, "[\"big\"]"));
    assert_true(sd_ws_subscribe(fast, "[\"big\"]"));
    char buf[32768];
    assert_true(sd_ws_expect_text(fast, "\"type\":\"state\"", buf, sizeof buf, WAIT_MS));
    /* `slow` never reads: updates fill its socket buffers, then its 64 KiB
     * queue; `fast` reads every one and is never held back */
    char body[16000];
    int n = snprintf(body, sizeof body, "{\"topic\":\"big\",\"payload\":\"");
    memset(body + n, 'x', 15000);
    snprintf(body + n + 15000, sizeof body - (size_t)n - 15000, "\"}");
    int sent = 0;
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(sd_http(p.port, "POST", "/publish", NULL, body, out, sizeof out), 202);
        assert_true(sd_ws_expect_text(fast, "\"type\":\"update\"", buf, sizeof buf, WAIT_MS));
        sent++;
        if (sd_proc_log_has(&p, "event=slow_consumer")) {
            break;
        }
    }
    assert_true(sd_proc_log_has(&p, "event=slow_consumer"));
    assert_int_equal(sd_ws_expect_close(slow, WAIT_MS), 1008);
    close(slow);
    close(fast);
    assert_true(sent > 1);
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

static void test_silent_websocket_is_pinged_then_closed(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--idle-timeout", "400ms", NULL};
    start(&p, args);
    int fd = sd_ws_open(p.port);
    assert_true(fd >= 0);
    char buf[256];
    size_t len = 0;
    unsigned code = 0;
    assert_int_equal(sd_ws_read(fd, buf, sizeof buf, &len, &code, WAIT_MS), 9); /* ping at half the idle time */
    assert_int_equal(sd_ws_expect_close(fd, WAIT_MS), 1001);                  /* no answer: closed */
    close(fd);
    char out[256];
    assert_int_equal(sd_http(p.port, "GET", "/", NULL, NULL, out, sizeof out), 200);
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

static void test_graceful_shutdown_closes_1001_and_exits_0(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--shutdown-close-window", "200ms", NULL};
    start(&p, args);
    int fds[5];
    char buf[1024];
    for (int i = 0; i < 5; i++) {
        fds[i] = sd_ws_open(p.port);
        assert_true(fds[i] >= 0);
        assert_true(sd_ws_subscribe(fds[i], "[\"s\"]"));
        assert_true(sd_ws_expect_text(fds[i], "\"type\":\"state\"", buf, sizeof buf, WAIT_MS));
    }
    kill(p.pid, SIGTERM);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sd_ws_expect_close(fds[i], WAIT_MS), 1001);
        sd_ws_send_frame(fds[i], 8, true, "\x03\xe9", 2); /* answer the close */
    }
    assert_int_equal(sd_proc_wait(&p, WAIT_MS), 0);
    assert_true(sd_proc_log_has(&p, "event=shutdown_done"));
    for (int i = 0; i < 5; i++) {
        close(fds[i]);
    }
    sd_proc_stop(&p, SIGKILL, 0);
}

static void test_give_up_exits_non_zero_and_reports_unhealthy(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--backbone", "memory://?refuse=always", "--reconnect-max-retries", "3",
                          "--backoff-min-seconds", "0.05", "--backoff-max-seconds", "0.1", NULL};
    start(&p, args);
    char out[1024];
    assert_int_equal(sd_http(p.port, "GET", "/healthcheck", NULL, NULL, out, sizeof out), 200);
    int fd = sd_ws_open(p.port); /* a listener starts the reader, which cannot connect */
    assert_true(fd >= 0);
    int rc = sd_proc_wait(&p, WAIT_MS);
    assert_int_equal(rc, 3);
    assert_true(sd_proc_log_has(&p, "event=give_up"));
    assert_true(sd_proc_log_has(&p, "event=health healthy=false"));
    close(fd);
    sd_proc_stop(&p, SIGKILL, 0);
}

static void test_backbone_drop_resyncs_clients_with_1012(void **state)
{
    (void)state;
    sd_proc p;
    const char *args[] = {"--resync-settle-seconds", "0.05", "--resync-settle-jitter-seconds", "0",
                          "--resync-window", "0.1", "--backoff-min-seconds", "0.05", "--backoff-max-seconds",
                          "0.1", NULL};
    start(&p, args);
    int fd = sd_ws_open(p.port);
    assert_true(fd >= 0);
    assert_true(sd_ws_subscribe(fd, "[\"r\"]"));
    char buf[1024];
    assert_true(sd_ws_expect_text(fd, "\"type\":\"state\"", buf, sizeof buf, WAIT_MS));
    assert_true(sd_wait_metric(p.port, "stormglass_reader_state{state=\"reading\"}", 1));
    assert_int_equal(sd_publish(p.port, "r", 1, NULL), 202);
    assert_true(sd_ws_expect_text(fd, "\"n\":1", buf, sizeof buf, WAIT_MS));
    /* the session heard its echo: a drop now is a gap */
    assert_true(sd_wait_metric(p.port, "stormglass_core_own_echoes_total", 1));
    kill(p.pid, SIGUSR1); /* drill: the backbone session drops */
    assert_int_equal(sd_ws_expect_close(fd, WAIT_MS), 1012);
    close(fd);
    fd = sd_ws_open(p.port); /* reconnect and refetch: the state is the truth */
    assert_true(fd >= 0);
    assert_true(sd_ws_subscribe(fd, "[\"r\"]"));
    assert_true(sd_ws_expect_text(fd, "\"type\":\"state\"", buf, sizeof buf, WAIT_MS));
    assert_non_null(strstr(buf, "{\"n\":1}"));
    close(fd);
    assert_int_equal(sd_proc_stop(&p, SIGTERM, WAIT_MS), 0);
}

static void test_settings_refused_at_start(void **state)
{
    (void)state;
    sd_proc p;
    const char *bad[] = {"--reconnect-max-retries", "-1", NULL};
    assert_false(sd_proc_start(&p, bad));
    assert_true(sd_proc_log_has(&p, "--reconnect-max-retries"));
    assert_int_equal(sd_proc_wait(&p, WAIT_MS), 2);
    unlink(p.log_path);
}

static void test_independent_python_websockets_client(void **state)
{
    (void)state;
    int rc = system("/usr/bin/python3 server/tests/ws_python_client.py " SD_TEST_SERVER_BIN);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);
}

static int reap(void **state)
{
    (void)state;
    sd_proc_reap_all();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_state_then_updates_in_order, reap),
        cmocka_unit_test_teardown(test_http_answers_and_bad_requests, reap),
        cmocka_unit_test_teardown(test_websocket_violations_do_not_touch_others, reap),
        cmocka_unit_test_teardown(test_limits_connections_slowloris_slow_consumer, reap),
        cmocka_unit_test_teardown(test_silent_websocket_is_pinged_then_closed, reap),
        cmocka_unit_test_teardown(test_graceful_shutdown_closes_1001_and_exits_0, reap),
        cmocka_unit_test_teardown(test_give_up_exits_non_zero_and_reports_unhealthy, reap),
        cmocka_unit_test_teardown(test_backbone_drop_resyncs_clients_with_1012, reap),
        cmocka_unit_test_teardown(test_settings_refused_at_start, reap),
        cmocka_unit_test_teardown(test_independent_python_websockets_client, reap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

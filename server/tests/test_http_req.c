/*
 * test_http_req.c - the HTTP request reader: limits map to the right
 * status, any split of the bytes gives the same request, pipelined and
 * upgraded connections get their remaining bytes back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "http_req.h"
#include "test_util.h"

static const sd_http_limits limits = {512, 64};

static sd_http_outcome feed_all(sd_http_request *r, const char *text, size_t *used)
{
    return sd_http_feed(r, (const uint8_t *)text, strlen(text), used);
}

static void test_simple_get(void **state)
{
    (void)state;
    sd_http_request r;
    sd_http_request_init(&r, &limits);
    size_t used = 0;
    const char *req = "GET /healthcheck?x=1 HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_int_equal(feed_all(&r, req, &used), SD_HTTP_DONE);
    assert_int_equal(used, strlen(req));
    assert_string_equal(r.path, "/healthcheck");
    assert_true(sd_http_method_is(&r, HTTP_GET));
    assert_true(sd_http_keep_alive(&r));
    assert_false(sd_http_is_upgrade(&r));
    sd_http_request_free(&r);
}

static void test_byte_by_byte_post_with_body(void **state)
{
    (void)state;
    sd_http_request r;
    sd_http_request_init(&r, &limits);
    const char *req = "POST /publish HTTP/1.1\r\nAuthorization: Bearer s3cret\r\nContent-Length: 5\r\n\r\nhello";
    sd_http_outcome o = SD_HTTP_MORE;
    for (size_t i = 0; i < strlen(req); i++) {
        size_t used = 0;
        o = sd_http_feed(&r, (const uint8_t *)req + i, 1, &used);
        assert_int_equal(used, 1);
        if (i + 1 < strlen(req)) {
            assert_int_equal(o, SD_HTTP_MORE);
        }
    }
    assert_int_equal(o, SD_HTTP_DONE);
    assert_int_equal(r.body_len, 5);
    assert_memory_equal(r.body, "hello", 5);
    const sd_http_value *auth = sd_http_header_get(&r, SD_HDR_AUTHORIZATION);
    assert_true(auth->present);
    assert_string_equal(auth->text, "Bearer s3cret");
    sd_http_request_free(&r);
}

static void test_pipelined_requests_leave_the_rest(void **state)
{
    (void)state;
    sd_http_request r;
    sd_http_request_init(&r, &limits);
    const char *two = "GET / HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n";
    size_t used = 0;
    assert_int_equal(feed_all(&r, two, &used), SD_HTTP_DONE);
    assert_string_equal(r.path, "/");
    assert_int_equal(used, strlen("GET / HTTP/1.1\r\n\r\n"));
    sd_http_request_reset(&r);
    size_t used2 = 0;
    assert_int_equal(sd_http_feed(&r, (const uint8_t *)two + used, strlen(two) - used, &used2), SD_HTTP_DONE);
    assert_string_equal(r.path, "/metrics");
    sd_http_request_free(&r);
}

static void test_upgrade_hands_back_frame_bytes(void **state)
{
    (void)state;
    sd_http_request r;
    sd_http_request_init(&r, &limits);
    const char *req = "GET /ws HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x80";
    size_t used = 0;
    assert_int_equal(feed_all(&r, req, &used), SD_HTTP_DONE);
    assert_true(sd_http_is_upgrade(&r));
    assert_int_equal(strlen(req) - used, 2); /* the frame bytes are not eaten */
    assert_string_equal(sd_http_header_get(&r, SD_HDR_WS_KEY)->text, "dGhlIHNhbXBsZSBub25jZQ==");
    sd_http_request_free(&r);
}

static void expect_error(const char *req, int status)
{
    sd_http_request r;
    sd_http_request_init(&r, &limits);
    size_t used = 0;
    assert_int_equal(feed_all(&r, req, &used), SD_HTTP_ERROR);
    assert_int_equal(r.error_status, status);
    assert_non_null(r.error_reason);
    sd_http_request_free(&r);
}

static void test_limits_and_malformed(void **state)
{
    (void)state;
    expect_error("BLAH\r\n\r\n", 400);
    expect_error("GET / HTTP/1.1\r\nbad header\r\n\r\n", 400);
    expect_error("POST /publish HTTP/1.1\r\nContent-Length: 65\r\n\r\n", 413);
    expect_error("POST /publish HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "40\r\n0123456789012345678901234567890123456789012345678901234567890123\r\n"
                 "1\r\nx\r\n0\r\n\r\n",
                 413);
    char big[1024];
    snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX-Filler: %0600d\r\n\r\n", 0);
    expect_error(big, 431);
}

static void test_body_at_the_limit_is_accepted(void **state)
{
    (void)state;
    sd_http_request r;
    sd_http_request_init(&r, &limits);
    char req[256];
    snprintf(req, sizeof req, "POST /publish HTTP/1.1\r\nContent-Length: 64\r\n\r\n%064d", 7);
    size_t used = 0;
    assert_int_equal(feed_all(&r, req, &used), SD_HTTP_DONE);
    assert_int_equal(r.body_len, 64);
    sd_http_request_free(&r);
}

static void test_repeated_routing_header_is_not_trusted(void **state)
{
    (void)state;
    sd_http_request r;
    sd_http_request_init(&r, &limits);
    const char *req = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n";
    size_t used = 0;
    assert_int_equal(feed_all(&r, req, &used), SD_HTTP_DONE);
    assert_false(sd_http_is_upgrade(&r));
    sd_http_request_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_byte_by_byte_post_with_body),
        cmocka_unit_test(test_pipelined_requests_leave_the_rest),
        cmocka_unit_test(test_upgrade_hands_back_frame_bytes),
        cmocka_unit_test(test_limits_and_malformed),
        cmocka_unit_test(test_body_at_the_limit_is_accepted),
        cmocka_unit_test(test_repeated_routing_header_is_not_trusted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the HTTP/1.1 response parser behind plain http:// URLs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/http1_parse.h"
#include "model/http_plain.h"
#include "util/buf.h"

struct seen {
    struct buf headers; /* "name=value;" */
    struct buf body;
    size_t stop_after;  /* stop once the body is this long; 0: never */
};

static void record_header(void *ud, const char *name, size_t nlen, const char *value,
                          size_t vlen)
{
    struct seen *s = ud;
    buf_append(&s->headers, name, nlen);
    buf_putc(&s->headers, '=');
    buf_append(&s->headers, value, vlen);
    buf_putc(&s->headers, ';');
}

static bool record_body(void *ud, const char *bytes, size_t n)
{
    struct seen *s = ud;
    buf_append(&s->body, bytes, n);
    return !s->stop_after || s->body.len < s->stop_after;
}

static void start(struct http1_parser *p, struct seen *s)
{
    memset(s, 0, sizeof *s);
    struct http1_parser_callbacks cbs = {record_header, record_body, s};
    http1_parser_init(p, &cbs);
}

static void finish(struct http1_parser *p, struct seen *s)
{
    http1_parser_free(p);
    buf_free(&s->headers);
    buf_free(&s->body);
}

/* Feeds text in pieces of `step` bytes; returns the last status. */
static enum http1_status feed_in_steps(struct http1_parser *p, const char *text, size_t step)
{
    size_t n = strlen(text);
    enum http1_status st = HTTP1_MORE;
    for (size_t i = 0; i < n && st == HTTP1_MORE; i += step)
        st = http1_parser_feed(p, text + i, i + step <= n ? step : n - i);
    return st;
}

static void content_length_body(void **state)
{
    (void)state;
    struct http1_parser p;
    struct seen s;
    start(&p, &s);
    const char *resp = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                       "Content-Length: 5\r\n\r\nhello";
    assert_int_equal(http1_parser_feed(&p, resp, strlen(resp)), HTTP1_DONE);
    assert_int_equal(p.status, 200);
    assert_string_equal(buf_cstr(&s.headers), "Content-Type=text/event-stream;Content-Length=5;");
    assert_string_equal(buf_cstr(&s.body), "hello");
    finish(&p, &s);
}

static void chunked_body_survives_any_split(void **state)
{
    (void)state;
    const char *resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5\r\nhello\r\n1;ext=1\r\n,\r\nA\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n";
    for (size_t step = 1; step <= strlen(resp); step++) {
        struct http1_parser p;
        struct seen s;
        start(&p, &s);
        assert_int_equal(feed_in_steps(&p, resp, step), HTTP1_DONE);
        assert_string_equal(buf_cstr(&s.body), "hello,0123456789");
        finish(&p, &s);
    }
}

static void close_delimited_body_ends_at_eof(void **state)
{
    (void)state;
    struct http1_parser p;
    struct seen s;
    start(&p, &s);
    const char *resp = "HTTP/1.0 200 OK\nServer: x\n\ndata: 1\n\n";
    assert_int_equal(http1_parser_feed(&p, resp, strlen(resp)), HTTP1_MORE);
    assert_true(http1_parser_eof(&p));
    assert_string_equal(buf_cstr(&s.body), "data: 1\n\n");
    finish(&p, &s);
}

static void truncated_bodies_are_not_complete(void **state)
{
    (void)state;
    const char *cut[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
        "HTTP/1.1 200 OK\r\nContent-Le",
        "",
    };
    for (size_t i = 0; i < sizeof cut / sizeof *cut; i++) {
        struct http1_parser p;
        struct seen s;
        start(&p, &s);
        assert_int_equal(http1_parser_feed(&p, cut[i], strlen(cut[i])), HTTP1_MORE);
        assert_false(http1_parser_eof(&p));
        finish(&p, &s);
    }
}

static void interim_responses_are_skipped(void **state)
{
    (void)state;
    struct http1_parser p;
    struct seen s;
    start(&p, &s);
    const char *resp = "HTTP/1.1 100 Continue\r\nX-Ignored: 1\r\n\r\n"
                       "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 4\r\n\r\nslow";
    assert_int_equal(http1_parser_feed(&p, resp, strlen(resp)), HTTP1_DONE);
    assert_int_equal(p.status, 429);
    assert_string_equal(buf_cstr(&s.headers), "Retry-After=2;Content-Length=4;");
    assert_string_equal(buf_cstr(&s.body), "slow");
    finish(&p, &s);
}

static void no_content_has_no_body(void **state)
{
    (void)state;
    struct http1_parser p;
    struct seen s;
    start(&p, &s);
    const char *resp = "HTTP/1.1 204 No Content\r\n\r\n";
    assert_int_equal(http1_parser_feed(&p, resp, strlen(resp)), HTTP1_DONE);
    finish(&p, &s);
}

static void malformed_responses_fail_with_a_reason(void **state)
{
    (void)state;
    const char *bad[] = {
        "SSH-2.0-OpenSSH\r\n",
        "HTTP/1.1 2x0 OK\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct http1_parser p;
        struct seen s;
        start(&p, &s);
        assert_int_equal(http1_parser_feed(&p, bad[i], strlen(bad[i])), HTTP1_ERROR);
        assert_non_null(strstr(p.error, "malformed HTTP response: "));
        finish(&p, &s);
    }
}

static void oversized_headers_are_refused(void **state)
{
    (void)state;
    struct http1_parser p;
    struct seen s;
    start(&p, &s);
    const char *status = "HTTP/1.1 200 OK\r\n";
    assert_int_equal(http1_parser_feed(&p, status, strlen(status)), HTTP1_MORE);
    char line[1000];
    memset(line, 'a', sizeof line);
    memcpy(line, "X-Big: ", 7);
    enum http1_status st = HTTP1_MORE;
    for (int i = 0; i < 100 && st == HTTP1_MORE; i++) {
        st = http1_parser_feed(&p, line, sizeof line - 2);
        if (st == HTTP1_MORE)
            st = http1_parser_feed(&p, "\r\n", 2);
    }
    assert_int_equal(st, HTTP1_ERROR);
    assert_string_equal(p.error, "malformed HTTP response: headers larger than 64 KiB");
    finish(&p, &s);
}

static void body_consumer_can_stop(void **state)
{
    (void)state;
    struct http1_parser p;
    struct seen s;
    start(&p, &s);
    s.stop_after = 3;
    const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    assert_int_equal(feed_in_steps(&p, resp, 1), HTTP1_STOPPED);
    assert_string_equal(buf_cstr(&s.body), "hel");
    finish(&p, &s);
}

static void only_simple_http_urls_go_plain(void **state)
{
    (void)state;
    assert_true(http_plain_handles("http://127.0.0.1:8080/v1/responses"));
    assert_true(http_plain_handles("http://localhost/v1/responses"));
    assert_true(http_plain_handles("HTTP://[::1]:11434/v1/chat?x=1"));
    assert_true(http_plain_handles("http://host:1"));
    assert_false(http_plain_handles("https://api.openai.com/v1/responses"));
    assert_false(http_plain_handles("http://user:pw@host/v1"));
    assert_false(http_plain_handles("http://host:/v1"));
    assert_false(http_plain_handles("http://host:99999/v1"));
    assert_false(http_plain_handles("http://host:80x/v1"));
    assert_false(http_plain_handles("http:///v1"));
    assert_false(http_plain_handles("http://[::1/v1"));
    assert_false(http_plain_handles("http://host/v1#frag"));
    assert_false(http_plain_handles("http://host/v 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(content_length_body),
        cmocka_unit_test(chunked_body_survives_any_split),
        cmocka_unit_test(close_delimited_body_ends_at_eof),
        cmocka_unit_test(truncated_bodies_are_not_complete),
        cmocka_unit_test(interim_responses_are_skipped),
        cmocka_unit_test(no_content_has_no_body),
        cmocka_unit_test(malformed_responses_fail_with_a_reason),
        cmocka_unit_test(oversized_headers_are_refused),
        cmocka_unit_test(body_consumer_can_stop),
        cmocka_unit_test(only_simple_http_urls_go_plain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

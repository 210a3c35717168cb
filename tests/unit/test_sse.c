/* Unit tests for the SSE framing and the Responses stream interpretation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/sse.h"
#include "model/stream.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct seen {
    int n;
    struct buf log; /* "event|data;" per event */
};

static int record(void *ud, const char *event, const char *data, size_t len)
{
    struct seen *s = ud;
    s->n++;
    buf_printf(&s->log, "%s|", event);
    buf_append(&s->log, data, len);
    buf_putc(&s->log, ';');
    return 0;
}

static void feed_bytewise(struct sse_parser *p, const char *text)
{
    for (size_t i = 0; text[i]; i++)
        assert_int_equal(sse_feed(p, text + i, 1), SSE_OK);
}

static void events_survive_any_chunking(void **state)
{
    (void)state;
    const char *text = "event: a\ndata: {\"x\":1}\n\n: comment\ndata: two\ndata: lines\r\n\r\n"
                       "data:nospace\r\rid: 7\ndata: after-id\n\n";
    struct seen whole = {0}, bytes = {0};
    struct sse_parser p;
    sse_init(&p, 1024, record, &whole);
    assert_int_equal(sse_feed(&p, text, strlen(text)), SSE_OK);
    sse_free(&p);
    sse_init(&p, 1024, record, &bytes);
    feed_bytewise(&p, text);
    sse_free(&p);
    assert_int_equal(whole.n, 4);
    assert_string_equal(buf_cstr(&whole.log),
                        "a|{\"x\":1};|two\nlines;|nospace;|after-id;");
    assert_string_equal(buf_cstr(&whole.log), buf_cstr(&bytes.log));
    buf_free(&whole.log);
    buf_free(&bytes.log);
}

static void oversized_event_stops_the_parser(void **state)
{
    (void)state;
    struct seen s = {0};
    struct sse_parser p;
    sse_init(&p, 64, record, &s);
    char big[200];
    memset(big, 'x', sizeof big);
    assert_int_equal(sse_feed(&p, "data: ", 6), SSE_OK);
    assert_int_equal(sse_feed(&p, big, sizeof big), SSE_TOO_LARGE);
    assert_int_equal(sse_feed(&p, "\n\n", 2), SSE_TOO_LARGE); /* sticky */
    assert_int_equal(s.n, 0);
    sse_free(&p);
    buf_free(&s.log);
}

static void ten_megabyte_line_is_delivered_when_allowed(void **state)
{
    (void)state;
    size_t n = 10u << 20;
    char *line = xmalloc(n + 16);
    memcpy(line, "data: ", 6);
    memset(line + 6, 'y', n);
    memcpy(line + 6 + n, "\n\n", 2);
    struct seen s = {0};
    struct sse_parser p;
    sse_init(&p, 16u << 20, record, &s);
    for (size_t off = 0; off < n + 8; off += 65536) {
        size_t k = n + 8 - off < 65536 ? n + 8 - off : 65536;
        assert_int_equal(sse_feed(&p, line + off, k), SSE_OK);
    }
    assert_int_equal(s.n, 1);
    assert_int_equal(s.log.len, n + 2);
    sse_free(&p);
    buf_free(&s.log);
    free(line);
}

struct collected {
    int items, deltas;
    char last_type[32];
};

static void on_stream(void *ud, const struct stream_event *ev)
{
    struct collected *c = ud;
    if (ev->kind == STREAM_EV_ITEM_DONE) {
        c->items++;
        snprintf(c->last_type, sizeof c->last_type, "%s",
                 json_string_value(json_object_get(ev->item, "type")));
        assert_non_null(json_object_get(ev->item, "id")); /* given one when missing */
    } else {
        c->deltas++;
    }
}

static void stream_reports_items_and_outcome(void **state)
{
    (void)state;
    const char *text =
        "data: {\"type\":\"response.output_text.delta\",\"delta\":\"he\"}\n\n"
        "data: not json\n\n"
        "data: {\"type\":\"response.output_item.done\",\"item\":{\"type\":\"function_call\","
        "\"name\":\"x\",\"arguments\":\"{}\",\"call_id\":\"c\"}}\n\n"
        "data: {\"type\":\"response.completed\",\"response\":{\"id\":\"r1\",\"usage\":"
        "{\"input_tokens\":10,\"input_tokens_details\":{\"cached_tokens\":3},"
        "\"output_tokens\":4,\"total_tokens\":14}}}\n\n";
    struct collected c = {0};
    struct response_stream rs;
    response_stream_init(&rs, 1 << 20, on_stream, &c);
    assert_int_equal(response_stream_feed(&rs, text, strlen(text)), SSE_OK);
    assert_int_equal(rs.outcome, STREAM_COMPLETED);
    assert_string_equal(rs.response_id, "r1");
    assert_int_equal(rs.usage.input_tokens, 10);
    assert_int_equal(rs.usage.cached_input_tokens, 3);
    assert_int_equal(rs.usage.output_tokens, 4);
    assert_int_equal(c.items, 1);
    assert_int_equal(c.deltas, 1);
    assert_string_equal(c.last_type, "function_call");
    response_stream_free(&rs);
}

static void stream_failure_keeps_code_and_message(void **state)
{
    (void)state;
    const char *text = "data: {\"type\":\"response.failed\",\"response\":{\"id\":\"r\",\"error\":"
                       "{\"code\":\"server_error\",\"message\":\"boom\"}}}\n\n";
    struct collected c = {0};
    struct response_stream rs;
    response_stream_init(&rs, 1 << 20, on_stream, &c);
    response_stream_feed(&rs, text, strlen(text));
    assert_int_equal(rs.outcome, STREAM_FAILED);
    assert_string_equal(rs.error_code, "server_error");
    assert_string_equal(rs.error_message, "boom");
    response_stream_reset(&rs);
    assert_int_equal(rs.outcome, STREAM_PENDING);
    assert_null(rs.error_code);
    response_stream_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(events_survive_any_chunking),
        cmocka_unit_test(oversized_event_stops_the_parser),
        cmocka_unit_test(ten_megabyte_line_is_delivered_when_allowed),
        cmocka_unit_test(stream_reports_items_and_outcome),
        cmocka_unit_test(stream_failure_keeps_code_and_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

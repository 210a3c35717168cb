/* Unit tests for the JSON-RPC framing and message classification, and the
 * base64 / SHA-256 helpers the app server relies on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/request.h"
#include "rpc/websocket.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/sha256.h"

struct lines {
    struct buf all; /* lines joined with '|' */
    int count;
    int stop_after;
};

static bool collect_line(void *ctx, const char *line, size_t len)
{
    struct lines *l = ctx;
    buf_append(&l->all, line, len);
    buf_putc(&l->all, '|');
    l->count++;
    return l->stop_after == 0 || l->count < l->stop_after;
}

static void framer_splits_lines_across_feeds(void **state)
{
    (void)state;
    struct jsonrpc_framer f;
    jsonrpc_framer_init(&f, 100);
    struct lines l = {BUF_INIT, 0, 0};
    assert_int_equal(jsonrpc_framer_feed(&f, "ab", 2, collect_line, &l), JSONRPC_FEED_OK);
    assert_int_equal(l.count, 0);
    assert_int_equal(jsonrpc_framer_feed(&f, "c\r\nd\n\nef", 8, collect_line, &l), JSONRPC_FEED_OK);
    assert_string_equal(buf_cstr(&l.all), "abc|d||");
    assert_int_equal(jsonrpc_framer_feed(&f, "g\n", 2, collect_line, &l), JSONRPC_FEED_OK);
    assert_string_equal(buf_cstr(&l.all), "abc|d||efg|");
    buf_free(&l.all);
    jsonrpc_framer_free(&f);
}

static void framer_stops_when_asked(void **state)
{
    (void)state;
    struct jsonrpc_framer f;
    jsonrpc_framer_init(&f, 100);
    struct lines l = {BUF_INIT, 0, 1};
    assert_int_equal(jsonrpc_framer_feed(&f, "a\nb\n", 4, collect_line, &l), JSONRPC_FEED_STOPPED);
    assert_string_equal(buf_cstr(&l.all), "a|");
    buf_free(&l.all);
    jsonrpc_framer_free(&f);
}

static void framer_rejects_oversize_lines(void **state)
{
    (void)state;
    struct jsonrpc_framer f;
    jsonrpc_framer_init(&f, 4);
    struct lines l = {BUF_INIT, 0, 0};
    assert_int_equal(jsonrpc_framer_feed(&f, "abcd\n", 5, collect_line, &l), JSONRPC_FEED_OK);
    assert_int_equal(jsonrpc_framer_feed(&f, "abc", 3, collect_line, &l), JSONRPC_FEED_OK);
    assert_int_equal(jsonrpc_framer_feed(&f, "de", 2, collect_line, &l), JSONRPC_FEED_OVERSIZE);
    assert_string_equal(buf_cstr(&l.all), "abcd|");
    buf_free(&l.all);
    jsonrpc_framer_free(&f);
}

static enum jsonrpc_kind kind_of(const char *text)
{
    struct jsonrpc_message m;
    jsonrpc_parse(text, strlen(text), &m);
    enum jsonrpc_kind k = m.kind;
    jsonrpc_message_free(&m);
    return k;
}

static void messages_are_classified(void **state)
{
    (void)state;
    assert_int_equal(kind_of("{\"id\":1,\"method\":\"a\",\"params\":{}}"), JSONRPC_REQUEST);
    assert_int_equal(kind_of("{\"id\":\"x\",\"method\":\"a\"}"), JSONRPC_REQUEST);
    assert_int_equal(kind_of("{\"method\":\"initialized\"}"), JSONRPC_NOTIFICATION);
    assert_int_equal(kind_of("{\"id\":1,\"result\":{}}"), JSONRPC_RESPONSE);
    assert_int_equal(kind_of("{\"id\":1,\"error\":{\"code\":1,\"message\":\"m\"}}"), JSONRPC_ERROR);
    assert_int_equal(kind_of("{\"id\":1.5,\"method\":\"a\"}"), JSONRPC_INVALID);
    assert_int_equal(kind_of("{\"id\":null,\"method\":\"a\"}"), JSONRPC_INVALID);
    assert_int_equal(kind_of("{\"id\":1,\"method\":7}"), JSONRPC_INVALID);
    assert_int_equal(kind_of("{\"id\":1,\"id\":2,\"method\":\"a\"}"), JSONRPC_INVALID);
    assert_int_equal(kind_of("[1,2]"), JSONRPC_INVALID);
    assert_int_equal(kind_of("not json"), JSONRPC_INVALID);
    assert_int_equal(kind_of("{\"foo\":1}"), JSONRPC_INVALID);
}

static void serialization_omits_jsonrpc_and_keeps_utf8(void **state)
{
    (void)state;
    json_t *id = json_integer(3);
    json_t *msg = jsonrpc_make_response(id, json_pack("{s:s}", "text", "h\xC3\xA9"));
    size_t len;
    char *text = jsonrpc_serialize(msg, &len);
    assert_string_equal(text, "{\"id\":3,\"result\":{\"text\":\"h\xC3\xA9\"}}");
    free(text);
    json_decref(msg);
    json_decref(id);
}

static void lossy_strings_replace_bad_bytes(void **state)
{
    (void)state;
    json_t *s = json_string_lossy("a\xFF" "b\xE2\x82", 5);
    assert_string_equal(json_string_value(s), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD");
    json_decref(s);
    s = json_string_lossy("ok\0x", 4);
    assert_int_equal(json_string_length(s), 4);
    json_decref(s);
}

static void paths_are_normalized(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"/a/b/../c", "/a/c"}, {"/a/./b//c/", "/a/b/c"}, {"/..", "/"}, {"/", "/"}, {"/a/..", "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = rpc_normalize_abs_path(cases[i][0]);
        assert_string_equal(n, cases[i][1]);
        free(n);
    }
}

static void base64_round_trips_and_rejects(void **state)
{
    (void)state;
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char err[64];
    for (size_t i = 0; i < 7; i++) {
        char *e = base64_encode(plain[i], strlen(plain[i]));
        assert_string_equal(e, coded[i]);
        free(e);
        size_t len;
        unsigned char *d = base64_decode(coded[i], strlen(coded[i]), &len, err, sizeof err);
        assert_non_null(d);
        assert_int_equal(len, strlen(plain[i]));
        assert_memory_equal(d, plain[i], len);
        free(d);
    }
    size_t len;
    assert_null(base64_decode("!!!", 3, &len, err, sizeof err));
    assert_string_equal(err, "Invalid symbol 33, offset 0.");
    assert_null(base64_decode("Zm9", 3, &len, err, sizeof err));
    assert_string_equal(err, "Invalid input length.");
    assert_null(base64_decode("Zh==", 4, &len, err, sizeof err));
}

static void sha256_matches_known_digests(void **state)
{
    (void)state;
    char hex[65];
    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("{}", 2, hex);
    assert_string_equal(hex, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    const char *long_text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(long_text, strlen(long_text), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void websocket_handshake_and_frames(void **state)
{
    (void)state;
    char accept[29];
    ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", accept); /* the example of RFC 6455 */
    assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_true(ws_header_has_token("keep-alive, Upgrade", "upgrade"));
    assert_false(ws_header_has_token("upgraded", "upgrade"));

    /* "Hello" masked with 37 fa 21 3d, also from RFC 6455. */
    unsigned char frame[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    struct ws_frame f;
    const char *why = NULL;
    assert_int_equal(ws_decode_frame(frame, 5, 100, &f, &why), WS_DECODE_NEED_MORE);
    assert_int_equal(ws_decode_frame(frame, sizeof frame, 100, &f, &why), (long)sizeof frame);
    assert_true(f.fin);
    assert_int_equal(f.opcode, WS_OP_TEXT);
    assert_memory_equal(f.payload, "Hello", 5);
    unsigned char unmasked[] = {0x81, 0x05, 'H', 'e', 'l', 'l', 'o'};
    assert_int_equal(ws_decode_frame(unmasked, sizeof unmasked, 100, &f, &why), WS_DECODE_ERROR);
    unsigned char big[] = {0x82, 0xFE, 0x01, 0x00, 0, 0, 0, 0};
    assert_int_equal(ws_decode_frame(big, sizeof big, 100, &f, &why), WS_DECODE_TOO_BIG);
    unsigned char header[10];
    assert_int_equal(ws_frame_header(header, WS_OP_TEXT, 70000), 10);
    assert_int_equal(header[1], 127);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(framer_splits_lines_across_feeds),
        cmocka_unit_test(framer_stops_when_asked),
        cmocka_unit_test(framer_rejects_oversize_lines),
        cmocka_unit_test(messages_are_classified),
        cmocka_unit_test(serialization_omits_jsonrpc_and_keeps_utf8),
        cmocka_unit_test(lossy_strings_replace_bad_bytes),
        cmocka_unit_test(paths_are_normalized),
        cmocka_unit_test(base64_round_trips_and_rejects),
        cmocka_unit_test(sha256_matches_known_digests),
        cmocka_unit_test(websocket_handshake_and_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Reusing JSON text in place of parse + dump (util/json_compact.h) and the
 * history list kept as text (util/json_items.h).  The promise under test:
 * whatever json_compact_check accepts is byte for byte what jansson would
 * write for it, and a list hands out the same text and items whether an
 * item came in as a tree or as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/json_compact.h"
#include "util/json_items.h"

/* Accepted text must round-trip through the parser unchanged. */
static void assert_round_trips(const char *text)
{
    size_t len = strlen(text);
    json_t *v = json_loadb(text, len, 0, NULL);
    assert_non_null(v);
    char *dump = json_dumps(v, JSON_COMPACT);
    assert_string_equal(dump, text);
    free(dump);
    json_decref(v);
}

static void what_jansson_writes_is_accepted(void **state)
{
    (void)state;
    const char *ok[] = {
        "{}",
        "{\"a\":1}",
        "{\"a\":[],\"b\":{},\"c\":[1,-2,0,true,false,null,\"x\"]}",
        "{\"s\":\"tab\\there \\\"quoted\\\" back\\\\slash \\n\\r\\b\\f\"}",
        "{\"utf8\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 slash/ok\"}",
        "{\"n\":123456789012345678}",
        "{\"deep\":[[[[{\"x\":[{}]}]]]]}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        assert_true(json_compact_check(ok[i], strlen(ok[i]), NULL, NULL, NULL));
        assert_round_trips(ok[i]);
    }
    const char *ctl = "{\"ctl\":\"\\u0001\\u001F\\u007F\"}";
    /* DEL is not a control character to jansson: written as is, so \u007F
     * is not what it writes. */
    assert_false(json_compact_check(ctl, strlen(ctl), NULL, NULL, NULL));
    const char *ctl_ok = "{\"ctl\":\"\\u0001\\u001F\x7f\"}";
    assert_true(json_compact_check(ctl_ok, strlen(ctl_ok), NULL, NULL, NULL));
    assert_round_trips(ctl_ok);
}

static void anything_jansson_would_write_differently_is_refused(void **state)
{
    (void)state;
    const char *no[] = {
        "",
        "[1]",                             /* not an object */
        "{\"a\": 1}",                      /* whitespace */
        " {\"a\":1}",
        "{\"a\":1} ",
        "{\"a\":1.5}",                     /* reals come back as %.17g */
        "{\"a\":1e3}",
        "{\"a\":-0}",                      /* comes back as 0 */
        "{\"a\":01}",
        "{\"a\":1234567890123456789}",     /* 19 digits */
        "{\"a\":\"\\/\"}",                 /* jansson writes / */
        "{\"a\":\"\\u00e9\"}",             /* jansson writes the UTF-8 */
        "{\"a\":\"\\u001f\"}",             /* lower-case hex */
        "{\"a\":\"\\u000A\"}",             /* jansson writes \n */
        "{\"a\":\"\\u0000\"}",             /* refused by the parser */
        "{\"a\":\"\\ud83d\\ude00\"}",
        "{\"a\":\"\xc0\x80\"}",            /* overlong */
        "{\"a\":\"\xed\xa0\x80\"}",        /* a surrogate */
        "{\"a\":\"\xf4\x90\x80\x80\"}",    /* past U+10FFFF */
        "{\"a\":\"\xe2\x82\"}",            /* cut short */
        "{\"a\":\"tab\there\"}",           /* a raw control character */
        "{\"a\":1,\"a\":2}",               /* the parser keeps the last in the first place */
        "{\"o\":{\"k\":1,\"k\":1}}",
        "{\"a\":1,}",
        "{\"a\":[1,]}",
        "{\"a\":1",
        "{\"a\":tru}",
        "{\"a\":1}}",
        "{\"a\":\"x}",
    };
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        assert_false(json_compact_check(no[i], strlen(no[i]), NULL, NULL, NULL));
    /* The same key in two different objects is fine. */
    const char *two = "{\"o\":{\"k\":1},\"p\":{\"k\":1},\"k\":[{\"k\":1},{\"k\":2}]}";
    assert_true(json_compact_check(two, strlen(two), NULL, NULL, NULL));
    assert_round_trips(two);
    /* Nesting deeper than the check follows is left to the parser. */
    char deep[2 * 600 + 8];
    size_t n = 0;
    n += (size_t)sprintf(deep, "{\"a\":");
    for (int i = 0; i < 600; i++)
        deep[n++] = '[';
    for (int i = 0; i < 600; i++)
        deep[n++] = ']';
    deep[n++] = '}';
    assert_false(json_compact_check(deep, n, NULL, NULL, NULL));
}

static void the_member_asked_for_is_found_at_the_top_level_only(void **state)
{
    (void)state;
    const char *line = "{\"timestamp\":\"t\",\"x\":{\"payload\":1},\"type\":\"response_item\","
                       "\"payload\":{\"type\":\"message\",\"payload\":[2]},\"after\":3}";
    size_t off, len;
    assert_true(json_compact_check(line, strlen(line), "payload", &off, &len));
    assert_int_equal(len, strlen("{\"type\":\"message\",\"payload\":[2]}"));
    assert_memory_equal(line + off, "{\"type\":\"message\",\"payload\":[2]}", len);
    assert_true(json_compact_check(line, strlen(line), "missing", &off, &len));
    assert_int_equal(len, 0);
    const char *scalar = "{\"payload\":\"a\\\"b\"}";
    assert_true(json_compact_check(scalar, strlen(scalar), "payload", &off, &len));
    assert_memory_equal(scalar + off, "\"a\\\"b\"", len);
}

static void the_brief_holds_the_short_string_members(void **state)
{
    (void)state;
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    json_t *item = json_pack("{s:s s:s s:s s:i s:{s:s} s:s}", "type", "function_call_output", "call_id",
                             "c\"1\\", "output", big, "n", 5, "o", "type", "inner", "role", "user");
    char *text = json_dumps(item, JSON_COMPACT);
    assert_true(json_compact_check(text, strlen(text), NULL, NULL, NULL));
    json_t *brief = json_compact_brief(text, strlen(text));
    json_t *expect = json_pack("{s:s s:s s:s}", "type", "function_call_output", "call_id", "c\"1\\", "role",
                               "user");
    assert_true(json_equal(brief, expect));
    json_t *from_tree = json_compact_brief_of(item);
    assert_true(json_equal(from_tree, expect));
    json_decref(brief);
    json_decref(from_tree);
    json_decref(expect);
    json_decref(item);
    free(text);
}

/* A list fed trees and one fed the same items as text give the same text,
 * the same items, and the same spans. */
static void trees_and_text_make_the_same_list(void **state)
{
    (void)state;
    char big[5000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    json_t *items[] = {
        json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "message", "role", "developer", "content", "type",
                  "input_text", "text", "base"),
        json_pack("{s:s s:s s:s}", "type", "function_call", "call_id", "c1", "arguments", "{}"),
        json_pack("{s:s s:s s:s}", "type", "function_call_output", "call_id", "c1", "output", big),
        json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "message", "role", "user", "content", "type", "input_text",
                  "text", "next"),
    };
    size_t n = sizeof items / sizeof *items;
    struct json_items trees = JSON_ITEMS_INIT, texts = JSON_ITEMS_INIT;
    for (size_t i = 0; i < n; i++) {
        json_items_append(&trees, items[i]);
        char *s = json_dumps(items[i], JSON_COMPACT);
        json_items_append_text(&texts, s, strlen(s));
        free(s);
    }
    size_t a_len, b_len;
    const char *a = json_items_text(&trees, &a_len);
    const char *b = json_items_text(&texts, &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_items_get(&trees, i), *y = json_items_get(&texts, i);
        assert_true(json_equal(x, items[i]));
        assert_true(json_equal(y, items[i]));
        json_decref(x);
        json_decref(y);
        assert_string_equal(json_string_value(json_object_get(json_items_peek(&trees, i), "type")),
                            json_string_value(json_object_get(items[i], "type")));
    }
    /* The large output keeps no tree once serialized, only its brief. */
    assert_null(json_object_get(json_items_peek(&trees, 2), "output"));
    assert_string_equal(json_string_value(json_object_get(json_items_peek(&texts, 2), "call_id")), "c1");
    size_t span_len;
    const char *span = json_items_span(&trees, 1, 3, &span_len);
    char *one = json_dumps(items[1], JSON_COMPACT), *two = json_dumps(items[2], JSON_COMPACT);
    assert_int_equal(span_len, strlen(one) + 1 + strlen(two));
    assert_memory_equal(span, one, strlen(one));
    assert_memory_equal(span + strlen(one) + 1, two, strlen(two));
    free(one);
    free(two);

    /* Moving a list behind another: the text is the two joined. */
    struct json_items front = JSON_ITEMS_INIT;
    json_items_append(&front, items[0]);
    struct json_items back = JSON_ITEMS_INIT;
    for (size_t i = 1; i < n; i++)
        json_items_append(&back, items[i]);
    json_items_move_all(&front, &back);
    assert_int_equal(json_items_count(&back), 0);
    assert_int_equal(json_items_count(&front), n);
    const char *moved = json_items_text(&front, &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, moved, a_len);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_items_get(&front, i);
        assert_true(json_equal(x, items[i]));
        json_decref(x);
    }
    /* And the other way round (the front larger than what follows). */
    struct json_items big_front = JSON_ITEMS_INIT, small_back = JSON_ITEMS_INIT;
    for (size_t i = 0; i < 3; i++)
        json_items_append(&big_front, items[i]);
    json_items_append(&small_back, items[3]);
    json_items_move_all(&big_front, &small_back);
    moved = json_items_text(&big_front, &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, moved, a_len);
    json_t *last = json_items_get(&big_front, 3);
    assert_true(json_equal(last, items[3]));
    json_decref(last);

    json_items_free(&big_front);
    json_items_free(&small_back);
    json_items_free(&front);
    json_items_free(&back);
    json_items_free(&trees);
    json_items_free(&texts);
    for (size_t i = 0; i < n; i++)
        json_decref(items[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(what_jansson_writes_is_accepted),
        cmocka_unit_test(anything_jansson_would_write_differently_is_refused),
        cmocka_unit_test(the_member_asked_for_is_found_at_the_top_level_only),
        cmocka_unit_test(the_brief_holds_the_short_string_members),
        cmocka_unit_test(trees_and_text_make_the_same_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the TOML reader and value API: accessors, positions, error
 * messages and locations, single values, dotted keys, rendering, merge. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"

static toml_value *parse_ok(const char *text)
{
    struct toml_error err;
    toml_value *v = toml_parse(text, strlen(text), &err);
    if (!v)
        fail_msg("parse failed at %d:%d: %s", err.line, err.col, err.message);
    return v;
}

static void expect_error(const char *text, size_t len, int line, int col, const char *fragment)
{
    struct toml_error err;
    toml_value *v = toml_parse(text, len, &err);
    if (v) {
        toml_free(v);
        fail_msg("accepted: %s", text);
    }
    if (err.line != line || err.col != col || !strstr(err.message, fragment))
        fail_msg("for %s: got %d:%d %s; expected %d:%d ...%s...", text, err.line, err.col, err.message, line, col,
                 fragment);
}

static void accessors(void **state)
{
    (void)state;
    toml_value *root = parse_ok("# c\n"
                                "s = \"a\\u00e9\\u0000b\"\n"
                                "i = 0x7f_ff\n"
                                "f = -1.5e3\n"
                                "b = true\n"
                                "# é comment\n"
                                "\"é\" = 'x'\n"
                                "d = 1979-05-27 07:32:00.5-07:00\n"
                                "ld = 2024-02-29\n"
                                "lt = 23:59:60\n"
                                "ldt = 2000-01-01t00:00:00\n"
                                "[t]\n"
                                "arr = [1, 'two', [3.0]]\n");
    size_t len;
    const char *s = toml_string(toml_table_get(root, "s"), &len);
    assert_int_equal(len, 5);
    assert_memory_equal(s, "a\xc3\xa9\0b", 5);
    assert_int_equal(toml_integer(toml_table_get(root, "i")), 0x7fff);
    assert_true(toml_float(toml_table_get(root, "f")) == -1500.0);
    assert_true(toml_bool(toml_table_get(root, "b")));
    assert_string_equal(toml_string(toml_table_get(root, "é"), NULL), "x");
    toml_value *d = toml_table_get(root, "d");
    assert_int_equal(toml_type(d), TOML_OFFSET_DATETIME);
    assert_string_equal(toml_datetime(d), "1979-05-27T07:32:00.5-07:00");
    assert_int_equal(toml_type(toml_table_get(root, "ld")), TOML_LOCAL_DATE);
    assert_int_equal(toml_type(toml_table_get(root, "lt")), TOML_LOCAL_TIME);
    assert_string_equal(toml_datetime(toml_table_get(root, "ldt")), "2000-01-01T00:00:00");
    const char *path[] = {"t", "arr"};
    toml_value *arr = toml_table_get_path(root, path, 2);
    assert_non_null(arr);
    assert_int_equal(toml_array_len(arr), 3);
    assert_string_equal(toml_string(toml_array_at(arr, 1), NULL), "two");
    assert_true(toml_float(toml_array_at(toml_array_at(arr, 2), 0)) == 3.0);
    assert_null(toml_array_at(arr, 3));
    /* Positions: 1-based, columns count characters, not bytes. */
    assert_int_equal(toml_line(d), 8);
    assert_int_equal(toml_col(d), 5);
    assert_int_equal(toml_line(arr), 13);
    assert_int_equal(toml_col(toml_array_at(arr, 1)), 11);
    assert_int_equal(toml_col(toml_table_get(root, "t")), 1);
    assert_int_equal(toml_line(toml_table_get(root, "t")), 12);
    assert_string_equal(toml_table_key_at(root, 0), "s");
    assert_string_equal(toml_type_name(TOML_LOCAL_DATETIME), "local datetime");
    toml_free(root);
}

static void unicode_column(void **state)
{
    (void)state;
    /* "é" is two bytes but one column. */
    expect_error("k = \"é\" x\n", strlen("k = \"é\" x\n"), 1, 9, "found 'x'");
}

static void error_messages_and_positions(void **state)
{
    (void)state;
    expect_error("a = 1\na = 2\n", 12, 2, 1, "duplicate key 'a'");
    expect_error("a = \n", 5, 1, 5, "found a newline, expected a value");
    expect_error("[t]\nx = 1\n[t]\n", 14, 3, 1, "already defined");
    expect_error("x = 1979-02-29\n", 15, 1, 5, "day between 01 and 28");
    expect_error("x = 2000-02-30\n", 15, 1, 5, "day between 01 and 29");
    expect_error("x = 9223372036854775808\n", 24, 1, 5, "does not fit in 64 bits");
    expect_error("x = 0x8000000000000000\n", 23, 1, 5, "does not fit in 64 bits");
    expect_error("x = { a = 1, }\n", 15, 1, 14, "no trailing comma");
    expect_error("x = { a = 1\n}\n", 14, 1, 12, "inline tables must be on one line");
    expect_error("x = \"\\ud800\"\n", 13, 1, 6, "surrogate");
    expect_error("x = 1 # \x01\n", 10, 1, 9, "U+0001");
    expect_error("x = 'a\rb'\n", 10, 1, 7, "newline");
    expect_error("x = \"\xff\"\n", 7, 1, 6, "not valid UTF-8");
    expect_error("x = \"\xed\xa0\x80\"\n", 9, 1, 6, "not valid UTF-8");
    expect_error("x = \"\xc0\xaf\"\n", 8, 1, 6, "not valid UTF-8");
    expect_error("x = \"a\0b\"\n", 10, 1, 7, "U+0000");
    expect_error("a = {}\n[a.b]\n", 13, 2, 2, "inline table");
    expect_error("a.b = 1\na = {}\n", 15, 2, 1, "duplicate key 'a'");
    expect_error("[a]\nb.c = 1\n[a.b]\n", 18, 3, 1, "dotted keys");
    expect_error("x = 1\r\r\n", 8, 1, 6, "carriage return");
    expect_error("x = [1 2]\n", 10, 1, 8, "expected ',' or ']'");
    expect_error("\xef\xbb\xbfx = 1\n\xef\xbb\xbf", 13, 2, 1, "expected a key");
    /* Nesting is bounded instead of exhausting the stack. */
    char deep[600];
    memset(deep, '[', sizeof deep);
    memcpy(deep, "x = ", 4);
    expect_error(deep, sizeof deep, 1, 133, "nested more than");
}

static void accepts_crlf_bom_and_edge_forms(void **state)
{
    (void)state;
    toml_value *root = parse_ok("\xef\xbb\xbf"
                                "a = \"\"\"\r\nx\\\r\n   y\r\nz\"\"\"\r\n"
                                "b = '''''q'''''\r\n"
                                "c = -0.0\r\n"
                                "d = [ -inf, nan, +inf ]\r\n"
                                "e = 1_000\r\n"
                                "f = 0b1010\r\n"
                                "g = 0o17\r\n"
                                "h = -9223372036854775808\r\n"
                                "i = 5e+22\r\n");
    assert_string_equal(toml_string(toml_table_get(root, "a"), NULL), "xy\nz");
    assert_string_equal(toml_string(toml_table_get(root, "b"), NULL), "''q''");
    assert_true(signbit(toml_float(toml_table_get(root, "c"))));
    toml_value *d = toml_table_get(root, "d");
    assert_true(isinf(toml_float(toml_array_at(d, 0))) && toml_float(toml_array_at(d, 0)) < 0);
    assert_true(isnan(toml_float(toml_array_at(d, 1))));
    assert_int_equal(toml_integer(toml_table_get(root, "e")), 1000);
    assert_int_equal(toml_integer(toml_table_get(root, "f")), 10);
    assert_int_equal(toml_integer(toml_table_get(root, "g")), 15);
    assert_true(toml_integer(toml_table_get(root, "h")) == INT64_MIN);
    assert_true(toml_float(toml_table_get(root, "i")) == 5e22);
    toml_free(root);
}

static void parse_value_is_exactly_one_value(void **state)
{
    (void)state;
    struct toml_error err;
    toml_value *v = toml_parse_value("o3", 2, &err);
    assert_null(v);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 1);
    assert_non_null(strstr(err.message, "found 'o'"));
    assert_null(toml_parse_value("1 2", 3, &err));
    assert_int_equal(err.col, 3);
    assert_null(toml_parse_value("", 0, &err));
    assert_null(toml_parse_value("a = 1", 5, &err));
    v = toml_parse_value(" \"o3\" ", 6, &err);
    assert_string_equal(toml_string(v, NULL), "o3");
    toml_free(v);
    v = toml_parse_value("{ a = [1, { b = 2 }], c.d = 'x' }", 33, &err);
    assert_non_null(v);
    const char *p[] = {"c", "d"};
    assert_string_equal(toml_string(toml_table_get_path(v, p, 2), NULL), "x");
    toml_free(v);
    v = toml_parse_value("true", 4, &err);
    assert_true(toml_bool(v));
    toml_free(v);
}

static void dotted_keys(void **state)
{
    (void)state;
    struct toml_error err;
    char **keys;
    int n = toml_parse_dotted_key(" profiles . \"my.x\".'lit' . model ", &keys, &err);
    assert_int_equal(n, 4);
    assert_string_equal(keys[0], "profiles");
    assert_string_equal(keys[1], "my.x");
    assert_string_equal(keys[2], "lit");
    assert_string_equal(keys[3], "model");
    toml_free_keys(keys, n);
    assert_int_equal(toml_parse_dotted_key("a..b", &keys, &err), -1);
    assert_int_equal(err.col, 3);
    assert_int_equal(toml_parse_dotted_key("a b", &keys, &err), -1);
    assert_int_equal(toml_parse_dotted_key("", &keys, &err), -1);
    assert_int_equal(toml_parse_dotted_key("a.", &keys, &err), -1);
}

static void inline_rendering(void **state)
{
    (void)state;
    toml_value *t = toml_new_table();
    toml_table_set(t, "s", toml_new_string("q\"\\\n\x01\x7f" "é", 8));
    toml_table_set(t, "a b", toml_new_integer(-3));
    toml_table_set(t, "f", toml_new_float(0.1));
    toml_table_set(t, "g", toml_new_float(1e300));
    toml_table_set(t, "h", toml_new_float(2.0));
    toml_table_set(t, "n", toml_new_float(-NAN));
    toml_value *arr = toml_new_array();
    toml_array_push(arr, toml_new_bool(false));
    toml_array_push(arr, toml_new_table());
    toml_table_set(t, "arr", arr);
    char *s = toml_to_inline(t);
    assert_string_equal(s, "{ s = \"q\\\"\\\\\\n\\u0001\\u007Fé\", \"a b\" = -3, f = 0.1, g = 1e+300, h = 2.0, "
                           "n = -nan, arr = [false, {}] }");
    struct toml_error err;
    toml_value *back = toml_parse_value(s, strlen(s), &err);
    assert_non_null(back);
    assert_true(toml_equal(back, t));
    free(s);
    toml_free(back);
    toml_free(t);
}

static void document_rendering_round_trips(void **state)
{
    (void)state;
    const char *src = "top = 1\n"
                      "[a]\nx = { y = 1 }\n"
                      "[a.b.c]\nz = [1, 2]\n"
                      "[[aot]]\nk = 1\n[aot.sub]\nq = 2\n[[aot]]\nk = 2\n"
                      "[\"quoted key\"]\n"
                      "mixed = [{ t = 1 }, 2]\n"
                      "empty_aot = []\n";
    toml_value *root = parse_ok(src);
    char *doc = toml_to_document(root);
    toml_value *again = parse_ok(doc);
    assert_true(toml_equal(root, again));
    assert_non_null(strstr(doc, "[[aot]]\nk = 1\n\n[aot.sub]\nq = 2\n"));
    assert_non_null(strstr(doc, "[\"quoted key\"]\n"));
    free(doc);
    toml_free(again);
    toml_free(root);
}

static void tables_merge_clone_remove(void **state)
{
    (void)state;
    toml_value *base = parse_ok("a = 1\n[t]\nx = 1\ny = [1]\n[u]\nk = 'v'\n");
    toml_value *over = parse_ok("b = 2\nu = 5\n[t]\ny = [2]\nz = 3\n");
    toml_merge(base, over);
    toml_value *want = parse_ok("a = 1\nb = 2\nu = 5\n[t]\nx = 1\ny = [2]\nz = 3\n");
    assert_true(toml_equal(base, want));
    toml_value *copy = toml_clone(base);
    assert_true(toml_equal(copy, base));
    assert_true(toml_table_remove(copy, "a"));
    assert_false(toml_table_remove(copy, "a"));
    assert_false(toml_equal(copy, base));
    const char *p[] = {"new", "deep", "key"};
    toml_table_set_path(copy, p, 3, toml_new_integer(9));
    assert_int_equal(toml_integer(toml_table_get_path(copy, p, 3)), 9);
    const char *through_scalar[] = {"b", "x"};
    toml_table_set_path(copy, through_scalar, 2, toml_new_integer(1));
    assert_int_equal(toml_type(toml_table_get(copy, "b")), TOML_TABLE);
    toml_free(copy);
    toml_free(want);
    toml_free(over);
    toml_free(base);
}

static void large_tables_keep_order_and_lookup(void **state)
{
    (void)state;
    toml_value *t = toml_new_table();
    char key[32];
    for (int i = 0; i < 500; i++) {
        snprintf(key, sizeof key, "k%d", i);
        toml_table_set(t, key, toml_new_integer(i));
    }
    for (int i = 0; i < 500; i += 2) {
        snprintf(key, sizeof key, "k%d", i);
        assert_true(toml_table_remove(t, key));
    }
    assert_int_equal(toml_table_len(t), 250);
    assert_string_equal(toml_table_key_at(t, 0), "k1");
    for (int i = 0; i < 500; i++) {
        snprintf(key, sizeof key, "k%d", i);
        toml_value *v = toml_table_get(t, key);
        if (i % 2)
            assert_int_equal(toml_integer(v), i);
        else
            assert_null(v);
    }
    toml_free(t);
}

static void error_format(void **state)
{
    (void)state;
    struct toml_error err = {"found 'x', expected a value", 3, 7};
    char out[128];
    toml_error_format(&err, "/home/u/.codex/config.toml", out, sizeof out);
    assert_string_equal(out, "/home/u/.codex/config.toml:3:7: found 'x', expected a value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accessors),
        cmocka_unit_test(unicode_column),
        cmocka_unit_test(error_messages_and_positions),
        cmocka_unit_test(accepts_crlf_bom_and_edge_forms),
        cmocka_unit_test(parse_value_is_exactly_one_value),
        cmocka_unit_test(dotted_keys),
        cmocka_unit_test(inline_rendering),
        cmocka_unit_test(document_rendering_round_trips),
        cmocka_unit_test(tables_merge_clone_remove),
        cmocka_unit_test(large_tables_keep_order_and_lookup),
        cmocka_unit_test(error_format),
    };
    return cmocka_run_group_tests_name("toml", tests, NULL, NULL);
}

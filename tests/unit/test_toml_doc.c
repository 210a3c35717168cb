/* Unit tests for the format-preserving TOML editor (toml_doc_*): each edit
 * must produce exactly the expected text, and that text must parse to the
 * original tree with the edit applied. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"

static toml_value *parse_ok(const char *text)
{
    struct toml_error err;
    toml_value *v = toml_parse(text, strlen(text), &err);
    if (!v)
        fail_msg("parse failed at %d:%d: %s\n%s", err.line, err.col, err.message, text);
    return v;
}

static int split_key(const char *dotted, char ***keys)
{
    struct toml_error err;
    int n = toml_parse_dotted_key(dotted, keys, &err);
    if (n < 0)
        fail_msg("bad key %s: %s", dotted, err.message);
    return n;
}

/* Set dotted = value_src in before; expect exactly after. */
static void check_set(const char *before, const char *dotted, const char *value_src, const char *after)
{
    struct toml_error err;
    toml_doc *doc = toml_doc_parse(before, strlen(before), &err);
    assert_non_null(doc);
    char **keys;
    int n = split_key(dotted, &keys);
    toml_value *value = toml_parse_value(value_src, strlen(value_src), &err);
    assert_non_null(value);
    if (toml_doc_set(doc, (const char *const *)keys, (size_t)n, value, &err) != 0)
        fail_msg("set %s failed: %s", dotted, err.message);
    size_t len;
    const char *text = toml_doc_text(doc, &len);
    if (strcmp(text, after) != 0)
        fail_msg("set %s = %s\n--- got ---\n%s--- expected ---\n%s---", dotted, value_src, text, after);
    assert_int_equal(len, strlen(after));

    toml_value *expected = parse_ok(before);
    toml_table_set_path(expected, (const char *const *)keys, (size_t)n, toml_clone(value));
    toml_value *got = parse_ok(text);
    assert_true(toml_equal(got, expected));

    toml_free(got);
    toml_free(expected);
    toml_free(value);
    toml_free_keys(keys, n);
    toml_doc_free(doc);
}

static void check_unset(const char *before, const char *dotted, int want_rc, const char *after)
{
    struct toml_error err;
    toml_doc *doc = toml_doc_parse(before, strlen(before), &err);
    assert_non_null(doc);
    char **keys;
    int n = split_key(dotted, &keys);
    int rc = toml_doc_unset(doc, (const char *const *)keys, (size_t)n, &err);
    if (rc != want_rc)
        fail_msg("unset %s returned %d (%s), expected %d", dotted, rc, rc < 0 ? err.message : "", want_rc);
    const char *text = toml_doc_text(doc, NULL);
    if (strcmp(text, after) != 0)
        fail_msg("unset %s\n--- got ---\n%s--- expected ---\n%s---", dotted, text, after);
    toml_value *got = parse_ok(text);
    assert_null(toml_table_get_path(got, (const char *const *)keys, (size_t)n));
    toml_free(got);
    toml_free_keys(keys, n);
    toml_doc_free(doc);
}

static void set_existing_keeps_comment_and_layout(void **state)
{
    (void)state;
    check_set("# top\nmodel   =  \"gpt-5\"   # my model\n\n[tui]\nx = 1\n", "model", "\"o3\"",
              "# top\nmodel   =  \"o3\"   # my model\n\n[tui]\nx = 1\n");
    check_set("a = [\n  1,\n  2, # two\n]\nb = 2\n", "a", "[3]", "a = [3]\nb = 2\n");
    check_set("[x]\n  k = 'v'\r\n  j = 1\r\n", "x.k", "true", "[x]\n  k = true\r\n  j = 1\r\n");
}

static void set_new_key_goes_to_end_of_its_section(void **state)
{
    (void)state;
    check_set("a = 1\n# trailing\n\n[s]\nb = 2\n\n# about t\n[t]\n", "s.c", "3",
              "a = 1\n# trailing\n\n[s]\nb = 2\nc = 3\n\n# about t\n[t]\n");
    check_set("a = 1\n\n[s]\nb = 2\n", "z", "\"new\"", "a = 1\nz = \"new\"\n\n[s]\nb = 2\n");
    check_set("[s]\n    b = 2\n", "s.c", "3", "[s]\n    b = 2\n    c = 3\n");
    check_set("[s]\n[t]\nx = 1\n", "s.c", "3", "[s]\nc = 3\n[t]\nx = 1\n");
    check_set("a = 1", "b", "2", "a = 1\nb = 2\n");
    check_set("", "model", "\"o3\"", "model = \"o3\"\n");
}

static void set_root_key_when_root_has_none(void **state)
{
    (void)state;
    check_set("# Codex config\n\n# providers\n[p]\nx = 1\n", "model", "\"o3\"",
              "# Codex config\n\nmodel = \"o3\"\n\n# providers\n[p]\nx = 1\n");
    check_set("# only a comment\n", "model", "\"o3\"", "# only a comment\nmodel = \"o3\"\n");
}

static void set_creates_sections_at_end(void **state)
{
    (void)state;
    check_set("model = \"o3\"\n", "profiles.fast.model", "\"gpt-5\"",
              "model = \"o3\"\n\n[profiles.fast]\nmodel = \"gpt-5\"\n");
    check_set("[profiles.fast]\nmodel = \"a\"\n\n[tui]\n", "profiles.fast.effort", "\"low\"",
              "[profiles.fast]\nmodel = \"a\"\neffort = \"low\"\n\n[tui]\n");
    check_set("[profiles.fast]\nmodel = \"a\"\n", "profiles.slow.model", "\"b\"",
              "[profiles.fast]\nmodel = \"a\"\n\n[profiles.slow]\nmodel = \"b\"\n");
    /* profiles exists only implicitly: it gets its own section. */
    check_set("[profiles.fast]\nmodel = \"a\"\n", "profiles.default", "\"fast\"",
              "[profiles.fast]\nmodel = \"a\"\n\n[profiles]\ndefault = \"fast\"\n");
    check_set("x = 1", "t", "{ a = 1, sub = { b = [1, 2] } }", "x = 1\n\n[t]\na = 1\n\n[t.sub]\nb = [1, 2]\n");
}

static void set_quotes_keys_that_are_not_bare(void **state)
{
    (void)state;
    check_set("[projects]\n", "projects.\"/home/u/repo\".trust_level", "\"trusted\"",
              "[projects]\n\n[projects.\"/home/u/repo\"]\ntrust_level = \"trusted\"\n");
    check_set("[projects.\"/home/u/repo\"]\ntrust_level = \"untrusted\"\n", "projects.\"/home/u/repo\".trust_level",
              "\"trusted\"", "[projects.\"/home/u/repo\"]\ntrust_level = \"trusted\"\n");
    check_set("", "\"a b\"", "1", "\"a b\" = 1\n");
    check_set("", "\"\"", "1", "\"\" = 1\n");
}

static void set_under_dotted_keys(void **state)
{
    (void)state;
    check_set("[profiles]\nfast.model = \"a\"\n\n[tui]\n", "profiles.fast.model", "\"b\"",
              "[profiles]\nfast.model = \"b\"\n\n[tui]\n");
    check_set("[profiles]\nfast.model = \"a\"\nother = 1\n\n[tui]\n", "profiles.fast.effort", "\"high\"",
              "[profiles]\nfast.model = \"a\"\nfast.effort = \"high\"\nother = 1\n\n[tui]\n");
    check_set("a.b.c = 1\n[z]\n", "a.b.d", "2", "a.b.c = 1\na.b.d = 2\n[z]\n");
}

static void set_inside_inline_table(void **state)
{
    (void)state;
    check_set("tui = { a = 1 } # keep\n", "tui.b", "2", "tui = { a = 1, b = 2 } # keep\n");
    check_set("tui = { a = 1, n = { x = 1 } }\n", "tui.n.x", "5", "tui = { a = 1, n = { x = 5 } }\n");
    check_set("[s]\nt = {}\n", "s.t.deep.k", "'v'", "[s]\nt = { deep = { k = \"v\" } }\n");
}

static void set_replaces_tables(void **state)
{
    (void)state;
    check_set("[a]\nx = 1\n\n[a.sub]\ny = 2\n\n[b]\nz = 3\n", "a", "{ n = 1 }",
              "[b]\nz = 3\n\n[a]\nn = 1\n");
    check_set("[[arr]]\nx = 1\n[[arr]]\nx = 2\n", "arr", "[1, 2]", "arr = [1, 2]\n");
    check_set("k = 1\n", "k", "{ a = 1 }", "k = { a = 1 }\n");
}

static void set_refuses_bad_paths(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"model = \"o3\"\n", "model.x"},
        {"[[arr]]\nx = 1\n", "arr.x"},
        {"a = [1]\n", "a.b"},
        {"a = { b = 1 }\n", "a.b.c"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct toml_error err;
        toml_doc *doc = toml_doc_parse(cases[i][0], strlen(cases[i][0]), &err);
        assert_non_null(doc);
        char **keys;
        int n = split_key(cases[i][1], &keys);
        toml_value *v = toml_new_integer(1);
        err.message[0] = '\0';
        assert_int_equal(toml_doc_set(doc, (const char *const *)keys, (size_t)n, v, &err), -1);
        assert_true(err.message[0] != '\0');
        assert_string_equal(toml_doc_text(doc, NULL), cases[i][0]);
        toml_free(v);
        toml_free_keys(keys, n);
        toml_doc_free(doc);
    }
}

static void unset_removes_lines_and_sections(void **state)
{
    (void)state;
    check_unset("a = 1 # c\nb = 2\n", "a", 1, "b = 2\n");
    check_unset("a = 1\n", "zz", 0, "a = 1\n");
    check_unset("a = 1\n", "a.b", 0, "a = 1\n");
    check_unset("x = 1\n\n[a]\nk = 1\n\n# about b\n[b]\nk = 2\n", "a", 1, "x = 1\n\n# about b\n[b]\nk = 2\n");
    check_unset("x = 1\n\n[a]\nk = 1\n\n[a.sub]\nj = 2\n", "a", 1, "x = 1\n");
    check_unset("[p]\nf.model = 1\nf.e = 2\ng = 3\n", "p.f", 1, "[p]\ng = 3\n");
    check_unset("[p]\nf.model = 1\ng = 3\n", "p.f.model", 1, "[p]\ng = 3\n");
    check_unset("t = { a = 1, b = 2 }\n", "t.a", 1, "t = { b = 2 }\n");
    check_unset("[[arr]]\nx = 1\n[[arr]]\nx = 2\n[z]\n", "arr", 1, "[z]\n");
    check_unset("[a.b]\nk = 1\n", "a.b.k", 1, "[a.b]\n");
}

static void unset_refuses_arrays_of_tables(void **state)
{
    (void)state;
    const char *text = "[[arr]]\nx = 1\n";
    struct toml_error err;
    toml_doc *doc = toml_doc_parse(text, strlen(text), &err);
    const char *keys[] = {"arr", "x"};
    assert_int_equal(toml_doc_unset(doc, keys, 2, &err), -1);
    assert_non_null(strstr(err.message, "array"));
    assert_string_equal(toml_doc_text(doc, NULL), text);
    toml_doc_free(doc);
}

static void repeated_edits_accumulate(void **state)
{
    (void)state;
    const char *text = "# cfg\nmodel = \"a\"\n\n[features]\nx = true\n";
    struct toml_error err;
    toml_doc *doc = toml_doc_parse(text, strlen(text), &err);
    const char *k1[] = {"features", "y"};
    const char *k2[] = {"model"};
    const char *k3[] = {"features", "x"};
    toml_value *t = toml_new_bool(true);
    toml_value *s = toml_new_string("b", 1);
    assert_int_equal(toml_doc_set(doc, k1, 2, t, &err), 0);
    assert_int_equal(toml_doc_set(doc, k2, 1, s, &err), 0);
    assert_int_equal(toml_doc_unset(doc, k3, 2, &err), 1);
    assert_string_equal(toml_doc_text(doc, NULL), "# cfg\nmodel = \"b\"\n\n[features]\ny = true\n");
    toml_free(t);
    toml_free(s);
    toml_doc_free(doc);
}

static void doc_parse_rejects_invalid(void **state)
{
    (void)state;
    struct toml_error err;
    assert_null(toml_doc_parse("a = 1\na = 2\n", 12, &err));
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_existing_keeps_comment_and_layout),
        cmocka_unit_test(set_new_key_goes_to_end_of_its_section),
        cmocka_unit_test(set_root_key_when_root_has_none),
        cmocka_unit_test(set_creates_sections_at_end),
        cmocka_unit_test(set_quotes_keys_that_are_not_bare),
        cmocka_unit_test(set_under_dotted_keys),
        cmocka_unit_test(set_inside_inline_table),
        cmocka_unit_test(set_replaces_tables),
        cmocka_unit_test(set_refuses_bad_paths),
        cmocka_unit_test(unset_removes_lines_and_sections),
        cmocka_unit_test(unset_refuses_arrays_of_tables),
        cmocka_unit_test(repeated_edits_accumulate),
        cmocka_unit_test(doc_parse_rejects_invalid),
    };
    return cmocka_run_group_tests_name("toml_doc", tests, NULL, NULL);
}

/* Unit tests for commandActions: what a command line is said to do. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tools/command_actions.h"

/* The actions of `command`, compared as compact JSON text. */
static void expect_actions(const char *command, const char *want_json)
{
    json_t *got = tool_command_actions(command);
    json_t *want = json_loads(want_json, 0, NULL);
    assert_non_null(want);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
        print_error("%s\n  got  %s\n  want %s\n", command, g, want_json);
        free(g);
        fail();
    }
    json_decref(got);
    json_decref(want);
}

static void test_reads(void **state)
{
    (void)state;
    expect_actions("/bin/bash -lc 'cat webview/README.md'",
                   "[{\"type\":\"read\",\"command\":\"cat webview/README.md\","
                   "\"name\":\"README.md\",\"path\":\"webview/README.md\"}]");
    expect_actions("head -n 50 Cargo.toml",
                   "[{\"type\":\"read\",\"command\":\"head -n 50 Cargo.toml\","
                   "\"name\":\"Cargo.toml\",\"path\":\"Cargo.toml\"}]");
    expect_actions("tail Cargo.toml",
                   "[{\"type\":\"read\",\"command\":\"tail Cargo.toml\","
                   "\"name\":\"Cargo.toml\",\"path\":\"Cargo.toml\"}]");
    expect_actions("/bin/bash -c \"sed -n '1,40p' src/main.c\"",
                   "[{\"type\":\"read\",\"command\":\"sed -n '1,40p' src/main.c\","
                   "\"name\":\"main.c\",\"path\":\"src/main.c\"}]");
    /* cd moves the reads; it is no action of its own. */
    expect_actions("cd foo && cat foo.txt",
                   "[{\"type\":\"read\",\"command\":\"cat foo.txt\","
                   "\"name\":\"foo.txt\",\"path\":\"foo/foo.txt\"}]");
}

static void test_listings_and_searches(void **state)
{
    (void)state;
    expect_actions("ls -la | sed -n '1,120p'",
                   "[{\"type\":\"listFiles\",\"command\":\"ls -la\",\"path\":null}]");
    expect_actions("rg --files webview/src | head -n 50",
                   "[{\"type\":\"listFiles\",\"command\":\"rg --files webview/src\","
                   "\"path\":\"webview\"}]");
    expect_actions("rg -n \"BUG|TODO\" -S | head -n 200",
                   "[{\"type\":\"search\",\"command\":\"rg -n 'BUG|TODO' -S\","
                   "\"query\":\"BUG|TODO\",\"path\":null}]");
    expect_actions("grep -rn -e needle lib",
                   "[{\"type\":\"search\",\"command\":\"grep -rn -e needle lib\","
                   "\"query\":\"needle\",\"path\":\"lib\"}]");
    expect_actions("git grep TODO src",
                   "[{\"type\":\"search\",\"command\":\"git grep TODO src\","
                   "\"query\":\"TODO\",\"path\":\"src\"}]");
    expect_actions("find . -name '*.rs'",
                   "[{\"type\":\"search\",\"command\":\"find . -name '*.rs'\","
                   "\"query\":\"*.rs\",\"path\":\".\"}]");
    expect_actions("ls src; cat a.txt",
                   "[{\"type\":\"listFiles\",\"command\":\"ls src\",\"path\":\"src\"},"
                   "{\"type\":\"read\",\"command\":\"cat a.txt\",\"name\":\"a.txt\","
                   "\"path\":\"a.txt\"}]");
    /* Consecutive repeats are said once. */
    expect_actions("ls && ls",
                   "[{\"type\":\"listFiles\",\"command\":\"ls\",\"path\":null}]");
}

static void test_anything_else_is_one_unknown(void **state)
{
    (void)state;
    expect_actions("/bin/bash -lc 'echo out-from-shell'",
                   "[{\"type\":\"unknown\",\"command\":\"echo out-from-shell\"}]");
    expect_actions("git status | wc -l",
                   "[{\"type\":\"unknown\",\"command\":\"git status | wc -l\"}]");
    expect_actions("cat a.txt && rm -rf b",
                   "[{\"type\":\"unknown\",\"command\":\"cat a.txt && rm -rf b\"}]");
    expect_actions("echo foo > bar", "[{\"type\":\"unknown\",\"command\":\"echo foo > bar\"}]");
    expect_actions("cat $(ls)", "[{\"type\":\"unknown\",\"command\":\"cat $(ls)\"}]");
    expect_actions("find . -name x -delete",
                   "[{\"type\":\"unknown\",\"command\":\"find . -name x -delete\"}]");
    expect_actions("cat 'unterminated", "[{\"type\":\"unknown\",\"command\":\"cat 'unterminated\"}]");
    expect_actions("cd foo", "[{\"type\":\"unknown\",\"command\":\"cd foo\"}]");
    expect_actions("", "[{\"type\":\"unknown\",\"command\":\"\"}]");
    expect_actions(NULL, "[{\"type\":\"unknown\",\"command\":\"\"}]");
    json_t *latin1 = tool_command_actions("cat caf\xe9.txt");
    assert_int_equal(json_array_size(latin1), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(latin1, 0), "type")),
                        "unknown");
    json_decref(latin1);
    expect_actions("ls &&", "[{\"type\":\"unknown\",\"command\":\"ls &&\"}]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads),
        cmocka_unit_test(test_listings_and_searches),
        cmocka_unit_test(test_anything_else_is_one_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the shell splitter used before rules are applied. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "policy/shell_split.h"

/* Split script and compare with the expected commands, given as one string
 * per command with words separated by '|'. */
static void expect_split(const char *script, size_t ncmds, ...)
{
    struct shell_commands c;
    int r = shell_split(script, strlen(script), &c);
    if (r != 0)
        fail_msg("expected \"%s\" to split, got opaque", script);
    assert_int_equal(c.n, ncmds);
    va_list ap;
    va_start(ap, ncmds);
    for (size_t i = 0; i < ncmds; i++) {
        const char *want = va_arg(ap, const char *);
        char joined[512] = "";
        for (size_t j = 0; j < c.cmds[i].n; j++) {
            if (j)
                strcat(joined, "|");
            strcat(joined, c.cmds[i].v[j]);
        }
        assert_string_equal(joined, want);
    }
    va_end(ap);
    shell_commands_free(&c);
}

static void expect_opaque(const char *script)
{
    struct shell_commands c;
    if (shell_split(script, strlen(script), &c) != -1)
        fail_msg("expected \"%s\" to be opaque", script);
    assert_int_equal(c.n, 0);
    assert_null(c.cmds);
}

static void detects_shell_wrappers(void **state)
{
    (void)state;
    const char *a[] = {"bash", "-lc", "ls"};
    assert_string_equal(shell_wrapper_script(a, 3), "ls");
    const char *b[] = {"/bin/zsh", "-c", "echo hi"};
    assert_string_equal(shell_wrapper_script(b, 3), "echo hi");
    const char *c[] = {"/usr/bin/sh", "-c", ""};
    assert_string_equal(shell_wrapper_script(c, 3), "");
    const char *d[] = {"fish", "-c", "ls"};
    assert_null(shell_wrapper_script(d, 3));
    const char *e[] = {"bash", "-x", "ls"};
    assert_null(shell_wrapper_script(e, 3));
    const char *f[] = {"bash", "-lc", "ls", "extra"};
    assert_null(shell_wrapper_script(f, 4));
    const char *g[] = {"bashful", "-c", "ls"};
    assert_null(shell_wrapper_script(g, 3));
}

static void splits_simple_sequences(void **state)
{
    (void)state;
    expect_split("ls", 1, "ls");
    expect_split("  git   status  ", 1, "git|status");
    expect_split("git status && rm -rf x", 2, "git|status", "rm|-rf|x");
    expect_split("a || b; c | d", 4, "a", "b", "c", "d");
    expect_split("a\nb\n\nc", 3, "a", "b", "c");
    expect_split("a;", 1, "a");
    expect_split("a &&\n  b", 2, "a", "b");
    expect_split("a|b", 2, "a", "b");
}

static void handles_quoting(void **state)
{
    (void)state;
    expect_split("echo 'a b' \"c d\"", 1, "echo|a b|c d");
    expect_split("echo 'it'\\''s'", 1, "echo|it's");
    expect_split("echo \"x\\\"y\\\\z\\n\"", 1, "echo|x\"y\\z\\n");
    expect_split("echo a\\ b", 1, "echo|a b");
    expect_split("echo 'a && b'", 1, "echo|a && b");
    expect_split("echo \"a;b|c\"", 1, "echo|a;b|c");
    expect_split("echo ''", 1, "echo|");
    expect_split("echo a#b", 1, "echo|a#b");
    expect_split("ls *.c ~/x", 1, "ls|*.c|~/x");
    expect_split("'if' x", 1, "if|x");
    expect_split("ls a\\\nb", 1, "ls|ab");
    expect_split("FOO", 1, "FOO");
    expect_split("echo A=1", 1, "echo|A=1");
}

static void refuses_what_it_cannot_prove(void **state)
{
    (void)state;
    static const char *const opaque[] = {
        "",          "   \n ",          "echo $(rm -rf /)", "echo `id`",        "echo $HOME",
        "echo \"$HOME\"", "ls > out",   "cat < in",         "ls 2>&1",          "(cd x && ls)",
        "{ ls; }",   "ls &",            "a & b",            "a |& b",           "a &&",
        "&& a",      "a || || b",       "a ;; b",           "; a",              "a | ",
        "FOO=1 ls",  "if true; then ls; fi", "for x in a; do ls; done", "! ls", "echo 'unterminated",
        "echo \"unterminated", "echo \\", "# comment", "ls # comment",    "echo {a,b}",
        "time ls",   "a; ; b",          "while true; do :; done", "case x in esac", "x+=1 ls",
    };
    for (size_t i = 0; i < sizeof opaque / sizeof opaque[0]; i++)
        expect_opaque(opaque[i]);
    /* An embedded NUL never reaches a shell intact: opaque. */
    struct shell_commands c;
    assert_int_equal(shell_split("ls\0rm", 5, &c), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detects_shell_wrappers),
        cmocka_unit_test(splits_simple_sequences),
        cmocka_unit_test(handles_quoting),
        cmocka_unit_test(refuses_what_it_cannot_prove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the known-safe command classifier (src/policy/safe_commands.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "policy/safe_commands.h"

#define SAFE(...) check((const char *[]){__VA_ARGS__, NULL}, true, __LINE__)
#define UNSAFE(...) check((const char *[]){__VA_ARGS__, NULL}, false, __LINE__)

static void check(const char **argv, bool want, int line)
{
    size_t n = 0;
    while (argv[n])
        n++;
    bool got = safe_command_is_known_safe(argv, n);
    if (got != want) {
        print_error("line %d: %s%s%s... classified %s\n", line, argv[0], n > 1 ? " " : "", n > 1 ? argv[1] : "",
                    got ? "safe" : "unsafe");
        fail();
    }
}

static void plain_read_only_commands_are_safe(void **state)
{
    (void)state;
    SAFE("ls");
    SAFE("ls", "-la", "src");
    SAFE("cat", "README.md");
    SAFE("grep", "-rn", "main", "src");
    SAFE("wc", "-l", "file");
    SAFE("head", "-n", "5", "f");
    SAFE("pwd");
    SAFE("numfmt", "1000");
    SAFE("tac", "f");
    SAFE("nl", "-nrz", "Makefile");
    UNSAFE("rm", "-rf", "/");
    UNSAFE("cargo", "check");
    UNSAFE("foo");
    UNSAFE("/bin/ls"); /* paths are not names we know */
}

static void find_without_actions(void **state)
{
    (void)state;
    SAFE("find", ".", "-name", "*.c");
    UNSAFE("find", ".", "-name", "x", "-exec", "rm", "{}", ";");
    UNSAFE("find", ".", "-execdir", "sh", "{}", ";");
    UNSAFE("find", ".", "-ok", "rm", "{}", ";");
    UNSAFE("find", ".", "-okdir", "rm", "{}", ";");
    UNSAFE("find", ".", "-delete");
    UNSAFE("find", ".", "-fls", "out");
    UNSAFE("find", ".", "-fprint", "out");
    UNSAFE("find", ".", "-fprint0", "out");
    UNSAFE("find", ".", "-fprintf", "out", "%p");
}

static void ripgrep_without_external_programs(void **state)
{
    (void)state;
    SAFE("rg", "-n", "TODO", "src");
    UNSAFE("rg", "--pre", "sh", "x");
    UNSAFE("rg", "--pre=sh", "x");
    UNSAFE("rg", "--hostname-bin", "x", "y");
    UNSAFE("rg", "--hostname-bin=x", "y");
    UNSAFE("rg", "-z", "x");
    UNSAFE("rg", "--search-zip", "x");
}

static void sed_prints_only(void **state)
{
    (void)state;
    SAFE("sed", "-n", "10p", "f");
    SAFE("sed", "-n", "1,5p", "f");
    SAFE("sed", "-n", "3p");
    UNSAFE("sed", "-n", "xp", "f");
    UNSAFE("sed", "-n", "1,2,3p", "f");
    UNSAFE("sed", "-n", ",5p", "f");
    UNSAFE("sed", "-i", "s/a/b/", "f");
    UNSAFE("sed", "-n", "1p", "f", "g");
    UNSAFE("sed", "-n", "1w out", "f");
}

static void base64_without_output_file(void **state)
{
    (void)state;
    SAFE("base64", "f");
    UNSAFE("base64", "-o", "out");
    UNSAFE("base64", "-oout");
    UNSAFE("base64", "--output", "out");
    UNSAFE("base64", "--output=out");
}

static void git_reads_are_safe_writes_and_overrides_are_not(void **state)
{
    (void)state;
    SAFE("git", "status");
    SAFE("git", "diff", "--stat");
    SAFE("git", "log", "--oneline", "-5");
    SAFE("git", "show", "HEAD");
    SAFE("git", "branch", "--show-current");
    SAFE("git", "branch", "-a");
    UNSAFE("git", "branch", "new-branch");
    UNSAFE("git", "branch", "-D", "main");
    UNSAFE("git", "commit", "-m", "x");
    UNSAFE("git", "push");
    UNSAFE("git", "fetch");
    UNSAFE("git", "checkout", "f");
    UNSAFE("git", "-c", "core.pager=sh", "log");
    UNSAFE("git", "--exec-path=/tmp", "status");
    UNSAFE("git", "diff", "--output=/etc/x");
    UNSAFE("git", "diff", "--output", "x");
    UNSAFE("git", "diff", "--ext-diff");
    UNSAFE("git", "log", "--textconv");
    UNSAFE("git");
}

static void shell_scripts_are_safe_only_when_every_part_is(void **state)
{
    (void)state;
    SAFE("bash", "-lc", "ls");
    SAFE("bash", "-lc", "ls -1");
    SAFE("bash", "-c", "grep -R \"Cargo.toml\" -n");
    SAFE("bash", "-lc", "sed -n '1,5p' file.txt");
    SAFE("bash", "-lc", "grep -R x -n || true");
    SAFE("bash", "-lc", "ls && pwd");
    SAFE("bash", "-lc", "echo 'hi' ; ls");
    SAFE("bash", "-lc", "ls | wc -l");
    SAFE("zsh", "-lc", "ls");
    SAFE("bash", "-lc", "git status && git diff | head -5");
    SAFE("bash", "-lc", "cat a&&cat b");
    UNSAFE("bash", "-lc", "git", "status");
    UNSAFE("bash", "-lc", "'git status'");
    UNSAFE("bash", "-lc", "find . -name f -delete");
    UNSAFE("bash", "-lc", "ls && rm -rf /");
    UNSAFE("bash", "-lc", "(ls)");
    UNSAFE("bash", "-lc", "ls || (pwd && echo hi)");
    UNSAFE("bash", "-lc", "ls > out.txt");
    UNSAFE("bash", "-lc", "cat < /etc/shadow");
    UNSAFE("bash", "-lc", "echo $(rm -rf x)");
    UNSAFE("bash", "-lc", "echo `rm x`");
    UNSAFE("bash", "-lc", "echo \"$HOME\"");
    UNSAFE("bash", "-lc", "ls &");
    UNSAFE("bash", "-lc", "ls & rm x");
    UNSAFE("bash", "-lc", "ls\nrm x");
    UNSAFE("bash", "-lc", "ls ||| pwd");
    UNSAFE("bash", "-lc", "ls && && pwd");
    UNSAFE("bash", "-lc", "");
    UNSAFE("bash", "-lc", "echo 'unterminated");
    UNSAFE("bash", "-lc", "ls; sh -c id");
    UNSAFE("bash", "-lc", "echo a\\;rm");
    UNSAFE("bash", "-x", "ls");
    UNSAFE("python3", "-c", "print(1)");
    /* exec_command runs the shell by its full path: recognised by file name. */
    SAFE("/bin/bash", "-lc", "ls");
    SAFE("/usr/bin/bash", "-c", "cat README.md");
    SAFE("/bin/zsh", "-lc", "ls -la");
    SAFE("/usr/local/bin/zsh", "-lc", "pwd");
    SAFE("/bin/sh", "-c", "cat a && wc -l a");
    UNSAFE("/bin/bash", "-lc", "rm -rf x");
    UNSAFE("/usr/bin/python3", "-c", "ls");
    UNSAFE("/opt/bash-like/fish", "-c", "ls");
    UNSAFE("/bin/bashx", "-lc", "ls");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_read_only_commands_are_safe),
        cmocka_unit_test(find_without_actions),
        cmocka_unit_test(ripgrep_without_external_programs),
        cmocka_unit_test(sed_prints_only),
        cmocka_unit_test(base64_without_output_file),
        cmocka_unit_test(git_reads_are_safe_writes_and_overrides_are_not),
        cmocka_unit_test(shell_scripts_are_safe_only_when_every_part_is),
    };
    return cmocka_run_group_tests_name("safe_commands", tests, NULL, NULL);
}

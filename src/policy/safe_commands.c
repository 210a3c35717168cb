/* Known-safe commands.  Deliberately conservative: a false "unsafe" costs a
 * prompt, a false "safe" runs something unasked. */
#include <stdlib.h>
#include <string.h>

#include "policy/safe_commands.h"
#include "util/buf.h"
#include "util/strvec.h"
#include "util/xalloc.h"

static bool word_in(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return true;
    return false;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "N" + "p" or "M,N" + "p": a sed script that only prints lines. */
static bool is_sed_print_range(const char *s)
{
    size_t len = strlen(s);
    if (len < 2 || s[len - 1] != 'p')
        return false;
    int digits = 0, commas = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            digits++;
        } else if (s[i] == ',' && digits > 0 && commas == 0) {
            commas++;
            digits = 0;
        } else {
            return false;
        }
    }
    return digits > 0;
}

static bool any_arg(const char *const *argv, size_t argc, const char *const *bad, const char *const *bad_eq)
{
    for (size_t i = 1; i < argc; i++) {
        if (bad && word_in(argv[i], bad))
            return true;
        for (const char *const *b = bad_eq; b && *b; b++)
            if (has_prefix(argv[i], *b) && argv[i][strlen(*b)] == '=')
                return true;
    }
    return false;
}

static bool git_is_safe(const char *const *argv, size_t argc)
{
    static const char *const read_only[] = {"status", "log", "diff", "show", "branch", NULL};
    /* Options that write files, run configured programs or override config. */
    static const char *const unsafe[] = {"--output", "--ext-diff", "--textconv", "--exec", "-c",
                                         "--config-env", "--upload-pack", "--open-files-in-pager", NULL};
    static const char *const unsafe_eq[] = {"--output", "--exec", "--config-env", "--upload-pack", NULL};
    /* Global options (git -c k=v, git --exec-path ...) come before the
     * subcommand: none are accepted. */
    if (argc < 2 || !word_in(argv[1], read_only))
        return false;
    if (any_arg(argv, argc, unsafe, unsafe_eq))
        return false;
    if (strcmp(argv[1], "branch") == 0) {
        /* Listing only: creating, renaming or deleting a branch writes. */
        static const char *const listing[] = {"--show-current", "-a", "--all", "-r", "--remotes", "-v", "-vv",
                                              "--verbose", "--list", "-l", "--no-color", "--color", NULL};
        for (size_t i = 2; i < argc; i++)
            if (!word_in(argv[i], listing))
                return false;
    }
    return true;
}

static bool exec_is_safe(const char *const *argv, size_t argc)
{
    static const char *const plain[] = {"cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id",
                                        "ls", "nl", "paste", "pwd", "rev", "seq", "stat", "tail", "tr",
                                        "true", "uname", "uniq", "wc", "which", "whoami", "numfmt", "tac",
                                        NULL};
    if (argc == 0)
        return false;
    const char *cmd = argv[0];
    if (word_in(cmd, plain))
        return true;
    if (strcmp(cmd, "base64") == 0) {
        for (size_t i = 1; i < argc; i++)
            if (strcmp(argv[i], "--output") == 0 || has_prefix(argv[i], "--output=") || has_prefix(argv[i], "-o"))
                return false;
        return true;
    }
    if (strcmp(cmd, "find") == 0) {
        static const char *const unsafe[] = {"-exec", "-execdir", "-ok", "-okdir", "-delete",
                                             "-fls", "-fprint", "-fprint0", "-fprintf", NULL};
        return !any_arg(argv, argc, unsafe, NULL);
    }
    if (strcmp(cmd, "rg") == 0) {
        static const char *const unsafe[] = {"--pre", "--hostname-bin", "--search-zip", "-z", NULL};
        static const char *const unsafe_eq[] = {"--pre", "--hostname-bin", NULL};
        return !any_arg(argv, argc, unsafe, unsafe_eq);
    }
    if (strcmp(cmd, "sed") == 0)
        return argc >= 3 && argc <= 4 && strcmp(argv[1], "-n") == 0 && is_sed_print_range(argv[2]);
    if (strcmp(cmd, "git") == 0)
        return git_is_safe(argv, argc);
    return false;
}

/* A deliberately small shell reader: words made of plain characters,
 * '...' and "..." without expansions, separated by blanks and the
 * operators && || ; |.  Anything else (redirections, subshells, $, `,
 * backslashes, &, newlines, comments) makes the script "not plain", and a
 * script that is not plain is never safe.  Each command is checked as soon
 * as its operator or the end is reached. */
static bool plain_script_is_safe(const char *s)
{
    struct strvec words = STRVEC_INIT;
    struct buf word = BUF_INIT;
    bool in_word = false, ok = true, saw_command = false;
    for (const char *p = s;; p++) {
        char c = *p;
        bool end = c == '\0';
        if (!end && c != ' ' && c != '\t' && c != '&' && c != '|' && c != ';') {
            if (c == '\'' || c == '"') {
                const char *close = strchr(p + 1, c);
                if (!close) {
                    ok = false;
                    break;
                }
                for (const char *q = p + 1; q < close; q++)
                    if (c == '"' && (*q == '$' || *q == '`' || *q == '\\' || *q == '!')) {
                        ok = false;
                        break;
                    }
                if (!ok)
                    break;
                buf_append(&word, p + 1, (size_t)(close - p - 1));
                in_word = true;
                p = close;
                continue;
            }
            if (strchr("$`\\<>()\n#{}!", c)) {
                ok = false;
                break;
            }
            buf_putc(&word, c);
            in_word = true;
            continue;
        }
        if (in_word) {
            strvec_push(&words, buf_cstr(&word));
            buf_truncate(&word, 0);
            in_word = false;
        }
        if (c == ' ' || c == '\t')
            continue;
        /* An operator, or the end: the command before it must be safe. */
        if (words.n == 0 || !exec_is_safe((const char *const *)words.v, words.n)) {
            ok = false;
            break;
        }
        saw_command = true;
        strvec_free(&words);
        if (end)
            break;
        if ((c == '&' && p[1] != '&') || ((c == '&' || c == '|') && p[1] == c && (p[2] == '&' || p[2] == '|')))
            ok = false; /* background job, or a malformed operator */
        if (!ok)
            break;
        if ((c == '&' || c == '|') && p[1] == c)
            p++;
    }
    strvec_free(&words);
    buf_free(&word);
    return ok && saw_command;
}

bool safe_command_is_known_safe(const char *const *argv, size_t argc)
{
    if (argc == 0 || !argv[0])
        return false;
    if (exec_is_safe(argv, argc))
        return true;
    /* The shell is recognised by its file name: exec_command runs
     * ["/bin/bash", "-lc", script]. */
    static const char *const shells[] = {"bash", "zsh", "sh", NULL};
    const char *slash = strrchr(argv[0], '/');
    const char *shell = slash ? slash + 1 : argv[0];
    if (argc == 3 && word_in(shell, shells) && (strcmp(argv[1], "-lc") == 0 || strcmp(argv[1], "-c") == 0))
        return plain_script_is_safe(argv[2]);
    return false;
}

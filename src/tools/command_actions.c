/* commandActions of a commandExecution item: what a shell command does, in
 * the terms a client can show (reading a file, listing files, searching),
 * found by reading the command's words.  The reading is deliberately
 * conservative: any shell syntax beyond words, quotes, `cd`, pipes and
 * `&&`/`||`/`;` lists, or any part not understood, makes the whole command
 * one `unknown` action, as the reference does. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tools/command_actions.h"
#include "util/json_text.h"
#include "util/buf.h"
#include "util/strvec.h"
#include "util/xalloc.h"

/* ---- words ---------------------------------------------------------------- */

/* A command split into words; operators are words of their own with
 * `op` set.  False when the text uses syntax this reader does not follow
 * (redirections, substitutions, variables, subshells, background jobs). */
struct words {
    struct strvec w;
    bool *op;
    size_t cap;
};

static void push_word(struct words *ws, struct buf *b, bool op)
{
    if (ws->w.n + 1 > ws->cap) {
        ws->cap = ws->cap ? ws->cap * 2 : 16;
        ws->op = xrealloc(ws->op, ws->cap * sizeof *ws->op);
    }
    ws->op[ws->w.n] = op;
    strvec_push(&ws->w, buf_cstr(b));
    buf_truncate(b, 0);
}

static bool split_words(const char *s, struct words *ws)
{
    struct buf b = BUF_INIT;
    bool in_word = false, ok = true;
    while (*s && ok) {
        char c = *s;
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word)
                push_word(ws, &b, false);
            in_word = false;
            s++;
        } else if (c == '\'') {
            const char *end = strchr(s + 1, '\'');
            if (!end) {
                ok = false;
                break;
            }
            buf_append(&b, s + 1, (size_t)(end - s - 1));
            in_word = true;
            s = end + 1;
        } else if (c == '"') {
            s++;
            while (*s && *s != '"') {
                if (*s == '$' || *s == '`') {
                    ok = false;
                    break;
                }
                if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
                    s++;
                buf_append(&b, s, 1);
                s++;
            }
            if (*s != '"')
                ok = false;
            else
                s++;
            in_word = true;
        } else if (c == '\\') {
            if (!s[1]) {
                ok = false;
                break;
            }
            buf_append(&b, s + 1, 1);
            in_word = true;
            s += 2;
        } else if (c == '|' || c == ';' || (c == '&' && s[1] == '&')) {
            if (in_word)
                push_word(ws, &b, false);
            in_word = false;
            size_t len = (c != ';' && s[1] == c) ? 2 : 1;
            buf_append(&b, s, len);
            push_word(ws, &b, true);
            s += len;
        } else if (strchr("<>()$`&{}*?~#", c) && !(in_word && (c == '*' || c == '?'))) {
            /* Globs inside a word stay literal (rg patterns, find -name). */
            ok = false;
        } else {
            buf_append(&b, s, 1);
            in_word = true;
            s++;
        }
    }
    if (ok && in_word)
        push_word(ws, &b, false);
    buf_free(&b);
    return ok;
}

static void words_free(struct words *ws)
{
    strvec_free(&ws->w);
    free(ws->op);
}

/* Words joined back into one line a shell would read the same way. */
static bool plain_word(const char *w)
{
    if (!*w)
        return false;
    for (const char *p = w; *p; p++) {
        char c = *p;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !strchr("+-./:@_", c))
            return false;
    }
    return true;
}

static char *join_words(char *const *w, size_t n)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(&b, " ");
        if (plain_word(w[i])) {
            buf_puts(&b, w[i]);
            continue;
        }
        buf_puts(&b, "'");
        for (const char *p = w[i]; *p; p++) {
            if (*p == '\'')
                buf_puts(&b, "'\"'\"'");
            else
                buf_append(&b, p, 1);
        }
        buf_puts(&b, "'");
    }
    return buf_detach(&b, NULL);
}

/* ---- one simple command ---------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static bool in_set(const char *w, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(w, *set) == 0)
            return true;
    return false;
}

/* A directory named for display: its last component that says something
 * (src, dist and the like say little on their own). */
static json_t *display_path(const char *path)
{
    if (!path)
        return json_null();
    static const char *const generic[] = {"src", "dist", "build", "node_modules", NULL};
    char *copy = xstrdup(path);
    size_t len = strlen(copy);
    while (len > 1 && copy[len - 1] == '/')
        copy[--len] = '\0';
    const char *pick = NULL;
    char *end = copy + len;
    while (end > copy) {
        char *start = end;
        while (start > copy && start[-1] != '/')
            start--;
        char saved = *end;
        *end = '\0';
        if (*start && !in_set(start, generic)) {
            pick = start;
            break;
        }
        *end = saved;
        end = start > copy ? start - 1 : copy;
    }
    json_t *out = json_string(pick ? pick : base_name(path));
    free(copy);
    return out;
}

/* The operands of a command after its options; options in with_value take
 * the next word as their value.  "--" ends the options. */
static size_t operands(char *const *w, size_t n, size_t first, const char *const *with_value,
                       const char **out, size_t max, const char **value_of_e)
{
    size_t k = 0;
    bool opts = true;
    for (size_t i = first; i < n; i++) {
        if (opts && strcmp(w[i], "--") == 0) {
            opts = false;
        } else if (opts && w[i][0] == '-' && w[i][1]) {
            if (with_value && in_set(w[i], with_value) && i + 1 < n) {
                if (value_of_e && (strcmp(w[i], "-e") == 0 || strcmp(w[i], "--regexp") == 0))
                    *value_of_e = w[i + 1];
                i++;
            }
        } else if (k < max) {
            out[k++] = w[i];
        } else {
            k++;
        }
    }
    return k;
}

static char *joined_path(const char *dir, const char *file)
{
    if (!dir || file[0] == '/')
        return xstrdup(file);
    return xasprintf("%s/%s", dir, file);
}

static json_t *read_action(char *const *w, size_t n, const char *dir, const char *file)
{
    char *cmd = join_words(w, n);
    char *path = joined_path(dir, file);
    json_t *a = json_pack("{s:s s:s s:s s:s}", "type", "read", "command", cmd, "name",
                          base_name(file), "path", path);
    free(cmd);
    free(path);
    return a;
}

static json_t *list_action(char *const *w, size_t n, const char *path)
{
    char *cmd = join_words(w, n);
    json_t *a = json_pack("{s:s s:s s:o}", "type", "listFiles", "command", cmd, "path",
                          display_path(path));
    free(cmd);
    return a;
}

static json_t *search_action(char *const *w, size_t n, const char *query, const char *path)
{
    char *cmd = join_words(w, n);
    json_t *a = json_pack("{s:s s:s s:o s:o}", "type", "search", "command", cmd, "query",
                          query ? json_string(query) : json_null(), "path", display_path(path));
    free(cmd);
    return a;
}

static bool is_line_range(const char *s)
{
    /* sed -n's "N,Mp" / "Np" */
    const char *p = s;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == ',') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return strcmp(p, "p") == 0;
}

static json_t *summarize_search(char *const *w, size_t n, size_t first,
                                const char *const *with_value)
{
    const char *ops[2] = {NULL, NULL}, *pattern = NULL;
    size_t k = operands(w, n, first, with_value, ops, 2, &pattern);
    if (!pattern) {
        if (k == 0)
            return NULL;
        pattern = ops[0];
        ops[0] = ops[1];
        k--;
    }
    if (k > 1)
        return NULL;
    return search_action(w, n, pattern, k ? ops[0] : NULL);
}

/* The action of one simple command; NULL when it is not one we know. */
static json_t *summarize(char *const *w, size_t n, const char *dir)
{
    const char *cmd = w[0];
    const char *ops[2];
    if (strcmp(cmd, "cat") == 0 || strcmp(cmd, "bat") == 0 || strcmp(cmd, "batcat") == 0 ||
        strcmp(cmd, "less") == 0 || strcmp(cmd, "more") == 0) {
        static const char *const val[] = {"--theme", "-l", "--language", "-r", "--line-range",
                                          "--style", "-p", "-j", "-x", NULL};
        if (operands(w, n, 1, val, ops, 2, NULL) == 1)
            return read_action(w, n, dir, ops[0]);
        return NULL;
    }
    if (strcmp(cmd, "head") == 0 || strcmp(cmd, "tail") == 0) {
        static const char *const val[] = {"-n", "-c", "--lines", "--bytes", NULL};
        if (operands(w, n, 1, val, ops, 2, NULL) == 1)
            return read_action(w, n, dir, ops[0]);
        return NULL;
    }
    if (strcmp(cmd, "sed") == 0) {
        if (n == 4 && strcmp(w[1], "-n") == 0 && is_line_range(w[2]))
            return read_action(w, n, dir, w[3]);
        return NULL;
    }
    if (strcmp(cmd, "ls") == 0 || strcmp(cmd, "eza") == 0 || strcmp(cmd, "exa") == 0 ||
        strcmp(cmd, "tree") == 0 || strcmp(cmd, "du") == 0) {
        static const char *const val[] = {"-I", "-L", "-P", "-d", "--level", "--ignore-glob",
                                          "-w", "--max-depth", NULL};
        size_t k = operands(w, n, 1, val, ops, 2, NULL);
        return k <= 1 ? list_action(w, n, k ? ops[0] : NULL) : NULL;
    }
    if (strcmp(cmd, "rg") == 0 || strcmp(cmd, "rga") == 0) {
        static const char *const val[] = {"-g", "--glob", "-t", "--type", "-T", "--type-not",
                                          "-e", "--regexp", "-m", "--max-count", "-A", "-B",
                                          "-C", "--context", "-M", "--max-columns", "-j",
                                          "--threads", "--sort", "-f", "--file", NULL};
        for (size_t i = 1; i < n; i++)
            if (strcmp(w[i], "--files") == 0) {
                size_t k = operands(w, n, 1, val, ops, 2, NULL);
                return k <= 1 ? list_action(w, n, k ? ops[0] : NULL) : NULL;
            }
        return summarize_search(w, n, 1, val);
    }
    if (strcmp(cmd, "grep") == 0 || strcmp(cmd, "egrep") == 0 || strcmp(cmd, "fgrep") == 0) {
        static const char *const val[] = {"-e", "--regexp", "-f", "--file", "-m", "-A", "-B",
                                          "-C", "--include", "--exclude", "--exclude-dir",
                                          NULL};
        return summarize_search(w, n, 1, val);
    }
    if (strcmp(cmd, "git") == 0 && n >= 2 && strcmp(w[1], "grep") == 0) {
        static const char *const val[] = {"-e", "-f", "-m", "-A", "-B", "-C", NULL};
        return summarize_search(w, n, 2, val);
    }
    if (strcmp(cmd, "git") == 0 && n >= 2 && strcmp(w[1], "ls-files") == 0) {
        static const char *const val[] = {"--exclude", "-x", "--exclude-from", NULL};
        size_t k = operands(w, n, 2, val, ops, 2, NULL);
        return k <= 1 ? list_action(w, n, k ? ops[0] : NULL) : NULL;
    }
    if (strcmp(cmd, "find") == 0) {
        /* find PATH [tests]: -name narrows it to a search; anything that
         * acts on the files (-exec, -delete) is not a mere listing. */
        const char *path = n > 1 && w[1][0] != '-' ? w[1] : NULL;
        const char *name = NULL;
        for (size_t i = path ? 2 : 1; i < n; i++) {
            if (in_set(w[i], (const char *const[]){"-exec", "-execdir", "-delete", "-ok",
                                                   "-fprint", "-fls", NULL}))
                return NULL;
            if ((strcmp(w[i], "-name") == 0 || strcmp(w[i], "-iname") == 0) && i + 1 < n)
                name = w[++i];
        }
        return name ? search_action(w, n, name, path) : list_action(w, n, path);
    }
    return NULL;
}

/* ---- the whole command ----------------------------------------------------- */

/* Formatting stages of a pipeline: they shape the output of the command
 * before them and do nothing a client needs to hear about. */
static bool formatting_stage(char *const *w, size_t n)
{
    static const char *const helpers[] = {"head", "tail", "wc", "nl", "sort", "uniq", "cut",
                                          "tr", "column", "cat", "less", "more", NULL};
    if (strcmp(w[0], "sed") == 0)
        return n >= 2 && strcmp(w[1], "-n") == 0;
    if (!in_set(w[0], helpers))
        return false;
    /* A helper given a file reads that file rather than the pipe. */
    for (size_t i = 1; i < n; i++)
        if (w[i][0] != '-' && !(i > 1 && in_set(w[i - 1], (const char *const[]){"-n", "-c",
                                                                              NULL})))
            return false;
    return true;
}

/* The script of `bash -lc SCRIPT` and the like; NULL for anything else. */
static const char *shell_script(const struct words *ws)
{
    static const char *const shells[] = {"bash", "sh", "zsh", "dash", NULL};
    if (ws->w.n != 3 || ws->op[0] || ws->op[1] || ws->op[2] ||
        !in_set(base_name(ws->w.v[0]), shells) ||
        (strcmp(ws->w.v[1], "-c") != 0 && strcmp(ws->w.v[1], "-lc") != 0))
        return NULL;
    return ws->w.v[2];
}

/* Commands may hold any bytes; the wire takes UTF-8. */
static json_t *unknown(const char *script)
{
    return json_pack("[{s:s s:o}]", "type", "unknown", "command",
                     json_string_lossy(script, strlen(script)));
}

json_t *tool_command_actions(const char *command)
{
    struct words outer = {0};
    const char *script = command ? command : "";
    if (split_words(script, &outer)) {
        const char *inner = shell_script(&outer);
        if (inner)
            script = inner;
    }
    struct words ws = {0};
    bool ok = split_words(script, &ws) && ws.w.n > 0;
    json_t *actions = json_array();
    char *dir = NULL;
    size_t start = 0;
    bool after_pipe = false;
    for (size_t i = 0; ok && i <= ws.w.n; i++) {
        if (i < ws.w.n && !ws.op[i])
            continue;
        char *const *w = ws.w.v + start;
        size_t n = i - start;
        bool pipe_next = i < ws.w.n && strcmp(ws.w.v[i], "|") == 0;
        if (n == 0) {
            ok = false;
        } else if (strcmp(w[0], "cd") == 0) {
            const char *ops[2];
            size_t k = operands(w, n, 1, NULL, ops, 2, NULL);
            if (k == 0 || k > 2 || after_pipe || pipe_next) {
                ok = false;
            } else {
                char *next = joined_path(dir, ops[k - 1]);
                free(dir);
                dir = next;
            }
        } else if (after_pipe && formatting_stage(w, n)) {
            /* shapes the previous stage's output */
        } else {
            json_t *a = summarize(w, n, dir);
            if (!a) {
                ok = false;
            } else if (json_equal(a, json_array_get(actions, json_array_size(actions) - 1))) {
                json_decref(a);
            } else {
                json_array_append_new(actions, a);
            }
        }
        after_pipe = pipe_next;
        start = i + 1;
    }
    free(dir);
    words_free(&ws);
    if (!ok || json_array_size(actions) == 0) {
        json_decref(actions);
        actions = unknown(script);
    }
    words_free(&outer);
    return actions;
}

/* A deliberately small shell word splitter: it recognises the subset of
 * bash whose argv can be known without running anything, and says "opaque"
 * for everything else. */
#include "policy/shell_split.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

const char *shell_wrapper_script(const char *const *argv, size_t argc)
{
    if (argc != 3)
        return NULL;
    const char *slash = strrchr(argv[0], '/');
    const char *shell = slash ? slash + 1 : argv[0];
    if (strcmp(shell, "bash") != 0 && strcmp(shell, "zsh") != 0 && strcmp(shell, "sh") != 0)
        return NULL;
    if (strcmp(argv[1], "-c") != 0 && strcmp(argv[1], "-lc") != 0)
        return NULL;
    return argv[2];
}

void shell_commands_free(struct shell_commands *c)
{
    for (size_t i = 0; i < c->n; i++)
        strvec_free(&c->cmds[i]);
    free(c->cmds);
    c->cmds = NULL;
    c->n = 0;
}

/* Words that start compound commands or change how the next word is read. */
static bool is_reserved(const char *w)
{
    static const char *const words[] = {"if",   "then",  "else", "elif",   "fi",     "for",    "while",
                                        "until", "do",   "done", "case",   "esac",   "function", "select",
                                        "time", "coproc", "[[",  "]]",     "{",      "}",      "!"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(w, words[i]) == 0)
            return true;
    return false;
}

/* NAME=... as a command's first word is an assignment, not a program. */
static bool is_assignment(const char *raw, size_t n)
{
    if (n == 0 || !((raw[0] >= 'a' && raw[0] <= 'z') || (raw[0] >= 'A' && raw[0] <= 'Z') || raw[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = raw[i];
        if (c == '=' || (c == '+' && i + 1 < n && raw[i + 1] == '='))
            return true;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return false;
}

struct splitter {
    const char *s;
    size_t len, i;
    struct shell_commands *out;
    struct strvec cur;
    size_t cap;
};

static bool end_command(struct splitter *sp)
{
    if (sp->cur.n == 0)
        return false;
    if (sp->out->n == sp->cap) {
        sp->cap = sp->cap ? sp->cap * 2 : 4;
        sp->out->cmds = xrealloc(sp->out->cmds, sp->cap * sizeof *sp->out->cmds);
    }
    sp->out->cmds[sp->out->n++] = sp->cur;
    memset(&sp->cur, 0, sizeof sp->cur);
    return true;
}

/* Read one word at sp->i; false if it uses anything beyond plain quoting. */
static bool read_word(struct splitter *sp)
{
    struct buf w = BUF_INIT;
    buf_reserve(&w, 1);
    size_t start = sp->i;
    bool quoted = false;
    while (sp->i < sp->len) {
        char c = sp->s[sp->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|')
            break;
        if (strchr("<>()`${}#", c) || c == '\0') {
            /* '#' only starts a comment at a word start, but inside a word
             * it is literal; keep it simple and strict either way. */
            if (!(c == '#' && sp->i > start)) {
                buf_free(&w);
                return false;
            }
        }
        sp->i++;
        if (c == '\\') {
            if (sp->i >= sp->len) {
                buf_free(&w);
                return false;
            }
            char n = sp->s[sp->i++];
            if (n != '\n')
                buf_putc(&w, n);
            quoted = true;
        } else if (c == '\'') {
            const char *end = memchr(sp->s + sp->i, '\'', sp->len - sp->i);
            if (!end) {
                buf_free(&w);
                return false;
            }
            buf_append(&w, sp->s + sp->i, (size_t)(end - (sp->s + sp->i)));
            sp->i = (size_t)(end - sp->s) + 1;
            quoted = true;
        } else if (c == '"') {
            quoted = true;
            for (;;) {
                if (sp->i >= sp->len) {
                    buf_free(&w);
                    return false;
                }
                char d = sp->s[sp->i++];
                if (d == '"')
                    break;
                if (d == '$' || d == '`' || d == '\0') {
                    buf_free(&w);
                    return false;
                }
                if (d == '\\' && sp->i < sp->len && strchr("$`\"\\\n", sp->s[sp->i]) && sp->s[sp->i]) {
                    if (sp->s[sp->i] != '\n')
                        buf_putc(&w, sp->s[sp->i]);
                    sp->i++;
                } else {
                    buf_putc(&w, d);
                }
            }
        } else {
            buf_putc(&w, c);
        }
    }
    size_t raw_len = sp->i - start;
    bool first = sp->cur.n == 0;
    if (first && (is_assignment(sp->s + start, raw_len) || (!quoted && is_reserved(buf_cstr(&w))))) {
        buf_free(&w);
        return false;
    }
    strvec_push_owned(&sp->cur, buf_detach(&w, NULL));
    return true;
}

static int split(struct splitter *sp)
{
    bool pending_operator = false; /* an operator still needs a command after it */
    while (sp->i < sp->len) {
        char c = sp->s[sp->i];
        if (c == ' ' || c == '\t') {
            sp->i++;
            continue;
        }
        if (c == '\\' && sp->i + 1 < sp->len && sp->s[sp->i + 1] == '\n') {
            sp->i += 2;
            continue;
        }
        if (c == '\n' && sp->cur.n == 0) { /* blank line, or a line break after && | || */
            sp->i++;
            continue;
        }
        if (c == '\n' || c == ';') {
            /* Newlines and ; may end an empty line, but ";;" or "&& ;" are
             * not simple command lists. */
            if (c == ';' && sp->i + 1 < sp->len && sp->s[sp->i + 1] == ';')
                return -1;
            if (sp->cur.n == 0)
                return -1;
            end_command(sp);
            pending_operator = false;
            sp->i++;
            continue;
        }
        if (c == '&' || c == '|') {
            bool doubled = sp->i + 1 < sp->len && sp->s[sp->i + 1] == c;
            if (c == '&' && !doubled)
                return -1; /* background job */
            if (c == '|' && sp->i + 1 < sp->len && sp->s[sp->i + 1] == '&')
                return -1; /* |& redirects stderr */
            if (!end_command(sp))
                return -1;
            sp->i += doubled ? 2 : 1;
            pending_operator = true;
            continue;
        }
        if (!read_word(sp))
            return -1;
        pending_operator = false;
    }
    if (sp->cur.n > 0)
        end_command(sp);
    else if (pending_operator)
        return -1;
    return sp->out->n > 0 ? 0 : -1;
}

int shell_split(const char *script, size_t len, struct shell_commands *out)
{
    memset(out, 0, sizeof *out);
    struct splitter sp = {script, len, 0, out, STRVEC_INIT, 0};
    int r = split(&sp);
    strvec_free(&sp.cur);
    if (r < 0)
        shell_commands_free(out);
    return r;
}

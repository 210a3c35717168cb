/* Parser and evaluator for rules files.  The whole file is parsed first (so a
 * syntax error anywhere is reported before any rule takes effect), then each
 * call is checked and applied in order, then the match / not_match examples
 * are verified against the rules they accompany. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "policy/execpolicy_internal.h"
#include "policy/execpolicy_lex.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define EP_MAX_NESTING 64
#define EP_MAX_FILE_BYTES (16u << 20)

enum vkind { V_STR, V_BYTES, V_NUMBER, V_BOOL, V_NONE, V_LIST, V_TUPLE };

struct value {
    enum vkind kind;
    int line, col;
    char *s; /* V_STR / V_BYTES */
    size_t len;
    struct value *items; /* V_LIST / V_TUPLE */
    size_t n;
};

struct arg {
    char *name; /* NULL for a positional argument */
    int line, col;
    struct value v;
};

struct call {
    char *name;
    int line, col;
    struct arg *args;
    size_t nargs;
};

struct parser {
    struct ep_lexer lx;
    struct ep_tok tok;    /* current token */
    struct ep_tok ahead;  /* one token of lookahead, valid when has_ahead */
    bool has_ahead;
};

static const char *vkind_name(enum vkind k)
{
    switch (k) {
    case V_STR:
        return "string";
    case V_BYTES:
        return "bytes";
    case V_NUMBER:
        return "number";
    case V_BOOL:
        return "bool";
    case V_NONE:
        return "NoneType";
    case V_LIST:
        return "list";
    case V_TUPLE:
        return "tuple";
    }
    return "value";
}

static void value_free(struct value *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++)
        value_free(&v->items[i]);
    free(v->items);
}

static void call_free(struct call *c)
{
    for (size_t i = 0; i < c->nargs; i++) {
        free(c->args[i].name);
        value_free(&c->args[i].v);
    }
    free(c->args);
    free(c->name);
}

static void next(struct parser *p)
{
    ep_tok_free(&p->tok);
    if (p->has_ahead) {
        p->tok = p->ahead;
        p->has_ahead = false;
    } else {
        p->tok = ep_lex_next(&p->lx);
    }
}

static const struct ep_tok *peek(struct parser *p)
{
    if (!p->has_ahead) {
        p->ahead = ep_lex_next(&p->lx);
        p->has_ahead = true;
    }
    return &p->ahead;
}

#define ERR_AT(p, line, col, ...) ep_lex_error(&(p)->lx, line, col, __VA_ARGS__)
#define FAILED(p) ((p)->lx.err != NULL)

static const char *const unsupported_hint =
    "rules files may only call prefix_rule(), host_executable() or network_rule() with literal arguments";

/* Describe an unexpected token for an error message. */
static void unexpected(struct parser *p, const char *expected)
{
    const struct ep_tok *t = &p->tok;
    if (FAILED(p))
        return;
    switch (t->kind) {
    case T_EOF:
        ERR_AT(p, t->line, t->col, "unexpected end of file, expected %s", expected);
        return;
    case T_NEWLINE:
        ERR_AT(p, t->line, t->col, "unexpected end of line, expected %s", expected);
        return;
    case T_OTHER:
        ERR_AT(p, t->line, t->col, "`%.*s` is not supported: %s", (int)t->text_len, t->text, unsupported_hint);
        return;
    case T_LBRACE:
        ERR_AT(p, t->line, t->col, "dicts are not supported: %s", unsupported_hint);
        return;
    case T_IDENT:
        ERR_AT(p, t->line, t->col, "unexpected name `%.*s`, expected %s", (int)t->text_len, t->text, expected);
        return;
    default:
        ERR_AT(p, t->line, t->col, "unexpected `%.*s`, expected %s", (int)(t->text_len > 40 ? 40 : t->text_len),
               t->text, expected);
    }
}

static bool ident_is(const struct ep_tok *t, const char *word)
{
    return t->kind == T_IDENT && t->text_len == strlen(word) && memcmp(t->text, word, t->text_len) == 0;
}

static bool parse_value(struct parser *p, struct value *out, int depth);

/* Items of a list or tuple up to the closing token; the opener is current. */
static bool parse_items(struct parser *p, struct value *out, enum ep_tok_kind close, int depth)
{
    size_t cap = 0;
    next(p);
    while (p->tok.kind != close) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 4;
            out->items = xrealloc(out->items, cap * sizeof *out->items);
        }
        /* Counted before parsing so a half-built item is freed with out. */
        struct value *item = &out->items[out->n++];
        if (!parse_value(p, item, depth + 1))
            return false;
        if (p->tok.kind == T_COMMA) {
            next(p);
        } else if (p->tok.kind != close) {
            unexpected(p, close == T_RBRACK ? "`,` or `]`" : "`,` or `)`");
            return false;
        }
    }
    next(p);
    return true;
}

/* Parse a literal value starting at the current token; on success the
 * current token is the one after it. */
static bool parse_value(struct parser *p, struct value *out, int depth)
{
    const struct ep_tok *t = &p->tok;
    memset(out, 0, sizeof *out);
    out->line = t->line;
    out->col = t->col;
    if (depth > EP_MAX_NESTING) {
        ERR_AT(p, t->line, t->col, "lists nested more than %d deep", EP_MAX_NESTING);
        return false;
    }
    switch (t->kind) {
    case T_STRING:
    case T_BYTES:
        out->kind = t->kind == T_STRING ? V_STR : V_BYTES;
        out->s = p->tok.str;
        out->len = p->tok.str_len;
        p->tok.str = NULL;
        next(p);
        break;
    case T_NUMBER:
        out->kind = V_NUMBER;
        next(p);
        break;
    case T_LBRACK:
        out->kind = V_LIST;
        if (!parse_items(p, out, T_RBRACK, depth))
            return false;
        break;
    case T_LPAREN: {
        /* (x) is x; (x,) and () are tuples. */
        if (peek(p)->kind == T_RPAREN) {
            out->kind = V_TUPLE;
            next(p);
            next(p);
            break;
        }
        next(p);
        struct value inner;
        if (!parse_value(p, &inner, depth + 1)) {
            value_free(&inner);
            return false;
        }
        if (p->tok.kind == T_RPAREN) {
            next(p);
            *out = inner;
            return true;
        }
        if (p->tok.kind != T_COMMA) {
            value_free(&inner);
            unexpected(p, "`,` or `)`");
            return false;
        }
        out->kind = V_TUPLE;
        out->items = xmalloc(sizeof *out->items);
        out->items[0] = inner;
        out->n = 1;
        /* parse_items starts by moving past the current token: the comma. */
        size_t before = out->n;
        struct value rest = {0};
        if (!parse_items(p, &rest, T_RPAREN, depth)) {
            value_free(&rest);
            return false;
        }
        out->items = xrealloc(out->items, (before + rest.n) * sizeof *out->items);
        if (rest.n)
            memcpy(out->items + before, rest.items, rest.n * sizeof *rest.items);
        out->n = before + rest.n;
        free(rest.items);
        break;
    }
    case T_IDENT:
        if (ident_is(t, "True") || ident_is(t, "False")) {
            out->kind = V_BOOL;
        } else if (ident_is(t, "None")) {
            out->kind = V_NONE;
        } else {
            ERR_AT(p, t->line, t->col, "variables are not supported (`%.*s`): %s", (int)t->text_len, t->text,
                   unsupported_hint);
            return false;
        }
        next(p);
        break;
    default:
        unexpected(p, "a string or a list");
        return false;
    }
    if (p->tok.kind == T_OTHER || p->tok.kind == T_LBRACK || p->tok.kind == T_LPAREN) {
        ERR_AT(p, p->tok.line, p->tok.col, "expressions are not supported (`%.*s` after a literal): %s",
               (int)p->tok.text_len, p->tok.text, unsupported_hint);
        return false;
    }
    return true;
}

static bool parse_call(struct parser *p, struct call *c)
{
    c->name = xstrndup(p->tok.text, p->tok.text_len);
    c->line = p->tok.line;
    c->col = p->tok.col;
    next(p); /* the name */
    next(p); /* the ( */
    size_t cap = 0;
    bool seen_named = false;
    while (p->tok.kind != T_RPAREN) {
        if (c->nargs == cap) {
            cap = cap ? cap * 2 : 4;
            c->args = xrealloc(c->args, cap * sizeof *c->args);
        }
        struct arg *a = &c->args[c->nargs];
        memset(a, 0, sizeof *a);
        a->line = p->tok.line;
        a->col = p->tok.col;
        if (p->tok.kind == T_IDENT && peek(p)->kind == T_ASSIGN) {
            a->name = xstrndup(p->tok.text, p->tok.text_len);
            for (size_t i = 0; i < c->nargs; i++) {
                if (c->args[i].name && strcmp(c->args[i].name, a->name) == 0) {
                    ERR_AT(p, a->line, a->col, "argument `%s` is given twice", a->name);
                    free(a->name);
                    return false;
                }
            }
            seen_named = true;
            next(p);
            next(p);
        } else if (seen_named) {
            ERR_AT(p, a->line, a->col, "positional argument after a named argument");
            return false;
        }
        c->nargs++;
        if (!parse_value(p, &a->v, 1))
            return false;
        if (p->tok.kind == T_COMMA)
            next(p);
        else if (p->tok.kind != T_RPAREN) {
            unexpected(p, "`,` or `)`");
            return false;
        }
    }
    next(p);
    return true;
}

static const char *const keywords[] = {"def", "if", "elif", "else", "for", "while", "load", "return",
                                       "lambda", "pass", "break", "continue", "not", "and", "or", "in"};

static bool parse_statement(struct parser *p, struct call *c)
{
    const struct ep_tok *t = &p->tok;
    if (t->kind == T_IDENT) {
        for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
            if (ident_is(t, keywords[i])) {
                ERR_AT(p, t->line, t->col, "`%s` is not supported: %s", keywords[i], unsupported_hint);
                return false;
            }
        }
        enum ep_tok_kind after = peek(p)->kind;
        if (after == T_LPAREN)
            return parse_call(p, c);
        if (after == T_ASSIGN) {
            ERR_AT(p, t->line, t->col, "variables are not supported (assignment to `%.*s`): %s", (int)t->text_len,
                   t->text, unsupported_hint);
            return false;
        }
    }
    if (t->kind == T_OTHER || t->kind == T_LBRACE)
        unexpected(p, "a statement");
    else
        ERR_AT(p, t->line, t->col, "expected a call such as prefix_rule(...): %s", unsupported_hint);
    return false;
}

/* Evaluation of the calls. */

struct param {
    const char *name;
    bool required;
};

struct example {
    char **words;
    size_t n;
    int line, col;
};

struct pending {
    struct ep_rule **rules; /* borrowed from the policy */
    size_t nrules;
    struct example *matches, *not_matches;
    size_t nmatches, nnot_matches;
};

struct evaluator {
    struct ep_policy *policy;
    struct parser *p;
    char *eval_err; /* first evaluation error, held back until parsing ends */
    struct pending *pending;
    size_t npending, cap;
};

static bool bind_args(struct evaluator *ev, const struct call *c, const struct param *params, size_t nparams,
                      const struct value **slots)
{
    size_t npos = 0;
    for (size_t i = 0; i < nparams; i++)
        slots[i] = NULL;
    for (size_t i = 0; i < c->nargs; i++) {
        const struct arg *a = &c->args[i];
        size_t idx = nparams;
        if (!a->name) {
            if (npos >= nparams) {
                ERR_AT(ev->p, a->line, a->col, "%s() takes at most %zu arguments", c->name, nparams);
                return false;
            }
            idx = npos++;
        } else {
            for (size_t j = 0; j < nparams; j++)
                if (strcmp(params[j].name, a->name) == 0)
                    idx = j;
            if (idx == nparams) {
                struct buf names = BUF_INIT;
                for (size_t j = 0; j < nparams; j++)
                    buf_printf(&names, "%s%s", j ? ", " : "", params[j].name);
                ERR_AT(ev->p, a->line, a->col, "%s() has no argument `%s` (it takes %s)", c->name, a->name,
                       buf_cstr(&names));
                buf_free(&names);
                return false;
            }
            if (slots[idx]) {
                ERR_AT(ev->p, a->line, a->col, "argument `%s` of %s() is given twice", a->name, c->name);
                return false;
            }
        }
        slots[idx] = &a->v;
    }
    for (size_t i = 0; i < nparams; i++) {
        if (params[i].required && !slots[i]) {
            ERR_AT(ev->p, c->line, c->col, "%s() is missing its `%s` argument", c->name, params[i].name);
            return false;
        }
    }
    return true;
}

static bool expect_kind(struct evaluator *ev, const struct call *c, const char *param, const struct value *v,
                        enum vkind kind)
{
    if (!v || v->kind == kind)
        return true;
    ERR_AT(ev->p, v->line, v->col, "`%s` of %s() must be a %s, not a %s", param, c->name, vkind_name(kind),
           vkind_name(v->kind));
    return false;
}

/* Rust's str::trim: Unicode White_Space at both ends. */
static bool is_blank(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
            i++;
            continue;
        }
        unsigned long cp = 0;
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (n == 1 || i + n > len)
            return false;
        cp = c & (0x3F >> (n - 1));
        for (size_t k = 1; k < n; k++)
            cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
        bool space = cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
                     cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
        if (!space)
            return false;
        i += n;
    }
    return true;
}

static bool check_justification(struct evaluator *ev, const struct value *v)
{
    if (v && is_blank(v->s, v->len)) {
        ERR_AT(ev->p, v->line, v->col, "justification cannot be empty");
        return false;
    }
    return true;
}

static void free_examples(struct example *ex, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < ex[i].n; j++)
            free(ex[i].words[j]);
        free(ex[i].words);
    }
    free(ex);
}

static bool parse_examples(struct evaluator *ev, const struct value *list, struct example **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (!list)
        return true;
    *out = xcalloc(list->n ? list->n : 1, sizeof **out);
    for (size_t i = 0; i < list->n; i++) {
        const struct value *v = &list->items[i];
        struct example *ex = &(*out)[(*nout)++];
        ex->line = v->line;
        ex->col = v->col;
        struct strvec words = STRVEC_INIT;
        if (v->kind == V_STR) {
            if (ep_shlex_split(v->s, v->len, &words) < 0) {
                strvec_free(&words);
                ERR_AT(ev->p, v->line, v->col, "example has unbalanced shell quoting");
                return false;
            }
            if (words.n == 0) {
                strvec_free(&words);
                ERR_AT(ev->p, v->line, v->col, "example cannot be an empty string");
                return false;
            }
        } else if (v->kind == V_LIST) {
            for (size_t j = 0; j < v->n; j++) {
                if (v->items[j].kind != V_STR) {
                    strvec_free(&words);
                    ERR_AT(ev->p, v->items[j].line, v->items[j].col, "example words must be strings, not a %s",
                           vkind_name(v->items[j].kind));
                    return false;
                }
                strvec_push_owned(&words, xstrndup(v->items[j].s, v->items[j].len));
            }
            if (words.n == 0) {
                ERR_AT(ev->p, v->line, v->col, "example cannot be an empty list");
                return false;
            }
        } else {
            ERR_AT(ev->p, v->line, v->col, "an example must be a string or a list of strings, not a %s",
                   vkind_name(v->kind));
            return false;
        }
        ex->words = words.v;
        ex->n = words.n;
    }
    return true;
}

static void copy_word(struct ep_word *w, const struct value *v)
{
    const struct value *alts = v->kind == V_STR ? v : v->items;
    size_t n = v->kind == V_STR ? 1 : v->n;
    w->alts = xmalloc(n * sizeof *w->alts);
    w->lens = xmalloc(n * sizeof *w->lens);
    w->nalts = 0;
    for (size_t i = 0; i < n; i++) {
        if (memchr(alts[i].s, '\0', alts[i].len))
            continue;
        w->alts[w->nalts] = xstrndup(alts[i].s, alts[i].len);
        w->lens[w->nalts++] = alts[i].len;
    }
}

/* Check the pattern's shape; alternatives lists must hold strings. */
static bool check_pattern(struct evaluator *ev, const struct value *pattern)
{
    if (pattern->n == 0) {
        ERR_AT(ev->p, pattern->line, pattern->col, "pattern cannot be empty");
        return false;
    }
    for (size_t i = 0; i < pattern->n; i++) {
        const struct value *el = &pattern->items[i];
        if (el->kind == V_STR)
            continue;
        if (el->kind != V_LIST) {
            ERR_AT(ev->p, el->line, el->col, "a pattern element must be a string or a list of strings, not a %s",
                   vkind_name(el->kind));
            return false;
        }
        if (el->n == 0) {
            ERR_AT(ev->p, el->line, el->col, "pattern alternatives cannot be empty");
            return false;
        }
        for (size_t j = 0; j < el->n; j++) {
            if (el->items[j].kind != V_STR) {
                ERR_AT(ev->p, el->items[j].line, el->items[j].col,
                       "a pattern alternative must be a string, not a %s", vkind_name(el->items[j].kind));
                return false;
            }
        }
    }
    return true;
}

static bool eval_prefix_rule(struct evaluator *ev, const struct call *c)
{
    static const struct param params[] = {
        {"pattern", true}, {"decision", false}, {"match", false}, {"not_match", false}, {"justification", false}};
    const struct value *a[5];
    if (!bind_args(ev, c, params, 5, a))
        return false;
    const struct value *pattern = a[0], *decision = a[1], *match = a[2], *not_match = a[3], *just = a[4];
    if (!expect_kind(ev, c, "pattern", pattern, V_LIST) || !expect_kind(ev, c, "decision", decision, V_STR) ||
        !expect_kind(ev, c, "match", match, V_LIST) || !expect_kind(ev, c, "not_match", not_match, V_LIST) ||
        !expect_kind(ev, c, "justification", just, V_STR))
        return false;
    enum ep_decision d = EP_ALLOW;
    if (decision && ep_decision_parse(decision->s, decision->len, &d) < 0) {
        ERR_AT(ev->p, decision->line, decision->col,
               "invalid decision \"%.*s\": use \"allow\", \"prompt\" or \"forbidden\"",
               (int)(decision->len > 60 ? 60 : decision->len), decision->s);
        return false;
    }
    if (!check_justification(ev, just) || !check_pattern(ev, pattern))
        return false;

    struct pending pend = {0};
    if (!parse_examples(ev, match, &pend.matches, &pend.nmatches) ||
        !parse_examples(ev, not_match, &pend.not_matches, &pend.nnot_matches)) {
        free_examples(pend.matches, pend.nmatches);
        free_examples(pend.not_matches, pend.nnot_matches);
        return false;
    }

    /* Alternatives in the first position give one rule per program. */
    const struct value *first = &pattern->items[0];
    size_t nheads = first->kind == V_STR ? 1 : first->n;
    pend.rules = xmalloc(nheads * sizeof *pend.rules);
    for (size_t h = 0; h < nheads; h++) {
        const struct value *head = first->kind == V_STR ? first : &first->items[h];
        struct ep_rule *r = xcalloc(1, sizeof *r);
        r->program = xstrndup(head->s, head->len);
        r->program_len = head->len;
        r->program_has_nul = memchr(head->s, '\0', head->len) != NULL;
        r->nrest = pattern->n - 1;
        r->rest = xcalloc(r->nrest ? r->nrest : 1, sizeof *r->rest);
        for (size_t i = 1; i < pattern->n; i++)
            copy_word(&r->rest[i - 1], &pattern->items[i]);
        r->decision = d;
        if (just) {
            r->justification = xstrndup(just->s, just->len);
            r->justification_len = just->len;
        }
        ep_policy_add_rule(ev->policy, r);
        pend.rules[pend.nrules++] = r;
    }
    if (ev->npending == ev->cap) {
        ev->cap = ev->cap ? ev->cap * 2 : 8;
        ev->pending = xrealloc(ev->pending, ev->cap * sizeof *ev->pending);
    }
    ev->pending[ev->npending++] = pend;
    return true;
}

static bool eval_host_executable(struct evaluator *ev, const struct call *c)
{
    static const struct param params[] = {{"name", true}, {"paths", true}};
    const struct value *a[2];
    if (!bind_args(ev, c, params, 2, a))
        return false;
    const struct value *name = a[0], *paths = a[1];
    if (!expect_kind(ev, c, "name", name, V_STR) || !expect_kind(ev, c, "paths", paths, V_LIST))
        return false;
    if (name->len == 0) {
        ERR_AT(ev->p, name->line, name->col, "host_executable name cannot be empty");
        return false;
    }
    if (memchr(name->s, '/', name->len) || memchr(name->s, '\0', name->len) ||
        (name->len == 1 && name->s[0] == '.') || (name->len == 2 && memcmp(name->s, "..", 2) == 0)) {
        ERR_AT(ev->p, name->line, name->col, "host_executable name must be a bare executable name (got %.*s)",
               (int)name->len, name->s);
        return false;
    }
    char **list = xcalloc(paths->n ? paths->n : 1, sizeof *list);
    size_t n = 0;
    for (size_t i = 0; i < paths->n; i++) {
        const struct value *v = &paths->items[i];
        const char *why = NULL;
        char *norm = NULL, *base = NULL;
        if (v->kind != V_STR)
            why = "host_executable paths must be strings";
        else if (v->len == 0 || v->s[0] != '/' || memchr(v->s, '\0', v->len))
            why = "host_executable paths must be absolute";
        if (!why) {
            norm = ep_path_absolutize(v->s, ev->policy->home);
            base = norm ? ep_path_basename(norm) : NULL;
            if (!base || strlen(base) != name->len || memcmp(base, name->s, name->len) != 0)
                why = "host_executable path must end in the executable's name";
        }
        if (why) {
            if (v->kind == V_STR)
                ERR_AT(ev->p, v->line, v->col, "%s (got %.*s for %.*s)", why, (int)v->len, v->s, (int)name->len,
                       name->s);
            else
                ERR_AT(ev->p, v->line, v->col, "%s (got a %s)", why, vkind_name(v->kind));
            free(norm);
            free(base);
            for (size_t j = 0; j < n; j++)
                free(list[j]);
            free(list);
            return false;
        }
        free(base);
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = strcmp(list[j], norm) == 0;
        if (dup)
            free(norm);
        else
            list[n++] = norm;
    }
    ep_policy_set_host(ev->policy, xstrndup(name->s, name->len), list, n);
    return true;
}

/* The host as the network proxy compares it: ASCII lower case, without
 * brackets, a port, or trailing dots.  NULL when nothing is left. */
static char *network_rule_host(const char *s, size_t len)
{
    const char *e = s + len;
    if (len && *s == '[') {
        const char *close = memchr(s, ']', len);
        if (close) {
            e = close;
            s++;
        }
    } else {
        const char *colon = memchr(s, ':', len);
        if (colon && !memchr(colon + 1, ':', (size_t)(e - colon - 1)))
            e = colon; /* host:port */
    }
    while (e > s && e[-1] == '.')
        e--;
    if (e == s)
        return NULL;
    char *out = xstrndup(s, (size_t)(e - s));
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

/* Validated as the reference does, and kept for the network proxy, which
 * enforces them (netproxy/policy.c). */
static bool eval_network_rule(struct evaluator *ev, const struct call *c)
{
    static const struct param params[] = {
        {"host", true}, {"protocol", true}, {"decision", true}, {"justification", false}};
    const struct value *a[4];
    if (!bind_args(ev, c, params, 4, a))
        return false;
    if (!expect_kind(ev, c, "host", a[0], V_STR) || !expect_kind(ev, c, "protocol", a[1], V_STR) ||
        !expect_kind(ev, c, "decision", a[2], V_STR) || !expect_kind(ev, c, "justification", a[3], V_STR))
        return false;
    static const char *const protocols[] = {"http", "https", "https_connect", "http-connect", "socks5_tcp",
                                            "socks5_udp"};
    bool ok = false;
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0] && !ok; i++)
        ok = strlen(protocols[i]) == a[1]->len && memcmp(protocols[i], a[1]->s, a[1]->len) == 0;
    if (!ok) {
        ERR_AT(ev->p, a[1]->line, a[1]->col,
               "network_rule protocol must be one of http, https, socks5_tcp, socks5_udp");
        return false;
    }
    enum ep_decision d;
    if (!(a[2]->len == 4 && memcmp(a[2]->s, "deny", 4) == 0) && ep_decision_parse(a[2]->s, a[2]->len, &d) < 0) {
        ERR_AT(ev->p, a[2]->line, a[2]->col, "invalid network_rule decision: use allow, prompt, forbidden or deny");
        return false;
    }
    const struct value *host = a[0];
    if (is_blank(host->s, host->len) || memchr(host->s, '/', host->len) || memchr(host->s, '?', host->len) ||
        memchr(host->s, '#', host->len) || memchr(host->s, '*', host->len)) {
        ERR_AT(ev->p, host->line, host->col, "network_rule host must be a specific hostname or IP address");
        return false;
    }
    if (!check_justification(ev, a[3]))
        return false;
    char *norm = network_rule_host(host->s, host->len);
    if (!norm || memchr(host->s, '\0', host->len)) {
        free(norm);
        ERR_AT(ev->p, host->line, host->col, "network_rule host must be a specific hostname or IP address");
        return false;
    }
    struct ep_policy *pol = ev->policy;
    pol->network_rules = xrealloc(pol->network_rules, (pol->nnetwork_rules + 1) * sizeof *pol->network_rules);
    struct ep_network_rule *r = &pol->network_rules[pol->nnetwork_rules++];
    r->host = norm;
    bool connect = (a[1]->len == 13 && memcmp(a[1]->s, "https_connect", 13) == 0) ||
                   (a[1]->len == 12 && memcmp(a[1]->s, "http-connect", 12) == 0);
    r->protocol = connect ? xstrdup("https") : xstrndup(a[1]->s, a[1]->len);
    if (a[2]->len == 5 && memcmp(a[2]->s, "allow", 5) == 0)
        r->decision = EP_NET_ALLOW;
    else if (a[2]->len == 6 && memcmp(a[2]->s, "prompt", 6) == 0)
        r->decision = EP_NET_PROMPT;
    else
        r->decision = EP_NET_DENY; /* forbidden, deny */
    return true;
}

/* Does the example hit one of these rules (resolving host paths)? */
static const struct ep_rule *example_hit(const struct ep_policy *policy, const struct pending *pend,
                                         const struct example *ex)
{
    const char *const *args = (const char *const *)ex->words + 1;
    for (size_t i = 0; i < pend->nrules; i++)
        if (ep_rule_matches(pend->rules[i], ex->words[0], args, ex->n - 1))
            return pend->rules[i];
    char *base = ep_path_basename(ex->words[0]);
    char *abs = ep_path_absolutize(ex->words[0], policy->home);
    const struct ep_rule *hit = NULL;
    if (base && abs) {
        const struct ep_host_exec *host = ep_policy_host(policy, base);
        bool allowed = !host;
        for (size_t i = 0; host && i < host->npaths && !allowed; i++)
            allowed = strcmp(host->paths[i], abs) == 0;
        for (size_t i = 0; allowed && i < pend->nrules && !hit; i++)
            if (ep_rule_matches(pend->rules[i], base, args, ex->n - 1))
                hit = pend->rules[i];
    }
    free(base);
    free(abs);
    return hit;
}

static char *example_text(const struct example *ex)
{
    return ep_shlex_join((const char *const *)ex->words, ex->n);
}

static bool validate_examples(struct evaluator *ev, const struct pending *pend)
{
    for (size_t i = 0; i < pend->nnot_matches; i++) {
        const struct example *ex = &pend->not_matches[i];
        if (example_hit(ev->policy, pend, ex)) {
            char *text = example_text(ex);
            ERR_AT(ev->p, ex->line, ex->col, "not_match example `%s` is matched by this rule", text);
            free(text);
            return false;
        }
    }
    struct buf missed = BUF_INIT;
    const struct example *first = NULL;
    for (size_t i = 0; i < pend->nmatches; i++) {
        const struct example *ex = &pend->matches[i];
        if (!example_hit(ev->policy, pend, ex)) {
            char *text = example_text(ex);
            buf_printf(&missed, "%s`%s`", first ? ", " : "", text);
            free(text);
            if (!first)
                first = ex;
        }
    }
    if (first)
        ERR_AT(ev->p, first->line, first->col, "match example%s %s not matched by this rule",
               strchr(buf_cstr(&missed), ',') && pend->nmatches > 1 ? "s" : "", buf_cstr(&missed));
    buf_free(&missed);
    return first == NULL;
}

static bool eval_call(struct evaluator *ev, const struct call *c)
{
    if (strcmp(c->name, "prefix_rule") == 0)
        return eval_prefix_rule(ev, c);
    if (strcmp(c->name, "host_executable") == 0)
        return eval_host_executable(ev, c);
    if (strcmp(c->name, "network_rule") == 0)
        return eval_network_rule(ev, c);
    ERR_AT(ev->p, c->line, c->col, "unknown function `%s`: %s", c->name, unsupported_hint);
    return false;
}

/* Parse the file statement by statement, applying each call as soon as it
 * is parsed (so memory stays proportional to one statement).  The first
 * evaluation error is held back: parsing goes on, and a syntax error
 * anywhere in the file takes precedence, as in the reference. */
static bool parse_file(struct evaluator *ev)
{
    struct parser *p = ev->p;
    next(p);
    while (!FAILED(p) && p->tok.kind != T_EOF) {
        if (p->tok.kind == T_NEWLINE) {
            next(p);
            continue;
        }
        for (;;) {
            struct call c = {0};
            bool parsed = parse_statement(p, &c);
            if (parsed && !ev->eval_err && !eval_call(ev, &c)) {
                ev->eval_err = p->lx.err;
                p->lx.err = NULL;
            }
            call_free(&c);
            if (!parsed)
                return false;
            if (p->tok.kind != T_SEMI)
                break;
            next(p);
            if (p->tok.kind == T_NEWLINE || p->tok.kind == T_EOF)
                break;
        }
        if (p->tok.kind != T_NEWLINE && p->tok.kind != T_EOF) {
            unexpected(p, "the end of the line after a statement");
            return false;
        }
    }
    return !FAILED(p);
}

/* The first invalid UTF-8 byte, as an offset, or len when all is valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        unsigned long min, cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4, min = 0x10000, cp = c & 0x07;
        } else {
            return i;
        }
        if (i + n > len)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
}

int ep_policy_parse(struct ep_policy *policy, const char *identifier, const char *text, size_t len, char **err)
{
    struct parser p;
    memset(&p, 0, sizeof p);
    ep_lex_init(&p.lx, identifier, text, len);

    size_t bad = utf8_invalid_at((const unsigned char *)text, len);
    if (bad < len) {
        int line = 1, col = 1;
        for (size_t i = 0; i < bad; i++) {
            if (text[i] == '\n')
                line++, col = 1;
            else if (((unsigned char)text[i] & 0xC0) != 0x80)
                col++;
        }
        ep_lex_error(&p.lx, line, col, "the file is not valid UTF-8");
        *err = p.lx.err;
        return -1;
    }

    struct evaluator ev = {policy, &p, NULL, NULL, 0, 0};
    bool ok = parse_file(&ev);
    ep_tok_free(&p.tok);
    if (p.has_ahead)
        ep_tok_free(&p.ahead);
    if (ok && ev.eval_err) {
        p.lx.err = ev.eval_err;
        ok = false;
    } else {
        free(ev.eval_err);
    }
    for (size_t i = 0; ok && i < ev.npending; i++)
        ok = validate_examples(&ev, &ev.pending[i]);

    for (size_t i = 0; i < ev.npending; i++) {
        free(ev.pending[i].rules);
        free_examples(ev.pending[i].matches, ev.pending[i].nmatches);
        free_examples(ev.pending[i].not_matches, ev.pending[i].nnot_matches);
    }
    free(ev.pending);
    if (!ok) {
        if (!p.lx.err)
            ep_lex_error(&p.lx, 1, 1, "invalid rules file");
        *err = p.lx.err;
        return -1;
    }
    return 0;
}

int ep_policy_load_file(struct ep_policy *p, const char *path, char **err)
{
    size_t len;
    char *text = fs_read_file(path, EP_MAX_FILE_BYTES, &len);
    if (!text) {
        if (errno == EFBIG)
            *err = xasprintf("failed to read policy at %s: the file is larger than %u MiB", path,
                             EP_MAX_FILE_BYTES >> 20);
        else
            *err = xasprintf("failed to read policy at %s: %s", path, strerror(errno));
        return -1;
    }
    int r = ep_policy_parse(p, path, text, len, err);
    free(text);
    return r;
}

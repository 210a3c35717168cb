/* A pattern is compiled into a small token program and run as a
 * Thompson-style NFA over the path, so no pattern can make matching
 * exponential (a fuzzer feeds this file arbitrary text). */
#include "filesearch/ignore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/fs.h"
#include "util/xalloc.h"

enum tok_kind {
    TOK_CHAR,      /* one literal byte */
    TOK_ANY,       /* ? : any byte but '/' */
    TOK_CLASS,     /* [...] : a byte of the set, never '/' */
    TOK_STAR,      /* * : any run without '/' */
    TOK_DSTAR,     /* trailing / leading ** : any run at all */
    TOK_DIRS,      /* ** followed by '/': nothing, or any run ending in '/' */
    TOK_DIRS_IN,   /* inside such a run: needs its closing '/' (follows TOK_DIRS) */
};

struct tok {
    enum tok_kind kind;
    unsigned char c;
    uint8_t set[32]; /* TOK_CLASS: bit per byte */
};

struct rule {
    struct tok *toks;
    size_t ntoks;
    bool negate, dir_only, anchored;
};

struct ignore_rules {
    struct rule *rules;
    size_t n, cap;
    size_t most_toks; /* the longest program, for the matcher's scratch */
};

static void set_bit(uint8_t *set, unsigned c)
{
    set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static bool has_bit(const uint8_t *set, unsigned c)
{
    return set[c >> 3] & (1u << (c & 7));
}

/* Parse a [...] class starting after '['; returns the index after ']' or 0
 * when the class is not closed (then '[' is a literal). */
static size_t parse_class(const char *p, size_t i, size_t len, uint8_t *set)
{
    bool negate = false;
    if (i < len && (p[i] == '!' || p[i] == '^')) {
        negate = true;
        i++;
    }
    uint8_t s[32] = {0};
    bool first = true;
    while (i < len && (p[i] != ']' || first)) {
        first = false;
        unsigned char lo = (unsigned char)p[i];
        if (lo == '\\' && i + 1 < len)
            lo = (unsigned char)p[++i];
        i++;
        if (i + 1 < len && p[i] == '-' && p[i + 1] != ']') {
            unsigned char hi = (unsigned char)p[i + 1];
            i += 2;
            if (hi == '\\' && i < len)
                hi = (unsigned char)p[i++];
            for (unsigned c = lo; c <= hi; c++)
                set_bit(s, c);
        } else {
            set_bit(s, lo);
        }
    }
    if (i >= len)
        return 0;
    for (unsigned c = 0; c < 256; c++)
        if (has_bit(s, c) != negate && c != '/')
            set_bit(set, c);
    return i + 1;
}

static void push_tok(struct rule *r, size_t *cap, struct tok t)
{
    if (r->ntoks == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        r->toks = xrealloc(r->toks, *cap * sizeof *r->toks);
    }
    r->toks[r->ntoks++] = t;
}

/* Compile p[0..len) (already stripped of '!', leading '/' and trailing
 * '/') into r's tokens. */
static void compile(struct rule *r, const char *p, size_t len)
{
    size_t cap = 0;
    for (size_t i = 0; i < len;) {
        struct tok t = {.kind = TOK_CHAR};
        char c = p[i];
        if (c == '*') {
            size_t j = i;
            while (j < len && p[j] == '*')
                j++;
            bool whole = j - i == 2 && (i == 0 || p[i - 1] == '/');
            if (whole && j == len) {
                t.kind = TOK_DSTAR;
                i = j;
            } else if (whole && p[j] == '/') {
                t.kind = TOK_DIRS;
                push_tok(r, &cap, t);
                t.kind = TOK_DIRS_IN;
                i = j + 1;
            } else {
                t.kind = TOK_STAR;
                i = j;
            }
        } else if (c == '?') {
            t.kind = TOK_ANY;
            i++;
        } else if (c == '[') {
            size_t next = parse_class(p, i + 1, len, t.set);
            if (next) {
                t.kind = TOK_CLASS;
                i = next;
            } else {
                t.c = '[';
                i++;
            }
        } else if (c == '\\' && i + 1 < len) {
            t.c = (unsigned char)p[i + 1];
            i += 2;
        } else {
            t.c = (unsigned char)c;
            i++;
        }
        push_tok(r, &cap, t);
    }
}

static void add_line(struct ignore_rules *rs, const char *p, size_t len)
{
    if (len && p[len - 1] == '\r')
        len--;
    /* Trailing spaces go unless escaped with a backslash. */
    while (len && p[len - 1] == ' ' && !(len >= 2 && p[len - 2] == '\\'))
        len--;
    if (!len || p[0] == '#')
        return;
    struct rule r = {0};
    if (p[0] == '!') {
        r.negate = true;
        p++;
        len--;
    } else if (p[0] == '\\' && len > 1 && (p[1] == '#' || p[1] == '!')) {
        p++;
        len--;
    }
    if (len && p[len - 1] == '/' && !(len >= 2 && p[len - 2] == '\\')) {
        r.dir_only = true;
        len--;
    }
    if (!len)
        return;
    /* A slash anywhere but at the end anchors the pattern; "**" + "/" at
     * the start means any depth, the same as no anchor. */
    r.anchored = memchr(p, '/', len) != NULL;
    if (len >= 3 && memcmp(p, "**/", 3) == 0 && !memchr(p + 3, '/', len - 3)) {
        r.anchored = false;
        p += 3;
        len -= 3;
    }
    if (len && p[0] == '/') {
        p++;
        len--;
    }
    if (!len)
        return;
    compile(&r, p, len);
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 8;
        rs->rules = xrealloc(rs->rules, rs->cap * sizeof *rs->rules);
    }
    rs->rules[rs->n++] = r;
    if (r.ntoks > rs->most_toks)
        rs->most_toks = r.ntoks;
}

struct ignore_rules *ignore_rules_parse(const char *text, size_t len)
{
    struct ignore_rules *rs = xcalloc(1, sizeof *rs);
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            add_line(rs, text + start, i - start);
            start = i + 1;
        }
    }
    return rs;
}

struct ignore_rules *ignore_rules_load(const char *path)
{
    size_t len = 0;
    char *text = fs_read_file(path, 16u << 20, &len);
    if (!text)
        return NULL;
    struct ignore_rules *rs = ignore_rules_parse(text, len);
    free(text);
    return rs;
}

size_t ignore_rules_count(const struct ignore_rules *r)
{
    return r ? r->n : 0;
}

void ignore_rules_free(struct ignore_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->rules[i].toks);
    free(r->rules);
    free(r);
}

/* Add state s and everything reachable from it without input. */
static void close_over(const struct rule *r, bool *states, size_t s)
{
    while (s <= r->ntoks && !states[s]) {
        states[s] = true;
        if (s == r->ntoks)
            return;
        enum tok_kind k = r->toks[s].kind;
        if (k == TOK_STAR || k == TOK_DSTAR)
            s++;
        else if (k == TOK_DIRS)
            s += 2; /* the empty run */
        else
            return;
    }
}

static bool run(const struct rule *r, const char *text, size_t len, bool *cur, bool *next)
{
    size_t n = r->ntoks + 1;
    memset(cur, 0, n);
    close_over(r, cur, 0);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        memset(next, 0, n);
        bool any = false;
        for (size_t s = 0; s < r->ntoks; s++) {
            if (!cur[s])
                continue;
            const struct tok *t = &r->toks[s];
            switch (t->kind) {
            case TOK_CHAR:
                if (c == t->c)
                    close_over(r, next, s + 1), any = true;
                break;
            case TOK_ANY:
                if (c != '/')
                    close_over(r, next, s + 1), any = true;
                break;
            case TOK_CLASS:
                if (has_bit(t->set, c))
                    close_over(r, next, s + 1), any = true;
                break;
            case TOK_STAR:
                if (c != '/')
                    close_over(r, next, s), any = true;
                break;
            case TOK_DSTAR:
                close_over(r, next, s), any = true;
                break;
            case TOK_DIRS:
            case TOK_DIRS_IN: {
                size_t in = t->kind == TOK_DIRS ? s + 1 : s;
                next[in] = true, any = true;
                if (c == '/')
                    close_over(r, next, in + 1);
                break;
            }
            }
        }
        if (!any)
            return false;
        bool *tmp = cur;
        cur = next;
        next = tmp;
    }
    return cur[r->ntoks];
}

static bool rule_matches(const struct rule *r, const char *rel, size_t len, bool is_dir,
                         bool *scratch)
{
    if (r->dir_only && !is_dir)
        return false;
    const char *text = rel;
    size_t tlen = len;
    if (!r->anchored) {
        const char *slash = memrchr(rel, '/', len);
        if (slash) {
            text = slash + 1;
            tlen = len - (size_t)(text - rel);
        }
    }
    return run(r, text, tlen, scratch, scratch + r->ntoks + 1);
}

enum ignore_verdict ignore_rules_match(const struct ignore_rules *r, const char *rel, bool is_dir)
{
    if (!r || !r->n)
        return IGNORE_NONE;
    size_t len = strlen(rel);
    size_t most = r->most_toks;
    bool stack_scratch[2 * 64 + 2];
    bool *scratch = most < 64 ? stack_scratch : xmalloc(2 * (most + 1));
    enum ignore_verdict v = IGNORE_NONE;
    for (size_t i = r->n; i-- > 0;) {
        if (rule_matches(&r->rules[i], rel, len, is_dir, scratch)) {
            v = r->rules[i].negate ? IGNORE_INCLUDE : IGNORE_EXCLUDE;
            break;
        }
    }
    if (scratch != stack_scratch)
        free(scratch);
    return v;
}

/* A line-oriented reader for the block subset of YAML skill files use.
 *
 * The structure of block YAML is carried by indentation, so the input is
 * cut into lines first and every node is parsed from "the lines indented
 * deeper than my parent".  A sequence item that starts a mapping on its own
 * line ("- key: value") is handled by treating the text after the dash as
 * a line of its own, indented to where that text starts. */
#include "skills/yaml.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/xalloc.h"

struct line {
    const char *raw;
    size_t len;
    int no;
    int indent; /* where the content starts: leading spaces, or past "- " */
};

struct parser {
    struct line *lines;
    size_t n, i;
    const char *file;
    struct codex_error *err;
    int depth;
};

/* Deeper nesting than this is refused: it is never a skill file, and a
 * bound keeps the recursion safe on hostile input. */
#define YAML_MAX_DEPTH 64

static struct yaml_node *parse_node(struct parser *p, int parent);

static void fail_at(struct parser *p, int line, int col, const char *msg)
{
    char where[64 + 4096];
    snprintf(where, sizeof where, "%.4096s:%d:%d", p->file ? p->file : "<yaml>", line, col);
    codex_error_set_at(p->err, where, "%s", msg);
}

static const char *content(const struct line *l)
{
    return l->raw + l->indent;
}

static size_t content_len(const struct line *l)
{
    return l->len - (size_t)l->indent;
}

static int col_of(const struct line *l, const char *at)
{
    return (int)(at - l->raw) + 1;
}

static bool blank_or_comment(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    return k == n || s[k] == '#';
}

static bool line_blank(const struct line *l)
{
    return blank_or_comment(content(l), content_len(l));
}

static void skip_blank(struct parser *p)
{
    while (p->i < p->n && line_blank(&p->lines[p->i]))
        p->i++;
}

static struct yaml_node *new_node(enum yaml_kind kind, int line, int col)
{
    struct yaml_node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->col = col;
    return n;
}

void yaml_free(struct yaml_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys)
            free(n->keys[i]);
        yaml_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->text);
    free(n);
}

static void node_push(struct yaml_node *n, char *key, struct yaml_node *item)
{
    n->items = xrealloc(n->items, (n->n + 1) * sizeof *n->items);
    if (n->kind == YAML_MAP) {
        n->keys = xrealloc(n->keys, (n->n + 1) * sizeof *n->keys);
        n->keys[n->n] = key;
    }
    n->items[n->n++] = item;
}

static bool is_seq_item(const char *s, size_t n)
{
    return n >= 1 && s[0] == '-' && (n == 1 || s[1] == ' ' || s[1] == '\t');
}

/* Where a comment starts in a plain value (" #"), or n. */
static size_t comment_start(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (s[k] == '#' && (k == 0 || s[k - 1] == ' ' || s[k - 1] == '\t'))
            return k;
    return n;
}

static size_t trim_right(const char *s, size_t n)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

/* ": " (or ':' at the end) outside quotes: the key/value separator of a
 * plain key, as an offset; -1 when the text is not a mapping entry. */
static long key_colon(const char *s, size_t n)
{
    n = comment_start(s, n);
    if (n && (s[0] == '[' || s[0] == '{'))
        return -1;
    for (size_t k = 0; k < n; k++)
        if (s[k] == ':' && (k + 1 == n || s[k + 1] == ' ' || s[k + 1] == '\t'))
            return (long)k;
    return -1;
}

/* ---- quoted scalars ----------------------------------------------------- */

static void put_utf8(struct buf *b, uint32_t cp)
{
    char o[4];
    size_t n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | (cp >> 18));
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(b, o, n);
}

static int hex_value(const char *s, int digits, uint32_t *out)
{
    uint32_t v = 0;
    for (int k = 0; k < digits; k++) {
        char c = s[k];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* One escape after a backslash at s[0]; returns the bytes consumed, or 0. */
static size_t escape(const char *s, size_t n, struct buf *b)
{
    if (n < 2)
        return 0;
    static const char from[] = "0abtnvfre \"/\\N_LP\t";
    static const char *const to[] = {"\0", "\a", "\b", "\t", "\n", "\v", "\f", "\r", "\x1b", " ",
                                     "\"", "/", "\\", "\xc2\x85", "\xc2\xa0", "\xe2\x80\xa8",
                                     "\xe2\x80\xa9", "\t"};
    const char *hit = memchr(from, s[1], sizeof from - 1);
    if (hit) {
        const char *rep = to[hit - from];
        buf_append(b, rep, s[1] == '0' ? 1 : strlen(rep));
        return 2;
    }
    int digits = s[1] == 'x' ? 2 : s[1] == 'u' ? 4 : s[1] == 'U' ? 8 : 0;
    uint32_t cp;
    if (!digits || n < 2 + (size_t)digits || hex_value(s + 2, digits, &cp) < 0 || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    put_utf8(b, cp);
    return 2 + (size_t)digits;
}

/* A quoted scalar starting at `at` on the current line; it may continue on
 * later lines, where a line break folds into a space (empty lines into
 * newlines) and a backslash at the end of a line joins without one.  Leaves
 * p->i on the line after the closing quote, whose remainder must be empty. */
static struct yaml_node *quoted_scalar(struct parser *p, const char *at)
{
    struct line *l = &p->lines[p->i];
    char q = *at;
    struct yaml_node *node = new_node(YAML_SCALAR, l->no, col_of(l, at));
    node->quoted = true;
    struct buf b = BUF_INIT;
    const char *s = at + 1;
    const char *end = l->raw + l->len;
    for (;;) {
        bool joined = false;
        while (s < end) {
            char c = *s;
            if (q == '\'' && c == '\'') {
                if (s + 1 < end && s[1] == '\'') {
                    buf_putc(&b, '\'');
                    s += 2;
                    continue;
                }
                goto closed;
            }
            if (q == '"' && c == '"')
                goto closed;
            if (q == '"' && c == '\\') {
                if (s + 1 == end) {
                    joined = true;
                    break;
                }
                size_t used = escape(s, (size_t)(end - s), &b);
                if (!used) {
                    fail_at(p, l->no, col_of(l, s), "invalid escape in a double-quoted string");
                    goto bad;
                }
                s += used;
                continue;
            }
            buf_putc(&b, c);
            s++;
        }
        if (!joined) /* whitespace before a line break is not content */
            buf_truncate(&b, trim_right(buf_cstr(&b), b.len));
        size_t breaks = 0;
        for (;;) {
            if (++p->i >= p->n) {
                fail_at(p, node->line, node->col, "unterminated quoted string");
                goto bad;
            }
            l = &p->lines[p->i];
            s = l->raw;
            end = l->raw + l->len;
            while (s < end && (*s == ' ' || *s == '\t'))
                s++;
            if (s < end || joined)
                break;
            breaks++;
        }
        if (!joined) {
            if (breaks)
                for (size_t k = 0; k < breaks; k++)
                    buf_putc(&b, '\n');
            else
                buf_putc(&b, ' ');
        }
    }
closed:
    s++; /* past the closing quote */
    if (!blank_or_comment(s, (size_t)(end - s))) {
        fail_at(p, l->no, col_of(l, s), "unexpected text after a quoted string");
        goto bad;
    }
    p->i++;
    node->text = buf_detach(&b, NULL);
    return node;
bad:
    buf_free(&b);
    yaml_free(node);
    return NULL;
}

/* ---- flow collections: kept as text ------------------------------------- */

static struct yaml_node *flow_text(struct parser *p, const char *at)
{
    struct line *l = &p->lines[p->i];
    struct yaml_node *node = new_node(YAML_FLOW, l->no, col_of(l, at));
    struct buf b = BUF_INIT;
    int depth = 0;
    char quote = 0;
    const char *s = at, *end = l->raw + l->len;
    for (;;) {
        while (s < end) {
            char c = *s++;
            buf_putc(&b, c);
            if (quote) {
                if (c == quote)
                    quote = 0;
                else if (c == '\\' && quote == '"' && s < end)
                    buf_putc(&b, *s++);
                continue;
            }
            if (c == '"' || c == '\'')
                quote = c;
            else if (c == '[' || c == '{')
                depth++;
            else if (c == ']' || c == '}') {
                if (--depth == 0)
                    goto closed;
            } else if (c == '#' && (s - 1 == l->raw || s[-2] == ' ')) {
                buf_truncate(&b, b.len - 1);
                s = end;
            }
        }
        if (++p->i >= p->n) {
            fail_at(p, node->line, node->col, "unterminated flow collection");
            buf_free(&b);
            yaml_free(node);
            return NULL;
        }
        l = &p->lines[p->i];
        s = l->raw;
        end = l->raw + l->len;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        buf_putc(&b, ' ');
    }
closed:
    if (!blank_or_comment(s, (size_t)(end - s))) {
        fail_at(p, l->no, col_of(l, s), "unexpected text after a flow collection");
        buf_free(&b);
        yaml_free(node);
        return NULL;
    }
    p->i++;
    node->text = buf_detach(&b, NULL);
    return node;
}

/* ---- block scalars ------------------------------------------------------ */

static int line_indent_raw(const struct line *l)
{
    int k = 0;
    while ((size_t)k < l->len && l->raw[k] == ' ')
        k++;
    return k;
}

static bool raw_blank(const struct line *l)
{
    for (size_t k = 0; k < l->len; k++)
        if (l->raw[k] != ' ' && l->raw[k] != '\t')
            return false;
    return true;
}

/* "|" or ">" with optional chomping (+ -) and indentation (1-9) indicators,
 * then lines indented deeper than the parent. */
static struct yaml_node *block_scalar(struct parser *p, const char *at, int parent)
{
    struct line *l = &p->lines[p->i];
    struct yaml_node *node = new_node(YAML_SCALAR, l->no, col_of(l, at));
    bool folded = *at == '>';
    char chomp = 0;
    int explicit_indent = 0;
    const char *s = at + 1, *end = l->raw + l->len;
    for (int k = 0; k < 2 && s < end; k++) {
        if ((*s == '+' || *s == '-') && !chomp)
            chomp = *s++;
        else if (*s >= '1' && *s <= '9' && !explicit_indent)
            explicit_indent = *s++ - '0';
    }
    if (!blank_or_comment(s, (size_t)(end - s)) || (s < end && *s == '#')) {
        if (s < end && *s != ' ' && *s != '\t') {
            fail_at(p, l->no, col_of(l, s), "invalid block scalar header");
            yaml_free(node);
            return NULL;
        }
    }
    p->i++;
    int base = parent < 0 ? 0 : parent;
    int indent = explicit_indent ? base + explicit_indent : -1;
    struct buf b = BUF_INIT;
    size_t breaks = 0;  /* line breaks not yet written */
    bool any = false, last_more_indented = false;
    while (p->i < p->n) {
        struct line *cur = &p->lines[p->i];
        if (raw_blank(cur)) {
            breaks++;
            p->i++;
            continue;
        }
        int ind = line_indent_raw(cur);
        if (indent < 0) {
            if (ind <= parent)
                break;
            indent = ind;
        }
        if (ind < indent)
            break;
        const char *text = cur->raw + indent;
        size_t tn = cur->len - (size_t)indent;
        bool more_indented = ind > indent || (tn && text[0] == '\t');
        if (any) {
            if (!folded || more_indented || last_more_indented) {
                for (size_t k = 0; k <= breaks; k++)
                    buf_putc(&b, '\n');
            } else if (breaks) {
                for (size_t k = 0; k < breaks; k++)
                    buf_putc(&b, '\n');
            } else {
                buf_putc(&b, ' ');
            }
        } else {
            for (size_t k = 0; k < breaks; k++)
                buf_putc(&b, '\n');
        }
        breaks = 0;
        buf_append(&b, text, tn);
        any = true;
        last_more_indented = more_indented;
        p->i++;
    }
    /* Chomping: strip drops every trailing break, clip keeps one, keep all. */
    if (any && chomp != '-') {
        buf_putc(&b, '\n');
        if (chomp == '+')
            for (size_t k = 0; k < breaks; k++)
                buf_putc(&b, '\n');
    } else if (!any && chomp == '+') {
        for (size_t k = 0; k < breaks; k++)
            buf_putc(&b, '\n');
    }
    node->text = buf_detach(&b, NULL);
    return node;
}

/* ---- plain scalars ------------------------------------------------------ */

static bool is_null_word(const char *s)
{
    return strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

/* A plain value from `at`, continued by deeper-indented lines (folded with
 * spaces, empty lines becoming newlines) until a comment or a shallower
 * line. */
static struct yaml_node *plain_scalar(struct parser *p, const char *at, int parent)
{
    struct line *l = &p->lines[p->i];
    const char *end = l->raw + l->len;
    int col = col_of(l, at);
    switch (*at) {
    case '@':
    case '`':
        fail_at(p, l->no, col, "found a character that cannot start a plain value; quote the value");
        return NULL;
    case '&':
    case '*':
    case '!':
        fail_at(p, l->no, col, "anchors, aliases and tags are not supported");
        return NULL;
    case ']':
    case '}':
    case ',':
    case '%':
        fail_at(p, l->no, col, "unexpected character; quote the value");
        return NULL;
    default:
        break;
    }
    struct yaml_node *node = new_node(YAML_SCALAR, l->no, col);
    size_t n = comment_start(at, (size_t)(end - at));
    bool had_comment = n < (size_t)(end - at);
    n = trim_right(at, n);
    long colon = key_colon(at, n);
    if (colon >= 0) {
        fail_at(p, l->no, col + (int)colon,
                "mapping values are not allowed here; quote a value that holds \": \"");
        yaml_free(node);
        return NULL;
    }
    struct buf b = BUF_INIT;
    buf_append(&b, at, n);
    p->i++;
    size_t breaks = 0;
    while (!had_comment && p->i < p->n) {
        struct line *cur = &p->lines[p->i];
        if (raw_blank(cur)) {
            breaks++;
            p->i++;
            continue;
        }
        int ind = line_indent_raw(cur);
        const char *t = cur->raw + ind;
        size_t tn = cur->len - (size_t)ind;
        if (ind <= parent || *t == '#')
            break;
        size_t cn = comment_start(t, tn);
        had_comment = cn < tn;
        cn = trim_right(t, cn);
        if (key_colon(t, cn) >= 0 || is_seq_item(t, cn)) {
            fail_at(p, cur->no, ind + 1,
                    "mapping values are not allowed here; check the indentation");
            buf_free(&b);
            yaml_free(node);
            return NULL;
        }
        if (breaks)
            for (size_t k = 0; k < breaks; k++)
                buf_putc(&b, '\n');
        else
            buf_putc(&b, ' ');
        breaks = 0;
        buf_append(&b, t, cn);
        p->i++;
    }
    /* Trailing empty lines are not part of the value, but were consumed. */
    node->text = buf_detach(&b, NULL);
    if (is_null_word(node->text)) {
        node->kind = YAML_NULL;
        free(node->text);
        node->text = NULL;
    }
    return node;
}

/* ---- values, mappings, sequences ---------------------------------------- */

/* The value that starts at `at` on the current line (after "key:" or "- "),
 * or on the lines after it when the rest of the line is empty. */
static struct yaml_node *value_at(struct parser *p, const char *at, int parent)
{
    struct line *l = &p->lines[p->i];
    const char *end = l->raw + l->len;
    while (at < end && (*at == ' ' || *at == '\t'))
        at++;
    if (blank_or_comment(at, (size_t)(end - at))) {
        int no = l->no, col = col_of(l, at);
        p->i++;
        skip_blank(p);
        if (p->i < p->n) {
            struct line *next = &p->lines[p->i];
            if (next->indent > parent ||
                (next->indent == parent && is_seq_item(content(next), content_len(next))))
                return parse_node(p, next->indent > parent ? parent : parent - 1);
        }
        return new_node(YAML_NULL, no, col);
    }
    switch (*at) {
    case '"':
    case '\'':
        return quoted_scalar(p, at);
    case '[':
    case '{':
        return flow_text(p, at);
    case '|':
    case '>':
        return block_scalar(p, at, parent);
    default:
        return plain_scalar(p, at, parent);
    }
}

static char *parse_key(struct parser *p, const char **rest)
{
    struct line *l = &p->lines[p->i];
    const char *s = content(l), *end = l->raw + l->len;
    if (*s == '"' || *s == '\'') {
        char q = *s;
        struct buf b = BUF_INIT;
        const char *k = s + 1;
        while (k < end && *k != q) {
            if (q == '"' && *k == '\\') {
                size_t used = escape(k, (size_t)(end - k), &b);
                if (!used)
                    break;
                k += used;
                continue;
            }
            if (q == '\'' && *k == '\'' && k + 1 < end && k[1] == '\'')
                k++;
            buf_putc(&b, *k++);
        }
        if (k == end || *k != q) {
            fail_at(p, l->no, col_of(l, s), "unterminated quoted key");
            buf_free(&b);
            return NULL;
        }
        k++;
        while (k < end && (*k == ' ' || *k == '\t'))
            k++;
        if (k == end || *k != ':' || (k + 1 < end && k[1] != ' ' && k[1] != '\t')) {
            fail_at(p, l->no, col_of(l, k), "expected ':' after a quoted key");
            buf_free(&b);
            return NULL;
        }
        *rest = k + 1;
        return buf_detach(&b, NULL);
    }
    if (*s == '?' || *s == '&' || *s == '*' || *s == '!') {
        fail_at(p, l->no, col_of(l, s), "complex keys, anchors, aliases and tags are not supported");
        return NULL;
    }
    long colon = key_colon(s, (size_t)(end - s));
    if (colon < 0) {
        fail_at(p, l->no, col_of(l, s), "expected \"key: value\"");
        return NULL;
    }
    size_t kn = trim_right(s, (size_t)colon);
    *rest = s + colon + 1;
    return xstrndup(s, kn);
}

static struct yaml_node *parse_map(struct parser *p, int indent)
{
    struct line *first = &p->lines[p->i];
    struct yaml_node *map = new_node(YAML_MAP, first->no, col_of(first, content(first)));
    for (;;) {
        skip_blank(p);
        if (p->i >= p->n)
            break;
        struct line *l = &p->lines[p->i];
        if (l->indent < indent)
            break;
        if (l->indent > indent) {
            fail_at(p, l->no, l->indent + 1, "unexpected indentation");
            goto bad;
        }
        if (is_seq_item(content(l), content_len(l)))
            break; /* a sequence that is the value of an enclosing key */
        if (l->indent == 0 && l->len >= 3 &&
            (memcmp(l->raw, "---", 3) == 0 || memcmp(l->raw, "...", 3) == 0))
            break; /* a document marker: reported at the top */
        if (*content(l) == '\t') {
            fail_at(p, l->no, l->indent + 1, "tabs are not allowed for indentation");
            goto bad;
        }
        int key_line = l->no, key_col = l->indent + 1;
        const char *rest = NULL;
        char *key = parse_key(p, &rest);
        if (!key)
            goto bad;
        if (yaml_get(map, key)) {
            char msg[160];
            snprintf(msg, sizeof msg, "duplicate key \"%.100s\"", key);
            fail_at(p, key_line, key_col, msg);
            free(key);
            goto bad;
        }
        struct yaml_node *v = value_at(p, rest, indent);
        if (!v) {
            free(key);
            goto bad;
        }
        node_push(map, key, v);
    }
    return map;
bad:
    yaml_free(map);
    return NULL;
}

static struct yaml_node *parse_seq(struct parser *p, int indent)
{
    struct line *first = &p->lines[p->i];
    struct yaml_node *seq = new_node(YAML_SEQ, first->no, col_of(first, content(first)));
    for (;;) {
        skip_blank(p);
        if (p->i >= p->n)
            break;
        struct line *l = &p->lines[p->i];
        if (l->indent < indent || (l->indent == indent && !is_seq_item(content(l), content_len(l))))
            break;
        if (l->indent > indent) {
            fail_at(p, l->no, l->indent + 1, "unexpected indentation");
            goto bad;
        }
        /* The text after "- " is a line of its own, indented where it starts. */
        const char *s = content(l) + 1, *end = l->raw + l->len;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        struct yaml_node *item;
        if (blank_or_comment(s, (size_t)(end - s))) {
            item = value_at(p, s, indent);
        } else {
            l->indent = (int)(s - l->raw);
            item = parse_node(p, indent);
        }
        if (!item)
            goto bad;
        node_push(seq, NULL, item);
    }
    return seq;
bad:
    yaml_free(seq);
    return NULL;
}

static struct yaml_node *parse_node(struct parser *p, int parent)
{
    skip_blank(p);
    if (p->i >= p->n || p->lines[p->i].indent <= parent)
        return new_node(YAML_NULL, p->i < p->n ? p->lines[p->i].no : 0, 0);
    if (++p->depth > YAML_MAX_DEPTH) {
        fail_at(p, p->lines[p->i].no, p->lines[p->i].indent + 1, "nesting is too deep");
        return NULL;
    }
    struct line *l = &p->lines[p->i];
    const char *s = content(l);
    size_t n = content_len(l);
    struct yaml_node *node;
    if (*s == '\t') {
        fail_at(p, l->no, l->indent + 1, "tabs are not allowed for indentation");
        node = NULL;
    } else if (is_seq_item(s, n)) {
        node = parse_seq(p, l->indent);
    } else if (*s == '"' || *s == '\'') {
        /* a quoted key or a quoted scalar: find out which */
        const char *rest;
        size_t save = p->i;
        struct codex_error probe = CODEX_ERROR_INIT;
        struct codex_error *real = p->err;
        p->err = &probe;
        char *key = parse_key(p, &rest);
        p->err = real;
        codex_error_clear(&probe);
        p->i = save;
        if (key) {
            free(key);
            node = parse_map(p, l->indent);
        } else {
            node = value_at(p, s, parent);
        }
    } else if (key_colon(s, n) >= 0) {
        node = parse_map(p, l->indent);
    } else {
        node = value_at(p, s, parent);
    }
    p->depth--;
    return node;
}

struct yaml_node *yaml_parse(const char *text, size_t len, int first_line, const char *file,
                             struct codex_error *err)
{
    struct parser p = {.file = file, .err = err};
    size_t cap = 0;
    const char *s = text, *end = text + len;
    int no = first_line;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        if (n && s[n - 1] == '\r')
            n--;
        if (p.n == cap)
            p.lines = xrealloc(p.lines, (cap = cap ? cap * 2 : 16) * sizeof *p.lines);
        struct line *l = &p.lines[p.n++];
        l->raw = s;
        l->len = n;
        l->no = no++;
        l->indent = 0;
        while ((size_t)l->indent < n && s[l->indent] == ' ')
            l->indent++;
        s = nl ? nl + 1 : end;
    }
    for (size_t k = 0; k < p.n; k++) {
        if (memchr(p.lines[k].raw, '\0', p.lines[k].len)) {
            fail_at(&p, p.lines[k].no, 1, "NUL bytes are not allowed");
            free(p.lines);
            return NULL;
        }
    }
    /* An explicit document start is allowed once, at the top. */
    skip_blank(&p);
    if (p.i < p.n && p.lines[p.i].indent == 0 && p.lines[p.i].len >= 3 &&
        memcmp(p.lines[p.i].raw, "---", 3) == 0 &&
        blank_or_comment(p.lines[p.i].raw + 3, p.lines[p.i].len - 3))
        p.i++;
    struct yaml_node *root = parse_node(&p, -1);
    if (root) {
        skip_blank(&p);
        if (p.i < p.n) {
            struct line *l = &p.lines[p.i];
            bool marker = l->len >= 3 && (memcmp(l->raw, "---", 3) == 0 ||
                                          memcmp(l->raw, "...", 3) == 0);
            fail_at(&p, l->no, l->indent + 1,
                    marker ? "only one document is supported" : "unexpected text; check the indentation");
            yaml_free(root);
            root = NULL;
        }
    }
    free(p.lines);
    return root;
}

const struct yaml_node *yaml_get(const struct yaml_node *map, const char *key)
{
    if (!map || map->kind != YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return map->items[i];
    return NULL;
}

const char *yaml_scalar(const struct yaml_node *n)
{
    return n && n->kind == YAML_SCALAR ? n->text : NULL;
}

int yaml_bool(const struct yaml_node *n)
{
    if (!n || n->kind != YAML_SCALAR || n->quoted)
        return -1;
    static const char *const yes[] = {"true", "yes", "on", "y"};
    static const char *const no[] = {"false", "no", "off", "n"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(n->text, yes[i]) == 0)
            return 1;
        if (strcasecmp(n->text, no[i]) == 0)
            return 0;
    }
    return -1;
}

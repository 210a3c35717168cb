/* TOML 1.0 parser: text to a value tree, enforcing every definition rule of
 * the specification, with errors that say what was found, what was expected,
 * and where (1-based line and character column). */
#include "config/toml_internal.h"

#include "util/buf.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Arrays and inline tables nest by recursion; this bounds the stack. */
#define MAX_NESTING 128

struct parser {
    const char *src;
    size_t len;
    size_t pos;
    struct toml_error *err;
    bool failed;
    /* Line/column of cache_off, so that positions, which are mostly asked
     * for in increasing order, cost linear time overall. */
    size_t cache_off;
    int cache_line, cache_col;
    int depth;
    toml_value *root;
    toml_value *current; /* table the current [section] names */
    struct toml_layout *layout;
    char **section; /* path of the current section, for the layout */
    int nsection;
};

/* ---- Positions and errors --------------------------------------------- */

static void position(struct parser *p, size_t off, int *line, int *col)
{
    if (off < p->cache_off) {
        p->cache_off = 0;
        p->cache_line = 1;
        p->cache_col = 1;
    }
    for (size_t i = p->cache_off; i < off && i < p->len; i++) {
        unsigned char c = (unsigned char)p->src[i];
        if (c == '\n') {
            p->cache_line++;
            p->cache_col = 1;
        } else if ((c & 0xC0) != 0x80) {
            p->cache_col++;
        }
    }
    p->cache_off = off;
    *line = p->cache_line;
    *col = p->cache_col;
}

static void describe(const struct parser *p, size_t off, char *out, size_t n)
{
    if (off >= p->len) {
        snprintf(out, n, "end of input");
        return;
    }
    unsigned char c = (unsigned char)p->src[off];
    if (c == '\n')
        snprintf(out, n, "a newline");
    else if (c == '\r')
        snprintf(out, n, "a carriage return");
    else if (c < 0x20 || c == 0x7F)
        snprintf(out, n, "control character U+%04X", c);
    else if (c == '\'')
        snprintf(out, n, "\"'\"");
    else {
        size_t l = 1;
        while (off + l < p->len && ((unsigned char)p->src[off + l] & 0xC0) == 0x80 && l < 4)
            l++;
        snprintf(out, n, "'%.*s'", (int)l, p->src + off);
    }
}

static void fail(struct parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct parser *p, size_t off, const char *fmt, ...)
{
    if (p->failed)
        return;
    p->failed = true;
    if (!p->err)
        return;
    int line, col;
    position(p, off, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    va_end(ap);
    p->err->line = line;
    p->err->col = col;
}

/* "found X, expected WHAT" at off. */
static void fail_expected(struct parser *p, size_t off, const char *what)
{
    char found[32];
    describe(p, off, found, sizeof found);
    fail(p, off, "found %s, expected %s", found, what);
}

/* ---- Characters ------------------------------------------------------- */

static int peek_at(const struct parser *p, size_t off)
{
    return off < p->len ? (unsigned char)p->src[off] : -1;
}
static int peek(const struct parser *p) { return peek_at(p, p->pos); }

static bool is_bare_key_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}
static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len && (p->src[p->pos] == ' ' || p->src[p->pos] == '\t'))
        p->pos++;
}

static bool at_newline(const struct parser *p)
{
    int c = peek(p);
    return c == '\n' || (c == '\r' && peek_at(p, p->pos + 1) == '\n');
}

static void consume_newline(struct parser *p)
{
    p->pos += p->src[p->pos] == '\r' ? 2 : 1;
}

/* A comment runs to the end of the line; control characters other than tab
 * are not allowed in it. */
static bool skip_comment(struct parser *p)
{
    if (peek(p) != '#')
        return true;
    p->pos++;
    while (p->pos < p->len && !at_newline(p)) {
        unsigned char c = (unsigned char)p->src[p->pos];
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            fail_expected(p, p->pos, "comment text (control characters are not allowed in comments)");
            return false;
        }
        p->pos++;
    }
    return true;
}

/* Whitespace, newlines and comments, as allowed between array elements. */
static bool skip_ws_comments_newlines(struct parser *p)
{
    for (;;) {
        skip_ws(p);
        if (peek(p) == '#') {
            if (!skip_comment(p))
                return false;
        } else if (at_newline(p)) {
            consume_newline(p);
        } else {
            return true;
        }
    }
}

/* After a statement: optional whitespace and comment, then a newline or EOF. */
static bool expect_end_of_line(struct parser *p)
{
    skip_ws(p);
    if (!skip_comment(p))
        return false;
    if (p->pos >= p->len)
        return true;
    if (at_newline(p)) {
        consume_newline(p);
        return true;
    }
    fail_expected(p, p->pos, "a newline or end of input");
    return false;
}

/* Offset of the first byte that is not valid UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF are invalid), or len. */
static size_t utf8_invalid_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = u[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + n > len)
            return i;
        for (size_t k = 1; k < n; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (u[i + k] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += n;
    }
    return len;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
    char t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (char)(0xC0 | (cp >> 6));
        t[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12));
        t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18));
        t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(b, t, n);
}

/* ---- Strings ---------------------------------------------------------- */

static bool is_forbidden_in_string(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

static bool parse_escape(struct parser *p, struct buf *out)
{
    size_t at = p->pos; /* the backslash */
    p->pos++;
    int c = peek(p);
    switch (c) {
    case 'b': buf_putc(out, '\b'); break;
    case 't': buf_putc(out, '\t'); break;
    case 'n': buf_putc(out, '\n'); break;
    case 'f': buf_putc(out, '\f'); break;
    case 'r': buf_putc(out, '\r'); break;
    case 'e': buf_putc(out, 0x1B); break; /* TOML 1.1; harmless to accept */
    case '"': buf_putc(out, '"'); break;
    case '\\': buf_putc(out, '\\'); break;
    case 'u':
    case 'U': {
        int digits = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int i = 1; i <= digits; i++) {
            int h = peek_at(p, p->pos + (size_t)i);
            int v;
            if (h >= '0' && h <= '9')
                v = h - '0';
            else if (h >= 'a' && h <= 'f')
                v = h - 'a' + 10;
            else if (h >= 'A' && h <= 'F')
                v = h - 'A' + 10;
            else {
                fail(p, p->pos + (size_t)i, "found %s in \\%c escape, expected %d hex digits",
                     h < 0 ? "end of input" : "a non-hex character", c, digits);
                return false;
            }
            cp = (cp << 4) | (uint32_t)v;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            fail(p, at, "found escape \\%c%.*s, expected a Unicode scalar value (not a surrogate, at most 10FFFF)",
                 c, digits, p->src + p->pos + 1);
            return false;
        }
        put_utf8(out, cp);
        p->pos += (size_t)digits;
        break;
    }
    default: {
        char found[32];
        describe(p, p->pos, found, sizeof found);
        fail(p, at, "found invalid escape sequence '\\' followed by %s, expected one of \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX",
             found);
        return false;
    }
    }
    p->pos++;
    return true;
}

/* Single-line basic ("...") or literal ('...') string; p->pos at the quote. */
static bool parse_single_line_string(struct parser *p, struct buf *out)
{
    char quote = p->src[p->pos];
    size_t start = p->pos;
    p->pos++;
    for (;;) {
        if (p->pos >= p->len) {
            fail(p, start, "found an unterminated string, expected a closing %c", quote);
            return false;
        }
        unsigned char c = (unsigned char)p->src[p->pos];
        if (c == (unsigned char)quote) {
            p->pos++;
            return true;
        }
        if (c == '\\' && quote == '"') {
            if (!parse_escape(p, out))
                return false;
            continue;
        }
        if (c == '\n' || c == '\r') {
            fail(p, p->pos, "found a newline in a single-line string, expected a closing %c", quote);
            return false;
        }
        if (is_forbidden_in_string(c)) {
            fail_expected(p, p->pos, "string text (control characters must be escaped)");
            return false;
        }
        buf_putc(out, (char)c);
        p->pos++;
    }
}

/* Multi-line basic (""") or literal (''') string; p->pos at the first quote. */
static bool parse_multi_line_string(struct parser *p, struct buf *out)
{
    char quote = p->src[p->pos];
    size_t start = p->pos;
    p->pos += 3;
    if (at_newline(p))
        consume_newline(p); /* a newline right after the opening is trimmed */
    for (;;) {
        if (p->pos >= p->len) {
            fail(p, start, "found an unterminated multi-line string, expected a closing %c%c%c", quote,
                 quote, quote);
            return false;
        }
        unsigned char c = (unsigned char)p->src[p->pos];
        if (c == (unsigned char)quote) {
            size_t run = 0;
            while (peek_at(p, p->pos + run) == quote)
                run++;
            if (run < 3) {
                buf_append(out, p->src + p->pos, run);
                p->pos += run;
                continue;
            }
            if (run > 5) {
                fail(p, p->pos + 5, "found %zu quotes in a row, expected at most 5 (2 inside the string, 3 to close it)",
                     run);
                return false;
            }
            buf_append(out, p->src + p->pos, run - 3);
            p->pos += run;
            return true;
        }
        if (c == '\\' && quote == '"') {
            /* A backslash ending a line swallows whitespace and newlines up
             * to the next visible character. */
            size_t q = p->pos + 1;
            while (q < p->len && (p->src[q] == ' ' || p->src[q] == '\t'))
                q++;
            if (q < p->len && (p->src[q] == '\n' || (p->src[q] == '\r' && peek_at(p, q + 1) == '\n'))) {
                p->pos = q;
                while (p->pos < p->len) {
                    int d = peek(p);
                    if (d == ' ' || d == '\t')
                        p->pos++;
                    else if (at_newline(p))
                        consume_newline(p);
                    else
                        break;
                }
                continue;
            }
            if (!parse_escape(p, out))
                return false;
            continue;
        }
        if (at_newline(p)) {
            buf_putc(out, '\n');
            consume_newline(p);
            continue;
        }
        if (is_forbidden_in_string(c)) {
            fail_expected(p, p->pos, "string text (control characters must be escaped)");
            return false;
        }
        buf_putc(out, (char)c);
        p->pos++;
    }
}

static bool starts_multi_line(const struct parser *p)
{
    int q = peek(p);
    return peek_at(p, p->pos + 1) == q && peek_at(p, p->pos + 2) == q;
}

/* ---- Keys ------------------------------------------------------------- */

/* Most keys have few parts: those live in the struct, larger ones on the heap. */
#define KEY_INLINE_PARTS 8

struct key_path {
    char **parts;
    size_t *offs; /* where each part starts, for error positions */
    int *lines, *cols;
    int n, cap;
    char *parts_small[KEY_INLINE_PARTS];
    size_t offs_small[KEY_INLINE_PARTS];
    int lines_small[KEY_INLINE_PARTS], cols_small[KEY_INLINE_PARTS];
};

static void key_path_init(struct key_path *k)
{
    k->n = 0;
    k->cap = KEY_INLINE_PARTS;
    k->parts = k->parts_small;
    k->offs = k->offs_small;
    k->lines = k->lines_small;
    k->cols = k->cols_small;
}

static void key_path_free(struct key_path *k)
{
    for (int i = 0; i < k->n; i++)
        free(k->parts[i]);
    if (k->parts != k->parts_small) {
        free(k->parts);
        free(k->offs);
        free(k->lines);
        free(k->cols);
    }
    key_path_init(k);
}

static void key_path_grow(struct key_path *k)
{
    int cap = k->cap * 2;
    char **parts = xmalloc((size_t)cap * sizeof *parts);
    size_t *offs = xmalloc((size_t)cap * sizeof *offs);
    int *lines = xmalloc((size_t)cap * sizeof *lines);
    int *cols = xmalloc((size_t)cap * sizeof *cols);
    memcpy(parts, k->parts, (size_t)k->n * sizeof *parts);
    memcpy(offs, k->offs, (size_t)k->n * sizeof *offs);
    memcpy(lines, k->lines, (size_t)k->n * sizeof *lines);
    memcpy(cols, k->cols, (size_t)k->n * sizeof *cols);
    if (k->parts != k->parts_small) {
        free(k->parts);
        free(k->offs);
        free(k->lines);
        free(k->cols);
    }
    k->parts = parts;
    k->offs = offs;
    k->lines = lines;
    k->cols = cols;
    k->cap = cap;
}

/* Length of the string body at p->pos (the opening quote) when it closes on
 * this line with no escapes or control characters, else -1: the common case
 * is then copied in one piece. */
static long plain_string_len(const struct parser *p)
{
    char quote = p->src[p->pos];
    for (size_t i = p->pos + 1; i < p->len; i++) {
        unsigned char c = (unsigned char)p->src[i];
        if (c == (unsigned char)quote)
            return (long)(i - p->pos - 1);
        if ((c == '\\' && quote == '"') || (c < 0x20 && c != '\t') || c == 0x7F)
            return -1;
    }
    return -1;
}

static bool parse_simple_key(struct parser *p, struct key_path *k)
{
    size_t start = p->pos;
    int c = peek(p);
    char *name;
    if (c == '"' || c == '\'') {
        if (starts_multi_line(p)) {
            fail(p, start, "found a multi-line string, expected a key (keys must be bare, \"basic\" or 'literal')");
            return false;
        }
        long plain = plain_string_len(p);
        if (plain >= 0) {
            name = xstrndup(p->src + start + 1, (size_t)plain);
            p->pos += (size_t)plain + 2;
        } else {
            struct buf b = BUF_INIT;
            if (!parse_single_line_string(p, &b)) {
                buf_free(&b);
                return false;
            }
            if (memchr(buf_cstr(&b), '\0', b.len)) {
                fail(p, start, "found a key containing a NUL character, which is not supported");
                buf_free(&b);
                return false;
            }
            name = buf_detach(&b, NULL);
        }
    } else if (is_bare_key_char(c)) {
        while (is_bare_key_char(peek(p)))
            p->pos++;
        name = xstrndup(p->src + start, p->pos - start);
    } else {
        fail_expected(p, start, "a key (letters, digits, '_', '-', or a quoted string)");
        return false;
    }
    if (k->n == k->cap)
        key_path_grow(k);
    k->parts[k->n] = name;
    k->offs[k->n] = start;
    position(p, start, &k->lines[k->n], &k->cols[k->n]);
    k->n++;
    return true;
}

/* key = simple-key *( ws "." ws simple-key ); leaves p->pos after the key. */
static bool parse_key(struct parser *p, struct key_path *k)
{
    for (;;) {
        if (!parse_simple_key(p, k))
            return false;
        size_t save = p->pos;
        skip_ws(p);
        if (peek(p) != '.') {
            p->pos = save;
            return true;
        }
        p->pos++;
        skip_ws(p);
    }
}

/* ---- Numbers, booleans, date-times ------------------------------------ */

/* digits with single underscores between them; *i advanced past them. */
static bool scan_digits(const char *s, size_t n, size_t *i, int base)
{
    size_t start = *i;
    bool prev_digit = false;
    while (*i < n) {
        char c = s[*i];
        bool digit;
        switch (base) {
        case 16: digit = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); break;
        case 8: digit = c >= '0' && c <= '7'; break;
        case 2: digit = c == '0' || c == '1'; break;
        default: digit = is_digit(c); break;
        }
        if (digit) {
            prev_digit = true;
        } else if (c == '_') {
            if (!prev_digit || *i + 1 >= n)
                return false;
            prev_digit = false;
        } else {
            break;
        }
        (*i)++;
    }
    return *i > start && prev_digit;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

/* Number token tok (no date-times) into an integer or float value. */
static toml_value *parse_number_token(struct parser *p, size_t off, const char *tok, size_t n)
{
    size_t i = 0;
    bool negative = false, has_sign = false;
    if (n && (tok[0] == '+' || tok[0] == '-')) {
        negative = tok[0] == '-';
        has_sign = true;
        i++;
    }
    const char *rest = tok + i;
    size_t rn = n - i;
    if ((rn == 3 && memcmp(rest, "inf", 3) == 0) || (rn == 3 && memcmp(rest, "nan", 3) == 0)) {
        double d = rest[0] == 'i' ? __builtin_inf() : __builtin_nan("");
        return toml_new_float(negative ? -d : d);
    }
    if (rn >= 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'o' || rest[1] == 'b')) {
        int base = rest[1] == 'x' ? 16 : rest[1] == 'o' ? 8 : 2;
        if (has_sign) {
            fail(p, off, "found a sign on a %s integer, expected none (only decimal integers take a sign)",
                 base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary");
            return NULL;
        }
        size_t j = i + 2;
        if (!scan_digits(tok, n, &j, base) || j != n) {
            fail(p, off + (j < n ? j : 0), "found '%.*s', expected %s integer (digits with single '_' between them)",
                 (int)n, tok, base == 16 ? "a hexadecimal" : base == 8 ? "an octal" : "a binary");
            return NULL;
        }
        uint64_t v = 0;
        for (size_t k = i + 2; k < n; k++) {
            if (tok[k] == '_')
                continue;
            unsigned d = (unsigned)digit_value(tok[k]);
            if (v > ((uint64_t)INT64_MAX - d) / (uint64_t)base) {
                fail(p, off, "found integer %.*s, which does not fit in 64 bits", (int)n, tok);
                return NULL;
            }
            v = v * (uint64_t)base + d;
        }
        return toml_new_integer((int64_t)v);
    }
    /* Decimal integer or float. */
    size_t j = i;
    size_t int_start = j;
    if (!scan_digits(tok, n, &j, 10)) {
        fail(p, off + j, "found '%.*s', expected a number (digits with single '_' between them)", (int)n, tok);
        return NULL;
    }
    if (tok[int_start] == '0' && j - int_start > 1) {
        fail(p, off, "found '%.*s', expected a number without leading zeros", (int)n, tok);
        return NULL;
    }
    bool is_float = false;
    if (j < n && tok[j] == '.') {
        j++;
        is_float = true;
        if (!scan_digits(tok, n, &j, 10)) {
            fail(p, off + j, "found '%.*s', expected digits after the decimal point", (int)n, tok);
            return NULL;
        }
    }
    if (j < n && (tok[j] == 'e' || tok[j] == 'E')) {
        j++;
        is_float = true;
        if (j < n && (tok[j] == '+' || tok[j] == '-'))
            j++;
        if (!scan_digits(tok, n, &j, 10)) {
            fail(p, off + j, "found '%.*s', expected digits in the exponent", (int)n, tok);
            return NULL;
        }
    }
    if (j != n) {
        fail(p, off + j, "found '%.*s', expected a number", (int)n, tok);
        return NULL;
    }
    char *clean = xmalloc(n + 1);
    size_t cn = 0;
    for (size_t k = 0; k < n; k++)
        if (tok[k] != '_')
            clean[cn++] = tok[k];
    clean[cn] = '\0';
    toml_value *v = NULL;
    errno = 0;
    if (is_float) {
        v = toml_new_float(strtod(clean, NULL));
    } else {
        long long ll = strtoll(clean, NULL, 10);
        if (errno == ERANGE)
            fail(p, off, "found integer %.*s, which does not fit in 64 bits", (int)n, tok);
        else
            v = toml_new_integer((int64_t)ll);
    }
    free(clean);
    return v;
}

static bool take_digits(struct parser *p, int count, int *out)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        int c = peek(p);
        if (!is_digit(c))
            return false;
        v = v * 10 + (c - '0');
        p->pos++;
    }
    *out = v;
    return true;
}

static bool take_char(struct parser *p, char c)
{
    if (peek(p) != c)
        return false;
    p->pos++;
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return days[month - 1];
}

/* HH:MM:SS[.frac] into out; p->pos at the hour. */
static bool parse_time_part(struct parser *p, struct buf *out)
{
    size_t start = p->pos;
    int h, m, s;
    if (!take_digits(p, 2, &h) || !take_char(p, ':') || !take_digits(p, 2, &m) || !take_char(p, ':') ||
        !take_digits(p, 2, &s)) {
        fail_expected(p, p->pos, "a time in the form HH:MM:SS");
        return false;
    }
    if (h > 23 || m > 59 || s > 60) {
        fail(p, start, "found time %.8s, expected hour 00-23, minute 00-59 and second 00-60", p->src + start);
        return false;
    }
    if (peek(p) == '.') {
        p->pos++;
        if (!is_digit(peek(p))) {
            fail_expected(p, p->pos, "digits after the decimal point of the seconds");
            return false;
        }
        while (is_digit(peek(p)))
            p->pos++;
    }
    buf_append(out, p->src + start, p->pos - start);
    return true;
}

static bool at_value_end(const struct parser *p)
{
    int c = peek(p);
    return c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}' ||
           c == '#';
}

/* A date, time, or date-time starting at p->pos. */
static toml_value *parse_datetime(struct parser *p)
{
    size_t start = p->pos;
    struct buf text = BUF_INIT;
    enum toml_type type;
    if (peek_at(p, p->pos + 2) == ':') {
        if (!parse_time_part(p, &text))
            goto fail;
        type = TOML_LOCAL_TIME;
    } else {
        int y, mo, d;
        if (!take_digits(p, 4, &y) || !take_char(p, '-') || !take_digits(p, 2, &mo) || !take_char(p, '-') ||
            !take_digits(p, 2, &d)) {
            fail_expected(p, p->pos, "a date in the form YYYY-MM-DD");
            goto fail;
        }
        if (mo < 1 || mo > 12) {
            fail(p, start, "found date %.10s, expected a month between 01 and 12", p->src + start);
            goto fail;
        }
        if (d < 1 || d > days_in_month(y, mo)) {
            fail(p, start, "found date %.10s, expected a day between 01 and %02d for that month", p->src + start,
                 days_in_month(y, mo));
            goto fail;
        }
        buf_append(&text, p->src + start, p->pos - start);
        type = TOML_LOCAL_DATE;
        int c = peek(p);
        bool has_time = c == 'T' || c == 't' ||
                        (c == ' ' && is_digit(peek_at(p, p->pos + 1)) && is_digit(peek_at(p, p->pos + 2)) &&
                         peek_at(p, p->pos + 3) == ':');
        if (has_time) {
            p->pos++;
            buf_putc(&text, 'T');
            if (!parse_time_part(p, &text))
                goto fail;
            type = TOML_LOCAL_DATETIME;
            c = peek(p);
            if (c == 'Z' || c == 'z') {
                p->pos++;
                buf_putc(&text, 'Z');
                type = TOML_OFFSET_DATETIME;
            } else if (c == '+' || c == '-') {
                size_t off_start = p->pos;
                p->pos++;
                int oh, om;
                if (!take_digits(p, 2, &oh) || !take_char(p, ':') || !take_digits(p, 2, &om)) {
                    fail_expected(p, p->pos, "a time zone offset in the form +HH:MM");
                    goto fail;
                }
                if (oh > 23 || om > 59) {
                    fail(p, off_start, "found offset %.6s, expected hours 00-23 and minutes 00-59",
                         p->src + off_start);
                    goto fail;
                }
                buf_append(&text, p->src + off_start, p->pos - off_start);
                type = TOML_OFFSET_DATETIME;
            }
        }
    }
    if (!at_value_end(p)) {
        fail_expected(p, p->pos, "the end of the date/time value");
        goto fail;
    }
    toml_value *v = toml_new_datetime(type, buf_cstr(&text), text.len);
    buf_free(&text);
    return v;
fail:
    buf_free(&text);
    return NULL;
}

static bool looks_like_datetime(const struct parser *p)
{
    size_t i = p->pos;
    if (is_digit(peek_at(p, i)) && is_digit(peek_at(p, i + 1)) && peek_at(p, i + 2) == ':')
        return true;
    for (int k = 0; k < 4; k++)
        if (!is_digit(peek_at(p, i + (size_t)k)))
            return false;
    return peek_at(p, i + 4) == '-';
}

static toml_value *parse_number_or_datetime(struct parser *p)
{
    if (looks_like_datetime(p))
        return parse_datetime(p);
    size_t start = p->pos;
    while (p->pos < p->len) {
        char c = p->src[p->pos];
        if (is_bare_key_char(c) || c == '.' || c == '+' || c == ':')
            p->pos++;
        else
            break;
    }
    return parse_number_token(p, start, p->src + start, p->pos - start);
}

/* ---- Values ----------------------------------------------------------- */

static toml_value *parse_value(struct parser *p);

static bool enter(struct parser *p)
{
    if (++p->depth > MAX_NESTING) {
        fail(p, p->pos, "found arrays or inline tables nested more than %d deep, expected less nesting",
             MAX_NESTING);
        return false;
    }
    return true;
}

static toml_value *parse_array(struct parser *p)
{
    if (!enter(p))
        return NULL;
    p->pos++; /* [ */
    toml_value *arr = toml_new_array();
    arr->flags = TOML_FLAG_INLINE;
    for (;;) {
        if (!skip_ws_comments_newlines(p))
            goto fail;
        if (peek(p) == ']') {
            p->pos++;
            break;
        }
        toml_value *item = parse_value(p);
        if (!item)
            goto fail;
        toml_array_push(arr, item);
        if (!skip_ws_comments_newlines(p))
            goto fail;
        if (peek(p) == ',') {
            p->pos++;
        } else if (peek(p) == ']') {
            p->pos++;
            break;
        } else {
            fail_expected(p, p->pos, "',' or ']' in the array");
            goto fail;
        }
    }
    p->depth--;
    return arr;
fail:
    toml_free(arr);
    return NULL;
}

static const char *describe_definition(const toml_value *v)
{
    if (v->type == TOML_TABLE) {
        if (v->flags & TOML_FLAG_INLINE)
            return "an inline table";
        if (v->flags & TOML_FLAG_HEADER)
            return "a table defined by a [header]";
        if (v->flags & TOML_FLAG_DOTTED)
            return "a table defined by dotted keys";
        return "a table";
    }
    if (v->type == TOML_ARRAY)
        return (v->flags & TOML_FLAG_AOT) ? "an array of tables" : "an array";
    return toml_type_name(v->type);
}

/* table[k->parts[i]] = value for a key known to be absent.  Without a layout
 * to record, the key string moves into the table instead of being copied. */
static void insert_key(struct parser *p, toml_value *table, struct key_path *k, int i, toml_value *value)
{
    if (p->layout) {
        toml_table_insert_owned(table, xstrdup(k->parts[i]), value);
    } else {
        toml_table_insert_owned(table, k->parts[i], value);
        k->parts[i] = NULL;
    }
}

/* Assign key = value in table, creating the tables a dotted key passes
 * through.  Takes ownership of value (freed on failure). */
static bool assign_dotted(struct parser *p, toml_value *table, struct key_path *k, toml_value *value)
{
    for (int i = 0; i + 1 < k->n; i++) {
        toml_value *next = toml_table_get(table, k->parts[i]);
        if (!next) {
            next = toml_new_table();
            next->flags = TOML_FLAG_DOTTED;
            next->line = k->lines[i];
            next->col = k->cols[i];
            insert_key(p, table, k, i, next);
        } else if (next->type == TOML_TABLE && !(next->flags & (TOML_FLAG_INLINE | TOML_FLAG_HEADER))) {
            next->flags |= TOML_FLAG_DOTTED;
        } else {
            fail(p, k->offs[i], "found key '%s' already defined as %s at line %d, expected a key that dotted keys may extend",
                 k->parts[i], describe_definition(next), next->line);
            toml_free(value);
            return false;
        }
        table = next;
    }
    const char *last = k->parts[k->n - 1];
    toml_value *old = toml_table_get(table, last);
    if (old) {
        fail(p, k->offs[k->n - 1], "found duplicate key '%s' (already defined at line %d), expected each key once", last,
             old->line);
        toml_free(value);
        return false;
    }
    insert_key(p, table, k, k->n - 1, value);
    return true;
}

static void freeze(toml_value *v)
{
    v->flags |= TOML_FLAG_INLINE;
    if (v->type == TOML_TABLE)
        for (size_t i = 0; i < v->u.tab.len; i++)
            if (v->u.tab.vals[i]->type == TOML_TABLE)
                freeze(v->u.tab.vals[i]);
}

static toml_value *parse_inline_table(struct parser *p)
{
    if (!enter(p))
        return NULL;
    p->pos++; /* { */
    toml_value *tab = toml_new_table();
    struct key_path k;
    key_path_init(&k);
    skip_ws(p);
    if (peek(p) == '}') {
        p->pos++;
        goto done;
    }
    for (;;) {
        skip_ws(p);
        if (peek(p) == '}') {
            fail(p, p->pos, "found '}' after ',', expected a key (inline tables take no trailing comma)");
            goto fail;
        }
        if (at_newline(p) || peek(p) == '\r') {
            fail_expected(p, p->pos, "a key (inline tables must be on one line)");
            goto fail;
        }
        if (!parse_key(p, &k))
            goto fail;
        skip_ws(p);
        if (!take_char(p, '=')) {
            fail_expected(p, p->pos, "'=' after the key");
            goto fail;
        }
        skip_ws(p);
        toml_value *v = parse_value(p);
        if (!v)
            goto fail;
        if (!assign_dotted(p, tab, &k, v))
            goto fail;
        key_path_free(&k);
        skip_ws(p);
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p) == '}') {
            p->pos++;
            break;
        }
        fail_expected(p, p->pos, at_newline(p) ? "',' or '}' (inline tables must be on one line)" : "',' or '}' in the inline table");
        goto fail;
    }
done:
    freeze(tab);
    p->depth--;
    return tab;
fail:
    key_path_free(&k);
    toml_free(tab);
    return NULL;
}

static toml_value *parse_value(struct parser *p)
{
    size_t start = p->pos;
    int line, col;
    position(p, start, &line, &col);
    int c = peek(p);
    toml_value *v = NULL;
    long plain;
    if ((c == '"' || c == '\'') && !starts_multi_line(p) && (plain = plain_string_len(p)) >= 0) {
        v = toml_new_string(p->src + start + 1, (size_t)plain);
        p->pos += (size_t)plain + 2;
    } else if (c == '"' || c == '\'') {
        struct buf b = BUF_INIT;
        bool ok = starts_multi_line(p) ? parse_multi_line_string(p, &b) : parse_single_line_string(p, &b);
        if (ok)
            v = toml_new_string(buf_cstr(&b), b.len);
        buf_free(&b);
    } else if (c == 't' || c == 'f') {
        const char *word = c == 't' ? "true" : "false";
        size_t n = strlen(word);
        if (p->pos + n <= p->len && memcmp(p->src + p->pos, word, n) == 0) {
            p->pos += n;
            v = toml_new_bool(c == 't');
        } else {
            fail_expected(p, start, "a value (booleans are lowercase true or false; strings need quotes)");
        }
    } else if (c == '[') {
        v = parse_array(p);
    } else if (c == '{') {
        v = parse_inline_table(p);
    } else if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n') {
        v = parse_number_or_datetime(p);
    } else {
        fail_expected(p, start, "a value (string, number, boolean, date/time, array or inline table)");
    }
    if (v) {
        v->line = line;
        v->col = col;
    }
    return v;
}

/* ---- Statements ------------------------------------------------------- */

static char **copy_parts(char **parts, int n)
{
    char **c = xmalloc((size_t)(n ? n : 1) * sizeof *c);
    for (int i = 0; i < n; i++)
        c[i] = xstrdup(parts[i]);
    return c;
}

static void free_parts(char **parts, int n)
{
    for (int i = 0; i < n; i++)
        free(parts[i]);
    free(parts);
}

static size_t line_start_of(const struct parser *p, size_t off)
{
    while (off > 0 && p->src[off - 1] != '\n')
        off--;
    return off;
}

static void record(struct parser *p, enum toml_stmt_kind kind, const struct key_path *k, size_t line_start,
                   size_t value_start, size_t value_end)
{
    struct toml_layout *l = p->layout;
    if (!l)
        return;
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->stmts = xrealloc(l->stmts, l->cap * sizeof *l->stmts);
    }
    struct toml_stmt *s = &l->stmts[l->len++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    if (kind == TOML_STMT_KEYVAL) {
        s->section = copy_parts(p->section, p->nsection);
        s->nsection = p->nsection;
        s->key = copy_parts(k->parts, k->n);
        s->nkey = k->n;
    } else {
        s->section = copy_parts(k->parts, k->n);
        s->nsection = k->n;
    }
    s->line_start = line_start;
    s->value_start = value_start;
    s->value_end = value_end;
    s->line_end = p->pos;
}

static bool parse_keyval_line(struct parser *p)
{
    size_t line_start = line_start_of(p, p->pos);
    struct key_path k;
    key_path_init(&k);
    if (!parse_key(p, &k))
        goto fail;
    skip_ws(p);
    if (!take_char(p, '=')) {
        fail_expected(p, p->pos, "'=' after the key");
        goto fail;
    }
    skip_ws(p);
    size_t value_start = p->pos;
    toml_value *v = parse_value(p);
    if (!v)
        goto fail;
    size_t value_end = p->pos;
    if (!assign_dotted(p, p->current, &k, v))
        goto fail;
    if (!expect_end_of_line(p))
        goto fail;
    record(p, TOML_STMT_KEYVAL, &k, line_start, value_start, value_end);
    key_path_free(&k);
    return true;
fail:
    key_path_free(&k);
    return false;
}

static bool parse_header_line(struct parser *p)
{
    size_t line_start = line_start_of(p, p->pos);
    size_t header_start = p->pos;
    int hline, hcol;
    position(p, header_start, &hline, &hcol);
    bool aot = peek_at(p, p->pos + 1) == '[';
    p->pos += aot ? 2 : 1;
    struct key_path k;
    key_path_init(&k);
    skip_ws(p);
    if (!parse_key(p, &k))
        goto fail;
    skip_ws(p);
    if (!take_char(p, ']') || (aot && !take_char(p, ']'))) {
        fail_expected(p, p->pos, aot ? "']]' to close the array-of-tables header" : "']' to close the table header");
        goto fail;
    }

    toml_value *table = p->root;
    for (int i = 0; i + 1 < k.n; i++) {
        toml_value *next = toml_table_get(table, k.parts[i]);
        if (!next) {
            next = toml_new_table();
            next->flags = TOML_FLAG_IMPLICIT;
            next->line = hline;
            next->col = hcol;
            toml_table_set(table, k.parts[i], next);
        } else if (next->type == TOML_TABLE && !(next->flags & TOML_FLAG_INLINE)) {
            /* descend */
        } else if (next->type == TOML_ARRAY && (next->flags & TOML_FLAG_AOT)) {
            next = next->u.arr.items[next->u.arr.len - 1];
        } else {
            fail(p, k.offs[i], "found key '%s' already defined as %s at line %d, expected a table to put [%s] in",
                 k.parts[i], describe_definition(next), next->line, k.parts[k.n - 1]);
            goto fail;
        }
        table = next;
    }
    const char *last = k.parts[k.n - 1];
    toml_value *existing = toml_table_get(table, last);
    toml_value *section;
    if (aot) {
        if (!existing) {
            existing = toml_new_array();
            existing->flags = TOML_FLAG_AOT;
            existing->line = hline;
            existing->col = hcol;
            toml_table_set(table, last, existing);
        } else if (existing->type != TOML_ARRAY || !(existing->flags & TOML_FLAG_AOT)) {
            fail(p, header_start, "found [[%s]] but '%s' is already defined as %s at line %d, expected a new name",
                 last, last, describe_definition(existing), existing->line);
            goto fail;
        }
        section = toml_new_table();
        section->flags = TOML_FLAG_HEADER;
        section->line = hline;
        section->col = hcol;
        toml_array_push(existing, section);
    } else {
        if (!existing) {
            section = toml_new_table();
            section->flags = TOML_FLAG_HEADER;
            section->line = hline;
        section->col = hcol;
            toml_table_set(table, last, section);
        } else if (existing->type == TOML_TABLE && existing->flags == TOML_FLAG_IMPLICIT) {
            section = existing;
            section->flags = TOML_FLAG_HEADER;
            section->line = hline;
        section->col = hcol;
        } else {
            fail(p, header_start, "found table [%s] but '%s' is already defined as %s at line %d, expected each table once",
                 last, last, describe_definition(existing), existing->line);
            goto fail;
        }
    }
    p->current = section;
    if (!expect_end_of_line(p))
        goto fail;
    free_parts(p->section, p->nsection);
    p->section = copy_parts(k.parts, k.n);
    p->nsection = k.n;
    record(p, aot ? TOML_STMT_AOT : TOML_STMT_TABLE, &k, line_start, 0, 0);
    key_path_free(&k);
    return true;
fail:
    key_path_free(&k);
    return false;
}

static bool check_utf8(struct parser *p)
{
    size_t bad = utf8_invalid_at(p->src, p->len);
    if (bad == p->len)
        return true;
    fail(p, bad, "found byte 0x%02X that is not valid UTF-8, expected UTF-8 text", (unsigned char)p->src[bad]);
    return false;
}

static void parser_init(struct parser *p, const char *text, size_t len, struct toml_error *err)
{
    memset(p, 0, sizeof *p);
    p->src = text;
    p->len = len;
    p->err = err;
    p->cache_line = 1;
    p->cache_col = 1;
    if (err)
        memset(err, 0, sizeof *err);
}

toml_value *toml_parse_layout(const char *text, size_t len, struct toml_error *err, struct toml_layout *layout)
{
    struct parser p;
    parser_init(&p, text, len, err);
    p.layout = layout;
    if (!check_utf8(&p))
        return NULL;
    p.root = toml_new_table();
    p.root->flags = TOML_FLAG_HEADER;
    p.root->line = 1;
    p.root->col = 1;
    p.current = p.root;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3;
    while (!p.failed && p.pos < p.len) {
        skip_ws(&p);
        int c = peek(&p);
        if (c < 0)
            break;
        if (c == '#' || at_newline(&p)) {
            expect_end_of_line(&p);
        } else if (c == '[') {
            parse_header_line(&p);
        } else {
            parse_keyval_line(&p);
        }
    }
    free_parts(p.section, p.nsection);
    if (p.failed) {
        toml_free(p.root);
        return NULL;
    }
    return p.root;
}

toml_value *toml_parse(const char *text, size_t len, struct toml_error *err)
{
    return toml_parse_layout(text, len, err, NULL);
}

void toml_layout_free(struct toml_layout *layout)
{
    for (size_t i = 0; i < layout->len; i++) {
        free_parts(layout->stmts[i].section, layout->stmts[i].nsection);
        if (layout->stmts[i].kind == TOML_STMT_KEYVAL)
            free_parts(layout->stmts[i].key, layout->stmts[i].nkey);
    }
    free(layout->stmts);
    memset(layout, 0, sizeof *layout);
}

toml_value *toml_parse_value(const char *text, size_t len, struct toml_error *err)
{
    struct parser p;
    parser_init(&p, text, len, err);
    if (!check_utf8(&p))
        return NULL;
    skip_ws(&p);
    toml_value *v = parse_value(&p);
    if (!v)
        return NULL;
    skip_ws(&p);
    if (p.pos != p.len) {
        fail_expected(&p, p.pos, "end of the value (exactly one TOML value)");
        toml_free(v);
        return NULL;
    }
    return v;
}

int toml_parse_dotted_key(const char *text, char ***keys_out, struct toml_error *err)
{
    struct parser p;
    parser_init(&p, text, strlen(text), err);
    *keys_out = NULL;
    if (!check_utf8(&p))
        return -1;
    struct key_path k;
    key_path_init(&k);
    skip_ws(&p);
    if (!parse_key(&p, &k)) {
        key_path_free(&k);
        return -1;
    }
    skip_ws(&p);
    if (p.pos != p.len) {
        fail_expected(&p, p.pos, "'.' or the end of the key");
        key_path_free(&k);
        return -1;
    }
    char **parts = xmalloc((size_t)k.n * sizeof *parts);
    memcpy(parts, k.parts, (size_t)k.n * sizeof *parts);
    int n = k.n;
    k.n = 0; /* the strings now belong to parts */
    key_path_free(&k);
    *keys_out = parts;
    return n;
}

void toml_free_keys(char **keys, int n)
{
    free_parts(keys, n);
}

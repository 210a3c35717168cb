/* Lexer for rules files.  It follows Starlark where rules files can notice
 * (string literal forms and escapes, comments, implicit line joining inside
 * brackets, no tabs, no indentation at top level) and turns everything else
 * into tokens the parser rejects with a precise location. */
#include "policy/execpolicy_lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

void ep_lex_init(struct ep_lexer *lx, const char *file, const char *src, size_t len)
{
    memset(lx, 0, sizeof *lx);
    lx->file = file;
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->col = 1;
    lx->at_line_start = true;
}

void ep_tok_free(struct ep_tok *t)
{
    free(t->str);
    t->str = NULL;
}

void ep_lex_error(struct ep_lexer *lx, int line, int col, const char *fmt, ...)
{
    if (lx->err)
        return;
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s:%d:%d: ", lx->file, line, col);
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    lx->err = buf_detach(&b, NULL);
}

static int peek_at(const struct ep_lexer *lx, size_t ahead)
{
    size_t i = lx->pos + ahead;
    return i < lx->len ? (unsigned char)lx->src[i] : -1;
}

/* Advance one byte, keeping line and column (counted in characters). */
static void advance(struct ep_lexer *lx)
{
    unsigned char c = (unsigned char)lx->src[lx->pos++];
    if (c == '\n') {
        lx->line++;
        lx->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        lx->col++;
    }
}

static bool is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(int c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_utf8(struct buf *b, unsigned long cp)
{
    char out[4];
    size_t n;
    if (cp < 0x80) {
        out[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(b, out, n);
}

/* Decode the escape after a backslash (lx->pos is on the backslash).
 * Returns false after reporting an invalid escape. */
static bool lex_escape(struct ep_lexer *lx, struct buf *out, bool bytes)
{
    int line = lx->line, col = lx->col;
    int c = peek_at(lx, 1);
    static const char simple_from[] = "\\'\"abfnrtv";
    static const char simple_to[] = "\\'\"\a\b\f\n\r\t\v";
    const char *hit = c > 0 ? strchr(simple_from, c) : NULL;
    if (hit) {
        advance(lx);
        advance(lx);
        buf_putc(out, simple_to[hit - simple_from]);
        return true;
    }
    if (c == '\n' || (c == '\r' && peek_at(lx, 2) == '\n')) { /* line continuation */
        advance(lx);
        if (c == '\r')
            advance(lx);
        advance(lx);
        return true;
    }
    if (c >= '0' && c <= '7') {
        advance(lx);
        unsigned long v = 0;
        for (int i = 0; i < 3 && peek_at(lx, 0) >= '0' && peek_at(lx, 0) <= '7'; i++) {
            v = v * 8 + (unsigned long)(peek_at(lx, 0) - '0');
            advance(lx);
        }
        if (bytes && v > 0xFF) {
            ep_lex_error(lx, line, col, "invalid octal escape in bytes literal (value above \\377)");
            return false;
        }
        if (bytes)
            buf_putc(out, (char)v);
        else
            put_utf8(out, v);
        return true;
    }
    int ndigits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (ndigits) {
        unsigned long v = 0;
        for (int i = 0; i < ndigits; i++) {
            int h = hex_value(peek_at(lx, 2 + (size_t)i));
            if (h < 0) {
                ep_lex_error(lx, line, col, "invalid string escape: \\%c needs %d hex digits", c, ndigits);
                return false;
            }
            v = v * 16 + (unsigned long)h;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
            ep_lex_error(lx, line, col, "invalid string escape: U+%lX is not a Unicode scalar value", v);
            return false;
        }
        for (int i = 0; i < ndigits + 2; i++)
            advance(lx);
        if (bytes && c == 'x')
            buf_putc(out, (char)v);
        else
            put_utf8(out, v);
        return true;
    }
    /* Unknown escapes such as \d stay as written, as Starlark keeps them. */
    advance(lx);
    buf_putc(out, '\\');
    return true;
}

static bool lex_string(struct ep_lexer *lx, struct ep_tok *t, bool raw, bool bytes, bool fstring)
{
    int quote = peek_at(lx, 0);
    bool triple = peek_at(lx, 1) == quote && peek_at(lx, 2) == quote;
    for (int i = 0; i < (triple ? 3 : 1); i++)
        advance(lx);
    struct buf out = BUF_INIT;
    for (;;) {
        int c = peek_at(lx, 0);
        if (c < 0 || (!triple && c == '\n')) {
            ep_lex_error(lx, t->line, t->col, "unfinished string literal (missing closing %s)",
                         triple ? (quote == '"' ? "\"\"\"" : "'''") : (quote == '"' ? "\"" : "'"));
            buf_free(&out);
            return false;
        }
        if (c == quote && (!triple || (peek_at(lx, 1) == quote && peek_at(lx, 2) == quote))) {
            for (int i = 0; i < (triple ? 3 : 1); i++)
                advance(lx);
            break;
        }
        if (c == '\\' && raw) {
            /* Raw strings keep backslashes, except that one before a quote
             * only stops the quote from ending the literal. */
            int n = peek_at(lx, 1);
            if (n == '\'' || n == '"') {
                advance(lx);
                buf_putc(&out, (char)n);
                advance(lx);
            } else if (n == '\\' || n == '\n') {
                /* An escaped backslash or line break is kept as written
                 * and cannot end the literal. */
                buf_putc(&out, '\\');
                buf_putc(&out, (char)n);
                advance(lx);
                advance(lx);
            } else {
                buf_putc(&out, '\\');
                advance(lx);
            }
            continue;
        }
        if (c == '\\') {
            if (!lex_escape(lx, &out, bytes)) {
                buf_free(&out);
                return false;
            }
            continue;
        }
        buf_putc(&out, (char)c);
        advance(lx);
    }
    if (fstring) {
        /* f"..." without interpolation is a plain string; {{ and }} are
         * literal braces.  Interpolation would need expressions. */
        struct buf plain = BUF_INIT;
        for (size_t i = 0; i < out.len; i++) {
            char c = out.data[i];
            if ((c == '{' || c == '}') && i + 1 < out.len && out.data[i + 1] == c) {
                buf_putc(&plain, c);
                i++;
            } else if (c == '{' || c == '}') {
                ep_lex_error(lx, t->line, t->col,
                             "f-string interpolation is not supported in rules files; write the literal text");
                buf_free(&plain);
                buf_free(&out);
                return false;
            } else {
                buf_putc(&plain, c);
            }
        }
        buf_free(&out);
        out = plain;
    }
    t->kind = bytes ? T_BYTES : T_STRING;
    t->str = buf_detach(&out, &t->str_len);
    return true;
}

/* String prefixes Starlark accepts (lowercase only). */
static bool string_prefix(const char *s, size_t n, bool *raw, bool *bytes, bool *fstring)
{
    static const char *const prefixes[] = {"r", "b", "rb", "br", "f", "rf", "fr"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        if (strlen(prefixes[i]) == n && memcmp(prefixes[i], s, n) == 0) {
            *raw = memchr(s, 'r', n) != NULL;
            *bytes = memchr(s, 'b', n) != NULL;
            *fstring = memchr(s, 'f', n) != NULL;
            return true;
        }
    }
    return false;
}

static struct ep_tok fail(struct ep_tok t)
{
    ep_tok_free(&t);
    t.kind = T_EOF;
    return t;
}

struct ep_tok ep_lex_next(struct ep_lexer *lx)
{
    struct ep_tok t = {0};
    if (lx->err)
        return t;
restart:
    for (;;) {
        if (lx->at_line_start && lx->depth == 0) {
            /* Indentation only matters on lines that hold code. */
            size_t p = lx->pos;
            while (p < lx->len && lx->src[p] == ' ')
                p++;
            int next = p < lx->len ? (unsigned char)lx->src[p] : -1;
            if (p > lx->pos && next != '\n' && next != '#' && next != '\r' && next != '\t' && next >= 0) {
                ep_lex_error(lx, lx->line, 1,
                             "unexpected indentation: statements in a rules file start at column 1");
                return fail(t);
            }
            lx->at_line_start = false;
        }
        int c = peek_at(lx, 0);
        if (c == ' ' || (c == '\r' && peek_at(lx, 1) != '\n')) {
            advance(lx);
            continue;
        }
        if (c == '\t') {
            ep_lex_error(lx, lx->line, lx->col, "tabs are not allowed in rules files; indent with spaces");
            return fail(t);
        }
        if (c == '#') {
            while (peek_at(lx, 0) >= 0 && peek_at(lx, 0) != '\n')
                advance(lx);
            continue;
        }
        if (c == '\\' && (peek_at(lx, 1) == '\n' || (peek_at(lx, 1) == '\r' && peek_at(lx, 2) == '\n'))) {
            advance(lx);
            if (peek_at(lx, 0) == '\r')
                advance(lx);
            advance(lx);
            continue;
        }
        if (c == '\r') { /* the \r of \r\n */
            advance(lx);
            continue;
        }
        break;
    }
    t.line = lx->line;
    t.col = lx->col;
    t.text = lx->src + lx->pos;
    int c = peek_at(lx, 0);
    if (c < 0) {
        t.kind = T_EOF;
        return t;
    }
    if (c == '\n') {
        advance(lx);
        t.text_len = 1;
        if (lx->depth > 0)
            goto restart; /* implicit line joining inside brackets */
        lx->at_line_start = true;
        t.kind = T_NEWLINE;
        return t;
    }
    if (c == '"' || c == '\'') {
        if (!lex_string(lx, &t, false, false, false))
            return fail(t);
        t.text_len = (size_t)(lx->src + lx->pos - t.text);
        return t;
    }
    if (is_ident_start(c)) {
        size_t start = lx->pos;
        while (is_ident_char(peek_at(lx, 0)))
            advance(lx);
        size_t n = lx->pos - start;
        bool raw, bytes, fstring;
        int q = peek_at(lx, 0);
        if ((q == '"' || q == '\'') && string_prefix(lx->src + start, n, &raw, &bytes, &fstring)) {
            if (!lex_string(lx, &t, raw, bytes, fstring))
                return fail(t);
        } else {
            t.kind = T_IDENT;
        }
        t.text_len = (size_t)(lx->src + lx->pos - t.text);
        return t;
    }
    if (c >= '0' && c <= '9') {
        while (is_ident_char(peek_at(lx, 0)) || peek_at(lx, 0) == '.')
            advance(lx);
        t.kind = T_NUMBER;
        t.text_len = (size_t)(lx->src + lx->pos - t.text);
        return t;
    }
    advance(lx);
    t.text_len = 1;
    switch (c) {
    case '(':
        t.kind = T_LPAREN;
        break;
    case ')':
        t.kind = T_RPAREN;
        break;
    case '[':
        t.kind = T_LBRACK;
        break;
    case ']':
        t.kind = T_RBRACK;
        break;
    case '{':
        t.kind = T_LBRACE;
        break;
    case '}':
        t.kind = T_RBRACE;
        break;
    case ',':
        t.kind = T_COMMA;
        break;
    case ';':
        t.kind = T_SEMI;
        break;
    case '=':
        t.kind = peek_at(lx, 0) == '=' ? T_OTHER : T_ASSIGN;
        break;
    default:
        t.kind = T_OTHER;
        /* Take a whole UTF-8 character so the message can quote it. */
        while (lx->pos < lx->len && ((unsigned char)lx->src[lx->pos] & 0xC0) == 0x80) {
            advance(lx);
            t.text_len++;
        }
    }
    if (t.kind == T_LPAREN || t.kind == T_LBRACK || t.kind == T_LBRACE)
        lx->depth++;
    if ((t.kind == T_RPAREN || t.kind == T_RBRACK || t.kind == T_RBRACE) && lx->depth > 0)
        lx->depth--;
    return t;
}

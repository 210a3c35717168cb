#include "patch/text.h"

#include <string.h>

uint32_t text_decode(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t at = *i;
    unsigned c = u[at];
    if (c < 0x80) {
        *i = at + 1;
        return c;
    }
    size_t need;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 2, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 3, cp = c & 0x07, min = 0x10000;
    else
        goto invalid;
    if (at + need >= len)
        goto invalid;
    for (size_t k = 1; k <= need; k++) {
        if ((u[at + k] & 0xC0) != 0x80)
            goto invalid;
        cp = (cp << 6) | (u[at + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        goto invalid;
    *i = at + need + 1;
    return cp;
invalid:
    *i = at + 1;
    return 0x110000u + c;
}

bool text_is_space(uint32_t cp)
{
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
           cp == 0x205F || cp == 0x3000;
}

void text_trim_start(const char **s, size_t *len)
{
    size_t i = 0;
    while (i < *len) {
        size_t next = i;
        if (!text_is_space(text_decode(*s, *len, &next)))
            break;
        i = next;
    }
    *s += i;
    *len -= i;
}

/* Length of the last code point ending at s[len-1], assuming valid UTF-8
 * when it looks like it; otherwise one byte. */
static size_t last_char_start(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = len - 1;
    size_t back = 0;
    while (start > 0 && back < 3 && (u[start] & 0xC0) == 0x80)
        start--, back++;
    size_t i = start;
    text_decode(s, len, &i);
    return i == len ? start : len - 1;
}

void text_trim_end(const char *s, size_t *len)
{
    while (*len > 0) {
        size_t start = last_char_start(s, *len);
        size_t i = start;
        if (!text_is_space(text_decode(s, *len, &i)))
            break;
        *len = start;
    }
}

void text_trim(const char **s, size_t *len)
{
    text_trim_start(s, len);
    text_trim_end(*s, len);
}

/* Typographic punctuation a model is likely to have typed as ASCII. */
static uint32_t fold_punctuation(uint32_t cp)
{
    switch (cp) {
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
        return '-';
    case 0x2018: case 0x2019: case 0x201A: case 0x201B:
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F:
        return '"';
    case 0x00A0: case 0x2002: case 0x2003: case 0x2004: case 0x2005: case 0x2006: case 0x2007:
    case 0x2008: case 0x2009: case 0x200A: case 0x202F: case 0x205F: case 0x3000:
        return ' ';
    default:
        return cp;
    }
}

static bool folded_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0, j = 0;
    while (i < alen && j < blen) {
        if (fold_punctuation(text_decode(a, alen, &i)) != fold_punctuation(text_decode(b, blen, &j)))
            return false;
    }
    return i == alen && j == blen;
}

bool text_lines_equal(const char *a, size_t alen, const char *b, size_t blen, enum text_match how)
{
    switch (how) {
    case TEXT_MATCH_EXACT:
        break;
    case TEXT_MATCH_TRIM_END:
        text_trim_end(a, &alen);
        text_trim_end(b, &blen);
        break;
    case TEXT_MATCH_TRIM:
        text_trim(&a, &alen);
        text_trim(&b, &blen);
        break;
    case TEXT_MATCH_PUNCTUATION:
        text_trim(&a, &alen);
        text_trim(&b, &blen);
        return folded_equal(a, alen, b, blen);
    }
    return alen == blen && memcmp(a, b, alen) == 0;
}

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

int text_check_utf8(const char *s, size_t len, struct buf *why)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = u[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t bad = 0; /* 0: incomplete at end of input */
        size_t width = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                       : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (width == 0) {
            bad = 1;
            goto fail;
        }
        if (i + 1 >= len)
            goto fail;
        unsigned c1 = u[i + 1];
        bool second_ok;
        if (width == 2)
            second_ok = is_cont((unsigned char)c1);
        else if (width == 3)
            second_ok = (c == 0xE0 && c1 >= 0xA0 && c1 <= 0xBF) ||
                        (c >= 0xE1 && c <= 0xEC && is_cont((unsigned char)c1)) ||
                        (c == 0xED && c1 >= 0x80 && c1 <= 0x9F) ||
                        (c >= 0xEE && is_cont((unsigned char)c1));
        else
            second_ok = (c == 0xF0 && c1 >= 0x90 && c1 <= 0xBF) ||
                        (c >= 0xF1 && c <= 0xF3 && is_cont((unsigned char)c1)) ||
                        (c == 0xF4 && c1 >= 0x80 && c1 <= 0x8F);
        if (!second_ok) {
            bad = 1;
            goto fail;
        }
        for (size_t k = 2; k < width; k++) {
            if (i + k >= len)
                goto fail;
            if (!is_cont(u[i + k])) {
                bad = k;
                goto fail;
            }
        }
        i += width;
        continue;
    fail:
        if (why) {
            if (bad)
                buf_printf(why, "invalid utf-8 sequence of %zu bytes from index %zu", bad, i);
            else
                buf_printf(why, "incomplete utf-8 byte sequence from index %zu", i);
        }
        return -1;
    }
    return 0;
}

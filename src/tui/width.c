#include "tui/width.h"

#include <string.h>

#include <utf8proc.h>

#include "util/buf.h"
#include "util/xalloc.h"

size_t tw_decode(const char *s, size_t len, int32_t *cp)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s,
                                          (utf8proc_ssize_t)(len > 4 ? 4 : len), &c);
    if (n <= 0) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return (size_t)n;
}

size_t tw_encode(int32_t cp, char out[4])
{
    utf8proc_ssize_t n = utf8proc_encode_char(cp, (utf8proc_uint8_t *)out);
    if (n <= 0) {
        memcpy(out, "\xEF\xBF\xBD", 3);
        return 3;
    }
    return (size_t)n;
}

static int cp_width(int32_t cp)
{
    if (cp < 0x7f)
        return cp >= 0x20 ? 1 : 0;
    return utf8proc_charwidth(cp);
}

size_t tw_next_cluster(const char *s, size_t len, int *width)
{
    unsigned char c0 = (unsigned char)s[0];
    /* ASCII followed by ASCII (or the end) is a cluster of its own: the
     * common case, without a table lookup. */
    if (c0 < 0x80 && (len == 1 || (unsigned char)s[1] < 0x80)) {
        *width = c0 >= 0x20 && c0 < 0x7f ? 1 : 0;
        return 1;
    }
    int32_t first;
    size_t n = tw_decode(s, len, &first);
    if (first == 0xFFFD && n == 1 && c0 >= 0x80) {
        *width = 1;
        return 1;
    }
    int w = cp_width(first);
    utf8proc_int32_t state = 0;
    int32_t prev = first;
    bool emoji_presentation = false;
    while (n < len) {
        int32_t cp;
        size_t m = tw_decode(s + n, len - n, &cp);
        if (utf8proc_grapheme_break_stateful(prev, cp, &state))
            break;
        if (cp == 0xFE0F)
            emoji_presentation = true;
        prev = cp;
        n += m;
    }
    if (emoji_presentation && w == 1)
        w = 2;
    *width = w;
    return n;
}

int tw_width(const char *s, size_t len)
{
    int total = 0;
    size_t i = 0;
    while (i < len) {
        int w;
        i += tw_next_cluster(s + i, len - i, &w);
        total += w;
    }
    return total;
}

int tw_strwidth(const char *s)
{
    return tw_width(s, strlen(s));
}

size_t tw_fit(const char *s, size_t len, int max_cols, int *cols)
{
    int total = 0;
    size_t i = 0;
    while (i < len) {
        int w;
        size_t n = tw_next_cluster(s + i, len - i, &w);
        if (total + w > max_cols)
            break;
        total += w;
        i += n;
    }
    if (cols)
        *cols = total;
    return i;
}

char *tw_sanitize(const char *s, size_t len, bool keep_newlines, size_t *out_len)
{
    struct buf b = BUF_INIT;
    buf_reserve(&b, len + 1);
    int col = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c == '\n') {
                buf_putc(&b, keep_newlines ? '\n' : ' ');
                col = keep_newlines ? 0 : col + 1;
            } else if (c == '\t') {
                int n = 4 - col % 4;
                for (int k = 0; k < n; k++)
                    buf_putc(&b, ' ');
                col += n;
            } else if (c == '\r') {
                /* dropped */
            } else if (c < 0x20 || c == 0x7f) {
                buf_puts(&b, "\xEF\xBF\xBD");
                col++;
            } else {
                buf_putc(&b, (char)c);
                col++;
            }
            i++;
            continue;
        }
        int32_t cp;
        size_t n = tw_decode(s + i, len - i, &cp);
        if ((cp == 0xFFFD && n == 1) || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 ||
            cp == 0x2029) {
            buf_puts(&b, "\xEF\xBF\xBD");
            col++;
        } else {
            buf_append(&b, s + i, n);
            col += cp_width(cp);
        }
        i += n;
    }
    buf_append(&b, "", 0); /* terminated even when empty */
    return buf_detach(&b, out_len);
}

char *tw_cut(const char *s, size_t max)
{
    size_t len = strlen(s), at = 0, n = 0, keep = 0;
    while (at < len) {
        int w;
        if (n == (max >= 3 ? max - 3 : 0))
            keep = at;
        at += tw_next_cluster(s + at, len - at, &w);
        if (++n > max)
            break;
    }
    char *out = xmalloc(n > max ? keep + 4 : len + 1);
    if (n > max) {
        memcpy(out, s, keep);
        memcpy(out + keep, "...", 4);
    } else {
        memcpy(out, s, len + 1);
    }
    return out;
}

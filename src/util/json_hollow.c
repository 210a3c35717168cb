#include "util/json_hollow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_compact.h"
#include "util/xalloc.h"

/* The marker that opens and closes a placeholder, as jansson writes it. */
static const char marker[] = "\\u0001";
#define MARKER_LEN (sizeof marker - 1)

/* The closing quote of the string whose text starts at p: the first quote
 * not escaped (text that passed json_compact_check has only whole
 * escapes, so an even run of backslashes before a quote escapes nothing). */
static const char *string_end(const char *p, const char *end)
{
    for (const char *q = p; q < end;) {
        const char *quote = memchr(q, '"', (size_t)(end - q));
        if (!quote)
            return NULL;
        size_t slashes = 0;
        while (quote - slashes > p && quote[-1 - (ptrdiff_t)slashes] == '\\')
            slashes++;
        if (slashes % 2 == 0)
            return quote;
        q = quote + 1;
    }
    return NULL;
}

bool json_hollow_take(struct json_hollow *h, const char *text, size_t len, const char *key,
                      size_t min)
{
    if (memmem(text, len, marker, MARKER_LEN)) {
        h->poisoned = true; /* its own markers would read as placeholders */
        return false;
    }
    /* "key":" in compact text is only ever a member: a quote inside a
     * string is escaped. */
    char pattern[128];
    int plen = snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    if (plen < 0 || (size_t)plen >= sizeof pattern)
        return false;
    const char *end = text + len, *copied = text;
    if (!memmem(text, len, pattern, (size_t)plen) || !json_compact_check(text, len, NULL, NULL, NULL))
        return false;
    size_t first = h->n;
    h->text.len = 0;
    for (const char *at = text; (at = memmem(at, (size_t)(end - at), pattern, (size_t)plen));) {
        const char *s = at + plen, *close = string_end(s, end);
        if (!close)
            break;
        at = close + 1;
        if ((size_t)(close - s) < min)
            continue;
        if (h->n == h->cap) {
            h->cap = h->cap ? h->cap * 2 : 16;
            h->v = xrealloc(h->v, h->cap * sizeof *h->v);
        }
        h->v[h->n++] = (struct json_hollow_string){h->raw.len, (size_t)(close - s)};
        buf_append(&h->raw, s, (size_t)(close - s));
        buf_append(&h->text, copied, (size_t)(s - copied));
        buf_printf(&h->text, "%s%zu%s", marker, h->n - 1, marker);
        copied = close;
    }
    if (h->n == first)
        return false;
    buf_append(&h->text, copied, (size_t)(end - copied));
    return true;
}

char *json_hollow_fill(const struct json_hollow *h, const char *text, size_t len,
                       size_t *out_len)
{
    if (h->poisoned)
        return NULL;
    unsigned char *seen = xcalloc(h->n ? h->n : 1, 1);
    struct buf out = BUF_INIT;
    size_t total = h->raw.len + len, found = 0;
    buf_reserve(&out, total);
    const char *end = text + len, *copied = text;
    bool ok = true;
    for (const char *at = text; ok && (at = memmem(at, (size_t)(end - at), marker, MARKER_LEN));) {
        const char *digits = at + MARKER_LEN, *p = digits;
        size_t k = 0;
        while (p < end && *p >= '0' && *p <= '9' && p - digits < 18)
            k = k * 10 + (size_t)(*p++ - '0');
        if (p == digits || k >= h->n || seen[k] || (size_t)(end - p) < MARKER_LEN ||
            memcmp(p, marker, MARKER_LEN) != 0) {
            ok = false;
            break;
        }
        seen[k] = 1;
        found++;
        buf_append(&out, copied, (size_t)(at - copied));
        buf_append(&out, h->raw.data + h->v[k].off, h->v[k].len);
        at = copied = p + MARKER_LEN;
    }
    free(seen);
    if (!ok || found != h->n) {
        buf_free(&out);
        return NULL;
    }
    buf_append(&out, copied, (size_t)(end - copied));
    return buf_detach(&out, out_len);
}

void json_hollow_clear(struct json_hollow *h)
{
    h->raw.len = 0;
    h->n = 0;
    h->text.len = 0;
    h->poisoned = false;
}

void json_hollow_free(struct json_hollow *h)
{
    buf_free(&h->raw);
    buf_free(&h->text);
    free(h->v);
    memset(h, 0, sizeof *h);
}

#include "tui/text.h"

#include <stdlib.h>
#include <string.h>

#include "tui/width.h"
#include "util/xalloc.h"

void tline_init(struct tline *l)
{
    memset(l, 0, sizeof *l);
}

void tline_free(struct tline *l)
{
    free(l->text);
    free(l->spans);
    memset(l, 0, sizeof *l);
}

void tline_reset(struct tline *l)
{
    l->len = 0;
    l->n = 0;
    l->has_fill = false;
    l->fill = TSTYLE_PLAIN;
}

void tline_add(struct tline *l, const char *s, size_t len, struct tstyle st)
{
    if (len == 0)
        return;
    if (l->len + len + 1 > l->cap) {
        size_t cap = l->cap ? l->cap : 32;
        while (cap < l->len + len + 1)
            cap *= 2;
        l->text = xrealloc(l->text, cap);
        l->cap = (uint32_t)cap;
    }
    memcpy(l->text + l->len, s, len);
    if (l->n > 0 && tstyle_eq(l->spans[l->n - 1].style, st) &&
        l->spans[l->n - 1].off + l->spans[l->n - 1].len == l->len) {
        l->spans[l->n - 1].len += (uint32_t)len;
    } else {
        if (l->n == l->ncap) {
            l->ncap = l->ncap ? l->ncap * 2 : 4;
            l->spans = xrealloc(l->spans, l->ncap * sizeof *l->spans);
        }
        l->spans[l->n++] = (struct tspan){l->len, (uint32_t)len, st};
    }
    l->len += (uint32_t)len;
    l->text[l->len] = '\0';
}

void tline_adds(struct tline *l, const char *s, struct tstyle st)
{
    tline_add(l, s, strlen(s), st);
}

void tline_append(struct tline *l, const struct tline *src)
{
    for (uint32_t i = 0; i < src->n; i++)
        tline_add(l, src->text + src->spans[i].off, src->spans[i].len, src->spans[i].style);
}

void tline_copy(struct tline *dst, const struct tline *src)
{
    tline_reset(dst);
    tline_append(dst, src);
    dst->fill = src->fill;
    dst->has_fill = src->has_fill;
}

int tline_width(const struct tline *l)
{
    return tw_width(l->text ? l->text : "", l->len);
}

void tline_set_bg(struct tline *l, tcolor bg)
{
    for (uint32_t i = 0; i < l->n; i++)
        l->spans[i].style.bg = bg;
    l->fill.bg = bg;
    l->has_fill = true;
}

void tline_add_attrs(struct tline *l, uint16_t attrs)
{
    for (uint32_t i = 0; i < l->n; i++)
        l->spans[i].style.attrs |= attrs;
}

void tlines_init(struct tlines *ls)
{
    memset(ls, 0, sizeof *ls);
}

void tlines_clear(struct tlines *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        tline_free(&ls->v[i]);
    ls->n = 0;
}

void tlines_free(struct tlines *ls)
{
    tlines_clear(ls);
    free(ls->v);
    memset(ls, 0, sizeof *ls);
}

struct tline *tlines_push(struct tlines *ls)
{
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 8;
        ls->v = xrealloc(ls->v, ls->cap * sizeof *ls->v);
    }
    struct tline *l = &ls->v[ls->n++];
    tline_init(l);
    return l;
}

void tlines_take(struct tlines *dst, struct tlines *src)
{
    for (size_t i = 0; i < src->n; i++) {
        struct tline *l = tlines_push(dst);
        *l = src->v[i];
    }
    src->n = 0;
}

void tlines_push_copy(struct tlines *dst, const struct tline *src)
{
    tline_copy(tlines_push(dst), src);
}

void tlines_truncate(struct tlines *ls, size_t n)
{
    while (ls->n > n)
        tline_free(&ls->v[--ls->n]);
}

/* Copy src's text [a, b) with its styles onto the end of dst. */
static void copy_range(struct tline *dst, const struct tline *src, size_t a, size_t b)
{
    for (uint32_t i = 0; i < src->n && a < b; i++) {
        size_t s0 = src->spans[i].off, s1 = s0 + src->spans[i].len;
        if (s1 <= a || s0 >= b)
            continue;
        size_t from = a > s0 ? a : s0, to = b < s1 ? b : s1;
        tline_add(dst, src->text + from, to - from, src->spans[i].style);
    }
}

static struct tline *start_row(struct tlines *out, const struct tline *prefix,
                               const struct tline *src)
{
    struct tline *row = tlines_push(out);
    if (prefix)
        tline_append(row, prefix);
    row->fill = src->fill;
    row->has_fill = src->has_fill;
    return row;
}

void tline_wrap(const struct tline *src, int width, const struct tline *first,
                const struct tline *rest, struct tlines *out)
{
    const char *t = src->text ? src->text : "";
    size_t len = src->len, pos = 0;
    const struct tline *prefix = first;
    bool first_row = true;
    while (first_row || pos < len) {
        int pw = prefix ? tline_width(prefix) : 0;
        int avail = width - pw;
        if (avail < 1)
            avail = 1;
        /* Spaces where a row was broken are not carried to the next row. */
        if (!first_row)
            while (pos < len && t[pos] == ' ')
                pos++;
        if (!first_row && pos >= len)
            break;
        size_t i = pos, brk = 0, brk_next = 0;
        int cols = 0;
        bool fits = true;
        while (i < len) {
            int w;
            size_t n = tw_next_cluster(t + i, len - i, &w);
            if (cols + w > avail) {
                fits = false;
                /* A space right at the edge is as good a break as any. */
                if (t[i] == ' ' && i > pos && t[i - 1] != ' ') {
                    brk = i;
                    brk_next = i + n;
                }
                break;
            }
            if (t[i] == ' ') {
                if (i > pos && t[i - 1] != ' ')
                    brk = i;
                brk_next = i + n;
            }
            cols += w;
            i += n;
        }
        size_t row_start = pos, end;
        if (fits) {
            end = len;
            pos = len;
        } else if (brk > pos) {
            end = brk;
            pos = brk_next;
        } else if (i > pos) {
            end = i; /* a word wider than the row: cut it */
            pos = i;
        } else {
            /* Not even one cluster fits (a wide one in a one-column row). */
            int w;
            end = pos + tw_next_cluster(t + pos, len - pos, &w);
            pos = end;
        }
        struct tline *row = start_row(out, prefix, src);
        copy_range(row, src, row_start, end);
        first_row = false;
        prefix = rest;
    }
}

void tline_truncate(struct tline *l, int width)
{
    if (tline_width(l) <= width)
        return;
    int ell = width > 0 ? 1 : 0;
    int cols;
    size_t keep = tw_fit(l->text, l->len, width - ell, &cols);
    struct tstyle last = l->n ? l->spans[0].style : TSTYLE_PLAIN;
    uint32_t n = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        struct tspan *sp = &l->spans[i];
        if (sp->off >= keep)
            break;
        if (sp->off + sp->len > keep)
            sp->len = (uint32_t)(keep - sp->off);
        last = sp->style;
        n = i + 1;
    }
    l->n = n;
    l->len = (uint32_t)keep;
    if (l->text)
        l->text[l->len] = '\0';
    if (ell)
        tline_add(l, "\xE2\x80\xA6", 3, last);
}

void tline_draw(const struct tline *l, struct tgrid *g, int x, int y, int max_x)
{
    int cx = x;
    for (uint32_t i = 0; i < l->n && cx < max_x; i++)
        cx = tgrid_put(g, cx, y, max_x, l->text + l->spans[i].off, l->spans[i].len,
                       l->spans[i].style);
    if (l->has_fill && cx < max_x)
        tgrid_fill(g, cx, y, max_x - cx, 1, l->fill);
}

char *tline_text(const struct tline *l)
{
    return xstrndup(l->text ? l->text : "", l->len);
}

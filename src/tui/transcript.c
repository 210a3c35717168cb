#include "tui/transcript.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void transcript_init(struct transcript *t)
{
    memset(t, 0, sizeof *t);
}

void transcript_clear(struct transcript *t)
{
    for (size_t i = 0; i < t->n; i++)
        cell_free(t->v[i]);
    t->n = 0;
}

void transcript_free(struct transcript *t)
{
    transcript_clear(t);
    free(t->v);
    memset(t, 0, sizeof *t);
}

void transcript_push(struct transcript *t, struct cell *c)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = c;
}

void transcript_remove(struct transcript *t, size_t i)
{
    if (i >= t->n)
        return;
    cell_free(t->v[i]);
    memmove(t->v + i, t->v + i + 1, (t->n - i - 1) * sizeof *t->v);
    t->n--;
}

struct cell *transcript_last(const struct transcript *t)
{
    return t->n ? t->v[t->n - 1] : NULL;
}

struct cell *transcript_find(const struct transcript *t, const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = t->n; i-- > 0;)
        if (t->v[i]->id && strcmp(t->v[i]->id, id) == 0)
            return t->v[i];
    return NULL;
}

int transcript_window(struct transcript *t, size_t from, size_t to, const struct cell_ctx *ctx,
                      long skip, int h, bool trailing_blank, struct trow *out, bool *above,
                      long *skip_used)
{
    /* Walk up from the bottom, filling out[] from its end. */
    int filled = 0;
    long skipped = 0;
    *above = false;
    bool need_blank = trailing_blank;
    bool done = false;
    for (size_t i = to; i-- > from && !done;) {
        struct cell *c = t->v[i];
        if (!cell_visible(c, ctx))
            continue;
        cell_layout(c, ctx);
        if (c->rows.n == 0)
            continue;
        if (need_blank) {
            if (skipped < skip) {
                skipped++;
            } else if (filled < h) {
                out[h - 1 - filled] = (struct trow){(long)i, -1};
                filled++;
            } else {
                *above = true;
                done = true;
                break;
            }
        }
        need_blank = true;
        for (size_t r = c->rows.n; r-- > 0;) {
            if (skipped < skip) {
                skipped++;
                continue;
            }
            if (filled >= h) {
                *above = true;
                done = true;
                break;
            }
            out[h - 1 - filled] = (struct trow){(long)i, (long)r};
            filled++;
        }
    }
    if (filled < h && !*above) {
        /* Shorter than the window: move what we have to the top. */
        memmove(out, out + (h - filled), (size_t)filled * sizeof *out);
    } else if (filled < h) {
        memmove(out, out + (h - filled), (size_t)filled * sizeof *out);
    }
    *skip_used = skipped;
    return filled;
}

void transcript_draw_rows(struct transcript *t, const struct trow *rows, int n, struct tgrid *g,
                          int y)
{
    for (int k = 0; k < n; k++) {
        if (rows[k].row < 0)
            continue;
        cell_draw_row(t->v[rows[k].cell], (size_t)rows[k].row, g, 0, y + k, g->w);
    }
}

long transcript_height(struct transcript *t, size_t from, size_t to, const struct cell_ctx *ctx,
                       bool trailing_blank)
{
    long total = 0;
    bool any = false;
    for (size_t i = from; i < to; i++) {
        struct cell *c = t->v[i];
        if (!cell_visible(c, ctx))
            continue;
        cell_layout(c, ctx);
        if (c->rows.n == 0)
            continue;
        if (any)
            total++;
        total += (long)c->rows.n;
        any = true;
    }
    if (any && trailing_blank)
        total++;
    return total;
}

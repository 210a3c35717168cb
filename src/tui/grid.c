#include "tui/grid.h"

#include <stdlib.h>
#include <string.h>

#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

static void blank(struct tcell *c, struct tstyle st)
{
    c->ch[0] = ' ';
    c->len = 1;
    c->style = st;
}

void tgrid_init(struct tgrid *g, int w, int h)
{
    g->w = g->h = 0;
    g->cells = NULL;
    tgrid_resize(g, w, h);
}

void tgrid_free(struct tgrid *g)
{
    free(g->cells);
    g->cells = NULL;
    g->w = g->h = 0;
}

void tgrid_resize(struct tgrid *g, int w, int h)
{
    if (w < 0)
        w = 0;
    if (h < 0)
        h = 0;
    if ((size_t)w * (size_t)h != (size_t)g->w * (size_t)g->h || !g->cells) {
        free(g->cells);
        g->cells = xmalloc(((size_t)w * (size_t)h + 1) * sizeof *g->cells);
    }
    g->w = w;
    g->h = h;
    tgrid_clear(g);
}

void tgrid_clear(struct tgrid *g)
{
    size_t n = (size_t)g->w * (size_t)g->h;
    for (size_t i = 0; i < n; i++)
        blank(&g->cells[i], TSTYLE_PLAIN);
}

void tgrid_fill(struct tgrid *g, int x, int y, int w, int h, struct tstyle st)
{
    int x1 = x + w > g->w ? g->w : x + w, y1 = y + h > g->h ? g->h : y + h;
    if (x < 0)
        x = 0;
    if (y < 0)
        y = 0;
    for (int r = y; r < y1; r++)
        for (int c = x; c < x1; c++)
            blank(tgrid_at(g, c, r), st);
}

/* Before overwriting cell x of a row, keep wide clusters whole: a wide
 * cluster cut in half becomes a space. */
static void break_wide(struct tgrid *g, int x, int y)
{
    struct tcell *c = tgrid_at(g, x, y);
    if (c->len == 0 && x > 0)
        blank(tgrid_at(g, x - 1, y), tgrid_at(g, x - 1, y)->style);
    if (c->len > 0 && x + 1 < g->w && tgrid_at(g, x + 1, y)->len == 0)
        blank(tgrid_at(g, x + 1, y), c->style);
}

int tgrid_put(struct tgrid *g, int x, int y, int max_x, const char *text, size_t len,
              struct tstyle st)
{
    if (y < 0 || y >= g->h)
        return x;
    if (max_x > g->w)
        max_x = g->w;
    size_t i = 0;
    while (i < len && x < max_x) {
        int w;
        size_t n = tw_next_cluster(text + i, len - i, &w);
        const char *cl = text + i;
        i += n;
        unsigned char c0 = (unsigned char)cl[0];
        if (w == 0) {
            /* Control characters must never reach the terminal; other
             * zero-width clusters (a lone combining mark) are dropped. */
            if (c0 < 0x20 || c0 == 0x7f) {
                cl = "\xEF\xBF\xBD";
                n = 3;
                w = 1;
            } else {
                continue;
            }
        }
        if (x < 0) {
            x += w;
            continue;
        }
        if (x + w > max_x) {
            /* A wide cluster at the edge: pad instead of splitting it. */
            break_wide(g, x, y);
            blank(tgrid_at(g, x, y), st);
            x++;
            break;
        }
        if (n > TCELL_MAX_BYTES) {
            /* Longer clusters (long emoji sequences) keep their first code
             * point, which carries the width. */
            int32_t cp;
            n = tw_decode(cl, n, &cp);
        }
        break_wide(g, x, y);
        struct tcell *c = tgrid_at(g, x, y);
        memcpy(c->ch, cl, n);
        c->len = (uint8_t)n;
        c->style = st;
        if (w == 2) {
            break_wide(g, x + 1, y);
            struct tcell *r = tgrid_at(g, x + 1, y);
            r->len = 0;
            r->style = st;
        }
        x += w;
    }
    return x;
}

int tgrid_puts(struct tgrid *g, int x, int y, int max_x, const char *text, struct tstyle st)
{
    return tgrid_put(g, x, y, max_x, text, strlen(text), st);
}

void tgrid_restyle(struct tgrid *g, int x, int y, int w, struct tstyle st, bool keep_fg)
{
    if (y < 0 || y >= g->h)
        return;
    for (int c = x < 0 ? 0 : x; c < x + w && c < g->w; c++) {
        struct tcell *cell = tgrid_at(g, c, y);
        tcolor fg = cell->style.fg;
        uint16_t attrs = cell->style.attrs;
        cell->style = st;
        if (keep_fg) {
            cell->style.fg = fg;
            cell->style.attrs |= attrs;
        }
    }
}

bool tcell_eq(const struct tcell *a, const struct tcell *b)
{
    return a->len == b->len && tstyle_eq(a->style, b->style) && memcmp(a->ch, b->ch, a->len) == 0;
}

bool tcell_blank(const struct tcell *c)
{
    return c->len == 1 && c->ch[0] == ' ' && c->style.bg == TC_DEFAULT &&
           !(c->style.attrs & (TA_REVERSE | TA_UNDERLINE | TA_STRIKE));
}

char *tgrid_row_text(const struct tgrid *g, int y)
{
    struct buf b = BUF_INIT;
    for (int x = 0; x < g->w; x++) {
        const struct tcell *c = &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
        if (c->len)
            buf_append(&b, c->ch, c->len);
    }
    size_t n = b.len;
    while (n > 0 && b.data[n - 1] == ' ')
        n--;
    buf_truncate(&b, n);
    return buf_detach(&b, NULL);
}

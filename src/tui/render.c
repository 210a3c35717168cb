#include "tui/render.h"

#include <string.h>

#include "tui/color.h"

#define SYNC_BEGIN "\x1b[?2026h"
#define SYNC_END "\x1b[?2026l"
#define CURSOR_HIDE "\x1b[?25l"
#define CURSOR_SHOW "\x1b[?25h"

void trender_init(struct trender *r, enum tcolor_depth depth, bool inline_mode, int screen_w,
                  int screen_h)
{
    memset(r, 0, sizeof *r);
    r->depth = depth;
    r->inline_mode = inline_mode;
    r->screen_w = screen_w;
    r->screen_h = screen_h;
    tgrid_init(&r->prev, 0, 0);
    r->cur_x = r->cur_y = -1;
    r->cursor_shown = true;
    r->last_cx = r->last_cy = -2;
}

void trender_free(struct trender *r)
{
    tgrid_free(&r->prev);
}

void trender_invalidate(struct trender *r)
{
    r->prev_valid = false;
    r->cur_x = r->cur_y = -1;
}

void trender_resize(struct trender *r, int screen_w, int screen_h)
{
    r->screen_w = screen_w;
    r->screen_h = screen_h;
    if (r->top >= screen_h)
        r->top = screen_h > 0 ? screen_h - 1 : 0;
    trender_invalidate(r);
}

void trender_set_top(struct trender *r, int top)
{
    if (top < 0)
        top = 0;
    if (r->screen_h > 0 && top >= r->screen_h)
        top = r->screen_h - 1;
    r->top = top;
    trender_invalidate(r);
}

static void move_to(struct trender *r, struct buf *out, int x, int y)
{
    if (r->cur_x == x && r->cur_y == y)
        return;
    if (x == 0 && r->cur_y == y)
        buf_putc(out, '\r');
    else
        buf_printf(out, "\x1b[%d;%dH", y + 1, x + 1);
    r->cur_x = x;
    r->cur_y = y;
}

static struct tstyle reduce(const struct trender *r, struct tstyle st)
{
    st.fg = tcolor_reduce(st.fg, r->depth);
    st.bg = tcolor_reduce(st.bg, r->depth);
    return st;
}

static void set_style(struct trender *r, struct buf *out, struct tstyle st)
{
    st = reduce(r, st);
    tcolor_sgr_change(out, r->cur_style, st);
    r->cur_style = st;
}

static void put_cell(struct trender *r, struct buf *out, const struct tcell *c, int w)
{
    set_style(r, out, c->style);
    buf_append(out, c->ch, c->len);
    r->cur_x += w;
    /* At the right margin the terminal waits to wrap: its position is not
     * where the arithmetic says, so the next write moves explicitly. */
    if (r->cur_x >= r->screen_w)
        r->cur_x = r->cur_y = -1;
}

static int cell_width(const struct tgrid *g, int x, int y)
{
    return x + 1 < g->w && g->cells[(size_t)y * g->w + x + 1].len == 0 ? 2 : 1;
}

static int last_nonblank(const struct tgrid *g, int y)
{
    for (int x = g->w - 1; x >= 0; x--) {
        const struct tcell *c = &g->cells[(size_t)y * g->w + x];
        if (!tcell_blank(c))
            return x + (c->len == 0 ? 0 : cell_width(g, x, y) - 1);
    }
    return -1;
}

static void begin(struct trender *r, struct buf *out, bool *begun)
{
    if (*begun)
        return;
    *begun = true;
    buf_puts(out, SYNC_BEGIN);
    if (r->cursor_shown) {
        buf_puts(out, CURSOR_HIDE);
        r->cursor_shown = false;
    }
}

/* Clear the viewport's rows (and everything below, in inline mode). */
static void clear_viewport(struct trender *r, struct buf *out, int w, int h)
{
    set_style(r, out, TSTYLE_PLAIN);
    if (r->inline_mode) {
        move_to(r, out, 0, r->top);
        buf_puts(out, "\x1b[J");
    } else {
        buf_puts(out, "\x1b[H\x1b[2J");
        r->cur_x = r->cur_y = 0;
    }
    tgrid_resize(&r->prev, w, h);
    r->prev_valid = true;
}

/* Inline: make room below the viewport's top for h rows, scrolling the
 * screen (into the scrollback) when the viewport would pass the bottom. */
static void fit_viewport(struct trender *r, struct buf *out, int h)
{
    int over = r->top + h - r->screen_h;
    if (over <= 0)
        return;
    set_style(r, out, TSTYLE_PLAIN);
    move_to(r, out, 0, r->screen_h - 1);
    for (int i = 0; i < over; i++)
        buf_putc(out, '\n');
    r->top -= over;
    if (r->top < 0)
        r->top = 0;
}

void trender_frame(struct trender *r, const struct tgrid *next, int cx, int cy, struct buf *out)
{
    bool begun = false;
    int h = next->h, w = next->w;
    if (!r->prev_valid || r->prev.w != w || r->prev.h != h) {
        begin(r, out, &begun);
        if (r->inline_mode)
            fit_viewport(r, out, h);
        clear_viewport(r, out, w, h);
    }
    for (int y = 0; y < h; y++) {
        const struct tcell *nrow = &next->cells[(size_t)y * w];
        struct tcell *prow = &r->prev.cells[(size_t)y * w];
        int ln = last_nonblank(next, y);
        int lp = last_nonblank(&r->prev, y);
        int sy = r->top + y;
        for (int x = 0; x <= ln; x++) {
            if (nrow[x].len == 0) {
                /* The right half of a wide cluster: written with its left
                 * half; a stray one (cut by a later write) is a space. */
                if (x == 0 || nrow[x - 1].len == 0) {
                    if (prow[x].len == 1 && prow[x].ch[0] == ' ' &&
                        tstyle_eq(prow[x].style, nrow[x].style))
                        continue;
                    begin(r, out, &begun);
                    move_to(r, out, x, sy);
                    struct tcell sp = {.ch = " ", .len = 1, .style = nrow[x].style};
                    put_cell(r, out, &sp, 1);
                    prow[x] = sp;
                }
                continue;
            }
            int cw = cell_width(next, x, y);
            bool same = tcell_eq(&nrow[x], &prow[x]) &&
                        (cw == 1 || tcell_eq(&nrow[x + 1], &prow[x + 1]));
            /* A wide cell in the old frame that this one only half
             * overwrites must be redrawn too. */
            if (same && cw == 1 && x + 1 < w && prow[x + 1].len == 0 && nrow[x + 1].len != 0)
                same = false;
            if (same)
                continue;
            begin(r, out, &begun);
            move_to(r, out, x, sy);
            put_cell(r, out, &nrow[x], cw);
            prow[x] = nrow[x];
            if (cw == 2)
                prow[x + 1] = nrow[x + 1];
        }
        if (lp > ln) {
            begin(r, out, &begun);
            move_to(r, out, ln + 1, sy);
            set_style(r, out, TSTYLE_PLAIN);
            buf_puts(out, "\x1b[K");
            for (int x = ln + 1; x < w; x++) {
                prow[x].ch[0] = ' ';
                prow[x].len = 1;
                prow[x].style = TSTYLE_PLAIN;
            }
        }
    }
    bool cursor_moved = cx != r->last_cx || cy != r->last_cy;
    if (!begun && !cursor_moved && (cx < 0) == !r->cursor_shown)
        return;
    begin(r, out, &begun);
    set_style(r, out, TSTYLE_PLAIN);
    if (cx >= 0 && cy >= 0 && cy < h) {
        move_to(r, out, cx < r->screen_w ? cx : r->screen_w - 1, r->top + cy);
        buf_puts(out, CURSOR_SHOW);
        r->cursor_shown = true;
    }
    r->last_cx = cx;
    r->last_cy = cy;
    buf_puts(out, SYNC_END);
}

void trender_insert_above(struct trender *r, const struct tgrid *lines, int n_rows,
                          struct buf *out)
{
    if (n_rows <= 0 || !r->inline_mode)
        return;
    bool begun = false;
    begin(r, out, &begun);
    set_style(r, out, TSTYLE_PLAIN);
    /* The new lines take the viewport's place; the viewport is drawn again
     * below them.  Lines that reach the bottom scroll the whole screen, which
     * is what moves the top lines into the terminal's scrollback. */
    move_to(r, out, 0, r->top);
    buf_puts(out, "\x1b[J");
    int row = r->top;
    for (int y = 0; y < n_rows && y < lines->h; y++) {
        if (y > 0) {
            set_style(r, out, TSTYLE_PLAIN);
            buf_puts(out, "\r\n");
            if (row < r->screen_h - 1)
                row++;
        }
        r->cur_x = 0;
        r->cur_y = row;
        int ln = last_nonblank(lines, y);
        for (int x = 0; x <= ln; x++) {
            const struct tcell *c = &lines->cells[(size_t)y * lines->w + x];
            if (c->len == 0)
                continue;
            int cw = cell_width(lines, x, y);
            if (x >= r->screen_w)
                break;
            put_cell(r, out, c, cw);
        }
    }
    set_style(r, out, TSTYLE_PLAIN);
    buf_puts(out, "\r\n");
    if (row < r->screen_h - 1)
        row++;
    r->top = row;
    r->cur_x = 0;
    r->cur_y = row;
    /* Whatever the viewport showed is gone: redraw it in full. */
    r->prev_valid = false;
    tgrid_resize(&r->prev, 0, 0);
}

void trender_erase_viewport(struct trender *r, struct buf *out)
{
    set_style(r, out, TSTYLE_PLAIN);
    if (r->inline_mode) {
        move_to(r, out, 0, r->top);
        buf_puts(out, "\x1b[J");
    } else {
        buf_puts(out, "\x1b[H\x1b[2J");
        r->cur_x = r->cur_y = 0;
    }
    if (!r->cursor_shown) {
        buf_puts(out, CURSOR_SHOW);
        r->cursor_shown = true;
    }
    trender_invalidate(r);
}

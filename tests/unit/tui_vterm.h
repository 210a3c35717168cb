/* A real terminal emulator (libvterm) for the TUI unit tests: feed it the
 * bytes the renderer wrote, then read back the screen, colours, cursor and
 * the lines that scrolled into the scrollback. */
#ifndef CODEX_TESTS_TUI_VTERM_H
#define CODEX_TESTS_TUI_VTERM_H

#include <stdlib.h>
#include <string.h>

#include <vterm.h>

#include "tui/width.h"
#include "util/buf.h"
#include "util/strvec.h"
#include "util/xalloc.h"

struct vt {
    VTerm *vt;
    VTermScreen *screen;
    int rows, cols;
    struct strvec scrollback; /* lines pushed off the top, oldest first */
    struct buf replies;       /* what the terminal answered (CPR ...) */
};

static inline void vt_cells_text(const VTermScreenCell *cells, int cols, struct buf *b)
{
    for (int c = 0; c < cols; c++) {
        const VTermScreenCell *cell = &cells[c];
        if (cell->chars[0] == 0) {
            if (cell->width != 0)
                buf_putc(b, ' ');
            continue;
        }
        for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && cell->chars[k]; k++) {
            char u[4];
            buf_append(b, u, tw_encode((int32_t)cell->chars[k], u));
        }
        if (cell->width == 2)
            c++;
    }
    while (b->len > 0 && b->data[b->len - 1] == ' ')
        buf_truncate(b, b->len - 1);
}

static inline int vt_pushline(int cols, const VTermScreenCell *cells, void *user)
{
    struct vt *v = user;
    struct buf b = BUF_INIT;
    vt_cells_text(cells, cols, &b);
    strvec_push_owned(&v->scrollback, buf_detach(&b, NULL));
    return 1;
}

static inline void vt_output(const char *s, size_t len, void *user)
{
    struct vt *v = user;
    buf_append(&v->replies, s, len);
}

static const VTermScreenCallbacks vt_callbacks = {.sb_pushline = vt_pushline};

static inline void vt_open(struct vt *v, int rows, int cols)
{
    memset(v, 0, sizeof *v);
    v->rows = rows;
    v->cols = cols;
    v->vt = vterm_new(rows, cols);
    vterm_set_utf8(v->vt, 1);
    vterm_output_set_callback(v->vt, vt_output, v);
    v->screen = vterm_obtain_screen(v->vt);
    vterm_screen_set_callbacks(v->screen, &vt_callbacks, v);
    vterm_screen_enable_altscreen(v->screen, 1);
    vterm_screen_reset(v->screen, 1);
}

static inline void vt_close(struct vt *v)
{
    vterm_free(v->vt);
    strvec_free(&v->scrollback);
    buf_free(&v->replies);
}

static inline void vt_feed(struct vt *v, const char *data, size_t len)
{
    vterm_input_write(v->vt, data, len);
}

static inline void vt_feed_buf(struct vt *v, struct buf *b)
{
    vt_feed(v, b->data ? b->data : "", b->len);
    buf_truncate(b, 0);
}

/* Row r as text without trailing spaces (caller frees). */
static inline char *vt_row(struct vt *v, int r)
{
    VTermScreenCell *cells = xcalloc((size_t)v->cols, sizeof *cells);
    for (int c = 0; c < v->cols; c++)
        vterm_screen_get_cell(v->screen, (VTermPos){.row = r, .col = c}, &cells[c]);
    struct buf b = BUF_INIT;
    vt_cells_text(cells, v->cols, &b);
    free(cells);
    return buf_detach(&b, NULL);
}

static inline VTermScreenCell vt_cell(struct vt *v, int r, int c)
{
    VTermScreenCell cell;
    vterm_screen_get_cell(v->screen, (VTermPos){.row = r, .col = c}, &cell);
    return cell;
}

static inline VTermPos vt_cursor(struct vt *v)
{
    VTermPos pos;
    vterm_state_get_cursorpos(vterm_obtain_state(v->vt), &pos);
    return pos;
}

#endif

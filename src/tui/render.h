/* The renderer: turns a frame (a tgrid) into the bytes that make the
 * terminal show it, sending only the cells that changed since the previous
 * frame, inside synchronized output (CSI ?2026h/l) with the cursor hidden
 * while drawing.
 *
 * The frame covers a viewport: the whole screen in fullscreen mode, or some
 * rows below the shell prompt in inline mode.  In inline mode finished
 * lines are inserted above the viewport and scroll into the terminal's own
 * scrollback; only the viewport is ever redrawn. */
#ifndef CODEX_TUI_RENDER_H
#define CODEX_TUI_RENDER_H

#include <stdbool.h>

#include "tui/grid.h"
#include "tui/style.h"
#include "util/buf.h"

struct trender {
    enum tcolor_depth depth;
    bool inline_mode;
    int screen_w, screen_h;
    int top; /* first screen row of the viewport */
    struct tgrid prev; /* what the viewport shows now */
    bool prev_valid;
    /* Where the terminal's cursor is (-1: unknown) and its current SGR. */
    int cur_x, cur_y;
    struct tstyle cur_style;
    bool cursor_shown;
    int last_cx, last_cy; /* the visible cursor of the last frame */
};

void trender_init(struct trender *r, enum tcolor_depth depth, bool inline_mode, int screen_w,
                  int screen_h);
void trender_free(struct trender *r);

/* The terminal changed size: the next frame redraws everything. */
void trender_resize(struct trender *r, int screen_w, int screen_h);
/* Inline mode: the viewport starts at this screen row (0-based), e.g. the
 * row the cursor was on at start. */
void trender_set_top(struct trender *r, int top);
/* Forget what the terminal shows (after Ctrl-L, a resume from SIGTSTP, or
 * output written by someone else); the next frame clears and redraws. */
void trender_invalidate(struct trender *r);

/* Append to out the bytes that show `next` in the viewport, with the text
 * cursor at (cx, cy) of the viewport, or hidden when cx < 0.  In inline mode
 * next->h is the viewport height (at most the screen height); in fullscreen
 * mode next is the whole screen.  Appends nothing when nothing changed. */
void trender_frame(struct trender *r, const struct tgrid *next, int cx, int cy, struct buf *out);

/* Inline mode: insert the rows of `lines` (a grid as wide as the screen)
 * above the viewport, so they scroll into the terminal's scrollback exactly
 * once.  The viewport is redrawn by the next trender_frame. */
void trender_insert_above(struct trender *r, const struct tgrid *lines, int n_rows,
                          struct buf *out);

/* Erase the viewport and leave the cursor at its first row (inline exit),
 * or clear the screen (fullscreen). */
void trender_erase_viewport(struct trender *r, struct buf *out);

#endif

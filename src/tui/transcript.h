/* The transcript: the thread's cells in order, and drawing any window of
 * their rows.  Rows come from each cell's cached layout, so a frame costs
 * the rows it shows (plus the cells scrolled past), not the transcript's
 * length. */
#ifndef CODEX_TUI_TRANSCRIPT_H
#define CODEX_TUI_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/cells.h"
#include "tui/grid.h"

struct transcript {
    struct cell **v;
    size_t n, cap;
};

void transcript_init(struct transcript *t);
void transcript_free(struct transcript *t);
void transcript_clear(struct transcript *t);
void transcript_push(struct transcript *t, struct cell *c);
/* Remove and free cell i. */
void transcript_remove(struct transcript *t, size_t i);
struct cell *transcript_last(const struct transcript *t);
/* The newest cell showing item `id` (NULL when none). */
struct cell *transcript_find(const struct transcript *t, const char *id);

/* One row of the laid-out transcript: row `row` of cell `cell`, or a blank
 * separator when row < 0. */
struct trow {
    long cell;
    long row;
};

/* Collect the rows of cells [from, to) that end `skip` rows above the
 * bottom, up to `h` of them, top first, into out (size h).  Cells are
 * separated by a blank row and the last is followed by one when
 * trailing_blank.  Returns how many rows were filled; *above gets whether
 * rows remain above them, *skip_used how many of `skip` could be honoured
 * (less when the transcript is shorter). */
int transcript_window(struct transcript *t, size_t from, size_t to, const struct cell_ctx *ctx,
                      long skip, int h, bool trailing_blank, struct trow *out, bool *above,
                      long *skip_used);

/* Draw collected rows at rows y.. of g. */
void transcript_draw_rows(struct transcript *t, const struct trow *rows, int n, struct tgrid *g,
                          int y);

/* Total rows of cells [from, to) (lays every one of them out). */
long transcript_height(struct transcript *t, size_t from, size_t to, const struct cell_ctx *ctx,
                       bool trailing_blank);

#endif

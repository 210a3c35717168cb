/* A grid of terminal cells: what one frame should look like.  Widgets draw
 * into it; the renderer compares it with the previous frame and sends only
 * the difference. */
#ifndef CODEX_TUI_GRID_H
#define CODEX_TUI_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/style.h"

#define TCELL_MAX_BYTES 15

struct tcell {
    char ch[TCELL_MAX_BYTES]; /* one grapheme cluster, not NUL-terminated */
    uint8_t len;              /* bytes in ch; 0 for the right half of a wide cluster */
    struct tstyle style;
};

struct tgrid {
    int w, h;
    struct tcell *cells; /* h rows of w cells */
};

void tgrid_init(struct tgrid *g, int w, int h);
void tgrid_free(struct tgrid *g);
/* Resize and clear. */
void tgrid_resize(struct tgrid *g, int w, int h);
/* Every cell a blank with the default style. */
void tgrid_clear(struct tgrid *g);

static inline struct tcell *tgrid_at(struct tgrid *g, int x, int y)
{
    return &g->cells[(size_t)y * (size_t)g->w + (size_t)x];
}

/* Fill a rectangle (clipped) with blanks of the given style. */
void tgrid_fill(struct tgrid *g, int x, int y, int w, int h, struct tstyle st);

/* Draw text (valid UTF-8 without control characters, see tw_sanitize) at
 * (x, y), not past column max_x (exclusive; clipped to the grid).  A wide
 * cluster that does not fit is replaced by spaces.  Returns the column
 * after the last cell written. */
int tgrid_put(struct tgrid *g, int x, int y, int max_x, const char *text, size_t len,
              struct tstyle st);
int tgrid_puts(struct tgrid *g, int x, int y, int max_x, const char *text, struct tstyle st);

/* Change the style of existing cells (e.g. a background over a row). */
void tgrid_restyle(struct tgrid *g, int x, int y, int w, struct tstyle st, bool keep_fg);

/* Two cells look the same. */
bool tcell_eq(const struct tcell *a, const struct tcell *b);
/* A space in the default style. */
bool tcell_blank(const struct tcell *c);

/* Row y as plain text (for tests and the transcript copy); caller frees. */
char *tgrid_row_text(const struct tgrid *g, int y);

#endif

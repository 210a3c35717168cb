/* Styled text: a line is UTF-8 text with styled spans (and an optional
 * background that fills the rest of its row); lines wrap to a width with a
 * prefix for the first row and another for the rows that follow.  Every
 * transcript cell, popup and overlay is built from these. */
#ifndef CODEX_TUI_TEXT_H
#define CODEX_TUI_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/grid.h"
#include "tui/style.h"

struct tspan {
    uint32_t off, len; /* bytes of the line's text */
    struct tstyle style;
};

struct tline {
    char *text;
    uint32_t len, cap;
    struct tspan *spans;
    uint32_t n, ncap;
    struct tstyle fill; /* style of the row's cells past the text */
    bool has_fill;
};

struct tlines {
    struct tline *v;
    size_t n, cap;
};

void tline_init(struct tline *l);
void tline_free(struct tline *l);
void tline_reset(struct tline *l);
/* Append text (trusted: valid UTF-8 without control characters). */
void tline_add(struct tline *l, const char *s, size_t len, struct tstyle st);
void tline_adds(struct tline *l, const char *s, struct tstyle st);
/* Append every span of src. */
void tline_append(struct tline *l, const struct tline *src);
void tline_copy(struct tline *dst, const struct tline *src);
int tline_width(const struct tline *l);
/* Give every span (and the fill) this background / these attributes. */
void tline_set_bg(struct tline *l, tcolor bg);
void tline_add_attrs(struct tline *l, uint16_t attrs);

void tlines_init(struct tlines *ls);
void tlines_free(struct tlines *ls);
void tlines_clear(struct tlines *ls);
/* A new empty line at the end. */
struct tline *tlines_push(struct tlines *ls);
/* Move every line of src to the end of dst (src is left empty). */
void tlines_take(struct tlines *dst, struct tlines *src);
/* Copy line i of src to the end of dst. */
void tlines_push_copy(struct tlines *dst, const struct tline *src);
/* Drop lines from index n on. */
void tlines_truncate(struct tlines *ls, size_t n);

/* Word-wrap src to `width` columns.  The first row starts with `first`
 * (may be NULL), the others with `rest` (may be NULL); spaces at a break
 * are dropped and a word longer than a row is cut.  The fill of src is
 * kept on every row.  Appends to out (at least one row). */
void tline_wrap(const struct tline *src, int width, const struct tline *first,
                const struct tline *rest, struct tlines *out);

/* Cut to at most width columns, ending with "…" when something was cut. */
void tline_truncate(struct tline *l, int width);

/* Draw into row y from column x to max_x (exclusive): the text, then the
 * fill (when set) to max_x. */
void tline_draw(const struct tline *l, struct tgrid *g, int x, int y, int max_x);

/* The plain text (for copies and tests); caller frees. */
char *tline_text(const struct tline *l);

#endif

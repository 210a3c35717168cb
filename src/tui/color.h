/* Colour depth choice and SGR sequences. */
#ifndef CODEX_TUI_COLOR_H
#define CODEX_TUI_COLOR_H

#include "tui/style.h"
#include "util/buf.h"

/* The depth the environment asks for.  The values are the environment's
 * (read by the front end): NO_COLOR (set and non-empty: no colours),
 * COLORTERM ("truecolor"/"24bit"), TERM ("*-256color", "dumb"). */
enum tcolor_depth tcolor_depth_from_env(const char *no_color, const char *colorterm,
                                        const char *term);

/* The nearest colour the depth can show (RGB stays RGB only in truecolor;
 * TC_DEFAULT for TC_DEPTH_NONE). */
tcolor tcolor_reduce(tcolor c, enum tcolor_depth depth);

/* Append the SGR sequence that changes the terminal from style `from` to
 * `to` (nothing when they are equal).  Both are already reduced. */
void tcolor_sgr_change(struct buf *out, struct tstyle from, struct tstyle to);

#endif

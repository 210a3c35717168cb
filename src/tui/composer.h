/* The composer: the multi-line prompt editor under the transcript.  It
 * holds UTF-8 text and a cursor, edits by grapheme cluster, wraps at word
 * boundaries with "› " before the first row, and keeps large pastes as a
 * short placeholder that is expanded when the prompt is submitted. */
#ifndef CODEX_TUI_COMPOSER_H
#define CODEX_TUI_COMPOSER_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/grid.h"
#include "tui/text.h"
#include "util/buf.h"
#include "util/strvec.h"

/* Pastes longer than this show as "[Pasted Content N chars]". */
#define COMPOSER_PASTE_PLACEHOLDER_MIN 1000

struct crow {
    size_t start, end; /* bytes of text on this row (no newline) */
};

struct composer {
    struct buf text;
    size_t cursor;
    struct strvec pastes;       /* content of each placeholder */
    struct strvec placeholders; /* its placeholder text */
    /* Layout of the last composer_layout call. */
    struct crow *rows;
    size_t nrows, rows_cap;
    int width;
    size_t cur_row;
    int cur_col;
    int want_col; /* column kept while moving up and down */
};

void composer_init(struct composer *c);
void composer_free(struct composer *c);
void composer_clear(struct composer *c);
void composer_set(struct composer *c, const char *text); /* cursor at the end */
bool composer_empty(const struct composer *c);
const char *composer_text(const struct composer *c);

void composer_insert(struct composer *c, const char *text, size_t len);
/* Replace bytes [start, end) of the text with text; the cursor ends after
 * it. */
void composer_replace(struct composer *c, size_t start, size_t end, const char *text);
void composer_insert_char(struct composer *c, int32_t cp);
/* A paste: long ones become a placeholder. */
void composer_paste(struct composer *c, const char *text, size_t len);
void composer_backspace(struct composer *c);
void composer_delete(struct composer *c);
void composer_left(struct composer *c);
void composer_right(struct composer *c);
void composer_word_left(struct composer *c);
void composer_word_right(struct composer *c);
void composer_delete_word_back(struct composer *c);
void composer_line_start(struct composer *c);
void composer_line_end(struct composer *c);
void composer_kill_to_start(struct composer *c);
void composer_kill_to_end(struct composer *c);
/* Move to the row above/below (false when already on the first/last row,
 * so the caller may browse history instead). */
bool composer_up(struct composer *c);
bool composer_down(struct composer *c);
bool composer_on_first_row(const struct composer *c);
bool composer_on_last_row(const struct composer *c);

/* Wrap for width (the full width; the prefix takes 2 columns). */
void composer_layout(struct composer *c, int width);
/* Rows composer_layout made (at least one). */
size_t composer_rows(const struct composer *c);
/* Draw rows [first, first + n) at y; `prefix` is "› " styled by the
 * caller's mode (shell mode colours it), placeholder shown when empty. */
void composer_draw(const struct composer *c, struct tgrid *g, int y, size_t first, size_t n,
                   const struct tline *prefix, const char *placeholder);

/* The text to send: placeholders replaced by their pastes (caller frees). */
char *composer_expand(const struct composer *c);

#endif

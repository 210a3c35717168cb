/* What app_question.c (the questions, their keys and answers) and
 * app_question_draw.c (the pane) share: one server request's questions and
 * the answers being given. */
#ifndef CODEX_TUI_APP_QUESTION_INTERNAL_H
#define CODEX_TUI_APP_QUESTION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/buf.h"

struct answer {
    size_t sel;
    bool answered;
    bool notes_open;
    struct buf notes;
    size_t caret; /* byte offset of the cursor in notes */
    size_t top;   /* the first option shown when they do not all fit */
};

struct question {
    json_t *id;
    json_t *questions; /* the request's questions array */
    size_t n, cur;
    bool notes_focus; /* keys go to the open notes (Tab), not the options */
    /* "Submit with unanswered questions?" is asked; confirm_sel 0 is
     * Proceed, 1 Go back. */
    bool confirming;
    size_t confirm_sel;
    struct answer *ans;
    struct question *next;
};

json_t *question_at(const struct question *q, size_t i);
/* Options shown for question i, "None of the above" included. */
size_t question_n_options(const struct question *q, size_t i);
void question_option_text(const struct question *q, size_t i, size_t k, const char **label,
                          const char **desc);
/* Free-form questions (no options) are answered by typing alone. */
bool question_freeform(const struct question *q, size_t i);
/* The keys go to the text field: a free answer, or the notes in focus. */
bool question_typing(const struct question *q);
size_t question_unanswered(const struct question *q);

#endif

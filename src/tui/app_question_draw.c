/* The bottom pane of a request_user_input question (app_question.c): the
 * question, its options (a window of them that follows the selection when
 * they do not all fit, as the reference scrolls them), the notes or free
 * answer with the cursor, the hint row, and "Submit with unanswered
 * questions?". */
#include "tui/app.h"
#include "tui/app_question_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/width.h"
#include "util/xalloc.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* One hint: its keys in bold, then what they do (the caller may add to it). */
static struct tline *hint_item(struct tlines *hints, const char *keys, const char *what)
{
    struct tline *l = tlines_push(hints);
    tline_adds(l, keys, tstyle_attr(TA_BOLD));
    tline_adds(l, what, TSTYLE_PLAIN);
    return l;
}

/* The hints joined by " | ", a row broken between two of them as the
 * reference breaks it, never inside one unless it alone is too wide. */
static void hint_rows(const struct tlines *hints, int width, const struct tline *pad,
                      struct tlines *out)
{
    struct tline row;
    tline_init(&row);
    for (size_t i = 0; i < hints->n; i++) {
        const struct tline *h = &hints->v[i];
        if (row.len && tline_width(pad) + tline_width(&row) + 3 + tline_width(h) > width) {
            tline_wrap(&row, width, pad, pad, out);
            tline_reset(&row);
        }
        if (row.len)
            tline_adds(&row, " | ", tstyle_attr(TA_DIM));
        tline_append(&row, h);
    }
    tline_wrap(&row, width, pad, pad, out);
    tline_free(&row);
}

/* The field's text from byte from to to, or a star per character when
 * it is secret. */
static void field_text(const struct answer *an, size_t from, size_t to, bool secret,
                       struct tline *l)
{
    if (secret) {
        for (size_t i = from; i < to; i++)
            if (((unsigned char)an->notes.data[i] & 0xC0) != 0x80)
                tline_adds(l, "*", TSTYLE_PLAIN);
        return;
    }
    char *safe = tw_sanitize(an->notes.data + from, to - from, false, NULL);
    tline_adds(l, safe, TSTYLE_PLAIN);
    free(safe);
}

/* The column where option k's description starts: after the widest label
 * of options from..to. */
static int label_column(const struct question *q, size_t from, size_t to)
{
    int col = 0;
    for (size_t k = from; k < to; k++) {
        const char *label, *desc;
        question_option_text(q, q->cur, k, &label, &desc);
        char *safe = tw_sanitize(label, strlen(label), false, NULL);
        int w = tw_strwidth(safe) + 5 + (k + 1 >= 10) + (k + 1 >= 100);
        free(safe);
        col = w > col ? w : col;
    }
    return col;
}

/* Option k's rows, its label padded to col. */
/* Choice k (0-based) of a numbered list, its label padded to col, the
 * selected one reversed. */
static void choice_lines(size_t k, bool sel, const char *label, const char *desc, int col,
                         int width, const struct tline *pad, struct tlines *out)
{
    struct tline l, rest;
    tline_init(&l);
    tline_init(&rest);
    uint16_t rev = sel ? TA_REVERSE | TA_BOLD : 0;
    char num[32];
    snprintf(num, sizeof num, "%s%zu. ", sel ? "› " : "  ", k + 1);
    tline_adds(&l, num, tstyle_attr(rev));
    char *sl = tw_sanitize(label, strlen(label), false, NULL);
    tline_adds(&l, sl, tstyle_attr(rev));
    free(sl);
    for (int w = tline_width(&l); w < col + 2; w++)
        tline_adds(&l, " ", tstyle_attr(rev));
    if (desc) {
        char *sd = tw_sanitize(desc, strlen(desc), false, NULL);
        tline_adds(&l, sd, tstyle_attr(sel ? TA_REVERSE : TA_DIM));
        free(sd);
    }
    tline_adds(&rest, "       ", TSTYLE_PLAIN);
    tline_wrap(&l, width, pad, &rest, out);
    tline_free(&rest);
    tline_free(&l);
}

static void option_lines(const struct question *q, size_t k, int col, int width,
                         const struct tline *pad, struct tlines *out)
{
    const char *label, *desc;
    question_option_text(q, q->cur, k, &label, &desc);
    choice_lines(k, k == q->ans[q->cur].sel, label, desc, col, width, pad, out);
}

/* "Submit with unanswered questions?", asked as the reference asks it. */
static void confirm_lines(const struct question *q, int width, const struct tline *pad,
                          struct tlines *out)
{
    size_t left = question_unanswered(q);
    const char *s = left == 1 ? "" : "s";
    struct tline l;
    tline_init(&l);
    tlines_push(out);
    tline_adds(&l, "Submit with unanswered questions?", tstyle_attr(TA_BOLD));
    tline_wrap(&l, width, pad, pad, out);
    tline_reset(&l);
    char *count = xasprintf("%zu unanswered question%s", left, s);
    tline_adds(&l, count, tstyle_attr(TA_DIM));
    free(count);
    tline_wrap(&l, width, pad, pad, out);
    tlines_push(out);
    char *proceed = xasprintf("Submit with %zu unanswered question%s", left, s);
    /* "Proceed" and "Go back" are as wide: the descriptions line up. */
    int col = tw_strwidth("Go back") + 5;
    choice_lines(0, q->confirm_sel == 0, "Proceed", proceed, col, width, pad, out);
    choice_lines(1, q->confirm_sel == 1, "Go back", "Return to the first unanswered question", col,
                 width, pad, out);
    free(proceed);
    tlines_push(out);
    tline_reset(&l);
    tline_adds(&l, "Press ", TSTYLE_PLAIN);
    tline_adds(&l, "enter", tstyle_attr(TA_BOLD));
    tline_adds(&l, " to confirm or ", TSTYLE_PLAIN);
    tline_adds(&l, "esc", tstyle_attr(TA_BOLD));
    tline_adds(&l, " to go back", TSTYLE_PLAIN);
    tline_wrap(&l, width, pad, pad, out);
    tline_free(&l);
}

static size_t option_rows(const struct question *q, size_t k, int col, int width,
                          const struct tline *pad)
{
    struct tlines ls;
    tlines_init(&ls);
    option_lines(q, k, col, width, pad, &ls);
    size_t n = ls.n;
    tlines_free(&ls);
    return n;
}

/* The options shown in room rows: all of them when they fit, else a
 * window that keeps the selected one in view and moves only as far as it
 * must (an->top), with a blank row left under the hint as the reference
 * leaves it.  [*from, *to). */
static void option_window(const struct question *q, struct answer *an, size_t no, int width,
                          const struct tline *pad, size_t room, size_t *from, size_t *to)
{
    size_t budget = room > 0 ? room - 1 : 0;
    int col = label_column(q, 0, no);
    size_t *rows = xcalloc(no ? no : 1, sizeof *rows), total = 0;
    for (size_t k = 0; k < no; k++)
        total += rows[k] = option_rows(q, k, col, width, pad);
    *from = 0;
    *to = no;
    if (total > room) {
        size_t top = an->top < no ? an->top : 0;
        if (an->sel < top)
            top = an->sel;
        /* Back from the selection while the rows fit, when it is below. */
        size_t used = 0, first = an->sel + 1;
        while (first > top && used + rows[first - 1] <= budget)
            used += rows[--first];
        if (first > top)
            top = first;
        if (top > an->sel)
            top = an->sel; /* the selection alone is taller than the room */
        size_t end = top, sum = 0;
        while (end < no && (end == top || sum + rows[end] <= budget))
            sum += rows[end++];
        an->top = top;
        *from = top;
        *to = end;
    } else {
        an->top = 0;
    }
    free(rows);
}

/* Where byte caret of l falls in its wrapped rows (rows->v[first] on,
 * each begun with pad).  The text up to the caret cannot be wrapped on its
 * own: a word the whole text pushes to the next row would leave the cursor
 * on the row above.  tline_wrap copies each row from l's text in order,
 * dropping only the spaces at a break, so the rows are found in it again. */
static void caret_place(const struct tline *l, size_t caret, const struct tlines *rows,
                        size_t first, const struct tline *pad, int *row, int *col)
{
    size_t pad_len = pad->len, pos = 0;
    for (size_t r = first; r < rows->n; r++) {
        if (r > first)
            while (pos < l->len && l->text[pos] == ' ')
                pos++;
        size_t len = rows->v[r].len > pad_len ? rows->v[r].len - pad_len : 0;
        if (caret >= pos || r == first) {
            size_t upto = caret < pos + len ? caret : pos + len;
            char *before = xstrndup(l->text + pos, upto > pos ? upto - pos : 0);
            *row = (int)(r - first);
            *col = tline_width(pad) + tw_strwidth(before);
            free(before);
        }
        pos += len;
    }
}

/* The field's rows (its lines as typed or pasted, each wrapped), and
 * where the cursor stands in them when the keys go there. */
static void field_lines(const struct question *q, bool secret, int width, const struct tline *pad,
                        struct tlines *out, int *cursor_row, int *cursor_col)
{
    const struct answer *an = &q->ans[q->cur];
    struct tline l;
    tline_init(&l);
    if (!an->notes.len) {
        tline_adds(&l, "› ", tstyle_attr(TA_BOLD));
        tline_adds(&l, question_freeform(q, q->cur) ? "Type your answer (optional)" : "Add notes",
                   tstyle_attr(TA_DIM));
        if (question_typing(q)) {
            *cursor_row = (int)out->n;
            *cursor_col = 4;
        }
        tline_wrap(&l, width, pad, pad, out);
        tline_free(&l);
        return;
    }
    size_t from = 0;
    for (bool first = true; from <= an->notes.len; first = false) {
        const char *nl = memchr(an->notes.data + from, '\n', an->notes.len - from);
        size_t to = nl ? (size_t)(nl - an->notes.data) : an->notes.len;
        tline_reset(&l);
        tline_adds(&l, first ? "› " : "  ", first ? tstyle_attr(TA_BOLD) : TSTYLE_PLAIN);
        size_t lead = l.len;
        field_text(an, from, to, secret, &l);
        size_t row0 = out->n;
        tline_wrap(&l, width, pad, pad, out);
        if (question_typing(q) && an->caret >= from && an->caret <= to) {
            struct tline upto; /* the line up to the cursor: its length places it */
            tline_init(&upto);
            field_text(an, from, an->caret, secret, &upto);
            int row = 0, col = 4;
            caret_place(&l, lead + upto.len, out, row0, pad, &row, &col);
            *cursor_row = (int)row0 + row;
            *cursor_col = col;
            tline_free(&upto);
        }
        from = to + 1;
    }
    tline_free(&l);
}

/* The pane's rows, at most max_rows when its options can be windowed;
 * *cursor_row / *cursor_col: where the typing goes (-1: none). */
static void pane_lines(struct app *a, int width, int max_rows, struct tlines *out,
                       int *cursor_row, int *cursor_col)
{
    struct question *q = a->question;
    struct answer *an = &q->ans[q->cur];
    json_t *item = question_at(q, q->cur);
    *cursor_row = *cursor_col = -1;
    struct tline pad, l;
    tline_init(&pad);
    tline_init(&l);
    tline_adds(&pad, "  ", TSTYLE_PLAIN);
    if (q->confirming) {
        confirm_lines(q, width, &pad, out);
        tline_free(&pad);
        tline_free(&l);
        return;
    }
    tlines_push(out);
    char head[96];
    size_t left = question_unanswered(q);
    if (left)
        snprintf(head, sizeof head, "Question %zu/%zu (%zu unanswered)", q->cur + 1, q->n, left);
    else
        snprintf(head, sizeof head, "Question %zu/%zu", q->cur + 1, q->n);
    tline_adds(&l, head, tstyle_attr(TA_DIM));
    tline_wrap(&l, width, &pad, &pad, out);
    tline_reset(&l);
    const char *text = str(item, "question");
    char *safe = tw_sanitize(text ? text : "", text ? strlen(text) : 0, false, NULL);
    tline_adds(&l, safe, tstyle_fg(COL_ACCENT));
    free(safe);
    tline_wrap(&l, width, &pad, &pad, out);
    tlines_push(out);
    size_t no = question_n_options(q, q->cur);
    /* What follows the options (their blank row, the field, the hint) is
     * laid out first: the options get the rows left. */
    struct tlines tail;
    tlines_init(&tail);
    if (no)
        tlines_push(&tail);
    int tail_cursor_row = -1;
    if (question_freeform(q, q->cur) || an->notes_open) {
        bool secret = json_is_true(json_object_get(item, "isSecret"));
        field_lines(q, secret, width, &pad, &tail, &tail_cursor_row, cursor_col);
        tlines_push(&tail);
    }
    size_t from = 0, to = no;
    if (no) {
        size_t fixed = out->n + tail.n + 1; /* + the hint's row */
        size_t room = max_rows > 0 && (size_t)max_rows > fixed ? (size_t)max_rows - fixed : 0;
        option_window(q, an, no, width, &pad, room, &from, &to);
        int col = label_column(q, from, to);
        for (size_t k = from; k < to; k++)
            option_lines(q, k, col, width, &pad, out);
    }
    if (tail_cursor_row >= 0)
        *cursor_row = (int)out->n + tail_cursor_row;
    tlines_take(out, &tail);
    tlines_free(&tail);
    struct tlines hints;
    tlines_init(&hints);
    bool last_q = q->cur + 1 == q->n;
    if (to - from < no) {
        char where[64];
        snprintf(where, sizeof where, "option %zu/%zu", an->sel + 1, no);
        hint_item(&hints, where, "");
    }
    if (no && an->notes_open) {
        struct tline *h = hint_item(&hints, "tab", "");
        tline_adds(h, " or ", tstyle_attr(TA_DIM));
        tline_adds(h, "esc", tstyle_attr(TA_BOLD));
        tline_adds(h, " to clear notes", tstyle_attr(TA_DIM));
    } else if (no) {
        hint_item(&hints, "tab", " to add notes");
    }
    hint_item(&hints, "enter", last_q && q->n > 1 ? " to submit all" : " to submit answer");
    if (q->n > 1 && !(no && question_typing(q)))
        hint_item(&hints, "←/→", " to navigate questions");
    if (!(no && an->notes_open))
        hint_item(&hints, "esc", " to interrupt");
    hint_rows(&hints, width, &pad, out);
    tlines_free(&hints);
    if (to - from < no)
        tlines_push(out);
    tline_free(&l);
    tline_free(&pad);
}

int app_question_rows(struct app *a, int width, int max_rows)
{
    struct tlines ls;
    tlines_init(&ls);
    int r, c;
    pane_lines(a, width, max_rows, &ls, &r, &c);
    int n = (int)ls.n;
    tlines_free(&ls);
    return n;
}

void app_question_draw(struct app *a, struct tgrid *g, int y, int h, int *cx, int *cy)
{
    struct tlines ls;
    tlines_init(&ls);
    int r, c;
    pane_lines(a, g->w, h, &ls, &r, &c);
    /* When even one option does not fit, the top is cut and the hint stays. */
    size_t first = ls.n > (size_t)h ? ls.n - (size_t)h : 0;
    for (size_t i = first; i < ls.n; i++)
        tline_draw(&ls.v[i], g, 0, y + (int)(i - first), g->w);
    if (r >= (int)first) {
        *cx = c < g->w ? c : g->w - 1;
        *cy = y + r - (int)first;
    }
    tlines_free(&ls);
}

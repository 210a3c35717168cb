/* The model's questions (request_user_input, reaching the TUI as the
 * item/tool/requestUserInput server request), asked in the bottom pane as
 * the reference asks them: "Question i/n (k unanswered)", the question,
 * its options as a numbered list (plus "None of the above" when the
 * question takes a free answer), and optional notes opened with Tab.
 * Enter answers the question shown and moves to the next; on the last one
 * it sends every answer: {"answers": {"<id>": {"answers": [label,
 * "user_note: <notes>"]}}}.  ←/→ move between questions; Esc interrupts
 * the turn and declines the request.  What was answered stays in the
 * transcript as "Questions n/m answered". */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

static const char other_label[] = "None of the above";
static const char other_desc[] = "Optionally, add details in notes (tab)";

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

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_t *q_at(const struct question *q, size_t i)
{
    return json_array_get(q->questions, i);
}

/* Options shown for question i, "None of the above" included. */
static size_t n_options(const struct question *q, size_t i)
{
    json_t *item = q_at(q, i);
    size_t n = json_array_size(json_object_get(item, "options"));
    if (n > 0 && json_is_true(json_object_get(item, "isOther")))
        n++;
    return n;
}

static void option_text(const struct question *q, size_t i, size_t k, const char **label,
                        const char **desc)
{
    json_t *opts = json_object_get(q_at(q, i), "options");
    if (k < json_array_size(opts)) {
        *label = str(json_array_get(opts, k), "label");
        *desc = str(json_array_get(opts, k), "description");
    } else {
        *label = other_label;
        *desc = other_desc;
    }
    if (!*label)
        *label = "";
}

/* Free-form questions (no options) are answered by typing alone. */
static bool freeform(const struct question *q, size_t i)
{
    return n_options(q, i) == 0;
}

static bool typing(const struct question *q)
{
    return freeform(q, q->cur) || (q->ans[q->cur].notes_open && q->notes_focus);
}

static void question_free(struct question *q)
{
    for (size_t i = 0; i < q->n; i++)
        buf_free(&q->ans[i].notes);
    free(q->ans);
    json_decref(q->id);
    json_decref(q->questions);
    free(q);
}

static struct question *take_first(struct app *a)
{
    struct question *q = a->question;
    a->question = q->next;
    return q;
}

void app_question_open(struct app *a, json_t *id, json_t *params)
{
    struct question *q = xcalloc(1, sizeof *q);
    q->id = json_incref(id);
    json_t *qs = json_object_get(params, "questions");
    q->questions = json_is_array(qs) ? json_incref(qs) : json_array();
    q->n = json_array_size(q->questions);
    q->ans = xcalloc(q->n ? q->n : 1, sizeof *q->ans);
    struct question **tail = &a->question;
    while (*tail)
        tail = &(*tail)->next;
    *tail = q;
    if (q->n == 0) {
        /* Nothing to ask: answer at once with no answers. */
        *tail = NULL;
        tclient_respond(a->client, id, json_pack("{s:{}}", "answers"));
        question_free(q);
        return;
    }
    app_notify(a, "Codex has a question");
    app_redraw(a);
}

/* ---- answering ------------------------------------------------------------------------ */

static json_t *answers_of(const struct question *q, size_t i)
{
    json_t *list = json_array();
    const struct answer *an = &q->ans[i];
    if (!freeform(q, i) && an->answered) {
        const char *label, *desc;
        option_text(q, i, an->sel, &label, &desc);
        json_array_append_new(list, json_string(label));
        if (an->notes.len) {
            char *note = xasprintf("user_note: %s", buf_cstr(&an->notes));
            json_array_append_new(list, json_string(note));
            free(note);
        }
    } else if (freeform(q, i) && an->notes.len) {
        json_array_append_new(list, json_string(buf_cstr(&an->notes)));
    }
    return list;
}

static size_t unanswered(const struct question *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->n; i++)
        n += !q->ans[i].answered;
    return n;
}

static void add_row(struct cell *c, const char *label, const char *value)
{
    struct tline l;
    tline_init(&l);
    tline_adds(&l, label, tstyle_attr(TA_DIM));
    char *safe = tw_sanitize(value, strlen(value), false, NULL);
    tline_adds(&l, safe, tstyle_fg(COL_ACCENT));
    free(safe);
    cell_text_add(c, &l, "    ", "    ", TSTYLE_PLAIN);
    tline_free(&l);
}

/* "• Questions 2/2 answered" and each question with its answer. */
static void history_cell(struct app *a, const struct question *q)
{
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    tline_adds(&l, "Questions", tstyle_attr(TA_BOLD));
    char count[64];
    snprintf(count, sizeof count, " %zu/%zu answered", q->n - unanswered(q), q->n);
    tline_adds(&l, count, tstyle_attr(TA_DIM));
    cell_text_add(c, &l, "• ", "  ", tstyle_attr(TA_DIM));
    for (size_t i = 0; i < q->n; i++) {
        tline_reset(&l);
        const char *text = str(q_at(q, i), "question");
        char *safe = tw_sanitize(text ? text : "", text ? strlen(text) : 0, false, NULL);
        tline_adds(&l, safe, TSTYLE_PLAIN);
        free(safe);
        cell_text_add(c, &l, "  • ", "    ", TSTYLE_PLAIN);
        const struct answer *an = &q->ans[i];
        bool secret = json_is_true(json_object_get(q_at(q, i), "isSecret"));
        if (freeform(q, i)) {
            if (an->notes.len)
                add_row(c, "answer: ", secret ? "(hidden)" : buf_cstr(&an->notes));
        } else if (an->answered) {
            const char *label, *desc;
            option_text(q, i, an->sel, &label, &desc);
            add_row(c, "answer: ", label);
            if (an->notes.len)
                add_row(c, "note: ", secret ? "(hidden)" : buf_cstr(&an->notes));
        }
        if (!an->answered) {
            tline_reset(&l);
            tline_adds(&l, "unanswered", tstyle_attr(TA_DIM));
            cell_text_add(c, &l, "    ", "    ", TSTYLE_PLAIN);
        }
    }
    tline_free(&l);
    app_add_cell(a, c);
}

static void submit_all(struct app *a)
{
    struct question *q = take_first(a);
    json_t *answers = json_object();
    for (size_t i = 0; i < q->n; i++) {
        const char *qid = str(q_at(q, i), "id");
        if (qid)
            json_object_set_new(answers, qid, json_pack("{s:o}", "answers", answers_of(q, i)));
    }
    tclient_respond(a->client, q->id, json_pack("{s:o}", "answers", answers));
    history_cell(a, q);
    question_free(q);
    app_redraw(a);
}

/* Enter: this question is answered; on to the next unanswered one, or send
 * them all when none is left after it. */
static void answer_current(struct app *a)
{
    struct question *q = a->question;
    /* An empty free answer is an answer too: the user chose to give none. */
    q->ans[q->cur].answered = true;
    for (size_t k = 1; k < q->n; k++) {
        size_t i = q->cur + k;
        if (i >= q->n)
            break;
        if (!q->ans[i].answered) {
            q->cur = i;
            q->notes_focus = false;
            return;
        }
    }
    if (unanswered(q)) {
        /* One before this one was skipped (←/→): the reference asks first. */
        q->confirming = true;
        q->confirm_sel = 0;
        q->notes_focus = false;
        return;
    }
    submit_all(a);
}

static void decline(struct app *a, struct question *q)
{
    if (a->client)
        tclient_respond(a->client, q->id, json_pack("{s:{}}", "answers"));
}

void app_question_decline_all(struct app *a)
{
    while (a->question) {
        struct question *q = take_first(a);
        decline(a, q);
        question_free(q);
    }
}

void app_question_drop_all(struct app *a)
{
    while (a->question)
        question_free(take_first(a));
}

bool app_question_resolved(struct app *a, const json_t *id)
{
    for (struct question **pp = &a->question; *pp; pp = &(*pp)->next) {
        if (json_equal((*pp)->id, (json_t *)id)) {
            struct question *q = *pp;
            *pp = q->next;
            question_free(q);
            app_redraw(a);
            return true;
        }
    }
    return false;
}

/* ---- the text field (notes, or a free answer) -------------------------------------------- */

static bool is_key(const struct tev *ev, enum tkey k)
{
    return ev->kind == TEV_KEY && ev->key == k && ev->mods == 0;
}

static void field_clear(struct answer *an)
{
    buf_truncate(&an->notes, 0);
    an->caret = 0;
}

static void field_insert(struct answer *an, const char *s, size_t n)
{
    size_t tail = an->notes.len - an->caret;
    buf_append(&an->notes, s, n); /* the length grows by n */
    memmove(an->notes.data + an->caret + n, an->notes.data + an->caret, tail);
    memcpy(an->notes.data + an->caret, s, n);
    an->caret += n;
}

static size_t prev_char(const struct answer *an, size_t at)
{
    while (at > 0) {
        at--;
        if (((unsigned char)an->notes.data[at] & 0xC0) != 0x80)
            break;
    }
    return at;
}

static size_t next_char(const struct answer *an, size_t at)
{
    if (at < an->notes.len)
        at++;
    while (at < an->notes.len && ((unsigned char)an->notes.data[at] & 0xC0) == 0x80)
        at++;
    return at;
}

static void field_delete(struct answer *an, size_t from, size_t to)
{
    memmove(an->notes.data + from, an->notes.data + to, an->notes.len - to);
    buf_truncate(&an->notes, an->notes.len - (to - from));
    an->caret = from;
}

/* The field's editing keys. */
static void field_key(struct answer *an, const struct tev *ev)
{
    if (is_key(ev, TK_BACKSPACE)) {
        if (an->caret > 0)
            field_delete(an, prev_char(an, an->caret), an->caret);
    } else if (is_key(ev, TK_DELETE)) {
        if (an->caret < an->notes.len)
            field_delete(an, an->caret, next_char(an, an->caret));
    } else if (is_key(ev, TK_LEFT)) {
        an->caret = prev_char(an, an->caret);
    } else if (is_key(ev, TK_RIGHT)) {
        an->caret = next_char(an, an->caret);
    } else if (is_key(ev, TK_HOME)) {
        an->caret = 0;
    } else if (is_key(ev, TK_END)) {
        an->caret = an->notes.len;
    } else if (ev->key == TK_CHAR && !(ev->mods & (TM_CTRL | TM_ALT)) && ev->cp >= ' ') {
        char u[4];
        field_insert(an, u, tw_encode(ev->cp, u));
    }
}

/* ---- keys ------------------------------------------------------------------------------- */

/* Go back: to the first question left unanswered. */
static void confirm_go_back(struct question *q)
{
    q->confirming = false;
    for (size_t i = 0; i < q->n; i++)
        if (!q->ans[i].answered) {
            q->cur = i;
            return;
        }
}

static void confirm_key(struct app *a, struct question *q, const struct tev *ev)
{
    bool ctrl_c = ev->key == TK_CHAR && ev->cp == 'c' && ev->mods == TM_CTRL;
    if (is_key(ev, TK_UP) || is_key(ev, TK_DOWN)) {
        q->confirm_sel ^= 1;
    } else if (ev->key == TK_CHAR && !ev->mods && (ev->cp == '1' || ev->cp == '2')) {
        q->confirm_sel = (size_t)(ev->cp - '1');
    } else if (is_key(ev, TK_ENTER) && q->confirm_sel == 0) {
        submit_all(a);
        return;
    } else if (is_key(ev, TK_ENTER) || is_key(ev, TK_ESC) || ctrl_c) {
        confirm_go_back(q);
    }
    app_redraw(a);
}

bool app_question_key(struct app *a, const struct tev *ev)
{
    struct question *q = a->question;
    if (!q || ev->kind != TEV_KEY)
        return q != NULL;
    if (q->confirming) {
        confirm_key(a, q, ev);
        return true;
    }
    struct answer *an = &q->ans[q->cur];
    bool ctrl_c = ev->key == TK_CHAR && ev->cp == 'c' && ev->mods == TM_CTRL;
    if (is_key(ev, TK_ESC) && an->notes_open && !freeform(q, q->cur)) {
        an->notes_open = false;
        field_clear(an);
        return true;
    }
    if (ctrl_c && (an->notes_open || freeform(q, q->cur)) && an->notes.len) {
        /* As the reference: Ctrl-C takes back what was typed first; the
         * next one interrupts. */
        field_clear(an);
        return true;
    }
    if (is_key(ev, TK_ESC) || ctrl_c) {
        /* The turn stops; the question goes unanswered. */
        app_interrupt(a);
        struct question *first = take_first(a);
        decline(a, first);
        question_free(first);
        return true;
    }
    if (is_key(ev, TK_ENTER)) {
        answer_current(a);
        return true;
    }
    if (is_key(ev, TK_TAB) && !freeform(q, q->cur)) {
        an->notes_open = !an->notes_open;
        q->notes_focus = an->notes_open;
        field_clear(an);
        return true;
    }
    size_t no = n_options(q, q->cur);
    if (no && (is_key(ev, TK_UP) || is_key(ev, TK_DOWN))) {
        an->sel = is_key(ev, TK_UP) ? (an->sel + no - 1) % no : (an->sel + 1) % no;
        return true;
    }
    /* ←/→ move between questions, except in notes (and in the only
     * question's free answer), where they move the cursor. */
    bool moves_cursor = typing(q) && (!freeform(q, q->cur) || q->n == 1);
    if (!moves_cursor && (is_key(ev, TK_LEFT) || is_key(ev, TK_RIGHT))) {
        q->notes_focus = false;
        if (is_key(ev, TK_LEFT))
            q->cur = q->cur > 0 ? q->cur - 1 : q->n - 1;
        else
            q->cur = (q->cur + 1) % q->n;
        return true;
    }
    if (typing(q)) {
        if (is_key(ev, TK_BACKSPACE) && !an->notes.len && !freeform(q, q->cur)) {
            /* As the reference: Backspace in empty notes closes them. */
            an->notes_open = q->notes_focus = false;
            return true;
        }
        field_key(an, ev);
        return true;
    }
    /* Typing with the notes open but the options in focus goes on with them. */
    if (an->notes_open && ev->key == TK_CHAR && !(ev->mods & (TM_CTRL | TM_ALT)) &&
        ev->cp >= ' ') {
        q->notes_focus = true;
        field_key(an, ev);
        return true;
    }
    /* A number picks that option and answers with it. */
    if (ev->key == TK_CHAR && !ev->mods && ev->cp >= '1' && ev->cp <= '9' &&
        (size_t)(ev->cp - '1') < no) {
        an->sel = (size_t)(ev->cp - '1');
        answer_current(a);
    }
    return true;
}

bool app_question_paste(struct app *a, const char *text, size_t len)
{
    struct question *q = a->question;
    if (!q || a->pane != PANE_COMPOSER)
        return false;
    struct answer *an = &q->ans[q->cur];
    if (!freeform(q, q->cur))
        an->notes_open = q->notes_focus = true;
    /* Pasted lines stay lines, as the reference keeps them (a terminal may
     * end them with CR). */
    char *lines = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
            continue;
        lines[n++] = text[i] == '\r' ? '\n' : text[i];
    }
    char *safe = tw_sanitize(lines, n, true, &n);
    free(lines);
    field_insert(an, safe, n);
    free(safe);
    app_redraw(a);
    return true;
}

/* ---- drawing ------------------------------------------------------------------------------ */

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
        option_text(q, q->cur, k, &label, &desc);
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
    option_text(q, q->cur, k, &label, &desc);
    choice_lines(k, k == q->ans[q->cur].sel, label, desc, col, width, pad, out);
}

/* "Submit with unanswered questions?", asked as the reference asks it. */
static void confirm_lines(const struct question *q, int width, const struct tline *pad,
                          struct tlines *out)
{
    size_t left = unanswered(q);
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
        tline_adds(&l, freeform(q, q->cur) ? "Type your answer (optional)" : "Add notes",
                   tstyle_attr(TA_DIM));
        if (typing(q)) {
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
        if (typing(q) && an->caret >= from && an->caret <= to) {
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
    json_t *item = q_at(q, q->cur);
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
    size_t left = unanswered(q);
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
    size_t no = n_options(q, q->cur);
    /* What follows the options (their blank row, the field, the hint) is
     * laid out first: the options get the rows left. */
    struct tlines tail;
    tlines_init(&tail);
    if (no)
        tlines_push(&tail);
    int tail_cursor_row = -1;
    if (freeform(q, q->cur) || an->notes_open) {
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
    if (q->n > 1 && !(no && typing(q)))
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

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
#include "tui/app_question_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

static const char other_label[] = "None of the above";
static const char other_desc[] = "Optionally, add details in notes (tab)";

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

json_t *question_at(const struct question *q, size_t i)
{
    return json_array_get(q->questions, i);
}

size_t question_n_options(const struct question *q, size_t i)
{
    json_t *item = question_at(q, i);
    size_t n = json_array_size(json_object_get(item, "options"));
    if (n > 0 && json_is_true(json_object_get(item, "isOther")))
        n++;
    return n;
}

void question_option_text(const struct question *q, size_t i, size_t k, const char **label,
                          const char **desc)
{
    json_t *opts = json_object_get(question_at(q, i), "options");
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

bool question_freeform(const struct question *q, size_t i)
{
    return question_n_options(q, i) == 0;
}

bool question_typing(const struct question *q)
{
    return question_freeform(q, q->cur) || (q->ans[q->cur].notes_open && q->notes_focus);
}

size_t question_unanswered(const struct question *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->n; i++)
        n += !q->ans[i].answered;
    return n;
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
    if (!question_freeform(q, i) && an->answered) {
        const char *label, *desc;
        question_option_text(q, i, an->sel, &label, &desc);
        json_array_append_new(list, json_string(label));
        if (an->notes.len) {
            char *note = xasprintf("user_note: %s", buf_cstr(&an->notes));
            json_array_append_new(list, json_string(note));
            free(note);
        }
    } else if (question_freeform(q, i) && an->notes.len) {
        json_array_append_new(list, json_string(buf_cstr(&an->notes)));
    }
    return list;
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
    snprintf(count, sizeof count, " %zu/%zu answered", q->n - question_unanswered(q), q->n);
    tline_adds(&l, count, tstyle_attr(TA_DIM));
    cell_text_add(c, &l, "• ", "  ", tstyle_attr(TA_DIM));
    for (size_t i = 0; i < q->n; i++) {
        tline_reset(&l);
        const char *text = str(question_at(q, i), "question");
        char *safe = tw_sanitize(text ? text : "", text ? strlen(text) : 0, false, NULL);
        tline_adds(&l, safe, TSTYLE_PLAIN);
        free(safe);
        cell_text_add(c, &l, "  • ", "    ", TSTYLE_PLAIN);
        const struct answer *an = &q->ans[i];
        bool secret = json_is_true(json_object_get(question_at(q, i), "isSecret"));
        if (question_freeform(q, i)) {
            if (an->notes.len)
                add_row(c, "answer: ", secret ? "(hidden)" : buf_cstr(&an->notes));
        } else if (an->answered) {
            const char *label, *desc;
            question_option_text(q, i, an->sel, &label, &desc);
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
        const char *qid = str(question_at(q, i), "id");
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
    if (question_unanswered(q)) {
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
    if (is_key(ev, TK_ESC) && an->notes_open && !question_freeform(q, q->cur)) {
        an->notes_open = false;
        field_clear(an);
        return true;
    }
    if (ctrl_c && (an->notes_open || question_freeform(q, q->cur)) && an->notes.len) {
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
    if (is_key(ev, TK_TAB) && !question_freeform(q, q->cur)) {
        an->notes_open = !an->notes_open;
        q->notes_focus = an->notes_open;
        field_clear(an);
        return true;
    }
    size_t no = question_n_options(q, q->cur);
    if (no && (is_key(ev, TK_UP) || is_key(ev, TK_DOWN))) {
        an->sel = is_key(ev, TK_UP) ? (an->sel + no - 1) % no : (an->sel + 1) % no;
        return true;
    }
    /* ←/→ move between questions, except in notes (and in the only
     * question's free answer), where they move the cursor. */
    bool moves_cursor = question_typing(q) && (!question_freeform(q, q->cur) || q->n == 1);
    if (!moves_cursor && (is_key(ev, TK_LEFT) || is_key(ev, TK_RIGHT))) {
        q->notes_focus = false;
        if (is_key(ev, TK_LEFT))
            q->cur = q->cur > 0 ? q->cur - 1 : q->n - 1;
        else
            q->cur = (q->cur + 1) % q->n;
        return true;
    }
    if (question_typing(q)) {
        if (is_key(ev, TK_BACKSPACE) && !an->notes.len && !question_freeform(q, q->cur)) {
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
    if (q->confirming)
        return true; /* no field on screen: an answered question's notes stay as they were */
    struct answer *an = &q->ans[q->cur];
    if (!question_freeform(q, q->cur))
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

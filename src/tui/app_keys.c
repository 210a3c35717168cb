/* Keys, pastes, mouse and focus: the composer's editing keys and the
 * session's shortcuts (TUI_FINDINGS §4). */
#include "tui/app.h"

#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "tui/width.h"
#include "util/xalloc.h"

/* Characters closer together than this are a paste burst (a terminal
 * without bracketed paste, or a script typing): an Enter inside a burst
 * is a newline, not a submit. */
#define BURST_NS (8 * 1000000ull)
#define WHEEL_ROWS 3

static bool key(const struct tev *ev, enum tkey k, unsigned mods)
{
    return ev->kind == TEV_KEY && ev->key == k && ev->mods == mods;
}

static bool ctrl(const struct tev *ev, char c)
{
    return ev->kind == TEV_KEY && ev->key == TK_CHAR && ev->cp == c && ev->mods == TM_CTRL;
}

static void clear_composer(struct app *a)
{
    composer_clear(&a->comp);
    a->slash_sel = 0;
    a->slash_hidden = false;
    a->hist_pos = -1;
    /* A command that leaves text for the next message (/mention, a skill
     * picked in /skills) puts it in now. */
    if (a->composer_next) {
        composer_set(&a->comp, a->composer_next);
        free(a->composer_next);
        a->composer_next = NULL;
        app_mention_sync(a);
    }
}

/* ---- history (Up/Down, Ctrl-R) ------------------------------------------------ */

static void history_move(struct app *a, int dir)
{
    long n = (long)a->hist.entries.n;
    if (n == 0)
        return;
    if (a->hist_pos < 0) {
        if (dir > 0)
            return;
        free(a->hist_draft);
        a->hist_draft = xstrdup(composer_text(&a->comp));
        a->hist_pos = n;
    }
    long next = a->hist_pos + dir;
    if (next < 0)
        return;
    if (next >= n) {
        a->hist_pos = -1;
        composer_set(&a->comp, a->hist_draft ? a->hist_draft : "");
        return;
    }
    a->hist_pos = next;
    composer_set(&a->comp, a->hist.entries.v[next]);
}

static void search_update(struct app *a, bool older)
{
    long before = older && a->search_hit >= 0 ? a->search_hit : (long)a->hist.entries.n;
    long hit = history_search(&a->hist, buf_cstr(&a->search), before);
    if (hit >= 0) {
        a->search_hit = hit;
        composer_set(&a->comp, a->hist.entries.v[hit]);
    }
}

static void search_key(struct app *a, const struct tev *ev)
{
    if (key(ev, TK_ESC, 0) || ctrl(ev, 'c') || ctrl(ev, 'g')) {
        a->searching = false;
        composer_set(&a->comp, a->hist_draft ? a->hist_draft : "");
    } else if (key(ev, TK_ENTER, 0)) {
        a->searching = false;
    } else if (ctrl(ev, 'r')) {
        search_update(a, true);
    } else if (key(ev, TK_BACKSPACE, 0)) {
        if (a->search.len) {
            size_t n = a->search.len;
            do
                n--;
            while (n > 0 && ((unsigned char)a->search.data[n] & 0xC0) == 0x80);
            buf_truncate(&a->search, n);
            search_update(a, false);
        }
    } else if (ev->key == TK_CHAR && !(ev->mods & (TM_CTRL | TM_ALT))) {
        char u[4];
        buf_append(&a->search, u, tw_encode(ev->cp, u));
        search_update(a, false);
    } else {
        a->searching = false;
    }
    app_redraw(a);
}

/* ---- submitting ------------------------------------------------------------------ */

static void on_shell_done(void *ud, json_t *result, const char *error);

struct shell_run {
    struct app *a;
    struct cell *cell;
    uint64_t started;
};

static void run_shell(struct app *a, const char *cmd)
{
    struct cell *c = cell_shell_new(cmd);
    app_add_cell(a, c);
    json_t *argv = json_pack("[s s s]", "bash", "-lc", cmd);
    json_t *p = json_pack("{s:o}", "command", argv);
    if (a->cwd)
        json_object_set_new(p, "cwd", json_string(a->cwd));
    a->shell_cell = c;
    a->shell_started = app_now_ns();
    app_request(a, "command/exec", p, on_shell_done);
}

static void on_shell_done(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    struct cell *c = a->shell_cell;
    a->shell_cell = NULL;
    if (!c)
        return;
    int64_t ms = (int64_t)((app_now_ns() - a->shell_started) / 1000000);
    if (error) {
        cell_shell_finish(c, 1, error, ms);
    } else {
        const char *out = json_string_value(json_object_get(result, "stdout"));
        const char *err = json_string_value(json_object_get(result, "stderr"));
        char *both = xasprintf("%s%s", out ? out : "", err ? err : "");
        cell_shell_finish(c, (int)json_integer_value(json_object_get(result, "exitCode")), both,
                          ms);
        free(both);
    }
    app_redraw(a);
}

static void submit_composer(struct app *a)
{
    char *text = composer_expand(&a->comp);
    /* Trailing blank lines are not part of the prompt. */
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    if (n == 0) {
        free(text);
        return;
    }
    if (app_elicit_text(a, text)) {
        clear_composer(a);
        free(text);
        app_redraw(a);
        return;
    }
    if (text[0] == '!') {
        if (!a->thread_id && !a->connected) {
            free(text);
            return;
        }
        history_add(&a->hist, text);
        clear_composer(a);
        run_shell(a, text + 1);
        free(text);
        return;
    }
    if (text[0] == '/' && !strchr(text, '\n')) {
        if (app_slash_run(a, text)) {
            history_add(&a->hist, text);
            clear_composer(a);
        }
        free(text);
        app_redraw(a);
        return;
    }
    clear_composer(a);
    if (a->turn_running && a->turn_id) {
        /* Enter during a turn steers it (Tab queues for after it). */
        app_steer(a, text);
    } else if (a->turn_running) {
        strvec_push(&a->queued, text);
    } else {
        app_add_cell(a, cell_user_new(text, 0));
        a->echo_pending++;
        app_submit(a, text, NULL);
    }
    free(text);
    app_redraw(a);
}

/* ---- slash popup -------------------------------------------------------------------- */

static size_t slash_popup(struct app *a, const struct slash_command **m, size_t max)
{
    const char *t = composer_text(&a->comp);
    if (a->slash_hidden || t[0] != '/' || strchr(t, ' ') || strchr(t, '\n'))
        return 0;
    return app_slash_matches(t + 1, m, max);
}

/* ---- the Ctrl-C ladder ------------------------------------------------------------------ */

static void ctrl_c(struct app *a)
{
    if (!composer_empty(&a->comp)) {
        /* Cleared text still goes into the history. */
        history_add(&a->hist, composer_text(&a->comp));
        clear_composer(a);
        app_redraw(a);
        return;
    }
    if (a->turn_running) {
        app_picker_open(a, PICK_CTRL_C);
        return;
    }
    app_quit(a, 0);
}

/* ---- scrolling (fullscreen) ---------------------------------------------------------------- */

static void scroll_by(struct app *a, long rows)
{
    if (!a->fullscreen)
        return;
    a->scroll += rows;
    if (a->scroll < 0)
        a->scroll = 0;
    app_redraw(a);
}

/* ---- the composer's keys ------------------------------------------------------------------- */

static void insert_text_key(struct app *a, int32_t cp)
{
    uint64_t now = app_now_ns();
    if (now - a->last_key_ns < BURST_NS)
        a->burst_keys++;
    else
        a->burst_keys = 0;
    a->last_key_ns = now;
    composer_insert_char(&a->comp, cp);
    a->slash_sel = 0;
    a->slash_hidden = false;
    a->hist_pos = -1;
}

static bool in_burst(struct app *a)
{
    return a->burst_keys >= 2 && app_now_ns() - a->last_key_ns < BURST_NS;
}

static void composer_key(struct app *a, const struct tev *ev)
{
    if (app_mention_key(a, ev))
        return;
    const struct slash_command *m[64];
    size_t nm = slash_popup(a, m, 64);
    unsigned mods = ev->mods;
    if (ev->key == TK_CHAR && !(mods & (TM_CTRL | TM_ALT))) {
        if (ev->cp == '?' && composer_empty(&a->comp)) {
            a->help = !a->help;
            return;
        }
        a->help = false;
        insert_text_key(a, ev->cp);
        return;
    }
    a->help = false;
    if (key(ev, TK_ENTER, 0)) {
        if (in_burst(a)) {
            composer_insert(&a->comp, "\n", 1);
            return;
        }
        if (nm > 0) {
            /* Enter on the popup runs the selected command. */
            char line[64];
            snprintf(line, sizeof line, "/%s", m[a->slash_sel < nm ? a->slash_sel : 0]->name);
            if (app_slash_run(a, line))
                clear_composer(a);
            return;
        }
        if (composer_empty(&a->comp) && a->scroll > 0) {
            a->scroll = 0;
            return;
        }
        submit_composer(a);
        return;
    }
    if (ctrl(ev, 'j') || key(ev, TK_ENTER, TM_SHIFT) || key(ev, TK_ENTER, TM_ALT)) {
        composer_insert(&a->comp, "\n", 1);
        return;
    }
    if (key(ev, TK_TAB, 0)) {
        if (nm > 0) {
            char line[64];
            snprintf(line, sizeof line, "/%s ", m[a->slash_sel < nm ? a->slash_sel : 0]->name);
            composer_set(&a->comp, line);
            return;
        }
        if (a->turn_running && !composer_empty(&a->comp)) {
            char *text = composer_expand(&a->comp);
            strvec_push(&a->queued, text);
            free(text);
            clear_composer(a);
        }
        return;
    }
    if (key(ev, TK_LEFT, TM_SHIFT) && composer_empty(&a->comp) && a->queued.n > 0) {
        composer_set(&a->comp, a->queued.v[a->queued.n - 1]);
        free(a->queued.v[--a->queued.n]);
        a->queued.v[a->queued.n] = NULL;
        return;
    }
    if (key(ev, TK_UP, 0) || ctrl(ev, 'p')) {
        if (nm > 0) {
            a->slash_sel = a->slash_sel > 0 ? a->slash_sel - 1 : nm - 1;
            return;
        }
        composer_layout(&a->comp, a->w);
        if (!composer_up(&a->comp))
            history_move(a, -1);
        return;
    }
    if (key(ev, TK_DOWN, 0) || ctrl(ev, 'n')) {
        if (nm > 0) {
            a->slash_sel = (a->slash_sel + 1) % nm;
            return;
        }
        composer_layout(&a->comp, a->w);
        if (!composer_down(&a->comp))
            history_move(a, 1);
        return;
    }
    if (key(ev, TK_BACKSPACE, 0) || ctrl(ev, 'h'))
        composer_backspace(&a->comp);
    else if (key(ev, TK_BACKSPACE, TM_ALT) || ctrl(ev, 'w') || key(ev, TK_BACKSPACE, TM_CTRL))
        composer_delete_word_back(&a->comp);
    else if (key(ev, TK_DELETE, 0))
        composer_delete(&a->comp);
    else if (key(ev, TK_LEFT, 0) || ctrl(ev, 'b'))
        composer_left(&a->comp);
    else if (key(ev, TK_RIGHT, 0) || ctrl(ev, 'f'))
        composer_right(&a->comp);
    else if (key(ev, TK_LEFT, TM_CTRL) || key(ev, TK_LEFT, TM_ALT) ||
             (ev->key == TK_CHAR && ev->cp == 'b' && mods == TM_ALT))
        composer_word_left(&a->comp);
    else if (key(ev, TK_RIGHT, TM_CTRL) || key(ev, TK_RIGHT, TM_ALT) ||
             (ev->key == TK_CHAR && ev->cp == 'f' && mods == TM_ALT))
        composer_word_right(&a->comp);
    else if (key(ev, TK_HOME, 0) || ctrl(ev, 'a'))
        composer_line_start(&a->comp);
    else if (key(ev, TK_END, 0) || ctrl(ev, 'e'))
        composer_line_end(&a->comp);
    else if (ctrl(ev, 'u'))
        composer_kill_to_start(&a->comp);
    else if (ctrl(ev, 'k'))
        composer_kill_to_end(&a->comp);
    else
        return;
    a->slash_sel = 0;
    a->slash_hidden = false;
}

/* ---- the picker pane ----------------------------------------------------------------------- */

static void picker_key(struct app *a, const struct tev *ev)
{
    struct picker *p = &a->picker;
    bool approval = p->kind == PICK_APPROVAL;
    /* "n" also answers "No, and tell Codex what to do differently" of a
     * command, edit or network prompt, as the reference binds it (an MCP
     * server's form has its own "n"). */
    bool command_like = approval && a->approvals &&
                        strcmp(a->approvals->method, "mcpServer/elicitation/request") != 0;
    if (key(ev, TK_ESC, 0) || (ctrl(ev, 'c')) || (command_like && ev->key == TK_CHAR && ev->cp == 'n' && !ev->mods)) {
        if (approval)
            app_approval_decide(a, "cancel");
        else if (p->kind == PICK_THEME) {
            app_theme_cancel(a);
            app_picker_close(a);
        }
        else if (p->toggles && p->esc_saves && key(ev, TK_ESC, 0))
            app_manage_save(a);
        else
            app_picker_close(a);
        return;
    }
    if (approval && ev->key == TK_CHAR && ev->cp == 'o' && !ev->mods && app_agents_approval_open(a))
        return;
    if (p->toggles && (key(ev, TK_LEFT, 0) || key(ev, TK_RIGHT, 0)) &&
        app_items_reorder(a, key(ev, TK_LEFT, 0) ? -1 : 1))
        return;
    if (p->toggles && ev->key == TK_CHAR && ev->cp == ' ' && !ev->mods) {
        if (p->kind == PICK_HOOK_DETAIL)
            app_manage_select(a); /* saved as it changes */
        else if (p->n && p->items[p->sel].check >= 0)
            p->items[p->sel].check = !p->items[p->sel].check;
        return;
    }
    if (key(ev, TK_UP, 0) || (ev->key == TK_CHAR && ev->cp == 'k' && !ev->mods)) {
        if (p->n)
            p->sel = p->sel > 0 ? p->sel - 1 : p->n - 1;
        app_theme_preview(a);
        return;
    }
    if (key(ev, TK_DOWN, 0) || (ev->key == TK_CHAR && ev->cp == 'j' && !ev->mods)) {
        if (p->n)
            p->sel = (p->sel + 1) % p->n;
        app_theme_preview(a);
        return;
    }
    if (key(ev, TK_ENTER, 0)) {
        app_picker_select(a);
        return;
    }
    if (ev->key == TK_CHAR && !ev->mods) {
        if (p->numbered && ev->cp >= '1' && ev->cp <= '9' && (size_t)(ev->cp - '1') < p->n) {
            p->sel = (size_t)(ev->cp - '1');
            app_picker_select(a);
            return;
        }
        for (size_t i = 0; i < p->n; i++)
            if (p->items[i].key && p->items[i].key == ev->cp) {
                p->sel = i;
                app_picker_select(a);
                return;
            }
    }
}

/* ---- dispatch ------------------------------------------------------------------------------ */

void app_paste(struct app *a, const char *text, size_t len)
{
    if (app_question_paste(a, text, len) || app_agents_paste(a, text, len))
        return;
    if (a->pane != PANE_COMPOSER || a->pager || a->resume)
        return;
    a->help = false;
    composer_paste(&a->comp, text, len);
    a->hist_pos = -1;
    app_mention_sync(a);
    app_redraw(a);
}

static void mouse(struct app *a, const struct tev *ev)
{
    if (a->pager) {
        app_pager_key(a, ev);
        return;
    }
    if (!ev->press)
        return;
    if (ev->button == TMOUSE_WHEEL_UP)
        scroll_by(a, WHEEL_ROWS);
    else if (ev->button == TMOUSE_WHEEL_DOWN)
        scroll_by(a, -WHEEL_ROWS);
}

static void clear_screen(struct app *a)
{
    /* The thread goes on; only the view starts over, from a header card. */
    a->view_from = a->tr.n;
    a->scroll = 0;
    char *shown = app_display_path(a, a->cwd);
    transcript_push(&a->tr, cell_header_new(a->opt->version, a->model, shown));
    free(shown);
    if (!a->fullscreen) {
        struct buf out = BUF_INIT;
        buf_puts(&out, "\x1b[H\x1b[2J");
        tterm_write(&a->term, out.data, out.len);
        buf_free(&out);
        trender_set_top(&a->render, 0);
        a->inline_next = a->view_from;
        a->inline_any = false;
    } else {
        trender_invalidate(&a->render);
    }
}

static void on_event(struct app *a, const struct tev *ev);

void app_on_event(void *ud, const struct tev *ev)
{
    struct app *a = ud;
    if (a->quitting)
        return;
    on_event(a, ev);
    if (!a->quitting)
        app_mention_sync(a);
}

static void on_event(struct app *a, const struct tev *ev)
{
    switch (ev->kind) {
    case TEV_FOCUS:
        a->focused = ev->focused;
        return;
    case TEV_CPR:
    case TEV_KBD_FLAGS:
        return;
    case TEV_PASTE:
        app_paste(a, ev->text, ev->len);
        return;
    case TEV_MOUSE:
        mouse(a, ev);
        app_redraw(a);
        return;
    case TEV_KEY:
        break;
    }
    app_redraw(a);
    if (ctrl(ev, 'z')) {
        tterm_suspend(&a->term);
        return;
    }
    if (app_agents_key(a, ev) || app_agents_view_key(a, ev))
        return;
    if (a->pager) {
        app_pager_key(a, ev);
        return;
    }
    if (a->resume) {
        app_resume_key(a, ev);
        return;
    }
    if (a->pane == PANE_TRUST) {
        app_trust_key(a, ev);
        return;
    }
    if (a->pane == PANE_PICKER) {
        picker_key(a, ev);
        return;
    }
    if (a->question && app_question_key(a, ev))
        return;
    if (key(ev, TK_TAB, TM_SHIFT)) {
        app_plan_cycle(a);
        return;
    }
    if (a->searching) {
        search_key(a, ev);
        return;
    }
    if (ctrl(ev, 'c')) {
        ctrl_c(a);
        return;
    }
    if (ctrl(ev, 'd')) {
        if (composer_empty(&a->comp))
            app_quit(a, 0);
        else
            composer_delete(&a->comp);
        return;
    }
    if (ctrl(ev, 't')) {
        if (a->fullscreen) {
            a->details = !a->details;
            a->scroll = 0;
        } else {
            struct tlines lines;
            tlines_init(&lines);
            app_transcript_lines(a, &lines, true);
            app_pager_open(a, "T R A N S C R I P T", &lines, true);
        }
        return;
    }
    if (ctrl(ev, 'l')) {
        clear_screen(a);
        return;
    }
    if (ctrl(ev, 'g')) {
        app_open_editor(a);
        return;
    }
    if (ctrl(ev, 'r')) {
        a->searching = true;
        a->search_hit = -1;
        buf_truncate(&a->search, 0);
        free(a->hist_draft);
        a->hist_draft = xstrdup(composer_text(&a->comp));
        return;
    }
    if (key(ev, TK_PGUP, 0)) {
        scroll_by(a, a->h / 2 > 1 ? a->h / 2 : 1);
        return;
    }
    if (key(ev, TK_PGDN, 0)) {
        scroll_by(a, -(a->h / 2 > 1 ? a->h / 2 : 1));
        return;
    }
    if (key(ev, TK_HOME, TM_CTRL)) {
        scroll_by(a, 1L << 40);
        return;
    }
    if (key(ev, TK_END, TM_CTRL)) {
        a->scroll = 0;
        return;
    }
    if (key(ev, TK_ESC, 0)) {
        if (a->help) {
            a->help = false;
        } else if (app_mention_visible(a)) {
            app_mention_dismiss(a);
        } else if (composer_text(&a->comp)[0] == '/' && !a->slash_hidden) {
            a->slash_hidden = true;
        } else if (a->scroll > 0) {
            a->scroll = 0;
        } else if (a->turn_running) {
            app_interrupt(a);
            /* Queued follow-ups come back to the composer, not sent. */
            if (a->queued.n > 0 && composer_empty(&a->comp)) {
                struct buf b = BUF_INIT;
                for (size_t i = 0; i < a->queued.n; i++) {
                    if (i)
                        buf_putc(&b, '\n');
                    buf_puts(&b, a->queued.v[i]);
                }
                composer_set(&a->comp, buf_cstr(&b));
                buf_free(&b);
                strvec_free(&a->queued);
            }
        }
        return;
    }
    composer_key(a, ev);
}

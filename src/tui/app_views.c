/* Full-screen views: the pager (Ctrl-T transcript, /diff), the shortcut
 * help, the resume/fork picker and the folder-trust screen. */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/cells.h"
#include "tui/config_edit.h"
#include "tui/width.h"
#include "util/xalloc.h"

static bool is_key(const struct tev *ev, enum tkey k, unsigned mods)
{
    return ev->kind == TEV_KEY && ev->key == k && ev->mods == mods;
}

static bool is_char(const struct tev *ev, int32_t c, unsigned mods)
{
    return ev->kind == TEV_KEY && ev->key == TK_CHAR && ev->cp == c && ev->mods == mods;
}

/* ---- the transcript as lines ------------------------------------------------- */

void app_transcript_lines(struct app *a, struct tlines *out, bool details)
{
    struct cell_ctx ctx = {.width = a->w, .details = details, .fullscreen = true, .raw = a->raw};
    bool any = false;
    for (size_t i = 0; i < a->tr.n; i++) {
        struct cell *c = a->tr.v[i];
        if (!cell_visible(c, &ctx))
            continue;
        cell_layout(c, &ctx);
        if (c->rows.n == 0)
            continue;
        if (any)
            tlines_push(out);
        for (size_t r = 0; r < c->rows.n; r++)
            cell_copy_row(c, r, out);
        any = true;
    }
    /* Cells were laid out for this view: the next frame lays them out again
     * for its own. */
}

/* ---- the pager ------------------------------------------------------------------ */

void app_pager_open(struct app *a, const char *title, struct tlines *lines, bool transcript)
{
    if (a->pager)
        app_pager_close(a);
    struct pager *p = xcalloc(1, sizeof *p);
    p->title = xstrdup(title);
    tlines_init(&p->lines);
    tlines_take(&p->lines, lines);
    tlines_free(lines);
    p->transcript = transcript;
    /* A transcript opens at its end, a diff at its start. */
    p->top = transcript ? (long)p->lines.n : 0;
    a->pager = p;
    app_redraw(a);
}

void app_pager_close(struct app *a)
{
    struct pager *p = a->pager;
    if (!p)
        return;
    tlines_free(&p->lines);
    free(p->title);
    free(p);
    a->pager = NULL;
    trender_invalidate(&a->render);
    app_redraw(a);
}

static int pager_body(const struct app *a)
{
    int h = a->h - 4; /* title, rule, two hint rows */
    return h > 1 ? h : 1;
}

static void pager_clamp(struct app *a)
{
    struct pager *p = a->pager;
    long max = (long)p->lines.n - pager_body(a);
    if (max < 0)
        max = 0;
    if (p->top > max)
        p->top = max;
    if (p->top < 0)
        p->top = 0;
}

bool app_pager_key(struct app *a, const struct tev *ev)
{
    struct pager *p = a->pager;
    if (!p)
        return false;
    long page = pager_body(a);
    if (ev->kind == TEV_MOUSE) {
        if (ev->press && ev->button == TMOUSE_WHEEL_UP)
            p->top -= 3;
        else if (ev->press && ev->button == TMOUSE_WHEEL_DOWN)
            p->top += 3;
    } else if (is_char(ev, 'q', 0) || is_key(ev, TK_ESC, 0) ||
               (is_char(ev, 't', TM_CTRL) && p->transcript) || is_char(ev, 'c', TM_CTRL)) {
        app_pager_close(a);
        return true;
    } else if (is_key(ev, TK_UP, 0) || is_char(ev, 'k', 0)) {
        p->top--;
    } else if (is_key(ev, TK_DOWN, 0) || is_char(ev, 'j', 0)) {
        p->top++;
    } else if (is_key(ev, TK_PGUP, 0) || is_char(ev, 'b', 0)) {
        p->top -= page;
    } else if (is_key(ev, TK_PGDN, 0) || is_char(ev, ' ', 0)) {
        p->top += page;
    } else if (is_key(ev, TK_HOME, 0) || is_char(ev, 'g', 0)) {
        p->top = 0;
    } else if (is_key(ev, TK_END, 0) || is_char(ev, 'G', 0)) {
        p->top = (long)p->lines.n;
    }
    pager_clamp(a);
    app_redraw(a);
    return true;
}

static void draw_title(struct tgrid *g, int y, const char *title)
{
    struct buf t = BUF_INIT;
    buf_printf(&t, "/ %s ", title);
    while ((int)t.len < g->w * 2 && tw_strwidth(buf_cstr(&t)) + 2 <= g->w)
        buf_puts(&t, "/ ");
    tgrid_puts(g, 0, y, g->w, buf_cstr(&t), tstyle_attr(TA_DIM));
    buf_free(&t);
}

static void draw_rule(struct tgrid *g, int y, const char *label)
{
    int lw = tw_strwidth(label);
    for (int x = 0; x < g->w; x++)
        tgrid_puts(g, x, y, g->w, "─", tstyle_attr(TA_DIM));
    int at = g->w - lw - 3;
    if (at > 0) {
        tgrid_puts(g, at, y, g->w, " ", TSTYLE_PLAIN);
        tgrid_puts(g, at + 1, y, g->w, label, TSTYLE_PLAIN);
        tgrid_puts(g, at + 1 + lw, y, g->w, " ", TSTYLE_PLAIN);
    }
}

void app_draw_pager(struct app *a, struct tgrid *g)
{
    struct pager *p = a->pager;
    if (p->transcript) {
        /* A resize reflows the transcript. */
        static const int unset = -1;
        (void)unset;
    }
    pager_clamp(a);
    draw_title(g, 0, p->title);
    int body = pager_body(a);
    for (int r = 0; r < body; r++) {
        long i = p->top + r;
        if (i < (long)p->lines.n)
            tline_draw(&p->lines.v[i], g, 0, 1 + r, g->w);
        else
            tgrid_puts(g, 0, 1 + r, g->w, "~", tstyle_attr(TA_DIM));
    }
    long end = p->top + body;
    if (end > (long)p->lines.n)
        end = (long)p->lines.n;
    int pct = p->lines.n ? (int)(end * 100 / (long)p->lines.n) : 100;
    char label[32];
    snprintf(label, sizeof label, "%d%%", pct);
    draw_rule(g, 1 + body, label);
    /* A watched subagent's view has a message line instead. */
    if (app_agents_draw_prompt(a, g, 2 + body))
        return;
    tgrid_puts(g, 0, 2 + body, g->w, " ↑/↓ to scroll · pgup/pgdn to page · home/end to jump",
               tstyle_attr(TA_DIM));
    tgrid_puts(g, 0, 3 + body, g->w, " q close", tstyle_attr(TA_DIM));
}

/* ---- the shortcut help ------------------------------------------------------------- */

static const char *const help_rows[][3] = {
    {"/        Commands", "enter    Send message", "^t           Details"},
    {"!        Shell command", "tab      Queue while busy", "pgup / pgdn  Scroll"},
    {"^j       New line", "esc      Interrupt", "^home / ^end Top / latest"},
    {"↑ / ↓    History", "^c       Clear / quit", ""},
    {"^r       Search history", "^d       Quit", ""},
    {"^g       External editor", "^l       Clear screen", ""},
    {"", "^z       Suspend", ""},
    {"", "shift+tab Change mode", ""},
};

int app_help_rows(void)
{
    return 4 + (int)(sizeof help_rows / sizeof help_rows[0]);
}

void app_draw_help(struct app *a, struct tgrid *g, int y, int h)
{
    (void)a;
    int col[3] = {2, 32, 62};
    tgrid_puts(g, 2, y, g->w, "Keyboard shortcuts", tstyle_attr(TA_BOLD));
    tgrid_puts(g, col[0], y + 2, g->w, "Compose", tstyle_attr(TA_BOLD));
    tgrid_puts(g, col[1], y + 2, g->w, "Session", tstyle_attr(TA_BOLD));
    tgrid_puts(g, col[2], y + 2, g->w, "Transcript", tstyle_attr(TA_BOLD));
    for (size_t r = 0; r < sizeof help_rows / sizeof help_rows[0] && (int)r + 3 < h; r++)
        for (int c = 0; c < 3; c++)
            tgrid_puts(g, col[c], y + 3 + (int)r, c + 1 < 3 ? col[c + 1] - 1 : g->w,
                       help_rows[r][c], TSTYLE_PLAIN);
}

/* ---- the resume / fork picker ------------------------------------------------------------ */

static void list_threads(struct app *a);

static void on_listed(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    struct resume_view *v = a->resume;
    if (!v)
        return;
    v->loading = false;
    free(v->error);
    v->error = error ? xstrdup(error) : NULL;
    json_decref(v->threads);
    v->threads = json_array();
    /* Sessions with a turn, other than this one. */
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(result, "data"), i, t) {
        const char *id = json_string_value(json_object_get(t, "id"));
        const char *preview = json_string_value(json_object_get(t, "preview"));
        if (!id || !preview || !*preview || (a->thread_id && strcmp(id, a->thread_id) == 0))
            continue;
        json_array_append(v->threads, t);
    }
    if (v->sel >= json_array_size(v->threads))
        v->sel = 0;
    app_redraw(a);
}

static void list_threads(struct app *a)
{
    struct resume_view *v = a->resume;
    json_t *p = json_pack("{s:i s:s}", "limit", 200, "sortKey",
                          v->sort_created ? "created_at" : "updated_at");
    if (!v->all)
        json_object_set_new(p, "cwd", json_string(a->opt->cwd));
    if (v->archived)
        json_object_set_new(p, "archived", json_true());
    if (v->query.len)
        json_object_set_new(p, "searchTerm", json_string(buf_cstr(&v->query)));
    v->loading = true;
    app_request(a, "thread/list", p, on_listed);
}

void app_resume_open(struct app *a, bool fork)
{
    struct resume_view *v = xcalloc(1, sizeof *v);
    v->fork = fork;
    v->all = a->opt->all;
    v->threads = json_array();
    a->resume = v;
    list_threads(a);
    app_redraw(a);
}

static void resume_close(struct app *a)
{
    struct resume_view *v = a->resume;
    json_decref(v->threads);
    buf_free(&v->query);
    free(v->error);
    free(v);
    a->resume = NULL;
    trender_invalidate(&a->render);
}

static void age(int64_t when, char *out, size_t n)
{
    int64_t d = (int64_t)time(NULL) - when;
    if (d < 0)
        d = 0;
    if (d < 60)
        snprintf(out, n, "%llds ago", (long long)d);
    else if (d < 3600)
        snprintf(out, n, "%lldm ago", (long long)(d / 60));
    else if (d < 86400)
        snprintf(out, n, "%lldh ago", (long long)(d / 3600));
    else
        snprintf(out, n, "%lldd ago", (long long)(d / 86400));
}

static void on_archived_in_picker(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    if (!a->resume)
        return;
    if (error) {
        free(a->resume->error);
        a->resume->error = xstrdup(error);
    }
    list_threads(a);
}

bool app_resume_key(struct app *a, const struct tev *ev)
{
    struct resume_view *v = a->resume;
    size_t n = json_array_size(v->threads);
    if (ev->kind != TEV_KEY)
        return false;
    if (is_char(ev, 'c', TM_CTRL)) {
        resume_close(a);
        app_quit(a, 0);
        return true;
    }
    if (is_key(ev, TK_ESC, 0)) {
        /* Esc starts a new session instead. */
        bool was_fork = v->fork;
        (void)was_fork;
        resume_close(a);
        if (!a->thread_id && a->pending_starts == 0)
            app_new_thread(a);
        app_redraw(a);
        return true;
    }
    if (is_key(ev, TK_ENTER, 0)) {
        json_t *t = json_array_get(v->threads, v->sel);
        const char *id = json_string_value(json_object_get(t, "id"));
        if (!id)
            return true;
        char *tid = xstrdup(id);
        const char *nm = json_string_value(json_object_get(t, "name"));
        char *name = nm ? xstrdup(nm) : NULL;
        bool fork = v->fork;
        resume_close(a);
        if (a->thread_id) {
            /* From /resume inside a session: a fresh view for it. */
            app_request(a, "thread/unsubscribe", json_pack("{s:s}", "threadId", a->thread_id),
                        NULL);
            a->view_from = a->tr.n;
            char *shown = app_display_path(a, a->cwd);
            transcript_push(&a->tr, cell_header_new(a->opt->version, a->model, shown));
            free(shown);
        }
        app_resume_thread(a, tid, fork, name);
        free(tid);
        free(name);
        app_redraw(a);
        return true;
    }
    if (is_key(ev, TK_UP, 0)) {
        if (v->sel > 0)
            v->sel--;
    } else if (is_key(ev, TK_DOWN, 0)) {
        if (v->sel + 1 < n)
            v->sel++;
    } else if (is_key(ev, TK_PGUP, 0)) {
        v->sel = v->sel > 10 ? v->sel - 10 : 0;
    } else if (is_key(ev, TK_PGDN, 0)) {
        v->sel = v->sel + 10 < n ? v->sel + 10 : (n ? n - 1 : 0);
    } else if (is_key(ev, TK_TAB, 0) || is_key(ev, TK_LEFT, 0) || is_key(ev, TK_RIGHT, 0)) {
        v->all = !v->all;
        list_threads(a);
    } else if (is_char(ev, 's', TM_CTRL)) {
        v->sort_created = !v->sort_created;
        list_threads(a);
    } else if (is_char(ev, 'r', TM_CTRL)) {
        v->archived = !v->archived;
        v->sel = 0;
        list_threads(a);
    } else if (is_char(ev, 'e', TM_CTRL)) {
        v->expanded = !v->expanded;
    } else if (is_char(ev, 'a', TM_CTRL)) {
        json_t *t = json_array_get(v->threads, v->sel);
        const char *id = json_string_value(json_object_get(t, "id"));
        if (id && !v->archived)
            app_request(a, "thread/archive", json_pack("{s:s}", "threadId", id),
                        on_archived_in_picker);
    } else if (is_key(ev, TK_BACKSPACE, 0)) {
        if (v->query.len) {
            size_t k = v->query.len;
            do
                k--;
            while (k > 0 && ((unsigned char)v->query.data[k] & 0xC0) == 0x80);
            buf_truncate(&v->query, k);
            v->sel = 0;
            list_threads(a);
        }
    } else if (ev->key == TK_CHAR && !(ev->mods & (TM_CTRL | TM_ALT))) {
        char u[4];
        buf_append(&v->query, u, tw_encode(ev->cp, u));
        v->sel = 0;
        list_threads(a);
    }
    app_redraw(a);
    return true;
}

static void option(struct tline *l, const char *name, bool on, bool underline)
{
    tline_adds(l, " ", TSTYLE_PLAIN);
    tline_adds(l, name, tstyle_attr(on ? (uint16_t)(TA_BOLD | (underline ? TA_UNDERLINE : 0)) : 0));
    tline_adds(l, " ", TSTYLE_PLAIN);
}

void app_draw_resume(struct app *a, struct tgrid *g)
{
    struct resume_view *v = a->resume;
    tgrid_puts(g, 1, 0, g->w, v->fork ? "Fork a previous session" : "Resume a previous session",
               tstyle_attr(TA_BOLD));
    struct tline f;
    tline_init(&f);
    tline_adds(&f, " Filter: ", TSTYLE_PLAIN);
    option(&f, "Cwd", !v->all, true);
    option(&f, "All", v->all, true);
    tline_adds(&f, "   Status: ", TSTYLE_PLAIN);
    option(&f, "Active", !v->archived, false);
    option(&f, "Archived", v->archived, false);
    tline_adds(&f, "   Sort: ", TSTYLE_PLAIN);
    option(&f, "Updated", !v->sort_created, false);
    option(&f, "Created", v->sort_created, false);
    tline_draw(&f, g, 0, 2, g->w);
    tline_free(&f);
    if (v->query.len) {
        tgrid_puts(g, 1, 4, g->w, "Search: ", tstyle_attr(TA_DIM));
        tgrid_put(g, 9, 4, g->w, v->query.data, v->query.len, TSTYLE_PLAIN);
    } else {
        tgrid_puts(g, 1, 4, g->w, "Type to search", tstyle_attr(TA_DIM));
    }
    int list_top = 6, list_h = g->h - list_top - 3;
    if (list_h < 1)
        list_h = 1;
    size_t n = json_array_size(v->threads);
    if (v->sel < v->top)
        v->top = v->sel;
    if (v->sel >= v->top + (size_t)list_h)
        v->top = v->sel - (size_t)list_h + 1;
    int y = list_top;
    if (v->error) {
        tgrid_puts(g, 2, y, g->w, v->error, tstyle_fg(COL_RED));
    } else if (n == 0) {
        tgrid_puts(g, 2, y, g->w, v->loading ? "Loading…" : "No sessions found",
                   tstyle_attr(TA_DIM));
    }
    for (size_t i = v->top; i < n && y < list_top + list_h; i++) {
        json_t *t = json_array_get(v->threads, i);
        const char *name = json_string_value(json_object_get(t, "name"));
        const char *preview = json_string_value(json_object_get(t, "preview"));
        const char *title = name && *name ? name : preview && *preview ? preview : "(no prompt)";
        char when[32];
        age(json_integer_value(json_object_get(t, v->sort_created ? "createdAt" : "updatedAt")),
            when, sizeof when);
        bool sel = i == v->sel;
        struct tline l;
        tline_init(&l);
        tline_adds(&l, sel ? (v->expanded ? "  ⌄ " : "  › ") : "    ", tstyle_attr(TA_BOLD));
        char col[32];
        snprintf(col, sizeof col, "%-12s", when);
        tline_adds(&l, col, tstyle_attr(TA_DIM));
        char *one = tw_sanitize(title, strlen(title), false, NULL);
        tline_adds(&l, one, tstyle_fga(TC_HEX(0x94e2d5), sel ? TA_BOLD : 0));
        free(one);
        tline_truncate(&l, g->w);
        tline_draw(&l, g, 0, y++, g->w);
        tline_free(&l);
        if (sel && v->expanded) {
            const char *id = json_string_value(json_object_get(t, "id"));
            const char *cwd = json_string_value(json_object_get(t, "cwd"));
            char created[64], updated[64];
            time_t c = (time_t)json_integer_value(json_object_get(t, "createdAt"));
            time_t u = (time_t)json_integer_value(json_object_get(t, "updatedAt"));
            struct tm tm;
            localtime_r(&c, &tm);
            strftime(created, sizeof created, "%Y-%m-%d %H:%M:%S", &tm);
            localtime_r(&u, &tm);
            strftime(updated, sizeof updated, "%Y-%m-%d %H:%M:%S", &tm);
            const char *labels[] = {"Session:", "Created:", "Updated:", "Directory:", "Preview:"};
            const char *values[] = {id ? id : "", created, updated, cwd ? cwd : "",
                                    preview ? preview : ""};
            for (int k = 0; k < 5 && y < list_top + list_h; k++) {
                struct tline d;
                tline_init(&d);
                tline_adds(&d, "    │ ", tstyle_attr(TA_DIM));
                char lab[32];
                snprintf(lab, sizeof lab, "%-11s ", labels[k]);
                tline_adds(&d, lab, tstyle_attr(TA_DIM));
                char *sv = tw_sanitize(values[k], strlen(values[k]), false, NULL);
                tline_adds(&d, sv, TSTYLE_PLAIN);
                free(sv);
                tline_truncate(&d, g->w);
                tline_draw(&d, g, 0, y++, g->w);
                tline_free(&d);
            }
        }
    }
    char label[64];
    snprintf(label, sizeof label, "%zu / %zu", n ? v->sel + 1 : 0, n);
    draw_rule(g, g->h - 3, label);
    tgrid_puts(g, 0, g->h - 2, g->w,
               v->fork ? " enter fork   ^a archive   esc start new   ^c quit   tab cwd/all"
                       : " enter resume   ^a archive   esc start new   ^c quit   tab cwd/all",
               tstyle_attr(TA_DIM));
    tgrid_puts(g, 0, g->h - 1, g->w, " ^s sort   ^r archived   ^e expand   ↑/↓ browse",
               tstyle_attr(TA_DIM));
}

/* ---- the folder-trust screen ----------------------------------------------------------------- */

void app_after_trust(struct app *a);

void app_draw_trust(struct app *a, struct tgrid *g)
{
    int y = 1;
    tgrid_puts(g, 2, y++, g->w, "Folder access", tstyle_attr(TA_BOLD));
    const char *path = a->opt->trust_path ? a->opt->trust_path : a->opt->cwd;
    char *shown = app_display_path(a, path);
    tgrid_puts(g, 2, y++, g->w, shown, tstyle_attr(TA_DIM));
    free(shown);
    y++;
    struct tline l, rest;
    tline_init(&l);
    tline_init(&rest);
    tline_adds(&rest, "  ", TSTYLE_PLAIN);
    tline_adds(&l,
               "Trust this folder? Codex will read files, edit them and run commands here, "
               "within your permission settings. A trusted folder's own settings "
               "(.codex/config.toml) also apply, and they can make Codex run programs. Continue "
               "only if you trust what is in it. Your decision is saved in config.toml.",
               TSTYLE_PLAIN);
    struct tlines rows;
    tlines_init(&rows);
    tline_wrap(&l, g->w - 2 > 10 ? g->w - 2 : 10, &rest, &rest, &rows);
    for (size_t i = 0; i < rows.n && y < g->h; i++)
        tline_draw(&rows.v[i], g, 0, y++, g->w);
    tlines_free(&rows);
    tline_free(&l);
    tline_free(&rest);
    y++;
    const char *opts[] = {"1. Trust and continue", "2. Quit"};
    for (int i = 0; i < 2; i++) {
        bool sel = a->trust_sel == i;
        struct tline o;
        tline_init(&o);
        tline_adds(&o, sel ? "› " : "  ", tstyle_attr(sel ? TA_BOLD | TA_REVERSE : 0));
        tline_adds(&o, opts[i], tstyle_attr(sel ? TA_BOLD | TA_REVERSE : 0));
        tline_draw(&o, g, 0, y++, g->w);
        tline_free(&o);
    }
    y++;
    tgrid_puts(g, 2, y, g->w, "enter continue · esc quit", tstyle_attr(TA_DIM));
}

bool app_trust_key(struct app *a, const struct tev *ev)
{
    if (ev->kind != TEV_KEY)
        return false;
    if (is_key(ev, TK_UP, 0) || is_key(ev, TK_DOWN, 0)) {
        a->trust_sel = !a->trust_sel;
    } else if (is_char(ev, '1', 0)) {
        a->trust_sel = 0;
    } else if (is_char(ev, '2', 0)) {
        a->trust_sel = 1;
    } else if (is_key(ev, TK_ESC, 0) || is_char(ev, 'c', TM_CTRL)) {
        app_quit(a, 0);
        return true;
    } else if (is_key(ev, TK_ENTER, 0)) {
        if (a->trust_sel == 1) {
            app_quit(a, 0);
            return true;
        }
        const char *path = a->opt->trust_path ? a->opt->trust_path : a->opt->cwd;
        const char *keys[] = {"projects", path, "trust_level"};
        struct codex_error err = CODEX_ERROR_INIT;
        if (tui_config_set_string(a->opt->codex_home, keys, 3, "trusted", &err) != 0) {
            char *m = codex_error_text(&err);
            app_fail(a, "%s", m);
            free(m);
            codex_error_clear(&err);
            return true;
        }
        app_after_trust(a);
        return true;
    }
    app_redraw(a);
    return true;
}

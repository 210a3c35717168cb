/* The @ mention popup (TUI_FINDINGS §8): typing "@word" in the composer
 * opens a panel of the files and directories matching word, which narrows
 * as the word grows.  The search is the app server's: the popup starts a
 * fuzzyFileSearch session on the thread's directory when it opens (one
 * walk), sends the word on every change, and stops the session when it
 * closes, so it works the same in process and under --remote.
 *
 * Up/Down select, Enter or Tab replace "@word" with the chosen path (in
 * quotes when it has spaces) and a space, Esc closes the panel until the
 * cursor leaves that word.  Plugins and skills, which the reference also
 * lists here, are not offered: there are none to mention in this build. */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/width.h"
#include "util/xalloc.h"

#define MENTION_ROWS 8
#define KIND_CYAN TC_INDEX(6)
#define MORE_BLUE TC_RGB(99, 168, 248)

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The "@word" the cursor is in: its '@' and end; false when there is none. */
static bool current_word(const struct app *a, size_t *at, size_t *end)
{
    const char *t = composer_text(&a->comp);
    size_t len = a->comp.text.len, cur = a->comp.cursor;
    size_t s = cur;
    while (s > 0 && !is_space(t[s - 1]))
        s--;
    if (s >= len || t[s] != '@')
        return false;
    size_t e = cur;
    while (e < len && !is_space(t[e]))
        e++;
    *at = s;
    *end = e;
    return true;
}

static size_t file_count(const struct app *a)
{
    return json_array_size(a->mention.files);
}

static void close_popup(struct app *a)
{
    struct mention *m = &a->mention;
    if (m->session)
        app_request(a, "fuzzyFileSearch/sessionStop", json_pack("{s:s}", "sessionId", m->session),
                    NULL);
    free(m->session);
    m->session = NULL;
    free(m->query);
    m->query = NULL;
    json_decref(m->files);
    m->files = NULL;
    m->open = false;
    m->sel = 0;
}

static bool slash_popup_up(const struct app *a)
{
    const char *t = composer_text(&a->comp);
    return t[0] == '/' && !a->slash_hidden && !strchr(t, ' ') && !strchr(t, '\n');
}

void app_mention_sync(struct app *a)
{
    struct mention *m = &a->mention;
    size_t at, end;
    bool word = a->pane == PANE_COMPOSER && !slash_popup_up(a) && current_word(a, &at, &end);
    if (!word) {
        m->dismissed = false;
        if (m->open)
            close_popup(a);
        return;
    }
    if (m->dismissed && m->at == at)
        return;
    m->dismissed = false;
    if (m->open && m->at != at)
        close_popup(a);
    m->at = at;
    const char *t = composer_text(&a->comp);
    char *query = xstrndup(t + at + 1, a->comp.cursor - at - 1);
    if (!m->open) {
        m->open = true;
        m->session = xasprintf("tui-mentions-%u", ++m->serial);
        const char *root = a->cwd ? a->cwd : a->opt->cwd;
        app_request(a, "fuzzyFileSearch/sessionStart",
                    json_pack("{s:s s:[s]}", "sessionId", m->session, "roots", root ? root : "."),
                    NULL);
    }
    if (m->query && strcmp(m->query, query) == 0) {
        free(query);
        return;
    }
    free(m->query);
    m->query = query;
    m->sel = 0;
    if (!*query) { /* nothing to match: no rows until a character comes */
        json_decref(m->files);
        m->files = NULL;
    }
    app_request(a, "fuzzyFileSearch/sessionUpdate",
                json_pack("{s:s s:s}", "sessionId", m->session, "query", query), NULL);
}

bool app_mention_notification(struct app *a, const char *method, json_t *params)
{
    if (strncmp(method, "fuzzyFileSearch/session", 23) != 0)
        return false;
    struct mention *m = &a->mention;
    const char *id = json_string_value(json_object_get(params, "sessionId"));
    const char *query = json_string_value(json_object_get(params, "query"));
    if (strcmp(method, "fuzzyFileSearch/sessionUpdated") != 0 || !m->session || !id ||
        strcmp(id, m->session) != 0 || !query || !m->query || strcmp(query, m->query) != 0)
        return true; /* another session's, or a query already typed past */
    json_t *files = json_object_get(params, "files");
    if (!*query || !json_is_array(files))
        return true;
    json_decref(m->files);
    m->files = json_incref(files);
    if (m->sel >= file_count(a))
        m->sel = 0;
    app_redraw(a);
    return true;
}

bool app_mention_visible(const struct app *a)
{
    return a->mention.open && a->pane == PANE_COMPOSER;
}

void app_mention_dismiss(struct app *a)
{
    size_t at = a->mention.at;
    close_popup(a);
    a->mention.dismissed = true;
    a->mention.at = at;
}

static void insert_selected(struct app *a)
{
    struct mention *m = &a->mention;
    json_t *f = json_array_get(m->files, m->sel);
    const char *path = json_string_value(json_object_get(f, "path"));
    size_t at, end;
    if (!path || !current_word(a, &at, &end))
        return;
    bool spaces = strpbrk(path, " \t") != NULL && !strchr(path, '"');
    char *text = xasprintf(spaces ? "\"%s\" " : "%s ", path);
    composer_replace(&a->comp, at, end, text);
    free(text);
    close_popup(a);
}

bool app_mention_key(struct app *a, const struct tev *ev)
{
    if (!app_mention_visible(a) || ev->kind != TEV_KEY)
        return false;
    struct mention *m = &a->mention;
    size_t n = file_count(a);
    bool up = (ev->key == TK_UP && !ev->mods) ||
              (ev->key == TK_CHAR && ev->cp == 'p' && ev->mods == TM_CTRL);
    bool down = (ev->key == TK_DOWN && !ev->mods) ||
                (ev->key == TK_CHAR && ev->cp == 'n' && ev->mods == TM_CTRL);
    if (up || down) {
        if (n)
            m->sel = up ? (m->sel > 0 ? m->sel - 1 : n - 1) : (m->sel + 1) % n;
        return true;
    }
    if ((ev->key == TK_ENTER || ev->key == TK_TAB) && !ev->mods) {
        if (!n)
            return ev->key == TK_TAB; /* Enter with nothing to insert sends */
        insert_selected(a);
        return true;
    }
    return false;
}

/* ---- drawing ----------------------------------------------------------------------- */

int app_mention_rows(void)
{
    /* title, subtitle, blank, query, blank, the rows, "more", hint */
    return 5 + MENTION_ROWS + 2;
}

static void put_line(struct tgrid *g, int y, struct tline *l)
{
    tline_truncate(l, g->w);
    tline_draw(l, g, 0, y, g->w);
    tline_free(l);
}

static void hint(struct tline *l, const char *keys, const char *what, bool last)
{
    tline_adds(l, keys, tstyle_attr(TA_BOLD));
    tline_adds(l, what, tstyle_attr(TA_DIM));
    if (!last)
        tline_adds(l, " · ", tstyle_attr(TA_DIM));
}

void app_draw_mention(struct app *a, struct tgrid *g, int y, int rows)
{
    struct mention *m = &a->mention;
    int row = y, bottom = y + rows;
    struct tline l;
    const char *fixed[] = {"Mentions", "Files and directories"};
    for (int i = 0; i < 2 && row < bottom; i++, row++) {
        tline_init(&l);
        tline_adds(&l, "  ", TSTYLE_PLAIN);
        tline_adds(&l, fixed[i], tstyle_attr(i ? TA_DIM : TA_BOLD));
        put_line(g, row, &l);
    }
    row++;
    if (row < bottom) {
        tline_init(&l);
        tline_adds(&l, "  ", TSTYLE_PLAIN);
        bool empty = !m->query || !*m->query;
        char *safe = tw_sanitize(empty ? "Type to search mentions" : m->query,
                                 strlen(empty ? "Type to search mentions" : m->query), false, NULL);
        tline_adds(&l, safe, tstyle_attr(TA_DIM));
        free(safe);
        put_line(g, row++, &l);
    }
    row++;
    size_t n = file_count(a);
    if (m->sel >= n)
        m->sel = n ? n - 1 : 0;
    if (m->sel < m->top)
        m->top = m->sel;
    if (m->sel >= m->top + MENTION_ROWS)
        m->top = m->sel - MENTION_ROWS + 1;
    if (m->top > n)
        m->top = 0;
    int name_w = 0;
    for (size_t i = m->top; i < n && i < m->top + MENTION_ROWS; i++) {
        const char *name = json_string_value(json_object_get(json_array_get(m->files, i), "file_name"));
        int w = name ? tw_width(name, strlen(name)) : 0;
        if (w > name_w)
            name_w = w;
    }
    for (size_t k = 0; k < MENTION_ROWS && row < bottom; k++, row++) {
        size_t i = m->top + k;
        if (i >= n)
            continue;
        json_t *f = json_array_get(m->files, i);
        const char *name = json_string_value(json_object_get(f, "file_name"));
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *type = json_string_value(json_object_get(f, "match_type"));
        if (!name || !path)
            continue;
        bool sel = i == m->sel;
        size_t dir_len = strlen(path) - strlen(name);
        if (dir_len > strlen(path))
            dir_len = 0;
        char *safe_name = tw_sanitize(name, strlen(name), false, NULL);
        char *safe_dir = tw_sanitize(path, dir_len, false, NULL);
        const char *kind = type && strcmp(type, "directory") == 0 ? "Directory" : "File";
        struct tstyle name_st = sel ? tstyle_attr(TA_BOLD | TA_REVERSE) : tstyle_fg(KIND_CYAN);
        struct tstyle dir_st = sel ? tstyle_attr(TA_BOLD | TA_REVERSE) : tstyle_attr(TA_DIM);
        tline_init(&l);
        tline_adds(&l, sel ? "› " : "  ", sel ? tstyle_attr(TA_BOLD | TA_REVERSE) : TSTYLE_PLAIN);
        tline_adds(&l, safe_name, name_st);
        int pad = name_w - tw_width(safe_name, strlen(safe_name)) + 2;
        for (int p = 0; p < pad; p++)
            tline_adds(&l, " ", dir_st);
        tline_adds(&l, safe_dir, dir_st);
        int kind_w = (int)strlen(kind);
        int room = g->w - 2 - kind_w - tline_width(&l);
        for (int p = 0; p < room; p++)
            tline_adds(&l, " ", dir_st);
        tline_adds(&l, kind, sel ? tstyle_attr(TA_BOLD | TA_REVERSE) : tstyle_fg(KIND_CYAN));
        free(safe_name);
        free(safe_dir);
        put_line(g, row, &l);
    }
    if (row < bottom) {
        if (n > m->top + MENTION_ROWS)
            tgrid_puts(g, 0, row, g->w, "↓", tstyle_fg(MORE_BLUE));
        row++;
    }
    if (row < bottom) {
        tline_init(&l);
        tline_adds(&l, "  ", TSTYLE_PLAIN);
        hint(&l, "enter/tab", " insert", false);
        hint(&l, "esc", " close", false);
        hint(&l, "↑/↓", " select", true);
        put_line(g, row, &l);
    }
}

void app_mention_free(struct app *a)
{
    free(a->mention.session);
    free(a->mention.query);
    json_decref(a->mention.files);
    memset(&a->mention, 0, sizeof a->mention);
}

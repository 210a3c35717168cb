/* What the footer's status line and the terminal title are made of
 * (tui.status_line, tui.terminal_title in config.toml), and /statusline
 * and /title, which choose and order those items and save the choice with
 * config/batchWrite.  Items without a value at the moment (no thread name
 * yet, not in a git repository) are left out.  Only items this build can
 * fill are offered; an unknown id in the config is skipped. */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/git_head.h"
#include "tui/cells.h"
#include "tui/width.h"
#include "util/xalloc.h"

#define FOOTER_MODEL TC_HEX(0xf6e2b7)
#define FOOTER_CWD TC_HEX(0xabdfa7)
#define FOOTER_TITLE TC_HEX(0x94e2d5)

struct item_info {
    const char *id, *desc;
};

static const struct item_info status_catalogue[] = {
    {"model-with-reasoning", "Current model name with reasoning level"},
    {"current-dir", "Current working directory"},
    {"thread-name", "Current thread name (omitted when unnamed)"},
    {"model", "Current model name"},
    {"reasoning", "Current reasoning level"},
    {"project-name", "Project name (omitted when unavailable)"},
    {"hostname", "Current machine hostname (omitted when unavailable)"},
    {"git-branch", "Current Git branch (omitted when unavailable)"},
    {"run-state", "Compact session run-state text (Ready, Working, Thinking)"},
    {"context-remaining", "Percentage of context window remaining (omitted when unknown)"},
    {"context-used", "Percentage of context window used (omitted when unknown)"},
    {"codex-version", "Codex application version"},
    {"permissions", "Active permission profile or sandbox mode"},
    {"approval-mode", "Active command approval mode"},
    {NULL, NULL},
};

static const struct item_info title_catalogue[] = {
    {"activity", "Spinner while working, action-required message while blocked"},
    {"thread-name", "Current thread name (omitted when unnamed)"},
    {"project-name", "Project name (falls back to current directory name)"},
    {"app-name", "Codex app name"},
    {"current-dir", "Current working directory"},
    {"run-state", "Compact session run-state text (Ready, Working, Thinking)"},
    {"thread-title", "Current thread title, or thread identifier when unnamed"},
    {"git-branch", "Current Git branch (omitted when unavailable)"},
    {"context-remaining", "Percentage of context window remaining (omitted when unknown)"},
    {"context-used", "Percentage of context window used (omitted when unknown)"},
    {NULL, NULL},
};

static const char *const status_default[] = {"model-with-reasoning", "current-dir", "thread-name",
                                             NULL};
static const char *const title_default[] = {"activity", "thread-name", "project-name", NULL};

void app_items_init(struct app *a)
{
    a->status_items = (struct strvec)STRVEC_INIT;
    a->title_items = (struct strvec)STRVEC_INIT;
    if (a->opt->status_line_set)
        for (int i = 0; i < a->opt->n_status_line; i++)
            strvec_push(&a->status_items, a->opt->status_line[i]);
    else
        for (const char *const *d = status_default; *d; d++)
            strvec_push(&a->status_items, *d);
    if (a->opt->terminal_title_set)
        for (int i = 0; i < a->opt->n_terminal_title; i++)
            strvec_push(&a->title_items, a->opt->terminal_title[i]);
    else
        for (const char *const *d = title_default; *d; d++)
            strvec_push(&a->title_items, *d);
    a->status_plain = a->opt->status_line_plain;
}

void app_items_free(struct app *a)
{
    strvec_free(&a->status_items);
    strvec_free(&a->title_items);
}

static const char *base_name(const char *path)
{
    if (!path || !*path)
        return NULL;
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

static int context_percent(const struct app *a, bool used)
{
    if (a->context_window <= 0)
        return -1;
    long u = (long)(a->context_used * 100 / a->context_window);
    u = u < 0 ? 0 : u > 100 ? 100 : u;
    return (int)(used ? u : 100 - u);
}

/* One item's text now, or NULL when it has none (caller frees). */
static char *item_text(struct app *a, const char *id, bool title)
{
    if (strcmp(id, "model-with-reasoning") == 0)
        return a->model ? xasprintf("%s %s", app_model_display(a), a->effort ? a->effort : "default")
                        : NULL;
    if (strcmp(id, "model") == 0)
        return a->model ? xstrdup(app_model_display(a)) : NULL;
    if (strcmp(id, "reasoning") == 0)
        return xstrdup(a->effort ? a->effort : "default");
    if (strcmp(id, "current-dir") == 0)
        return a->cwd ? app_display_path(a, a->cwd) : NULL;
    if (strcmp(id, "project-name") == 0) {
        const char *b = base_name(a->opt->trust_path ? a->opt->trust_path : a->cwd);
        if (!b && title)
            b = base_name(a->cwd);
        return b ? xstrdup(b) : NULL;
    }
    if (strcmp(id, "thread-name") == 0)
        return a->thread_title ? xstrdup(a->thread_title) : NULL;
    if (strcmp(id, "thread-title") == 0)
        return a->thread_title ? xstrdup(a->thread_title)
                               : a->thread_id ? xstrdup(a->thread_id) : NULL;
    if (strcmp(id, "hostname") == 0) {
        char host[256];
        if (gethostname(host, sizeof host) != 0)
            return NULL;
        host[sizeof host - 1] = '\0';
        return *host ? xstrdup(host) : NULL;
    }
    if (strcmp(id, "git-branch") == 0) {
        char *commit = NULL, *branch = NULL;
        const char *dir = a->cwd ? a->cwd : a->opt->cwd;
        if (!dir || git_head(dir, &commit, &branch) != 0) {
            free(commit);
            free(branch);
            return NULL;
        }
        free(commit);
        return branch;
    }
    if (strcmp(id, "run-state") == 0)
        return xstrdup(a->approvals ? "Waiting" : a->turn_running ? "Working" : "Ready");
    if (strcmp(id, "context-remaining") == 0 || strcmp(id, "context-used") == 0) {
        bool used = strcmp(id, "context-used") == 0;
        int pct = context_percent(a, used);
        return pct < 0 ? NULL : xasprintf("%d%% context %s", pct, used ? "used" : "left");
    }
    if (strcmp(id, "codex-version") == 0)
        return xasprintf("v%s", a->opt->version);
    if (strcmp(id, "permissions") == 0)
        return xstrdup(app_permissions_label(a));
    if (strcmp(id, "approval-mode") == 0)
        return a->approval_policy ? xstrdup(a->approval_policy) : NULL;
    if (strcmp(id, "app-name") == 0)
        return xstrdup("Codex");
    if (strcmp(id, "activity") == 0) {
        static const char *const frames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
        if (a->approvals)
            return xstrdup("[ ! ] Action Required");
        return a->turn_running ? xstrdup(frames[a->spinner % 10]) : NULL;
    }
    return NULL;
}

static struct tstyle item_style(const struct app *a, const char *id)
{
    if (a->status_plain)
        return TSTYLE_PLAIN;
    if (strcmp(id, "model-with-reasoning") == 0 || strcmp(id, "model") == 0 ||
        strcmp(id, "reasoning") == 0)
        return tstyle_fg(FOOTER_MODEL);
    if (strcmp(id, "current-dir") == 0 || strcmp(id, "project-name") == 0)
        return tstyle_fg(FOOTER_CWD);
    if (strcmp(id, "thread-name") == 0)
        return tstyle_fg(FOOTER_TITLE);
    return TSTYLE_PLAIN;
}

static void status_line_of(struct app *a, const char *const *ids, size_t n, struct tline *l)
{
    tline_adds(l, "  ", TSTYLE_PLAIN);
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        char *t = item_text(a, ids[i], false);
        if (!t || !*t) {
            free(t);
            continue;
        }
        if (any)
            tline_adds(l, " · ", TSTYLE_PLAIN);
        char *safe = tw_sanitize(t, strlen(t), false, NULL);
        tline_adds(l, safe, item_style(a, ids[i]));
        free(safe);
        free(t);
        any = true;
    }
    /* Once the thread has subagents, the line names the agent on screen. */
    const char *agent = app_agents_footer_label(a);
    if (agent) {
        if (any)
            tline_adds(l, " · ", TSTYLE_PLAIN);
        tline_adds(l, agent, TSTYLE_PLAIN);
    }
}

void app_status_line(struct app *a, struct tline *l)
{
    status_line_of(a, (const char *const *)a->status_items.v, a->status_items.n, l);
}

static char *title_of(struct app *a, const char *const *ids, size_t n)
{
    /* A spinner leads the rest; everything else is joined with bars. */
    struct buf b = BUF_INIT;
    const char *spinner = NULL;
    char *spin_text = NULL;
    for (size_t i = 0; i < n; i++) {
        char *t = item_text(a, ids[i], true);
        if (!t || !*t) {
            free(t);
            continue;
        }
        if (strcmp(ids[i], "activity") == 0 && !a->approvals) {
            free(spin_text);
            spinner = spin_text = t;
            continue;
        }
        char *safe = tw_sanitize(t, strlen(t), false, NULL);
        buf_printf(&b, "%s%s", b.len ? " | " : "", safe);
        free(safe);
        free(t);
    }
    char *out = spinner ? xasprintf("%s%s%s", spinner, b.len ? " " : "", buf_cstr(&b))
                        : xstrdup(buf_cstr(&b));
    free(spin_text);
    buf_free(&b);
    return out;
}

char *app_title_text(struct app *a)
{
    return title_of(a, (const char *const *)a->title_items.v, a->title_items.n);
}

/* ---- /statusline and /title ---------------------------------------------------------------- */

static bool listed(const struct strvec *v, const char *id)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], id) == 0)
            return true;
    return false;
}

static const struct item_info *find_info(const struct item_info *cat, const char *id)
{
    for (; cat->id; cat++)
        if (strcmp(cat->id, id) == 0)
            return cat;
    return NULL;
}

#define COLORS_ITEM "\x01colors"

static void open_items(struct app *a, enum picker_kind kind)
{
    bool status = kind == PICK_STATUSLINE;
    const struct item_info *cat = status ? status_catalogue : title_catalogue;
    const struct strvec *chosen = status ? &a->status_items : &a->title_items;
    picker_reset(&a->picker);
    a->picker.kind = kind;
    a->help = false;
    struct picker *p = &a->picker;
    picker_header(p, status ? "Configure Status Line" : "Configure Terminal Title",
                  tstyle_attr(TA_BOLD));
    picker_header(p, status ? "Select which items to display in the status line."
                            : "Select which items to display in the terminal title.",
                  tstyle_attr(TA_DIM));
    picker_header(p, "", TSTYLE_PLAIN);
    if (status) {
        picker_add(p, "Use theme colors", "Apply colors to the status line items", COLORS_ITEM, 0,
                   false);
        p->items[p->n - 1].check = !a->status_plain;
    }
    /* The chosen items in their order, then the rest as catalogued. */
    for (size_t i = 0; i < chosen->n; i++) {
        const struct item_info *info = find_info(cat, chosen->v[i]);
        if (!info)
            continue;
        picker_add(p, info->id, info->desc, info->id, 0, false);
        p->items[p->n - 1].check = 1;
    }
    for (const struct item_info *c = cat; c->id; c++) {
        if (listed(chosen, c->id))
            continue;
        picker_add(p, c->id, c->desc, c->id, 0, false);
        p->items[p->n - 1].check = 0;
    }
    p->toggles = true;
    p->fit_column = true;
    p->hint = xstrdup("space toggle · ←/→ reorder · enter save · esc cancel");
    a->pane = PANE_PICKER;
    app_redraw(a);
}

void app_cmd_statusline(struct app *a, const char *args)
{
    (void)args;
    open_items(a, PICK_STATUSLINE);
}

void app_cmd_title(struct app *a, const char *args)
{
    (void)args;
    open_items(a, PICK_TITLE);
}

static void picked(const struct picker *p, struct strvec *out)
{
    *out = (struct strvec)STRVEC_INIT;
    for (size_t i = 0; i < p->n; i++)
        if (p->items[i].check == 1 && strcmp(p->items[i].value, COLORS_ITEM) != 0)
            strvec_push(out, p->items[i].value);
}

/* ←/→ move the selected item up or down the order. */
bool app_items_reorder(struct app *a, int dir)
{
    struct picker *p = &a->picker;
    if (p->kind != PICK_STATUSLINE && p->kind != PICK_TITLE)
        return false;
    size_t first = p->kind == PICK_STATUSLINE ? 1 : 0; /* the colours box stays on top */
    if (p->sel < first)
        return true;
    size_t to = dir < 0 ? p->sel - 1 : p->sel + 1;
    if ((dir < 0 && p->sel == first) || to >= p->n)
        return true;
    struct pick_item t = p->items[p->sel];
    p->items[p->sel] = p->items[to];
    p->items[to] = t;
    p->sel = to;
    return true;
}

/* The line as it would look, under the list. */
void app_items_preview(struct app *a, struct tlines *out)
{
    struct picker *p = &a->picker;
    if (p->kind != PICK_STATUSLINE && p->kind != PICK_TITLE)
        return;
    struct strvec ids;
    picked(p, &ids);
    tlines_push(out);
    struct tline *l = tlines_push(out);
    if (p->kind == PICK_STATUSLINE) {
        bool plain = a->status_plain;
        a->status_plain = p->items[0].check != 1;
        status_line_of(a, (const char *const *)ids.v, ids.n, l);
        a->status_plain = plain;
    } else {
        char *t = title_of(a, (const char *const *)ids.v, ids.n);
        tline_adds(l, "  ", TSTYLE_PLAIN);
        tline_adds(l, *t ? t : "(empty title)", *t ? TSTYLE_PLAIN : tstyle_attr(TA_DIM));
        free(t);
    }
    strvec_free(&ids);
}

static void on_saved(void *ud, json_t *result, const char *error)
{
    struct app *a = ud;
    (void)result;
    app_failed(a, "Could not save the choice", error);
}

void app_items_save(struct app *a)
{
    struct picker *p = &a->picker;
    bool status = p->kind == PICK_STATUSLINE;
    struct strvec ids;
    picked(p, &ids);
    json_t *arr = json_array();
    for (size_t i = 0; i < ids.n; i++)
        json_array_append_new(arr, json_string(ids.v[i]));
    json_t *edits = json_pack("[{s:s s:o s:s}]", "keyPath", status ? "tui.status_line" : "tui.terminal_title",
                              "value", arr, "mergeStrategy", "replace");
    if (status) {
        a->status_plain = p->items[0].check != 1;
        json_array_append_new(edits, json_pack("{s:s s:b s:s}", "keyPath", "tui.status_line_use_colors",
                                               "value", !a->status_plain, "mergeStrategy", "replace"));
    }
    struct strvec *target = status ? &a->status_items : &a->title_items;
    strvec_free(target);
    *target = ids;
    app_request(a, "config/batchWrite", json_pack("{s:o}", "edits", edits), on_saved);
    app_picker_close(a);
    app_write_terminal_title(a);
}

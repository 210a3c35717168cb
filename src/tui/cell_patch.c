/* File-change cells ("Added notes.md (+4 -0)" with numbered, tinted diff
 * lines) and plan cells ("Updated Plan · 1/3 complete"). */
#include "tui/cells.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/highlight.h"
#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define COLLAPSED_LINES 3
#define INLINE_MAX_LINES 50

enum dline_kind { DL_CONTEXT, DL_ADD, DL_DEL };

struct dline {
    enum dline_kind kind;
    int lineno;
    char *text;
};

struct change {
    char *path;      /* as shown */
    char *move_to;   /* as shown, or NULL */
    char *verb;      /* Added / Edited / Deleted */
    const char *lang;
    struct dline *lines;
    size_t n;
    int added, removed;
};

struct patch_cell {
    struct cell base;
    char *cwd;
    struct change *changes;
    size_t n;
};

static char *shown_path(const char *path, const char *cwd)
{
    if (!path)
        return xstrdup("");
    size_t cl = cwd ? strlen(cwd) : 0;
    if (cl && strncmp(path, cwd, cl) == 0 && path[cl] == '/')
        path += cl + 1;
    return tw_sanitize(path, strlen(path), false, NULL);
}

static void push_line(struct change *ch, enum dline_kind k, int lineno, const char *s, size_t n)
{
    ch->lines = xrealloc(ch->lines, (ch->n + 1) * sizeof *ch->lines);
    ch->lines[ch->n].kind = k;
    ch->lines[ch->n].lineno = lineno;
    ch->lines[ch->n].text = tw_sanitize(s, n, false, NULL);
    ch->n++;
    if (k == DL_ADD)
        ch->added++;
    else if (k == DL_DEL)
        ch->removed++;
}

static bool is_unified(const char *diff)
{
    return strncmp(diff, "@@", 2) == 0 || strncmp(diff, "--- ", 4) == 0 ||
           strncmp(diff, "diff ", 5) == 0 || strstr(diff, "\n@@") != NULL;
}

static void parse_diff(struct change *ch, const char *diff, const char *kind)
{
    if (!diff || !*diff)
        return;
    size_t len = strlen(diff);
    bool unified = is_unified(diff);
    int old_no = 1, new_no = 1;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(diff + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - diff) : len;
        const char *s = diff + i;
        size_t n = e - i;
        i = e + 1;
        if (!unified) {
            /* An added or deleted file's content, line by line. */
            bool del = strcmp(kind, "delete") == 0;
            push_line(ch, del ? DL_DEL : DL_ADD, del ? old_no++ : new_no++, s, n);
            continue;
        }
        if (n >= 2 && s[0] == '@' && s[1] == '@') {
            int a = 1, c = 1;
            if (sscanf(s, "@@ -%d%*[^+]+%d", &a, &c) >= 1) {
                old_no = a;
                new_no = c;
            }
            continue;
        }
        if ((n >= 4 && (strncmp(s, "--- ", 4) == 0 || strncmp(s, "+++ ", 4) == 0)) ||
            (n >= 5 && strncmp(s, "diff ", 5) == 0) || (n >= 6 && strncmp(s, "index ", 6) == 0) ||
            (n >= 1 && s[0] == '\\'))
            continue;
        if (n >= 1 && s[0] == '+')
            push_line(ch, DL_ADD, new_no++, s + 1, n - 1);
        else if (n >= 1 && s[0] == '-')
            push_line(ch, DL_DEL, old_no++, s + 1, n - 1);
        else if (i <= len || n > 0) {
            push_line(ch, DL_CONTEXT, new_no, n >= 1 ? s + 1 : s, n >= 1 ? n - 1 : 0);
            new_no++;
            old_no++;
        }
    }
}

static void add_header(struct tlines *rows, const struct change *ch, int width)
{
    struct tline l;
    tline_init(&l);
    tline_adds(&l, "• ", tstyle_attr(TA_DIM));
    tline_adds(&l, ch->verb, tstyle_attr(TA_BOLD));
    tline_adds(&l, " ", TSTYLE_PLAIN);
    tline_adds(&l, ch->path, TSTYLE_PLAIN);
    if (ch->move_to) {
        tline_adds(&l, " → ", TSTYLE_PLAIN);
        tline_adds(&l, ch->move_to, TSTYLE_PLAIN);
    }
    char n[32];
    tline_adds(&l, " (", TSTYLE_PLAIN);
    snprintf(n, sizeof n, "+%d", ch->added);
    tline_adds(&l, n, tstyle_fg(COL_GREEN));
    tline_adds(&l, " ", TSTYLE_PLAIN);
    snprintf(n, sizeof n, "-%d", ch->removed);
    tline_adds(&l, n, tstyle_fg(COL_RED));
    tline_adds(&l, ")", TSTYLE_PLAIN);
    struct tline rest;
    tline_init(&rest);
    tline_adds(&rest, "  ", TSTYLE_PLAIN);
    tline_wrap(&l, width, NULL, &rest, rows);
    tline_free(&rest);
    tline_free(&l);
}

static void add_diff_line(struct tlines *rows, const struct change *ch, const struct dline *d,
                          int numw, int width)
{
    struct tline *l = tlines_push(rows);
    char num[32];
    snprintf(num, sizeof num, "    %*d ", numw, d->lineno);
    tline_adds(l, num, tstyle_attr(TA_DIM));
    tcolor bg = d->kind == DL_ADD ? COL_ADD_BG : d->kind == DL_DEL ? COL_DEL_BG : TC_DEFAULT;
    if (d->kind == DL_ADD)
        tline_adds(l, "+", tstyle_fg(COL_GREEN));
    else if (d->kind == DL_DEL)
        tline_adds(l, "-", tstyle_fg(COL_RED));
    else
        tline_adds(l, " ", TSTYLE_PLAIN);
    int state = 0;
    hl_line(ch->lang, d->text, strlen(d->text), l, &state);
    tline_truncate(l, width);
    if (bg != TC_DEFAULT) {
        /* The tint covers the whole row; the line number keeps its own. */
        for (uint32_t i = 1; i < l->n; i++)
            l->spans[i].style.bg = bg;
        l->has_fill = true;
        l->fill = (struct tstyle){TC_DEFAULT, bg, 0};
    }
}

static void patch_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct patch_cell *p = (struct patch_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    for (size_t k = 0; k < p->n; k++) {
        const struct change *ch = &p->changes[k];
        add_header(&c->rows, ch, ctx->width);
        int maxno = 1;
        for (size_t i = 0; i < ch->n; i++)
            if (ch->lines[i].lineno > maxno)
                maxno = ch->lines[i].lineno;
        char tmp[32];
        int numw = snprintf(tmp, sizeof tmp, "%d", maxno);
        size_t shown = 0, hidden = 0;
        for (size_t i = 0; i < ch->n; i++) {
            const struct dline *d = &ch->lines[i];
            bool want;
            if (ctx->details)
                want = true;
            else if (ctx->fullscreen)
                want = d->kind != DL_CONTEXT && shown < COLLAPSED_LINES;
            else
                want = shown < INLINE_MAX_LINES;
            if (!want) {
                hidden++;
                continue;
            }
            add_diff_line(&c->rows, ch, d, numw, ctx->width);
            shown++;
        }
        if (hidden && !ctx->details) {
            struct tline *more = tlines_push(&c->rows);
            if (ctx->fullscreen) {
                tline_adds(more, "    + Show details", tstyle_attr(TA_DIM));
            } else {
                char note[64];
                snprintf(note, sizeof note, "    +%zu lines (^t to view transcript)", hidden);
                tline_adds(more, note, tstyle_attr(TA_DIM));
            }
        }
    }
    c->stable = c->finished ? c->rows.n : 0;
}

static void free_changes(struct patch_cell *p)
{
    for (size_t k = 0; k < p->n; k++) {
        struct change *ch = &p->changes[k];
        for (size_t i = 0; i < ch->n; i++)
            free(ch->lines[i].text);
        free(ch->lines);
        free(ch->path);
        free(ch->move_to);
        free(ch->verb);
    }
    free(p->changes);
    p->changes = NULL;
    p->n = 0;
}

static void patch_free(struct cell *c)
{
    struct patch_cell *p = (struct patch_cell *)c;
    free_changes(p);
    free(p->cwd);
}

static const struct cell_ops patch_ops = {.layout = patch_layout, .free = patch_free};

void cell_patch_update(struct cell *c, const json_t *item)
{
    struct patch_cell *p = (struct patch_cell *)c;
    json_t *changes = json_object_get(item, "changes");
    if (json_is_array(changes)) {
        free_changes(p);
        size_t i;
        json_t *ch;
        json_array_foreach(changes, i, ch) {
            p->changes = xrealloc(p->changes, (p->n + 1) * sizeof *p->changes);
            struct change *dst = &p->changes[p->n++];
            memset(dst, 0, sizeof *dst);
            const char *path = json_string_value(json_object_get(ch, "path"));
            json_t *kind = json_object_get(ch, "kind");
            const char *type = json_string_value(json_object_get(kind, "type"));
            if (!type)
                type = json_string_value(kind);
            if (!type)
                type = "update";
            const char *move = json_string_value(json_object_get(kind, "move_path"));
            dst->path = shown_path(path, p->cwd);
            dst->move_to = move ? shown_path(move, p->cwd) : NULL;
            dst->verb = xstrdup(strcmp(type, "add") == 0      ? "Added"
                                : strcmp(type, "delete") == 0 ? "Deleted"
                                                              : "Edited");
            dst->lang = hl_language(path);
            parse_diff(dst, json_string_value(json_object_get(ch, "diff")), type);
        }
    }
    const char *status = json_string_value(json_object_get(item, "status"));
    if (status && strcmp(status, "inProgress") != 0)
        c->finished = true;
    cell_touch(c);
}

struct cell *cell_patch_new(const json_t *item, const char *cwd)
{
    struct patch_cell *p = xcalloc(1, sizeof *p);
    cell_base_init(&p->base, &patch_ops, CT_PATCH, json_string_value(json_object_get(item, "id")));
    p->cwd = cwd ? xstrdup(cwd) : NULL;
    cell_patch_update(&p->base, item);
    return &p->base;
}

const char *cell_patch_first_path(const struct cell *c)
{
    const struct patch_cell *p = (const struct patch_cell *)c;
    return p->n ? p->changes[0].path : NULL;
}

/* ---- plans ----------------------------------------------------------------------- */

enum step_state { STEP_PENDING, STEP_ACTIVE, STEP_DONE };

struct plan_cell {
    struct cell base;
    char *explanation;
    char **steps;
    enum step_state *states;
    size_t n;
};

static void add_step(struct tlines *rows, const char *step, enum step_state st, bool first,
                     int width)
{
    struct tline l, pfx_first, pfx_rest;
    tline_init(&l);
    tline_init(&pfx_first);
    tline_init(&pfx_rest);
    tline_adds(&pfx_first, first ? "  └ " : "    ", tstyle_attr(TA_DIM));
    tline_adds(&pfx_rest, "      ", TSTYLE_PLAIN);
    switch (st) {
    case STEP_DONE:
        tline_adds(&l, "✔ ", tstyle_attr(TA_DIM));
        tline_adds(&l, step, tstyle_attr(TA_DIM | TA_STRIKE));
        break;
    case STEP_ACTIVE:
        tline_adds(&l, "□ ", tstyle_fga(COL_ACCENT, TA_BOLD));
        tline_adds(&l, step, tstyle_fga(COL_ACCENT, TA_BOLD));
        break;
    case STEP_PENDING:
        tline_adds(&l, "□ ", tstyle_attr(TA_DIM));
        tline_adds(&l, step, tstyle_attr(TA_DIM));
        break;
    }
    tline_wrap(&l, width, &pfx_first, &pfx_rest, rows);
    tline_free(&l);
    tline_free(&pfx_first);
    tline_free(&pfx_rest);
}

static void plan_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct plan_cell *p = (struct plan_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    size_t done = 0;
    bool mixed = false;
    for (size_t i = 0; i < p->n; i++)
        done += p->states[i] == STEP_DONE;
    mixed = done > 0 && done < p->n;
    struct tline *t = tlines_push(&c->rows);
    tline_adds(t, "• ", tstyle_attr(TA_DIM));
    tline_adds(t, "Updated Plan", tstyle_attr(TA_BOLD));
    if (!ctx->details) {
        char count[64];
        snprintf(count, sizeof count, " · %zu/%zu complete", done, p->n);
        tline_adds(t, count, tstyle_attr(TA_DIM));
    }
    bool first = true;
    if (ctx->details && p->explanation) {
        struct tline l, a, b;
        tline_init(&l);
        tline_init(&a);
        tline_init(&b);
        tline_adds(&a, "  └ ", tstyle_attr(TA_DIM));
        tline_adds(&b, "    ", TSTYLE_PLAIN);
        tline_adds(&l, p->explanation, tstyle_attr(TA_ITALIC));
        tline_wrap(&l, ctx->width, &a, &b, &c->rows);
        tline_free(&l);
        tline_free(&a);
        tline_free(&b);
        first = false;
    }
    /* Finished steps move to the end while others remain. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < p->n; i++) {
            bool is_done = p->states[i] == STEP_DONE;
            if (!ctx->details && mixed && (pass == 0) == is_done)
                continue;
            if ((ctx->details || !mixed) && pass == 1)
                continue;
            add_step(&c->rows, p->steps[i], p->states[i], first, ctx->width);
            first = false;
        }
    }
    if (!ctx->details && ctx->fullscreen && p->explanation) {
        struct tline *more = tlines_push(&c->rows);
        tline_adds(more, "    + Show details", tstyle_attr(TA_DIM));
    }
    c->stable = c->rows.n;
}

static void plan_free(struct cell *c)
{
    struct plan_cell *p = (struct plan_cell *)c;
    for (size_t i = 0; i < p->n; i++)
        free(p->steps[i]);
    free(p->steps);
    free(p->states);
    free(p->explanation);
}

static const struct cell_ops plan_ops = {.layout = plan_layout, .free = plan_free};

struct cell *cell_plan_new(const json_t *params)
{
    struct plan_cell *p = xcalloc(1, sizeof *p);
    cell_base_init(&p->base, &plan_ops, CT_PLAN, NULL);
    p->base.finished = true;
    const char *ex = json_string_value(json_object_get(params, "explanation"));
    if (ex && *ex)
        p->explanation = tw_sanitize(ex, strlen(ex), false, NULL);
    json_t *plan = json_object_get(params, "plan");
    size_t n = json_array_size(plan);
    p->steps = xcalloc(n + 1, sizeof *p->steps);
    p->states = xcalloc(n + 1, sizeof *p->states);
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(plan, i);
        const char *step = json_string_value(json_object_get(s, "step"));
        const char *status = json_string_value(json_object_get(s, "status"));
        p->steps[p->n] = tw_sanitize(step ? step : "", step ? strlen(step) : 0, false, NULL);
        p->states[p->n] = !status                         ? STEP_PENDING
                          : strcmp(status, "completed") == 0 ? STEP_DONE
                          : (strcmp(status, "inProgress") == 0 ||
                             strcmp(status, "in_progress") == 0)
                              ? STEP_ACTIVE
                              : STEP_PENDING;
        p->n++;
    }
    return &p->base;
}

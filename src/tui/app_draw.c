/* Frames: the transcript over the bottom pane (status row, composer,
 * popups, footer), fullscreen on the alternate screen or inline below the
 * shell prompt with finished cells pushed into the scrollback. */
#include "tui/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "tui/width.h"
#include "util/xalloc.h"

#define FOOTER_MODEL TC_HEX(0xf6e2b7)
#define FOOTER_CWD TC_HEX(0xabdfa7)
#define FOOTER_TITLE TC_HEX(0x94e2d5)
#define SHELL_RED TC_INDEX(9)
#define SLASH_ROWS 8

/* ---- the status row --------------------------------------------------------- */

void app_status_text(struct app *a, struct tline *out)
{
    /* The bullet pulses between two greys while work goes on. */
    static const tcolor pulse[] = {TC_HEX(0x808080), TC_HEX(0x939393), TC_HEX(0xa7a7a7),
                                   TC_HEX(0x939393)};
    tline_adds(out, "• ", tstyle_fga(pulse[a->spinner % 4], TA_BOLD));
    struct strvec unused = STRVEC_INIT;
    char *label = app_autoreview_status(a, &unused);
    strvec_free(&unused);
    bool review = label != NULL;
    for (size_t i = a->tr.n; i-- > 0 && !label;) {
        struct cell *c = a->tr.v[i];
        if (c->type == CT_USER)
            break;
        if (c->type == CT_REASONING)
            label = cell_reasoning_status(c);
    }
    if (a->retry_note && !label)
        label = xasprintf("Reconnecting: %s", a->retry_note);
    tline_adds(out, label ? label : "Working", label && !review ? TSTYLE_PLAIN : tstyle_attr(TA_BOLD));
    free(label);
    char el[64];
    uint64_t secs = (app_now_ns() - a->turn_started) / 1000000000ull;
    if (secs < 60)
        snprintf(el, sizeof el, " (%llus • ", (unsigned long long)secs);
    else
        snprintf(el, sizeof el, " (%llum %02llus • ", (unsigned long long)(secs / 60),
                 (unsigned long long)(secs % 60));
    tline_adds(out, el, tstyle_attr(TA_DIM));
    tline_adds(out, "esc", tstyle_attr(TA_BOLD | TA_DIM));
    tline_adds(out, " to interrupt)", tstyle_attr(TA_DIM));
    if (a->running_commands > 0) {
        char bg[128];
        snprintf(bg, sizeof bg, " · %d background terminal%s running · /ps to view",
                 a->running_commands, a->running_commands == 1 ? "" : "s");
        tline_adds(out, bg, tstyle_attr(TA_DIM));
    }
}

/* The live rows under the transcript: the status row and queued inputs,
 * as one pseudo-cell. */
static struct cell *live_cell(struct app *a, int width)
{
    if (a->status_cell) {
        cell_free(a->status_cell);
        a->status_cell = NULL;
    }
    bool status = a->turn_running && !a->answer_streaming && a->pane != PANE_PICKER &&
                  !a->question;
    if (!status && a->queued.n == 0)
        return NULL;
    struct cell *c = cell_text_new();
    if (status) {
        struct tline l;
        tline_init(&l);
        app_status_text(a, &l);
        tline_truncate(&l, width);
        cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
        /* An auto-review lists what it reviews under the status row. */
        struct strvec details = STRVEC_INIT;
        char *reviewing = app_autoreview_status(a, &details);
        for (size_t i = 0; i < details.n; i++) {
            tline_reset(&l);
            char *one = tw_sanitize(details.v[i], strlen(details.v[i]), false, NULL);
            tline_adds(&l, one, tstyle_attr(TA_DIM));
            free(one);
            tline_truncate(&l, width - 4);
            cell_text_add(c, &l, i == 0 ? "  └ " : "    ", NULL, tstyle_attr(TA_DIM));
        }
        free(reviewing);
        strvec_free(&details);
        tline_free(&l);
    }
    if (a->queued.n > 0) {
        struct tline l;
        tline_init(&l);
        if (status)
            cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
        tline_adds(&l, "• ", tstyle_attr(TA_DIM));
        tline_adds(&l, "Queued follow-up inputs", TSTYLE_PLAIN);
        cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
        for (size_t i = 0; i < a->queued.n; i++) {
            tline_reset(&l);
            char *one = tw_sanitize(a->queued.v[i], strlen(a->queued.v[i]), false, NULL);
            tline_adds(&l, one, tstyle_attr(TA_DIM | TA_ITALIC));
            free(one);
            tline_truncate(&l, width - 4);
            cell_text_add(c, &l, "  ↳ ", "    ", tstyle_attr(TA_DIM));
        }
        tline_reset(&l);
        tline_adds(&l, "    shift+← edit last queued message", tstyle_attr(TA_DIM));
        cell_text_add(c, &l, NULL, NULL, TSTYLE_PLAIN);
        tline_free(&l);
    }
    a->status_cell = c;
    return c;
}

/* ---- the footer ----------------------------------------------------------------- */

static void footer_line1(struct app *a, struct tline *l)
{
    app_status_line(a, l);
}

static bool shell_mode(const struct app *a)
{
    return composer_text(&a->comp)[0] == '!';
}

/* Line 2, or false when it is hidden. */
static bool footer_line2(struct app *a, struct tline *l, struct tline *right)
{
    if (a->help) {
        tline_adds(l, "  ? / esc close", tstyle_attr(TA_DIM));
        return true;
    }
    if (a->searching) {
        tline_adds(l, "  reverse-i-search: ", tstyle_attr(TA_DIM));
        tline_adds(l, buf_cstr(&a->search), TSTYLE_PLAIN);
        tline_adds(l, "  enter accept · esc cancel", tstyle_attr(TA_DIM));
        return true;
    }
    if (shell_mode(a)) {
        tline_adds(right, "Shell mode", tstyle_fg(SHELL_RED));
        return true;
    }
    if (!composer_empty(&a->comp)) {
        app_plan_footer(a, right, composer_text(&a->comp)[0] == '/');
        return tline_width(right) > 0;
    }
    if (a->fullscreen && a->scroll > 0) {
        app_plan_footer(a, right, true);
        tline_adds(l, "  ", TSTYLE_PLAIN);
        tline_adds(l, "enter/esc", tstyle_attr(TA_BOLD));
        tline_adds(l, " latest · ", TSTYLE_PLAIN);
        tline_adds(l, "?", tstyle_attr(TA_BOLD));
        tline_adds(l, " shortcuts", TSTYLE_PLAIN);
        return true;
    }
    tline_adds(l, "  ", TSTYLE_PLAIN);
    tline_adds(l, "?", tstyle_attr(TA_BOLD));
    tline_adds(l, " for shortcuts", TSTYLE_PLAIN);
    app_plan_footer(a, right, false);
    return true;
}

/* ---- the bottom pane ---------------------------------------------------------------- */

struct pane_layout {
    int popup_rows;     /* slash popup or help, above the composer */
    int composer_rows;
    size_t composer_first;
    int footer_rows;
    int total;
};

static size_t slash_prefix_matches(struct app *a, const struct slash_command **m, size_t max)
{
    const char *t = composer_text(&a->comp);
    if (a->slash_hidden || t[0] != '/' || strchr(t, ' ') || strchr(t, '\n'))
        return 0;
    return app_slash_matches(t + 1, m, max);
}

static int picker_rows(struct app *a, int width);

static void plan_pane(struct app *a, int width, int height, struct pane_layout *pl)
{
    memset(pl, 0, sizeof *pl);
    if (a->pane == PANE_PICKER) {
        pl->total = picker_rows(a, width);
        if (pl->total > height)
            pl->total = height;
        return;
    }
    if (a->question) {
        pl->total = app_question_rows(a, width, height);
        if (pl->total > height)
            pl->total = height;
        return;
    }
    composer_layout(&a->comp, width);
    int max_comp = height / 3 > 1 ? height / 3 : 1;
    int rows = (int)composer_rows(&a->comp);
    if (rows > max_comp)
        rows = max_comp;
    pl->composer_rows = rows;
    /* Keep the cursor's row in view. */
    size_t cur = a->comp.cur_row;
    pl->composer_first = cur >= (size_t)rows ? cur - (size_t)rows + 1 : 0;
    struct tline l, r;
    tline_init(&l);
    tline_init(&r);
    pl->footer_rows = footer_line2(a, &l, &r) ? 2 : 1;
    tline_free(&l);
    tline_free(&r);
    const struct slash_command *m[64];
    size_t nm = slash_prefix_matches(a, m, 64);
    if (a->help)
        pl->popup_rows = app_help_rows();
    else if (app_mention_visible(a))
        pl->popup_rows = app_mention_rows();
    else if (nm > 0)
        pl->popup_rows = nm > SLASH_ROWS ? SLASH_ROWS : (int)nm;
    /* blank + composer + blank + footer, popup above */
    pl->total = 1 + pl->composer_rows + 1 + pl->footer_rows + pl->popup_rows;
    if (pl->total > height) {
        pl->popup_rows = 0;
        pl->total = 1 + pl->composer_rows + 1 + pl->footer_rows;
    }
    if (pl->total > height) {
        pl->total = pl->composer_rows + pl->footer_rows;
        if (pl->total > height) {
            pl->footer_rows = 0;
            pl->composer_rows = height > 0 ? height : 0;
            pl->total = pl->composer_rows;
        }
    }
}

static void draw_slash_popup(struct app *a, struct tgrid *g, int y, int rows)
{
    const struct slash_command *m[64];
    size_t nm = slash_prefix_matches(a, m, 64);
    if (a->slash_sel >= nm)
        a->slash_sel = nm ? nm - 1 : 0;
    size_t top = a->slash_sel >= (size_t)rows ? a->slash_sel - (size_t)rows + 1 : 0;
    int name_w = 0;
    for (size_t i = 0; i < nm; i++) {
        int w = (int)strlen(m[i]->name) + 1;
        if (w > name_w)
            name_w = w;
    }
    for (int k = 0; k < rows && top + (size_t)k < nm; k++) {
        size_t i = top + (size_t)k;
        bool sel = i == a->slash_sel;
        struct tline l;
        tline_init(&l);
        uint16_t rev = sel ? TA_REVERSE : 0;
        tline_adds(&l, sel ? "› " : "  ", tstyle_attr(rev | (sel ? TA_BOLD : 0)));
        char name[64];
        snprintf(name, sizeof name, "/%-*s  ", name_w - 1, m[i]->name);
        tline_adds(&l, name, tstyle_attr(rev | (sel ? TA_BOLD : 0)));
        tline_adds(&l, m[i]->desc, tstyle_attr(sel ? TA_REVERSE : TA_DIM));
        tline_truncate(&l, g->w);
        tline_draw(&l, g, 0, y + k, g->w);
        tline_free(&l);
    }
}

/* Draw the pane in rows [y, y + pl->total); returns the cursor (x, y) or
 * x < 0 when hidden. */
static void draw_pane(struct app *a, struct tgrid *g, int y, const struct pane_layout *pl,
                      int *cx, int *cy);

static void draw_picker(struct app *a, struct tgrid *g, int y, int h);

static void draw_pane(struct app *a, struct tgrid *g, int y, const struct pane_layout *pl,
                      int *cx, int *cy)
{
    *cx = *cy = -1;
    if (a->pane == PANE_PICKER) {
        draw_picker(a, g, y, pl->total);
        return;
    }
    if (a->question) {
        app_question_draw(a, g, y, pl->total, cx, cy);
        return;
    }
    int row = y;
    if (pl->popup_rows) {
        if (a->help)
            app_draw_help(a, g, row, pl->popup_rows);
        else if (app_mention_visible(a))
            app_draw_mention(a, g, row, pl->popup_rows);
        else
            draw_slash_popup(a, g, row, pl->popup_rows);
        row += pl->popup_rows;
    }
    if (pl->total > pl->composer_rows + pl->footer_rows + pl->popup_rows)
        row++; /* the blank above the composer */
    struct tline prefix;
    tline_init(&prefix);
    if (shell_mode(a))
        tline_adds(&prefix, "", TSTYLE_PLAIN);
    else
        tline_adds(&prefix, "› ", tstyle_attr(TA_BOLD));
    if (shell_mode(a)) {
        /* The `!` itself is the prompt mark, in bold red. */
        composer_draw(&a->comp, g, row, pl->composer_first, (size_t)pl->composer_rows, &prefix,
                      NULL);
        if (pl->composer_first == 0)
            tgrid_puts(g, 0, row, g->w, "!", tstyle_fga(SHELL_RED, TA_BOLD));
    } else {
        const char *placeholder = a->turn_running ? "Ask for follow-up changes"
                                                  : "Ask Codex to do anything";
        composer_draw(&a->comp, g, row, pl->composer_first, (size_t)pl->composer_rows, &prefix,
                      placeholder);
    }
    tline_free(&prefix);
    if (a->searching && a->search_hit >= 0) {
        /* The match is previewed in the composer. */
    }
    *cx = a->comp.cur_col;
    *cy = row + (int)(a->comp.cur_row - pl->composer_first);
    if (composer_empty(&a->comp))
        *cx = 2;
    if (*cx >= g->w)
        *cx = g->w - 1;
    row += pl->composer_rows;
    if (pl->footer_rows == 0)
        return;
    if (pl->total > pl->composer_rows + pl->footer_rows + pl->popup_rows)
        row++; /* blank under the composer */
    struct tline l1, l2, right;
    tline_init(&l1);
    tline_init(&l2);
    tline_init(&right);
    footer_line1(a, &l1);
    tline_truncate(&l1, g->w);
    tline_draw(&l1, g, 0, row++, g->w);
    if (pl->footer_rows > 1 && footer_line2(a, &l2, &right)) {
        tline_truncate(&l2, g->w);
        tline_draw(&l2, g, 0, row, g->w);
        int rw = tline_width(&right);
        if (rw > 0 && rw < g->w)
            tline_draw(&right, g, g->w - rw - 2 > 0 ? g->w - rw - 2 : 0, row, g->w);
    }
    tline_free(&l1);
    tline_free(&l2);
    tline_free(&right);
}

/* ---- pickers (model, permissions, approvals, the Ctrl-C dialog) ------------------------ */

#define PICKER_WINDOW 10

static void picker_item_line(struct app *a, size_t i, struct tline *l)
{
    struct picker *p = &a->picker;
    struct pick_item *it = &p->items[i];
    bool sel = i == p->sel;
    uint16_t rev = sel ? TA_REVERSE | TA_BOLD : 0;
    tline_adds(l, sel ? "› " : "  ", tstyle_attr(rev));
    char num[32] = "";
    if (p->numbered)
        snprintf(num, sizeof num, "%zu. ", i + 1);
    tline_adds(l, num, tstyle_attr(rev));
    if (it->check >= 0)
        tline_adds(l, it->check ? "[x] " : "[ ] ", tstyle_attr(rev));
    tline_adds(l, it->label, tstyle_attr(rev));
    if (it->current)
        tline_adds(l, " (current)", tstyle_attr(rev));
    if (it->key) {
        char k[8];
        snprintf(k, sizeof k, "%c", it->key);
        tline_adds(l, " (", tstyle_attr(sel ? TA_REVERSE : 0));
        tline_adds(l, k, tstyle_attr(TA_BOLD | (sel ? TA_REVERSE : 0)));
        tline_adds(l, ")", tstyle_attr(sel ? TA_REVERSE : 0));
    }
}

static void picker_lines(struct app *a, int width, struct tlines *out, size_t *items_at)
{
    struct picker *p = &a->picker;
    for (size_t i = 0; i < p->header.n; i++) {
        struct tline rest;
        tline_init(&rest);
        tline_adds(&rest, "  ", TSTYLE_PLAIN);
        tline_wrap(&p->header.v[i], width, NULL, &rest, out);
        tline_free(&rest);
    }
    *items_at = out->n;
    /* A long list shows a window around the selection, with ↑/↓ where
     * rows are hidden. */
    size_t first = 0, last = p->n;
    if (p->n > PICKER_WINDOW) {
        if (p->sel < p->top)
            p->top = p->sel;
        if (p->sel >= p->top + PICKER_WINDOW)
            p->top = p->sel + 1 - PICKER_WINDOW;
        first = p->top;
        last = p->top + PICKER_WINDOW;
        tline_adds(tlines_push(out), first > 0 ? "↑" : "", tstyle_attr(TA_DIM));
    }
    int col = 28;
    if (p->fit_column) {
        col = 0;
        for (size_t i = 0; i < p->n; i++) {
            struct tline l;
            tline_init(&l);
            picker_item_line(a, i, &l);
            int lw = tline_width(&l) + 2;
            col = lw > col ? lw : col;
            tline_free(&l);
        }
        if (col > width / 2)
            col = 28;
    }
    for (size_t i = first; i < last; i++) {
        struct tline l, rest;
        tline_init(&l);
        tline_init(&rest);
        picker_item_line(a, i, &l);
        tline_adds(&rest, p->numbered ? "     " : "  ", TSTYLE_PLAIN);
        if (p->items[i].desc && *p->items[i].desc) {
            /* Descriptions in a column of their own when there is room. */
            int lw = tline_width(&l);
            if (lw < col && width > 70) {
                for (int k = lw; k < col; k++)
                    tline_adds(&l, " ", tstyle_attr(i == p->sel ? TA_REVERSE : 0));
                tline_adds(&l, p->items[i].desc, tstyle_attr(i == p->sel ? TA_REVERSE : TA_DIM));
                tline_wrap(&l, width, NULL, &rest, out);
            } else {
                tline_wrap(&l, width, NULL, &rest, out);
                struct tline d;
                tline_init(&d);
                tline_adds(&d, p->items[i].desc, tstyle_attr(TA_DIM));
                tline_wrap(&d, width, &rest, &rest, out);
                tline_free(&d);
            }
        } else {
            tline_wrap(&l, width, NULL, &rest, out);
        }
        tline_free(&l);
        tline_free(&rest);
    }
    if (p->n > PICKER_WINDOW)
        tline_adds(tlines_push(out), last < p->n ? "↓" : "", tstyle_attr(TA_DIM));
    app_manage_picker_extra(a, width, out);
    tlines_push(out);
    struct tline *hint = tlines_push(out);
    tline_adds(hint, "  ", TSTYLE_PLAIN);
    tline_adds(hint, p->hint ? p->hint : "enter select · esc back", tstyle_attr(TA_DIM));
}

static int picker_rows(struct app *a, int width)
{
    struct tlines ls;
    tlines_init(&ls);
    size_t at;
    picker_lines(a, width, &ls, &at);
    int n = (int)ls.n + 1; /* a blank above */
    tlines_free(&ls);
    return n;
}

static void draw_picker(struct app *a, struct tgrid *g, int y, int h)
{
    struct tlines ls;
    tlines_init(&ls);
    size_t at;
    picker_lines(a, g->w, &ls, &at);
    /* A blank row, then the rows; when they do not fit, the hint stays and
     * the top is cut. */
    int avail = h - 1;
    size_t first = ls.n > (size_t)avail ? ls.n - (size_t)avail : 0;
    for (size_t i = first; i < ls.n; i++)
        tline_draw(&ls.v[i], g, 0, y + 1 + (int)(i - first), g->w);
    tlines_free(&ls);
}

/* ---- fullscreen -------------------------------------------------------------------------- */

static void draw_sticky(struct app *a, struct tgrid *g, const struct trow *top)
{
    /* The prompt of the turn at the top of the view, joined on one row. */
    for (long i = top->cell; i >= (long)a->view_from; i--) {
        struct cell *c = a->tr.v[i];
        if (c->type != CT_USER)
            continue;
        if (i == top->cell && top->row <= 1)
            return; /* its own first rows are in view */
        struct tline l;
        tline_init(&l);
        tline_adds(&l, "› ", (struct tstyle){COL_USER_FG, COL_USER_BG, TA_BOLD | TA_DIM});
        char *one = tw_sanitize(cell_user_text(c), strlen(cell_user_text(c)), false, NULL);
        tline_adds(&l, one, (struct tstyle){COL_USER_FG, COL_USER_BG, 0});
        free(one);
        tline_truncate(&l, g->w);
        l.has_fill = true;
        l.fill = (struct tstyle){COL_USER_FG, COL_USER_BG, 0};
        tgrid_fill(g, 0, 0, g->w, 1, TSTYLE_PLAIN);
        tline_draw(&l, g, 0, 0, g->w);
        tline_free(&l);
        return;
    }
}

static struct cell_ctx view_ctx(const struct app *a, int width)
{
    return (struct cell_ctx){.width = width, .details = a->details, .fullscreen = a->fullscreen,
                             .raw = a->raw};
}

static void draw_fullscreen(struct app *a, int *cx, int *cy)
{
    struct tgrid *g = &a->frame;
    struct pane_layout pl;
    plan_pane(a, a->w, a->h, &pl);
    int area = a->h - pl.total;
    if (area < 0)
        area = 0;
    struct cell_ctx ctx = view_ctx(a, a->w);
    struct cell *live = live_cell(a, a->w);
    if (live)
        transcript_push(&a->tr, live);
    struct trow *rows = xcalloc((size_t)area + 1, sizeof *rows);
    bool above = false;
    long used = 0;
    int n = transcript_window(&a->tr, a->view_from, a->tr.n, &ctx, a->scroll, area, true, rows,
                              &above, &used);
    if (a->scroll > 0 && (used < a->scroll || n < area)) {
        /* Scrolled past the top: show the top, a full window of it. */
        long top = used - (area - n);
        a->scroll = top > 0 ? top : 0;
        n = transcript_window(&a->tr, a->view_from, a->tr.n, &ctx, a->scroll, area, true, rows,
                              &above, &used);
    }
    transcript_draw_rows(&a->tr, rows, n, g, 0);
    if (above && n > 0 && !a->details)
        draw_sticky(a, g, &rows[0]);
    if (a->scroll > 0 && area > 1) {
        const char *back = "↓ Back to bottom · esc";
        int w = tw_strwidth(back);
        tgrid_puts(g, (a->w - w) / 2 > 0 ? (a->w - w) / 2 : 0, area - 1, a->w, back,
                   tstyle_attr(TA_DIM));
    }
    free(rows);
    if (live)
        a->tr.n--;
    draw_pane(a, g, area, &pl, cx, cy);
}

/* ---- inline -------------------------------------------------------------------------------- */

/* Push finished rows into the terminal's scrollback, in order. */
void app_flush_inline(struct app *a)
{
    struct cell_ctx ctx = view_ctx(a, a->w);
    struct tlines out;
    tlines_init(&out);
    for (size_t i = a->inline_next; i < a->tr.n; i++) {
        struct cell *c = a->tr.v[i];
        if (i < a->view_from) {
            if (i == a->inline_next)
                a->inline_next++;
            continue;
        }
        if (!cell_visible(c, &ctx)) {
            if (c->finished && i == a->inline_next)
                a->inline_next++;
            continue;
        }
        cell_layout(c, &ctx);
        size_t stable = c->finished ? c->rows.n : c->stable;
        if (stable > c->rows.n)
            stable = c->rows.n;
        if (stable > c->inserted) {
            if (!c->separated && a->inline_any)
                tlines_push(&out);
            c->separated = true;
            for (size_t r = c->inserted; r < stable; r++)
                cell_copy_row(c, r, &out);
            c->inserted = stable;
            a->inline_any = true;
        }
        if (!c->finished || c->inserted < c->rows.n)
            break;
        if (i == a->inline_next)
            a->inline_next++;
    }
    if (out.n > 0) {
        tgrid_resize(&a->scratch, a->w, (int)out.n);
        for (size_t r = 0; r < out.n; r++)
            tline_draw(&out.v[r], &a->scratch, 0, (int)r, a->w);
        trender_insert_above(&a->render, &a->scratch, (int)out.n, &a->out);
    }
    tlines_free(&out);
}

static void draw_inline(struct app *a, int *cx, int *cy)
{
    app_flush_inline(a);
    struct cell_ctx ctx = view_ctx(a, a->w);
    struct tlines live;
    tlines_init(&live);
    for (size_t i = a->inline_next; i < a->tr.n; i++) {
        struct cell *c = a->tr.v[i];
        if (i < a->view_from || !cell_visible(c, &ctx))
            continue;
        cell_layout(c, &ctx);
        if (c->inserted >= c->rows.n)
            continue;
        if ((!c->separated && a->inline_any) || live.n > 0)
            tlines_push(&live);
        for (size_t r = c->inserted; r < c->rows.n; r++)
            cell_copy_row(c, r, &live);
    }
    struct cell *status = live_cell(a, a->w);
    if (status) {
        cell_layout(status, &ctx);
        tlines_push(&live);
        for (size_t r = 0; r < status->rows.n; r++)
            tlines_push_copy(&live, &status->rows.v[r]);
    }
    if (live.n > 0)
        tlines_push(&live); /* a blank under the live rows */
    else if (a->inline_any)
        tlines_push(&live); /* the separator under the last cell */
    struct pane_layout pl;
    plan_pane(a, a->w, a->h, &pl);
    int live_rows = (int)live.n;
    int room = a->h - pl.total;
    if (room < 0)
        room = 0;
    if (live_rows > room)
        live_rows = room;
    int height = live_rows + pl.total;
    tgrid_resize(&a->frame, a->w, height > 0 ? height : 1);
    for (int r = 0; r < live_rows; r++)
        tline_draw(&live.v[live.n - (size_t)live_rows + (size_t)r], &a->frame, 0, r, a->w);
    draw_pane(a, &a->frame, live_rows, &pl, cx, cy);
    tlines_free(&live);
}

/* ---- the frame ------------------------------------------------------------------------------ */

void app_draw(struct app *a)
{
    if (!a->term_open || a->w <= 0 || a->h <= 0)
        return;
    buf_truncate(&a->out, 0);
    int cx = -1, cy = -1;
    if (a->pager || a->resume || a->pane == PANE_TRUST) {
        /* A view of its own over the whole screen. */
        if (!a->fullscreen && !a->alt_view) {
            trender_erase_viewport(&a->render, &a->out);
            buf_puts(&a->out, "\x1b[?1049h");
            a->alt_view = true;
            trender_init(&a->alt_render, a->opt->depth, false, a->w, a->h);
        }
        struct trender *r = a->alt_view ? &a->alt_render : &a->render;
        if (r->screen_w != a->w || r->screen_h != a->h)
            trender_resize(r, a->w, a->h);
        tgrid_resize(&a->frame, a->w, a->h);
        if (a->pager)
            app_draw_pager(a, &a->frame);
        else if (a->resume)
            app_draw_resume(a, &a->frame);
        else
            app_draw_trust(a, &a->frame);
        trender_frame(r, &a->frame, -1, -1, &a->out);
    } else {
        if (a->alt_view) {
            /* Back from a full-screen view to the inline viewport. */
            trender_free(&a->alt_render);
            buf_puts(&a->out, "\x1b[?1049l");
            a->alt_view = false;
            trender_invalidate(&a->render);
        }
        if (a->fullscreen) {
            tgrid_resize(&a->frame, a->w, a->h);
            draw_fullscreen(a, &cx, &cy);
        } else {
            draw_inline(a, &cx, &cy);
        }
        trender_frame(&a->render, &a->frame, cx, cy, &a->out);
    }
    if (a->out.len)
        tterm_write(&a->term, a->out.data, a->out.len);
}

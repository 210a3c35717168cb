/* The cell machinery and the simple cells: header, user and agent
 * messages, reasoning, and prebuilt text (notices, errors, decisions). */
#include "tui/cells.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/width.h"
#include "util/buf.h"
#include "util/xalloc.h"

static unsigned view_flags(const struct cell_ctx *ctx)
{
    return (ctx->details ? 1u : 0u) | (ctx->fullscreen ? 2u : 0u) | (ctx->raw ? 4u : 0u);
}

void cell_layout(struct cell *c, const struct cell_ctx *ctx)
{
    unsigned v = view_flags(ctx);
    bool full = c->lw != ctx->width || c->lview != v;
    if (!full && !c->changed)
        return;
    c->changed = false;
    c->lw = ctx->width;
    c->lview = v;
    c->ops->layout(c, ctx, full);
}

bool cell_visible(const struct cell *c, const struct cell_ctx *ctx)
{
    return c->ops->visible ? c->ops->visible(c, ctx) : true;
}

void cell_draw_row(const struct cell *c, size_t r, struct tgrid *g, int x, int y, int max_x)
{
    if (r >= c->rows.n)
        return;
    const struct tline *l = &c->rows.v[r];
    if (c->bullet && r == 0)
        tgrid_puts(g, x, y, max_x, "•", tstyle_attr(TA_DIM));
    tline_draw(l, g, x + c->indent, y, max_x);
}

void cell_copy_row(const struct cell *c, size_t r, struct tlines *out)
{
    if (r >= c->rows.n)
        return;
    const struct tline *src = &c->rows.v[r];
    if (c->indent == 0) {
        tlines_push_copy(out, src);
        return;
    }
    struct tline *l = tlines_push(out);
    if (c->bullet && r == 0)
        tline_adds(l, src->len ? "• " : "•", tstyle_attr(TA_DIM));
    else if (src->len)
        tline_adds(l, "  ", TSTYLE_PLAIN);
    tline_append(l, src);
    l->fill = src->fill;
    l->has_fill = src->has_fill;
}

void cell_touch(struct cell *c)
{
    c->changed = true;
}

void cell_free(struct cell *c)
{
    if (!c)
        return;
    tlines_free(&c->rows);
    free(c->id);
    if (c->ops->free)
        c->ops->free(c);
    free(c);
}

void cell_base_init(struct cell *c, const struct cell_ops *ops, enum cell_type type,
                    const char *id)
{
    c->ops = ops;
    c->type = type;
    c->id = id ? xstrdup(id) : NULL;
    c->lw = -1;
    c->changed = true;
    tlines_init(&c->rows);
}

void cell_format_elapsed(int64_t ms, char *out, size_t outlen)
{
    if (ms < 1000) {
        snprintf(out, outlen, "<1s");
        return;
    }
    int64_t s = ms / 1000;
    if (s < 60)
        snprintf(out, outlen, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(out, outlen, "%lldm %02llds", (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(out, outlen, "%lldh %02lldm %02llds", (long long)(s / 3600),
                 (long long)(s / 60 % 60), (long long)(s % 60));
}

/* ---- prebuilt paragraphs -------------------------------------------------- */

struct para {
    struct tline text, first, rest;
};

struct text_cell {
    struct cell base;
    struct para *paras;
    size_t n;
};

static void text_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct text_cell *t = (struct text_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    for (size_t i = 0; i < t->n; i++) {
        struct para *p = &t->paras[i];
        if (ctx->raw) {
            struct tline plain;
            tline_init(&plain);
            tline_append(&plain, &p->text);
            tline_wrap(&plain, ctx->width, NULL, NULL, &c->rows);
            tline_free(&plain);
        } else {
            tline_wrap(&p->text, ctx->width, &p->first, &p->rest, &c->rows);
        }
    }
    c->stable = c->rows.n;
}

static void text_free(struct cell *c)
{
    struct text_cell *t = (struct text_cell *)c;
    for (size_t i = 0; i < t->n; i++) {
        tline_free(&t->paras[i].text);
        tline_free(&t->paras[i].first);
        tline_free(&t->paras[i].rest);
    }
    free(t->paras);
}

static const struct cell_ops text_ops = {.layout = text_layout, .free = text_free};

struct cell *cell_text_new(void)
{
    struct text_cell *t = xcalloc(1, sizeof *t);
    cell_base_init(&t->base, &text_ops, CT_TEXT, NULL);
    t->base.finished = true;
    return &t->base;
}

void cell_text_add(struct cell *c, const struct tline *line, const char *first, const char *rest,
                   struct tstyle prefix_style)
{
    struct text_cell *t = (struct text_cell *)c;
    t->paras = xrealloc(t->paras, (t->n + 1) * sizeof *t->paras);
    struct para *p = &t->paras[t->n++];
    tline_init(&p->text);
    tline_init(&p->first);
    tline_init(&p->rest);
    tline_copy(&p->text, line);
    if (first)
        tline_adds(&p->first, first, prefix_style);
    if (rest)
        tline_adds(&p->rest, rest, TSTYLE_PLAIN);
    cell_touch(c);
}

struct cell *cell_notice_new(const char *text, struct tstyle st)
{
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    char *safe = tw_sanitize(text, strlen(text), false, NULL);
    tline_adds(&l, safe, st);
    free(safe);
    cell_text_add(c, &l, "• ", "  ", tstyle_attr(TA_DIM));
    tline_free(&l);
    return c;
}

struct cell *cell_error_new(const char *message)
{
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    char *safe = tw_sanitize(message, strlen(message), false, NULL);
    tline_adds(&l, safe, tstyle_fg(COL_RED));
    free(safe);
    cell_text_add(c, &l, "■ ", "  ", tstyle_fg(COL_RED));
    tline_free(&l);
    return c;
}

struct cell *cell_warning_new(const char *message, const char *details)
{
    struct cell *c = cell_text_new();
    struct tline l;
    tline_init(&l);
    char *safe = tw_sanitize(message, strlen(message), false, NULL);
    tline_adds(&l, safe, tstyle_fg(COL_YELLOW));
    free(safe);
    cell_text_add(c, &l, "⚠ ", "  ", tstyle_fg(COL_YELLOW));
    tline_free(&l);
    if (details && *details) {
        tline_init(&l);
        safe = tw_sanitize(details, strlen(details), false, NULL);
        tline_adds(&l, safe, tstyle_attr(TA_DIM));
        free(safe);
        cell_text_add(c, &l, "  ", "  ", TSTYLE_PLAIN);
        tline_free(&l);
    }
    return c;
}

/* ---- header card ----------------------------------------------------------- */

struct header_cell {
    struct cell base;
    char *version, *model, *cwd;
};

static void header_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct header_cell *h = (struct header_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    struct tline *l = tlines_push(&c->rows);
    tline_adds(l, "  ", TSTYLE_PLAIN);
    tline_adds(l, ">_ ", tstyle_fg(COL_ACCENT));
    tline_adds(l, "OpenAI Codex", tstyle_attr(TA_BOLD));
    char v[64];
    snprintf(v, sizeof v, " (v%s)", h->version);
    tline_adds(l, v, tstyle_attr(TA_DIM));
    tline_truncate(l, ctx->width);
    l = tlines_push(&c->rows);
    tline_adds(l, "     ", TSTYLE_PLAIN);
    tline_adds(l, h->cwd ? h->cwd : "loading", tstyle_attr(TA_DIM));
    tline_truncate(l, ctx->width);
    c->stable = c->rows.n;
}

static void header_free(struct cell *c)
{
    struct header_cell *h = (struct header_cell *)c;
    free(h->version);
    free(h->model);
    free(h->cwd);
}

static const struct cell_ops header_ops = {.layout = header_layout, .free = header_free};

struct cell *cell_header_new(const char *version, const char *model, const char *cwd)
{
    struct header_cell *h = xcalloc(1, sizeof *h);
    cell_base_init(&h->base, &header_ops, CT_HEADER, NULL);
    h->version = xstrdup(version);
    cell_header_set(&h->base, model, cwd);
    h->base.finished = true;
    return &h->base;
}

void cell_header_set(struct cell *c, const char *model, const char *cwd)
{
    struct header_cell *h = (struct header_cell *)c;
    free(h->model);
    free(h->cwd);
    h->model = model ? tw_sanitize(model, strlen(model), false, NULL) : NULL;
    h->cwd = cwd ? tw_sanitize(cwd, strlen(cwd), false, NULL) : NULL;
    cell_touch(c);
}

/* ---- user message ------------------------------------------------------- */

struct user_cell {
    struct cell base;
    char *text; /* sanitized, newlines kept */
    int n_images;
};

static void user_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct user_cell *u = (struct user_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    struct tstyle body = {COL_USER_FG, COL_USER_BG, 0};
    struct tline first, rest;
    tline_init(&first);
    tline_init(&rest);
    if (!ctx->raw) {
        tline_adds(&first, "› ", (struct tstyle){COL_USER_FG, COL_USER_BG, TA_BOLD | TA_DIM});
        tline_adds(&rest, "  ", body);
        struct tline *pad = tlines_push(&c->rows);
        pad->has_fill = true;
        pad->fill = body;
    }
    const char *s = u->text;
    bool first_line = true;
    for (;;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        struct tline line;
        tline_init(&line);
        tline_add(&line, s, n, ctx->raw ? TSTYLE_PLAIN : body);
        if (!ctx->raw) {
            line.has_fill = true;
            line.fill = body;
        }
        tline_wrap(&line, ctx->width, ctx->raw ? NULL : (first_line ? &first : &rest),
                   ctx->raw ? NULL : &rest, &c->rows);
        tline_free(&line);
        first_line = false;
        if (!nl)
            break;
        s = nl + 1;
    }
    if (u->n_images > 0) {
        struct tline *img = tlines_push(&c->rows);
        char note[64];
        snprintf(note, sizeof note, "  [%d image%s attached]", u->n_images,
                 u->n_images == 1 ? "" : "s");
        tline_adds(img, note, ctx->raw ? TSTYLE_PLAIN : (struct tstyle){COL_USER_FG, COL_USER_BG, TA_DIM});
        if (!ctx->raw) {
            img->has_fill = true;
            img->fill = body;
        }
    }
    if (!ctx->raw) {
        struct tline *pad = tlines_push(&c->rows);
        pad->has_fill = true;
        pad->fill = body;
    }
    tline_free(&first);
    tline_free(&rest);
    c->stable = c->rows.n;
}

static void user_free(struct cell *c)
{
    free(((struct user_cell *)c)->text);
}

static const struct cell_ops user_ops = {.layout = user_layout, .free = user_free};

struct cell *cell_user_new(const char *text, int n_images)
{
    struct user_cell *u = xcalloc(1, sizeof *u);
    cell_base_init(&u->base, &user_ops, CT_USER, NULL);
    u->text = tw_sanitize(text, strlen(text), true, NULL);
    u->n_images = n_images;
    u->base.finished = true;
    return &u->base;
}

const char *cell_user_text(const struct cell *c)
{
    return c->type == CT_USER ? ((const struct user_cell *)c)->text : "";
}

/* ---- agent message ------------------------------------------------------- */

struct agent_cell {
    struct cell base;
    struct md_stream md;
    size_t built; /* rows of md.done already in base.rows */
};

static void agent_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct agent_cell *a = (struct agent_cell *)c;
    /* "• " and the indent are drawn, not stored (cell_draw_row). */
    c->indent = ctx->raw ? 0 : 2;
    c->bullet = !ctx->raw;
    int avail = ctx->width - c->indent;
    if (avail < 1)
        avail = 1;
    size_t kept = md_stream_update(&a->md, avail);
    if (full || kept < a->built) {
        tlines_clear(&c->rows);
        a->built = 0;
    }
    tlines_truncate(&c->rows, a->built);
    /* Finished blocks move into the cell's rows and leave empty places
     * behind, so a long answer is held once, not twice. */
    for (size_t i = a->built; i < a->md.done.n; i++) {
        struct tline *row = tlines_push(&c->rows);
        *row = a->md.done.v[i];
        tline_init(&a->md.done.v[i]);
    }
    a->built = a->md.done.n;
    size_t total = md_stream_rows(&a->md);
    for (size_t i = a->md.done.n; i < total; i++)
        tlines_push_copy(&c->rows, md_stream_row(&a->md, i));
    c->stable = c->finished ? c->rows.n : a->built;
}

static bool agent_visible(const struct cell *c, const struct cell_ctx *ctx)
{
    (void)ctx;
    const struct agent_cell *a = (const struct agent_cell *)c;
    for (size_t i = 0; i < a->md.text.len; i++)
        if (a->md.text.data[i] != ' ' && a->md.text.data[i] != '\n')
            return true;
    return false;
}

static void agent_free(struct cell *c)
{
    md_stream_free(&((struct agent_cell *)c)->md);
}

static const struct cell_ops agent_ops = {
    .layout = agent_layout, .free = agent_free, .visible = agent_visible};

struct cell *cell_agent_new(const char *id)
{
    struct agent_cell *a = xcalloc(1, sizeof *a);
    cell_base_init(&a->base, &agent_ops, CT_AGENT, id);
    md_stream_init(&a->md);
    return &a->base;
}

void cell_agent_append(struct cell *c, const char *delta, size_t len)
{
    struct agent_cell *a = (struct agent_cell *)c;
    size_t n;
    char *safe = tw_sanitize(delta, len, true, &n);
    md_stream_append(&a->md, safe, n);
    free(safe);
    cell_touch(c);
}

void cell_agent_set(struct cell *c, const char *text)
{
    struct agent_cell *a = (struct agent_cell *)c;
    size_t n;
    char *safe = tw_sanitize(text, strlen(text), true, &n);
    md_stream_set(&a->md, safe, n);
    free(safe);
    cell_touch(c);
}

const char *cell_agent_text(const struct cell *c)
{
    return buf_cstr(&((const struct agent_cell *)c)->md.text);
}

/* ---- reasoning ------------------------------------------------------------- */

struct reasoning_cell {
    struct cell base;
    struct buf text; /* sanitized */
};

/* Split "**Title**\n\nbody" into the title and the body. */
static void split_title(const char *s, const char **title, size_t *tlen, const char **body)
{
    *title = NULL;
    *tlen = 0;
    *body = s;
    while (*s == ' ' || *s == '\n')
        s++;
    if (strncmp(s, "**", 2) != 0)
        return;
    const char *end = strstr(s + 2, "**");
    if (!end)
        return;
    *title = s + 2;
    *tlen = (size_t)(end - s - 2);
    const char *b = end + 2;
    while (*b == ' ' || *b == '\n')
        b++;
    *body = b;
}

static void reasoning_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct reasoning_cell *r = (struct reasoning_cell *)c;
    (void)full;
    tlines_clear(&c->rows);
    const char *title, *body;
    size_t tl;
    split_title(buf_cstr(&r->text), &title, &tl, &body);
    struct tline first, rest;
    tline_init(&first);
    tline_init(&rest);
    if (!ctx->raw) {
        tline_adds(&first, "• ", tstyle_attr(TA_DIM));
        tline_adds(&rest, "  ", TSTYLE_PLAIN);
    }
    bool first_line = true;
    for (const char *s = body; *s;) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n > 0 || !first_line) {
            struct tline line;
            tline_init(&line);
            tline_add(&line, s, n, tstyle_attr(TA_ITALIC | TA_DIM));
            tline_wrap(&line, ctx->width, first_line ? &first : &rest, &rest, &c->rows);
            tline_free(&line);
            first_line = false;
        }
        if (!nl)
            break;
        s = nl + 1;
    }
    tline_free(&first);
    tline_free(&rest);
    c->stable = c->finished ? c->rows.n : 0;
}

static bool reasoning_visible(const struct cell *c, const struct cell_ctx *ctx)
{
    const struct reasoning_cell *r = (const struct reasoning_cell *)c;
    const char *title, *body;
    size_t tl;
    split_title(buf_cstr(&r->text), &title, &tl, &body);
    return ctx->details && *body;
}

static void reasoning_free(struct cell *c)
{
    buf_free(&((struct reasoning_cell *)c)->text);
}

static const struct cell_ops reasoning_ops = {
    .layout = reasoning_layout, .free = reasoning_free, .visible = reasoning_visible};

struct cell *cell_reasoning_new(const char *id)
{
    struct reasoning_cell *r = xcalloc(1, sizeof *r);
    cell_base_init(&r->base, &reasoning_ops, CT_REASONING, id);
    return &r->base;
}

void cell_reasoning_append(struct cell *c, const char *delta, size_t len)
{
    struct reasoning_cell *r = (struct reasoning_cell *)c;
    size_t n;
    char *safe = tw_sanitize(delta, len, true, &n);
    buf_append(&r->text, safe, n);
    free(safe);
    cell_touch(c);
}

void cell_reasoning_set(struct cell *c, const char *text)
{
    struct reasoning_cell *r = (struct reasoning_cell *)c;
    buf_truncate(&r->text, 0);
    cell_reasoning_append(c, text, strlen(text));
}

char *cell_reasoning_status(const struct cell *c)
{
    const struct reasoning_cell *r = (const struct reasoning_cell *)c;
    const char *title, *body;
    size_t tl;
    split_title(buf_cstr(&r->text), &title, &tl, &body);
    /* The body as it streams, on one line; before it, the title. */
    if (*body) {
        struct buf b = BUF_INIT;
        for (const char *s = body; *s; s++)
            buf_putc(&b, *s == '\n' ? ' ' : *s);
        return buf_detach(&b, NULL);
    }
    return title ? xstrndup(title, tl) : NULL;
}

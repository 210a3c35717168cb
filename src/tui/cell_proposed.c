/* Plan mode's proposed plan: a bold "Proposed Plan" title under the bullet,
 * then the plan's markdown, indented like an answer.  The plan streams in
 * with item/plan/delta, so the markdown is laid out incrementally as an
 * agent message is. */
#include <stdlib.h>
#include <string.h>

#include "tui/cells.h"
#include "tui/width.h"
#include "util/xalloc.h"

struct proposed_cell {
    struct cell base;
    struct md_stream md;
};

/* The title and the two blank rows under it, as the reference shows them. */
#define TITLE_ROWS 3

static void proposed_layout(struct cell *c, const struct cell_ctx *ctx, bool full)
{
    struct proposed_cell *p = (struct proposed_cell *)c;
    (void)full;
    c->indent = ctx->raw ? 0 : 2;
    c->bullet = !ctx->raw;
    int avail = ctx->width - c->indent;
    if (avail < 1)
        avail = 1;
    md_stream_update(&p->md, avail);
    tlines_clear(&c->rows);
    tline_adds(tlines_push(&c->rows), "Proposed Plan", tstyle_attr(TA_BOLD));
    for (int i = 1; i < TITLE_ROWS; i++)
        tlines_push(&c->rows);
    size_t total = md_stream_rows(&p->md);
    for (size_t i = 0; i < total; i++)
        tlines_push_copy(&c->rows, md_stream_row(&p->md, i));
    c->stable = c->finished ? c->rows.n : 0;
}

static void proposed_free(struct cell *c)
{
    md_stream_free(&((struct proposed_cell *)c)->md);
}

static const struct cell_ops proposed_ops = {.layout = proposed_layout, .free = proposed_free};

struct cell *cell_proposed_plan_new(const char *id)
{
    struct proposed_cell *p = xcalloc(1, sizeof *p);
    cell_base_init(&p->base, &proposed_ops, CT_PROPOSED_PLAN, id);
    md_stream_init(&p->md);
    return &p->base;
}

void cell_proposed_plan_append(struct cell *c, const char *delta, size_t len)
{
    struct proposed_cell *p = (struct proposed_cell *)c;
    size_t n;
    char *safe = tw_sanitize(delta, len, true, &n);
    md_stream_append(&p->md, safe, n);
    free(safe);
    cell_touch(c);
}

void cell_proposed_plan_set(struct cell *c, const char *text)
{
    struct proposed_cell *p = (struct proposed_cell *)c;
    size_t n;
    char *safe = tw_sanitize(text, strlen(text), true, &n);
    md_stream_set(&p->md, safe, n);
    free(safe);
    cell_touch(c);
}

const char *cell_proposed_plan_text(const struct cell *c)
{
    return buf_cstr(&((const struct proposed_cell *)c)->md.text);
}

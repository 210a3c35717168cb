#include "tui/markdown.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <md4c.h>

#include "tui/highlight.h"
#include "tui/width.h"
#include "util/xalloc.h"

#define MD_HEADING TC_HEX(0xfab387)
#define MD_EMPHASIS TC_HEX(0xf38ba8)
#define MD_CODE TC_HEX(0xa6e3a1)
#define MD_BULLET TC_HEX(0x94e2d5)
#define MD_NUMBER TC_INDEX(12)
#define MD_QUOTE TC_HEX(0xf5c2e7)
#define MD_LINK TC_HEX(0x89b4fa)

/* ---- md4c, loaded on first use ------------------------------------------ */

typedef int (*md_parse_fn)(const MD_CHAR *, MD_SIZE, const MD_PARSER *, void *);

/* The loaded entry point is the only process-wide state: a cache of a
 * shared library's symbol, the same for every caller. */
static md_parse_fn md_parse_ptr;
static int md_load_state; /* 0 not tried, 1 loaded, -1 unavailable */

static md_parse_fn md_parser(void)
{
    if (md_load_state == 0) {
        void *h = dlopen("libmd4c.so.0", RTLD_NOW | RTLD_LOCAL);
        if (h)
            *(void **)&md_parse_ptr = dlsym(h, "md_parse");
        md_load_state = md_parse_ptr ? 1 : -1;
    }
    return md_parse_ptr;
}

bool md_available(void)
{
    return md_parser() != NULL;
}

/* ---- the renderer --------------------------------------------------------- */

enum cont_kind { C_QUOTE, C_LIST, C_ITEM };

struct cont {
    enum cont_kind kind;
    bool tight, ordered;
    unsigned next_num;
    bool started; /* C_ITEM: its marker has been shown */
    bool nested;  /* C_LIST inside an item */
    unsigned items; /* C_LIST: items seen */
    bool after_nested; /* C_LIST: the last item ended with a nested list */
    char marker[16];
};

enum leaf_kind { L_NONE, L_PARA, L_HEADING, L_CODE, L_TABLE, L_HTML };

#define MAX_DEPTH 32
#define MAX_SPANS 16

struct table {
    struct tlines cells; /* row-major */
    int ncols;
    int nrows;
    int header_rows;
    int cols_in_row;
};

struct mdr {
    int width;
    struct tlines *out;
    struct cont st[MAX_DEPTH];
    int depth, overflow; /* containers deeper than MAX_DEPTH are flattened */
    enum leaf_kind leaf;
    bool implicit;
    unsigned heading_level;
    struct tline cur;
    struct tlines logical;
    uint16_t span_attrs[MAX_SPANS];
    tcolor span_fg[MAX_SPANS];
    int nspan;
    char *href[MAX_SPANS];
    size_t link_text_start[MAX_SPANS];
    int nlink;
    struct buf code;
    char *lang;
    struct table table;
    bool in_thead;
    bool pending_sep;
    bool any_output;
};

static struct tstyle text_style(const struct mdr *r)
{
    struct tstyle st = TSTYLE_PLAIN;
    if (r->leaf == L_HEADING) {
        st.fg = MD_HEADING;
        st.attrs |= TA_BOLD;
    } else {
        for (int i = 0; i < r->depth; i++)
            if (r->st[i].kind == C_QUOTE)
                st.fg = MD_QUOTE;
    }
    if (r->leaf == L_TABLE && r->in_thead)
        st.attrs |= TA_BOLD;
    for (int i = 0; i < r->nspan; i++) {
        st.attrs |= r->span_attrs[i];
        if (r->span_fg[i])
            st.fg = r->span_fg[i];
    }
    return st;
}

static void add_text(struct mdr *r, const char *s, size_t n)
{
    tline_add(&r->cur, s, n, text_style(r));
}

static void build_prefix(struct mdr *r, struct tline *first, struct tline *rest)
{
    tline_reset(first);
    tline_reset(rest);
    for (int i = 0; i < r->depth; i++) {
        struct cont *c = &r->st[i];
        switch (c->kind) {
        case C_QUOTE:
            tline_adds(first, "> ", tstyle_fg(MD_QUOTE));
            tline_adds(rest, "> ", tstyle_fg(MD_QUOTE));
            break;
        case C_LIST:
            if (c->nested) {
                tline_adds(first, "  ", TSTYLE_PLAIN);
                tline_adds(rest, "  ", TSTYLE_PLAIN);
            }
            break;
        case C_ITEM: {
            int w = tw_strwidth(c->marker);
            if (!c->started) {
                const struct cont *list = i > 0 ? &r->st[i - 1] : NULL;
                bool ordered = list && list->ordered;
                tline_adds(first, c->marker, tstyle_fg(ordered ? MD_NUMBER : MD_BULLET));
                c->started = true;
            } else {
                for (int k = 0; k < w; k++)
                    tline_adds(first, " ", TSTYLE_PLAIN);
            }
            for (int k = 0; k < w; k++)
                tline_adds(rest, " ", TSTYLE_PLAIN);
            break;
        }
        }
    }
}

static void separate(struct mdr *r)
{
    if (r->pending_sep && r->any_output)
        tlines_push(r->out);
    r->pending_sep = false;
}

/* Wrap the finished logical lines of a block with the containers' prefixes. */
static void emit_logical(struct mdr *r)
{
    separate(r);
    struct tline first, rest;
    tline_init(&first);
    tline_init(&rest);
    build_prefix(r, &first, &rest);
    for (size_t i = 0; i < r->logical.n; i++)
        tline_wrap(&r->logical.v[i], r->width, i == 0 ? &first : &rest, &rest, r->out);
    tline_free(&first);
    tline_free(&rest);
    tlines_clear(&r->logical);
    r->any_output = true;
    r->pending_sep = true;
}

static void push_cur(struct mdr *r)
{
    struct tline *l = tlines_push(&r->logical);
    *l = r->cur;
    tline_init(&r->cur);
}

static void start_leaf(struct mdr *r, enum leaf_kind k)
{
    r->leaf = k;
    tline_reset(&r->cur);
    tlines_clear(&r->logical);
    if (k == L_HEADING) {
        char marks[8] = "#######";
        unsigned lv = r->heading_level > 6 ? 6 : r->heading_level;
        marks[lv] = '\0';
        add_text(r, marks, lv);
        add_text(r, " ", 1);
    }
}

static void end_text_leaf(struct mdr *r)
{
    push_cur(r);
    emit_logical(r);
    r->leaf = L_NONE;
    r->implicit = false;
}

static void end_implicit(struct mdr *r)
{
    if (r->implicit && r->leaf == L_PARA)
        end_text_leaf(r);
}

static void emit_code(struct mdr *r)
{
    const char *s = buf_cstr(&r->code);
    size_t len = r->code.len;
    if (len > 0 && s[len - 1] == '\n')
        len--;
    if (len == 0) {
        /* An empty block (or only the closing fence of a streamed one). */
        buf_truncate(&r->code, 0);
        free(r->lang);
        r->lang = NULL;
        return;
    }
    separate(r);
    struct tline first, rest;
    tline_init(&first);
    tline_init(&rest);
    build_prefix(r, &first, &rest);
    int state = 0;
    size_t i = 0;
    bool first_line = true;
    do {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        struct tline code;
        tline_init(&code);
        hl_line(r->lang, s + i, e - i, &code, &state);
        tline_wrap(&code, r->width, first_line ? &first : &rest, &rest, r->out);
        tline_free(&code);
        first_line = false;
        i = e + 1;
    } while (i <= len);
    tline_free(&first);
    tline_free(&rest);
    buf_truncate(&r->code, 0);
    free(r->lang);
    r->lang = NULL;
    r->any_output = true;
    r->pending_sep = true;
}

static void emit_table(struct mdr *r)
{
    struct table *t = &r->table;
    if (t->ncols == 0 || t->nrows == 0)
        return;
    separate(r);
    struct tline first, rest;
    tline_init(&first);
    tline_init(&rest);
    build_prefix(r, &first, &rest);
    int *w = xcalloc((size_t)t->ncols, sizeof *w);
    for (int row = 0; row < t->nrows; row++)
        for (int c = 0; c < t->ncols; c++) {
            int cw = tline_width(&t->cells.v[(size_t)row * t->ncols + c]);
            if (cw > w[c])
                w[c] = cw;
        }
    int avail = r->width - tline_width(&rest) - 3 * (t->ncols - 1);
    for (;;) {
        int total = 0, widest = 0;
        for (int c = 0; c < t->ncols; c++) {
            total += w[c];
            if (w[c] > w[widest])
                widest = c;
        }
        if (total <= avail || w[widest] <= 3)
            break;
        w[widest]--;
    }
    for (int row = 0; row < t->nrows; row++) {
        struct tline *line = tlines_push(r->out);
        tline_append(line, row == 0 ? &first : &rest);
        for (int c = 0; c < t->ncols; c++) {
            struct tline *cell = &t->cells.v[(size_t)row * t->ncols + c];
            tline_truncate(cell, w[c]);
            tline_append(line, cell);
            if (c + 1 < t->ncols) {
                for (int k = tline_width(cell); k < w[c]; k++)
                    tline_adds(line, " ", TSTYLE_PLAIN);
                tline_adds(line, " │ ", tstyle_attr(TA_DIM));
            }
        }
        if (row + 1 == t->header_rows) {
            struct tline *sep = tlines_push(r->out);
            tline_append(sep, &rest);
            for (int c = 0; c < t->ncols; c++) {
                for (int k = 0; k < w[c]; k++)
                    tline_adds(sep, "─", tstyle_attr(TA_DIM));
                if (c + 1 < t->ncols)
                    tline_adds(sep, "─┼─", tstyle_attr(TA_DIM));
            }
        }
    }
    free(w);
    tline_free(&first);
    tline_free(&rest);
    tlines_clear(&t->cells);
    t->ncols = t->nrows = t->header_rows = 0;
    r->any_output = true;
    r->pending_sep = true;
}

static void push_cont(struct mdr *r, struct cont c)
{
    if (r->depth >= MAX_DEPTH) {
        r->overflow++;
        return;
    }
    r->st[r->depth++] = c;
}

static void pop_cont(struct mdr *r)
{
    if (r->overflow > 0)
        r->overflow--;
    else if (r->depth > 0)
        r->depth--;
}

static void attr_text(const MD_ATTRIBUTE *a, char **out)
{
    *out = xstrndup(a->text ? a->text : "", a->size);
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    struct mdr *r = ud;
    end_implicit(r);
    switch (type) {
    case MD_BLOCK_DOC:
        break;
    case MD_BLOCK_QUOTE:
        push_cont(r, (struct cont){.kind = C_QUOTE});
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL: {
        struct cont c = {.kind = C_LIST, .ordered = type == MD_BLOCK_OL};
        if (type == MD_BLOCK_UL) {
            c.tight = ((MD_BLOCK_UL_DETAIL *)detail)->is_tight != 0;
        } else {
            c.tight = ((MD_BLOCK_OL_DETAIL *)detail)->is_tight != 0;
            c.next_num = ((MD_BLOCK_OL_DETAIL *)detail)->start;
        }
        struct cont *item = r->depth > 0 && r->st[r->depth - 1].kind == C_ITEM ? &r->st[r->depth - 1]
                                                                               : NULL;
        c.nested = item != NULL;
        /* A nested list follows its item's text directly in a tight list. */
        if (item && r->depth >= 2 && r->st[r->depth - 2].tight)
            r->pending_sep = false;
        push_cont(r, c);
        break;
    }
    case MD_BLOCK_LI: {
        struct cont *list = r->depth > 0 ? &r->st[r->depth - 1] : NULL;
        struct cont c = {.kind = C_ITEM};
        if (list && list->kind == C_LIST && list->ordered) {
            snprintf(c.marker, sizeof c.marker, "%u. ", list->next_num++);
        } else {
            snprintf(c.marker, sizeof c.marker, "• ");
        }
        /* Items of a tight list follow each other directly, unless the one
         * before ended with a list of its own. */
        if (list && list->kind == C_LIST) {
            if (list->tight && list->items > 0 && !list->after_nested)
                r->pending_sep = false;
            list->items++;
            list->after_nested = false;
        }
        push_cont(r, c);
        break;
    }
    case MD_BLOCK_HR: {
        separate(r);
        struct tline first, rest;
        tline_init(&first);
        tline_init(&rest);
        build_prefix(r, &first, &rest);
        struct tline *line = tlines_push(r->out);
        tline_append(line, &first);
        int n = r->width - tline_width(&first);
        for (int i = 0; i < n && i < 80; i++)
            tline_adds(line, "─", tstyle_attr(TA_DIM));
        tline_free(&first);
        tline_free(&rest);
        r->any_output = true;
        r->pending_sep = true;
        break;
    }
    case MD_BLOCK_H:
        r->heading_level = ((MD_BLOCK_H_DETAIL *)detail)->level;
        start_leaf(r, L_HEADING);
        break;
    case MD_BLOCK_CODE: {
        MD_BLOCK_CODE_DETAIL *d = detail;
        char *lang = NULL;
        attr_text(&d->lang, &lang);
        free(r->lang);
        r->lang = xstrdup(hl_language(lang) ? hl_language(lang) : "");
        if (!*r->lang) {
            free(r->lang);
            r->lang = NULL;
        }
        free(lang);
        r->leaf = L_CODE;
        buf_truncate(&r->code, 0);
        break;
    }
    case MD_BLOCK_HTML:
        start_leaf(r, L_HTML);
        break;
    case MD_BLOCK_P:
        start_leaf(r, L_PARA);
        break;
    case MD_BLOCK_TABLE:
        r->leaf = L_TABLE;
        tlines_clear(&r->table.cells);
        r->table.ncols = r->table.nrows = r->table.header_rows = 0;
        break;
    case MD_BLOCK_THEAD:
        r->in_thead = true;
        break;
    case MD_BLOCK_TBODY:
        break;
    case MD_BLOCK_TR:
        r->table.cols_in_row = 0;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        tline_reset(&r->cur);
        break;
    }
    return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *ud)
{
    struct mdr *r = ud;
    (void)detail;
    if (type != MD_BLOCK_LI)
        end_implicit(r);
    switch (type) {
    case MD_BLOCK_DOC:
        break;
    case MD_BLOCK_QUOTE:
        pop_cont(r);
        r->pending_sep = true;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL: {
        bool nested = r->overflow == 0 && r->depth > 0 && r->st[r->depth - 1].nested;
        pop_cont(r);
        /* The item holding it and that item's list. */
        if (nested && r->depth >= 2 && r->st[r->depth - 2].kind == C_LIST)
            r->st[r->depth - 2].after_nested = true;
        r->pending_sep = true;
        break;
    }
    case MD_BLOCK_LI: {
        end_implicit(r);
        /* An item with no text still shows its marker. */
        struct cont *item = r->depth > 0 ? &r->st[r->depth - 1] : NULL;
        if (item && item->kind == C_ITEM && !item->started) {
            start_leaf(r, L_PARA);
            end_text_leaf(r);
        }
        pop_cont(r);
        break;
    }
    case MD_BLOCK_HR:
        break;
    case MD_BLOCK_H:
    case MD_BLOCK_P:
        end_text_leaf(r);
        break;
    case MD_BLOCK_HTML: {
        /* Raw HTML arrives with its own newlines. */
        char *all = tline_text(&r->cur);
        struct tstyle st = tstyle_attr(TA_DIM);
        tline_reset(&r->cur);
        char *save = NULL;
        for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            tline_adds(&r->cur, line, st);
            push_cur(r);
        }
        free(all);
        if (r->logical.n)
            emit_logical(r);
        r->leaf = L_NONE;
        break;
    }
    case MD_BLOCK_CODE:
        emit_code(r);
        r->leaf = L_NONE;
        break;
    case MD_BLOCK_TABLE:
        emit_table(r);
        r->leaf = L_NONE;
        break;
    case MD_BLOCK_THEAD:
        r->in_thead = false;
        r->table.header_rows = r->table.nrows;
        break;
    case MD_BLOCK_TBODY:
        break;
    case MD_BLOCK_TR: {
        struct table *t = &r->table;
        if (t->nrows == 0)
            t->ncols = t->cols_in_row;
        /* Rows with fewer cells are padded, with more are cut. */
        while (t->cols_in_row < t->ncols) {
            tlines_push(&t->cells);
            t->cols_in_row++;
        }
        tlines_truncate(&t->cells, (size_t)(t->nrows + 1) * (size_t)t->ncols);
        t->nrows++;
        break;
    }
    case MD_BLOCK_TH:
    case MD_BLOCK_TD: {
        struct tline *cell = tlines_push(&r->table.cells);
        *cell = r->cur;
        tline_init(&r->cur);
        r->table.cols_in_row++;
        break;
    }
    }
    return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *ud)
{
    struct mdr *r = ud;
    if (r->nspan >= MAX_SPANS)
        return 0;
    uint16_t attrs = 0;
    tcolor fg = 0;
    switch (type) {
    case MD_SPAN_EM:
        attrs = TA_ITALIC;
        fg = MD_EMPHASIS;
        break;
    case MD_SPAN_STRONG:
        attrs = TA_BOLD;
        fg = MD_EMPHASIS;
        break;
    case MD_SPAN_CODE:
        fg = MD_CODE;
        break;
    case MD_SPAN_A:
        attrs = TA_UNDERLINE;
        fg = MD_LINK;
        if (r->nlink < MAX_SPANS) {
            attr_text(&((MD_SPAN_A_DETAIL *)detail)->href, &r->href[r->nlink]);
            r->link_text_start[r->nlink] = r->cur.len;
            r->nlink++;
        }
        break;
    case MD_SPAN_DEL:
        attrs = TA_STRIKE;
        break;
    default:
        break;
    }
    r->span_attrs[r->nspan] = attrs;
    r->span_fg[r->nspan] = fg;
    r->nspan++;
    return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *ud)
{
    struct mdr *r = ud;
    (void)detail;
    if (type == MD_SPAN_A && r->nlink > 0) {
        r->nlink--;
        char *href = r->href[r->nlink];
        size_t start = r->link_text_start[r->nlink];
        size_t tlen = r->cur.len >= start ? r->cur.len - start : 0;
        /* An autolink shows its address once. */
        bool same = strlen(href) == tlen && memcmp(r->cur.text + start, href, tlen) == 0;
        if (!same && *href) {
            char *safe = tw_sanitize(href, strlen(href), false, NULL);
            add_text(r, " (", 2);
            add_text(r, safe, strlen(safe));
            add_text(r, ")", 1);
            free(safe);
        }
        free(href);
    }
    if (r->nspan > 0)
        r->nspan--;
    return 0;
}

static void add_entity(struct mdr *r, const char *s, size_t n)
{
    static const struct {
        const char *name, *text;
    } named[] = {{"&amp;", "&"},   {"&lt;", "<"},    {"&gt;", ">"},  {"&quot;", "\""},
                 {"&apos;", "'"},  {"&nbsp;", " "},  {"&copy;", "©"}, {"&mdash;", "—"},
                 {"&ndash;", "–"}, {"&hellip;", "…"}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strlen(named[i].name) == n && memcmp(named[i].name, s, n) == 0) {
            add_text(r, named[i].text, strlen(named[i].text));
            return;
        }
    if (n > 3 && s[1] == '#') {
        long cp = s[2] == 'x' || s[2] == 'X' ? strtol(s + 3, NULL, 16) : strtol(s + 2, NULL, 10);
        if (cp >= 0x20 && cp <= 0x10FFFF && !(cp >= 0x7f && cp < 0xa0) &&
            !(cp >= 0xD800 && cp <= 0xDFFF)) {
            char u[4];
            add_text(r, u, tw_encode((int32_t)cp, u));
            return;
        }
    }
    add_text(r, s, n);
}

static int on_text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *ud)
{
    struct mdr *r = ud;
    if (r->leaf == L_CODE) {
        buf_append(&r->code, s, n);
        return 0;
    }
    if (r->leaf == L_NONE) {
        /* Text straight inside a tight list item. */
        start_leaf(r, L_PARA);
        r->implicit = true;
    }
    switch (type) {
    case MD_TEXT_BR:
        if (r->leaf == L_TABLE)
            add_text(r, " ", 1);
        else
            push_cur(r);
        break;
    case MD_TEXT_SOFTBR:
        add_text(r, " ", 1);
        break;
    case MD_TEXT_ENTITY:
        add_entity(r, s, n);
        break;
    case MD_TEXT_NULLCHAR:
        add_text(r, "\xEF\xBF\xBD", 3);
        break;
    case MD_TEXT_HTML:
    case MD_TEXT_CODE:
    case MD_TEXT_NORMAL:
    default:
        if (r->leaf == L_HTML) {
            /* Keep raw HTML's own line breaks for leave_block to split. */
            tline_add(&r->cur, s, n, tstyle_attr(TA_DIM));
        } else {
            /* Inline code may carry newlines (from the source); they read
             * as spaces. */
            size_t i = 0;
            while (i < n) {
                const char *nl = memchr(s + i, '\n', n - i);
                size_t e = nl ? (size_t)(nl - s) : n;
                add_text(r, s + i, e - i);
                if (nl)
                    add_text(r, " ", 1);
                i = e + 1;
            }
        }
        break;
    }
    return 0;
}

static void plain_render(const char *text, size_t len, int width, struct tlines *out)
{
    size_t i = 0;
    while (i <= len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        struct tline l;
        tline_init(&l);
        tline_add(&l, text + i, e - i, TSTYLE_PLAIN);
        tline_wrap(&l, width, NULL, NULL, out);
        tline_free(&l);
        i = e + 1;
    }
}

void md_render(const char *text, size_t len, int width, struct tlines *out)
{
    if (width < 1)
        width = 1;
    md_parse_fn parse = md_parser();
    if (!parse) {
        plain_render(text, len, width, out);
        return;
    }
    struct mdr r;
    memset(&r, 0, sizeof r);
    r.width = width;
    r.out = out;
    tline_init(&r.cur);
    tlines_init(&r.logical);
    tlines_init(&r.table.cells);
    MD_PARSER p = {
        .flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEURLAUTOLINKS |
                 MD_FLAG_NOHTMLSPANS,
        .enter_block = enter_block,
        .leave_block = leave_block,
        .enter_span = enter_span,
        .leave_span = leave_span,
        .text = on_text,
    };
    size_t before = out->n;
    if (parse(text, (MD_SIZE)len, &p, &r) != 0) {
        tlines_truncate(out, before);
        plain_render(text, len, width, out);
    }
    end_implicit(&r);
    for (int i = 0; i < r.nlink; i++)
        free(r.href[i]);
    tline_free(&r.cur);
    tlines_free(&r.logical);
    tlines_free(&r.table.cells);
    buf_free(&r.code);
    free(r.lang);
}

/* ---- streaming ------------------------------------------------------------ */

void md_stream_init(struct md_stream *ms)
{
    memset(ms, 0, sizeof *ms);
    ms->width = -1;
}

void md_stream_free(struct md_stream *ms)
{
    buf_free(&ms->text);
    tlines_free(&ms->done);
    tlines_free(&ms->tail);
    free(ms->open_fence);
    memset(ms, 0, sizeof *ms);
}

void md_stream_append(struct md_stream *ms, const char *text, size_t len)
{
    buf_append(&ms->text, text, len);
    ms->dirty = true;
}

static void reset_done(struct md_stream *ms)
{
    tlines_clear(&ms->done);
    ms->committed = 0;
    free(ms->open_fence);
    ms->open_fence = NULL;
    ms->done_ends_in_fence = false;
}

void md_stream_set(struct md_stream *ms, const char *text, size_t len)
{
    if (len == ms->text.len && (len == 0 || memcmp(ms->text.data, text, len) == 0))
        return;
    buf_truncate(&ms->text, 0);
    buf_append(&ms->text, text, len);
    reset_done(ms);
    ms->dirty = true;
}

/* A fence line: up to 3 spaces, then 3+ backticks or tildes.  Returns the
 * fence length (0 when not a fence) and its character. */
static size_t fence_of(const char *s, size_t n, char *ch)
{
    size_t i = 0;
    while (i < n && i < 3 && s[i] == ' ')
        i++;
    if (i >= n || (s[i] != '`' && s[i] != '~'))
        return 0;
    char c = s[i];
    size_t k = i;
    while (k < n && s[k] == c)
        k++;
    if (k - i < 3)
        return 0;
    *ch = c;
    return k - i;
}

static bool blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* Past this much text without a block boundary, cut at a line anyway so
 * that a block that never ends cannot make every frame slower. */
#define MAX_TAIL 65536

/* Find the last point in text[committed..] where a new block starts.
 * *fence gets the fence that is open there (malloc'd) or NULL. */
static size_t find_boundary(const struct md_stream *ms, char **fence)
{
    const char *t = ms->text.data;
    size_t len = ms->text.len;
    size_t best = 0;
    char *best_fence = NULL;
    char *open = ms->open_fence ? xstrdup(ms->open_fence) : NULL;
    char open_ch = 0;
    size_t open_len = open ? fence_of(open, strlen(open), &open_ch) : 0;
    size_t i = ms->committed;
    size_t last_line_start = i;
    bool prev_blank = false;
    while (i < len) {
        const char *nl = memchr(t + i, '\n', len - i);
        if (!nl)
            break;
        size_t e = (size_t)(nl - t);
        const char *line = t + i;
        size_t n = e - i;
        if (open) {
            char ch;
            size_t fl = fence_of(line, n, &ch);
            size_t lead = 0;
            while (lead < n && lead < 3 && line[lead] == ' ')
                lead++;
            if (fl >= open_len && ch == open_ch && blank_line(line + lead + fl, n - lead - fl)) {
                free(open);
                open = NULL;
                best = e + 1;
                free(best_fence);
                best_fence = NULL;
            } else {
                best = e + 1;
                free(best_fence);
                best_fence = xstrdup(open);
            }
            prev_blank = false;
        } else {
            char ch;
            size_t fl = fence_of(line, n, &ch);
            if (fl) {
                open = xstrndup(line, n);
                open_len = fl;
                open_ch = ch;
            } else if (prev_blank && n > 0 && line[0] != ' ' && line[0] != '\t') {
                best = i;
                free(best_fence);
                best_fence = NULL;
            }
            prev_blank = blank_line(line, n);
        }
        last_line_start = e + 1;
        i = e + 1;
    }
    if (best <= ms->committed && last_line_start > ms->committed &&
        last_line_start - ms->committed > MAX_TAIL) {
        best = last_line_start;
        free(best_fence);
        best_fence = open ? xstrdup(open) : NULL;
    }
    free(open);
    *fence = best > ms->committed ? best_fence : (free(best_fence), NULL);
    return best > ms->committed ? best : 0;
}

/* Render text[from..to) (with a carried-in fence and, when still open at
 * `to`, a closing one) and append the rows to out. */
static void render_chunk(struct md_stream *ms, size_t from, size_t to, const char *fence_in,
                         const char *fence_out, int width, struct tlines *out)
{
    struct buf chunk = BUF_INIT;
    if (fence_in) {
        buf_puts(&chunk, fence_in);
        buf_putc(&chunk, '\n');
    }
    buf_append(&chunk, ms->text.data + from, to - from);
    if (fence_out) {
        if (chunk.len && chunk.data[chunk.len - 1] != '\n')
            buf_putc(&chunk, '\n');
        char ch;
        size_t fl = fence_of(fence_out, strlen(fence_out), &ch);
        for (size_t k = 0; k < fl; k++)
            buf_putc(&chunk, ch);
        buf_putc(&chunk, '\n');
    }
    md_render(buf_cstr(&chunk), chunk.len, width, out);
    buf_free(&chunk);
}

size_t md_stream_update(struct md_stream *ms, int width)
{
    if (width != ms->width) {
        reset_done(ms);
        ms->width = width;
        ms->dirty = true;
    }
    size_t kept = ms->done.n;
    if (!ms->dirty)
        return kept;
    ms->dirty = false;
    char *fence = NULL;
    size_t b = find_boundary(ms, &fence);
    if (b > ms->committed) {
        struct tlines rows;
        tlines_init(&rows);
        render_chunk(ms, ms->committed, b, ms->open_fence, fence, width, &rows);
        /* The first chunk's leading blank rows are the text's own. */
        if (ms->done.n && rows.n && !ms->done_ends_in_fence)
            tlines_push(&ms->done);
        tlines_take(&ms->done, &rows);
        tlines_free(&rows);
        ms->committed = b;
        free(ms->open_fence);
        ms->open_fence = fence;
        ms->done_ends_in_fence = fence != NULL;
    } else {
        free(fence);
    }
    tlines_clear(&ms->tail);
    if (ms->committed < ms->text.len && !blank_line(ms->text.data + ms->committed,
                                                    ms->text.len - ms->committed)) {
        const char *f = ms->open_fence;
        render_chunk(ms, ms->committed, ms->text.len, f, f, width, &ms->tail);
    }
    return kept;
}

static bool needs_gap(const struct md_stream *ms)
{
    return ms->done.n > 0 && ms->tail.n > 0 && !ms->done_ends_in_fence;
}

size_t md_stream_rows(const struct md_stream *ms)
{
    return ms->done.n + (needs_gap(ms) ? 1 : 0) + ms->tail.n;
}

const struct tline *md_stream_row(const struct md_stream *ms, size_t i)
{
    static const struct tline empty;
    if (i < ms->done.n)
        return &ms->done.v[i];
    i -= ms->done.n;
    if (needs_gap(ms)) {
        if (i == 0)
            return &empty;
        i--;
    }
    return i < ms->tail.n ? &ms->tail.v[i] : &empty;
}

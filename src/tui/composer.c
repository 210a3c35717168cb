#include "tui/composer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/width.h"
#include "util/xalloc.h"

void composer_init(struct composer *c)
{
    memset(c, 0, sizeof *c);
    c->want_col = -1;
}

void composer_free(struct composer *c)
{
    buf_free(&c->text);
    strvec_free(&c->pastes);
    strvec_free(&c->placeholders);
    free(c->rows);
    memset(c, 0, sizeof *c);
}

void composer_clear(struct composer *c)
{
    buf_truncate(&c->text, 0);
    c->cursor = 0;
    c->want_col = -1;
    strvec_free(&c->pastes);
    strvec_free(&c->placeholders);
}

void composer_set(struct composer *c, const char *text)
{
    composer_clear(c);
    composer_insert(c, text, strlen(text));
}

bool composer_empty(const struct composer *c)
{
    return c->text.len == 0;
}

const char *composer_text(const struct composer *c)
{
    return buf_cstr(&c->text);
}

void composer_insert(struct composer *c, const char *text, size_t len)
{
    size_t n;
    char *safe = tw_sanitize(text, len, true, &n);
    size_t old = c->text.len;
    buf_reserve(&c->text, n);
    buf_append(&c->text, safe, n); /* grow, then shift into place */
    memmove(c->text.data + c->cursor + n, c->text.data + c->cursor, old - c->cursor);
    memcpy(c->text.data + c->cursor, safe, n);
    c->text.data[c->text.len] = '\0';
    c->cursor += n;
    c->want_col = -1;
    free(safe);
}

void composer_replace(struct composer *c, size_t start, size_t end, const char *text)
{
    if (end > c->text.len)
        end = c->text.len;
    if (start > end)
        start = end;
    memmove(c->text.data + start, c->text.data + end, c->text.len - end);
    c->text.len -= end - start;
    c->text.data[c->text.len] = '\0';
    c->cursor = start;
    composer_insert(c, text, strlen(text));
}

void composer_insert_char(struct composer *c, int32_t cp)
{
    char u[4];
    composer_insert(c, u, tw_encode(cp, u));
}

void composer_paste(struct composer *c, const char *text, size_t len)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)text[i] & 0xC0) != 0x80;
    if (chars <= COMPOSER_PASTE_PLACEHOLDER_MIN) {
        composer_insert(c, text, len);
        return;
    }
    char ph[96];
    int k = 1;
    for (size_t i = 0; i < c->placeholders.n; i++)
        k++;
    if (k == 1)
        snprintf(ph, sizeof ph, "[Pasted Content %zu chars]", chars);
    else
        snprintf(ph, sizeof ph, "[Pasted Content %zu chars] #%d", chars, k);
    strvec_push_owned(&c->pastes, xstrndup(text, len));
    strvec_push(&c->placeholders, ph);
    composer_insert(c, ph, strlen(ph));
}

/* Byte offset of the cluster before/after pos. */
static size_t prev_pos(const struct composer *c, size_t pos)
{
    if (pos == 0)
        return 0;
    /* Walk clusters from the start of the line: clusters are only defined
     * going forward. */
    size_t line = pos;
    while (line > 0 && c->text.data[line - 1] != '\n')
        line--;
    if (line == pos)
        return pos - 1; /* the newline before */
    size_t p = line, last = line;
    while (p < pos) {
        int w;
        last = p;
        p += tw_next_cluster(c->text.data + p, c->text.len - p, &w);
    }
    return last;
}

static size_t next_pos(const struct composer *c, size_t pos)
{
    if (pos >= c->text.len)
        return c->text.len;
    if (c->text.data[pos] == '\n')
        return pos + 1;
    int w;
    size_t n = tw_next_cluster(c->text.data + pos, c->text.len - pos, &w);
    /* A cluster never spans a newline. */
    const char *nl = memchr(c->text.data + pos, '\n', n);
    return nl ? (size_t)(nl - c->text.data) : pos + n;
}

static void erase(struct composer *c, size_t from, size_t to)
{
    if (to <= from)
        return;
    memmove(c->text.data + from, c->text.data + to, c->text.len - to);
    buf_truncate(&c->text, c->text.len - (to - from));
    c->cursor = from;
    c->want_col = -1;
}

void composer_backspace(struct composer *c)
{
    erase(c, prev_pos(c, c->cursor), c->cursor);
}

void composer_delete(struct composer *c)
{
    erase(c, c->cursor, next_pos(c, c->cursor));
}

void composer_left(struct composer *c)
{
    c->cursor = prev_pos(c, c->cursor);
    c->want_col = -1;
}

void composer_right(struct composer *c)
{
    c->cursor = next_pos(c, c->cursor);
    c->want_col = -1;
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\n' || ch == '\t';
}

void composer_word_left(struct composer *c)
{
    size_t p = c->cursor;
    while (p > 0 && is_space(c->text.data[p - 1]))
        p--;
    while (p > 0 && !is_space(c->text.data[p - 1]))
        p--;
    c->cursor = p;
    c->want_col = -1;
}

void composer_word_right(struct composer *c)
{
    size_t p = c->cursor;
    while (p < c->text.len && is_space(c->text.data[p]))
        p++;
    while (p < c->text.len && !is_space(c->text.data[p]))
        p++;
    c->cursor = p;
    c->want_col = -1;
}

void composer_delete_word_back(struct composer *c)
{
    size_t end = c->cursor;
    composer_word_left(c);
    erase(c, c->cursor, end);
}

void composer_line_start(struct composer *c)
{
    while (c->cursor > 0 && c->text.data[c->cursor - 1] != '\n')
        c->cursor--;
    c->want_col = -1;
}

void composer_line_end(struct composer *c)
{
    while (c->cursor < c->text.len && c->text.data[c->cursor] != '\n')
        c->cursor++;
    c->want_col = -1;
}

void composer_kill_to_start(struct composer *c)
{
    size_t end = c->cursor;
    composer_line_start(c);
    if (c->cursor == end && end > 0)
        c->cursor--; /* at a line start: join with the line above */
    erase(c, c->cursor, end);
}

void composer_kill_to_end(struct composer *c)
{
    size_t start = c->cursor, end = c->cursor;
    while (end < c->text.len && c->text.data[end] != '\n')
        end++;
    if (end == start && end < c->text.len)
        end++;
    erase(c, start, end);
    c->cursor = start;
}

static void push_row(struct composer *c, size_t start, size_t end)
{
    if (c->nrows == c->rows_cap) {
        c->rows_cap = c->rows_cap ? c->rows_cap * 2 : 8;
        c->rows = xrealloc(c->rows, c->rows_cap * sizeof *c->rows);
    }
    c->rows[c->nrows++] = (struct crow){start, end};
}

void composer_layout(struct composer *c, int width)
{
    c->width = width;
    c->nrows = 0;
    int avail = width - 2;
    if (avail < 1)
        avail = 1;
    const char *t = buf_cstr(&c->text);
    size_t len = c->text.len, line = 0;
    for (;;) {
        const char *nl = memchr(t + line, '\n', len - line);
        size_t lend = nl ? (size_t)(nl - t) : len;
        size_t pos = line;
        do {
            size_t i = pos, brk = 0;
            int cols = 0;
            bool fits = true;
            while (i < lend) {
                int w;
                size_t n = tw_next_cluster(t + i, lend - i, &w);
                if (cols + w > avail) {
                    fits = false;
                    break;
                }
                cols += w;
                i += n;
                if (t[i - 1] == ' ')
                    brk = i;
            }
            size_t end = fits ? lend : (brk > pos ? brk : (i > pos ? i : i + 1));
            if (end > lend)
                end = lend;
            push_row(c, pos, end);
            pos = end;
        } while (pos < lend);
        if (!nl)
            break;
        line = lend + 1;
    }
    /* Where the cursor is: the row holding it (a row's end belongs to it
     * unless the next row starts there, i.e. a soft wrap). */
    c->cur_row = 0;
    for (size_t r = 0; r < c->nrows; r++) {
        if (c->cursor >= c->rows[r].start && c->cursor <= c->rows[r].end) {
            c->cur_row = r;
            if (c->cursor < c->rows[r].end || r + 1 >= c->nrows ||
                c->rows[r + 1].start != c->rows[r].end)
                break;
        }
    }
    const struct crow *row = &c->rows[c->cur_row];
    c->cur_col = 2 + tw_width(t + row->start, c->cursor - row->start);
}

size_t composer_rows(const struct composer *c)
{
    return c->nrows ? c->nrows : 1;
}

bool composer_on_first_row(const struct composer *c)
{
    return c->cur_row == 0;
}

bool composer_on_last_row(const struct composer *c)
{
    return c->nrows == 0 || c->cur_row + 1 >= c->nrows;
}

static void move_to_row(struct composer *c, size_t r)
{
    if (c->want_col < 0)
        c->want_col = c->cur_col - 2;
    const struct crow *row = &c->rows[r];
    int cols;
    size_t fit = tw_fit(c->text.data + row->start, row->end - row->start, c->want_col, &cols);
    c->cursor = row->start + fit;
    c->cur_row = r;
    c->cur_col = 2 + cols;
}

bool composer_up(struct composer *c)
{
    if (c->nrows == 0 || c->cur_row == 0)
        return false;
    int keep = c->want_col;
    move_to_row(c, c->cur_row - 1);
    if (keep >= 0)
        c->want_col = keep;
    return true;
}

bool composer_down(struct composer *c)
{
    if (c->nrows == 0 || c->cur_row + 1 >= c->nrows)
        return false;
    int keep = c->want_col;
    move_to_row(c, c->cur_row + 1);
    if (keep >= 0)
        c->want_col = keep;
    return true;
}

void composer_draw(const struct composer *c, struct tgrid *g, int y, size_t first, size_t n,
                   const struct tline *prefix, const char *placeholder)
{
    if (c->text.len == 0) {
        int x = 0;
        for (uint32_t i = 0; i < prefix->n; i++)
            x = tgrid_put(g, x, y, g->w, prefix->text + prefix->spans[i].off,
                          prefix->spans[i].len, prefix->spans[i].style);
        if (placeholder)
            tgrid_puts(g, x, y, g->w, placeholder, tstyle_attr(TA_DIM));
        return;
    }
    for (size_t k = 0; k < n && first + k < c->nrows; k++) {
        size_t r = first + k;
        int x = 0;
        if (r == 0) {
            for (uint32_t i = 0; i < prefix->n; i++)
                x = tgrid_put(g, x, y + (int)k, g->w, prefix->text + prefix->spans[i].off,
                              prefix->spans[i].len, prefix->spans[i].style);
        } else {
            x = 2;
        }
        tgrid_put(g, x, y + (int)k, g->w, c->text.data + c->rows[r].start,
                  c->rows[r].end - c->rows[r].start, TSTYLE_PLAIN);
    }
}

char *composer_expand(const struct composer *c)
{
    struct buf out = BUF_INIT;
    buf_puts(&out, buf_cstr(&c->text));
    for (size_t i = 0; i < c->placeholders.n; i++) {
        const char *ph = c->placeholders.v[i];
        const char *hit = strstr(buf_cstr(&out), ph);
        if (!hit)
            continue;
        size_t at = (size_t)(hit - out.data), pl = strlen(ph);
        struct buf next = BUF_INIT;
        buf_append(&next, out.data, at);
        buf_puts(&next, c->pastes.v[i]);
        buf_puts(&next, out.data + at + pl);
        buf_free(&out);
        out = next;
    }
    return buf_detach(&out, NULL);
}

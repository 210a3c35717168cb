/* Unified diffs of whole files, for callers that show a change (approval
 * prompts, fileChange items).  Myers' algorithm on lines after trimming the
 * common head and tail; a very large middle is shown as replaced wholesale
 * instead of spending quadratic memory on it. */
#include <stdlib.h>
#include <string.h>

#include "patch/patch.h"
#include "util/xalloc.h"

#define MAX_EDIT_DISTANCE 2000

struct line {
    const char *ptr;
    size_t len; /* including the '\n', if any */
};

struct lines {
    struct line *v;
    size_t n;
};

static struct lines split(const char *text, size_t len)
{
    struct lines out = {NULL, 0};
    size_t cap = 0, start = 0;
    while (start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        if (out.n == cap) {
            cap = cap ? cap * 2 : 64;
            out.v = xrealloc(out.v, cap * sizeof *out.v);
        }
        out.v[out.n++] = (struct line){text + start, end - start};
        start = end;
    }
    return out;
}

static bool same(const struct line *a, const struct line *b)
{
    return a->len == b->len && memcmp(a->ptr, b->ptr, a->len) == 0;
}

/* One entry per output line: ' ', '-' or '+', with indexes into each side. */
struct edit {
    char op;
    size_t a, b;
};

struct edits {
    struct edit *v;
    size_t n, cap;
};

static void push_edit(struct edits *e, char op, size_t a, size_t b)
{
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        e->v = xrealloc(e->v, e->cap * sizeof *e->v);
    }
    e->v[e->n++] = (struct edit){op, a, b};
}

/* Myers on a[lo_a..hi_a) vs b[lo_b..hi_b); appends edits in order.  Returns
 * false when the edit distance exceeds the limit. */
static bool myers(const struct lines *A, size_t lo_a, size_t hi_a, const struct lines *B, size_t lo_b,
                  size_t hi_b, struct edits *out)
{
    long n = (long)(hi_a - lo_a), m = (long)(hi_b - lo_b);
    long max = n + m;
    if (max > MAX_EDIT_DISTANCE)
        max = MAX_EDIT_DISTANCE;
    long width = 2 * max + 1;
    long *v = xcalloc((size_t)width + 2, sizeof *v);
    long **trace = xcalloc((size_t)max + 1, sizeof *trace);
    long found = -1;
    for (long d = 0; d <= max && found < 0; d++) {
        for (long k = -d; k <= d; k += 2) {
            long x;
            if (k == -d || (k != d && v[max + k - 1] < v[max + k + 1]))
                x = v[max + k + 1];
            else
                x = v[max + k - 1] + 1;
            long y = x - k;
            while (x < n && y < m && same(&A->v[lo_a + (size_t)x], &B->v[lo_b + (size_t)y]))
                x++, y++;
            v[max + k] = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
        trace[d] = xmalloc((size_t)width * sizeof **trace);
        memcpy(trace[d], v, (size_t)width * sizeof *v);
    }
    bool ok = found >= 0;
    if (ok) {
        /* Walk back from (n, m), collecting edits in reverse. */
        struct edits rev = {NULL, 0, 0};
        long x = n, y = m;
        for (long d = found; d > 0; d--) {
            long *pv = trace[d - 1];
            long k = x - y;
            long pk = (k == -d || (k != d && pv[max + k - 1] < pv[max + k + 1])) ? k + 1 : k - 1;
            long px = pv[max + pk], py = px - pk;
            while (x > px && y > py) {
                x--, y--;
                push_edit(&rev, ' ', lo_a + (size_t)x, lo_b + (size_t)y);
            }
            if (x == px)
                push_edit(&rev, '+', lo_a + (size_t)x, lo_b + (size_t)--y);
            else
                push_edit(&rev, '-', lo_a + (size_t)--x, lo_b + (size_t)y);
        }
        while (x > 0 && y > 0) {
            x--, y--;
            push_edit(&rev, ' ', lo_a + (size_t)x, lo_b + (size_t)y);
        }
        for (size_t i = rev.n; i > 0; i--)
            push_edit(out, rev.v[i - 1].op, rev.v[i - 1].a, rev.v[i - 1].b);
        free(rev.v);
    }
    for (long d = 0; d <= max; d++)
        free(trace[d]);
    free(trace);
    free(v);
    return ok;
}

static void emit_line(struct buf *out, char op, const struct line *l)
{
    buf_putc(out, op);
    buf_append(out, l->ptr, l->len);
    if (l->len == 0 || l->ptr[l->len - 1] != '\n')
        buf_puts(out, "\n\\ No newline at end of file\n");
}

static void emit_range(struct buf *out, size_t start, size_t len)
{
    if (len == 1)
        buf_printf(out, "%zu", start + 1);
    else
        buf_printf(out, "%zu,%zu", len == 0 ? start : start + 1, len);
}

char *patch_unified_diff(const char *old_text, size_t old_len, const char *new_text, size_t new_len, int context)
{
    struct lines A = split(old_text ? old_text : "", old_text ? old_len : 0);
    struct lines B = split(new_text ? new_text : "", new_text ? new_len : 0);
    size_t ctx = context < 0 ? 0 : (size_t)context;

    size_t head = 0;
    while (head < A.n && head < B.n && same(&A.v[head], &B.v[head]))
        head++;
    size_t tail = 0;
    while (tail < A.n - head && tail < B.n - head && same(&A.v[A.n - 1 - tail], &B.v[B.n - 1 - tail]))
        tail++;

    struct edits e = {NULL, 0, 0};
    for (size_t i = 0; i < head; i++)
        push_edit(&e, ' ', i, i);
    if (!myers(&A, head, A.n - tail, &B, head, B.n - tail, &e)) {
        for (size_t i = head; i < A.n - tail; i++)
            push_edit(&e, '-', i, head);
        for (size_t j = head; j < B.n - tail; j++)
            push_edit(&e, '+', A.n - tail, j);
    }
    for (size_t t = tail; t > 0; t--)
        push_edit(&e, ' ', A.n - t, B.n - t);

    struct buf out = BUF_INIT;
    size_t i = 0;
    while (i < e.n) {
        while (i < e.n && e.v[i].op == ' ')
            i++;
        if (i == e.n)
            break;
        size_t first = i >= ctx ? i - ctx : 0;
        /* Extend the hunk while the next change is within 2*ctx unchanged lines. */
        size_t last = i;
        size_t j = i;
        while (j < e.n) {
            if (e.v[j].op != ' ') {
                last = j;
                j++;
                continue;
            }
            size_t run = j;
            while (run < e.n && e.v[run].op == ' ')
                run++;
            if (run == e.n || run - j > 2 * ctx)
                break;
            j = run;
        }
        size_t end = last + 1 + ctx < e.n ? last + 1 + ctx : e.n;
        size_t a_start = e.v[first].a, b_start = e.v[first].b, a_len = 0, b_len = 0;
        for (size_t k = first; k < end; k++) {
            if (e.v[k].op != '+')
                a_len++;
            if (e.v[k].op != '-')
                b_len++;
        }
        buf_puts(&out, "@@ -");
        emit_range(&out, a_start, a_len);
        buf_puts(&out, " +");
        emit_range(&out, b_start, b_len);
        buf_puts(&out, " @@\n");
        for (size_t k = first; k < end; k++) {
            const struct edit *ed = &e.v[k];
            emit_line(&out, ed->op, ed->op == '+' ? &B.v[ed->b] : &A.v[ed->a]);
        }
        i = end;
    }
    free(e.v);
    free(A.v);
    free(B.v);
    return buf_detach(&out, NULL);
}

char *patch_change_unified_diff(const struct patch_change *c, int context)
{
    return patch_unified_diff(c->old_content, c->old_len, c->new_content, c->new_len, context);
}

/* Planning: run every hunk against an in-memory view of the files (disk plus
 * the effects of earlier hunks) and record the final state of each path.
 * Hunks are processed in patch order, so the first error reported is the one
 * the reference reports, but nothing is written here. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "patch/internal.h"
#include "patch/mem.h"
#include "patch/text.h"
#include "util/xalloc.h"

/* Files larger than this are refused rather than read into memory. */
#define MAX_FILE_BYTES ((size_t)1 << 30)

struct view {
    struct patch_plan *plan;
    size_t ops_cap;
    size_t *slots; /* open-addressing index into plan->ops, 0 = empty */
    size_t n_slots;
};

static uint64_t hash_path(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct patch_fs_op *view_find(struct view *v, const char *abs)
{
    if (v->n_slots == 0)
        return NULL;
    for (size_t i = hash_path(abs) & (v->n_slots - 1);; i = (i + 1) & (v->n_slots - 1)) {
        size_t slot = v->slots[i];
        if (slot == 0)
            return NULL;
        if (strcmp(v->plan->ops[slot - 1].abs_path, abs) == 0)
            return &v->plan->ops[slot - 1];
    }
}

static void view_index(struct view *v, size_t op_index)
{
    const char *abs = v->plan->ops[op_index].abs_path;
    size_t i = hash_path(abs) & (v->n_slots - 1);
    while (v->slots[i] != 0)
        i = (i + 1) & (v->n_slots - 1);
    v->slots[i] = op_index + 1;
}

static struct patch_fs_op *view_op(struct view *v, const char *abs)
{
    struct patch_fs_op *op = view_find(v, abs);
    if (op)
        return op;
    struct patch_plan *plan = v->plan;
    if (plan->n_ops == v->ops_cap) {
        v->ops_cap = v->ops_cap ? v->ops_cap * 2 : 16;
        plan->ops = xrealloc(plan->ops, v->ops_cap * sizeof *plan->ops);
    }
    if ((plan->n_ops + 1) * 2 > v->n_slots) {
        free(v->slots);
        v->n_slots = v->n_slots ? v->n_slots * 2 : 64;
        while ((plan->n_ops + 1) * 2 > v->n_slots)
            v->n_slots *= 2;
        v->slots = xcalloc(v->n_slots, sizeof *v->slots);
        for (size_t i = 0; i < plan->n_ops; i++)
            view_index(v, i);
    }
    op = &plan->ops[plan->n_ops];
    memset(op, 0, sizeof *op);
    op->abs_path = xstrdup(abs);
    view_index(v, plan->n_ops);
    plan->n_ops++;
    return op;
}

/* The op only points at content owned by a change, which lives as long as
 * the plan. */
static void op_set_content(struct patch_fs_op *op, const char *content, size_t len)
{
    op->content = content;
    op->len = len;
    op->present = true;
    op->touched = true;
}

static void op_remove(struct patch_fs_op *op)
{
    op->content = NULL;
    op->mode = 0;
    op->len = 0;
    op->present = false;
    op->replace_link = true;
    op->touched = true;
}

/* The current text of a file to update, from earlier hunks or from disk. */
static char *read_for_update(struct view *v, const char *abs, size_t *len, unsigned *mode, struct buf *err)
{
    *mode = 0;
    struct patch_fs_op *op = view_find(v, abs);
    if (op) {
        if (!op->present) {
            buf_printf(err, "Failed to read file to update %s: ", abs);
            patch_describe_errno(ENOENT, err);
            return NULL;
        }
        *len = op->len;
        return patch_mem_dup(op->content, op->len);
    }
    char *data = patch_mem_read_file(abs, MAX_FILE_BYTES, len, mode);
    if (!data && errno == 0) {
        buf_printf(err, "Failed to read file to update %s: path `%s` is not a file", abs, abs);
        return NULL;
    }
    if (!data) {
        buf_printf(err, "Failed to read file to update %s: ", abs);
        patch_describe_errno(errno, err);
        return NULL;
    }
    struct buf why = BUF_INIT;
    if (text_check_utf8(data, *len, &why) < 0) {
        buf_printf(err, "Failed to read file to update %s: %s", abs, buf_cstr(&why));
        buf_free(&why);
        patch_mem_free(data);
        return NULL;
    }
    return data;
}

/* Would writing a regular file at abs fail because of what is in the way? */
static bool blocked_for_write(struct view *v, const char *abs)
{
    struct patch_fs_op *op = view_find(v, abs);
    struct stat st;
    if (!op && stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
        return true;
    char *dir = xstrdup(abs);
    bool blocked = false;
    for (char *slash = strrchr(dir, '/'); slash && slash != dir; slash = strrchr(dir, '/')) {
        *slash = '\0';
        struct patch_fs_op *parent = view_find(v, dir);
        if (parent) {
            if (parent->present) {
                blocked = true;
                break;
            }
            continue;
        }
        if (stat(dir, &st) == 0) {
            blocked = !S_ISDIR(st.st_mode);
            break;
        }
        if (errno != ENOENT) {
            blocked = true;
            break;
        }
    }
    free(dir);
    return blocked;
}

/* A file split into lines the way the reference sees it: "\r\n", "\n" and
 * a lone "\r" all end a line; the text of each line excludes its ending. */
enum ending { END_NONE, END_LF, END_CRLF, END_CR };

struct source {
    struct patch_span *lines;
    unsigned char *endings;
    size_t n;
    unsigned char preferred; /* the first line's ending; "\n" if none */
};

static size_t count_byte(const char *text, size_t len, char c)
{
    size_t n = 0;
    for (const char *p = text, *end = text + len; (p = memchr(p, c, (size_t)(end - p))) != NULL; p++)
        n++;
    return n;
}

static void source_split(const char *text, size_t len, struct source *s)
{
    memset(s, 0, sizeof *s);
    size_t cap = count_byte(text, len, '\n') + count_byte(text, len, '\r') + 1;
    s->lines = patch_mem_alloc(cap * sizeof *s->lines);
    s->endings = patch_mem_alloc(cap);
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *cr = memchr(text + start, '\r', end - start);
        if (cr)
            end = (size_t)(cr - text);
        unsigned char ending = END_NONE;
        size_t next = end;
        if (end < len && text[end] == '\n') {
            ending = END_LF;
            next = end + 1;
        } else if (end < len) {
            ending = (end + 1 < len && text[end + 1] == '\n') ? END_CRLF : END_CR;
            next = end + (ending == END_CRLF ? 2 : 1);
        }
        if (ending != END_NONE && !s->preferred)
            s->preferred = ending;
        s->lines[s->n] = (struct patch_span){text + start, end - start};
        s->endings[s->n] = ending;
        s->n++;
        start = next;
    }
    if (!s->preferred)
        s->preferred = END_LF;
}

static int compare_replacements(const void *a, const void *b)
{
    const struct patch_replacement *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return 0;
}

static void describe_lines(struct buf *err, const struct patch_span *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(err, '\n');
        buf_append(err, lines[i].ptr, lines[i].len);
    }
}

/* Locate every chunk; fills *out (caller frees) or sets err. */
static int locate_chunks(const struct source *src, const struct patch_hunk *h, const char *abs,
                         struct patch_replacement **out, size_t *n_out, struct buf *err)
{
    struct patch_replacement *reps = xcalloc(h->n_chunks ? h->n_chunks : 1, sizeof *reps);
    size_t n = 0;
    size_t line_index = 0;
    for (size_t c = 0; c < h->n_chunks; c++) {
        const struct patch_chunk *chunk = &h->chunks[c];
        if (chunk->has_context) {
            long at = patch_seek(src->lines, src->n, &chunk->context, 1, line_index, false);
            if (at < 0) {
                buf_puts(err, "Failed to find context '");
                buf_append(err, chunk->context.ptr, chunk->context.len);
                buf_printf(err, "' in %s", abs);
                goto fail;
            }
            line_index = (size_t)at + 1;
        }
        if (chunk->n_old == 0) {
            /* Nothing to replace: the new lines go at the end of the file. */
            reps[n++] = (struct patch_replacement){src->n, 0, chunk->new_lines, chunk->n_new, NULL};
            continue;
        }
        const struct patch_span *pattern = chunk->old_lines;
        size_t plen = chunk->n_old, nnew = chunk->n_new;
        long at = patch_seek(src->lines, src->n, pattern, plen, line_index, chunk->end_of_file);
        if (at < 0 && pattern[plen - 1].len == 0) {
            /* A trailing empty line stands for the file's final newline. */
            plen--;
            if (nnew > 0 && chunk->new_lines[nnew - 1].len == 0)
                nnew--;
            at = patch_seek(src->lines, src->n, pattern, plen, line_index, chunk->end_of_file);
        }
        if (at < 0) {
            buf_printf(err, "Failed to find expected lines in %s:\n", abs);
            describe_lines(err, chunk->old_lines, chunk->n_old);
            goto fail;
        }
        reps[n++] = (struct patch_replacement){(size_t)at, plen, chunk->new_lines, nnew, chunk->new_origin};
        line_index = (size_t)at + plen;
    }
    /* Stable sort: insertion order among equal starts must be kept. */
    for (size_t i = 1; i < n; i++) {
        struct patch_replacement r = reps[i];
        size_t j = i;
        while (j > 0 && compare_replacements(&reps[j - 1], &r) > 0) {
            reps[j] = reps[j - 1];
            j--;
        }
        reps[j] = r;
    }
    *out = reps;
    *n_out = n;
    return 0;
fail:
    free(reps);
    return -1;
}

/* The new file is written into a buffer sized for the worst case up front. */
struct sink {
    char *p;
    size_t len;
};

static void put(struct sink *out, const char *s, size_t n)
{
    memcpy(out->p + out->len, s, n);
    out->len += n;
}

static void put_ending(struct sink *out, unsigned char ending)
{
    if (ending == END_CRLF)
        put(out, "\r\n", 2);
    else
        put(out, ending == END_CR ? "\r" : "\n", 1);
}

/* Copy up to `count` source lines from *pos, each with its own ending. */
static void copy_lines(const struct source *src, size_t *pos, size_t count, struct sink *out)
{
    for (; count > 0 && *pos < src->n; count--, (*pos)++) {
        put(out, src->lines[*pos].ptr, src->lines[*pos].len);
        put_ending(out, src->endings[*pos] ? src->endings[*pos] : src->preferred);
    }
}

/* Splice the replacements into the file, following the reference's walk:
 * a replacement that starts before the end of the previous one first copies
 * the rest of the file.  Context lines of a chunk are written as the file
 * has them; every line ends with a newline afterwards. */
static void splice(const struct source *src, const struct patch_replacement *reps, size_t n, struct sink *out)
{
    size_t pos = 0;  /* next source line not yet copied or skipped */
    size_t mark = 0; /* where the previous replacement ended, by its own numbers */
    for (size_t r = 0; r < n; r++) {
        const struct patch_replacement *rep = &reps[r];
        copy_lines(src, &pos, rep->start >= mark ? rep->start - mark : SIZE_MAX, out);
        for (size_t k = 0; k < rep->n_new; k++) {
            size_t origin = rep->new_origin ? rep->new_origin[k] : 0;
            size_t line = rep->start + origin - 1;
            if (origin > 0 && origin <= rep->old_len && line < src->n) {
                put(out, src->lines[line].ptr, src->lines[line].len);
                put_ending(out, src->endings[line] ? src->endings[line] : src->preferred);
            } else {
                put(out, rep->new_lines[k].ptr, rep->new_lines[k].len);
                put_ending(out, src->preferred);
            }
        }
        pos = rep->old_len < src->n - pos ? pos + rep->old_len : src->n;
        mark = rep->start + rep->old_len;
    }
    copy_lines(src, &pos, SIZE_MAX, out);
}

/* The updated text (a patch_mem buffer), or NULL after setting err. */
static char *update_text(const char *old, size_t old_len, const struct patch_hunk *h, const char *abs,
                         size_t *new_len, struct buf *err)
{
    struct source src;
    source_split(old, old_len, &src);
    struct patch_replacement *reps = NULL;
    size_t n = 0;
    char *result = NULL;
    if (locate_chunks(&src, h, abs, &reps, &n, err) == 0) {
        /* Each line may gain an ending of at most two bytes; context lines
         * are copied from the file, so old_len bounds them too. */
        size_t bound = old_len + 2 * src.n + 1;
        for (size_t r = 0; r < n; r++)
            for (size_t k = 0; k < reps[r].n_new; k++)
                bound += reps[r].new_lines[k].len + 2;
        struct sink out = {patch_mem_alloc(bound), 0};
        splice(&src, reps, n, &out);
        out.p[out.len] = '\0';
        *new_len = out.len;
        result = out.p;
    }
    free(reps);
    patch_mem_free(src.lines);
    patch_mem_free(src.endings);
    return result;
}

static struct patch_change *new_change(struct patch_plan *plan, size_t *cap, const struct patch_hunk *h)
{
    if (plan->n_changes == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        plan->changes = xrealloc(plan->changes, *cap * sizeof *plan->changes);
    }
    struct patch_change *c = &plan->changes[plan->n_changes++];
    memset(c, 0, sizeof *c);
    c->path = xstrdup(h->path);
    if (h->move_path)
        c->move_path = xstrdup(h->move_path);
    return c;
}

static char *current_content(struct view *v, const char *abs, size_t *len)
{
    struct patch_fs_op *op = view_find(v, abs);
    if (op)
        return op->present ? patch_mem_dup(op->content, op->len) : NULL;
    return patch_mem_read_file(abs, MAX_FILE_BYTES, len, NULL);
}

static int plan_delete(struct view *v, const char *abs, struct patch_change *c, struct buf *err)
{
    struct patch_fs_op *op = view_find(v, abs);
    struct stat st;
    /* As the reference: anything but a directory (after symlinks), and the
     * link itself is what goes. */
    bool deletable = op ? op->present : (stat(abs, &st) == 0 && !S_ISDIR(st.st_mode));
    if (!deletable) {
        buf_printf(err, "Failed to delete file %s", abs);
        return -1;
    }
    c->old_content = current_content(v, abs, &c->old_len);
    op_remove(view_op(v, abs));
    return 0;
}

static int plan_update(struct view *v, const struct patch_hunk *h, struct patch_change *c, struct buf *err)
{
    size_t old_len = 0;
    unsigned mode = 0;
    char *old = read_for_update(v, c->abs_path, &old_len, &mode, err);
    if (!old)
        return -1;
    size_t new_len = 0;
    char *updated = update_text(old, old_len, h, c->abs_path, &new_len, err);
    if (!updated) {
        patch_mem_free(old);
        return -1;
    }
    const char *dest = c->abs_move_path ? c->abs_move_path : c->abs_path;
    if (c->abs_move_path && blocked_for_write(v, dest)) {
        buf_printf(err, "Failed to write file %s", dest);
        patch_mem_free(old);
        patch_mem_free(updated);
        return -1;
    }
    c->old_content = old;
    c->old_len = old_len;
    c->new_content = updated;
    c->new_len = new_len;
    struct patch_fs_op *op = view_op(v, dest);
    op_set_content(op, c->new_content, c->new_len);
    op->mode = dest == c->abs_path ? mode : 0;
    /* Moving a file onto itself keeps it (the reference deletes it). */
    if (c->abs_move_path && strcmp(c->abs_move_path, c->abs_path) != 0)
        op_remove(view_op(v, c->abs_path));
    return 0;
}

/* Where each touched path lands, once every hunk is planned: the gate
 * checks these and the commit writes exactly these. */
static void resolve_targets(struct patch_plan *plan)
{
    for (size_t i = 0; i < plan->n_ops; i++) {
        struct patch_fs_op *op = &plan->ops[i];
        if (!op->touched)
            continue;
        /* A write goes through a symlink to its target, unless the link was
         * deleted earlier in the patch; a removal takes the link itself. */
        op->shown_path = op->present && !op->replace_link ? patch_write_target(op->abs_path) : xstrdup(op->abs_path);
        op->real_path = patch_canonical_parent(op->shown_path);
    }
}

int patch_plan_build(const struct patch *p, const char *cwd, struct patch_plan *plan, struct buf *err)
{
    memset(plan, 0, sizeof *plan);
    struct view v = {plan, 0, NULL, 0};
    size_t changes_cap = 0;
    int rc = 0;
    if (p->n_hunks == 0) {
        buf_puts(err, "No files were modified.");
        return -1;
    }
    for (size_t i = 0; i < p->n_hunks && rc == 0; i++) {
        const struct patch_hunk *h = &p->hunks[i];
        struct patch_change *c = new_change(plan, &changes_cap, h);
        c->abs_path = patch_resolve_path(cwd, h->path);
        if (h->move_path)
            c->abs_move_path = patch_resolve_path(cwd, h->move_path);
        switch (h->kind) {
        case PATCH_HUNK_ADD:
            c->kind = PATCH_CHANGE_ADD;
            if (blocked_for_write(&v, c->abs_path)) {
                buf_printf(err, "Failed to write file %s", c->abs_path);
                rc = -1;
                break;
            }
            c->new_content = patch_mem_dup(h->contents, h->contents_len);
            c->new_len = h->contents_len;
            op_set_content(view_op(&v, c->abs_path), c->new_content, c->new_len);
            break;
        case PATCH_HUNK_DELETE:
            c->kind = PATCH_CHANGE_DELETE;
            rc = plan_delete(&v, c->abs_path, c, err);
            break;
        case PATCH_HUNK_UPDATE:
            c->kind = PATCH_CHANGE_MODIFY;
            rc = plan_update(&v, h, c, err);
            break;
        }
    }
    free(v.slots);
    if (rc < 0) {
        patch_plan_free(plan);
        return -1;
    }
    resolve_targets(plan);
    return 0;
}

size_t patch_plan_targets(const struct patch_plan *plan, struct patch_target **out)
{
    *out = xcalloc(plan->n_ops ? plan->n_ops : 1, sizeof **out);
    size_t n = 0;
    for (size_t i = 0; i < plan->n_ops; i++) {
        const struct patch_fs_op *op = &plan->ops[i];
        if (op->touched && op->real_path)
            (*out)[n++] = (struct patch_target){op->real_path, !op->present};
    }
    return n;
}

void patch_plan_free(struct patch_plan *plan)
{
    for (size_t i = 0; i < plan->n_changes; i++) {
        struct patch_change *c = &plan->changes[i];
        free(c->path);
        free(c->move_path);
        free(c->abs_path);
        free(c->abs_move_path);
        patch_mem_free(c->old_content);
        patch_mem_free(c->new_content);
    }
    free(plan->changes);
    for (size_t i = 0; i < plan->n_ops; i++) {
        free(plan->ops[i].abs_path);
        free(plan->ops[i].real_path);
        free(plan->ops[i].shown_path);
    }
    free(plan->ops);
    memset(plan, 0, sizeof *plan);
}

void patch_plan_summary(const struct patch_plan *plan, struct buf *out)
{
    buf_puts(out, "Success. Updated the following files:\n");
    static const struct {
        enum patch_change_kind kind;
        char letter;
    } groups[] = {{PATCH_CHANGE_ADD, 'A'}, {PATCH_CHANGE_MODIFY, 'M'}, {PATCH_CHANGE_DELETE, 'D'}};
    for (size_t g = 0; g < 3; g++)
        for (size_t i = 0; i < plan->n_changes; i++) {
            const struct patch_change *c = &plan->changes[i];
            if (c->kind == groups[g].kind)
                buf_printf(out, "%c %s\n", groups[g].letter, c->move_path ? c->move_path : c->path);
        }
}

int patch_apply(const struct patch *p, const char *cwd, struct patch_plan *plan, struct buf *err)
{
    if (patch_plan_build(p, cwd, plan, err) < 0)
        return -1;
    if (patch_plan_commit(plan, err) < 0) {
        patch_plan_free(plan);
        return -1;
    }
    return 0;
}

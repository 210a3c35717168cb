#include "core/turn_diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/sha1.h"
#include "util/xalloc.h"

/* Files larger than this are shown as changed, without their lines. */
#define MAX_DIFF_BYTES (8u << 20)

struct turn_diff_file {
    char *path;     /* absolute */
    char *before;   /* NULL: did not exist */
    size_t before_len;
    bool before_exec;
};

static void *copy_of(const void *p, size_t n)
{
    void *c = xmalloc(n ? n : 1);
    if (n)
        memcpy(c, p, n);
    return c;
}

static struct turn_diff_file *find(struct turn_diff *d, const char *path)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->files[i].path, path) == 0)
            return &d->files[i];
    return NULL;
}

static void note_path(struct turn_diff *d, const char *path, const char *before, size_t len)
{
    if (!path || find(d, path))
        return;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->files = xrealloc(d->files, d->cap * sizeof *d->files);
    }
    struct turn_diff_file *f = &d->files[d->n++];
    f->path = xstrdup(path);
    f->before = before ? copy_of(before, len) : NULL;
    f->before_len = before ? len : 0;
    struct stat st;
    f->before_exec = before && stat(path, &st) == 0 && (st.st_mode & S_IXUSR);
}

void turn_diff_note(struct turn_diff *d, const struct patch_plan *plan)
{
    for (size_t i = 0; i < plan->n_changes; i++) {
        const struct patch_change *c = &plan->changes[i];
        /* The first change of a path in the plan has its content before. */
        note_path(d, c->abs_path, c->kind == PATCH_CHANGE_ADD ? NULL : c->old_content, c->old_len);
        if (c->abs_move_path)
            note_path(d, c->abs_move_path, NULL, 0);
    }
}

static void blob_id(const char *data, size_t len, char out[41])
{
    if (!data) {
        memset(out, '0', 40);
        out[40] = '\0';
        return;
    }
    /* As git names a blob: the SHA-1 of "blob <size>\0<content>". */
    struct buf b = BUF_INIT;
    buf_printf(&b, "blob %zu", len);
    buf_append(&b, "", 1);
    buf_append(&b, data, len);
    unsigned char digest[20];
    sha1_digest(b.data, b.len, digest);
    buf_free(&b);
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static const char *relative(const char *path, const char *root)
{
    size_t n = root ? strlen(root) : 0;
    if (n && strncmp(path, root, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path[0] == '/' ? path + 1 : path;
}

static int by_path(const void *x, const void *y)
{
    return strcmp(((const struct turn_diff_file *)x)->path, ((const struct turn_diff_file *)y)->path);
}

static void render_file(struct buf *out, const struct turn_diff_file *f, const char *root)
{
    size_t now_len = 0;
    struct stat st;
    bool exists = stat(f->path, &st) == 0 && S_ISREG(st.st_mode);
    char *now = exists ? fs_read_file(f->path, MAX_DIFF_BYTES, &now_len) : NULL;
    if (exists && !now)
        now = xstrdup(""); /* too large or unreadable: the header still says it changed */
    if (!f->before && !now)
        goto done;
    bool now_exec = now && (st.st_mode & S_IXUSR);
    if (f->before && now && f->before_len == now_len && memcmp(f->before, now, now_len) == 0 &&
        f->before_exec == now_exec)
        goto done;
    const char *p = relative(f->path, root);
    char old_id[41], new_id[41];
    blob_id(f->before, f->before_len, old_id);
    blob_id(now, now_len, new_id);
    const char *old_mode = f->before_exec ? "100755" : "100644";
    const char *new_mode = now_exec ? "100755" : "100644";
    buf_printf(out, "diff --git a/%s b/%s\n", p, p);
    if (!f->before) {
        buf_printf(out, "new file mode %s\nindex %s..%s\n--- /dev/null\n+++ b/%s\n", new_mode, old_id,
                   new_id, p);
    } else if (!now) {
        buf_printf(out, "deleted file mode %s\nindex %s..%s\n--- a/%s\n+++ /dev/null\n", old_mode,
                   old_id, new_id, p);
    } else {
        if (strcmp(old_mode, new_mode) != 0)
            buf_printf(out, "old mode %s\nnew mode %s\n", old_mode, new_mode);
        buf_printf(out, "index %s..%s\n--- a/%s\n+++ b/%s\n", old_id, new_id, p, p);
    }
    char *hunks = patch_unified_diff(f->before, f->before_len, now, now_len, 3);
    buf_puts(out, hunks ? hunks : "");
    free(hunks);
done:
    free(now);
}

char *turn_diff_render(const struct turn_diff *d, const char *root)
{
    struct turn_diff_file *sorted = copy_of(d->files, d->n * sizeof *d->files);
    qsort(sorted, d->n, sizeof *sorted, by_path);
    struct buf out = BUF_INIT;
    for (size_t i = 0; i < d->n; i++)
        render_file(&out, &sorted[i], root);
    free(sorted);
    return buf_detach(&out, NULL);
}

void turn_diff_clear(struct turn_diff *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->files[i].path);
        free(d->files[i].before);
    }
    free(d->files);
    memset(d, 0, sizeof *d);
}

#include "rpc/turn_diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patch/patch.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/sha1.h"
#include "util/xalloc.h"

/* Files larger than this are shown as changed without their lines. */
#define MAX_DIFF_FILE (4u << 20)

struct baseline {
    char *path; /* absolute */
    char *old;  /* NULL: the file did not exist */
    size_t old_len;
};

struct turn_diff {
    char *root;
    struct baseline *files;
    size_t n;
};

struct turn_diff *turn_diff_new(const char *root)
{
    struct turn_diff *d = xcalloc(1, sizeof *d);
    d->root = xstrdup(root);
    return d;
}

void turn_diff_free(struct turn_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->files[i].path);
        free(d->files[i].old);
    }
    free(d->files);
    free(d->root);
    free(d);
}

static void remember(struct turn_diff *d, const char *path)
{
    if (!path || path[0] != '/')
        return;
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->files[i].path, path) == 0)
            return;
    d->files = xrealloc(d->files, (d->n + 1) * sizeof *d->files);
    struct baseline *b = &d->files[d->n++];
    b->path = xstrdup(path);
    b->old = fs_read_file(path, MAX_DIFF_FILE, &b->old_len);
}

void turn_diff_before(struct turn_diff *d, const json_t *changes)
{
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c) {
        remember(d, json_string_value(json_object_get(c, "path")));
        remember(d, json_string_value(json_object_get(json_object_get(c, "kind"), "move_path")));
    }
}

/* The git object id of a blob with this content. */
static void blob_id(const char *data, size_t len, char out[41])
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "blob %zu", len);
    buf_putc(&b, '\0');
    buf_append(&b, data, len);
    unsigned char h[20];
    sha1_digest(b.data, b.len, h);
    buf_free(&b);
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static const char *relative(const struct turn_diff *d, const char *path)
{
    size_t n = strlen(d->root);
    if (strncmp(path, d->root, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path + 1;
}

char *turn_diff_text(const struct turn_diff *d)
{
    struct buf out = BUF_INIT;
    for (size_t i = 0; d && i < d->n; i++) {
        const struct baseline *b = &d->files[i];
        size_t new_len = 0;
        char *now = fs_read_file(b->path, MAX_DIFF_FILE, &new_len);
        bool same = (!now && !b->old) ||
                    (now && b->old && new_len == b->old_len && memcmp(now, b->old, new_len) == 0);
        if (same) {
            free(now);
            continue;
        }
        const char *rel = relative(d, b->path);
        char old_id[41], new_id[41];
        blob_id(b->old ? b->old : "", b->old_len, old_id);
        blob_id(now ? now : "", new_len, new_id);
        buf_printf(&out, "diff --git a/%s b/%s\n", rel, rel);
        if (!b->old)
            buf_printf(&out, "new file mode 100644\nindex %.7s..%s\n--- /dev/null\n+++ b/%s\n",
                       "0000000000000000000000000000000000000000", new_id, rel);
        else if (!now)
            buf_printf(&out, "deleted file mode 100644\nindex %s..%.7s\n--- a/%s\n+++ /dev/null\n",
                       old_id, "0000000000000000000000000000000000000000", rel);
        else
            buf_printf(&out, "index %s..%s\n--- a/%s\n+++ b/%s\n", old_id, new_id, rel, rel);
        char *hunks = patch_unified_diff(b->old ? b->old : "", b->old ? b->old_len : 0,
                                         now ? now : "", now ? new_len : 0, 3);
        buf_puts(&out, hunks);
        free(hunks);
        free(now);
    }
    return out.len ? buf_detach(&out, NULL) : (buf_free(&out), NULL);
}

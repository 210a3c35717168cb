/* Path resolution and OS error wording shared by planning and committing. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "patch/internal.h"
#include "util/buf.h"
#include "util/xalloc.h"

char *patch_resolve_path(const char *cwd, const char *path)
{
    struct buf joined = BUF_INIT;
    if (path[0] != '/') {
        buf_puts(&joined, cwd);
        buf_putc(&joined, '/');
    }
    buf_puts(&joined, path);

    /* Fold the components in place: '.' vanishes, '..' drops the previous
     * component (and stays at the root, as the kernel does). */
    char *src = joined.data;
    struct buf out = BUF_INIT;
    size_t i = 0, n = joined.len;
    while (i < n) {
        while (i < n && src[i] == '/')
            i++;
        size_t start = i;
        while (i < n && src[i] != '/')
            i++;
        size_t len = i - start;
        if (len == 0 || (len == 1 && src[start] == '.'))
            continue;
        if (len == 2 && src[start] == '.' && src[start + 1] == '.') {
            while (out.len > 0 && out.data[out.len - 1] != '/')
                out.len--;
            if (out.len > 0)
                out.len--;
            buf_truncate(&out, out.len);
            continue;
        }
        buf_putc(&out, '/');
        buf_append(&out, src + start, len);
    }
    if (out.len == 0)
        buf_putc(&out, '/');
    buf_free(&joined);
    return buf_detach(&out, NULL);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

char *patch_write_target(const char *abs)
{
    char *cur = xstrdup(abs);
    for (int depth = 0; depth < 40; depth++) {
        struct stat st;
        if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
            return cur;
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0)
            return cur;
        link[n] = '\0';
        char *next;
        if (link[0] == '/') {
            next = xstrdup(link);
        } else {
            char *dir = dir_of(cur);
            next = xasprintf("%s/%s", dir, link);
            free(dir);
        }
        free(cur);
        cur = next;
    }
    return cur;
}

/* Put `comp` in front of the "/"-separated list in rest. */
static void prepend(struct buf *rest, const char *comp)
{
    struct buf tail = BUF_INIT;
    buf_puts(&tail, comp);
    if (rest->len) {
        buf_putc(&tail, '/');
        buf_append(&tail, rest->data, rest->len);
    }
    buf_free(rest);
    *rest = tail;
}

char *patch_canonical_parent(const char *path)
{
    char *dir = dir_of(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    /* Walk up to the longest prefix that exists; what lies below it does
     * not exist yet, so it holds no symlink and folds lexically. */
    struct buf rest = BUF_INIT;
    char canon[PATH_MAX];
    while (!realpath(dir, canon)) {
        if (errno != ENOENT) { /* the commit will fail on it as it is */
            snprintf(canon, sizeof canon, "%s", dir);
            break;
        }
        char *cut = strrchr(dir, '/');
        prepend(&rest, cut ? cut + 1 : dir);
        if (!cut || cut == dir) {
            snprintf(canon, sizeof canon, "/");
            break;
        }
        *cut = '\0';
    }
    prepend(&rest, ".");
    buf_putc(&rest, '/');
    buf_puts(&rest, base);
    char *out = patch_resolve_path(canon, buf_cstr(&rest));
    buf_free(&rest);
    free(dir);
    return out;
}

/* The reference is a static musl binary: these are musl's strerror texts,
 * which differ from glibc's for a few codes. */
void patch_describe_errno(int err, struct buf *out)
{
    const char *text;
    switch (err) {
    case ENOENT: text = "No such file or directory"; break;
    case EACCES: text = "Permission denied"; break;
    case EPERM: text = "Operation not permitted"; break;
    case ENOTDIR: text = "Not a directory"; break;
    case EISDIR: text = "Is a directory"; break;
    case ELOOP: text = "Symbolic link loop"; break;
    case ENAMETOOLONG: text = "Filename too long"; break;
    case EFBIG: text = "File too large"; break;
    case EIO: text = "I/O error"; break;
    case ENOSPC: text = "No space left on device"; break;
    case EROFS: text = "Read-only file system"; break;
    case EMFILE: text = "No file descriptors available"; break;
    case ENXIO: text = "No such device or address"; break;
    case EEXIST: text = "File exists"; break;
    default: text = strerror(err); break;
    }
    buf_printf(out, "%s (os error %d)", text, err);
}

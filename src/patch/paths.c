/* Path resolution and OS error wording shared by planning and committing. */
#include <errno.h>
#include <string.h>

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

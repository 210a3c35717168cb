#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

char *fs_read_file(const char *path, size_t max_bytes, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 4096, len = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            data = xrealloc(data, cap);
        }
        ssize_t r = read(fd, data + len, cap - len - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(data);
            close(fd);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len > max_bytes) {
            free(data);
            close(fd);
            errno = EFBIG;
            return NULL;
        }
    }
    close(fd);
    data[len] = '\0';
    if (len_out)
        *len_out = len;
    return data;
}

int fs_write_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int write_atomic(const char *path, const void *data, size_t len, mode_t mode, bool exact);

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
    return write_atomic(path, data, len, mode, false);
}

int fs_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode)
{
    return write_atomic(path, data, len, mode, true);
}

static int write_atomic(const char *path, const void *data, size_t len, mode_t mode, bool exact)
{
    char *dircopy = xstrdup(path);
    char *dir = dirname(dircopy);
    char *tmp = xasprintf("%s.tmp.%ld.XXXXXX", path, (long)getpid());
    int fd = mkostemp(tmp, O_CLOEXEC);
    int saved = 0;
    if (fd < 0)
        goto fail;
    struct stat st;
    mode_t final_mode = !exact && stat(path, &st) == 0 ? (st.st_mode & 07777) : mode;
    if (fchmod(fd, final_mode) < 0 || fs_write_all(fd, data, len) < 0 || fsync(fd) < 0) {
        saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        goto fail;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        saved = errno;
        unlink(tmp);
        errno = saved;
        goto fail;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(tmp);
    free(dircopy);
    return 0;
fail:
    saved = errno;
    free(tmp);
    free(dircopy);
    errno = saved;
    return -1;
}

int fs_mkdir_p(const char *path, mode_t mode)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST) {
            int e = errno;
            free(p);
            errno = e;
            return -1;
        }
        *s = '/';
    }
    int r = mkdir(p, mode);
    int e = errno;
    free(p);
    if (r < 0 && e != EEXIST) {
        errno = e;
        return -1;
    }
    if (r < 0 && !fs_is_dir(path)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

bool fs_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool fs_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

char *fs_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    while (la > 1 && a[la - 1] == '/')
        la--;
    while (*b == '/')
        b++;
    if (la == 1 && a[0] == '/')
        return xasprintf("/%s", b);
    return xasprintf("%.*s/%s", (int)la, a, b);
}

static bool executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *fs_which(const char *prog, const char *path, const char *cwd)
{
    if (!prog || !*prog)
        return NULL;
    if (strchr(prog, '/')) {
        char *full = prog[0] == '/' || !cwd ? xstrdup(prog) : fs_join(cwd, prog);
        if (executable_file(full))
            return full;
        free(full);
        return NULL;
    }
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;;) {
        size_t len = strcspn(p, ":");
        char *cand = len ? xasprintf("%.*s/%s", (int)len, p, prog)
                         : (cwd ? fs_join(cwd, prog) : xasprintf("./%s", prog));
        if (executable_file(cand))
            return cand;
        free(cand);
        if (!p[len])
            break;
        p += len + 1;
    }
    return NULL;
}

/* Placeholders for protected names that do not exist yet.
 *
 * A read-only bind needs a mount point, and a mount point inside a writable
 * root is a real directory entry on the host: bubblewrap would create it and
 * leave it behind (the reference's stray `.codex` files).  So we create the
 * empty directory ourselves, only for the duration of the command, and
 * remove it afterwards.  Concurrent sandboxes share a placeholder: each
 * holds a shared flock on a lock file (kept in a private runtime directory,
 * never in the workspace) while it runs; whoever can take the lock
 * exclusively at the end removes the placeholder.  The lock file records
 * that the directory is ours ("1"), so a placeholder left by a crash is
 * cleaned up by the next run, and an empty directory of the user's own is
 * never taken for one of ours. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/xalloc.h"

struct sandbox_stub {
    char *path;
    char *lock_path;
    int lock_fd;
    struct sandbox_stub *next;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static bool marked_ours(int fd)
{
    char c = 0;
    return pread(fd, &c, 1, 0) == 1 && c == '1';
}

/* Whether a sandbox has recorded path as its placeholder. */
static bool placeholder_recorded(const char *dir, const char *path)
{
    char *lock_path = xasprintf("%s/%016llx.lock", dir, (unsigned long long)fnv1a(path));
    int fd = open(lock_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(lock_path);
    if (fd < 0)
        return false;
    bool ours = marked_ours(fd);
    close(fd);
    return ours;
}

static int create_one(const char *dir, const char *path, struct sandbox_stub **list, char *err,
                      size_t errlen)
{
    char *lock_path = xasprintf("%s/%016llx.lock", dir, (unsigned long long)fnv1a(path));
    int fd;
    for (;;) {
        fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 || flock(fd, LOCK_SH) != 0) {
            snprintf(err, errlen, "cannot lock %s: %s", lock_path, strerror(errno));
            free(lock_path);
            if (fd >= 0)
                close(fd);
            return -1;
        }
        /* The last user unlinks the lock file; a lock taken on an unlinked
         * file guards nothing, so make sure ours is still the one in place. */
        struct stat a, b;
        if (fstat(fd, &a) == 0 && stat(lock_path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
            break;
        close(fd);
    }
    if (mkdir(path, 0755) == 0) {
        if (pwrite(fd, "1", 1, 0) != 1) {
            snprintf(err, errlen, "cannot record placeholder %s: %s", path, strerror(errno));
            rmdir(path);
            close(fd);
            free(lock_path);
            return -1;
        }
    } else if (errno == EACCES || errno == EPERM || errno == EROFS) {
        /* We cannot create it, so neither can the command: nothing to guard. */
        close(fd);
        free(lock_path);
        return 0;
    } else if (errno != EEXIST) {
        snprintf(err, errlen, "cannot create placeholder %s: %s", path, strerror(errno));
        close(fd);
        free(lock_path);
        return -1;
    }
    struct sandbox_stub *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    s->lock_path = lock_path;
    s->lock_fd = fd;
    s->next = *list;
    *list = s;
    return 0;
}

int sandbox_stubs_create(const struct sandbox_roots *roots, const char *runtime_dir, struct sandbox_stub **out,
                         char *err, size_t errlen)
{
    *out = NULL;
    char *dir = NULL;
    for (size_t i = 0; roots && i < roots->n; i++) {
        const struct sandbox_root *r = &roots->v[i];
        for (size_t j = 0; j < r->n_protected; j++) {
            if (!dir && !(dir = sandbox_state_dir(runtime_dir, err, errlen)))
                goto fail;
            /* An existing name is the user's own unless another sandbox
             * placed it: then it is a placeholder we must hold too, or its
             * owner removes it while our bwrap is still binding it. */
            if (r->protected_paths[j].exists && !placeholder_recorded(dir, r->protected_paths[j].path))
                continue;
            if (create_one(dir, r->protected_paths[j].path, out, err, errlen) != 0)
                goto fail;
        }
    }
    free(dir);
    return 0;
fail:
    free(dir);
    sandbox_stubs_release(*out);
    *out = NULL;
    return -1;
}

void sandbox_stubs_release(struct sandbox_stub *stubs)
{
    while (stubs) {
        struct sandbox_stub *next = stubs->next;
        if (flock(stubs->lock_fd, LOCK_EX | LOCK_NB) == 0) {
            /* rmdir removes only an empty directory: anything written into
             * it from outside the sandbox stays, and so does the record. */
            bool gone = !marked_ours(stubs->lock_fd) || rmdir(stubs->path) == 0 || errno == ENOENT;
            if (gone)
                unlink(stubs->lock_path);
        }
        close(stubs->lock_fd);
        free(stubs->lock_path);
        free(stubs->path);
        free(stubs);
        stubs = next;
    }
}

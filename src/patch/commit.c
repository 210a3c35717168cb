/* Committing a plan: stage every new file in a temp file beside its target
 * (creating missing directories), and only when all are staged rename them
 * into place and remove deleted paths.  A failure while staging removes the
 * temp files and the directories it created, leaving the tree untouched. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "patch/internal.h"
#include "util/strvec.h"
#include "util/xalloc.h"

struct staged {
    char *target;
    char *temp;
};

struct commit {
    struct staged *files;
    size_t n_files;
    struct strvec created_dirs; /* in creation order */
};

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

/* Where writing `abs` really lands: through symlinks, to the file they name
 * (which may not exist yet for a dangling link). */
static char *write_target(const char *abs)
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

static int make_parents(const char *path, struct commit *c)
{
    char *dir = dir_of(path);
    struct stat st;
    if (stat(dir, &st) == 0) {
        int rc = S_ISDIR(st.st_mode) ? 0 : -1;
        free(dir);
        return rc;
    }
    for (char *s = dir + 1;; s++) {
        bool end = *s == '\0';
        if (!end && *s != '/')
            continue;
        *s = '\0';
        if (mkdir(dir, 0777) == 0) {
            strvec_push(&c->created_dirs, dir);
        } else if (errno != EEXIST || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
            free(dir);
            return -1;
        }
        if (end)
            break;
        *s = '/';
    }
    free(dir);
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
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

static char *stage_file(const char *target, const char *content, size_t len)
{
    char *dir = dir_of(target);
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long seed = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
    for (int attempt = 0; attempt < 100; attempt++) {
        char suffix[9];
        for (int k = 0; k < 8; k++) {
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            suffix[k] = alphabet[(seed >> 33) % (sizeof alphabet - 1)];
        }
        suffix[8] = '\0';
        char *temp = xasprintf("%s/.%s.%s.tmp", dir, base, suffix);
        /* 0666 so the new file gets the mode umask gives any new file. */
        int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            free(temp);
            if (errno == EEXIST)
                continue;
            break;
        }
        struct stat st;
        bool ok = write_all(fd, content, len) == 0;
        if (ok && stat(target, &st) == 0)
            ok = fchmod(fd, st.st_mode & 07777) == 0;
        if (close(fd) < 0)
            ok = false;
        if (ok) {
            free(dir);
            return temp;
        }
        unlink(temp);
        free(temp);
        break;
    }
    free(dir);
    return NULL;
}

static void roll_back(struct commit *c)
{
    for (size_t i = 0; i < c->n_files; i++)
        unlink(c->files[i].temp);
    for (size_t i = c->created_dirs.n; i > 0; i--)
        rmdir(c->created_dirs.v[i - 1]);
}

static void commit_free(struct commit *c)
{
    for (size_t i = 0; i < c->n_files; i++) {
        free(c->files[i].target);
        free(c->files[i].temp);
    }
    free(c->files);
    strvec_free(&c->created_dirs);
}

int patch_plan_commit(const struct patch_plan *plan, struct buf *err)
{
    struct commit c = {xcalloc(plan->n_ops + 1, sizeof(struct staged)), 0, STRVEC_INIT};
    int rc = 0;
    for (size_t i = 0; i < plan->n_ops; i++) {
        const struct patch_fs_op *op = &plan->ops[i];
        if (!op->touched || !op->present)
            continue;
        char *target = op->replace_link ? xstrdup(op->abs_path) : write_target(op->abs_path);
        char *temp = make_parents(target, &c) == 0 ? stage_file(target, op->content, op->len) : NULL;
        if (!temp) {
            buf_printf(err, "Failed to write file %s", op->abs_path);
            free(target);
            roll_back(&c);
            rc = -1;
            goto out;
        }
        c.files[c.n_files++] = (struct staged){target, temp};
    }
    for (size_t i = 0; i < c.n_files; i++) {
        if (rename(c.files[i].temp, c.files[i].target) < 0) {
            buf_printf(err, "Failed to write file %s", c.files[i].target);
            for (size_t k = i; k < c.n_files; k++)
                unlink(c.files[k].temp);
            rc = -1;
            goto out;
        }
    }
    for (size_t i = 0; i < plan->n_ops; i++) {
        const struct patch_fs_op *op = &plan->ops[i];
        struct stat st;
        if (!op->touched || op->present || lstat(op->abs_path, &st) < 0)
            continue;
        if (unlink(op->abs_path) < 0 && errno != ENOENT) {
            buf_printf(err, "Failed to delete file %s", op->abs_path);
            rc = -1;
            goto out;
        }
    }
out:
    commit_free(&c);
    return rc;
}

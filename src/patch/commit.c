/* Committing a plan: stage every new file in a temp file beside its target
 * (creating missing directories), and only when all are staged rename them
 * into place and remove deleted paths.  A failure while staging removes the
 * temp files and the directories it created, leaving the tree untouched.
 *
 * Every target is the resolved path the plan recorded (and the approval
 * gate checked).  Directories are opened one component at a time from "/"
 * without following symlinks, and files are written relative to those
 * descriptors, so a symlink planted between planning and committing makes
 * the commit fail instead of writing somewhere nobody approved. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "patch/internal.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

struct staged {
    int dirfd;
    char *name; /* the target's last component */
    char *temp; /* the temp file's name in the same directory */
    const char *shown;
};

struct open_dir {
    char *path;
    int fd;
};

struct commit {
    struct staged *files;
    size_t n_files;
    struct strvec created_dirs; /* in creation order */
    struct open_dir *dirs;      /* directories opened so far */
    size_t n_dirs;
    unsigned umask;             /* the process umask, or ~0 if unknown */
    pid_t pid;
};

/* The umask, without changing it (umask(2) cannot read it atomically). */
static unsigned read_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    unsigned mask = ~0u;
    if (!f)
        return mask;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Umask:", 6) == 0) {
            mask = (unsigned)strtoul(line + 6, NULL, 8);
            break;
        }
    fclose(f);
    return mask;
}

static int cached_dir(const struct commit *c, const char *path)
{
    for (size_t i = c->n_dirs; i > 0; i--)
        if (strcmp(c->dirs[i - 1].path, path) == 0)
            return c->dirs[i - 1].fd;
    return -1;
}

/* Open the directory `path` (canonical, absolute) without following any
 * symlink, creating the components that do not exist.  -1 with errno. */
static int open_dir_nofollow(struct commit *c, const char *path)
{
    int fd = cached_dir(c, path);
    if (fd >= 0)
        return fd;
    fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char *copy = xstrdup(path);
    struct buf sofar = BUF_INIT;
    char *save = NULL;
    for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
        buf_putc(&sofar, '/');
        buf_puts(&sofar, comp);
        int next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT) {
            if (mkdirat(fd, comp, 0777) == 0)
                strvec_push(&c->created_dirs, buf_cstr(&sofar));
            else if (errno != EEXIST)
                goto fail;
            next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (next < 0)
            goto fail;
        close(fd);
        fd = next;
    }
    free(copy);
    buf_free(&sofar);
    c->dirs = xrealloc(c->dirs, (c->n_dirs + 1) * sizeof *c->dirs);
    c->dirs[c->n_dirs++] = (struct open_dir){xstrdup(path), fd};
    return fd;
fail:;
    int saved = errno;
    close(fd);
    free(copy);
    buf_free(&sofar);
    errno = saved;
    return -1;
}

static void split(const char *real, char **dir, const char **name)
{
    const char *slash = strrchr(real, '/');
    *dir = slash == real ? xstrdup("/") : xstrndup(real, (size_t)(slash - real));
    *name = slash + 1;
}

/* Stage content in a new temp file beside name in dirfd.  known_mode is
 * the target's mode if planning saw it (0: look now); a replaced symlink or
 * a new file gets the default mode. */
static char *stage_file(const struct commit *c, int dirfd, const char *name, const char *content, size_t len,
                        unsigned known_mode, bool fresh)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long seed = (unsigned long)ts.tv_nsec ^ ((unsigned long)c->pid << 16) ^ (unsigned long)(uintptr_t)name;
    for (int attempt = 0; attempt < 100; attempt++) {
        char suffix[9];
        for (int k = 0; k < 8; k++) {
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            suffix[k] = alphabet[(seed >> 33) % (sizeof alphabet - 1)];
        }
        suffix[8] = '\0';
        char *temp = xasprintf(".%s.%s.tmp", name, suffix);
        /* 0666 so the new file gets the mode umask gives any new file. */
        int fd = openat(dirfd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) {
            free(temp);
            if (errno == EEXIST)
                continue;
            break;
        }
        struct stat st;
        bool ok = fs_write_all(fd, content, len) == 0;
        unsigned mode = known_mode;
        if (!mode && !fresh && fstatat(dirfd, name, &st, 0) == 0)
            mode = st.st_mode & 07777;
        /* Keep the existing file's mode; skip the call when umask already gave it. */
        if (ok && mode && (c->umask == ~0u || mode != (0666 & ~c->umask)))
            ok = fchmod(fd, mode) == 0;
        if (close(fd) < 0)
            ok = false;
        if (ok)
            return temp;
        unlinkat(dirfd, temp, 0);
        free(temp);
        break;
    }
    return NULL;
}

static void roll_back(struct commit *c)
{
    for (size_t i = 0; i < c->n_files; i++)
        unlinkat(c->files[i].dirfd, c->files[i].temp, 0);
    for (size_t i = c->created_dirs.n; i > 0; i--)
        rmdir(c->created_dirs.v[i - 1]);
}

static void commit_free(struct commit *c)
{
    for (size_t i = 0; i < c->n_files; i++) {
        free(c->files[i].name);
        free(c->files[i].temp);
    }
    free(c->files);
    for (size_t i = 0; i < c->n_dirs; i++) {
        free(c->dirs[i].path);
        close(c->dirs[i].fd);
    }
    free(c->dirs);
    strvec_free(&c->created_dirs);
}

int patch_plan_commit(const struct patch_plan *plan, struct buf *err)
{
    struct commit c = {.files = xcalloc(plan->n_ops + 1, sizeof(struct staged)),
                       .umask = read_umask(),
                       .pid = getpid()};
    int rc = 0;
    for (size_t i = 0; i < plan->n_ops; i++) {
        const struct patch_fs_op *op = &plan->ops[i];
        if (!op->touched || !op->present)
            continue;
        char *dir;
        const char *name;
        split(op->real_path, &dir, &name);
        int dirfd = open_dir_nofollow(&c, dir);
        free(dir);
        char *temp = dirfd >= 0 ? stage_file(&c, dirfd, name, op->content, op->len,
                                             op->replace_link ? 0 : op->mode, op->replace_link)
                                : NULL;
        if (!temp) {
            buf_printf(err, "Failed to write file %s", op->abs_path);
            roll_back(&c);
            rc = -1;
            goto out;
        }
        c.files[c.n_files++] = (struct staged){dirfd, xstrdup(name), temp, op->shown_path};
    }
    for (size_t i = 0; i < c.n_files; i++) {
        struct staged *f = &c.files[i];
        if (renameat(f->dirfd, f->temp, f->dirfd, f->name) < 0) {
            buf_printf(err, "Failed to write file %s", f->shown);
            for (size_t k = i; k < c.n_files; k++)
                unlinkat(c.files[k].dirfd, c.files[k].temp, 0);
            rc = -1;
            goto out;
        }
    }
    for (size_t i = 0; i < plan->n_ops; i++) {
        const struct patch_fs_op *op = &plan->ops[i];
        if (!op->touched || op->present)
            continue;
        char *dir;
        const char *name;
        split(op->real_path, &dir, &name);
        struct stat st;
        int dirfd = cached_dir(&c, dir);
        if (dirfd < 0) {
            dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
            /* Opened directly only to check it, then again without symlinks. */
            if (dirfd >= 0) {
                close(dirfd);
                dirfd = open_dir_nofollow(&c, dir);
            }
        }
        free(dir);
        if (dirfd < 0 || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* already gone */
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT) {
            buf_printf(err, "Failed to delete file %s", op->abs_path);
            rc = -1;
            goto out;
        }
    }
out:
    commit_free(&c);
    return rc;
}

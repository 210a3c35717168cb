/* Writing the bundled system skills into $CODEX_HOME/skills/.system
 * (skills/system.h). */
#include "skills/system.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define STAGE_PREFIX ".system.tmp-"
#define OLD_PREFIX ".system.old-"

void skills_bundle_digest(const struct skills_bundle_file *files, size_t n, char out[17])
{
    static const char salt[] = "codex-c system skills v1\n";
    struct sha256 s;
    sha256_init(&s);
    sha256_update(&s, salt, sizeof salt - 1);
    for (size_t i = 0; i < n; i++) {
        char head[64];
        int k = snprintf(head, sizeof head, "%o%c%zu\n", (unsigned)files[i].mode, '\0', files[i].len);
        sha256_update(&s, files[i].path, strlen(files[i].path) + 1);
        sha256_update(&s, head, (size_t)k);
        sha256_update(&s, files[i].data, files[i].len);
    }
    unsigned char d[32];
    sha256_final(&s, d);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* The marker holds the fingerprint and a newline; surrounding whitespace
 * is ignored when comparing, as the reference trims it. */
static bool marker_matches(const char *marker)
{
    int fd = open(marker, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[128];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    char *p = buf;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    size_t len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    return len == strlen(skills_bundle_fingerprint) &&
           memcmp(p, skills_bundle_fingerprint, len) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    return (flag == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

static void remove_tree(const char *path)
{
    (void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Staging and replaced trees of a process that died before finishing. */
static void sweep_leftovers(const char *skills_dir)
{
    DIR *d = opendir(skills_dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *tail = NULL;
        if (strncmp(de->d_name, STAGE_PREFIX, strlen(STAGE_PREFIX)) == 0)
            tail = de->d_name + strlen(STAGE_PREFIX);
        else if (strncmp(de->d_name, OLD_PREFIX, strlen(OLD_PREFIX)) == 0)
            tail = de->d_name + strlen(OLD_PREFIX);
        if (!tail)
            continue;
        char *end;
        long pid = strtol(tail, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid() ||
            !(kill((pid_t)pid, 0) != 0 && errno == ESRCH))
            continue;
        char *p = fs_join(skills_dir, de->d_name);
        remove_tree(p);
        free(p);
    }
    closedir(d);
}

static int write_file(const char *path, const unsigned char *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    int rc = fs_write_all(fd, data, len);
    if (rc == 0)
        rc = fchmod(fd, mode); /* the umask may have narrowed it */
    if (rc == 0)
        rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* The whole bundle under dir, the marker last; every directory synced so
 * the marker can never be durable before what it vouches for. */
static int write_bundle(const char *dir, struct codex_error *err)
{
    for (size_t i = 0; i < skills_bundle_n; i++) {
        const struct skills_bundle_file *f = &skills_bundle_files[i];
        char *path = fs_join(dir, f->path);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        int rc = fs_mkdir_p(path, 0755);
        *slash = '/';
        if (rc == 0)
            rc = write_file(path, f->data, f->len, f->mode);
        if (rc != 0) {
            codex_error_set_os(err, errno, "cannot write %s", path);
            free(path);
            return -1;
        }
        free(path);
    }
    for (size_t i = 0; i < skills_bundle_n; i++) {
        char *path = fs_join(dir, skills_bundle_files[i].path);
        *strrchr(path, '/') = '\0';
        (void)fsync_path(path);
        free(path);
    }
    char *marker = fs_join(dir, SKILLS_SYSTEM_MARKER);
    char line[32];
    int n = snprintf(line, sizeof line, "%s\n", skills_bundle_fingerprint);
    int rc = write_file(marker, (const unsigned char *)line, (size_t)n, 0644);
    if (rc != 0)
        codex_error_set_os(err, errno, "cannot write %s", marker);
    free(marker);
    if (rc == 0)
        (void)fsync_path(dir);
    return rc;
}

/* Put the complete tree at stage in the place of dest in one step. */
static int swap_in(const char *stage, const char *dest, const char *skills_dir,
                   struct codex_error *err)
{
    if (rename(stage, dest) == 0)
        return 0;
    if (errno == ENOTDIR) { /* a file where the folder belongs */
        if (unlink(dest) == 0 && rename(stage, dest) == 0)
            return 0;
    } else if (errno == EEXIST || errno == ENOTEMPTY) {
        if (renameat2(AT_FDCWD, stage, AT_FDCWD, dest, RENAME_EXCHANGE) == 0) {
            remove_tree(stage); /* now the old tree */
            return 0;
        }
        if (errno == EINVAL || errno == ENOSYS) {
            /* No atomic exchange on this filesystem: for a moment there is
             * no folder, which the next start repairs (no marker). */
            char *old = xasprintf("%s/" OLD_PREFIX "%ld", skills_dir, (long)getpid());
            remove_tree(old);
            int rc = rename(dest, old) == 0 && rename(stage, dest) == 0 ? 0 : -1;
            int e = errno;
            remove_tree(old);
            free(old);
            errno = e;
            if (rc == 0)
                return 0;
        }
    }
    codex_error_set_os(err, errno, "cannot move the bundled skills into %s", dest);
    return -1;
}

int skills_system_install(const char *codex_home, enum skills_install_result *result,
                          struct codex_error *err)
{
    char *skills_dir = fs_join(codex_home, "skills");
    char *dest = fs_join(skills_dir, ".system");
    char *marker = fs_join(dest, SKILLS_SYSTEM_MARKER);
    int rc = 0;
    *result = SKILLS_INSTALL_UP_TO_DATE;
    if (marker_matches(marker))
        goto out;
    if (fs_mkdir_p(skills_dir, 0755) != 0) {
        codex_error_set_os(err, errno, "cannot create %s", skills_dir);
        rc = -1;
        goto out;
    }
    sweep_leftovers(skills_dir);
    char *stage = xasprintf("%s/" STAGE_PREFIX "%ld", skills_dir, (long)getpid());
    remove_tree(stage);
    rc = mkdir(stage, 0755);
    if (rc != 0)
        codex_error_set_os(err, errno, "cannot create %s", stage);
    if (rc == 0)
        rc = write_bundle(stage, err);
    if (rc == 0)
        rc = swap_in(stage, dest, skills_dir, err);
    if (rc == 0) {
        (void)fsync_path(skills_dir);
        *result = SKILLS_INSTALL_WRITTEN;
    } else {
        remove_tree(stage);
    }
    free(stage);
out:
    free(marker);
    free(dest);
    free(skills_dir);
    return rc;
}

void skills_system_ensure(const char *codex_home, void (*warn)(void *ud, const char *msg),
                          void *warn_ud)
{
    static char *checked_home; /* the one home a process uses, checked once */
    if (!codex_home || (checked_home && strcmp(checked_home, codex_home) == 0))
        return;
    free(checked_home);
    checked_home = xstrdup(codex_home);
    enum skills_install_result r;
    struct codex_error err = CODEX_ERROR_INIT;
    if (skills_system_install(codex_home, &r, &err) != 0) {
        char *text = codex_error_text(&err);
        char *msg = xasprintf("could not install the bundled skills: %s", text);
        if (warn)
            warn(warn_ud, msg);
        free(msg);
        free(text);
        codex_error_clear(&err);
    }
}

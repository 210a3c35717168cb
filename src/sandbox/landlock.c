/* Landlock through raw syscalls: the ruleset is built in the parent (it is
 * an fd the child inherits), the child only calls landlock_restrict_self.
 * The ABI is negotiated down to what the running kernel offers; our own
 * struct layouts cover ABI 7 because Debian 12's headers stop at ABI 1. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "util/xalloc.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#endif

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1

#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_WRITE_FILE (1ULL << 1)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_FS_TRUNCATE (1ULL << 14)
#define LL_FS_IOCTL_DEV (1ULL << 15)
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

static uint64_t fs_rights_for_abi(int abi)
{
    uint64_t all = (1ULL << 13) - 1; /* ABI 1 */
    if (abi >= 2)
        all |= 1ULL << 13; /* REFER */
    if (abi >= 3)
        all |= LL_FS_TRUNCATE;
    if (abi >= 5)
        all |= LL_FS_IOCTL_DEV;
    return all;
}

/* Rights that make sense on a non-directory inode. */
static uint64_t file_rights(uint64_t handled)
{
    return handled & (LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV);
}

int sandbox_landlock_abi(void)
{
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    return abi < 0 ? -1 : (int)abi;
}

static int add_path(int ruleset, const char *path, uint64_t rights, uint64_t handled, bool optional)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return optional ? 0 : -1;
    struct stat st;
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        rights = file_rights(rights);
    struct ll_path_beneath_attr attr = {.allowed_access = rights & handled, .parent_fd = fd};
    long rc = syscall(__NR_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc < 0 ? -1 : 0;
}

/* The places a grant must leave out: anything beneath it that the plan
 * gives less (hidden places, read-only ones inside a writable root,
 * protected paths). */
struct exclusions {
    const char **v;
    size_t n;
};

static bool strictly_beneath(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return path[0] == '/' && path[1];
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static void exclusions_for(const struct sandbox_plan *plan, const char *grant, enum sandbox_access access,
                           struct exclusions *out)
{
    out->v = NULL;
    out->n = 0;
    size_t cap = plan->n_rules;
    for (size_t i = 0; i < plan->roots.n; i++)
        cap += plan->roots.v[i].n_protected + 1;
    out->v = xcalloc(cap ? cap : 1, sizeof *out->v);
    for (size_t i = 0; i < plan->n_rules; i++) {
        const struct sandbox_rule *r = &plan->rules[i];
        if (r->access < access && strictly_beneath(r->path, grant))
            out->v[out->n++] = r->path;
    }
    if (access != SANDBOX_ACCESS_WRITE)
        return;
    for (size_t i = 0; i < plan->roots.n; i++)
        for (size_t j = 0; j < plan->roots.v[i].n_protected; j++) {
            const char *pp = plan->roots.v[i].protected_paths[j].path;
            if (strictly_beneath(pp, grant))
                out->v[out->n++] = pp;
        }
}

/* 2: path is excluded; 1: an exclusion lies beneath it; 0: neither. */
static int exclusion_of(const struct exclusions *ex, const char *path)
{
    int found = 0;
    for (size_t i = 0; i < ex->n; i++) {
        if (strcmp(ex->v[i], path) == 0)
            return 2;
        if (strictly_beneath(ex->v[i], path))
            found = 1;
    }
    return found;
}

static bool is_protected_name(const char *name)
{
    return strcmp(name, ".git") == 0 || strcmp(name, ".codex") == 0 || strcmp(name, ".agents") == 0 ||
           strcmp(name, ".aws") == 0;
}

/* Landlock only ever adds rights beneath a directory, so a grant with an
 * exclusion inside goes to each entry of the directory but that one
 * (descending into an entry that holds an exclusion somewhere beneath),
 * and none to the directory itself: new entries cannot be created at that
 * level (the documented narrowing).  Write grants also skip every
 * protected name on the way, wherever it is. */
static int grant_entries(int ruleset, const struct exclusions *ex, const char *dir_path, uint64_t rights,
                         uint64_t handled, bool skip_protected, int depth)
{
    if (depth > 64)
        return 0;
    DIR *d = opendir(dir_path);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            (skip_protected && is_protected_name(e->d_name)))
            continue;
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", strcmp(dir_path, "/") == 0 ? "" : dir_path, e->d_name) >=
            (int)sizeof path)
            continue;
        struct stat st;
        if (lstat(path, &st) != 0 || S_ISLNK(st.st_mode))
            continue; /* a link's target needs its own grant */
        int ex_state = exclusion_of(ex, path);
        if (ex_state == 2)
            continue;
        if (ex_state == 1 && S_ISDIR(st.st_mode))
            rc = grant_entries(ruleset, ex, path, rights, handled, skip_protected, depth + 1);
        else
            rc = add_path(ruleset, path, rights, handled, true);
    }
    closedir(d);
    return rc;
}

static int grant(int ruleset, const struct sandbox_plan *plan, const char *path, enum sandbox_access access,
                 uint64_t rights, uint64_t handled, bool per_entry, bool optional)
{
    struct exclusions ex;
    exclusions_for(plan, path, access, &ex);
    int rc;
    if (per_entry && ex.n > 0)
        rc = grant_entries(ruleset, &ex, path, rights, handled, access == SANDBOX_ACCESS_WRITE, 0);
    else
        rc = add_path(ruleset, path, rights, handled, optional);
    free(ex.v);
    return rc;
}

int sandbox_landlock_ruleset(const struct sandbox_policy *p, const struct sandbox_plan *plan,
                             bool per_entry, char *err, size_t errlen)
{
    int abi = sandbox_landlock_abi();
    if (abi < 1) {
        snprintf(err, errlen,
                 "Landlock is not available in this kernel (needs Linux 5.13+ with landlock in the "
                 "lsm= list); the sandbox cannot be enforced");
        return -1;
    }
    uint64_t handled = fs_rights_for_abi(abi);
    struct ll_ruleset_attr attr = {.handled_access_fs = handled};
    size_t attr_size = 8;
    /* Behind the proxy the command's own namespace is the network boundary:
     * it may connect to the proxy's listeners and to whatever it serves
     * itself in there. */
    if (abi >= 4 && !p->network_access && !p->netns) {
        attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        attr_size = 16;
    }
    if (abi >= 6) {
        attr.scoped = LL_SCOPE_SIGNAL | (p->network_access ? 0 : LL_SCOPE_ABSTRACT_UNIX_SOCKET);
        attr_size = 24;
    }
    int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size, 0);
    if (ruleset < 0) {
        snprintf(err, errlen, "landlock: cannot create a ruleset: %s", strerror(errno));
        return -1;
    }
    const uint64_t read_rights = LL_FS_EXECUTE | LL_FS_READ_FILE | LL_FS_READ_DIR;
    static const char *const devices[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/urandom",
                                          "/dev/random", NULL};
    if (plan->read_all && grant(ruleset, plan, "/", SANDBOX_ACCESS_READ, read_rights, handled, per_entry, false) != 0)
        goto fail;
    for (const char *const *dev = devices; *dev; dev++) {
        uint64_t rights = strstr(*dev, "random") ? LL_FS_READ_FILE
                                                 : LL_FS_READ_FILE | LL_FS_WRITE_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV;
        if (add_path(ruleset, *dev, rights, handled, true) != 0)
            goto fail;
    }
    for (size_t i = 0; i < plan->n_rules; i++) {
        const struct sandbox_rule *r = &plan->rules[i];
        if (r->access == SANDBOX_ACCESS_NONE)
            continue;
        uint64_t rights = r->access == SANDBOX_ACCESS_WRITE ? handled : read_rights;
        if (grant(ruleset, plan, r->path, r->access, rights, handled, per_entry, true) != 0)
            goto fail;
    }
    for (size_t i = 0; i < plan->roots.n; i++)
        if (grant(ruleset, plan, plan->roots.v[i].path, SANDBOX_ACCESS_WRITE, handled, handled, per_entry, false) != 0)
            goto fail;
    return ruleset;
fail:
    snprintf(err, errlen, "landlock: cannot add a rule: %s", strerror(errno));
    close(ruleset);
    return -1;
}

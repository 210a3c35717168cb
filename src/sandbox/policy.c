/* The sandbox policy model: which directories are writable and which paths
 * inside them stay read-only. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "sandbox/sandbox.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* Names that stay read-only inside every writable root: writing them would
 * let a sandboxed command plant code that runs later outside the sandbox
 * (git hooks and config, codex config, agent skills, AWS credential_process). */
static const char *const protected_names[] = {".git", ".codex", ".agents", ".aws", NULL};

void sandbox_policy_init(struct sandbox_policy *p, enum sandbox_kind kind)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
}

static void host_free(struct sandbox_host *h)
{
    free(h->path);
    free(h->tmpdir);
    free(h->runtime_dir);
    free(h->self_exe);
    memset(h, 0, sizeof *h);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void sandbox_policy_free(struct sandbox_policy *p)
{
    strvec_free(&p->writable_roots);
    host_free(&p->host);
}

void sandbox_policy_set_host(struct sandbox_policy *p, const char *const *envp, const char *self_exe)
{
    host_free(&p->host);
    p->host.path = dup_or_null(envp_get(envp, "PATH"));
    p->host.tmpdir = dup_or_null(envp_get_nonempty(envp, "TMPDIR"));
    p->host.runtime_dir = dup_or_null(envp_get_nonempty(envp, "XDG_RUNTIME_DIR"));
    p->host.self_exe = dup_or_null(self_exe);
}

void sandbox_policy_copy(struct sandbox_policy *dst, const struct sandbox_policy *src)
{
    *dst = *src;
    memset(&dst->writable_roots, 0, sizeof dst->writable_roots);
    for (size_t i = 0; i < src->writable_roots.n; i++)
        strvec_push(&dst->writable_roots, src->writable_roots.v[i]);
    dst->host.path = dup_or_null(src->host.path);
    dst->host.tmpdir = dup_or_null(src->host.tmpdir);
    dst->host.runtime_dir = dup_or_null(src->host.runtime_dir);
    dst->host.self_exe = dup_or_null(src->host.self_exe);
}

int sandbox_kind_parse(const char *name)
{
    if (strcmp(name, "read-only") == 0)
        return SANDBOX_KIND_READ_ONLY;
    if (strcmp(name, "workspace-write") == 0)
        return SANDBOX_KIND_WORKSPACE_WRITE;
    if (strcmp(name, "danger-full-access") == 0)
        return SANDBOX_KIND_DANGER_FULL_ACCESS;
    if (strcmp(name, "external-sandbox") == 0 || strcmp(name, "externalSandbox") == 0)
        return SANDBOX_KIND_EXTERNAL;
    return -1;
}

const char *sandbox_kind_name(enum sandbox_kind kind)
{
    switch (kind) {
    case SANDBOX_KIND_READ_ONLY: return "read-only";
    case SANDBOX_KIND_WORKSPACE_WRITE: return "workspace-write";
    case SANDBOX_KIND_DANGER_FULL_ACCESS: return "danger-full-access";
    case SANDBOX_KIND_EXTERNAL: return "external-sandbox";
    }
    return "?";
}

void sandbox_policy_from_config(struct sandbox_policy *p, const struct codex_config *cfg)
{
    enum sandbox_kind kind = SANDBOX_KIND_READ_ONLY;
    if (cfg->sandbox_mode == SANDBOX_WORKSPACE_WRITE)
        kind = SANDBOX_KIND_WORKSPACE_WRITE;
    else if (cfg->sandbox_mode == SANDBOX_DANGER_FULL_ACCESS)
        kind = SANDBOX_KIND_DANGER_FULL_ACCESS;
    sandbox_policy_init(p, kind);
    const struct sandbox_workspace_write *ww = &cfg->workspace_write;
    for (size_t i = 0; i < ww->writable_roots.n; i++)
        strvec_push(&p->writable_roots, ww->writable_roots.v[i]);
    for (size_t i = 0; i < cfg->add_dirs.n; i++)
        strvec_push(&p->writable_roots, cfg->add_dirs.v[i]);
    p->network_access = ww->network_access;
    p->exclude_tmpdir_env_var = ww->exclude_tmpdir_env_var;
    p->exclude_slash_tmp = ww->exclude_slash_tmp;
    p->use_legacy_landlock = cfg->use_legacy_landlock;
    sandbox_policy_set_host(p, cfg->envp, NULL);
}

bool sandbox_policy_restricts(const struct sandbox_policy *p)
{
    return p->kind == SANDBOX_KIND_READ_ONLY || p->kind == SANDBOX_KIND_WORKSPACE_WRITE;
}

static void roots_add_protected(struct sandbox_root *r, const char *path, bool exists, bool is_dir)
{
    for (size_t i = 0; i < r->n_protected; i++)
        if (strcmp(r->protected_paths[i].path, path) == 0)
            return;
    r->protected_paths = xrealloc(r->protected_paths, (r->n_protected + 1) * sizeof *r->protected_paths);
    r->protected_paths[r->n_protected++] = (struct sandbox_protected){xstrdup(path), exists, is_dir};
}

/* A `.git` file of a worktree or submodule says "gitdir: <path>"; that
 * directory holds the hooks and config, so it is protected too. */
static void protect_gitdir_pointer(struct sandbox_root *r, const char *dotgit)
{
    char *text = fs_read_file(dotgit, 4096, NULL);
    if (!text)
        return;
    if (strncmp(text, "gitdir:", 7) == 0) {
        char *target = text + 7;
        target += strspn(target, " \t");
        target[strcspn(target, "\r\n")] = '\0';
        char *joined = target[0] == '/' ? xstrdup(target) : fs_join(r->path, target);
        char canon[PATH_MAX];
        struct stat st;
        if (realpath(joined, canon) && stat(canon, &st) == 0)
            roots_add_protected(r, canon, true, S_ISDIR(st.st_mode));
        free(joined);
    }
    free(text);
}

static void compute_protected(struct sandbox_root *r)
{
    for (const char *const *name = protected_names; *name; name++) {
        char *path = fs_join(r->path, *name);
        struct stat st;
        if (lstat(path, &st) != 0) {
            roots_add_protected(r, path, false, true);
        } else if (S_ISLNK(st.st_mode)) {
            /* A mount lands on the link's target: protect that; the link
             * itself lives in the writable root (documented narrowing). */
            char canon[PATH_MAX];
            struct stat tst;
            if (realpath(path, canon) && stat(canon, &tst) == 0)
                roots_add_protected(r, canon, true, S_ISDIR(tst.st_mode));
            else
                roots_add_protected(r, path, true, false);
        } else {
            roots_add_protected(r, path, true, S_ISDIR(st.st_mode));
            if (strcmp(*name, ".git") == 0 && S_ISREG(st.st_mode))
                protect_gitdir_pointer(r, path);
        }
        free(path);
    }
}

/* The protected name a canonical path lies inside, or NULL. */
static const char *inside_protected_name(const char *path)
{
    for (const char *p = path; (p = strchr(p, '/')) != NULL;) {
        p++;
        size_t len = strcspn(p, "/");
        for (const char *const *name = protected_names; *name; name++)
            if (strlen(*name) == len && strncmp(p, *name, len) == 0)
                return *name;
    }
    return NULL;
}

/* Returns 1 added, 0 skipped (optional and absent), -1 error. */
static int add_root(struct sandbox_roots *out, const char *raw, const char *what, bool optional,
                    char *err, size_t errlen)
{
    if (raw[0] != '/') {
        snprintf(err, errlen, "%s '%s' is not an absolute path; give the full path", what, raw);
        return -1;
    }
    char canon[PATH_MAX];
    if (!realpath(raw, canon)) {
        if (optional)
            return 0;
        snprintf(err, errlen, "%s '%s' cannot be used: %s; create it or remove it from the configuration",
                 what, raw, strerror(errno));
        return -1;
    }
    if (!fs_is_dir(canon)) {
        if (optional)
            return 0;
        snprintf(err, errlen, "%s '%s' is not a directory", what, raw);
        return -1;
    }
    const char *pname = inside_protected_name(canon);
    if (pname) {
        snprintf(err, errlen,
                 "%s '%s' is inside a protected '%s' directory, which the sandbox keeps read-only; "
                 "run from outside it or use danger-full-access",
                 what, canon, pname);
        return -1;
    }
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->v[i].path, canon) == 0)
            return 0;
    out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
    struct sandbox_root *r = &out->v[out->n++];
    memset(r, 0, sizeof *r);
    r->path = xstrdup(canon);
    compute_protected(r);
    return 1;
}

int sandbox_compute_roots(const struct sandbox_policy *p, const char *cwd, struct sandbox_roots *out,
                          struct codex_error *error)
{
    memset(out, 0, sizeof *out);
    if (p->kind != SANDBOX_KIND_WORKSPACE_WRITE)
        return 0;
    char err[PATH_MAX + 512];
    size_t errlen = sizeof err;
    if (add_root(out, cwd, "working directory", false, err, errlen) < 0)
        goto fail;
    for (size_t i = 0; i < p->writable_roots.n; i++)
        if (add_root(out, p->writable_roots.v[i], "writable root", false, err, errlen) < 0)
            goto fail;
    if (!p->exclude_slash_tmp && add_root(out, "/tmp", "/tmp", true, err, errlen) < 0)
        goto fail;
    const char *tmpdir = p->host.tmpdir;
    if (!p->exclude_tmpdir_env_var && tmpdir && *tmpdir) {
        /* A relative or missing $TMPDIR is skipped: narrower, never wider. */
        if (tmpdir[0] == '/' && add_root(out, tmpdir, "$TMPDIR", true, err, errlen) < 0)
            goto fail;
    }
    return 0;
fail:
    codex_error_set(error, "%s", err);
    sandbox_roots_free(out);
    return -1;
}

static bool path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/')
        return path[0] == '/';
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

bool sandbox_path_writable(const struct sandbox_roots *roots, const char *real_path)
{
    /* The sandbox binds every root and then every protected path of every
     * root on top, read-only: a path is writable when some root holds it
     * and no protected path does, whichever root that belongs to. */
    bool in_root = false;
    for (size_t i = 0; i < roots->n; i++) {
        const struct sandbox_root *r = &roots->v[i];
        in_root |= path_under(real_path, r->path);
        for (size_t j = 0; j < r->n_protected; j++)
            if (path_under(real_path, r->protected_paths[j].path))
                return false;
    }
    return in_root;
}

void sandbox_roots_free(struct sandbox_roots *r)
{
    for (size_t i = 0; i < r->n; i++) {
        for (size_t j = 0; j < r->v[i].n_protected; j++)
            free(r->v[i].protected_paths[j].path);
        free(r->v[i].protected_paths);
        free(r->v[i].path);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

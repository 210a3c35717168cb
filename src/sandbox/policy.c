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

void sandbox_policy_free(struct sandbox_policy *p)
{
    strvec_free(&p->writable_roots);
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
                          char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (p->kind != SANDBOX_KIND_WORKSPACE_WRITE)
        return 0;
    if (add_root(out, cwd, "working directory", false, err, errlen) < 0)
        goto fail;
    for (size_t i = 0; i < p->writable_roots.n; i++)
        if (add_root(out, p->writable_roots.v[i], "writable root", false, err, errlen) < 0)
            goto fail;
    if (!p->exclude_slash_tmp && add_root(out, "/tmp", "/tmp", true, err, errlen) < 0)
        goto fail;
    const char *tmpdir = getenv("TMPDIR");
    if (!p->exclude_tmpdir_env_var && tmpdir && *tmpdir) {
        /* A relative or missing $TMPDIR is skipped: narrower, never wider. */
        if (tmpdir[0] == '/' && add_root(out, tmpdir, "$TMPDIR", true, err, errlen) < 0)
            goto fail;
    }
    return 0;
fail:
    sandbox_roots_free(out);
    return -1;
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

/* The sandbox policy model: which directories are writable and which paths
 * inside them stay read-only. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    for (size_t i = 0; i < p->n_fs; i++) {
        free(p->fs[i].path);
        free(p->fs[i].subpath);
    }
    free(p->fs);
    p->fs = NULL;
    p->n_fs = 0;
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
    dst->fs = NULL;
    dst->n_fs = 0;
    for (size_t i = 0; i < src->n_fs; i++)
        sandbox_policy_add_fs(dst, src->fs[i].path, src->fs[i].subpath, src->fs[i].access);
}

void sandbox_policy_add_fs(struct sandbox_policy *p, const char *path, const char *subpath,
                           enum sandbox_access access)
{
    p->fs = xrealloc(p->fs, (p->n_fs + 1) * sizeof *p->fs);
    p->fs[p->n_fs++] = (struct sandbox_fs_entry){xstrdup(path), subpath ? xstrdup(subpath) : NULL, access};
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
    if (strcmp(name, "permission-profile") == 0)
        return SANDBOX_KIND_PROFILE;
    return -1;
}

const char *sandbox_kind_name(enum sandbox_kind kind)
{
    switch (kind) {
    case SANDBOX_KIND_READ_ONLY: return "read-only";
    case SANDBOX_KIND_WORKSPACE_WRITE: return "workspace-write";
    case SANDBOX_KIND_DANGER_FULL_ACCESS: return "danger-full-access";
    case SANDBOX_KIND_EXTERNAL: return "external-sandbox";
    case SANDBOX_KIND_PROFILE: return "permission-profile";
    }
    return "?";
}

/* One path for both spellings: a permission profile, or the legacy
 * sandbox_mode, which config turned into the equivalent built-in profile
 * (":read-only", ":workspace", ":danger-full-access"). */
void sandbox_policy_from_config(struct sandbox_policy *p, const struct codex_config *cfg)
{
    const struct permission_profile *prof = cfg->permissions;
    enum sandbox_kind kind = SANDBOX_KIND_READ_ONLY;
    if (prof && !prof->legacy) {
        if (prof->unrestricted)
            kind = SANDBOX_KIND_DANGER_FULL_ACCESS;
        else if (!prof->base)
            kind = SANDBOX_KIND_PROFILE;
        else if (strcmp(prof->base, ":workspace") == 0)
            kind = SANDBOX_KIND_WORKSPACE_WRITE;
    } else if (cfg->sandbox_mode == SANDBOX_WORKSPACE_WRITE) {
        kind = SANDBOX_KIND_WORKSPACE_WRITE;
    } else if (cfg->sandbox_mode == SANDBOX_DANGER_FULL_ACCESS) {
        kind = SANDBOX_KIND_DANGER_FULL_ACCESS;
    }
    sandbox_policy_init(p, kind);
    const struct sandbox_workspace_write *ww = &cfg->workspace_write;
    if (kind != SANDBOX_KIND_PROFILE)
        for (size_t i = 0; i < ww->writable_roots.n; i++)
            strvec_push(&p->writable_roots, ww->writable_roots.v[i]);
    for (size_t i = 0; i < cfg->add_dirs.n; i++)
        strvec_push(&p->writable_roots, cfg->add_dirs.v[i]);
    p->exclude_tmpdir_env_var = ww->exclude_tmpdir_env_var;
    p->exclude_slash_tmp = ww->exclude_slash_tmp;
    p->use_legacy_landlock = cfg->use_legacy_landlock;
    p->network_access = ww->network_access;
    sandbox_policy_set_host(p, cfg->envp, NULL);
    if (prof) {
        bool on = prof->network.enabled;
        p->network_proxy = on && prof->network_proxy && !prof->unrestricted;
        p->network_access = on && !p->network_proxy;
        if (!prof->legacy)
            for (size_t i = 0; i < prof->n_fs; i++)
                sandbox_policy_add_fs(p, prof->fs[i].path, prof->fs[i].subpath,
                                      prof->fs[i].access == FS_ACCESS_WRITE  ? SANDBOX_ACCESS_WRITE
                                      : prof->fs[i].access == FS_ACCESS_READ ? SANDBOX_ACCESS_READ
                                                                             : SANDBOX_ACCESS_NONE);
    }
}

bool sandbox_policy_restricts(const struct sandbox_policy *p)
{
    return p->kind == SANDBOX_KIND_READ_ONLY || p->kind == SANDBOX_KIND_WORKSPACE_WRITE ||
           p->kind == SANDBOX_KIND_PROFILE;
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
static int add_root_checked(struct sandbox_roots *out, const char *raw, const char *what, bool optional,
                            bool check_protected, char *err, size_t errlen);

static int add_root(struct sandbox_roots *out, const char *raw, const char *what, bool optional, char *err,
                    size_t errlen)
{
    return add_root_checked(out, raw, what, optional, true, err, errlen);
}

static int add_root_checked(struct sandbox_roots *out, const char *raw, const char *what, bool optional,
                            bool check_protected, char *err, size_t errlen)
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
    const char *pname = check_protected ? inside_protected_name(canon) : NULL;
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

const char *const sandbox_minimal_paths[] = {"/bin", "/sbin", "/usr", "/lib", "/lib32", "/lib64", "/libx32",
                                              "/etc", NULL};

static void rule_set(struct sandbox_plan *plan, const char *path, enum sandbox_access access, bool is_dir)
{
    for (size_t i = 0; i < plan->n_rules; i++)
        if (strcmp(plan->rules[i].path, path) == 0) {
            plan->rules[i].access = access;
            return;
        }
    plan->rules = xrealloc(plan->rules, (plan->n_rules + 1) * sizeof *plan->rules);
    plan->rules[plan->n_rules++] = (struct sandbox_rule){xstrdup(path), access, is_dir};
}

static void rule_drop(struct sandbox_plan *plan, const char *path)
{
    for (size_t i = 0; i < plan->n_rules; i++)
        if (strcmp(plan->rules[i].path, path) == 0) {
            free(plan->rules[i].path);
            plan->rules[i] = plan->rules[--plan->n_rules];
            return;
        }
}

static void root_drop(struct sandbox_roots *roots, const char *path)
{
    for (size_t i = 0; i < roots->n; i++)
        if (strcmp(roots->v[i].path, path) == 0) {
            struct sandbox_root *r = &roots->v[i];
            for (size_t j = 0; j < r->n_protected; j++)
                free(r->protected_paths[j].path);
            free(r->protected_paths);
            free(r->path);
            roots->v[i] = roots->v[--roots->n];
            return;
        }
}

/* An explicit profile entry for a protected path wins over the
 * protection (e.g. ".git" = "write" in :project_roots). */
static void unprotect(struct sandbox_roots *roots, const char *path)
{
    for (size_t i = 0; i < roots->n; i++) {
        struct sandbox_root *r = &roots->v[i];
        for (size_t j = 0; j < r->n_protected; j++)
            if (strcmp(r->protected_paths[j].path, path) == 0) {
                free(r->protected_paths[j].path);
                r->protected_paths[j] = r->protected_paths[--r->n_protected];
                return;
            }
    }
}

/* Place one profile entry at an absolute path. */
static int place(struct sandbox_plan *plan, const char *raw, enum sandbox_access access, char *err, size_t errlen)
{
    char canon[PATH_MAX];
    struct stat st;
    if (!realpath(raw, canon) || stat(canon, &st) != 0)
        return 0; /* nothing there: nothing to grant or hide */
    char target[PATH_MAX];
    ssize_t tl;
    if (access != SANDBOX_ACCESS_NONE && lstat(raw, &st) == 0 && S_ISLNK(st.st_mode) &&
        (tl = readlink(raw, target, sizeof target - 1)) > 0) {
        target[tl] = '\0';
        strvec_push(&plan->link_paths, raw);
        strvec_push(&plan->link_targets, target);
    }
    stat(canon, &st);
    bool dir = S_ISDIR(st.st_mode);
    if (access == SANDBOX_ACCESS_WRITE && dir) {
        rule_drop(plan, canon);
        unprotect(&plan->roots, canon);
        /* Written out in the profile: granted even inside a protected name. */
        int r = add_root_checked(&plan->roots, canon, "writable path", true, false, err, errlen);
        return r < 0 ? -1 : 0;
    }
    root_drop(&plan->roots, canon);
    unprotect(&plan->roots, canon);
    rule_set(plan, canon, access, dir);
    return 0;
}

static int place_joined(struct sandbox_plan *plan, const char *base, const char *sub, enum sandbox_access access,
                        char *err, size_t errlen)
{
    if (!sub || strcmp(sub, ".") == 0)
        return place(plan, base, access, err, errlen);
    char *joined = fs_join(base, sub);
    int r = place(plan, joined, access, err, errlen);
    free(joined);
    return r;
}

static int apply_entry(const struct sandbox_policy *p, const char *cwd, const struct sandbox_fs_entry *e,
                       struct sandbox_plan *plan, char *err, size_t errlen)
{
    const char *path = e->path;
    if (strcmp(path, ":root") == 0) {
        if (e->access == SANDBOX_ACCESS_WRITE)
            return place(plan, "/", SANDBOX_ACCESS_WRITE, err, errlen);
        plan->read_all = e->access == SANDBOX_ACCESS_READ;
        return 0;
    }
    if (strcmp(path, ":minimal") == 0) {
        for (const char *const *m = sandbox_minimal_paths; *m; m++)
            if (place(plan, *m, e->access == SANDBOX_ACCESS_NONE ? SANDBOX_ACCESS_NONE : SANDBOX_ACCESS_READ, err,
                      errlen) < 0)
                return -1;
        return 0;
    }
    if (strcmp(path, ":project_roots") == 0) {
        if (place_joined(plan, cwd, e->subpath, e->access, err, errlen) < 0)
            return -1;
        for (size_t i = 0; i < p->writable_roots.n; i++)
            if (p->writable_roots.v[i][0] == '/' &&
                place_joined(plan, p->writable_roots.v[i], e->subpath, e->access, err, errlen) < 0)
                return -1;
        return 0;
    }
    if (strcmp(path, ":slash_tmp") == 0)
        return place(plan, "/tmp", e->access, err, errlen);
    if (strcmp(path, ":tmpdir") == 0) {
        const char *tmpdir = p->host.tmpdir;
        return tmpdir && tmpdir[0] == '/' ? place(plan, tmpdir, e->access, err, errlen) : 0;
    }
    if (path[0] != '/') {
        snprintf(err, errlen, "filesystem entry \"%s\" is not an absolute path", path);
        return -1;
    }
    return place_joined(plan, path, e->subpath, e->access, err, errlen);
}

int sandbox_compute_plan(const struct sandbox_policy *p, const char *cwd, struct sandbox_plan *out,
                         struct codex_error *error)
{
    memset(out, 0, sizeof *out);
    char err[PATH_MAX + 512];
    size_t errlen = sizeof err;
    err[0] = '\0';
    struct sandbox_roots *roots = &out->roots;
    out->read_all = p->kind == SANDBOX_KIND_READ_ONLY || p->kind == SANDBOX_KIND_WORKSPACE_WRITE;
    if (p->kind == SANDBOX_KIND_WORKSPACE_WRITE) {
        if (add_root(roots, cwd, "working directory", false, err, errlen) < 0)
            goto fail;
        for (size_t i = 0; i < p->writable_roots.n; i++)
            if (add_root(roots, p->writable_roots.v[i], "writable root", false, err, errlen) < 0)
                goto fail;
        if (!p->exclude_slash_tmp && add_root(roots, "/tmp", "/tmp", true, err, errlen) < 0)
            goto fail;
        const char *tmpdir = p->host.tmpdir;
        if (!p->exclude_tmpdir_env_var && tmpdir && *tmpdir) {
            /* A relative or missing $TMPDIR is skipped: narrower, never wider. */
            if (tmpdir[0] == '/' && add_root(roots, tmpdir, "$TMPDIR", true, err, errlen) < 0)
                goto fail;
        }
    }
    for (size_t i = 0; i < p->n_fs; i++)
        if (apply_entry(p, cwd, &p->fs[i], out, err, errlen) < 0)
            goto fail;
    return 0;
fail:
    codex_error_set(error, "%s", err);
    sandbox_plan_free(out);
    return -1;
}

void sandbox_plan_free(struct sandbox_plan *plan)
{
    for (size_t i = 0; i < plan->n_rules; i++)
        free(plan->rules[i].path);
    free(plan->rules);
    strvec_free(&plan->link_paths);
    strvec_free(&plan->link_targets);
    sandbox_roots_free(&plan->roots);
    memset(plan, 0, sizeof *plan);
}

int sandbox_compute_roots(const struct sandbox_policy *p, const char *cwd, struct sandbox_roots *out,
                          struct codex_error *err)
{
    struct sandbox_plan plan;
    memset(out, 0, sizeof *out);
    if (sandbox_compute_plan(p, cwd, &plan, err) != 0)
        return -1;
    *out = plan.roots;
    plan.roots = (struct sandbox_roots){NULL, 0};
    sandbox_plan_free(&plan);
    return 0;
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

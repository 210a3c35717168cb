/* Adding, removing and upgrading marketplaces.  A local marketplace is
 * recorded by its resolved path; a Git one is cloned (the `git` program)
 * into a staging directory, checked, and renamed to
 * $CODEX_HOME/.tmp/marketplaces/<name>, so a failed clone or a bad
 * marketplace.json leaves nothing behind.  These calls block: the CLI runs
 * them directly, the app server on a worker thread. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "config/config.h"
#include "plugins/plugins.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* ---- running git ------------------------------------------------------------- */

static void drain(int fd, struct buf *b, bool *open_)
{
    char tmp[4096];
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n > 0) {
        if (b->len < (1u << 20))
            buf_append(b, tmp, (size_t)n);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        *open_ = false;
    }
}

/* The line of git's stderr that says why: its first "fatal:" or "error:"
 * line, else the last non-empty one. */
static char *reason_line(const char *s)
{
    const char *last = NULL, *last_end = NULL, *p = s;
    while (*p) {
        const char *e = strchr(p, '\n');
        if (!e)
            e = p + strlen(p);
        const char *end = e;
        while (end > p && (end[-1] == '\r' || end[-1] == ' '))
            end--;
        if (strncmp(p, "fatal:", 6) == 0 || strncmp(p, "error:", 6) == 0)
            return xstrndup(p, (size_t)(end - p));
        if (end > p) {
            last = p;
            last_end = end;
        }
        p = *e ? e + 1 : e;
    }
    return last ? xstrndup(last, (size_t)(last_end - last)) : xstrdup("(no output)");
}

/* Run git with args (NULL-terminated, without "git"); stdout kept in *out
 * when out is not NULL.  0, or -1 with err "git ARGS failed (exit N): LINE". */
static int run_git(const char *const *envp, const char *const *args, char **out,
                   struct codex_error *err)
{
    size_t nargs = 0;
    while (args[nargs])
        nargs++;
    const char **argv = xcalloc(nargs + 2, sizeof *argv);
    argv[0] = "git";
    memcpy(argv + 1, args, nargs * sizeof *argv);
    size_t nenv = 0;
    while (envp && envp[nenv])
        nenv++;
    const char **env = xcalloc(nenv + 3, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++)
        if (strncmp(envp[i], "GIT_TERMINAL_PROMPT=", 20) != 0)
            env[k++] = envp[i];
    /* never wait for a password nobody will type */
    env[k++] = "GIT_TERMINAL_PROMPT=0";
    int po[2], pe[2];
    int rc = -1;
    if (pipe2(po, O_CLOEXEC) < 0) {
        codex_error_set_os(err, errno, "cannot run git");
        goto out;
    }
    if (pipe2(pe, O_CLOEXEC) < 0) {
        codex_error_set_os(err, errno, "cannot run git");
        close(po[0]);
        close(po[1]);
        goto out;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int sr = posix_spawnp(&pid, "git", &fa, NULL, (char *const *)argv, (char *const *)env);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (sr != 0) {
        codex_error_set_os(err, sr, "cannot run git (is it installed?)");
        close(po[0]);
        close(pe[0]);
        goto out;
    }
    struct buf ob = BUF_INIT, eb = BUF_INIT;
    bool o_open = true, e_open = true;
    while (o_open || e_open) {
        struct pollfd fds[2] = {{o_open ? po[0] : -1, POLLIN, 0}, {e_open ? pe[0] : -1, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        if (fds[0].revents)
            drain(po[0], &ob, &o_open);
        if (fds[1].revents)
            drain(pe[0], &eb, &e_open);
    }
    close(po[0]);
    close(pe[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        rc = 0;
        if (out)
            *out = xstrdup(buf_cstr(&ob));
    } else {
        char *line = reason_line(buf_cstr(&eb));
        struct buf cmd = BUF_INIT;
        buf_puts(&cmd, "git");
        /* the subcommand and its operands: what was asked, not how */
        for (size_t i = 0, shown = 0; i < nargs && shown < 2; i++) {
            if (strcmp(args[i], "-C") == 0) {
                i++;
                continue;
            }
            if (args[i][0] == '-')
                continue;
            buf_printf(&cmd, " %s", args[i]);
            shown++;
        }
        codex_error_set(err, "%s failed (exit %d): %s", buf_cstr(&cmd),
                        WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), line);
        buf_free(&cmd);
        free(line);
    }
    buf_free(&ob);
    buf_free(&eb);
out:
    free(argv);
    free(env);
    return rc;
}

/* ---- sources ------------------------------------------------------------------ */

enum source_kind { SOURCE_INVALID, SOURCE_LOCAL, SOURCE_GIT };

static bool github_shorthand(const char *s)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || strchr(slash + 1, '/') || !slash[1])
        return false;
    for (const char *p = s; *p && *p != '@'; p++)
        if (!(*p == '/' || *p == '-' || *p == '_' || *p == '.' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* user@host:path, the scp-like form git accepts */
static bool scp_like(const char *s)
{
    const char *at = strchr(s, '@'), *colon = strchr(s, ':');
    return at && colon && at < colon && at > s && colon[1] && !strchr(s, ' ');
}

static enum source_kind classify(const char *source, char **url, char **ref)
{
    *url = *ref = NULL;
    if (strncmp(source, "https://", 8) == 0 || strncmp(source, "http://", 7) == 0 ||
        strncmp(source, "ssh://", 6) == 0 || strncmp(source, "git://", 6) == 0) {
        *url = xstrdup(source);
        return SOURCE_GIT;
    }
    if (strstr(source, "://"))
        return SOURCE_INVALID;
    /* as the reference: a local path is written as one (a bare name that
     * happens to be a folder here is not) */
    if (source[0] == '/' || source[0] == '.' || source[0] == '~')
        return SOURCE_LOCAL;
    if (scp_like(source)) {
        *url = xstrdup(source);
        return SOURCE_GIT;
    }
    if (github_shorthand(source)) {
        const char *at = strchr(source, '@');
        size_t n = at ? (size_t)(at - source) : strlen(source);
        *url = xasprintf("https://github.com/%.*s.git", (int)n, source);
        if (at && at[1])
            *ref = xstrdup(at + 1);
        return SOURCE_GIT;
    }
    return SOURCE_INVALID;
}

/* ---- config ------------------------------------------------------------------- */

static int write_marketplace(const char *config_path, const char *name, const char *type,
                             const char *source, const char *ref, const char *const *sparse,
                             size_t n_sparse, struct codex_error *err)
{
    toml_value *t = toml_new_table();
    toml_table_set(t, "source_type", toml_new_string(type, strlen(type)));
    toml_table_set(t, "source", toml_new_string(source, strlen(source)));
    if (ref)
        toml_table_set(t, "ref", toml_new_string(ref, strlen(ref)));
    if (n_sparse) {
        toml_value *a = toml_new_array();
        for (size_t i = 0; i < n_sparse; i++)
            toml_array_push(a, toml_new_string(sparse[i], strlen(sparse[i])));
        toml_table_set(t, "sparse_paths", a);
    }
    const char *keys[] = {"marketplaces", name};
    int rc = config_file_set(config_path, keys, 2, t, err);
    toml_free(t);
    return rc;
}

static bool same_strvec(const struct strvec *v, const char *const *a, size_t n)
{
    if (v->n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v->v[i], a[i]) != 0)
            return false;
    return true;
}

/* ---- git checkouts ------------------------------------------------------------ */

/* Clone url (at ref, sparse) into a fresh staging directory; *checkout is
 * the clone, *stage the directory to delete afterwards. */
static int clone_staged(const char *codex_home, const char *const *envp, const char *url,
                        const char *ref, const char *const *sparse, size_t n_sparse, char **stage,
                        char **checkout, char **revision, struct codex_error *err)
{
    *stage = *checkout = *revision = NULL;
    char *staging = xasprintf("%s/.tmp/marketplaces/.staging", codex_home);
    if (fs_mkdir_p(staging, 0700) < 0) {
        codex_error_set_os(err, errno, "%s: cannot create", staging);
        free(staging);
        return -1;
    }
    char *tmpl = xasprintf("%s/marketplace-XXXXXX", staging);
    free(staging);
    if (!mkdtemp(tmpl)) {
        codex_error_set_os(err, errno, "cannot create a staging directory");
        free(tmpl);
        return -1;
    }
    *stage = tmpl;
    *checkout = fs_join(tmpl, "checkout");
    int rc;
    if (n_sparse) {
        rc = run_git(envp, (const char *[]){"clone", "--quiet", "--filter=blob:none", "--no-checkout",
                                            "--", url, *checkout, NULL}, NULL, err);
        if (rc == 0) {
            const char **a = xcalloc(n_sparse + 6, sizeof *a);
            size_t k = 0;
            a[k++] = "-C";
            a[k++] = *checkout;
            a[k++] = "sparse-checkout";
            a[k++] = "set";
            for (size_t i = 0; i < n_sparse; i++)
                a[k++] = sparse[i];
            rc = run_git(envp, a, NULL, err);
            free(a);
        }
        if (rc == 0)
            rc = run_git(envp, (const char *[]){"-C", *checkout, "checkout", "--quiet",
                                                ref ? ref : "HEAD", NULL}, NULL, err);
    } else {
        rc = run_git(envp, (const char *[]){"clone", "--quiet", "--", url, *checkout, NULL}, NULL, err);
        if (rc == 0 && ref)
            rc = run_git(envp, (const char *[]){"-C", *checkout, "checkout", "--quiet", ref, NULL},
                         NULL, err);
    }
    char *rev = NULL;
    if (rc == 0)
        rc = run_git(envp, (const char *[]){"-C", *checkout, "rev-parse", "HEAD", NULL}, &rev, err);
    if (rc == 0) {
        rev[strcspn(rev, "\r\n")] = '\0';
        *revision = rev;
    } else {
        free(rev);
    }
    return rc;
}

static int write_install_metadata(const char *checkout, const char *url, const char *ref,
                                  const char *const *sparse, size_t n_sparse, const char *revision)
{
    json_t *sp = json_array();
    for (size_t i = 0; i < n_sparse; i++)
        json_array_append_new(sp, json_string(sparse[i]));
    json_t *o = json_pack("{s:s s:s s:o s:o s:s}", "source_type", "git", "source", url, "ref_name",
                          ref ? json_string(ref) : json_null(), "sparse_paths", sp, "revision",
                          revision);
    char *text = json_dumps(o, JSON_INDENT(2));
    char *path = fs_join(checkout, ".codex-marketplace-install.json");
    int rc = fs_write_atomic(path, text, strlen(text), 0644);
    free(path);
    free(text);
    json_decref(o);
    return rc;
}

static char *installed_revision(const char *root)
{
    char *path = fs_join(root, ".codex-marketplace-install.json");
    size_t len;
    char *text = fs_read_file(path, 1u << 20, &len);
    free(path);
    if (!text)
        return NULL;
    json_t *o = json_loadb(text, len, 0, NULL);
    free(text);
    const char *r = json_string_value(json_object_get(o, "revision"));
    char *out = r ? xstrdup(r) : NULL;
    json_decref(o);
    return out;
}

/* Put checkout at dest: renamed in, or swapped atomically with what is
 * there (which lands in the staging dir and goes with it). */
static int swap_into_place(const char *checkout, const char *dest, struct codex_error *err)
{
    int r = fs_exists(dest) ? renameat2(AT_FDCWD, checkout, AT_FDCWD, dest, RENAME_EXCHANGE)
                            : rename(checkout, dest);
    if (r < 0) {
        codex_error_set_os(err, errno, "%s: cannot move the marketplace into place", dest);
        return -1;
    }
    return 0;
}

/* ---- add ---------------------------------------------------------------------- */

static int add_local(const char *config_path, const struct plugins_config *c,
                     const struct marketplace_add_opts *o, struct marketplace_add_result *out,
                     struct codex_error *err)
{
    const char *source = o->source, *home = envp_get_nonempty(o->envp, "HOME");
    char *joined = source[0] == '/'                                 ? xstrdup(source)
                   : (strncmp(source, "~/", 2) == 0 || strcmp(source, "~") == 0) && home
                       ? fs_join(home, source[1] ? source + 2 : "")
                       : fs_join(o->cwd, source);
    char resolved[PATH_MAX];
    if (!realpath(joined, resolved)) {
        codex_error_set_os(err, errno, "failed to resolve local marketplace source path %s", joined);
        free(joined);
        return -1;
    }
    free(joined);
    char *manifest = fs_join(resolved, PLUGIN_MARKETPLACE_MANIFEST);
    bool has = fs_exists(manifest);
    free(manifest);
    if (!has) {
        codex_error_set(err, "invalid marketplace file `%s`: marketplace root does not contain a "
                        "supported manifest (%s)", resolved, PLUGIN_MARKETPLACE_MANIFEST);
        return -1;
    }
    struct marketplace m;
    if (marketplace_load(resolved, &m, err) < 0)
        return -1;
    int rc = 0;
    const struct configured_marketplace *cm = plugins_config_marketplace(c, m.name);
    if (cm && (strcmp(cm->source_type, "local") != 0 || strcmp(cm->source, resolved) != 0)) {
        codex_error_set(err, "marketplace '%s' is already added from a different source; remove "
                        "it before adding this source", m.name);
        rc = -1;
    } else if (!cm) {
        rc = write_marketplace(config_path, m.name, "local", resolved, NULL, NULL, 0, err);
    }
    if (rc == 0) {
        out->name = xstrdup(m.name);
        out->installed_root = xstrdup(resolved);
        out->display_source = xstrdup(resolved);
        out->already_added = cm != NULL;
    }
    marketplace_free(&m);
    return rc;
}

static int add_git(const char *codex_home, const char *config_path, const struct plugins_config *c,
                   const struct marketplace_add_opts *o, const char *url, const char *ref,
                   struct marketplace_add_result *out, struct codex_error *err)
{
    char *stage, *checkout, *revision;
    int rc = clone_staged(codex_home, o->envp, url, ref, o->sparse_paths, o->n_sparse, &stage,
                          &checkout, &revision, err);
    struct marketplace m = {0};
    char *dest = NULL;
    if (rc == 0)
        rc = marketplace_load(checkout, &m, err);
    const struct configured_marketplace *cm = rc == 0 ? plugins_config_marketplace(c, m.name) : NULL;
    bool same = cm && strcmp(cm->source_type, "git") == 0 && strcmp(cm->source, url) == 0 &&
                ((!cm->ref && !ref) || (cm->ref && ref && strcmp(cm->ref, ref) == 0)) &&
                same_strvec(&cm->sparse_paths, o->sparse_paths, o->n_sparse);
    if (rc == 0 && cm && !same) {
        codex_error_set(err, "marketplace '%s' is already added from a different source; remove "
                        "it before adding this source", m.name);
        rc = -1;
    }
    if (rc == 0) {
        dest = plugins_git_marketplace_dir(codex_home, m.name);
        if (!(same && fs_is_dir(dest))) {
            if (write_install_metadata(checkout, url, ref, o->sparse_paths, o->n_sparse, revision) < 0) {
                codex_error_set_os(err, errno, "%s: cannot write the install record", checkout);
                rc = -1;
            }
            if (rc == 0)
                rc = swap_into_place(checkout, dest, err);
            if (rc == 0 && !cm)
                rc = write_marketplace(config_path, m.name, "git", url, ref, o->sparse_paths,
                                       o->n_sparse, err);
        }
    }
    if (rc == 0) {
        out->name = xstrdup(m.name);
        out->installed_root = xstrdup(dest);
        out->display_source = ref ? xasprintf("%s#%s", url, ref) : xstrdup(url);
        out->already_added = same;
    }
    if (stage)
        plugins_remove_tree(stage);
    free(stage);
    free(checkout);
    free(revision);
    free(dest);
    marketplace_free(&m);
    return rc;
}

int plugins_marketplace_add(const char *codex_home, const char *config_path,
                            const struct plugins_config *c, const struct marketplace_add_opts *o,
                            struct marketplace_add_result *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    char *url, *short_ref;
    enum source_kind kind = classify(o->source, &url, &short_ref);
    int rc = -1;
    /* nothing the user passes may reach git as an option */
    bool dashed = o->ref && o->ref[0] == '-';
    for (size_t i = 0; i < o->n_sparse; i++)
        dashed = dashed || o->sparse_paths[i][0] == '-';
    if (o->source[0] == '-')
        kind = SOURCE_INVALID;
    if (short_ref && short_ref[0] == '-')
        dashed = true;
    if (dashed && kind != SOURCE_INVALID) {
        codex_error_set(err, "a Git ref or sparse path may not start with `-`");
    } else if (kind == SOURCE_INVALID) {
        codex_error_set(err, "invalid marketplace source format; expected owner/repo, a git URL, "
                        "or a local marketplace path");
    } else if (kind == SOURCE_LOCAL && o->ref) {
        codex_error_set(err, "--ref is only supported for git marketplace sources");
    } else if (kind == SOURCE_LOCAL && o->n_sparse) {
        codex_error_set(err, "--sparse is only supported for git marketplace sources");
    } else if (kind == SOURCE_LOCAL) {
        rc = add_local(config_path, c, o, out, err);
    } else {
        rc = add_git(codex_home, config_path, c, o, url, o->ref ? o->ref : short_ref, out, err);
    }
    free(url);
    free(short_ref);
    return rc;
}

void marketplace_add_result_free(struct marketplace_add_result *r)
{
    free(r->name);
    free(r->installed_root);
    free(r->display_source);
    memset(r, 0, sizeof *r);
}

/* ---- remove ------------------------------------------------------------------- */

int plugins_marketplace_remove(const char *codex_home, const char *config_path,
                               const struct plugins_config *c, const char *name,
                               char **removed_root, struct codex_error *err)
{
    *removed_root = NULL;
    const struct configured_marketplace *cm = plugins_config_marketplace(c, name);
    char *git_dir = plugin_segment_valid(name) ? plugins_git_marketplace_dir(codex_home, name) : NULL;
    bool installed = git_dir && fs_is_dir(git_dir);
    if (!cm && !installed) {
        free(git_dir);
        codex_error_set(err, "marketplace `%s` is not configured or installed", name);
        return -1;
    }
    if (cm && config_file_set(config_path, (const char *[]){"marketplaces", name}, 2, NULL, err) < 0) {
        free(git_dir);
        return -1;
    }
    if (installed) {
        if (plugins_remove_tree(git_dir) < 0) {
            codex_error_set_os(err, errno, "%s: cannot remove", git_dir);
            free(git_dir);
            return -1;
        }
        *removed_root = git_dir;
        return 0;
    }
    free(git_dir);
    return 0;
}

/* ---- upgrade ------------------------------------------------------------------ */

int plugins_marketplace_upgrade(const char *codex_home, const struct plugins_config *c,
                                const char *name, const char *const *envp,
                                struct marketplace_upgrade_result *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    if (name) {
        const struct configured_marketplace *cm = plugins_config_marketplace(c, name);
        if (!cm || strcmp(cm->source_type, "git") != 0) {
            codex_error_set(err, "marketplace `%s` is not configured as a Git marketplace", name);
            return -1;
        }
    }
    for (size_t i = 0; i < c->n_marketplaces; i++) {
        const struct configured_marketplace *cm = &c->marketplaces[i];
        if (!cm->source_type || strcmp(cm->source_type, "git") != 0 ||
            (name && strcmp(cm->name, name) != 0))
            continue;
        strvec_push(&out->selected, cm->name);
        char *stage = NULL, *checkout = NULL, *revision = NULL;
        struct codex_error e = CODEX_ERROR_INIT;
        bool dashed = cm->source[0] == '-' || (cm->ref && cm->ref[0] == '-');
        for (size_t k = 0; k < cm->sparse_paths.n; k++)
            dashed = dashed || cm->sparse_paths.v[k][0] == '-';
        int rc = -1;
        if (dashed)
            codex_error_set(&e, "its source, ref or a sparse path starts with `-`");
        else
            rc = clone_staged(codex_home, envp, cm->source, cm->ref,
                              (const char *const *)cm->sparse_paths.v, cm->sparse_paths.n, &stage,
                              &checkout, &revision, &e);
        char *old = rc == 0 ? installed_revision(cm->root) : NULL;
        if (rc == 0 && !(old && strcmp(old, revision) == 0)) {
            struct marketplace m;
            rc = marketplace_load(checkout, &m, &e);
            if (rc == 0 && strcmp(m.name, cm->name) != 0) {
                codex_error_set(&e, "the marketplace at %s is now named `%s`, not `%s`", cm->source,
                                m.name, cm->name);
                rc = -1;
            }
            if (rc == 0)
                marketplace_free(&m);
            if (rc == 0 && write_install_metadata(checkout, cm->source, cm->ref,
                                                  (const char *const *)cm->sparse_paths.v,
                                                  cm->sparse_paths.n, revision) < 0) {
                codex_error_set_os(&e, errno, "%s: cannot write the install record", checkout);
                rc = -1;
            }
            if (rc == 0)
                rc = swap_into_place(checkout, cm->root, &e);
            if (rc == 0)
                strvec_push(&out->upgraded_roots, cm->root);
        }
        if (rc < 0) {
            char *text = codex_error_text(&e);
            strvec_push_owned(&out->errors, xasprintf("%s: %s", cm->name, text));
            free(text);
        }
        codex_error_clear(&e);
        if (stage)
            plugins_remove_tree(stage);
        free(stage);
        free(checkout);
        free(revision);
        free(old);
    }
    return 0;
}

void marketplace_upgrade_result_free(struct marketplace_upgrade_result *r)
{
    strvec_free(&r->selected);
    strvec_free(&r->upgraded_roots);
    strvec_free(&r->errors);
}

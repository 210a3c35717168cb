#include "tools/shell_env.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char *const core_vars[] = {"HOME", "LOGNAME", "PATH", "SHELL", "USER",
                                        "USERNAME", "TMPDIR", "TEMP", "TMP", NULL};
static const char *const default_excludes[] = {"*KEY*", "*SECRET*", "*TOKEN*", NULL};

const char *const shell_env_auth_vars[] = {"CODEX_ACCESS_TOKEN", "CODEX_API_KEY", "OPENAI_API_KEY",
                                           NULL};

static bool is_auth_var(const char *name)
{
    for (const char *const *v = shell_env_auth_vars; *v; v++)
        if (strcmp(*v, name) == 0)
            return true;
    return false;
}

static bool matches_any(const char *name, char *const *globs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(globs[i], name, FNM_CASEFOLD) == 0)
            return true;
    return false;
}

static bool keep(const struct shell_environment_policy *p, const char *name)
{
    enum env_inherit inherit = p ? p->inherit : ENV_INHERIT_ALL;
    /* Codex's own credentials are never inherited, whatever the policy
     * says: a command that prints its environment would otherwise put them
     * into the rollout. */
    if (inherit == ENV_INHERIT_NONE || is_auth_var(name))
        return false;
    if (inherit == ENV_INHERIT_CORE) {
        bool core = false;
        for (const char *const *c = core_vars; *c; c++)
            core = core || strcmp(*c, name) == 0;
        if (!core)
            return false;
    }
    if (!(p && p->ignore_default_excludes) &&
        matches_any(name, (char *const *)default_excludes, 3))
        return false;
    if (p && matches_any(name, p->exclude.v, p->exclude.n))
        return false;
    return true;
}

static void set_var(struct strvec *out, const char *name, size_t name_len, const char *entry)
{
    for (size_t i = 0; i < out->n; i++) {
        if (strncmp(out->v[i], name, name_len) == 0 && out->v[i][name_len] == '=') {
            free(out->v[i]);
            out->v[i] = xstrdup(entry);
            return;
        }
    }
    strvec_push(out, entry);
}

static void drop_not_included(const struct shell_environment_policy *p, struct strvec *out)
{
    if (!p || p->include_only.n == 0)
        return;
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++) {
        char *eq = strchr(out->v[i], '=');
        char *name = xstrndup(out->v[i], eq ? (size_t)(eq - out->v[i]) : strlen(out->v[i]));
        if (matches_any(name, p->include_only.v, p->include_only.n))
            out->v[w++] = out->v[i];
        else
            free(out->v[i]);
        free(name);
    }
    out->n = w;
    if (out->v)
        out->v[w] = NULL;
}

void shell_env_build(const struct shell_environment_policy *p, char *const *envp,
                     const char *path_prefix, struct strvec *out)
{
    for (char *const *e = envp; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        char *name = xstrndup(*e, (size_t)(eq - *e));
        if (keep(p, name))
            strvec_push(out, *e);
        free(name);
    }
    for (size_t i = 0; p && i < p->set.n; i++) {
        const char *eq = strchr(p->set.v[i], '=');
        if (eq)
            set_var(out, p->set.v[i], (size_t)(eq - p->set.v[i]), p->set.v[i]);
    }
    drop_not_included(p, out);
    if (path_prefix) {
        const char *old = NULL;
        for (size_t i = 0; i < out->n; i++)
            if (strncmp(out->v[i], "PATH=", 5) == 0)
                old = out->v[i] + 5;
        char *entry = old && *old ? xasprintf("PATH=%s:%s", path_prefix, old)
                                  : xasprintf("PATH=%s:/usr/local/bin:/usr/bin:/bin", path_prefix);
        set_var(out, "PATH", 4, entry);
        free(entry);
    }
}

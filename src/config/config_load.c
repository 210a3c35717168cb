/* config_load: assemble the layers in the reference's order (see config.h)
 * into one merged tree, then hand it to config_extract and the requirements
 * check. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "config/config_keys.h"
#include "config/features.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct loader {
    const struct config_load_opts *opts;
    struct codex_config *cfg;
    toml_value *merged;
    toml_value **overrides; /* one parsed layer per -c, in order */
    char *process_cwd;
    char *err;
    size_t errlen;
};

static char *trimmed_copy(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* "-c key=value": the key is a TOML dotted key; the value is TOML when it
 * parses as one value, else the raw text as a string (so -c model=o3 works). */
static toml_value *parse_override(const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        snprintf(err, errlen, "-c %s: invalid override (missing '='); write -c key=value", arg);
        return NULL;
    }
    char *key_text = trimmed_copy(arg, (size_t)(eq - arg));
    char **keys = NULL;
    struct toml_error te;
    int n = -1;
    if (key_text[0])
        n = toml_parse_dotted_key(key_text, &keys, &te);
    else
        snprintf(te.message, sizeof te.message, "empty key");
    free(key_text);
    if (n <= 0) {
        if (n == 0)
            toml_free_keys(keys, n);
        snprintf(err, errlen, "-c %s: invalid key before '=' (%s); write -c key=value", arg,
                 n == 0 ? "empty key" : te.message);
        return NULL;
    }
    char *value_text = trimmed_copy(eq + 1, strlen(eq + 1));
    toml_value *value = toml_parse_value_dialect(value_text, strlen(value_text), TOML_1_1, &te);
    if (!value)
        value = toml_new_string(value_text, strlen(value_text));
    free(value_text);

    toml_value *layer = toml_new_table();
    toml_table_set_path(layer, (const char *const *)keys, (size_t)n, value);
    toml_free_keys(keys, n);
    return layer;
}

static int parse_overrides(struct loader *L)
{
    const struct config_load_opts *o = L->opts;
    L->overrides = xcalloc((size_t)o->n_overrides + 1, sizeof *L->overrides);
    for (int i = 0; i < o->n_overrides; i++) {
        toml_value *layer = parse_override(o->overrides[i], L->err, L->errlen);
        if (!layer)
            return -1;
        L->overrides[i] = layer;
        struct layer_source src = {o->overrides[i], false, o->session};
        if (config_check_layer(layer, &src, o->strict_config, L->err, L->errlen) < 0)
            return -1;
        config_absolutize_paths(layer, L->process_cwd);
    }
    return 0;
}

static const char *string_at(const toml_value *t, const char *key)
{
    const toml_value *v = t ? toml_table_get(t, key) : NULL;
    return v && toml_type(v) == TOML_STRING ? toml_string(v, NULL) : NULL;
}

/* --profile, else the last -c profile=..., else `profile =` of config.toml. */
static const char *selected_profile(struct loader *L, const toml_value *user)
{
    if (L->opts->profile)
        return L->opts->profile;
    const char *name = NULL;
    for (int i = 0; i < L->opts->n_overrides; i++)
        if (string_at(L->overrides[i], "profile"))
            name = string_at(L->overrides[i], "profile");
    return name ? name : string_at(user, "profile");
}

/* Remember which file defined each MCP server, for errors about the
 * merged entry (config/mcp_servers.h). */
static void note_mcp_origins(struct loader *L, const toml_value *layer, const char *path)
{
    const toml_value *all = toml_table_get(layer, "mcp_servers");
    for (size_t i = 0; all && toml_type(all) == TOML_TABLE && i < toml_table_len(all); i++) {
        const toml_value *e = toml_table_value_at(all, i);
        strvec_push_owned(&L->cfg->mcp_origins, xasprintf("%s\t%s:%d:%d", toml_table_key_at(all, i),
                                                          path, toml_line(e), toml_col(e)));
    }
}

static int merge_file(struct loader *L, const char *path, const char *base_dir)
{
    toml_value *layer = NULL;
    int r = config_read_layer(path, L->opts->strict_config, L->opts->session, &layer, L->err, L->errlen);
    if (r <= 0)
        return r;
    config_absolutize_paths(layer, base_dir);
    note_mcp_origins(L, layer, path);
    toml_merge(L->merged, layer);
    toml_free(layer);
    return 1;
}

static int load_user_layers(struct loader *L)
{
    struct codex_config *cfg = L->cfg;
    char *path = fs_join(cfg->codex_home, "config.toml");
    toml_value *user = NULL;
    int r = L->opts->ignore_user_config
                ? 0
                : config_read_layer(path, L->opts->strict_config, L->opts->session, &user, L->err, L->errlen);
    free(path);
    if (r < 0)
        return -1;
    if (user) {
        config_absolutize_paths(user, cfg->codex_home);
        char *user_path = fs_join(cfg->codex_home, "config.toml");
        note_mcp_origins(L, user, user_path);
        free(user_path);
        toml_merge(L->merged, user);
    }

    const char *profile = selected_profile(L, user);
    if (profile) {
        if (!config_profile_name_valid(profile)) {
            snprintf(L->err, L->errlen,
                     "invalid profile name `%s`; use a plain name such as `work` (letters, digits, '-', '_')",
                     profile);
            toml_free(user);
            return -1;
        }
        cfg->profile = xstrdup(profile);
        /* [profiles.<name>] of config.toml: the older way to define a
         * profile.  Reference 0.169.0 rejects it in favour of the file
         * below; we still honour it, under the file. */
        const char *keys[] = {"profiles", profile};
        const toml_value *table = user ? toml_table_get_path(user, keys, 2) : NULL;
        if (table && toml_type(table) == TOML_TABLE)
            toml_merge(L->merged, table);

        char *name = xasprintf("%s.config.toml", profile);
        char *ppath = fs_join(cfg->codex_home, name);
        free(name);
        r = merge_file(L, ppath, cfg->codex_home);
        free(ppath);
        if (r < 0) {
            toml_free(user);
            return -1;
        }
    }
    toml_free(user);
    return 0;
}

static int load_project_layers(struct loader *L)
{
    struct codex_config *cfg = L->cfg;
    const toml_value *markers = toml_table_get(L->merged, "project_root_markers");
    if (markers && toml_type(markers) != TOML_ARRAY)
        markers = NULL;
    char *root = config_project_root(cfg->cwd, markers);
    cfg->project_root = root;

    /* Trust comes only from the layers loaded so far (user and profile):
     * a project cannot vouch for itself. */
    enum trust_level cwd_trust = config_trust_of(L->merged, cfg->cwd, root);
    cfg->project_trusted = cwd_trust == TRUST_TRUSTED;
    cfg->project_untrusted = cwd_trust == TRUST_UNTRUSTED;

    /* Each directory from the root down to cwd may hold .codex/config.toml;
     * deeper ones win.  Each is loaded only when that directory is trusted. */
    const char *cwd = cfg->cwd;
    size_t pos = strlen(root); /* cwd[0..pos) is the directory looked at */
    for (;;) {
        char *dir = xstrndup(cwd, pos);
        char *dot_codex = fs_join(dir, ".codex");
        int r = 0;
        if (strcmp(dot_codex, cfg->codex_home) != 0 &&
            config_trust_of(L->merged, dir, root) == TRUST_TRUSTED) {
            char *path = fs_join(dot_codex, "config.toml");
            r = merge_file(L, path, dot_codex);
            free(path);
        }
        free(dot_codex);
        free(dir);
        if (r < 0)
            return -1;
        if (cwd[pos] == '\0')
            break;
        const char *next = strchr(cwd + pos + 1, '/');
        pos = next ? (size_t)(next - cwd) : strlen(cwd);
    }
    return 0;
}

static void set_string(toml_value *t, const char *key, const char *value)
{
    toml_table_set(t, key, toml_new_string(value, strlen(value)));
}

/* Drop every [features] entry that selects f (its canonical name or a
 * legacy alias), so a flag set afterwards is the one that counts. */
static void forget_feature(toml_value *merged, const struct feature_info *f)
{
    toml_value *features = toml_table_get(merged, "features");
    if (!features || toml_type(features) != TOML_TABLE)
        return;
    for (size_t i = toml_table_len(features); i-- > 0;) {
        const char *key = toml_table_key_at(features, i);
        if (feature_lookup(key) == f) {
            char *copy = xstrdup(key);
            toml_table_remove(features, copy);
            free(copy);
        }
    }
}

static int apply_feature_flags(struct loader *L, const char *const *names, int n, bool on)
{
    for (int i = 0; i < n; i++) {
        const struct feature_info *f = feature_lookup(names[i]);
        if (!f) {
            snprintf(L->err, L->errlen, "--%s %s: unknown feature flag; `codex features list` shows them",
                     on ? "enable" : "disable", names[i]);
            return -1;
        }
        forget_feature(L->merged, f);
        const char *keys[] = {"features", f->name};
        toml_table_set_path(L->merged, keys, 2, toml_new_bool(on));
    }
    return 0;
}

/* Dedicated flags come after -c, so `-c model=a -m b` gives b. */
static int apply_flags(struct loader *L)
{
    const struct config_load_opts *o = L->opts;
    toml_value *m = L->merged;
    if (o->model)
        set_string(m, "model", o->model);
    if (o->full_auto) {
        set_string(m, "sandbox_mode", "workspace-write");
        set_string(m, "approval_policy", "on-request");
    }
    if (o->yolo) {
        set_string(m, "sandbox_mode", "danger-full-access");
        set_string(m, "approval_policy", "never");
    }
    if (o->approve_for_me) {
        set_string(m, "sandbox_mode", "workspace-write");
        set_string(m, "approval_policy", "on-request");
        set_string(m, "approvals_reviewer", "auto_review");
    }
    if (o->sandbox_mode)
        set_string(m, "sandbox_mode", o->sandbox_mode);
    /* codex exec: nobody can be asked, so its policy holds whatever the
     * layers and -c say, as in the reference's exec, unless a reviewer
     * answers the questions (approvals_reviewer, --approve-for-me). */
    if (o->unreviewed_approval_policy) {
        const char *reviewer = string_at(m, "approvals_reviewer");
        if (!reviewer || strcmp(reviewer, "user") == 0)
            set_string(m, "approval_policy", o->unreviewed_approval_policy);
    }
    if (o->approval_policy)
        set_string(m, "approval_policy", o->approval_policy);
    if (o->search)
        set_string(m, "web_search", "live");
    if (o->oss || o->local_provider) {
        /* --oss picks the local provider: --local-provider, else
         * oss_provider from config, else ollama (the reference asks
         * interactively here; we do not prompt). */
        const char *provider = o->local_provider ? o->local_provider : string_at(m, "oss_provider");
        if (!provider)
            provider = "ollama";
        if (strcmp(provider, "ollama") != 0 && strcmp(provider, "lmstudio") != 0) {
            snprintf(L->err, L->errlen, "local provider `%s` is not supported; use lmstudio or ollama",
                     provider);
            return -1;
        }
        if (o->oss)
            set_string(m, "model_provider", provider);
        else
            set_string(m, "oss_provider", provider);
    }
    if (apply_feature_flags(L, o->enable, o->n_enable, true) < 0 ||
        apply_feature_flags(L, o->disable, o->n_disable, false) < 0)
        return -1;
    return 0;
}

static int resolve_dirs(struct loader *L)
{
    struct codex_config *cfg = L->cfg;
    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        snprintf(L->err, L->errlen, "cannot determine the current directory: %s", strerror(errno));
        return -1;
    }
    L->process_cwd = cwd;
    if (L->opts->cd) {
        char *dir = config_abs_path(cwd, L->opts->cd);
        char *real = realpath(dir, NULL);
        if (!real || !fs_is_dir(real)) {
            snprintf(L->err, L->errlen, "--cd %s: %s", L->opts->cd,
                     real ? "not a directory" : strerror(errno));
            free(dir);
            free(real);
            return -1;
        }
        free(dir);
        cfg->cwd = real;
    } else {
        cfg->cwd = xstrdup(cwd);
    }
    return 0;
}

static int load_layers(struct loader *L)
{
    struct codex_config *cfg = L->cfg;
    cfg->codex_home = config_codex_home(L->opts->envp, L->err, L->errlen);
    if (!cfg->codex_home || resolve_dirs(L) < 0 || parse_overrides(L) < 0)
        return -1;
    if (load_user_layers(L) < 0 || load_project_layers(L) < 0)
        return -1;
    for (int i = 0; i < L->opts->n_overrides; i++)
        toml_merge(L->merged, L->overrides[i]);
    if (apply_flags(L) < 0)
        return -1;
    config_warn_unsupported_features(L->merged);

    /* Managed defaults sit above everything the user passes. */
    const char *managed = envp_get(L->opts->envp, "CODEX_MANAGED_CONFIG_PATH");
    if (!managed || !*managed)
        managed = "/etc/codex/managed_config.toml";
    char *managed_dir = config_abs_path(L->process_cwd, managed);
    char *slash = strrchr(managed_dir, '/');
    if (slash && slash != managed_dir)
        *slash = '\0';
    int r = merge_file(L, managed, managed_dir);
    free(managed_dir);
    return r < 0 ? -1 : 0;
}

int config_load(const struct config_load_opts *opts, struct codex_config *out,
                struct codex_error *err)
{
    /* The loader's steps write into one buffer; it becomes the error. */
    char errbuf[2048];
    size_t errlen = sizeof errbuf;
    memset(out, 0, sizeof *out);
    out->envp = opts->envp;
    struct loader L = {opts, out, toml_new_table(), NULL, NULL, errbuf, errlen};
    out->root = L.merged;
    errbuf[0] = '\0';
    int r = load_layers(&L);
    if (r == 0)
        r = config_extract(out, opts, errbuf, errlen);
    if (r == 0)
        r = config_apply_requirements(out, errbuf, errlen);
    if (L.overrides)
        for (int i = 0; i < opts->n_overrides; i++)
            toml_free(L.overrides[i]);
    free(L.overrides);
    free(L.process_cwd);
    if (r < 0) {
        codex_error_set(err, "%s", errbuf[0] ? errbuf : "the configuration could not be loaded");
        config_free(out);
        return -1;
    }
    return 0;
}

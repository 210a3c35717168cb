/* skills/list, skills/config/write and skills/extraRoots/set.
 *
 * skills/list scans every requested working directory afresh (there is no
 * cache, so forceReload always holds) with that directory's configuration,
 * the extra roots set on this server, and $HOME from the server's
 * environment.  skills/config/write edits [[skills.config]] in
 * $CODEX_HOME/config.toml as the reference does: turning a skill off adds
 * (or updates) an entry with enabled = false, turning it on removes the
 * entry.  The extra roots live in this module's slot for the server's
 * lifetime (skills_roots.c); the threads module reads them from there. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/toml.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "rpc/skills_roots.h"
#include "core/plugin_skills.h"
#include "skills/skills.h"
#include "skills/system.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/strvec.h"
#include "util/xalloc.h"

/* ---- skills/list ----------------------------------------------------------- */

static const char *scope_name(enum skill_scope s)
{
    switch (s) {
    case SKILL_SCOPE_REPO:
        return "repo";
    case SKILL_SCOPE_SYSTEM:
        return "system";
    case SKILL_SCOPE_ADMIN:
        return "admin";
    case SKILL_SCOPE_USER:
        break;
    }
    return "user";
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* SkillMetadata, with the keys in the reference's order. */
static json_t *skill_json(const struct skill *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "description", json_string(s->description));
    if (s->short_description)
        json_object_set_new(o, "shortDescription", json_string(s->short_description));
    if (s->display_name || s->interface_short_description || s->default_prompt || s->brand_color) {
        json_t *i = json_object();
        json_object_set_new(i, "displayName", string_or_null(s->display_name));
        json_object_set_new(i, "shortDescription", string_or_null(s->interface_short_description));
        json_object_set_new(i, "iconSmall", json_null());
        json_object_set_new(i, "iconLarge", json_null());
        json_object_set_new(i, "iconSmallUrl", json_null());
        json_object_set_new(i, "iconLargeUrl", json_null());
        json_object_set_new(i, "brandColor", string_or_null(s->brand_color));
        json_object_set_new(i, "defaultPrompt", string_or_null(s->default_prompt));
        json_object_set_new(o, "interface", i);
    }
    json_object_set_new(o, "path", json_string(s->path));
    json_object_set_new(o, "scope", json_string(scope_name(s->scope)));
    json_object_set_new(o, "enabled", json_boolean(s->enabled));
    json_object_set_new(o, "pluginId", s->plugin_id ? json_string(s->plugin_id) : json_null());
    return o;
}

struct install_problem {
    json_t *errors;
    const char *codex_home;
};

static void install_warn(void *ud, const char *msg)
{
    struct install_problem *p = ud;
    char *dir = xasprintf("%s/skills/.system", p->codex_home);
    json_array_append_new(p->errors, json_pack("{s:s s:s}", "path", dir, "message", msg));
    free(dir);
}

/* One SkillsListEntry; a directory whose configuration does not load is
 * an entry with that error, as the reference answers it. */
static json_t *list_entry(struct rpc_request *req, const char *cwd)
{
    struct rpc_server *s = req->server;
    json_t *skills = json_array(), *errors = json_array();
    struct codex_config cfg;
    struct codex_error err = CODEX_ERROR_INIT;
    if (rpc_server_load_config(s, cwd, &cfg, &err) != 0) {
        json_array_append_new(errors, json_pack("{s:s s:s}", "path", cwd, "message", err.message));
        codex_error_clear(&err);
        return json_pack("{s:s s:o s:o}", "cwd", cwd, "skills", skills, "errors", errors);
    }
    /* A list asked for before any thread still shows the bundled skills. */
    if (cfg.skills_bundled) {
        struct install_problem ip = {errors, cfg.codex_home};
        skills_system_ensure(cfg.codex_home, install_warn, &ip);
    }
    struct skill_rule *rules = xcalloc(cfg.n_skill_rules ? cfg.n_skill_rules : 1, sizeof *rules);
    for (size_t i = 0; i < cfg.n_skill_rules; i++)
        rules[i] = (struct skill_rule){cfg.skill_rules[i].path, cfg.skill_rules[i].name,
                                       cfg.skill_rules[i].enabled};
    const struct strvec *extra = &rpc_skill_roots_slot(req->state)->roots;
    struct skills_discover_opts o = {
        .codex_home = cfg.codex_home,
        .home = envp_get_nonempty(s->envp, "HOME"),
        .cwd = cfg.cwd,
        .project_root = cfg.project_root,
        .extra_roots = (const char *const *)extra->v,
        .n_extra_roots = extra->n,
        .rules = rules,
        .n_rules = cfg.n_skill_rules,
        .no_bundled = !cfg.skills_bundled,
    };
    struct plugin_skill_roots plugin_roots;
    plugin_skill_roots_load(&cfg, &plugin_roots);
    o.plugin_roots = plugin_roots.roots;
    o.n_plugin_roots = plugin_roots.n;
    struct skill_catalog cat;
    skills_discover(&o, &cat);
    plugin_skill_roots_free(&plugin_roots);
    for (size_t i = 0; i < cat.n; i++)
        json_array_append_new(skills, skill_json(&cat.skills[i]));
    for (size_t i = 0; i < cat.n_problems; i++)
        json_array_append_new(errors, json_pack("{s:s s:s}", "path", cat.problems[i].path,
                                                "message", cat.problems[i].message));
    skill_catalog_free(&cat);
    free(rules);
    config_free(&cfg);
    return json_pack("{s:s s:o s:o}", "cwd", cwd, "skills", skills, "errors", errors);
}

static void rpc_skills_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "SkillsListParams", true);
    json_t *cwds = NULL;
    bool force_reload = false; /* nothing is cached: every list reads the disk */
    if (!p || !rpc_get_string_array(req, p, "cwds", false, &cwds) ||
        !rpc_get_bool(req, p, "forceReload", &force_reload))
        return;
    json_t *data = json_array();
    if (!cwds || json_array_size(cwds) == 0) {
        json_array_append_new(data, list_entry(req, req->server->cwd));
    } else {
        size_t i;
        json_t *c;
        json_array_foreach(cwds, i, c)
            json_array_append_new(data, list_entry(req, json_string_value(c)));
    }
    rpc_reply(req, json_pack("{s:o}", "data", data));
}

/* ---- skills/config/write ------------------------------------------------- */

static char *canonical(const char *path)
{
    char real[PATH_MAX];
    return xstrdup(realpath(path, real) ? real : path);
}

static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        n--;
    return xstrndup(s, n);
}

/* Whether an existing [[skills.config]] table has this selector. */
static bool same_selector(const toml_value *entry, const char *path, const char *name)
{
    const toml_value *p = toml_table_get(entry, "path"), *n = toml_table_get(entry, "name");
    if (path && p && !n && toml_type(p) == TOML_STRING) {
        char *c = canonical(toml_string(p, NULL));
        bool same = strcmp(c, path) == 0;
        free(c);
        return same;
    }
    if (name && n && !p && toml_type(n) == TOML_STRING) {
        char *t = trimmed(toml_string(n, NULL));
        bool same = strcmp(t, name) == 0;
        free(t);
        return same;
    }
    return false;
}

/* The new [[skills.config]] array (NULL: leave the file alone), *empty
 * when no entry is left. */
static toml_value *edited_entries(const toml_value *root, const char *path, const char *name,
                                  bool enabled)
{
    const toml_value *old = root ? toml_table_get_path(root, (const char *[]){"skills", "config"}, 2)
                                 : NULL;
    toml_value *out = toml_new_array();
    bool found = false;
    for (size_t i = 0; old && toml_type(old) == TOML_ARRAY && i < toml_array_len(old); i++) {
        const toml_value *e = toml_array_at(old, i);
        if (toml_type(e) == TOML_TABLE && same_selector(e, path, name)) {
            found = true;
            if (enabled)
                continue; /* on is the default: the entry goes */
            toml_value *copy = toml_clone(e);
            toml_table_set(copy, "enabled", toml_new_bool(false));
            toml_array_push(out, copy);
            continue;
        }
        toml_array_push(out, toml_clone(e));
    }
    if (!found && enabled) {
        toml_free(out);
        return NULL;
    }
    if (!found) {
        toml_value *e = toml_new_table();
        if (path)
            toml_table_set(e, "path", toml_new_string(path, strlen(path)));
        else
            toml_table_set(e, "name", toml_new_string(name, strlen(name)));
        toml_table_set(e, "enabled", toml_new_bool(false));
        toml_array_push(out, e);
    }
    return out;
}

static int write_skill_config(const char *codex_home, const char *path, const char *name,
                              bool enabled, struct codex_error *err)
{
    char *file = fs_join(codex_home, "config.toml");
    size_t len = 0;
    char *text = fs_read_file(file, 16u << 20, &len);
    if (!text && errno != ENOENT) {
        codex_error_set_os(err, errno, "%s: cannot read", file);
        free(file);
        return -1;
    }
    struct toml_error te;
    toml_value *root = toml_parse(text ? text : "", len, &te);
    free(text);
    if (!root) {
        char msg[1200];
        toml_error_format(&te, file, msg, sizeof msg);
        codex_error_set(err, "%s", msg);
        free(file);
        return -1;
    }
    toml_value *entries = edited_entries(root, path, name, enabled);
    /* A [skills] table holding nothing but the entries is written whole,
     * so they come out as [[skills.config]] sections as the reference
     * writes them; next to other keys of [skills] only the array changes. */
    const toml_value *skills = toml_table_get(root, "skills");
    bool only_config = !skills || (toml_type(skills) == TOML_TABLE &&
                                   (toml_table_len(skills) == 0 ||
                                    (toml_table_len(skills) == 1 && toml_table_get(skills, "config"))));
    int rc = 0;
    if (entries && toml_array_len(entries) > 0 && only_config) {
        toml_value *table = toml_new_table();
        toml_table_set(table, "config", entries);
        entries = NULL;
        rc = config_file_set(file, (const char *[]){"skills"}, 1, table, err);
        toml_free(table);
    } else if (entries && toml_array_len(entries) > 0) {
        rc = config_file_set(file, (const char *[]){"skills", "config"}, 2, entries, err);
    } else if (entries) {
        rc = only_config ? config_file_set(file, (const char *[]){"skills"}, 1, NULL, err)
                         : config_file_set(file, (const char *[]){"skills", "config"}, 2, NULL, err);
    }
    toml_free(entries);
    toml_free(root);
    free(file);
    return rc;
}

static void rpc_skills_config_write(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "SkillsConfigWriteParams", false);
    char *path = NULL;
    const char *name = NULL;
    bool enabled = false;
    if (!p)
        return;
    if (!json_object_get(p, "enabled")) {
        rpc_reply_invalid(req, "missing field `enabled`");
        return;
    }
    if (!rpc_get_bool(req, p, "enabled", &enabled))
        return;
    if (!rpc_get_abs_path(req, p, "path", false, &path))
        return;
    if (!rpc_get_string(req, p, "name", false, &name)) {
        free(path);
        return;
    }
    char *clean_name = name ? trimmed(name) : NULL;
    if ((path && name) || (!path && (!clean_name || !*clean_name))) {
        rpc_reply_error(req, JSONRPC_INVALID_PARAMS,
                        "skills/config/write requires exactly one of path or name");
        free(path);
        free(clean_name);
        return;
    }
    char *selector_path = path ? canonical(path) : NULL;
    struct codex_error err = CODEX_ERROR_INIT;
    if (write_skill_config(req->server->codex_home, selector_path, clean_name, enabled, &err) < 0) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "failed to update skill settings: %s",
                        err.message);
        codex_error_clear(&err);
    } else {
        rpc_reply(req, json_pack("{s:b}", "effectiveEnabled", enabled));
    }
    free(selector_path);
    free(path);
    free(clean_name);
}

/* ---- skills/extraRoots/set ----------------------------------------------- */

static void rpc_skills_extra_roots_set(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "SkillsExtraRootsSetParams", false);
    json_t *roots = NULL;
    if (!p || !rpc_get_string_array(req, p, "extraRoots", true, &roots))
        return;
    struct strvec next = STRVEC_INIT;
    size_t i;
    json_t *r;
    json_array_foreach(roots, i, r)
    {
        const char *s = json_string_value(r);
        if (s[0] != '/') {
            strvec_free(&next);
            rpc_reply_invalid(req, "AbsolutePathBuf deserialized without a base path");
            return;
        }
        strvec_push_owned(&next, rpc_normalize_abs_path(s));
    }
    struct strvec *cur = &rpc_skill_roots_slot(req->state)->roots;
    strvec_free(cur);
    *cur = next;
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, NULL);
    rpc_conn_notify(c, "skills/changed", json_object());
    rpc_conn_unref(c);
}

static const struct rpc_method methods[] = {
    {"skills/list", rpc_skills_list},
    {"skills/config/write", rpc_skills_config_write},
    {"skills/extraRoots/set", rpc_skills_extra_roots_set},
    {NULL, NULL},
};

const struct rpc_module rpc_skills_module = {
    .name = "skills",
    .methods = methods,
    .free_state = rpc_skill_roots_free,
};

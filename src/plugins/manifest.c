/* marketplace.json and plugin.json: what the listing, install and session
 * code need from them, checked as the reference checks them (required keys,
 * "./" paths that stay inside their root, policy names). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "plugins/plugins.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* manifests are small; a bigger file is a mistake, not a marketplace */
#define MANIFEST_MAX_BYTES (4u << 20)

bool plugin_segment_valid(const char *s)
{
    if (!s || !*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static json_t *load_json(const char *text, size_t len, const char *path, struct codex_error *err)
{
    json_error_t je;
    json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        char *where = xasprintf("%s:%d:%d", path, je.line > 0 ? je.line : 1,
                                je.column > 0 ? je.column : 1);
        codex_error_set_at(err, where, "invalid JSON: %s", je.text);
        free(where);
        return NULL;
    }
    if (!json_is_object(v)) {
        codex_error_set_at(err, path, "expected a JSON object at the top level");
        json_decref(v);
        return NULL;
    }
    return v;
}

/* An optional string member: NULL when absent or null; -1 for another type. */
static int opt_string(json_t *obj, const char *key, const char *path, const char *ctx,
                      char **out, struct codex_error *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        codex_error_set_at(err, path, "%s%s must be a string", ctx, key);
        return -1;
    }
    *out = xstrdup(json_string_value(v));
    return 0;
}

/* "./a/b" with only normal components, joined under root; NULL when the
 * path is not of that form (why in *why). */
static char *resolve_relative(const char *root, const char *rel, const char **why)
{
    if (strncmp(rel, "./", 2) != 0) {
        *why = "must start with `./`";
        return NULL;
    }
    const char *p = rel + 2;
    if (!*p) {
        *why = "must not be empty";
        return NULL;
    }
    char *copy = xstrdup(p);
    for (char *save = NULL, *seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save))
        if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0) {
            free(copy);
            *why = "must stay within its root";
            return NULL;
        }
    free(copy);
    if (strstr(p, "//") || p[strlen(p) - 1] == '/') {
        /* harmless, but keep paths canonical so cache and listing agree */
        char *trimmed = xstrdup(p);
        size_t n = strlen(trimmed);
        while (n && trimmed[n - 1] == '/')
            trimmed[--n] = '\0';
        char *r = fs_join(root, trimmed);
        free(trimmed);
        return r;
    }
    return fs_join(root, p);
}

static const char *const install_policies[] = {"AVAILABLE", "NOT_AVAILABLE", "INSTALLED_BY_DEFAULT",
                                               NULL};
static const char *const auth_policies[] = {"ON_INSTALL", "ON_USE", NULL};

static int policy_value(json_t *policy, const char *key, const char *const *allowed,
                        const char *path, const char *ctx, char **out, struct codex_error *err)
{
    if (opt_string(policy, key, path, ctx, out, err) < 0)
        return -1;
    if (!*out) {
        *out = xstrdup(allowed[0]);
        return 0;
    }
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(*out, allowed[i]) == 0)
            return 0;
    codex_error_set_at(err, path, "%s%s: unknown value `%s`", ctx, key, *out);
    return -1;
}

static int parse_plugin(json_t *p, size_t index, const char *path, const char *root,
                        struct marketplace_plugin *out, struct codex_error *err)
{
    char ctx[64];
    snprintf(ctx, sizeof ctx, "plugins[%zu].", index);
    if (!json_is_object(p)) {
        codex_error_set_at(err, path, "plugins[%zu] must be an object", index);
        return -1;
    }
    json_t *name = json_object_get(p, "name");
    if (!json_is_string(name)) {
        codex_error_set_at(err, path, "%sname: missing or not a string", ctx);
        return -1;
    }
    out->name = xstrdup(json_string_value(name));
    if (!plugin_segment_valid(out->name)) {
        codex_error_set_at(err, path, "%sname: `%s` is not a valid plugin name (letters, digits, "
                           "`-`, `_`, `.`)", ctx, out->name);
        return -1;
    }
    json_t *src = json_object_get(p, "source");
    json_t *kind = json_object_get(src, "source");
    json_t *rel = json_object_get(src, "path");
    if (!json_is_object(src) || !json_is_string(kind) || !json_is_string(rel)) {
        codex_error_set_at(err, path, "%ssource: expected {\"source\": \"local\", \"path\": \"./...\"}",
                           ctx);
        return -1;
    }
    if (strcmp(json_string_value(kind), "local") != 0) {
        codex_error_set_at(err, path, "%ssource.source: unknown source kind `%s` (only `local`)", ctx,
                           json_string_value(kind));
        return -1;
    }
    const char *why = NULL;
    out->source_path = resolve_relative(root, json_string_value(rel), &why);
    if (!out->source_path) {
        codex_error_set_at(err, path, "%ssource.path: local plugin source path %s", ctx, why);
        return -1;
    }
    json_t *policy = json_object_get(p, "policy");
    if (policy && !json_is_null(policy) && !json_is_object(policy)) {
        codex_error_set_at(err, path, "%spolicy must be an object", ctx);
        return -1;
    }
    strncat(ctx, "policy.", sizeof ctx - strlen(ctx) - 1);
    if (policy_value(policy, "installation", install_policies, path, ctx, &out->install_policy, err) < 0 ||
        policy_value(policy, "authentication", auth_policies, path, ctx, &out->auth_policy, err) < 0)
        return -1;
    snprintf(ctx, sizeof ctx, "plugins[%zu].", index);
    return opt_string(p, "category", path, ctx, &out->category, err);
}

int marketplace_parse(const char *text, size_t len, const char *manifest_path, const char *root,
                      struct marketplace *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *doc = load_json(text, len, manifest_path, err);
    if (!doc)
        return -1;
    int rc = -1;
    json_t *name = json_object_get(doc, "name");
    json_t *plugins = json_object_get(doc, "plugins");
    if (!json_is_string(name)) {
        codex_error_set_at(err, manifest_path, "name: missing or not a string");
        goto done;
    }
    out->name = xstrdup(json_string_value(name));
    if (!plugin_segment_valid(out->name)) {
        codex_error_set_at(err, manifest_path, "name: `%s` is not a valid marketplace name "
                           "(letters, digits, `-`, `_`, `.`)", out->name);
        goto done;
    }
    if (!json_is_array(plugins)) {
        codex_error_set_at(err, manifest_path, "plugins: missing or not an array");
        goto done;
    }
    json_t *iface = json_object_get(doc, "interface");
    if (json_is_object(iface) && opt_string(iface, "displayName", manifest_path, "interface.",
                                            &out->display_name, err) < 0)
        goto done;
    out->root = xstrdup(root);
    out->manifest_path = xstrdup(manifest_path);
    size_t n = json_array_size(plugins);
    out->plugins = xcalloc(n ? n : 1, sizeof *out->plugins);
    for (size_t i = 0; i < n; i++) {
        out->n_plugins = i + 1;
        if (parse_plugin(json_array_get(plugins, i), i, manifest_path, root, &out->plugins[i], err) < 0)
            goto done;
    }
    rc = 0;
done:
    json_decref(doc);
    if (rc < 0)
        marketplace_free(out);
    return rc;
}

int marketplace_load(const char *root, struct marketplace *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    char *path = fs_join(root, PLUGIN_MARKETPLACE_MANIFEST);
    size_t len = 0;
    char *text = fs_read_file(path, MANIFEST_MAX_BYTES, &len);
    int rc;
    if (!text) {
        codex_error_set_at(err, path, "marketplace file does not exist or cannot be read");
        rc = -1;
    } else {
        rc = marketplace_parse(text, len, path, root, out, err);
    }
    free(text);
    free(path);
    return rc;
}

void marketplace_free(struct marketplace *m)
{
    for (size_t i = 0; i < m->n_plugins; i++) {
        free(m->plugins[i].name);
        free(m->plugins[i].source_path);
        free(m->plugins[i].install_policy);
        free(m->plugins[i].auth_policy);
        free(m->plugins[i].category);
    }
    free(m->plugins);
    free(m->name);
    free(m->display_name);
    free(m->root);
    free(m->manifest_path);
    memset(m, 0, sizeof *m);
}

const struct marketplace_plugin *marketplace_find(const struct marketplace *m, const char *name)
{
    for (size_t i = 0; i < m->n_plugins; i++)
        if (strcmp(m->plugins[i].name, name) == 0)
            return &m->plugins[i];
    return NULL;
}

/* ---- plugin.json ------------------------------------------------------------- */

static char *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return xstrndup(s, n);
}

static bool version_valid(const char *v)
{
    if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
        return false;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == '+'))
            return false;
    return true;
}

/* A component path: the reference ignores (with a warning) one that is not
 * "./..." inside the plugin, so a bad one leaves the component out. */
static int component_path(json_t *doc, const char *key, const char *path, const char *root,
                          char **out, struct codex_error *err)
{
    char *rel = NULL;
    *out = NULL;
    if (opt_string(doc, key, path, "", &rel, err) < 0)
        return -1;
    if (rel && *rel) {
        const char *why;
        *out = resolve_relative(root, rel, &why);
    }
    free(rel);
    return 0;
}

int plugin_manifest_parse(const char *text, size_t len, const char *manifest_path,
                          const char *plugin_root, struct plugin_manifest *out,
                          struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *doc = load_json(text, len, manifest_path, err);
    if (!doc)
        return -1;
    int rc = -1;
    char *name = NULL, *version = NULL;
    if (opt_string(doc, "name", manifest_path, "", &name, err) < 0)
        goto done;
    json_t *v = json_object_get(doc, "version");
    if (v && !json_is_null(v)) {
        if (!json_is_string(v)) {
            codex_error_set_at(err, manifest_path, "invalid plugin version: expected string");
            goto done;
        }
        version = trimmed(json_string_value(v));
        if (!*version) {
            codex_error_set_at(err, manifest_path, "invalid plugin version: must not be blank");
            goto done;
        }
        if (!version_valid(version)) {
            codex_error_set_at(err, manifest_path, "invalid plugin version `%s`: only ASCII "
                               "letters, digits, `.`, `+`, `_`, and `-` are allowed", version);
            goto done;
        }
    }
    /* An empty name falls back to the folder's name, as the reference. */
    char *t = name ? trimmed(name) : xstrdup("");
    if (!*t) {
        free(t);
        const char *slash = strrchr(plugin_root, '/');
        t = xstrdup(slash ? slash + 1 : plugin_root);
    }
    free(name);
    name = t;
    if (opt_string(doc, "description", manifest_path, "", &out->description, err) < 0 ||
        component_path(doc, "skills", manifest_path, plugin_root, &out->skills_dir, err) < 0 ||
        component_path(doc, "mcpServers", manifest_path, plugin_root, &out->mcp_servers_file, err) < 0)
        goto done;
    json_t *iface = json_object_get(doc, "interface");
    if (json_is_object(iface) && json_object_size(iface))
        out->interface_json = json_dumps(iface, JSON_COMPACT | JSON_SORT_KEYS);
    out->name = name;
    out->version = version;
    name = version = NULL;
    rc = 0;
done:
    free(name);
    free(version);
    json_decref(doc);
    if (rc < 0)
        plugin_manifest_free(out);
    return rc;
}

int plugin_manifest_load(const char *plugin_root, struct plugin_manifest *out,
                         struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    char *path = fs_join(plugin_root, PLUGIN_MANIFEST);
    size_t len = 0;
    char *text = fs_read_file(path, MANIFEST_MAX_BYTES, &len);
    int rc;
    if (!text) {
        codex_error_set_at(err, path, "missing plugin.json");
        rc = -1;
    } else {
        rc = plugin_manifest_parse(text, len, path, plugin_root, out, err);
    }
    free(text);
    free(path);
    return rc;
}

void plugin_manifest_free(struct plugin_manifest *m)
{
    free(m->name);
    free(m->version);
    free(m->description);
    free(m->skills_dir);
    free(m->mcp_servers_file);
    free(m->interface_json);
    memset(m, 0, sizeof *m);
}

/* config/read, config/value/write, config/batchWrite, configRequirements/read
 * and experimentalFeature/list.
 *
 * Writes go through the format-preserving TOML editor (comments and layout
 * of untouched lines are kept) and replace the file atomically.  A layer's
 * version is "sha256:" plus the digest of its content as compact JSON with
 * sorted keys, as the reference computes it, so clients can detect
 * concurrent edits with expectedVersion. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_keys.h"
#include "config/features.h"
#include "config/toml.h"
#include "rpc/config_write.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/strvec.h"
#include "util/xalloc.h"

#define CONFIG_FILE_MAX (16u * 1024 * 1024)

/* ---- TOML <-> JSON ------------------------------------------------------ */


/* ---- Layers ------------------------------------------------------------- */

static char *user_config_path(struct rpc_request *req)
{
    return fs_join(req->server->codex_home, "config.toml");
}

static char *layer_version(const json_t *layer_config)
{
    char *text = json_dumps(layer_config, JSON_COMPACT | JSON_SORT_KEYS);
    char hex[65];
    sha256_hex(text, strlen(text), hex);
    free(text);
    return xasprintf("sha256:%s", hex);
}

/* The user layer as JSON ({} when the file does not exist); NULL with a
 * message in err when it cannot be read or parsed. */
static json_t *read_user_layer(const char *path, char **text_out, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = fs_read_file(path, CONFIG_FILE_MAX, &len);
    if (!text) {
        if (errno != ENOENT) {
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
            return NULL;
        }
        text = xstrdup("");
    }
    struct toml_error te;
    toml_value *root = toml_parse_dialect(text, len, TOML_1_1, &te);
    if (!root) {
        toml_error_format(&te, path, err, errlen);
        free(text);
        return NULL;
    }
    json_t *j = toml_to_json(root);
    toml_free(root);
    if (text_out)
        *text_out = text;
    else
        free(text);
    return j;
}

static json_t *user_layer_name(const char *path)
{
    return json_pack("{s:s, s:s, s:n}", "type", "user", "file", path, "profile");
}

static void add_origins(json_t *origins, const json_t *node, struct buf *prefix, const char *path,
                        const char *version)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)node, key, value)
    {
        size_t mark = prefix->len;
        if (mark)
            buf_putc(prefix, '.');
        buf_puts(prefix, key);
        if (json_is_object(value) && json_object_size(value) > 0)
            add_origins(origins, value, prefix, path, version);
        else
            json_object_set_new(origins, buf_cstr(prefix),
                                json_pack("{s:o, s:s}", "name", user_layer_name(path), "version",
                                          version));
        buf_truncate(prefix, mark);
    }
}

/* The configuration with the feature switches clients set at run time
 * (experimentalFeature/enablement/set; the module's state) applied over
 * the -c overrides.  They show in config/read and experimentalFeature/list;
 * none of the features they may switch is built in codex-c, so threads
 * have nothing to apply them to (the loader warns about each as about any
 * such flag). */
static bool load_switched(struct rpc_request *req, const char *cwd, struct codex_config *cfg)
{
    struct strvec extra = STRVEC_INIT;
    const char *name;
    json_t *on;
    json_object_foreach((json_t *)*req->state, name, on)
        strvec_push_owned(&extra, xasprintf("features.%s=%s", name,
                                            json_is_true(on) ? "true" : "false"));
    bool ok = rpc_load_config_with(req, cwd, (const char *const *)extra.v, extra.n, cfg);
    strvec_free(&extra);
    return ok;
}

static void rpc_config_read(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ConfigReadParams", true);
    const char *cwd = NULL;
    bool include_layers = false;
    if (!p || !rpc_get_string(req, p, "cwd", false, &cwd) ||
        !rpc_get_bool(req, p, "includeLayers", &include_layers))
        return;
    struct codex_config cfg;
    if (!load_switched(req, cwd, &cfg))
        return;
    char *path = user_config_path(req);
    char err[1024];
    json_t *user = read_user_layer(path, NULL, err, sizeof err);
    if (!user) {
        config_free(&cfg);
        free(path);
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", err);
        return;
    }
    char *version = layer_version(user);
    json_t *origins = json_object();
    struct buf prefix = BUF_INIT;
    add_origins(origins, user, &prefix, path, version);
    buf_free(&prefix);

    json_t *result = json_object();
    json_object_set_new(result, "config", cfg.root ? toml_to_json(cfg.root) : json_object());
    json_object_set_new(result, "origins", origins);
    if (include_layers)
        json_object_set_new(result, "layers",
                            json_pack("[{s:o, s:s, s:o}]", "name", user_layer_name(path), "version",
                                      version, "config", user));
    else
        json_decref(user);
    free(version);
    free(path);
    config_free(&cfg);
    rpc_reply(req, result);
}

/* ---- Writes ------------------------------------------------------------- */

static void reply_write_error(struct rpc_request *req, const char *code, const char *message)
{
    rpc_reply_error_data(req, JSONRPC_INVALID_REQUEST,
                         json_pack("{s:s}", "config_write_error_code", code), "%s", message);
}

/* Set value at keys, merging tables key by key for "upsert". */
static int apply_value(toml_doc *doc, struct strvec *keys, const toml_value *value, bool upsert,
                       struct toml_error *te)
{
    if (!upsert || toml_type(value) != TOML_TABLE || toml_table_len(value) == 0)
        return toml_doc_set(doc, (const char *const *)keys->v, keys->n, value, te);
    for (size_t i = 0; i < toml_table_len(value); i++) {
        strvec_push(keys, toml_table_key_at(value, i));
        int r = apply_value(doc, keys, toml_table_value_at(value, i), true, te);
        free(keys->v[--keys->n]);
        keys->v[keys->n] = NULL;
        if (r != 0)
            return r;
    }
    return 0;
}

/* Apply one {keyPath, value, mergeStrategy}; false after replying. */
static bool apply_edit(struct rpc_request *req, toml_doc *doc, json_t *edit)
{
    const char *key_path, *strategy;
    if (!rpc_get_string(req, edit, "keyPath", true, &key_path) ||
        !rpc_get_string(req, edit, "mergeStrategy", true, &strategy))
        return false;
    json_t *value = json_object_get(edit, "value");
    if (!value) {
        rpc_reply_invalid(req, "missing field `value`");
        return false;
    }
    bool upsert = strcmp(strategy, "upsert") == 0;
    if (!upsert && strcmp(strategy, "replace") != 0) {
        rpc_reply_invalid(req, "unknown variant `%s`, expected `replace` or `upsert`", strategy);
        return false;
    }
    if (*key_path == '\0') {
        reply_write_error(req, "configValidationError", "keyPath must not be empty");
        return false;
    }
    struct toml_error te;
    char **parts;
    int n = toml_parse_dotted_key(key_path, &parts, &te);
    if (n < 0) {
        char *msg = xasprintf("invalid keyPath `%s`: %s", key_path, te.message);
        reply_write_error(req, "configValidationError", msg);
        free(msg);
        return false;
    }
    struct strvec keys = STRVEC_INIT;
    for (int i = 0; i < n; i++)
        strvec_push(&keys, parts[i]);
    toml_free_keys(parts, n);
    int r;
    if (json_is_null(value)) {
        r = toml_doc_unset(doc, (const char *const *)keys.v, keys.n, &te) < 0 ? -1 : 0;
    } else {
        const char *why = NULL;
        toml_value *tv = toml_from_json(value, false, &why);
        if (!tv) {
            strvec_free(&keys);
            char *msg = xasprintf("Invalid configuration: %s\nin `%s`\n", why, key_path);
            reply_write_error(req, "configValidationError", msg);
            free(msg);
            return false;
        }
        r = apply_value(doc, &keys, tv, upsert, &te);
        toml_free(tv);
    }
    strvec_free(&keys);
    if (r != 0) {
        char *msg = xasprintf("cannot set `%s`: %s", key_path, te.message);
        reply_write_error(req, "configValidationError", msg);
        free(msg);
        return false;
    }
    return true;
}

static bool same_file(const char *a, const char *b)
{
    char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
    bool same = strcmp(ra ? ra : a, rb ? rb : b) == 0;
    free(ra);
    free(rb);
    return same;
}

/* Apply edits to the user's config.toml.  With answer, the request gets
 * the ConfigWriteResponse; without, nothing is sent on success (the
 * caller answers).  False after replying with an error. */
static bool write_edits(struct rpc_request *req, json_t *params, json_t *edits, bool answer)
{
    bool ok = false;
    const char *file_path = NULL, *expected = NULL;
    if (!rpc_get_string(req, params, "filePath", false, &file_path) ||
        !rpc_get_string(req, params, "expectedVersion", false, &expected))
        return false;
    char *path = user_config_path(req);
    if (file_path && !same_file(file_path, path)) {
        free(path);
        reply_write_error(req, "configLayerReadonly", "Only writes to the user config are allowed");
        return false;
    }
    char err[1024];
    char *text = NULL;
    json_t *before = read_user_layer(path, &text, err, sizeof err);
    if (!before) {
        free(path);
        reply_write_error(req, "configValidationError", err);
        return false;
    }
    char *version = layer_version(before);
    json_decref(before);
    if (expected && strcmp(expected, version) != 0) {
        free(version);
        free(text);
        free(path);
        reply_write_error(req, "configVersionConflict",
                          "Configuration was modified since last read. Fetch latest version and "
                          "retry.");
        return false;
    }
    free(version);
    struct toml_error te;
    toml_doc *doc = toml_doc_parse_dialect(text, strlen(text), TOML_1_1, &te);
    free(text);
    if (!doc) {
        toml_error_format(&te, path, err, sizeof err);
        free(path);
        reply_write_error(req, "configValidationError", err);
        return false;
    }
    size_t i;
    json_t *edit;
    json_array_foreach(edits, i, edit)
    {
        if (!json_is_object(edit)) {
            char *what = rpc_describe_value(edit);
            rpc_reply_invalid(req, "invalid type: %s, expected struct ConfigEdit", what);
            free(what);
            goto out;
        }
        if (!apply_edit(req, doc, edit))
            goto out;
    }
    size_t len;
    const char *new_text = toml_doc_text(doc, &len);
    toml_value *after = toml_parse_dialect(new_text, len, TOML_1_1, &te);
    if (!after) {
        reply_write_error(req, "configValidationError", te.message);
        goto out;
    }
    /* A value of the wrong type is refused before anything is written. */
    struct layer_source src = {path, true, false};
    if (config_check_layer(after, &src, false, err, sizeof err) != 0) {
        toml_free(after);
        char *msg = xasprintf("Invalid configuration: %s", err);
        reply_write_error(req, "configValidationError", msg);
        free(msg);
        goto out;
    }
    json_t *after_json = toml_to_json(after);
    toml_free(after);
    if (fs_mkdir_p(req->server->codex_home, 0700) != 0 ||
        fs_write_atomic(path, new_text, len, 0600) != 0) {
        json_decref(after_json);
        rpc_reply_errno(req, errno);
        goto out;
    }
    ok = true;
    if (answer) {
        version = layer_version(after_json);
        rpc_reply(req, json_pack("{s:s, s:s, s:s, s:n}", "status", "ok", "version", version,
                                 "filePath", path, "overriddenMetadata"));
        free(version);
    }
    json_decref(after_json);
out:
    toml_doc_free(doc);
    free(path);
    return ok;
}

bool rpc_config_write_user_edits(struct rpc_request *req, json_t *edits)
{
    json_t *none = json_object();
    bool ok = write_edits(req, none, edits, false);
    json_decref(none);
    return ok;
}

static void rpc_config_value_write(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ConfigValueWriteParams", false);
    if (!p)
        return;
    /* The same shape as one batch edit. */
    json_t *edits = json_pack("[O]", p);
    write_edits(req, p, edits, true);
    json_decref(edits);
}

static void rpc_config_batch_write(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ConfigBatchWriteParams", false);
    json_t *edits = p ? json_object_get(p, "edits") : NULL;
    if (!p)
        return;
    if (!edits) {
        rpc_reply_invalid(req, "missing field `edits`");
        return;
    }
    if (!json_is_array(edits)) {
        char *what = rpc_describe_value(edits);
        rpc_reply_invalid(req, "invalid type: %s, expected a sequence", what);
        free(what);
        return;
    }
    write_edits(req, p, edits, true);
}

/* ---- Requirements and features ------------------------------------------ */

static json_t *string_list(const toml_value *v)
{
    if (!v || toml_type(v) != TOML_ARRAY)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < toml_array_len(v); i++) {
        const toml_value *item = toml_array_at(v, i);
        if (toml_type(item) == TOML_STRING)
            json_array_append_new(a, json_string(toml_string(item, NULL)));
    }
    return a;
}

/* permissionProfile/list: the built-in profiles, then config's
 * [permissions.<name>] ones, each allowed unless requirements.toml's
 * allowed_sandbox_modes rules out the sandbox mode it amounts to. */
static void rpc_permission_profile_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "PermissionProfileListParams", true);
    const char *cwd = NULL, *cursor = NULL;
    bool has_limit = false;
    int64_t limit = 0;
    if (!p || !rpc_get_string(req, p, "cwd", false, &cwd) ||
        !rpc_get_string(req, p, "cursor", false, &cursor) ||
        !rpc_get_int(req, p, "limit", "u32", 0, UINT32_MAX, &has_limit, &limit))
        return;
    long start = rpc_parse_cursor(cursor);
    if (start < 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid cursor: %s", cursor);
        return;
    }
    struct codex_config cfg;
    if (!rpc_load_config_for_profiles(req, cwd, &cfg))
        return;
    const toml_value *perms = toml_table_get(cfg.root, "permissions");
    struct strvec names = STRVEC_INIT;
    permissions_list(&cfg, &names);
    json_t *data = json_array();
    long next = -1;
    for (size_t i = (size_t)start; i < names.n; i++) {
        if (has_limit && (int64_t)json_array_size(data) >= (limit > 0 ? limit : 1)) {
            next = (long)i;
            break;
        }
        /* Selecting the profile gives the sandbox mode it amounts to. */
        char err[256];
        bool allowed = !cfg.allowed_sandbox_modes ||
                       (permissions_select(&cfg, names.v[i], err, sizeof err) == 0 &&
                        config_sandbox_mode_allowed(&cfg, cfg.sandbox_mode));
        const toml_value *t = perms && toml_type(perms) == TOML_TABLE ? toml_table_get(perms, names.v[i]) : NULL;
        const toml_value *d = t && toml_type(t) == TOML_TABLE ? toml_table_get(t, "description") : NULL;
        const char *desc = d && toml_type(d) == TOML_STRING ? toml_string(d, NULL) : NULL;
        json_array_append_new(data, json_pack("{s:s s:s? s:b}", "id", names.v[i], "description", desc,
                                              "allowed", allowed));
    }
    strvec_free(&names);
    config_free(&cfg);
    rpc_reply_page(req, data, next);
}

static void rpc_config_requirements_read(struct rpc_request *req)
{
    const char *path = config_requirements_path(req->server->envp);
    size_t len = 0;
    char *text = fs_read_file(path, CONFIG_FILE_MAX, &len);
    json_t *requirements = json_null();
    if (!text && errno != ENOENT && errno != ENOTDIR) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s: cannot read: %s", path, strerror(errno));
        return;
    }
    if (text) {
        struct toml_error te;
        toml_value *root = toml_parse_dialect(text, len, TOML_1_1, &te);
        free(text);
        if (!root) {
            char err[512];
            toml_error_format(&te, path, err, sizeof err);
            rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", err);
            return;
        }
        requirements = json_object();
        static const struct {
            const char *toml_key, *json_key;
        } lists[] = {
            {"allowed_approval_policies", "allowedApprovalPolicies"},
            {"allowed_sandbox_modes", "allowedSandboxModes"},
            {"allowed_web_search_modes", "allowedWebSearchModes"},
        };
        for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
            json_t *a = string_list(toml_table_get(root, lists[i].toml_key));
            if (a)
                json_object_set_new(requirements, lists[i].json_key, a);
        }
        const toml_value *features = toml_table_get(root, "features");
        if (features && toml_type(features) == TOML_TABLE) {
            json_t *pins = json_object();
            for (size_t i = 0; i < toml_table_len(features); i++) {
                const toml_value *v = toml_table_value_at(features, i);
                if (toml_type(v) == TOML_BOOLEAN)
                    json_object_set_new(pins, toml_table_key_at(features, i),
                                        json_boolean(toml_bool(v)));
            }
            json_object_set_new(requirements, "featureRequirements", pins);
        }
        toml_free(root);
    }
    json_t *result = json_object();
    json_object_set_new(result, "supportsIndependentSpeedModes", json_true());
    json_object_set_new(result, "requirements", requirements);
    rpc_reply(req, result);
}

static const char *stage_wire_name(enum feature_stage s)
{
    switch (s) {
    case FEATURE_UNDER_DEVELOPMENT:
        return "underDevelopment";
    case FEATURE_EXPERIMENTAL:
        return "beta";
    case FEATURE_STABLE:
        return "stable";
    case FEATURE_DEPRECATED:
        return "deprecated";
    case FEATURE_REMOVED:
        return "removed";
    }
    return "underDevelopment";
}

static void rpc_experimental_feature_list(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ExperimentalFeatureListParams", true);
    const char *cursor = NULL, *thread_id = NULL;
    bool has_limit = false;
    int64_t limit = 0;
    if (!p || !rpc_get_string(req, p, "cursor", false, &cursor) ||
        !rpc_get_int(req, p, "limit", "u32", 0, UINT32_MAX, &has_limit, &limit) ||
        !rpc_get_string(req, p, "threadId", false, &thread_id))
        return;
    long start = rpc_parse_cursor(cursor);
    if (start < 0) {
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid cursor: %s", cursor);
        return;
    }
    struct codex_config cfg;
    if (!load_switched(req, NULL, &cfg))
        return;
    json_t *data = json_array();
    long index = 0, next = -1;
    for (const struct feature_info *f = feature_table; f->name; f++, index++) {
        if (index < start)
            continue;
        if (has_limit && (int64_t)json_array_size(data) >= (limit > 0 ? limit : 1)) {
            next = index;
            break;
        }
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(f->name));
        json_object_set_new(o, "stage", json_string(stage_wire_name(f->stage)));
        const char *display_name, *description;
        feature_menu_text(f, &display_name, &description);
        json_object_set_new(o, "displayName", display_name ? json_string(display_name) : json_null());
        json_object_set_new(o, "description", description ? json_string(description) : json_null());
        json_object_set_new(o, "announcement", json_null());
        json_object_set_new(o, "enabled", json_boolean(config_feature_enabled(&cfg, f->name)));
        json_object_set_new(o, "defaultEnabled", json_boolean(f->default_enabled));
        json_array_append_new(data, o);
    }
    config_free(&cfg);
    rpc_reply_page(req, data, next);
}

/* The features the reference (0.169.0) lets a client switch for the whole
 * process; it drops other names. */
static const char *const runtime_features[] = {
    "auth_elicitation", "memories", "mentions_v2", "remote_control", "remote_plugin",
    "tool_suggest", NULL,
};

static bool runtime_switchable(const char *name)
{
    for (const char *const *f = runtime_features; *f; f++)
        if (strcmp(*f, name) == 0)
            return true;
    return false;
}

/* experimentalFeature/enablement/set: the switches for the whole process
 * (load_switched says where they apply).  The answer names what was
 * applied. */
static void rpc_experimental_feature_enablement_set(struct rpc_request *req)
{
    json_t *p = rpc_params(req, "ExperimentalFeatureEnablementSetParams", false);
    if (!p)
        return;
    json_t *enablement = json_object_get(p, "enablement");
    if (!json_is_object(enablement)) {
        if (!enablement) {
            rpc_reply_invalid(req, "missing field `enablement`");
        } else {
            char *what = rpc_describe_value(enablement);
            rpc_reply_invalid(req, "invalid type: %s, expected a map", what);
            free(what);
        }
        return;
    }
    const char *name;
    json_t *on;
    json_object_foreach(enablement, name, on) {
        if (!json_is_boolean(on)) {
            char *what = rpc_describe_value(on);
            rpc_reply_invalid(req, "invalid type: %s, expected a boolean", what);
            free(what);
            return;
        }
    }
    json_t **switches = (json_t **)req->state;
    json_t *applied = json_object();
    json_object_foreach(enablement, name, on) {
        if (!runtime_switchable(name))
            continue;
        if (!*switches)
            *switches = json_object();
        json_object_set(*switches, name, on);
        json_object_set(applied, name, on);
    }
    rpc_reply(req, json_pack("{s:o}", "enablement", applied));
}

/* The module's state: the feature switches (a JSON object), or NULL. */
static void config_free_state(void **slot)
{
    json_decref(*slot);
    *slot = NULL;
}

const struct rpc_module rpc_config_module = {
    .name = "config",
    .methods =
        (const struct rpc_method[]){
            {"config/read", rpc_config_read},
            {"config/value/write", rpc_config_value_write},
            {"config/batchWrite", rpc_config_batch_write},
            {"configRequirements/read", rpc_config_requirements_read},
            {"permissionProfile/list", rpc_permission_profile_list},
            {"experimentalFeature/list", rpc_experimental_feature_list},
            {"experimentalFeature/enablement/set", rpc_experimental_feature_enablement_set},
            {NULL, NULL},
        },
    .free_state = config_free_state,
};

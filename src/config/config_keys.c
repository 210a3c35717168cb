/* The known config.toml keys.  Built from the reference's config schema
 * (codex-rs/core/config.schema.json, ConfigToml and ConfigProfile), the
 * documented keys (spec features-1 §8, features-2 §7) and older names the
 * reference still loads.  The list errs on the generous side: a warning on a
 * key the reference accepts is worse than a typo that goes unnoticed, so
 * tables whose contents other subsystems interpret (tui, mcp_servers,
 * agents, otel, permissions, tools, ...) are not looked into here.
 *
 * Only the keys that config_load reads into typed fields get a type; the
 * rest accept any value. */
#include <stdio.h>
#include <string.h>

#include "config/config_keys.h"
#include "config/features.h"
#include "config/permissions.h"
#include "config/mcp_servers.h"

enum key_kind {
    KEY_ANY,          /* any value, contents unchecked */
    KEY_STRING,       /* string; one of choices when choices is set */
    KEY_INTEGER,
    KEY_BOOL,
    KEY_STRING_ARRAY,
    KEY_TABLE,        /* table whose keys are children */
    KEY_OPEN_TABLE,   /* table, keys unchecked */
    KEY_MAP,          /* table of user-chosen names, each a KEY_TABLE of children */
    KEY_FEATURES,     /* [features]: known flag names, boolean or table values */
    KEY_APPROVAL,     /* approval_policy: a choice, or { granular = { ... } } */
    KEY_MCP_SERVERS,  /* [mcp_servers]: checked by config/mcp_servers.c */
};

struct key_spec {
    const char *name;
    enum key_kind kind;
    const char *const *choices; /* KEY_STRING: NULL-terminated allowed values */
    const struct key_spec *children;
};

#define END {NULL, KEY_ANY, NULL, NULL}

static const char *const sandbox_modes[] = {"read-only", "workspace-write", "danger-full-access", NULL};
static const char *const approval_policies[] = {"untrusted", "on-failure", "on-request", "never", NULL};
static const char *const web_search_modes[] = {"disabled", "cached", "live", "indexed", NULL};
static const char *const reasoning_efforts[] = {"none", "minimal", "low", "medium", "high", "xhigh", NULL};
static const char *const reasoning_summaries[] = {"auto", "concise", "detailed", "none", NULL};
static const char *const verbosities[] = {"low", "medium", "high", NULL};
static const char *const history_persistences[] = {"save-all", "none", NULL};
static const char *const env_inherits[] = {"all", "core", "none", NULL};
static const char *const trust_levels[] = {"trusted", "untrusted", NULL};
static const char *const service_tiers[] = {"fast", "flex", "priority", NULL};
static const char *const compact_scopes[] = {"total", "body_after_prefix", NULL};
static const char *const personalities[] = {"none", "friendly", "pragmatic", NULL};
static const char *const credential_stores[] = {"file", "keyring", "auto", "ephemeral", NULL};
static const char *const login_methods[] = {"chatgpt", "api", NULL};

static const struct key_spec granular_keys[] = {
    {"sandbox_approval", KEY_BOOL, NULL, NULL},
    {"rules", KEY_BOOL, NULL, NULL},
    {"mcp_elicitations", KEY_BOOL, NULL, NULL},
    {"request_permissions", KEY_BOOL, NULL, NULL},
    {"skill_approval", KEY_BOOL, NULL, NULL},
    END,
};

static const struct key_spec workspace_write_keys[] = {
    {"writable_roots", KEY_STRING_ARRAY, NULL, NULL},
    {"network_access", KEY_BOOL, NULL, NULL},
    {"exclude_tmpdir_env_var", KEY_BOOL, NULL, NULL},
    {"exclude_slash_tmp", KEY_BOOL, NULL, NULL},
    END,
};

static const struct key_spec shell_env_keys[] = {
    {"inherit", KEY_STRING, env_inherits, NULL},
    {"ignore_default_excludes", KEY_BOOL, NULL, NULL},
    {"exclude", KEY_STRING_ARRAY, NULL, NULL},
    {"include_only", KEY_STRING_ARRAY, NULL, NULL},
    {"set", KEY_OPEN_TABLE, NULL, NULL},
    {"experimental_use_profile", KEY_BOOL, NULL, NULL},
    END,
};

static const struct key_spec history_keys[] = {
    {"persistence", KEY_STRING, history_persistences, NULL},
    {"max_bytes", KEY_INTEGER, NULL, NULL},
    END,
};

static const struct key_spec provider_keys[] = {
    {"name", KEY_STRING, NULL, NULL},
    {"base_url", KEY_STRING, NULL, NULL},
    {"env_key", KEY_STRING, NULL, NULL},
    {"env_key_instructions", KEY_STRING, NULL, NULL},
    {"experimental_bearer_token", KEY_STRING, NULL, NULL},
    {"wire_api", KEY_STRING, NULL, NULL},
    {"query_params", KEY_OPEN_TABLE, NULL, NULL},
    {"http_headers", KEY_OPEN_TABLE, NULL, NULL},
    {"env_http_headers", KEY_OPEN_TABLE, NULL, NULL},
    {"request_max_retries", KEY_INTEGER, NULL, NULL},
    {"stream_max_retries", KEY_INTEGER, NULL, NULL},
    {"stream_idle_timeout_ms", KEY_INTEGER, NULL, NULL},
    {"requires_openai_auth", KEY_BOOL, NULL, NULL},
    {"supports_websockets", KEY_ANY, NULL, NULL},
    {"websocket_connect_timeout_ms", KEY_ANY, NULL, NULL},
    {"auth", KEY_ANY, NULL, NULL},
    {"aws", KEY_ANY, NULL, NULL},
    {"model_family", KEY_ANY, NULL, NULL},
    END,
};

static const struct key_spec project_keys[] = {
    {"trust_level", KEY_STRING, trust_levels, NULL},
    END,
};

static const struct key_spec auto_review_keys[] = {
    {"policy", KEY_STRING, NULL, NULL},
    {"timeout_ms", KEY_INTEGER, NULL, NULL},
    END,
};

static const struct key_spec enabled_keys[] = {
    {"enabled", KEY_BOOL, NULL, NULL},
    END,
};

static const struct key_spec windows_keys[] = {
    {"sandbox", KEY_ANY, NULL, NULL},
    {"sandbox_private_desktop", KEY_ANY, NULL, NULL},
    END,
};

/* External linkage only so that [profiles.<name>] can refer back to it. */
extern const struct key_spec config_root_keys[];

const struct key_spec config_root_keys[] = {
    /* Read into typed fields by config_load. */
    {"model", KEY_STRING, NULL, NULL},
    {"model_provider", KEY_STRING, NULL, NULL},
    {"model_reasoning_effort", KEY_STRING, reasoning_efforts, NULL},
    {"model_reasoning_summary", KEY_STRING, reasoning_summaries, NULL},
    {"model_verbosity", KEY_STRING, verbosities, NULL},
    {"review_model", KEY_STRING, NULL, NULL},
    {"model_context_window", KEY_INTEGER, NULL, NULL},
    {"model_auto_compact_token_limit", KEY_INTEGER, NULL, NULL},
    {"approval_policy", KEY_APPROVAL, approval_policies, granular_keys},
    {"sandbox_mode", KEY_STRING, sandbox_modes, NULL},
    {"sandbox_workspace_write", KEY_TABLE, NULL, workspace_write_keys},
    {"shell_environment_policy", KEY_TABLE, NULL, shell_env_keys},
    {"developer_instructions", KEY_STRING, NULL, NULL},
    {"model_instructions_file", KEY_STRING, NULL, NULL},
    {"project_doc_max_bytes", KEY_INTEGER, NULL, NULL},
    {"project_doc_fallback_filenames", KEY_STRING_ARRAY, NULL, NULL},
    {"project_root_markers", KEY_STRING_ARRAY, NULL, NULL},
    {"web_search", KEY_STRING, web_search_modes, NULL},
    {"history", KEY_TABLE, NULL, history_keys},
    {"model_providers", KEY_MAP, NULL, provider_keys},
    {"projects", KEY_MAP, NULL, project_keys},
    {"profiles", KEY_MAP, NULL, config_root_keys},
    {"profile", KEY_STRING, NULL, NULL},
    {"features", KEY_FEATURES, NULL, NULL},
    {"openai_base_url", KEY_STRING, NULL, NULL},
    {"oss_provider", KEY_STRING, NULL, NULL},
    {"use_legacy_landlock", KEY_BOOL, NULL, NULL},

    /* Interpreted elsewhere (looked up in cfg->root) or only by the reference. */
    {"agents", KEY_OPEN_TABLE, NULL, NULL},
    {"allow_login_shell", KEY_BOOL, NULL, NULL},
    {"analytics", KEY_TABLE, NULL, enabled_keys},
    {"approvals_reviewer", KEY_ANY, NULL, NULL},
    {"apps", KEY_OPEN_TABLE, NULL, NULL},
    {"apps_mcp_product_sku", KEY_ANY, NULL, NULL},
    {"audio", KEY_OPEN_TABLE, NULL, NULL},
    {"auto_review", KEY_TABLE, NULL, auto_review_keys},
    {"background_terminal_max_timeout", KEY_ANY, NULL, NULL},
    {"chatgpt_base_url", KEY_STRING, NULL, NULL},
    {"check_for_update_on_startup", KEY_ANY, NULL, NULL},
    {"cli_auth_credentials_store", KEY_STRING, credential_stores, NULL},
    {"commit_attribution", KEY_ANY, NULL, NULL},
    {"compact_prompt", KEY_STRING, NULL, NULL},
    {"debug", KEY_OPEN_TABLE, NULL, NULL},
    {"default_permissions", KEY_ANY, NULL, NULL},
    {"desktop", KEY_OPEN_TABLE, NULL, NULL},
    {"disable_paste_burst", KEY_ANY, NULL, NULL},
    {"experimental_compact_prompt_file", KEY_STRING, NULL, NULL},
    {"experimental_instructions_file", KEY_ANY, NULL, NULL},
    {"experimental_realtime_start_instructions", KEY_ANY, NULL, NULL},
    {"experimental_realtime_ws_backend_prompt", KEY_ANY, NULL, NULL},
    {"experimental_realtime_ws_base_url", KEY_ANY, NULL, NULL},
    {"experimental_realtime_ws_model", KEY_ANY, NULL, NULL},
    {"experimental_realtime_ws_startup_context", KEY_ANY, NULL, NULL},
    {"experimental_thread_config_endpoint", KEY_ANY, NULL, NULL},
    {"experimental_thread_store", KEY_ANY, NULL, NULL},
    {"experimental_use_freeform_apply_patch", KEY_ANY, NULL, NULL},
    {"experimental_use_unified_exec_tool", KEY_ANY, NULL, NULL},
    {"feedback", KEY_TABLE, NULL, enabled_keys},
    {"file_opener", KEY_ANY, NULL, NULL},
    {"forced_chatgpt_workspace_id", KEY_ANY, NULL, NULL},
    {"forced_login_method", KEY_STRING, login_methods, NULL},
    {"ghost_snapshot", KEY_OPEN_TABLE, NULL, NULL},
    {"hide_agent_reasoning", KEY_BOOL, NULL, NULL},
    {"hooks", KEY_OPEN_TABLE, NULL, NULL},
    {"include_apply_patch_tool", KEY_BOOL, NULL, NULL},
    {"include_apps_instructions", KEY_ANY, NULL, NULL},
    {"include_collaboration_mode_instructions", KEY_BOOL, NULL, NULL},
    {"include_environment_context", KEY_BOOL, NULL, NULL},
    {"include_permissions_instructions", KEY_BOOL, NULL, NULL},
    {"instructions", KEY_ANY, NULL, NULL},
    {"log_dir", KEY_ANY, NULL, NULL},
    {"marketplaces", KEY_OPEN_TABLE, NULL, NULL},
    {"mcp_oauth_callback_port", KEY_ANY, NULL, NULL},
    {"mcp_oauth_callback_url", KEY_ANY, NULL, NULL},
    {"mcp_oauth_credentials_store", KEY_ANY, NULL, NULL},
    {"mcp_servers", KEY_MCP_SERVERS, NULL, NULL},
    {"memories", KEY_OPEN_TABLE, NULL, NULL},
    {"model_auto_compact_token_limit_scope", KEY_STRING, compact_scopes, NULL},
    {"model_catalog_json", KEY_STRING, NULL, NULL},
    {"model_max_output_tokens", KEY_ANY, NULL, NULL},
    {"model_reasoning_summary_format", KEY_ANY, NULL, NULL},
    {"model_supports_reasoning_summaries", KEY_ANY, NULL, NULL},
    {"notice", KEY_OPEN_TABLE, NULL, NULL},
    {"notify", KEY_STRING_ARRAY, NULL, NULL},
    {"otel", KEY_OPEN_TABLE, NULL, NULL},
    {"permissions", KEY_OPEN_TABLE, NULL, NULL},
    {"personality", KEY_STRING, personalities, NULL},
    {"plan_mode_reasoning_effort", KEY_STRING, reasoning_efforts, NULL},
    {"plugins", KEY_OPEN_TABLE, NULL, NULL},
    {"preferred_auth_method", KEY_ANY, NULL, NULL},
    {"realtime", KEY_OPEN_TABLE, NULL, NULL},
    {"sandbox_permissions", KEY_ANY, NULL, NULL},
    {"service_tier", KEY_STRING, service_tiers, NULL},
    {"show_raw_agent_reasoning", KEY_ANY, NULL, NULL},
    {"skills", KEY_OPEN_TABLE, NULL, NULL},
    {"sqlite_home", KEY_ANY, NULL, NULL},
    {"suppress_experimental_warning", KEY_ANY, NULL, NULL},
    {"suppress_unstable_features_warning", KEY_ANY, NULL, NULL},
    {"tool_output_token_limit", KEY_ANY, NULL, NULL},
    {"tool_suggest", KEY_OPEN_TABLE, NULL, NULL},
    {"tools", KEY_OPEN_TABLE, NULL, NULL},
    {"tools_view_image", KEY_ANY, NULL, NULL},
    {"tools_web_search", KEY_ANY, NULL, NULL},
    {"tui", KEY_OPEN_TABLE, NULL, NULL},
    {"windows", KEY_TABLE, NULL, windows_keys},
    {"windows_wsl_setup_acknowledged", KEY_ANY, NULL, NULL},
    END,
};

void config_where(const struct layer_source *src, const toml_value *v, char *out, size_t outlen)
{
    if (src->is_file && v && toml_line(v) > 0)
        snprintf(out, outlen, "%s:%d:%d", src->name, toml_line(v), toml_col(v));
    else if (src->is_file)
        snprintf(out, outlen, "%s", src->name);
    else
        snprintf(out, outlen, "-c %s", src->name);
}

static void append_escaped(char *out, size_t len, const char *s);

struct check_ctx {
    const struct layer_source *src;
    bool strict;
    char *err;
    size_t errlen;
};

static void where_of(const void *src, const toml_value *v, char *out, size_t outlen)
{
    config_where(src, v, out, outlen);
}

static const struct key_spec *find_spec(const struct key_spec *specs, const char *name)
{
    for (; specs->name; specs++)
        if (strcmp(specs->name, name) == 0)
            return specs;
    return NULL;
}

static int unknown_key(struct check_ctx *c, const char *path, const toml_value *v)
{
    char where[1200];
    config_where(c->src, v, where, sizeof where);
    if (c->strict) {
        snprintf(c->err, c->errlen,
                 "%s: unknown configuration field `%s`; remove it, or drop --strict-config", where, path);
        return -1;
    }
    fprintf(stderr, "warning: %s: unknown configuration field `%s` (ignored)\n", where, path);
    return 0;
}

static int type_error(struct check_ctx *c, const char *path, const toml_value *v, const char *expected)
{
    char where[1200];
    config_where(c->src, v, where, sizeof where);
    snprintf(c->err, c->errlen, "%s: `%s` must be %s, not %s", where, path, expected,
             toml_type_name(toml_type(v)));
    return -1;
}

static int choice_error(struct check_ctx *c, const char *path, const toml_value *v,
                        const char *const *choices)
{
    char where[1200], list[512] = "";
    config_where(c->src, v, where, sizeof where);
    for (const char *const *ch = choices; *ch; ch++) {
        if (ch != choices)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, *ch, sizeof list - strlen(list) - 1);
    }
    char shown[256] = "";
    append_escaped(shown, sizeof shown, toml_string(v, NULL));
    snprintf(c->err, c->errlen, "%s: invalid value \"%s\" for `%s`; expected one of %s", where,
             shown, path, list);
    return -1;
}

static bool is_choice(const char *s, const char *const *choices)
{
    for (; *choices; choices++)
        if (strcmp(s, *choices) == 0)
            return true;
    return false;
}

static int check_table(struct check_ctx *c, const toml_value *t, const struct key_spec *specs,
                       const char *prefix);

/* Append s to out, escaping what would break a one-line message. */
static void append_escaped(char *out, size_t len, const char *s)
{
    size_t o = strlen(out);
    for (; *s && o + 7 < len; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            o += (size_t)snprintf(out + o, len - o, "\\u%04x", ch);
        else if (ch == '"' || ch == '\\')
            o += (size_t)snprintf(out + o, len - o, "\\%c", ch);
        else
            out[o++] = (char)ch;
    }
    out[o] = '\0';
}

static bool is_bare_key(const char *key)
{
    if (!*key)
        return false;
    for (const char *p = key; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

/* prefix.key, with key quoted (as TOML would) when it is not a bare key,
 * e.g. projects."/home/me/repo". */
static char *join_path(const char *prefix, const char *key, char *buf, size_t len)
{
    bool bare = is_bare_key(key);
    snprintf(buf, len, "%s%s%s", prefix, prefix[0] ? "." : "", bare ? "" : "\"");
    append_escaped(buf, len, key);
    if (!bare && strlen(buf) + 1 < len)
        strcat(buf, "\"");
    return buf;
}

static int check_value(struct check_ctx *c, const struct key_spec *s, const toml_value *v,
                       const char *path)
{
    enum toml_type t = toml_type(v);
    switch (s->kind) {
    case KEY_ANY:
        return 0;
    case KEY_STRING:
        if (t != TOML_STRING)
            return type_error(c, path, v, "a string");
        if (s->choices && !is_choice(toml_string(v, NULL), s->choices))
            return choice_error(c, path, v, s->choices);
        return 0;
    case KEY_INTEGER:
        return t == TOML_INTEGER ? 0 : type_error(c, path, v, "an integer");
    case KEY_BOOL:
        return t == TOML_BOOLEAN ? 0 : type_error(c, path, v, "a boolean");
    case KEY_STRING_ARRAY:
        if (t != TOML_ARRAY)
            return type_error(c, path, v, "an array of strings");
        for (size_t i = 0; i < toml_array_len(v); i++)
            if (toml_type(toml_array_at(v, i)) != TOML_STRING)
                return type_error(c, path, toml_array_at(v, i), "an array of strings");
        return 0;
    case KEY_OPEN_TABLE:
        return t == TOML_TABLE ? 0 : type_error(c, path, v, "a table");
    case KEY_TABLE:
        if (t != TOML_TABLE)
            return type_error(c, path, v, "a table");
        return check_table(c, v, s->children, path);
    case KEY_MAP:
        if (t != TOML_TABLE)
            return type_error(c, path, v, "a table");
        for (size_t i = 0; i < toml_table_len(v); i++) {
            char sub[1024];
            const toml_value *entry = toml_table_value_at(v, i);
            join_path(path, toml_table_key_at(v, i), sub, sizeof sub);
            if (toml_type(entry) != TOML_TABLE)
                return type_error(c, sub, entry, "a table");
            if (check_table(c, entry, s->children, sub) < 0)
                return -1;
        }
        return 0;
    case KEY_FEATURES:
        if (t != TOML_TABLE)
            return type_error(c, path, v, "a table");
        for (size_t i = 0; i < toml_table_len(v); i++) {
            char sub[1024];
            const char *name = toml_table_key_at(v, i);
            const toml_value *entry = toml_table_value_at(v, i);
            join_path(path, name, sub, sizeof sub);
            if (!feature_lookup(name)) {
                if (unknown_key(c, sub, entry) < 0)
                    return -1;
                continue;
            }
            if (toml_type(entry) != TOML_BOOLEAN && toml_type(entry) != TOML_TABLE)
                return type_error(c, sub, entry, "a boolean");
        }
        return 0;
    case KEY_MCP_SERVERS:
        return mcp_servers_check_layer(v, where_of, c->src, c->err, c->errlen);
    case KEY_APPROVAL:
        if (t == TOML_STRING) {
            if (!is_choice(toml_string(v, NULL), s->choices))
                return choice_error(c, path, v, s->choices);
            return 0;
        }
        if (t == TOML_TABLE) {
            static const struct key_spec granular_wrapper[] = {
                {"granular", KEY_TABLE, NULL, granular_keys},
                END,
            };
            return check_table(c, v, granular_wrapper, path);
        }
        return type_error(c, path, v, "a string or { granular = { ... } }");
    }
    return 0;
}

static int check_table(struct check_ctx *c, const toml_value *t, const struct key_spec *specs,
                       const char *prefix)
{
    for (size_t i = 0; i < toml_table_len(t); i++) {
        char path[1024];
        const char *key = toml_table_key_at(t, i);
        const toml_value *v = toml_table_value_at(t, i);
        const struct key_spec *s = find_spec(specs, key);
        join_path(prefix, key, path, sizeof path);
        if (!s) {
            if (unknown_key(c, path, v) < 0)
                return -1;
            continue;
        }
        if (check_value(c, s, v, path) < 0)
            return -1;
    }
    return 0;
}

int config_check_layer(const toml_value *root, const struct layer_source *src, bool strict,
                       char *err, size_t errlen)
{
    struct check_ctx c = {src, strict, err, errlen};
    if (check_table(&c, root, config_root_keys, "") < 0)
        return -1;
    if (permissions_check_layer(root, src, err, errlen) < 0)
        return -1;
    return config_check_unsupported(root, src, err, errlen);
}

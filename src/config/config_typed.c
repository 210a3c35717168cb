/* Typed access: read the merged tree into struct codex_config.  Every layer
 * was type-checked before merging (config_keys.c), so values found here have
 * the expected types; defaults fill what no layer set.
 *
 * Defaults observed in reference 0.169.0 (`codex debug prompt-input` with a
 * scratch CODEX_HOME) and read in its config schema:
 *   - sandbox_mode / approval_policy when unset depend on the trust of cwd:
 *     no [projects] entry -> read-only + on-request; trusted -> workspace-write
 *     + on-request; explicitly untrusted -> workspace-write + untrusted.
 *   - web_search "cached"; "live" under danger-full-access (docs: --yolo makes
 *     web search default to live).
 *   - model_provider "openai"; project_doc_max_bytes 32768; history
 *     persistence "save-all" with no size cap; shell_environment_policy
 *     inherit "all".
 *   - providers: request_max_retries 4, stream_max_retries 5 (both capped at
 *     100), stream_idle_timeout_ms 300000, wire_api "responses". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_internal.h"
#include "config/features.h"
#include "util/fs.h"
#include "util/xalloc.h"

#define OPENAI_DEFAULT_BASE_URL "https://api.openai.com/v1"
#define PROVIDER_MAX_RETRIES 100

static const toml_value *get(const toml_value *t, const char *key)
{
    return t && toml_type(t) == TOML_TABLE ? toml_table_get(t, key) : NULL;
}

static const char *get_str(const toml_value *t, const char *key)
{
    const toml_value *v = get(t, key);
    return v && toml_type(v) == TOML_STRING ? toml_string(v, NULL) : NULL;
}

static char *dup_str(const toml_value *t, const char *key)
{
    const char *s = get_str(t, key);
    return s ? xstrdup(s) : NULL;
}

static int64_t get_int(const toml_value *t, const char *key, int64_t dflt)
{
    const toml_value *v = get(t, key);
    return v && toml_type(v) == TOML_INTEGER ? toml_integer(v) : dflt;
}

static bool get_bool(const toml_value *t, const char *key, bool dflt)
{
    const toml_value *v = get(t, key);
    return v && toml_type(v) == TOML_BOOLEAN ? toml_bool(v) : dflt;
}

static void get_strings(const toml_value *t, const char *key, struct strvec *out)
{
    const toml_value *v = get(t, key);
    if (!v || toml_type(v) != TOML_ARRAY)
        return;
    for (size_t i = 0; i < toml_array_len(v); i++)
        if (toml_type(toml_array_at(v, i)) == TOML_STRING)
            strvec_push(out, toml_string(toml_array_at(v, i), NULL));
}

static toml_value *clone_table(const toml_value *t, const char *key)
{
    const toml_value *v = get(t, key);
    return v && toml_type(v) == TOML_TABLE ? toml_clone(v) : NULL;
}

const char *sandbox_mode_name(enum sandbox_mode m)
{
    switch (m) {
    case SANDBOX_READ_ONLY:
        return "read-only";
    case SANDBOX_WORKSPACE_WRITE:
        return "workspace-write";
    case SANDBOX_DANGER_FULL_ACCESS:
        return "danger-full-access";
    }
    return "read-only";
}

const char *approval_policy_name(enum approval_policy p)
{
    switch (p) {
    case APPROVAL_UNTRUSTED:
        return "untrusted";
    case APPROVAL_ON_FAILURE:
        return "on-failure";
    case APPROVAL_ON_REQUEST:
        return "on-request";
    case APPROVAL_NEVER:
        return "never";
    case APPROVAL_GRANULAR:
        return "granular";
    }
    return "on-request";
}

static enum sandbox_mode parse_sandbox(const char *s)
{
    if (strcmp(s, "workspace-write") == 0)
        return SANDBOX_WORKSPACE_WRITE;
    if (strcmp(s, "danger-full-access") == 0)
        return SANDBOX_DANGER_FULL_ACCESS;
    return SANDBOX_READ_ONLY;
}

static enum approval_policy parse_approval(const char *s)
{
    if (strcmp(s, "untrusted") == 0)
        return APPROVAL_UNTRUSTED;
    if (strcmp(s, "on-failure") == 0)
        return APPROVAL_ON_FAILURE;
    if (strcmp(s, "never") == 0)
        return APPROVAL_NEVER;
    return APPROVAL_ON_REQUEST;
}

static void extract_permissions(struct codex_config *cfg)
{
    const toml_value *root = cfg->root;
    const char *sandbox = get_str(root, "sandbox_mode");
    if (sandbox)
        cfg->sandbox_mode = parse_sandbox(sandbox);
    else
        cfg->sandbox_mode = cfg->project_trusted || cfg->project_untrusted ? SANDBOX_WORKSPACE_WRITE
                                                                           : SANDBOX_READ_ONLY;

    const toml_value *approval = get(root, "approval_policy");
    if (approval && toml_type(approval) == TOML_STRING) {
        cfg->approval_policy = parse_approval(toml_string(approval, NULL));
    } else if (approval && toml_type(approval) == TOML_TABLE) {
        /* Fields left out reject that kind of prompt: fail closed. */
        const toml_value *g = get(approval, "granular");
        cfg->approval_policy = APPROVAL_GRANULAR;
        cfg->granular.sandbox_approval = get_bool(g, "sandbox_approval", false);
        cfg->granular.rules = get_bool(g, "rules", false);
        cfg->granular.mcp_elicitations = get_bool(g, "mcp_elicitations", false);
        cfg->granular.request_permissions = get_bool(g, "request_permissions", false);
        cfg->granular.skill_approval = get_bool(g, "skill_approval", false);
    } else {
        cfg->approval_policy = cfg->project_untrusted ? APPROVAL_UNTRUSTED : APPROVAL_ON_REQUEST;
    }

    const toml_value *ww = get(root, "sandbox_workspace_write");
    get_strings(ww, "writable_roots", &cfg->workspace_write.writable_roots);
    cfg->workspace_write.network_access = get_bool(ww, "network_access", false);
    cfg->workspace_write.exclude_tmpdir_env_var = get_bool(ww, "exclude_tmpdir_env_var", false);
    cfg->workspace_write.exclude_slash_tmp = get_bool(ww, "exclude_slash_tmp", false);
    cfg->use_legacy_landlock = get_bool(root, "use_legacy_landlock", false) ||
                               config_feature_enabled(cfg, "use_legacy_landlock");
}

/* [[skills.config]]: each entry names a skill by path or by name, never
 * both; the reference skips (and logs) any other entry, and so do we. */
static void extract_skill_rules(struct codex_config *cfg)
{
    cfg->skills_bundled = get_bool(get(get(cfg->root, "skills"), "bundled"), "enabled", true);
    const toml_value *list = get(get(cfg->root, "skills"), "config");
    if (!list || toml_type(list) != TOML_ARRAY)
        return;
    size_t n = toml_array_len(list);
    cfg->skill_rules = xcalloc(n ? n : 1, sizeof *cfg->skill_rules);
    for (size_t i = 0; i < n; i++) {
        const toml_value *e = toml_array_at(list, i);
        const char *path = get_str(e, "path"), *name = get_str(e, "name");
        while (name && (*name == ' ' || *name == '\t'))
            name++;
        if ((path && name) || (!path && (!name || !*name))) {
            fprintf(stderr, "codex-c: skills.config entry %zu needs exactly one of `path` or `name`; "
                            "ignored\n", i + 1);
            continue;
        }
        struct skill_config_entry *r = &cfg->skill_rules[cfg->n_skill_rules++];
        r->path = path ? config_abs_path(cfg->codex_home, path) : NULL;
        r->name = name ? xstrdup(name) : NULL;
        if (r->name) {
            size_t len = strlen(r->name);
            while (len && (r->name[len - 1] == ' ' || r->name[len - 1] == '\t'))
                r->name[--len] = '\0';
        }
        r->enabled = get_bool(e, "enabled", true);
    }
}

static void extract_shell_env(struct codex_config *cfg)
{
    const toml_value *p = get(cfg->root, "shell_environment_policy");
    const char *inherit = get_str(p, "inherit");
    cfg->shell_env.inherit = !inherit || strcmp(inherit, "all") == 0 ? ENV_INHERIT_ALL
                             : strcmp(inherit, "core") == 0     ? ENV_INHERIT_CORE
                                                                : ENV_INHERIT_NONE;
    cfg->shell_env.ignore_default_excludes = get_bool(p, "ignore_default_excludes", false);
    get_strings(p, "exclude", &cfg->shell_env.exclude);
    get_strings(p, "include_only", &cfg->shell_env.include_only);
    const toml_value *set = get(p, "set");
    if (set && toml_type(set) == TOML_TABLE)
        for (size_t i = 0; i < toml_table_len(set); i++) {
            const toml_value *v = toml_table_value_at(set, i);
            const char *name = toml_table_key_at(set, i);
            if (toml_type(v) == TOML_STRING) {
                strvec_push_owned(&cfg->shell_env.set, xasprintf("%s=%s", name, toml_string(v, NULL)));
            } else {
                char *text = toml_to_inline(v);
                strvec_push_owned(&cfg->shell_env.set, xasprintf("%s=%s", name, text));
                free(text);
            }
        }
}

static struct model_provider *add_provider(struct codex_config *cfg, const char *id)
{
    cfg->providers = xrealloc(cfg->providers, (size_t)(cfg->n_providers + 1) * sizeof *cfg->providers);
    struct model_provider *p = &cfg->providers[cfg->n_providers++];
    memset(p, 0, sizeof *p);
    p->id = xstrdup(id);
    p->wire_api = xstrdup("responses");
    p->request_max_retries = 4;
    p->stream_max_retries = 5;
    p->stream_idle_timeout_ms = 300000;
    return p;
}

static bool is_builtin_provider(const char *id)
{
    return strcmp(id, "openai") == 0 || strcmp(id, "ollama") == 0 || strcmp(id, "lmstudio") == 0;
}

/* An instructions file named in config: read now, so that a missing or
 * empty one stops the load instead of being dropped in silence. */
static int read_non_empty(const char *path, const char *what, char **out, char *err, size_t errlen)
{
    if (!path)
        return 0;
    char *text = fs_read_file(path, 1 << 20, NULL);
    if (!text) {
        snprintf(err, errlen, "failed to read %s %s: %s", what, path, strerror(errno));
        return -1;
    }
    size_t start = strspn(text, " \t\r\n"), end = strlen(text);
    while (end > start && strchr(" \t\r\n", text[end - 1]))
        end--;
    if (end == start) {
        free(text);
        snprintf(err, errlen, "%s is empty: %s", what, path);
        return -1;
    }
    *out = xstrndup(text + start, end - start);
    free(text);
    return 0;
}

static int64_t capped(int64_t v, int64_t cap)
{
    return v < 0 ? 0 : v > cap ? cap : v;
}

static int extract_providers(struct codex_config *cfg, char *err, size_t errlen)
{
    const char *openai_url = get_str(cfg->root, "openai_base_url");
    struct model_provider *p = add_provider(cfg, "openai");
    p->name = xstrdup("OpenAI");
    p->base_url = xstrdup(openai_url ? openai_url : OPENAI_DEFAULT_BASE_URL);
    p->env_key = xstrdup("OPENAI_API_KEY");
    p->requires_openai_auth = true;

    p = add_provider(cfg, "ollama");
    p->name = xstrdup("Ollama");
    p->base_url = xstrdup("http://localhost:11434/v1");
    p = add_provider(cfg, "lmstudio");
    p->name = xstrdup("LM Studio");
    p->base_url = xstrdup("http://localhost:1234/v1");

    const toml_value *table = get(cfg->root, "model_providers");
    for (size_t i = 0; table && i < toml_table_len(table); i++) {
        const char *id = toml_table_key_at(table, i);
        const toml_value *t = toml_table_value_at(table, i);
        if (is_builtin_provider(id)) {
            /* The reference keeps built-in ids fixed; openai_base_url is the
             * supported way to move the openai provider. */
            fprintf(stderr,
                    "warning: [model_providers.%s] ignored: built-in providers cannot be redefined%s\n",
                    id, strcmp(id, "openai") == 0 ? "; set openai_base_url instead" : "");
            continue;
        }
        const char *wire = get_str(t, "wire_api");
        if (wire && strcmp(wire, "responses") != 0) {
            snprintf(err, errlen,
                     "model_providers.%s.wire_api = \"%s\" is not supported; only \"responses\" is", id, wire);
            return -1;
        }
        p = add_provider(cfg, id);
        p->name = get_str(t, "name") ? dup_str(t, "name") : xstrdup(id);
        p->base_url = get_str(t, "base_url") ? dup_str(t, "base_url") : xstrdup(OPENAI_DEFAULT_BASE_URL);
        p->env_key = dup_str(t, "env_key");
        p->http_headers = clone_table(t, "http_headers");
        p->env_http_headers = clone_table(t, "env_http_headers");
        p->query_params = clone_table(t, "query_params");
        p->request_max_retries = capped(get_int(t, "request_max_retries", 4), PROVIDER_MAX_RETRIES);
        p->stream_max_retries = capped(get_int(t, "stream_max_retries", 5), PROVIDER_MAX_RETRIES);
        p->stream_idle_timeout_ms = get_int(t, "stream_idle_timeout_ms", 300000);
        p->requires_openai_auth = get_bool(t, "requires_openai_auth", false);
    }

    cfg->model_provider = get_str(cfg->root, "model_provider") ? dup_str(cfg->root, "model_provider")
                                                                 : xstrdup("openai");
    if (!config_provider(cfg, cfg->model_provider)) {
        snprintf(err, errlen,
                 "model_provider `%s` is not defined; add [model_providers.%s] to config.toml or use openai, ollama or lmstudio",
                 cfg->model_provider, cfg->model_provider);
        return -1;
    }
    return 0;
}

static void extract_web_search(struct codex_config *cfg)
{
    const char *mode = get_str(cfg->root, "web_search");
    if (!mode) {
        /* Deprecated spellings count only when web_search is unset. */
        const toml_value *tools = get(cfg->root, "tools");
        const toml_value *legacy_tool = get(tools, "web_search");
        if (config_feature_enabled(cfg, "web_search_request") ||
            (legacy_tool && toml_type(legacy_tool) == TOML_BOOLEAN && toml_bool(legacy_tool)))
            mode = "live";
        else if (config_feature_enabled(cfg, "web_search_cached"))
            mode = "cached";
        else
            mode = cfg->sandbox_mode == SANDBOX_DANGER_FULL_ACCESS ? "live" : "cached";
    }
    cfg->web_search = xstrdup(mode);
    const toml_value *table = get(get(cfg->root, "tools"), "web_search");
    if (table && toml_type(table) == TOML_TABLE) {
        struct web_search_tool_config *w = &cfg->web_search_tool;
        w->context_size = dup_str(table, "context_size");
        get_strings(table, "allowed_domains", &w->allowed_domains);
        const toml_value *loc = get(table, "location");
        w->country = dup_str(loc, "country");
        w->region = dup_str(loc, "region");
        w->city = dup_str(loc, "city");
        w->timezone = dup_str(loc, "timezone");
    }
}

int config_extract(struct codex_config *cfg, const struct config_load_opts *opts, char *err,
                   size_t errlen)
{
    const toml_value *root = cfg->root;
    cfg->model = dup_str(root, "model");
    cfg->model_reasoning_effort = dup_str(root, "model_reasoning_effort");
    cfg->plan_mode_reasoning_effort = dup_str(root, "plan_mode_reasoning_effort");
    cfg->model_reasoning_summary = dup_str(root, "model_reasoning_summary");
    cfg->model_verbosity = dup_str(root, "model_verbosity");
    cfg->review_model = dup_str(root, "review_model");
    cfg->model_context_window = get_int(root, "model_context_window", 0);
    cfg->model_auto_compact_token_limit = get_int(root, "model_auto_compact_token_limit", 0);
    const char *scope = get_str(root, "model_auto_compact_token_limit_scope");
    cfg->compact_limit_after_prefix = scope && strcmp(scope, "body_after_prefix") == 0;
    cfg->compact_prompt = dup_str(root, "compact_prompt");
    if (!cfg->compact_prompt &&
        read_non_empty(get_str(root, "experimental_compact_prompt_file"), "experimental compact prompt file",
                       &cfg->compact_prompt, err, errlen) < 0)
        return -1;
    cfg->oss_provider = dup_str(root, "oss_provider");
    const char *reviewer = get_str(root, "approvals_reviewer");
    if (reviewer && strcmp(reviewer, "user") != 0 && strcmp(reviewer, "auto_review") != 0 &&
        strcmp(reviewer, "guardian_subagent") != 0) {
        snprintf(err, errlen, "approvals_reviewer: unknown value `%s`; use \"user\" or \"auto_review\"", reviewer);
        return -1;
    }
    cfg->auto_review = reviewer && strcmp(reviewer, "user") != 0;
    /* A blank policy is no policy: ours applies. */
    const char *policy = get_str(get(root, "auto_review"), "policy");
    if (policy && policy[strspn(policy, " \t\r\n")])
        cfg->auto_review_policy = xstrdup(policy);
    cfg->auto_review_timeout_ms = get_int(get(root, "auto_review"), "timeout_ms", 0);

    extract_permissions(cfg);
    for (int i = 0; i < opts->n_add_dirs; i++) {
        char *cwd = cfg->cwd;
        strvec_push_owned(&cfg->add_dirs, config_abs_path(cwd, opts->add_dirs[i]));
    }
    extract_shell_env(cfg);

    cfg->developer_instructions = dup_str(root, "developer_instructions");
    cfg->model_instructions_file = dup_str(root, "model_instructions_file");
    if (!cfg->model_instructions_file)
        cfg->model_instructions_file = dup_str(root, "experimental_instructions_file");
    if (read_non_empty(cfg->model_instructions_file, "model instructions file", &cfg->model_instructions, err,
                       errlen) < 0)
        return -1;
    cfg->project_doc_max_bytes = get_int(root, "project_doc_max_bytes", 32768);
    if (cfg->project_doc_max_bytes < 0) {
        snprintf(err, errlen, "project_doc_max_bytes must not be negative (got %lld)",
                 (long long)cfg->project_doc_max_bytes);
        return -1;
    }
    get_strings(root, "project_doc_fallback_filenames", &cfg->project_doc_fallback_filenames);
    extract_skill_rules(cfg);

    const toml_value *history = get(root, "history");
    cfg->history_persistence = get_str(history, "persistence") ? dup_str(history, "persistence")
                                                               : xstrdup("save-all");
    cfg->history_max_bytes = get_int(history, "max_bytes", 0);
    if (cfg->history_max_bytes < 0)
        cfg->history_max_bytes = 0;

    cfg->allow_login_shell = get_bool(root, "allow_login_shell", true);
    cfg->hide_agent_reasoning = get_bool(root, "hide_agent_reasoning", false);
    const char *tier = get_str(root, "service_tier");
    /* "fast" is the name users see; the API calls the tier "priority". */
    if (tier)
        cfg->service_tier = xstrdup(strcmp(tier, "fast") == 0 ? "priority" : tier);
    cfg->personality = dup_str(root, "personality");
    get_strings(root, "notify", &cfg->notify);
    cfg->model_catalog_json = dup_str(root, "model_catalog_json");
    cfg->include_apply_patch_tool = get_bool(root, "include_apply_patch_tool", true);
    cfg->include_environment_context = get_bool(root, "include_environment_context", true);
    cfg->include_permissions_instructions = get_bool(root, "include_permissions_instructions", true);
    cfg->include_collaboration_mode_instructions =
        get_bool(root, "include_collaboration_mode_instructions", true);

    if (extract_providers(cfg, err, errlen) < 0)
        return -1;
    extract_web_search(cfg);
    if (permissions_extract(cfg, opts->listing_profiles, err, errlen) < 0)
        return -1;
    return mcp_servers_read(root, &cfg->mcp_origins, &cfg->mcp_servers, &cfg->n_mcp_servers, err,
                            errlen);
}

const struct model_provider *config_provider(const struct codex_config *cfg, const char *id)
{
    for (int i = 0; i < cfg->n_providers; i++)
        if (strcmp(cfg->providers[i].id, id) == 0)
            return &cfg->providers[i];
    return NULL;
}

bool config_feature_enabled(const struct codex_config *cfg, const char *name)
{
    const struct feature_info *f = feature_lookup(name);
    if (!f)
        return false;
    const toml_value *pin = cfg->feature_pins ? toml_table_get(cfg->feature_pins, f->name) : NULL;
    if (pin && toml_type(pin) == TOML_BOOLEAN)
        return toml_bool(pin);
    return feature_effective(f, cfg->root);
}

void config_free(struct codex_config *cfg)
{
    for (size_t i = 0; i < cfg->n_skill_rules; i++) {
        free(cfg->skill_rules[i].path);
        free(cfg->skill_rules[i].name);
    }
    free(cfg->skill_rules);
    toml_free(cfg->root);
    toml_free(cfg->feature_pins);
    toml_free(cfg->network_requirements);
    toml_free(cfg->allowed_sandbox_modes);
    free(cfg->requirements_path);
    permission_profile_free(cfg->permissions);
    mcp_servers_free(cfg->mcp_servers, cfg->n_mcp_servers);
    strvec_free(&cfg->mcp_origins);
    free(cfg->codex_home);
    free(cfg->cwd);
    free(cfg->profile);
    free(cfg->project_root);
    free(cfg->oss_provider);
    free(cfg->model);
    free(cfg->model_provider);
    free(cfg->model_reasoning_effort);
    free(cfg->plan_mode_reasoning_effort);
    free(cfg->model_reasoning_summary);
    free(cfg->model_verbosity);
    free(cfg->review_model);
    strvec_free(&cfg->workspace_write.writable_roots);
    strvec_free(&cfg->add_dirs);
    strvec_free(&cfg->shell_env.exclude);
    strvec_free(&cfg->shell_env.include_only);
    strvec_free(&cfg->shell_env.set);
    free(cfg->developer_instructions);
    free(cfg->model_instructions_file);
    free(cfg->model_instructions);
    strvec_free(&cfg->project_doc_fallback_filenames);
    free(cfg->web_search);
    free(cfg->web_search_tool.context_size);
    strvec_free(&cfg->web_search_tool.allowed_domains);
    free(cfg->web_search_tool.country);
    free(cfg->web_search_tool.region);
    free(cfg->web_search_tool.city);
    free(cfg->web_search_tool.timezone);
    free(cfg->history_persistence);
    free(cfg->service_tier);
    free(cfg->personality);
    free(cfg->compact_prompt);
    free(cfg->auto_review_policy);
    strvec_free(&cfg->notify);
    free(cfg->model_catalog_json);
    for (int i = 0; i < cfg->n_providers; i++) {
        struct model_provider *p = &cfg->providers[i];
        free(p->id);
        free(p->name);
        free(p->base_url);
        free(p->env_key);
        free(p->wire_api);
        toml_free(p->http_headers);
        toml_free(p->env_http_headers);
        toml_free(p->query_params);
    }
    free(cfg->providers);
    memset(cfg, 0, sizeof *cfg);
}

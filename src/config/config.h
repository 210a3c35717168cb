/* The effective configuration of one run, assembled from layers with the
 * reference's precedence (lowest first):
 *
 *   built-in defaults
 *   $CODEX_HOME/config.toml
 *   [profiles.<name>] of that file (selected by --profile or `profile =`)
 *   $CODEX_HOME/<name>.config.toml, when --profile names one that exists
 *   .codex/config.toml from the repo root down to cwd (trusted projects only)
 *   -c overrides and dedicated flags (-m, -s, -a, --full-auto, --enable ...)
 *   /etc/codex/managed_config.toml
 *
 * and then checked against /etc/codex/requirements.toml.  Paths can be
 * redirected for tests with CODEX_HOME, CODEX_MANAGED_CONFIG_PATH and
 * CODEX_REQUIREMENTS_PATH.
 *
 * A project directory is trusted by its own [projects."<dir>"] entry, or
 * failing that by the project root's; only user-level layers can say so.
 * Each layer is checked on its own before merging (config_keys.c), so errors
 * name the file:line:col of the offending value; relative paths in a layer
 * are resolved against that layer's directory. */
#ifndef CODEX_CONFIG_CONFIG_H
#define CODEX_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/permissions.h"
#include "config/mcp_servers.h"
#include "config/toml.h"
#include "util/error.h"
#include "util/strvec.h"

enum sandbox_mode {
    SANDBOX_READ_ONLY,
    SANDBOX_WORKSPACE_WRITE,
    SANDBOX_DANGER_FULL_ACCESS,
};

enum approval_policy {
    APPROVAL_UNTRUSTED,
    APPROVAL_ON_FAILURE, /* deprecated in the reference; accepted */
    APPROVAL_ON_REQUEST,
    APPROVAL_NEVER,
    APPROVAL_GRANULAR, /* approval_policy = { granular = { ... } } */
};

/* approval_policy.granular: true lets that kind of prompt through to the
 * user, false rejects it automatically. */
struct granular_approval {
    bool sandbox_approval;
    bool rules;
    bool mcp_elicitations;
    bool request_permissions;
    bool skill_approval;
};

struct sandbox_workspace_write {
    struct strvec writable_roots; /* absolute paths */
    bool network_access;
    bool exclude_tmpdir_env_var;
    bool exclude_slash_tmp;
};

enum env_inherit { ENV_INHERIT_ALL, ENV_INHERIT_CORE, ENV_INHERIT_NONE };

struct shell_environment_policy {
    enum env_inherit inherit;
    bool ignore_default_excludes;
    struct strvec exclude;      /* glob patterns, case-insensitive */
    struct strvec include_only; /* glob patterns; empty = no filter */
    struct strvec set;          /* "NAME=VALUE" pairs */
};

struct model_provider {
    char *id;
    char *name;
    char *base_url;
    char *env_key;      /* NULL when the provider needs no key */
    char *wire_api;     /* "responses" */
    toml_value *http_headers;     /* table or NULL */
    toml_value *env_http_headers; /* table or NULL */
    toml_value *query_params;     /* table or NULL */
    int64_t request_max_retries;  /* default 4 */
    int64_t stream_max_retries;   /* default 5 */
    int64_t stream_idle_timeout_ms; /* default 300000 */
    bool requires_openai_auth;
};

/* One [[skills.config]] entry: a skill chosen by its SKILL.md path
 * (absolute) or by name, and whether it is on. */
struct skill_config_entry {
    char *path; /* or NULL */
    char *name; /* or NULL */
    bool enabled;
};

struct codex_config {
    toml_value *root; /* the merged tree of every layer, for generic lookups */

    /* The process environment as the front end passed it (borrowed; it
     * outlives the config).  Library code reads the environment from here
     * only. */
    const char *const *envp;
    char *codex_home;  /* absolute */
    char *cwd;         /* absolute; -C applied */
    char *profile;     /* active profile name or NULL */

    char *model;          /* NULL: the catalog's default */
    char *model_provider; /* id; "openai" by default */
    char *model_reasoning_effort;  /* NULL: the model's default */
    /* The TUI's turns in Plan mode (NULL: the Plan preset's effort). */
    char *plan_mode_reasoning_effort;
    char *model_reasoning_summary;
    char *model_verbosity;
    char *review_model;
    int64_t model_context_window;  /* 0: from the catalog */
    int64_t model_auto_compact_token_limit;
    /* model_auto_compact_token_limit_scope = "body_after_prefix": what the
     * last compaction carried over does not count against the limit. */
    bool compact_limit_after_prefix;
    char *compact_prompt;         /* compact_prompt, else experimental_compact_prompt_file's text */
    /* approvals_reviewer = "auto_review" (or the legacy "guardian_subagent"):
     * questions go to a reviewer model request instead of the user. */
    bool auto_review;
    char *auto_review_policy;     /* [auto_review].policy, or NULL for ours */
    int64_t auto_review_timeout_ms; /* [auto_review].timeout_ms (ours); 0: the reference's 90 s */

    enum approval_policy approval_policy;
    struct granular_approval granular;
    enum sandbox_mode sandbox_mode;
    struct sandbox_workspace_write workspace_write;
    struct strvec add_dirs; /* --add-dir, absolute */
    bool use_legacy_landlock;

    struct shell_environment_policy shell_env;

    char *developer_instructions;
    char *model_instructions_file;
    char *model_instructions; /* its text, trimmed (read at load) */
    int64_t project_doc_max_bytes; /* default 32768 */
    struct strvec project_doc_fallback_filenames;
    struct skill_config_entry *skill_rules; /* [[skills.config]], in file order */
    size_t n_skill_rules;
    bool skills_bundled; /* [skills.bundled] enabled: install and list the system skills */

    char *web_search; /* "disabled" | "cached" | "live" | "indexed" */
    /* [tools.web_search]: what the hosted tool entry carries besides its mode. */
    struct web_search_tool_config {
        char *context_size;            /* "low" | "medium" | "high", or NULL */
        struct strvec allowed_domains; /* filters.allowed_domains */
        char *country, *region, *city, *timezone; /* user_location */
    } web_search_tool;
    char *history_persistence; /* "save-all" | "none" */
    int64_t history_max_bytes; /* 0: unlimited */

    struct model_provider *providers; /* built-ins plus [model_providers.*] */
    int n_providers;

    bool project_trusted; /* cwd's project is trusted */

    /* Added by the config branch. */
    bool project_untrusted; /* cwd's project is explicitly marked untrusted */
    char *project_root;     /* nearest ancestor of cwd with a root marker (.git), else cwd */
    char *oss_provider;     /* "ollama" | "lmstudio" | NULL */
    toml_value *feature_pins; /* [features] of requirements.toml, or NULL */

    /* [mcp_servers], sorted by name (config/mcp_servers.h). */
    struct mcp_server_config *mcp_servers;
    size_t n_mcp_servers;
    struct strvec mcp_origins; /* "name\tFILE:LINE:COL" of the files that define them */

    /* Behaviour switches of the agent and its front ends. */
    bool allow_login_shell;       /* exec_command may use `bash -lc` (default true) */
    bool hide_agent_reasoning;    /* human output leaves reasoning out */
    char *service_tier;           /* as the request sends it: "priority" | "flex" | NULL */
    char *personality;            /* "none" | "friendly" | "pragmatic" | NULL */
    struct strvec notify;         /* program and leading arguments run after each turn */
    char *model_catalog_json;     /* a catalog file replacing the built-in one, or NULL */
    bool include_apply_patch_tool;          /* default true */
    bool include_environment_context;       /* default true */
    bool include_permissions_instructions;  /* default true */
    bool include_collaboration_mode_instructions; /* default true */
    /* The permission profile commands run under (config/permissions.h):
     * default_permissions, or the legacy sandbox settings' equivalent. */
    struct permission_profile *permissions;
    toml_value *network_requirements; /* [network] of requirements.toml, or NULL */
    toml_value *allowed_sandbox_modes; /* requirements.toml's list, or NULL: any mode */
    char *requirements_path;          /* for messages about it */
};

/* What the front end passes in: the shared CLI flags, already parsed. */
struct config_load_opts {
    const char *const *envp;      /* the process environment (CODEX_HOME, HOME, ...) */
    const char *const *overrides; /* "key=value" strings from -c, in order */
    int n_overrides;
    const char *const *enable;
    int n_enable;
    const char *const *disable;
    int n_disable;
    const char *const *add_dirs;
    int n_add_dirs;
    const char *profile;
    const char *model;
    const char *sandbox_mode;
    const char *approval_policy;
    /* codex exec's policy (never: nobody can be asked) over what the
     * layers and -c say, unless approvals_reviewer names a reviewer; the
     * --ask-for-approval flag still wins. */
    const char *unreviewed_approval_policy;
    const char *cd;
    const char *local_provider;
    bool full_auto;
    bool yolo;
    bool oss;
    bool search;
    bool strict_config;
    bool approve_for_me; /* workspace-write + on-request, approvals_reviewer = auto_review */
    /* Loading to run a session (exec, the TUI, an app-server thread, codex
     * sandbox): a restricting setting codex-c cannot honour yet refuses the
     * load; other commands only warn about it. */
    bool session;
    bool ignore_user_config; /* skip $CODEX_HOME/config.toml (exec --ignore-user-config) */
    /* Loading only to list the permission profiles: [permissions.<name>]
     * tables without default_permissions are listed, not refused. */
    bool listing_profiles;
};

/* Load the configuration.  On failure returns -1 with err set to one line
 * ("FILE:LINE:COL: what; what to do" or "-c ARG: what"); the reference exits
 * 1 for these.  Warnings (unknown keys without --strict-config) go to stderr. */
int config_load(const struct config_load_opts *opts, struct codex_config *out,
                struct codex_error *err);
void config_free(struct codex_config *cfg);

const struct model_provider *config_provider(const struct codex_config *cfg, const char *id);

/* Effective value of a [features] flag (defaults, config, --enable/--disable,
 * requirement pins). */
bool config_feature_enabled(const struct codex_config *cfg, const char *name);

const char *sandbox_mode_name(enum sandbox_mode m);
/* Whether requirements.toml's allowed_sandbox_modes lets a session run in
 * mode m (true without the list). */
bool config_sandbox_mode_allowed(const struct codex_config *cfg, enum sandbox_mode m);          /* "workspace-write" */
const char *approval_policy_name(enum approval_policy p);    /* "on-request" */

/* Read a TOML file the way config files are read (TOML 1.1, as the
 * reference).  Returns 1 with *out set, 0 when the file does not exist, or -1
 * with "FILE:LINE:COL: message" (or "FILE: cannot read: ...") in err. */
int config_read_toml_file(const char *path, size_t max_bytes, toml_value **out, char *err,
                          size_t errlen);

/* /etc/codex/requirements.toml, or $CODEX_REQUIREMENTS_PATH when set. */
const char *config_requirements_path(const char *const *envp);

/* $CODEX_HOME (else $HOME/.codex), absolute; caller frees.  NULL with
 * errbuf set when it cannot be determined. */
char *config_codex_home(const char *const *envp, char *errbuf, size_t errlen);

/* Set (value) or remove (NULL) one key of a config file in place, keeping
 * the user's comments and layout; atomic, 0600. */
int config_file_set(const char *path, const char *const *keys, size_t n, const toml_value *value,
                    struct codex_error *err);
/* Record the project of cfg as trusted in $CODEX_HOME/config.toml (exec
 * --trust); an explicitly untrusted project stays untrusted. */
int config_trust_project(const struct codex_config *cfg, struct codex_error *err);
/* "Always allow" for an MCP tool: [mcp_servers.<server>.tools.<tool>]
 * approval_mode = "approve" in $CODEX_HOME/config.toml. */
int config_mcp_tool_approve(const struct codex_config *cfg, const char *server, const char *tool,
                            struct codex_error *err);

/* A name --profile accepts (letters, digits, '-', '_'), as the reference. */
bool config_profile_name_valid(const char *name);

#endif

/* What a session needs to authenticate, gathered in one place for every
 * front end (exec, the app server, the TUI): the sign-in related
 * environment (from the envp the front end passes down), the config keys,
 * the auth manager built from both, and the provider auth handed to the
 * model client. */
#ifndef CODEX_LOGIN_SESSION_H
#define CODEX_LOGIN_SESSION_H

#include <stdbool.h>

#include <uv.h>

#include "config/config.h"
#include "login/auth_manager.h"
#include "model/provider.h"
#include "store/auth.h"
#include "util/error.h"

/* The environment variables that concern sign-in; pointers into envp. */
struct login_env {
    const char *ca_file;        /* CODEX_CA_CERTIFICATE, else SSL_CERT_FILE */
    const char *ca_variable;    /* which of the two it came from */
    const char *refresh_url;    /* CODEX_REFRESH_TOKEN_URL_OVERRIDE */
    const char *revoke_url;     /* CODEX_REVOKE_TOKEN_URL_OVERRIDE */
    const char *authapi_base;   /* CODEX_AUTHAPI_BASE_URL */
    const char *app_server_issuer; /* CODEX_APP_SERVER_LOGIN_ISSUER */
    const char *access_token;   /* CODEX_ACCESS_TOKEN */
    const char *codex_api_key;  /* CODEX_API_KEY */
    const char *openai_api_key; /* OPENAI_API_KEY */
};

/* Read the variables from envp.  -1 with err set when the CA bundle named
 * cannot be read (every HTTPS connection would fail later, less clearly). */
int login_env_read(const char *const *envp, struct login_env *out, struct codex_error *err);

/* The config keys that concern sign-in. */
struct login_settings {
    enum auth_store_mode store_mode; /* cli_auth_credentials_store; file */
    const char *forced_login_method; /* "chatgpt" | "api" | NULL */
    char *forced_workspace_id;       /* forced_chatgpt_workspace_id (ids joined by ",") */
    const char *chatgpt_base_url;    /* NULL: https://chatgpt.com/backend-api/ */
    char *log_dir;                   /* log_dir, else $CODEX_HOME/log */
};

/* Borrowed strings point into cfg.  -1 with err set for a bad value. */
int login_settings_read(const struct codex_config *cfg, struct login_settings *out,
                        struct codex_error *err);
void login_settings_free(struct login_settings *s);

/* The auth manager for a session.  honour_codex_api_key: CODEX_API_KEY
 * applies (codex exec).  NULL with err set on unreadable credentials. */
struct auth_manager *login_session_auth(uv_loop_t *loop, const struct codex_config *cfg,
                                        const struct login_env *env,
                                        const struct login_settings *s, bool honour_codex_api_key,
                                        struct codex_error *err);

/* The provider auth for the model client, from the manager (may be NULL:
 * then only the CA bundle is set). */
void login_provider_auth(struct auth_manager *m, const struct login_settings *s,
                         const struct login_env *env, struct provider_auth *out);

/* All of the above for a thread a server starts (the app server's, the MCP
 * server's): as exec has it, but without CODEX_API_KEY, and refused when
 * forced_login_method or the workspace rule says so.  *have_settings says
 * whether settings was filled (and is to be freed).  NULL, or why the
 * thread cannot start (caller frees). */
char *login_thread_auth(uv_loop_t *loop, const struct codex_config *cfg, const char *const *envp,
                        struct login_settings *settings, bool *have_settings,
                        struct auth_manager **auth, struct provider_auth *provider_auth);

#endif

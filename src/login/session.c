#include "login/session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/envp.h"
#include "util/fs.h"
#include "util/xalloc.h"

int login_env_read(const char *const *envp, struct login_env *out, struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    out->ca_file = envp_get_nonempty(envp, "CODEX_CA_CERTIFICATE");
    out->ca_variable = "CODEX_CA_CERTIFICATE";
    if (!out->ca_file) {
        out->ca_file = envp_get_nonempty(envp, "SSL_CERT_FILE");
        out->ca_variable = "SSL_CERT_FILE";
    }
    out->refresh_url = envp_get_nonempty(envp, "CODEX_REFRESH_TOKEN_URL_OVERRIDE");
    out->revoke_url = envp_get_nonempty(envp, "CODEX_REVOKE_TOKEN_URL_OVERRIDE");
    out->authapi_base = envp_get_nonempty(envp, "CODEX_AUTHAPI_BASE_URL");
    out->app_server_issuer = envp_get_nonempty(envp, "CODEX_APP_SERVER_LOGIN_ISSUER");
    out->access_token = envp_get_nonempty(envp, "CODEX_ACCESS_TOKEN");
    out->codex_api_key = envp_get_nonempty(envp, "CODEX_API_KEY");
    out->openai_api_key = envp_get_nonempty(envp, "OPENAI_API_KEY");
    if (out->ca_file && access(out->ca_file, R_OK) != 0) {
        codex_error_set_os(err, errno, "%s=%s: cannot read the CA bundle", out->ca_variable,
                           out->ca_file);
        return -1;
    }
    if (!out->ca_file)
        out->ca_variable = NULL;
    return 0;
}

static const char *root_string(const struct codex_config *cfg, const char *key)
{
    toml_value *v = cfg->root ? toml_table_get(cfg->root, key) : NULL;
    return v && toml_type(v) == TOML_STRING ? toml_string(v, NULL) : NULL;
}

int login_settings_read(const struct codex_config *cfg, struct login_settings *out,
                        struct codex_error *err)
{
    memset(out, 0, sizeof *out);
    const char *store = root_string(cfg, "cli_auth_credentials_store");
    if (store && !auth_store_mode_parse(store, &out->store_mode)) {
        codex_error_set_at(err, "cli_auth_credentials_store",
                           "unknown value `%s`; use file, keyring or auto", store);
        return -1;
    }
    out->forced_login_method = root_string(cfg, "forced_login_method");
    toml_value *ws = cfg->root ? toml_table_get(cfg->root, "forced_chatgpt_workspace_id") : NULL;
    if (ws && toml_type(ws) == TOML_STRING) {
        const char *id = toml_string(ws, NULL);
        out->forced_workspace_id = *id ? xstrdup(id) : NULL;
    } else if (ws && toml_type(ws) == TOML_ARRAY) {
        struct buf b = BUF_INIT;
        for (size_t i = 0; i < toml_array_len(ws); i++) {
            const toml_value *item = toml_array_at(ws, i);
            if (toml_type(item) != TOML_STRING) {
                buf_free(&b);
                codex_error_set_at(err, "forced_chatgpt_workspace_id",
                                   "expected a workspace id or a list of them");
                return -1;
            }
            buf_printf(&b, "%s%s", b.len ? "," : "", toml_string(item, NULL));
        }
        out->forced_workspace_id = b.len ? buf_detach(&b, NULL) : NULL;
        buf_free(&b);
    } else if (ws) {
        codex_error_set_at(err, "forced_chatgpt_workspace_id",
                           "expected a workspace id or a list of them");
        return -1;
    }
    out->chatgpt_base_url = root_string(cfg, "chatgpt_base_url");
    const char *log_dir = root_string(cfg, "log_dir");
    out->log_dir = log_dir ? xstrdup(log_dir) : fs_join(cfg->codex_home, "log");
    return 0;
}

void login_settings_free(struct login_settings *s)
{
    free(s->forced_workspace_id);
    free(s->log_dir);
    memset(s, 0, sizeof *s);
}

struct auth_manager *login_session_auth(uv_loop_t *loop, const struct codex_config *cfg,
                                        const struct login_env *env,
                                        const struct login_settings *s, bool honour_codex_api_key,
                                        struct codex_error *err)
{
    struct auth_manager_options o = {
        .loop = loop,
        .codex_home = cfg->codex_home,
        .store_mode = s->store_mode,
        .refresh_url = env->refresh_url,
        .authapi_base_url = env->authapi_base,
        .ca_file = env->ca_file,
        .codex_api_key = honour_codex_api_key ? env->codex_api_key : NULL,
        .access_token = env->access_token,
        .openai_api_key = env->openai_api_key,
    };
    return auth_manager_new(&o, err);
}

void login_provider_auth(struct auth_manager *m, const struct login_settings *s,
                         const struct login_env *env, struct provider_auth *out)
{
    memset(out, 0, sizeof *out);
    out->ca_file = env->ca_file;
    if (!m)
        return;
    out->credentials = auth_manager_credentials(m);
    enum auth_kind k = auth_manager_kind(m);
    out->chatgpt = k == AUTH_KIND_CHATGPT || k == AUTH_KIND_CHATGPT_EXTERNAL ||
                   k == AUTH_KIND_PERSONAL_TOKEN || k == AUTH_KIND_AGENT_IDENTITY;
    out->chatgpt_base_url = s->chatgpt_base_url;
}

char *login_thread_auth(uv_loop_t *loop, const struct codex_config *cfg, const char *const *envp,
                        struct login_settings *settings, bool *have_settings,
                        struct auth_manager **auth, struct provider_auth *provider_auth)
{
    struct codex_error err = CODEX_ERROR_INIT;
    struct login_env env;
    if (login_env_read(envp, &env, &err) < 0 || login_settings_read(cfg, settings, &err) < 0)
        goto fail;
    *have_settings = true;
    if (!(*auth = login_session_auth(loop, cfg, &env, settings, false, &err)))
        goto fail;
    bool stored = false;
    char *denied = auth_manager_check_restrictions(*auth, settings->forced_login_method,
                                                   settings->forced_workspace_id, &stored);
    if (denied)
        return denied;
    login_provider_auth(*auth, settings, &env, provider_auth);
    return NULL;
fail:;
    char *text = codex_error_text(&err);
    codex_error_clear(&err);
    return text;
}

/* The account module: account/read, account/logout, account/rateLimits/read
 * and account/bedrock/checkGovCloudRequirements.
 *
 * The account is what $CODEX_HOME/auth.json holds (store/auth.h): an API key
 * or nothing; ChatGPT sign-in belongs to the login work, which extends the
 * store and this file.  Whether the configured provider needs an OpenAI
 * sign-in comes from its requires_openai_auth setting. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "rpc/jsonrpc.h"
#include "rpc/modules.h"
#include "rpc/request.h"
#include "rpc/server.h"
#include "store/auth.h"

/* The configuration the server's threads start from.  False after
 * replying. */
static bool load_config(struct rpc_request *req, struct codex_config *cfg)
{
    struct rpc_server *s = req->server;
    struct config_load_opts opts = {
        .envp = s->envp,
        .overrides = s->config_overrides,
        .n_overrides = s->n_config_overrides,
        .cd = s->cwd,
    };
    char err[1024];
    if (config_load(&opts, cfg, err, sizeof err) != 0) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", err);
        return false;
    }
    return true;
}

static void account_read(struct rpc_request *req)
{
    json_t *params = rpc_params(req, "GetAccountParams", true);
    bool refresh = false;
    if (!params || !rpc_get_bool(req, params, "refreshToken", &refresh))
        return;
    struct codex_config cfg;
    if (!load_config(req, &cfg))
        return;
    const struct model_provider *p =
        config_provider(&cfg, cfg.model_provider ? cfg.model_provider : "openai");
    bool requires_openai = p ? p->requires_openai_auth : true;
    char *key = auth_load_api_key(req->server->codex_home);
    json_t *account = key ? json_pack("{s:s}", "type", "apiKey") : json_null();
    free(key);
    config_free(&cfg);
    rpc_reply(req, json_pack("{s:o s:n s:b s:n}", "account", account, "userId",
                             "requiresOpenaiAuth", requires_openai, "workspaceRouting"));
}

static void account_logout(struct rpc_request *req)
{
    if (auth_remove(req->server->codex_home) < 0) {
        rpc_reply_errno(req, errno);
        return;
    }
    struct rpc_conn *c = req->conn;
    rpc_conn_ref(c);
    rpc_reply(req, NULL);
    rpc_conn_notify(c, "account/updated", json_pack("{s:n s:n}", "authMode", "planType"));
    rpc_conn_unref(c);
}

/* Rate limits come with a ChatGPT sign-in, which this build does not have
 * yet; the reference answers an API-key or signed-out account the same. */
static void rate_limits_read(struct rpc_request *req)
{
    if (!rpc_params(req, "GetAccountRateLimitsParams", true))
        return;
    rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                    "codex account authentication required to read rate limits");
}

/* Amazon Bedrock is not a provider of this build: nothing to warn about. */
static void gov_cloud_requirements(struct rpc_request *req)
{
    if (!rpc_params(req, "CheckGovCloudRequirementsParams", true))
        return;
    rpc_reply(req, json_pack("{s:b s:b}", "isGovCloud", 0, "shouldWarn", 0));
}

const struct rpc_module rpc_account_module = {
    .name = "account",
    .methods =
        (const struct rpc_method[]){
            {"account/read", account_read},
            {"account/logout", account_logout},
            {"account/rateLimits/read", rate_limits_read},
            {"account/bedrock/checkGovCloudRequirements", gov_cloud_requirements},
            {NULL, NULL},
        },
};

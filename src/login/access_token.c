#include "login/access_token.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "login/jwt.h"
#include "login/oauth.h"
#include "model/http_fetch.h"
#include "util/xalloc.h"

struct pat_whoami {
    struct http_fetch *fetch;
    pat_whoami_fn done;
    void *ud;
};

bool access_token_is_personal(const char *token)
{
    return token && strncmp(token, "at-", 3) == 0 && token[3];
}

void pat_identity_free(struct pat_identity *id)
{
    free(id->email);
    free(id->user_id);
    free(id->account_id);
    free(id->plan_type);
    memset(id, 0, sizeof *id);
}

static char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s && *s ? xstrdup(s) : NULL;
}

static void on_answer(void *ud, const struct http_fetch_result *res)
{
    struct pat_whoami *w = ud;
    struct pat_identity id = {0};
    char *error = NULL;
    if (res->error) {
        error = xasprintf("failed to request personal access token metadata: %s", res->error);
    } else if (res->status < 200 || res->status >= 300) {
        const char *reason = http_reason_phrase(res->status);
        error = xasprintf("personal access token metadata request failed with status %ld%s%s",
                          res->status, *reason ? " " : "", reason);
    } else {
        json_t *j = json_loadb(res->body, res->body_len, 0, NULL);
        if (!json_is_object(j)) {
            char *detail = oauth_error_detail(res->body, res->body_len);
            error = xasprintf("failed to decode personal access token metadata: %s", detail);
            free(detail);
        } else {
            id.email = str(j, "email");
            id.user_id = str(j, "chatgpt_user_id");
            id.account_id = str(j, "chatgpt_account_id");
            id.plan_type = str(j, "chatgpt_plan_type");
            id.fedramp = json_is_true(json_object_get(j, "chatgpt_account_is_fedramp"));
            if (!id.account_id)
                error = xstrdup("failed to decode personal access token metadata: "
                                "chatgpt_account_id is missing");
        }
        json_decref(j);
    }
    w->done(w->ud, error ? NULL : &id, error);
    free(error);
    pat_identity_free(&id);
    free(w);
}

struct pat_whoami *pat_whoami_start(uv_loop_t *loop, const char *authapi_base,
                                    const char *ca_file, const char *token, pat_whoami_fn done,
                                    void *ud)
{
    struct pat_whoami *w = xcalloc(1, sizeof *w);
    w->done = done;
    w->ud = ud;
    const char *base = authapi_base && *authapi_base ? authapi_base : LOGIN_DEFAULT_AUTHAPI;
    size_t n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    char *url = xasprintf("%.*s/v1/user-auth-credential/whoami", (int)n, base);
    struct strvec headers = STRVEC_INIT;
    strvec_push_owned(&headers, xasprintf("authorization: Bearer %s", token));
    strvec_push(&headers, "accept: application/json");
    struct http_fetch_request req = {.method = "GET", .url = url, .headers = &headers,
                                     .ca_file = ca_file};
    w->fetch = http_fetch_start(loop, &req, on_answer, w);
    strvec_free(&headers);
    free(url);
    return w;
}

void pat_whoami_cancel(struct pat_whoami *w)
{
    if (!w)
        return;
    http_fetch_cancel(w->fetch);
    free(w);
}

const char *access_token_unsupported_reason(const char *token)
{
    json_t *claims = jwt_claims(token);
    bool agent = claims && json_object_get(claims, "agent_runtime_id");
    json_decref(claims);
    if (agent)
        return "agent identity tokens are not supported by codex-c yet; use a personal access "
               "token (at-...) or sign in with ChatGPT";
    return "failed to decode agent identity JWT: invalid credential JSON";
}

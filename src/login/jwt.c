#include "login/jwt.h"

#include <stdlib.h>
#include <string.h>

#include "util/base64.h"
#include "util/xalloc.h"

#define AUTH_CLAIM "https://api.openai.com/auth"
#define PROFILE_CLAIM "https://api.openai.com/profile"

json_t *jwt_claims(const char *token)
{
    if (!token)
        return NULL;
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot1 || !dot2 || dot1 == token || dot2 == dot1 + 1 || strchr(dot2 + 1, '.'))
        return NULL;
    size_t n;
    unsigned char *payload = base64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &n);
    if (!payload)
        return NULL;
    json_t *claims = json_loadb((const char *)payload, n, 0, NULL);
    free(payload);
    if (claims && !json_is_object(claims)) {
        json_decref(claims);
        return NULL;
    }
    return claims;
}

static char *string_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? xstrdup(s) : NULL;
}

bool chatgpt_claims_read(const char *token, struct chatgpt_claims *out)
{
    memset(out, 0, sizeof *out);
    json_t *claims = jwt_claims(token);
    if (!claims)
        return false;
    json_t *auth = json_object_get(claims, AUTH_CLAIM);
    out->email = string_of(claims, "email");
    if (!out->email)
        out->email = string_of(json_object_get(claims, PROFILE_CLAIM), "email");
    out->account_id = string_of(auth, "chatgpt_account_id");
    out->plan_type = string_of(auth, "chatgpt_plan_type");
    out->user_id = string_of(auth, "chatgpt_user_id");
    if (!out->user_id)
        out->user_id = string_of(auth, "user_id");
    out->organization_id = string_of(auth, "organization_id");
    out->project_id = string_of(auth, "project_id");
    out->completed_platform_onboarding =
        json_is_true(json_object_get(auth, "completed_platform_onboarding"));
    out->is_org_owner = json_is_true(json_object_get(auth, "is_org_owner"));
    json_t *exp = json_object_get(claims, "exp");
    out->exp = json_is_integer(exp) ? (long long)json_integer_value(exp)
               : json_is_real(exp)  ? (long long)json_real_value(exp)
                                    : 0;
    json_decref(claims);
    return true;
}

void chatgpt_claims_free(struct chatgpt_claims *c)
{
    free(c->email);
    free(c->account_id);
    free(c->plan_type);
    free(c->user_id);
    free(c->organization_id);
    free(c->project_id);
    memset(c, 0, sizeof *c);
}

/* Reading the claims of the JWTs the identity provider issues.  Only the
 * payload is decoded: these tokens come to us over TLS from the issuer and
 * are checked by the servers we send them to, so their signature is not
 * ours to verify (the reference does the same). */
#ifndef CODEX_LOGIN_JWT_H
#define CODEX_LOGIN_JWT_H

#include <stdbool.h>

#include <jansson.h>

/* The payload of a "header.payload.signature" token as a JSON object
 * (caller decrefs), or NULL when the token is not shaped like a JWT. */
json_t *jwt_claims(const char *token);

/* What the reference reads from an id_token (and access token). */
struct chatgpt_claims {
    char *email;              /* email, or https://api.openai.com/profile.email */
    char *account_id;         /* https://api.openai.com/auth.chatgpt_account_id */
    char *plan_type;          /* ...chatgpt_plan_type */
    char *user_id;            /* ...chatgpt_user_id, or user_id */
    char *organization_id;    /* ...organization_id */
    char *project_id;         /* ...project_id */
    bool completed_platform_onboarding;
    bool is_org_owner;
    long long exp;            /* exp, or 0 */
};

/* false when the token is not a JWT with a JSON payload. */
bool chatgpt_claims_read(const char *token, struct chatgpt_claims *out);
void chatgpt_claims_free(struct chatgpt_claims *c);

#endif

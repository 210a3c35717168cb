/* The identity provider's OAuth endpoints, as the reference uses them:
 *   POST {issuer}/oauth/token, form: authorization_code (+ PKCE verifier)
 *   POST {issuer}/oauth/token, form: token exchange of the id_token for an
 *        API key (requested_token=openai-api-key)
 *   POST {refresh URL}, JSON: grant_type=refresh_token, with a reason
 *   POST {revoke URL}, JSON: {token, token_type_hint, client_id}
 * Every call runs on the loop and reports once.  No token ever appears in
 * an error message: answers are described by status and error code. */
#ifndef CODEX_LOGIN_OAUTH_H
#define CODEX_LOGIN_OAUTH_H

#include <stdbool.h>

#include <uv.h>

#define LOGIN_CLIENT_ID "app_EMoamEEZ73f0CkXaXp7hrann"
#define LOGIN_DEFAULT_ISSUER "https://auth.openai.com"
#define LOGIN_DEFAULT_REFRESH_URL "https://auth.openai.com/oauth/token"
#define LOGIN_DEFAULT_REVOKE_URL "https://auth.openai.com/oauth/revoke"

struct oauth_tokens {
    char *id_token;
    char *access_token;
    char *refresh_token;
};
void oauth_tokens_free(struct oauth_tokens *t);

/* Where the calls go and how; strings borrowed for the call's lifetime. */
struct oauth_endpoint {
    uv_loop_t *loop;
    const char *url;      /* the full endpoint URL */
    const char *client_id;
    const char *ca_file;  /* extra HTTPS roots, or NULL */
};

struct oauth_call;

/* error NULL: tokens filled (all three, the id_token a JWT carrying the
 * ChatGPT auth claims). */
typedef void (*oauth_tokens_fn)(void *ud, const struct oauth_tokens *tokens, const char *error);
struct oauth_call *oauth_exchange_code(const struct oauth_endpoint *ep, const char *redirect_uri,
                                       const char *code_verifier, const char *code,
                                       oauth_tokens_fn done, void *ud);

typedef void (*oauth_string_fn)(void *ud, const char *value, const char *error);
/* The API key minted from an id_token (value), or an error. */
struct oauth_call *oauth_obtain_api_key(const struct oauth_endpoint *ep, const char *id_token,
                                        oauth_string_fn done, void *ud);

enum oauth_refresh_failure {
    OAUTH_REFRESH_OK,
    OAUTH_REFRESH_EXPIRED,   /* refresh_token_expired */
    OAUTH_REFRESH_REUSED,    /* refresh_token_reused */
    OAUTH_REFRESH_REVOKED,   /* refresh_token_invalidated */
    OAUTH_REFRESH_REJECTED,  /* another 401 */
    OAUTH_REFRESH_TRANSIENT, /* network, timeout, 5xx, a malformed answer */
};
/* tokens: the fields the answer held (any may be NULL: keep the old one). */
typedef void (*oauth_refresh_fn)(void *ud, const struct oauth_tokens *tokens,
                                 enum oauth_refresh_failure failure, const char *error);
struct oauth_call *oauth_refresh(const struct oauth_endpoint *ep, const char *refresh_token,
                                 const char *reason, oauth_refresh_fn done, void *ud);
/* The user-facing line for a refresh failure ("Your access token could not
 * be refreshed ... Please log out and sign in again."). */
const char *oauth_refresh_failure_message(enum oauth_refresh_failure f);

/* Best effort: done gets NULL or a one-line error. */
typedef void (*oauth_done_fn)(void *ud, const char *error);
struct oauth_call *oauth_revoke(const struct oauth_endpoint *ep, const char *token,
                                const char *token_type_hint, oauth_done_fn done, void *ud);

/* Abandon a call: its callback does not run. */
void oauth_call_cancel(struct oauth_call *c);

/* "400 Bad Request" for a status (the reason may be empty for odd codes). */
const char *http_reason_phrase(long status);

/* The description of a token endpoint's error answer: its
 * error_description, error.message or error code, else the body when it
 * is short plain text, else "unknown error" (caller frees). */
char *oauth_error_detail(const char *body, size_t len);

#endif

/* The credentials of a running session: which ones apply (environment,
 * then the store), the bearer the model client sends, and keeping ChatGPT
 * tokens alive.
 *
 * Which credentials apply, first match wins:
 *   CODEX_API_KEY       (exec only: the front end passes it only there)
 *   CODEX_ACCESS_TOKEN  a personal access token; nothing is written
 *   the store           auth.json / keyring: API key, ChatGPT tokens,
 *                       external ChatGPT tokens, personal access token
 *   OPENAI_API_KEY
 *
 * ChatGPT tokens are refreshed before a request when the access token's
 * exp has passed (as the reference) or last_refresh is more than 8 days
 * old (as the documentation says), and on a 401: first the stored tokens
 * are read again (another process may have refreshed them), then, on a
 * second 401, refreshed.  A refresh holds $CODEX_HOME/auth.json.lock from
 * reading the stored tokens to writing the new ones, so processes sharing
 * a CODEX_HOME refresh one at a time and the later ones adopt the tokens
 * the first one stored instead of spending a used refresh token.  Taking
 * the lock never blocks the loop: a busy lock is polled. */
#ifndef CODEX_LOGIN_AUTH_MANAGER_H
#define CODEX_LOGIN_AUTH_MANAGER_H

#include <stdbool.h>

#include <uv.h>

#include "model/credentials.h"
#include "store/auth.h"
#include "util/error.h"

#define AUTH_REFRESH_MAX_AGE_S (8 * 24 * 3600)

enum auth_kind {
    AUTH_KIND_NONE,
    AUTH_KIND_API_KEY,
    AUTH_KIND_CHATGPT,          /* tokens Codex manages and refreshes */
    AUTH_KIND_CHATGPT_EXTERNAL, /* "chatgptAuthTokens": a host app manages them */
    AUTH_KIND_PERSONAL_TOKEN,   /* "at-..." */
    AUTH_KIND_AGENT_IDENTITY,   /* stored, but not usable by codex-c */
};

enum auth_source { AUTH_SOURCE_NONE, AUTH_SOURCE_ENV, AUTH_SOURCE_STORE };

struct auth_manager_options {
    uv_loop_t *loop;
    const char *codex_home;
    enum auth_store_mode store_mode;
    const char *client_id;        /* NULL: the Codex CLI's */
    const char *refresh_url;      /* NULL: https://auth.openai.com/oauth/token */
    const char *authapi_base_url; /* NULL: https://auth.openai.com/api/accounts */
    const char *ca_file;          /* extra HTTPS roots, or NULL */
    /* From the process environment, read by the front end: */
    const char *codex_api_key;    /* CODEX_API_KEY, or NULL where not honoured */
    const char *access_token;     /* CODEX_ACCESS_TOKEN */
    const char *openai_api_key;   /* OPENAI_API_KEY */
};

struct auth_manager;

/* NULL with err set when the stored credentials cannot be read (a
 * malformed auth.json names the file and what is wrong). */
struct auth_manager *auth_manager_new(const struct auth_manager_options *o,
                                      struct codex_error *err);
void auth_manager_free(struct auth_manager *m);

enum auth_kind auth_manager_kind(const struct auth_manager *m);
enum auth_source auth_manager_source(const struct auth_manager *m);
/* "apikey" | "chatgpt" | "chatgptAuthTokens" | NULL: the app server's
 * AuthMode names. */
const char *auth_kind_name(enum auth_kind k);

struct auth_account {
    const char *email;      /* may be NULL */
    const char *plan_type;  /* may be NULL */
    const char *account_id; /* may be NULL */
};
/* What the id_token (or whoami) says about the account; strings live as
 * long as the manager's current credentials. */
void auth_manager_account(const struct auth_manager *m, struct auth_account *out);
/* The API key in use (AUTH_KIND_API_KEY), or NULL. */
const char *auth_manager_api_key(const struct auth_manager *m);

/* The interface the model client calls (NULL for AUTH_KIND_NONE). */
struct model_credentials *auth_manager_credentials(struct auth_manager *m);

/* The configured restrictions against the credentials in use:
 * forced_login_method ("chatgpt" | "api") and forced_chatgpt_workspace_id.
 * NULL when they pass, else the message (caller frees); *stored_violates is
 * set when the offending credentials come from the store (the reference
 * then removes them). */
char *auth_manager_check_restrictions(const struct auth_manager *m, const char *forced_method,
                                      const char *forced_workspace, bool *stored_violates);

/* Read the store again (a sign-in or sign-out happened in this process). */
int auth_manager_reload(struct auth_manager *m, struct codex_error *err);

/* Refresh now (the reason sent is "forced"), whatever the token's age;
 * done(NULL) or done(message).  For AUTH_KIND_CHATGPT only. */
void auth_manager_refresh(struct auth_manager *m, model_credentials_done done, void *ud);

#endif

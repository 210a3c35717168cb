/* Access tokens for agent and enterprise use (`codex login
 * --with-access-token`, CODEX_ACCESS_TOKEN).  A token starting "at-" is a
 * personal access token: its account is looked up at
 * {authapi}/v1/user-auth-credential/whoami.  Any other token would be an
 * Agent Identity JWT, whose request signing codex-c does not implement. */
#ifndef CODEX_LOGIN_ACCESS_TOKEN_H
#define CODEX_LOGIN_ACCESS_TOKEN_H

#include <stdbool.h>

#include <uv.h>

#define LOGIN_DEFAULT_AUTHAPI "https://auth.openai.com/api/accounts"

bool access_token_is_personal(const char *token);

struct pat_identity {
    char *email;
    char *user_id;
    char *account_id;
    char *plan_type;
    bool fedramp;
};
void pat_identity_free(struct pat_identity *id);

/* error NULL: id filled. */
typedef void (*pat_whoami_fn)(void *ud, const struct pat_identity *id, const char *error);

struct pat_whoami;
struct pat_whoami *pat_whoami_start(uv_loop_t *loop, const char *authapi_base,
                                    const char *ca_file, const char *token, pat_whoami_fn done,
                                    void *ud);
void pat_whoami_cancel(struct pat_whoami *w);

/* What is wrong with a token that is not a personal access token. */
const char *access_token_unsupported_reason(const char *token);

#endif

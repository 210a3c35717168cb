/* Signing out: ChatGPT tokens Codex manages are revoked with the issuer
 * (best effort: an unreachable issuer does not keep the user signed in),
 * then the stored credentials are removed. */
#ifndef CODEX_LOGIN_LOGOUT_H
#define CODEX_LOGIN_LOGOUT_H

#include <uv.h>

#include "store/auth.h"

struct logout_options {
    uv_loop_t *loop;
    const char *codex_home;
    enum auth_store_mode store_mode;
    const char *revoke_url; /* NULL: https://auth.openai.com/oauth/revoke */
    const char *client_id;  /* NULL: the Codex CLI's */
    const char *ca_file;
};

/* removed: 1 when credentials were stored, 0 when there were none.
 * error: they could not be removed. */
typedef void (*logout_done_fn)(void *ud, int removed, const char *error);

/* done runs once, possibly before this returns. */
void logout_start(const struct logout_options *o, logout_done_fn done, void *ud);

#endif

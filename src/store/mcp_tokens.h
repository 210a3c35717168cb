/* OAuth credentials of HTTP MCP servers, kept like the reference keeps
 * them when no keyring is used: $CODEX_HOME/.credentials.json, one entry
 * per server under the reference's key (the name, "|", and 16 hex digits
 * of the SHA-256 of {"type":"http","url":URL,"headers":{}}) holding the
 * client id, the access and refresh tokens, when the access token expires
 * and the scopes granted; an entry is found by the server_name and
 * server_url it holds, as the reference finds it.  The file is 0600,
 * replaced atomically, and removed when its last entry goes. */
#ifndef CODEX_STORE_MCP_TOKENS_H
#define CODEX_STORE_MCP_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"
#include "util/strvec.h"

struct mcp_tokens {
    char *client_id;
    char *client_secret;  /* a pre-registered client's, or NULL */
    char *access_token;
    char *refresh_token;  /* or NULL */
    int64_t expires_at_ms; /* unix milliseconds, as the reference keeps it; 0: unknown */
    struct strvec scopes;
    char *token_endpoint; /* where to refresh, or NULL */
};

/* 1 with *out filled, 0 when nothing is stored, -1 with err set (an
 * unreadable or malformed file). */
int mcp_tokens_load(const char *codex_home, const char *server, const char *url,
                    struct mcp_tokens *out, struct codex_error *err);
int mcp_tokens_save(const char *codex_home, const char *server, const char *url,
                    const struct mcp_tokens *t, struct codex_error *err);
/* 1 removed, 0 there was nothing, -1 with err set. */
int mcp_tokens_delete(const char *codex_home, const char *server, const char *url,
                      struct codex_error *err);
bool mcp_tokens_exist(const char *codex_home, const char *server, const char *url);
/* Keep a pre-registered client's secret for the next login (0 or -1). */
int mcp_tokens_save_client_secret(const char *codex_home, const char *server, const char *url,
                                  const char *secret);
void mcp_tokens_free(struct mcp_tokens *t);

#endif

/* OAuth for streamable HTTP MCP servers, on the caller's libuv loop:
 *
 *   - discovery: the server's protected-resource metadata (RFC 9728) names
 *     its authorization server, whose metadata (RFC 8414, or OpenID
 *     discovery) gives the endpoints; without the first, the server's own
 *     origin is taken as the authorization server;
 *   - a client: the configured one, else dynamic registration (RFC 7591);
 *   - authorization code with PKCE (S256) and a state, the code arriving
 *     at login/callback_server.h on 127.0.0.1 (or pasted: the redirect URL
 *     on stdin);
 *   - the code exchanged for tokens, which are stored (store/mcp_tokens.h);
 *   - refresh: a refresh token traded for new tokens (after a 401). */
#ifndef CODEX_MCP_OAUTH_H
#define CODEX_MCP_OAUTH_H

#include <stdbool.h>

#include <uv.h>

#include "config/mcp_servers.h"
#include "util/strvec.h"

struct mcp_login_opts {
    const char *codex_home;
    const struct mcp_server_config *server;
    const struct strvec *scopes;     /* NULL: the server's scopes, else none */
    const char *registration;        /* "auto" | "cimd" | "dcr" | NULL */
    unsigned short callback_port;    /* 0: any free port */
    const char *callback_url;        /* redirect URI to announce, or NULL */
    /* Shown to the user: the URL to open (the front end prints it and may
     * open a browser). */
    void (*show_url)(void *ud, const char *url);
    void *ud;
};

struct mcp_login;
struct codex_config;

/* The configuration's mcp_oauth_callback_port and mcp_oauth_callback_url
 * into o (the URL is borrowed from cfg).  False, with *error a static
 * line, when the port is not a port number. */
bool mcp_login_callback_config(const struct codex_config *cfg, struct mcp_login_opts *o,
                               const char **error);

/* Start a login; done runs once, later, with NULL (tokens stored) or an
 * error line (also when the callback port cannot be taken). */
struct mcp_login *mcp_login_start(uv_loop_t *loop, const struct mcp_login_opts *opts,
                                  void (*done)(void *ud, const char *error), void *ud);
/* The user pasted the URL the browser was sent back to: its code and
 * state count as if they had reached the listener.  False when it holds
 * no code. */
bool mcp_login_paste(struct mcp_login *l, const char *redirect_url);
/* Give up (done is not called). */
void mcp_login_cancel(struct mcp_login *l);

/* Trade the stored refresh token of server for new tokens and store them;
 * done runs once with NULL or an error line.  Returns false (done not
 * called) when there is no refresh token to trade. */
bool mcp_oauth_refresh(uv_loop_t *loop, const char *codex_home, const struct mcp_server_config *s,
                       void (*done)(void *ud, const char *error), void *ud);

#endif

/* Shared by the files of the MCP OAuth flow (oauth.c, the flow;
 * oauth_http.c, its requests; oauth_callback.c, the loopback
 * listener).  Nothing else includes it. */
#ifndef CODEX_MCP_OAUTH_INTERNAL_H
#define CODEX_MCP_OAUTH_INTERNAL_H

#include <stdbool.h>

#include <uv.h>

#include "mcp/oauth.h"
#include "util/buf.h"

struct mcp_fetch_result {
    long status;       /* 0: no answer (error says why) */
    const char *body;  /* the answer's body (for a non-2xx, its start) */
    const char *error;
};

typedef void (*mcp_fetch_fn)(void *ud, const struct mcp_fetch_result *r);

/* GET (body NULL) or POST; done runs once, later.  -1 with *err when no
 * HTTP client can be made. */
int mcp_fetch(uv_loop_t *loop, const char *method, const char *url, const char *content_type,
              const char *body, mcp_fetch_fn done, void *ud, char **err);

/* The loopback listener: one request to /callback gives its query string
 * (path checked, answered with a page telling the user to go back). */
struct mcp_callback_listener;
struct mcp_callback_listener *mcp_callback_listen(uv_loop_t *loop, unsigned short port,
                                                  void (*got)(void *ud, const char *query), void *ud,
                                                  unsigned short *bound_port, char **err);
void mcp_callback_close(struct mcp_callback_listener *l);

/* The value of name in a query string, decoded (caller frees), or NULL. */
char *mcp_query_param(const char *query, const char *name);

#endif

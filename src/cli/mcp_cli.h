/* The pieces of `codex mcp` shared by its files (mcp.c: list, get, add,
 * remove; mcp_login.c: login, logout). */
#ifndef CODEX_CLI_MCP_CLI_H
#define CODEX_CLI_MCP_CLI_H

#include <stdbool.h>

#include "config/config.h"
#include "util/strvec.h"

/* What the subcommands were given. */
struct mcp_add_args {
    const char *name;
    struct strvec command;  /* add: the program and its arguments */
    struct strvec env;      /* add: KEY=VALUE */
    const char *url;
    const char *bearer_token_env_var;
    const char *oauth_client_id;
    const char *oauth_client_secret;
    const char *oauth_resource;
    const char *registration; /* auto | cimd | dcr */
    const char *scopes;       /* login: "a,b" */
    bool no_browser;
};

/* server is NULL when no server has that name.  Exit status. */
int mcp_cli_login(const struct codex_config *cfg, const struct mcp_server_config *server,
                  const char *name, const struct mcp_add_args *a);
int mcp_cli_logout(const struct codex_config *cfg, const struct mcp_server_config *server,
                   const char *name);

#endif

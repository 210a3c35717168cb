/* [mcp_servers.<name>]: the MCP servers a session starts.  A stdio server
 * has `command` (with args, env, env_vars, cwd); a streamable HTTP server
 * has `url` (with bearer_token_env_var, http_headers, env_http_headers).
 * Each layer's entries are checked on their own (types, names, choices,
 * command and url together) so errors name file:line:col; the merged
 * entry must then name a transport. */
#ifndef CODEX_CONFIG_MCP_SERVERS_H
#define CODEX_CONFIG_MCP_SERVERS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/toml.h"
#include "util/strvec.h"

enum mcp_transport_kind { MCP_TRANSPORT_STDIO, MCP_TRANSPORT_HTTP };

/* default_tools_approval_mode / tools.<name>.approval_mode */
enum mcp_approval_mode {
    MCP_APPROVAL_UNSET,
    MCP_APPROVAL_AUTO,    /* read-only tools run; others ask */
    MCP_APPROVAL_PROMPT,  /* every tool asks */
    MCP_APPROVAL_WRITES,  /* like auto (the reference treats them alike) */
    MCP_APPROVAL_APPROVE, /* every tool runs */
};

struct mcp_tool_setting {
    char *tool;
    enum mcp_approval_mode approval_mode;
};

/* Name/value pairs, in the order written. */
struct mcp_pairs {
    struct strvec names;
    struct strvec values;
};

struct mcp_server_config {
    char *name;
    enum mcp_transport_kind transport;
    /* stdio */
    char *command;
    struct strvec args;
    struct mcp_pairs env;      /* the env table */
    bool has_env;
    struct strvec env_vars;    /* names passed through from codex's environment */
    char *cwd;                 /* NULL: the session's working directory */
    /* streamable HTTP */
    char *url;
    char *bearer_token_env_var;
    struct mcp_pairs http_headers;
    bool has_http_headers;
    struct mcp_pairs env_http_headers; /* header name -> environment variable */
    bool has_env_http_headers;
    struct strvec scopes;
    char *oauth_resource;
    char *oauth_client_id;
    /* both */
    bool enabled;
    bool required;
    double startup_timeout_sec; /* < 0: not set (10 s) */
    double tool_timeout_sec;    /* < 0: not set (120 s) */
    struct strvec enabled_tools;
    bool has_enabled_tools;
    struct strvec disabled_tools;
    bool has_disabled_tools;
    enum mcp_approval_mode default_tools_approval_mode;
    struct mcp_tool_setting *tools;
    size_t n_tools;
};

#define MCP_DEFAULT_STARTUP_TIMEOUT_SEC 10.0
#define MCP_DEFAULT_TOOL_TIMEOUT_SEC 120.0

/* Is name a server name the reference accepts ([A-Za-z0-9_-:@/.]+)? */
bool mcp_server_name_valid(const char *name);
const char *mcp_approval_mode_name(enum mcp_approval_mode m); /* "auto", ... */

/* Check one layer's mcp_servers value (v; where_fn gives "FILE:LINE:COL"
 * for a value).  0, or -1 with err set. */
typedef void (*mcp_where_fn)(const void *ud, const toml_value *v, char *out, size_t outlen);
int mcp_servers_check_layer(const toml_value *v, mcp_where_fn where, const void *ud, char *err,
                            size_t errlen);

/* Read the merged [mcp_servers] into configs sorted by name.  origins holds
 * "name\tFILE:LINE:COL" for entries a file layer defined (the last one
 * wins), for errors about the merged entry.  0, or -1 with err set. */
int mcp_servers_read(const toml_value *root, const struct strvec *origins,
                     struct mcp_server_config **out, size_t *n, char *err, size_t errlen);
void mcp_servers_free(struct mcp_server_config *s, size_t n);

#endif

/* The MCP servers of one session: every enabled server starts at once, in
 * parallel on the loop; each becomes ready (its tools listed) or failed.  A
 * call to a server that failed or crashed starts it again and waits for
 * it.  The environment a stdio server gets is the reference's: a short
 * whitelist of codex's own variables, the names listed in env_vars and the
 * env table; nothing else (no CODEX_HOME, no API keys). */
#ifndef CODEX_MCP_MANAGER_H
#define CODEX_MCP_MANAGER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "config/mcp_servers.h"
#include "mcp/client.h"

enum mcp_server_state {
    MCP_SERVER_DISABLED, /* enabled = false: never started */
    MCP_SERVER_STARTING,
    MCP_SERVER_READY,
    MCP_SERVER_FAILED,   /* error says why; the next call starts it again */
};

struct mcp_server {
    const struct mcp_server_config *cfg;
    enum mcp_server_state state;
    char *error;          /* FAILED: one line */
    json_t *tools;        /* READY (and after): the tools offered, filtered */
    char *instructions;   /* from initialize, or NULL */
    json_t *server_info;  /* initialize's serverInfo (READY and after), or NULL */
    json_t *capabilities; /* initialize's capabilities (READY and after), or NULL */
    bool was_ready;       /* it has been ready once (a later failure is a crash) */
};

struct mcp_manager_env {
    const char *const *envp;   /* codex's own environment */
    const char *cwd;           /* the session's working directory */
    const char *path_prefix;   /* put before PATH for stdio servers, or NULL */
    const char *client_version;
    /* Where stored OAuth tokens live (store/mcp_tokens.h): an HTTP server
     * without bearer_token_env_var is sent its stored access token, and a
     * 401 refreshes the tokens (mcp/oauth.h) and tries once more.  NULL:
     * neither. */
    const char *codex_home;
};

struct mcp_manager_callbacks {
    /* A server became ready or failed (index into the servers). */
    void (*on_server_changed)(void *ud, size_t index);
    /* A server asked something (elicitation/create, ...); answer with
     * mcp_manager_answer.  NULL: every such request is declined. */
    void (*on_server_request)(void *ud, size_t index, const json_t *id, const char *method,
                              const json_t *params);
    void *ud;
};

struct mcp_manager;
struct mcp_call;

/* Replace the callbacks (the session takes over a manager its front end
 * started). */
void mcp_manager_set_callbacks(struct mcp_manager *m, const struct mcp_manager_callbacks *cb);
/* A second listener, told after the callbacks (the front end watching
 * startup while the session owns the callbacks); NULL fn removes it. */
void mcp_manager_observe(struct mcp_manager *m, void (*fn)(void *ud, size_t index), void *ud);

/* servers: borrowed, must outlive the manager.  Starts them all. */
struct mcp_manager *mcp_manager_new(uv_loop_t *loop, const struct mcp_server_config *servers,
                                    size_t n, const struct mcp_manager_env *env,
                                    const struct mcp_manager_callbacks *cb);
/* Close every connection (HTTP sessions end with a DELETE); the loop must
 * then run until idle. */
void mcp_manager_free(struct mcp_manager *m);

size_t mcp_manager_count(const struct mcp_manager *m);
const struct mcp_server *mcp_manager_server(const struct mcp_manager *m, size_t i);
/* The index of the server with that configured name, or -1. */
long mcp_manager_find(const struct mcp_manager *m, const char *name);
/* No enabled server is still starting. */
bool mcp_manager_settled(const struct mcp_manager *m);
/* Whether every server configured `required` is ready or failed. */
bool mcp_manager_required_settled(const struct mcp_manager *m);
/* "required MCP servers failed to initialize: NAME: WHY; ..." (the
 * reference's words) for the required servers that failed, or NULL. */
char *mcp_manager_required_error(const struct mcp_manager *m);

/* Send a request to server i (the reference of params is taken).  A server
 * that failed is started again first; a server still starting is waited
 * for.  done runs exactly once unless the call is cancelled; when it ran
 * before this returns (the server cannot start), the result is NULL. */
struct mcp_call *mcp_manager_call(struct mcp_manager *m, size_t i, const char *method,
                                  json_t *params, const struct mcp_request_opts *opts);
/* The caller gives up: the server is told (notifications/cancelled). */
void mcp_call_cancel(struct mcp_call *call, const char *reason);
/* The id the request went out with, or -1 while it waits for its server. */
long mcp_call_request_id(const struct mcp_call *call);

/* Answer a server's request (result, or an error when result is NULL). */
void mcp_manager_answer(struct mcp_manager *m, size_t i, const json_t *id, json_t *result,
                        long code, const char *message);

/* The environment a stdio server of cfg gets (exposed for tests). */
void mcp_server_env(const struct mcp_server_config *cfg, const struct mcp_manager_env *env,
                    struct strvec *out);

#endif

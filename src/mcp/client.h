/* One connection to one MCP server: the handshake (initialize, then
 * notifications/initialized, then tools/list page by page), requests
 * matched to their answers by id with a timeout each (an expired request
 * is cancelled at the server with notifications/cancelled), progress
 * notifications routed to the request they belong to, and the server's own
 * requests (elicitation, ping) answered.
 *
 * Callbacks run on the loop.  A client that failed (startup or later) is
 * reported once and stays failed; the owner starts a new one to retry. */
#ifndef CODEX_MCP_CLIENT_H
#define CODEX_MCP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "mcp/transport.h"

#define MCP_PROTOCOL_VERSION "2025-06-18"

struct mcp_client;
struct mcp_request;

/* How a request ended when it got no result. */
struct mcp_failure {
    enum { MCP_FAIL_RPC, MCP_FAIL_TIMEOUT, MCP_FAIL_CLOSED } kind;
    long code;           /* MCP_FAIL_RPC: the JSON-RPC error code */
    const char *message; /* one line */
    const json_t *data;  /* MCP_FAIL_RPC: error.data, or NULL */
};

/* Exactly once per request unless it was cancelled: result (borrowed) or
 * failure. */
typedef void (*mcp_done_fn)(void *ud, const json_t *result, const struct mcp_failure *failure);
typedef void (*mcp_progress_fn)(void *ud, const json_t *params);

struct mcp_request_opts {
    unsigned timeout_ms;      /* 0: none */
    mcp_done_fn done;
    mcp_progress_fn progress; /* NULL: no progress token is sent */
    void *ud;
};

/* The server asked us something (elicitation/create, sampling, ...).  The
 * owner answers later with mcp_client_answer; id is borrowed. */
typedef void (*mcp_server_request_fn)(void *ud, struct mcp_client *c, const json_t *id,
                                      const char *method, const json_t *params);

struct mcp_client_callbacks {
    /* The handshake and the first tools/list are done. */
    void (*on_ready)(void *ud, struct mcp_client *c);
    /* The client failed: before it was ready (the handshake went wrong or
     * timed out) or later (the connection died).  Requests in flight have
     * already been failed.  Once. */
    void (*on_failed)(void *ud, struct mcp_client *c, const char *why);
    /* Optional. */
    mcp_server_request_fn on_server_request;
    /* Optional: notifications other than progress (tools/list_changed,
     * message, ...). */
    void (*on_notification)(void *ud, struct mcp_client *c, const char *method, const json_t *params);
    void *ud;
};

struct mcp_client_opts {
    const char *name;            /* the server's configured name, for messages */
    unsigned startup_timeout_ms; /* the whole handshake and tools/list */
    const char *client_version;  /* clientInfo.version */
    /* The transport: a process, or streamable HTTP (which gets no
     * "experimental" capability, as in the reference). */
    const struct mcp_stdio_spec *stdio;
    const struct mcp_http_spec *http;
};

/* Start the transport and the handshake.  NULL with err set when the
 * transport cannot start (the program is missing, libcurl is needed and
 * absent). */
struct mcp_client *mcp_client_new(uv_loop_t *loop, const struct mcp_client_opts *opts,
                                  const struct mcp_client_callbacks *cb, struct codex_error *err);
/* Close the connection; no callback runs after this (requests in flight are
 * dropped silently). */
void mcp_client_free(struct mcp_client *c);

bool mcp_client_ready(const struct mcp_client *c);
bool mcp_client_failed(const struct mcp_client *c);
/* What the server said about itself (valid once ready; may be NULL). */
const json_t *mcp_client_tools(const struct mcp_client *c);        /* all pages, in order */
const char *mcp_client_instructions(const struct mcp_client *c);
const json_t *mcp_client_server_info(const struct mcp_client *c);
const json_t *mcp_client_capabilities(const struct mcp_client *c);
const char *mcp_client_protocol_version(const struct mcp_client *c);

/* Send a request (params may be NULL; the reference is taken).  NULL when
 * the client has failed: done is not called then. */
struct mcp_request *mcp_client_request(struct mcp_client *c, const char *method, json_t *params,
                                       const struct mcp_request_opts *opts);
/* The caller no longer wants the answer: the server is told with
 * notifications/cancelled (reason given) and done is not called. */
void mcp_request_cancel(struct mcp_request *r, const char *reason);
/* The id the request was sent with. */
long mcp_request_id(const struct mcp_request *r);

void mcp_client_notify(struct mcp_client *c, const char *method, json_t *params);
/* Answer a request of the server (result or, with result NULL, an error). */
void mcp_client_answer(struct mcp_client *c, const json_t *id, json_t *result, long code,
                       const char *message);

#endif

/* The pieces of the MCP server, each using only the ones listed before it:
 *   tool_args.c  the two tools' schemas and their arguments
 *   events.c     agent events -> the reference's EventMsg objects
 *   thread.c     a thread: its configuration, credentials and agent; turns
 *   elicit.c     approval questions as elicitation/create requests
 *   server.c     messages in and out, dispatch, the tools/call lifecycle
 *   stdio.c      the stdin/stdout transport */
#ifndef CODEX_MCPSERVER_INTERNAL_H
#define CODEX_MCPSERVER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "config/config.h"
#include "core/agent.h"
#include "login/session.h"
#include "mcpserver/mcpserver.h"
#include "mcpserver/tool_args.h"
#include "model/provider.h"

struct mcps_thread;

/* A question sent to the client: our request id and the core's ticket. */
struct mcps_question {
    json_int_t id;
    uint64_t ticket;
    struct mcps_thread *thread;
    struct mcps_question *next;
};

struct mcps_thread {
    struct mcpserver *server;
    struct codex_config cfg;
    bool have_cfg;
    struct login_settings login;
    bool have_login;
    struct auth_manager *auth;
    struct provider_auth provider_auth;
    struct provider_settings ps;
    bool have_ps;
    struct agent *agent;
    struct mcp_manager *mcp; /* the configured MCP servers, or NULL */
    char *startup_prompt;    /* the first turn's, while the servers start */
    char *model;
    char *provider_id;
    char *base_instructions;

    /* The tools/call whose turn runs now (NULL: idle). */
    json_t *call_id;
    bool cancelled;        /* the client cancelled the call: no answer */
    char turn_id[64];
    char *failure;         /* why the turn failed */
    struct token_usage total;
    /* Items announced as started in this turn: an answer or reasoning is
     * started at its first delta, as the reference does, and the core's
     * later start of it is not sent again. */
    json_t *open_items;
    struct mcps_thread *next;
};

struct mcpserver {
    struct mcpserver_params p;
    bool initialized;
    bool input_closed;
    bool freeing;
    char *client_name, *client_version;
    struct mcps_thread *threads;
    /* Threads whose start failed from inside an MCP manager's callback:
     * freed at the next message or at the end, not under that callback. */
    struct mcps_thread *dead;
    struct mcps_question *questions;
    json_int_t next_request_id;
};

/* ---- server.c ---- */
/* Send a message (adds "jsonrpc": "2.0"; steals msg). */
void mcps_send(struct mcpserver *s, json_t *msg);
void mcps_log(struct mcpserver *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A codex/event notification of the thread's running call (steals msg). */
void mcps_send_event(struct mcps_thread *t, const char *event_id, json_t *msg);
/* The call's answer: a CallToolResult (steals result); the thread is idle
 * again. */
void mcps_finish_call(struct mcps_thread *t, json_t *result);
/* A CallToolResult with isError and one text. */
json_t *mcps_error_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- events.c ---- */
/* The EventMsg objects for one agent event, in order (a new array). */
json_t *mcps_event_msgs(struct mcps_thread *t, const struct agent_event *ev);
json_t *mcps_session_configured(struct mcps_thread *t);

/* ---- thread.c ---- */
/* Start a thread for a `codex` call: NULL with *why (caller frees). */
struct mcps_thread *mcps_thread_new(struct mcpserver *s, const struct mcps_codex_args *a, char **why);
struct mcps_thread *mcps_thread_find(struct mcpserver *s, const char *thread_id);
/* Run a turn for the call (id is copied). */
void mcps_thread_start_turn(struct mcps_thread *t, const json_t *call_id, const char *prompt);
/* A new thread's first call: once its MCP servers have settled, their
 * startup is reported, then the turn runs; or, when a required server
 * failed, the call gets the reference's error and the thread goes. */
void mcps_thread_open(struct mcps_thread *t, const json_t *call_id, const char *prompt);
/* Unlink t from its server's threads; it is freed later (see dead). */
void mcps_thread_drop(struct mcps_thread *t);
void mcps_thread_free(struct mcps_thread *t);

/* ---- elicit.c ---- */
bool mcps_ask(void *ud, const struct approval_request *req, uint64_t ticket);
void mcps_withdraw(void *ud, uint64_t ticket);
/* The client's answer to one of our requests (result NULL: an error
 * answer).  False when the id is not ours. */
bool mcps_answer(struct mcpserver *s, const json_t *id, const json_t *result);
/* Decline every question (input ended) or those of one thread. */
void mcps_decline_all(struct mcpserver *s, struct mcps_thread *only);

#endif

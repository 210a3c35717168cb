/* Codex as an MCP server (`codex mcp-server`): a client calls the tool
 * `codex` to start a thread of our core with a prompt and `codex-reply` to
 * go on with it.  While a turn runs, its events stream to the client as
 * `codex/event` notifications and approval questions go to it as
 * `elicitation/create` requests; the call's result is the turn's last
 * message and the thread id.
 *
 * The server is independent of its transport: it takes one message's text
 * at a time and hands each outgoing message to a callback.  stdio.h runs it
 * on the process's stdin and stdout. */
#ifndef CODEX_MCPSERVER_MCPSERVER_H
#define CODEX_MCPSERVER_MCPSERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

struct mcpserver_params {
    uv_loop_t *loop;
    const char *const *envp;   /* the process environment, for config and sign-in */
    const char *cwd;           /* where a relative `cwd` argument is resolved */
    const char *const *config_overrides; /* -c key=value, before each call's `config` */
    int n_config_overrides;
    /* One outgoing message (JSON text without a newline). */
    void (*send)(void *ud, const char *text, size_t len);
    /* A line for the operator (stderr), without a newline. */
    void (*log)(void *ud, const char *line);
    /* Input has ended and no call is running any more. */
    void (*finished)(void *ud);
    void *ud;
};

struct mcpserver;

struct mcpserver *mcpserver_new(const struct mcpserver_params *p);
/* One incoming message (a line without its newline). */
void mcpserver_receive(struct mcpserver *s, const char *text, size_t len);
/* No more input: unanswered questions are declined, running calls finish,
 * then `finished` runs (at once when nothing runs). */
void mcpserver_input_closed(struct mcpserver *s);
/* The id of a request line that is not valid JSON, read from its first
 * "id": member (an integer or a plain string), so that even such a line
 * gets an error answer the client can match.  NULL when there is none. */
struct json_t;
struct json_t *mcpserver_salvage_id(const char *text, size_t len);
/* Stops every thread; the loop must then run until idle. */
void mcpserver_free(struct mcpserver *s);

#endif

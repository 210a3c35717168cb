/* The contract between the agent core and the tools.
 *
 * The core starts a call; the tool runs it on the loop (never blocking it)
 * and finishes it exactly once with the text the model will see.  A tool
 * sees the session only through its host, a narrow interface the core
 * implements: report events, ask the approval gate about the exact request
 * it is about to carry out, ask the user a question, and start a process.
 * Tools never include core headers; the gate never finishes a tool call. */
#ifndef CODEX_TOOLS_TOOL_H
#define CODEX_TOOLS_TOOL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "policy/approval.h"
#include "proc/proc.h"
#include "util/error.h"
#include "util/strvec.h"

struct patch_plan;
struct exec_sessions;
struct tool_registry;

/* ---- what tools report -------------------------------------------------- */

enum tool_event_kind {
    TOOL_EV_ITEM_STARTED,   /* item: a v2 ThreadItem */
    TOOL_EV_ITEM_COMPLETED, /* item */
    TOOL_EV_OUTPUT_DELTA,   /* item_id, delta (a command's output as it arrives) */
    TOOL_EV_PLAN_UPDATED,   /* plan: {explanation?, plan: [{step, status}]} */
    TOOL_EV_MCP_PROGRESS,   /* item_id, delta: an MCP tool call's progress message */
};

struct tool_event {
    enum tool_event_kind kind;
    const json_t *item;
    const char *item_id;
    const char *delta;
    size_t delta_len;
    const json_t *plan;
    const struct patch_plan *patch; /* ITEM_COMPLETED of a patch that was written */
};

/* ---- the approval gate -------------------------------------------------- */

/* A command, exactly as it would run. */
struct tool_exec_request {
    const char *call_id;
    const char *const *argv;
    size_t argc;
    const char *cwd;
    bool escalation;            /* the model asked to run outside the sandbox */
    const char *justification;  /* with an escalation, or NULL */
    const char *const *prefix_rule; /* the rule the model proposes, or NULL */
    size_t n_prefix_rule;
    bool retry;                 /* again without the sandbox after a denial */
};

/* A patch, as the plan that will be applied: every path the commit step
 * writes or removes, resolved (.. folded, symlinks followed). */
struct tool_patch_request {
    const char *call_id;
    const char *patch;          /* the text, for display */
    const char *cwd;
    const struct patch_plan *plan;
    const json_t *changes;      /* the fileChange changes shown to the user */
};

/* A call to an MCP server's tool, as it would go out. */
struct tool_mcp_request {
    const char *call_id;
    const char *server;        /* as configured */
    const char *tool;          /* the MCP name */
    const json_t *arguments;   /* NULL when the model sent none */
    bool read_only;            /* annotated readOnlyHint: true */
    enum mcp_approval_mode mode; /* the tool's, else the server's default */
};

enum tool_gate_action {
    TOOL_GATE_RUN,             /* go ahead inside the sandbox */
    TOOL_GATE_RUN_UNSANDBOXED, /* go ahead outside it (approved before) */
    TOOL_GATE_ASK,             /* ask the user with `question` first */
    TOOL_GATE_REJECT,          /* refused: tell the model `message` */
};

struct tool_gate {
    enum tool_gate_action action;
    bool unsandboxed_if_approved; /* ASK: an approval lifts the sandbox */
    char *message;                /* REJECT: what the model is told; ASK: the reason
                                     shown with the question, or NULL; owned */
    char *session_key;            /* ASK: what "for the session" covers; owned */
    /* ASK: the command an "always" answer would allow from now on when the
     * model proposed no prefix_rule (empty: none is offered); owned. */
    struct strvec amendment;
};

void tool_gate_clear(struct tool_gate *g);

/* ---- the host ----------------------------------------------------------- */

struct tool_ask; /* a question in flight */

/* The user's answer, called exactly once: with their decision, or with
 * REVIEW_ABORT when the question is cancelled (the turn is going away). */
typedef void (*tool_answer_fn)(void *ud, enum review_decision decision);

/* A process for a tool: the host adds the session's environment, sandbox
 * policy and working-directory rules. */
struct tool_spawn {
    const char *const *argv;
    const char *cwd;          /* absolute */
    bool tty;                 /* a PTY; else pipes, stderr merged into stdout ... */
    bool split_stderr;        /* ... unless this is set: stderr arrives as PROC_STDERR */
    bool unsandboxed;         /* approved to run outside the sandbox */
    unsigned drain_ms;        /* see struct proc_spec */
    const char *const *extra_env; /* "NAME=value" set on top of the session's, or NULL */
};

struct tool_host_ops {
    void (*emit)(void *ctx, const struct tool_event *ev);
    struct tool_gate (*gate_exec)(void *ctx, const struct tool_exec_request *req);
    struct tool_gate (*gate_patch)(void *ctx, const struct tool_patch_request *req);
    struct tool_gate (*gate_mcp)(void *ctx, const struct tool_mcp_request *req);
    /* The session's part of an MCP request's _meta: x-codex-turn-metadata,
     * threadId, sessionId, windowId (a new object). */
    json_t *(*mcp_meta)(void *ctx);
    /* Put a question to the user; NULL never (a host with nobody to ask
     * answers REVIEW_DENIED on the loop). */
    struct tool_ask *(*ask)(void *ctx, const struct approval_request *req, tool_answer_fn answer, void *ud);
    /* The caller no longer wants the answer: it is called with REVIEW_ABORT. */
    void (*ask_cancel)(void *ctx, struct tool_ask *ask);
    /* While an answer callback runs: why the question was denied, when an
     * automatic reviewer denied it (the model is told that instead of the
     * user's refusal); NULL otherwise. */
    const char *(*denial_note)(void *ctx);
    struct proc *(*spawn)(void *ctx, const struct tool_spawn *spawn, const struct proc_callbacks *cb,
                          struct codex_error *err);
    /* When the managed proxy refused one of a command's requests (its
     * attachment, proc_netproxy_attachment): why, or NULL; the command
     * then fails with that instead of its output.  *reviewed is set when it
     * is an automatic reviewer's rationale (told to the model as is) rather
     * than the reference's "Network access to \"HOST\" was blocked: ...".
     * Caller frees.  The op may be NULL. */
    char *(*network_blocked)(void *ctx, uint64_t attachment, bool *reviewed);
};

/* What the tools may know of the session: facts, not state to change. */
struct tool_host {
    const struct tool_host_ops *ops;
    void *ctx;
    uv_loop_t *loop;
    const char *cwd;            /* the session's working directory */
    struct exec_sessions *sessions; /* exec_command's running processes */
    bool allow_login_shell;     /* allow_login_shell: `bash -lc` may be used */
    struct tool_registry *registry; /* tools providers add (MCP, subagents), or NULL */
};

/* ---- a call ------------------------------------------------------------- */

struct tool_call {
    struct tool_host *host;
    char *name;
    char *namespace_name; /* the function's namespace ("mcp__fx"), or NULL */
    char *call_id;
    char *item_id;        /* the model's id of the call item ("fc_..."), or NULL */
    char *input;   /* JSON arguments, or the raw input of a custom tool */
    bool custom;   /* custom_tool_call (freeform) rather than function_call */
    bool tool_search; /* a tool_search_call: input holds its arguments object */
    bool local_shell; /* a Responses local_shell_call; input is its action as JSON */
    char *output;  /* set by tool_call_finish */
    /* Set by tool_call_finish_items instead: a list of content items
     * (input_text, input_image), or for tool_search the tools found. */
    json_t *output_items;
    json_t *extra_input; /* items to add to the history after the output (images) */
    bool finished;
    bool hook_blocked; /* refused by a PreToolUse hook before it started */
    void (*on_finished)(struct tool_call *call);
    void *owner;
    /* Work a tool runs off the loop cannot be stopped: the tool holds the
     * call meanwhile, and a call the core frees while held is freed only
     * when the tool lets go. */
    int holds;
    bool dropped;
    /* Set by a tool whose work outlives the call unless told (a request to
     * an MCP server): called once when the core frees the call before it
     * finished (an interrupted turn). */
    void (*on_drop)(void *ud);
    void *drop_ud;
};

/* Start the call; on_finished runs later (or before this returns, for
 * tools that need no waiting). */
void tool_call_start(struct tool_call *call);
/* Hand the result to the core (takes ownership of output). */
void tool_call_finish(struct tool_call *call, char *output);
/* The same with a JSON result (takes the reference). */
void tool_call_finish_items(struct tool_call *call, json_t *items);
void tool_call_free(struct tool_call *call);
void tool_call_hold(struct tool_call *call);
/* Let go; false when the core dropped the call meanwhile (it is freed now
 * and must not be touched). */
bool tool_call_unhold(struct tool_call *call);

void tool_emit(struct tool_host *h, const struct tool_event *ev);
void tool_emit_item(struct tool_host *h, enum tool_event_kind kind, const json_t *item);

/* Does a failed command's output look like the sandbox stopped it? */
bool exec_output_looks_sandbox_denied(int exit_code, const char *output, size_t len);

/* Tools, by name. */
void tool_exec_command(struct tool_call *call, json_t *args);
void tool_write_stdin(struct tool_call *call, json_t *args);
void tool_update_plan(struct tool_call *call, json_t *args);
/* dir: NULL for the session's cwd, else absolute or relative to it. */
void tool_apply_patch(struct tool_call *call, const char *patch, const char *dir);
void tool_view_image(struct tool_call *call, json_t *args);
/* The Responses API's local shell: action {type: "exec", command: [argv],
 * working_directory?, timeout_ms?, env?}, through the same gate and sandbox
 * as exec_command. */
void tool_local_shell(struct tool_call *call, json_t *action);

#endif

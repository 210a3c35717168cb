/* The contract between the agent loop and the tools: the agent starts a
 * call, the tool runs it on the loop (never blocking it) and finishes it
 * exactly once with the text the model will see. */
#ifndef CODEX_TOOLS_TOOL_H
#define CODEX_TOOLS_TOOL_H

#include <stdbool.h>

#include <uv.h>

#include "config/config.h"
#include "core/events.h"

struct exec_sessions;
struct sandbox_policy;

struct tool_env {
    uv_loop_t *loop;
    const char *cwd;
    const char *codex_home;
    enum sandbox_mode sandbox;
    const struct sandbox_workspace_write *workspace_write; /* may be NULL */
    /* How commands are confined; NULL runs them unconfined, which only
     * danger-full-access asks for. */
    const struct sandbox_policy *sandbox_policy;
    const struct shell_environment_policy *env_policy;      /* may be NULL */
    const char *path_prefix;  /* directory with apply_patch aliases, or NULL */
    struct exec_sessions *sessions;
    agent_event_fn emit;
    void *emit_ud;
    const char *thread_id;
    const char *turn_id;
    struct approvals *approvals; /* NULL: no approval gate (tests) */
};

struct tool_call {
    struct tool_env *env;
    char *name;
    char *call_id;
    char *input;   /* JSON arguments, or the raw input of a custom tool */
    bool custom;   /* custom_tool_call (freeform) rather than function_call */
    char *output;  /* set by tool_call_finish */
    json_t *extra_input; /* items to add to the history after the output (images) */
    bool finished;
    bool gate_passed; /* approvals already decided: run as decided */
    bool unsandboxed; /* approved to run outside the sandbox */
    void (*on_finished)(struct tool_call *call);
    void *owner;
};

/* Start the call; on_finished runs later (or before this returns, for
 * tools that need no waiting). */
void tool_call_start(struct tool_call *call);
/* Hand the result to the agent (takes ownership of output). */
void tool_call_finish(struct tool_call *call, char *output);
void tool_call_free(struct tool_call *call);

/* Emit an event on behalf of a tool, with the thread and turn filled in. */
void tool_emit(struct tool_env *env, struct agent_event *ev);

/* Tools, by name. */
void tool_exec_command(struct tool_call *call, json_t *args);
void tool_write_stdin(struct tool_call *call, json_t *args);
void tool_update_plan(struct tool_call *call, json_t *args);
void tool_apply_patch(struct tool_call *call, const char *patch);
/* Same, relative to dir (NULL: the session's cwd; relative: under it). */
void tool_apply_patch_in(struct tool_call *call, const char *patch, const char *dir);
void tool_view_image(struct tool_call *call, json_t *args);

#endif

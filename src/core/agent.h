/* The agent loop.  A thread keeps the conversation history; a turn sends
 * it to the model, runs the tool calls the model asks for (in parallel, on
 * the libuv loop), appends their outputs and asks again, until the model
 * answers without tool calls.  Progress is reported as events (events.h)
 * and recorded in the rollout file. */
#ifndef CODEX_CORE_AGENT_H
#define CODEX_CORE_AGENT_H

#include <stdbool.h>

#include <jansson.h>
#include <uv.h>

#include "config/config.h"
#include "core/approvals.h"
#include "core/collab_mode.h"
#include "core/events.h"
#include "model/client.h"
#include "store/rollout.h"

struct subagent_link;
struct agent;

/* A front end that shows each child an agent's subagents start as a thread
 * of its own (the app server).  Children inherit it, so one observer sees
 * a whole tree. */
struct subagent_observer {
    /* A child's agent exists and no turn has started: the returned pointer
     * is what its events are given (NULL: it is not followed). */
    void *(*started)(void *ud, struct agent *child);
    void (*event)(void *child_ud, const struct agent_event *ev);
    /* The child closes: its agent is freed as soon as this returns. */
    void (*closed)(void *child_ud);
    void *ud;
};

/* A reviewer thread that auto-review runs for its parent
 * (core/auto_review.c), as the reference's guardian: its requests and
 * session are marked as the parent's, it is offered only the tools that
 * look (exec_command, write_stdin, view_image), and its answer is asked
 * for in a lenient JSON schema.  Whoever starts it keeps it alive. */
struct guardian_link {
    const char *parent_thread_id;
    const char *parent_turn_id; /* the parent's turn under review (updated per review) */
};

struct agent_params {
    const struct codex_config *cfg; /* borrowed; outlives the agent */
    const char *model;
    const char *provider_id;
    struct provider_settings *provider; /* borrowed; headers get per-turn additions */
    const char *originator;    /* "codex_exec" */
    const char *source;        /* "exec" */
    const char *thread_source; /* session_meta.thread_source; NULL: "user" */
    const char *parent_thread_id; /* a thread started by another (a reviewer), or NULL */
    const char *base_instructions; /* replaces the model's base instructions, or NULL */
    bool update_plan_tool;
    const json_t *output_schema; /* text.format json_schema, or NULL */
    bool ephemeral;            /* no rollout file */
    const char *path_prefix;   /* PATH addition for spawned commands, or NULL */
    /* Continue a stored session instead of starting a thread. */
    struct rollout_session *resume; /* its history is taken over */
    const char *resume_path;
    /* Approvals: skip user/project rules files; who answers approval
     * requests (ask NULL: every request is declined, as in codex exec). */
    bool ignore_rules;
    struct approval_front approvals;
    /* Resolver overrides for the managed network proxy ("name=address"),
     * which only tests give (the front end reads them), or NULL. */
    const char *const *netproxy_hosts;
    size_t n_netproxy_hosts;
    /* The session's MCP servers, already starting (borrowed; freed by the
     * front end after the agent), or NULL. */
    struct mcp_manager *mcp;
    /* Notices for the user that are not part of a turn (an MCP tool that
     * cannot be offered); may be NULL. */
    void (*warn)(void *ud, const char *message);
    void *warn_ud;
    /* --dangerously-bypass-hook-trust: enabled hooks run without a
     * recorded trust decision. */
    bool bypass_hook_trust;
    /* Skill roots the front end adds to the usual ones (the app server's
     * skills/extraRoots/set); borrowed for agent_new only. */
    const char *const *skill_roots;
    size_t n_skill_roots;
    /* Who answers request_user_input in Plan mode: ask gets the call id,
     * the questions ([{id, header, question, isOther, isSecret, options}])
     * and a ticket to answer with agent_user_input_answer, and returns
     * false when nobody can be asked; withdraw: the question is no longer
     * wanted (the turn ended).  NULL ask: nobody to ask. */
    bool (*user_input_ask)(void *ud, const char *call_id, const json_t *questions, uint64_t ticket);
    void (*user_input_withdraw)(void *ud, uint64_t ticket);
    void *user_input_ud;
    /* A child started by spawn_agent (core/subagents.h), or NULL. */
    const struct subagent_link *subagent;
    /* Who follows the children this agent (and theirs) starts; zeroed: nobody. */
    struct subagent_observer children;
    /* An auto-review reviewer (above), or NULL. */
    const struct guardian_link *guardian;
};

/* NULL with err set on failure (e.g. libcurl missing, a broken rules file). */
struct agent *agent_new(uv_loop_t *loop, const struct agent_params *p, agent_event_fn fn,
                        void *ud, struct codex_error *err);
/* The front end's answer to an approval question (see core/approvals.h);
 * false when the ticket is unknown, answered or withdrawn. */
bool agent_approval_answer(struct agent *a, uint64_t ticket, enum review_decision decision);
/* The front end's answer to an MCP server's elicitation (approval_front
 * elicit): the elicitation/create result ({action, content?, _meta?}), or
 * NULL to decline.  false when the ticket is unknown or answered. */
bool agent_elicitation_answer(struct agent *a, uint64_t ticket, const json_t *result);
const char *agent_thread_id(const struct agent *a);
const char *agent_rollout_path(const struct agent *a);
/* Start a turn with the user's input (text, plus image data URLs).  done
 * runs on the loop when the turn has completed (ok) or failed. */
void agent_start_turn(struct agent *a, const char *prompt, const struct strvec *image_urls,
                      void (*done)(void *ud, bool ok), void *done_ud);
/* A turn the front end starts on its own (an app-server thread working
 * toward its goal): context is a user message the model gets but nobody
 * typed, so no userMessage item announces it, no prompt history keeps it
 * and no UserPromptSubmit hook sees it.  done as for agent_start_turn. */
void agent_start_hidden_turn(struct agent *a, const char *context, void (*done)(void *ud, bool ok),
                             void *done_ud);
/* Skills the next turn uses besides those its prompt names as $name, by
 * SKILL.md path (turn/start's skill items); unknown paths are ignored. */
void agent_select_skills(struct agent *a, const struct strvec *paths);

/* More input for the running turn (turn/steer): it joins the history
 * before the turn's next model request, as a user message of its own, and
 * a turn about to end samples once more to take it.  Input left when a
 * turn ends goes with the next one; nothing the user typed is dropped. */
void agent_steer(struct agent *a, const char *text, const struct strvec *image_urls);
/* Run a command the user typed (thread/shellCommand) in the user's shell,
 * unsandboxed, in the thread's working directory.  With no turn running it
 * is a turn of its own and done runs when it ends; during a turn it joins
 * that turn (done is not used) and its result reaches the model with the
 * turn's next request. */
void agent_user_shell(struct agent *a, const char *command, void (*done)(void *ud, bool ok),
                      void *done_ud);
/* Raw Responses API items for the model's history (thread/inject_items):
 * recorded now on an idle thread, else with the running turn's next
 * request.  Nothing announces them as items. */
void agent_inject_items(struct agent *a, const json_t *items);
/* The user approves an action auto-review denied (the app server's
 * thread/approveGuardianDeniedAction; action is its review action): a
 * developer note tells the model, and the next review, that this exact
 * action may go ahead.  It joins the history now when no turn runs, else
 * right before the turn's next request. */
void agent_approve_denied_action(struct agent *a, const json_t *action);
/* Whether the running turn is a code review (which takes no steering). */
bool agent_reviewing(const struct agent *a);
/* Compact the thread's history now (/compact, thread/compact/start), as a
 * turn of its own: turn started, a contextCompaction item, turn completed
 * (or failed, the history unchanged).  done as for agent_start_turn. */
void agent_compact_now(struct agent *a, void (*done)(void *ud, bool ok), void *done_ud);
/* The session file was cut back (thread/revert, store/rollout_revert.h):
 * read the history again from it, as a resume would, and go on appending
 * to the new file.  Call only between turns.  0, or -1 with err (the
 * agent keeps its history and its old file then). */
int agent_reload_history(struct agent *a, struct codex_error *err);
/* Stop the turn in flight: the model request is cancelled and every
 * process the turn started is killed.  done runs with ok = false and no
 * turn event is emitted (the front end reports the interruption).  Does
 * nothing when no turn is running. */
void agent_interrupt(struct agent *a);
/* Kill the processes exec_command left running in the background (the
 * calls waiting on them get their end); the turn, if any, goes on.
 * Returns how many there were. */
size_t agent_stop_background_terminals(struct agent *a);
/* Use another model from the next turn on (model must outlive the agent). */
void agent_set_model(struct agent *a, const char *model);
/* Ask for output in this JSON schema (text.format json_schema) from the
 * next turn on; NULL asks for plain text again.  The schema is borrowed and
 * must stay alive until it is replaced. */
void agent_set_output_schema(struct agent *a, const json_t *schema);
/* The borrowed config's cwd, sandbox mode or workspace-write settings
 * changed between turns: tools use the new ones from the next turn on. */
void agent_settings_changed(struct agent *a);
/* Use other MCP servers from the next turn on (borrowed, as
 * agent_params.mcp; NULL: none): the tools of the old ones are withdrawn
 * and the new ones offered as they become ready.  Call between turns; the
 * caller frees the old manager afterwards. */
void agent_set_mcp(struct agent *a, struct mcp_manager *m);
/* The text of the last agent message of the last turn, or NULL. */
const char *agent_last_message(const struct agent *a);
/* Where tool providers (MCP servers, subagents) add their tools; they take
 * effect from the next request on.  Borrowed; lives as long as the agent. */
struct tool_registry;
struct tool_registry *agent_tool_registry(struct agent *a);
/* The collaboration mode from the next turn on (turn/start's
 * collaborationMode).  instructions: the mode's developer instructions,
 * NULL for ours. */
void agent_set_collaboration_mode(struct agent *a, enum collab_mode mode, const char *instructions);
enum collab_mode agent_collaboration_mode(const struct agent *a);
/* The mode's developer instructions, NULL until a turn set a mode. */
const char *agent_collaboration_instructions(const struct agent *a);
/* The front end's answers to a request_user_input ticket: {"<id>":
 * {"answers": [...]}} (NULL or anything else: no answers).  False when the
 * ticket is unknown or withdrawn. */
bool agent_user_input_answer(struct agent *a, uint64_t ticket, const json_t *answers);
/* The session is ending: run the SessionEnd hooks (if any), then done (on
 * the loop, or at once when there are none).  Call before agent_free. */
void agent_end_session(struct agent *a, void (*done)(void *ud), void *done_ud);
/* Stop everything in flight; the loop must then run until idle. */
void agent_free(struct agent *a);

#endif

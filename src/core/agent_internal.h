/* The agent's private state, shared by the files of src/core that make it
 * up: agent.c (lifecycle), agent_host.c (what the tools see), turn.c (a
 * turn and its requests), model_output.c (model output becoming items),
 * tool_calls.c (running a round of tool calls) and agent_tools.c (the tools
 * a request offers).  Nothing outside src/core includes this header. */
#ifndef CODEX_CORE_AGENT_INTERNAL_H
#define CODEX_CORE_AGENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/agent.h"
#include "core/approvals.h"
#include "core/collab_mode.h"
#include "core/turn_diff.h"
#include "hooks/hooks.h"
#include "model/catalog_file.h"
#include "model/models.h"
#include "util/json_items.h"
#include "sandbox/sandbox.h"
#include "skills/skills.h"
#include "store/rollout.h"
#include "tools/tool.h"
#include "util/buf.h"
#include "util/uuid.h"

struct exec_sessions;
struct compaction;
struct review_run;
struct auto_review;
struct reviewer;

#define AUTO_REVIEW_WINDOW 50
struct subagents;
struct netproxy_session;
struct netproxy_session_hooks;
struct network_question;
struct stream_event;
struct agent_user_shell;

struct agent {
    uv_loop_t *loop;
    struct agent_params p;
    const struct model_request_facts *mi;
    agent_event_fn emit_fn;
    void *emit_ud;
    char thread_id[UUID_STR_LEN];
    char turn_id[UUID_STR_LEN];
    struct model_client *client;
    /* Every input item sent to the model, in order, kept as the text a
     * request is sent from (util/json_items.h). */
    struct json_items history;
    size_t history_sent; /* items of history a request has carried */
    json_t *tools;         /* of the next request (agent_tools.c) */
    struct tool_registry *registry; /* tools providers add */
    unsigned tools_generation; /* the registry's, when tools was built */
    const struct model_request_facts *tools_mi; /* the model tools was built for */
    bool tools_noted;      /* the initial context named the deferred namespaces */
    bool tools_requested;  /* a request has gone out */
    struct mcp_tools *mcp_tools; /* the MCP servers' tools (mcp_session.c), or NULL */
    struct mcp_elicitation_wait *elicitations; /* asked of the front end, unanswered */
    uint64_t elicitation_tickets;
    void (*tools_ready_then)(struct agent *a); /* the turn waiting for them */
    json_t *attempt_items; /* output items of the sampling attempt in flight */
    struct tool_host host;
    struct exec_sessions *sessions;
    struct sandbox_policy policy;
    /* The managed network proxy, started by the first command whose
     * profile routes the network through it; NULL before. */
    struct netproxy_session *netproxy;
    struct network_question *network_questions; /* the proxy's, waiting (network_approvals.c) */
    json_t *network_denials; /* attachment -> the reviewer's note, told the model instead of the refusal */
    struct approvals *approvals;
    struct rollout *rollout;
    char *base_instructions;
    bool context_sent;
    bool context_early;    /* sent ahead of the first turn (a user's command came first) */
    struct skill_catalog skills; /* found when the agent started (skills_session.c) */
    struct strvec selected_skills; /* SKILL.md paths chosen for the next turn */
    size_t base_headers;   /* provider headers that are not per-turn */
    /* the turn in flight */
    struct token_usage turn_usage;
    struct token_usage thread_usage;
    struct token_usage last_usage; /* of the latest response */
    int64_t turn_started_ms, first_output_ms;
    char *last_message;
    json_t *turn_inputs;   /* the user's messages of the turn in flight (strings) */
    json_t *pending_input; /* the turn's user message, held while a pre-turn compaction runs */
    json_t *steer_inputs;  /* user messages for the running turn's next request (turn/steer) */
    json_t *quiet_inputs;  /* items for that request that no item announces (user_shell.c) */
    struct agent_user_shell *user_shells; /* the user's commands still running */
    json_t *pending_notes; /* developer messages for the running turn's next request, or NULL */
    struct model_catalog_file *catalog; /* model_catalog_json, or NULL */
    /* Context windows: each compaction starts a new one. */
    int window_number;
    char window_id[UUID_STR_LEN];
    char first_window_id[UUID_STR_LEN];
    int64_t window_prefix_tokens;  /* what the last compaction carried over (estimated) */
    struct compaction *compaction; /* in flight, or NULL */
    struct review_run *review;     /* in flight, or NULL */
    struct auto_review *auto_reviews; /* approval questions under automatic review */
    struct reviewer *auto_reviewers;  /* their reviewer threads (auto_review.c) */
    /* The turn's automatic reviews, for the circuit breaker: denials in a
     * row, and the last AUTO_REVIEW_WINDOW verdicts (true: denied). */
    int review_denials_in_row;
    bool review_window[AUTO_REVIEW_WINDOW];
    size_t review_window_n, review_window_next;
    char *review_trip; /* set when the breaker tripped: the turn stops after this round */
    struct subagents *subagents;   /* the multi_agent_v1 tools and children, or NULL */
    size_t front_headers;  /* provider headers the front end gave (before the thread's) */
    struct turn_diff turn_diff;    /* files the turn's patches touched */
    char *pending_prompt;  /* the turn's input while the tools get ready */
    bool hidden_turn;      /* that input is context the front end started the turn with */
    struct strvec pending_images;
    bool waiting_for_tools;
    struct tool_call **calls;
    size_t n_calls, n_done;
    size_t n_started, n_running; /* calls start in order; see tool_calls.c */
    bool exclusive_running;      /* a call that must run alone is running */
    bool dispatching;
    bool interrupting; /* calls finishing now are being torn down, not completed */
    void (*done)(void *ud, bool ok);
    void *done_ud;
    /* Lifecycle hooks (hook_points.c). */
    struct hook_set hooks;
    bool hooks_on;                 /* features.hooks */
    struct agent_hook_wait *hook_waits; /* runs in flight */
    bool session_started;          /* SessionStart has run */
    bool stop_hook_active;         /* a Stop hook continued this turn */
    json_t *call_contexts;         /* call_id -> developer notes before its output */
    void (*compact_done)(struct agent *a, bool ok, const char *error); /* the caller's, while compaction hooks run */
    bool compact_manual;
    json_t *prompt_notes;          /* UserPromptSubmit notes, recorded after the prompt */
    json_t *post_model_payload;    /* PostModelRequest's, until the response is recorded */
    const char *compact_phase;
    /* Collaboration mode (collab_mode.c) and request_user_input (user_input.c). */
    enum collab_mode collab_mode;
    char *collab_text;   /* the mode's instructions, once a turn set a mode */
    char *collab_told;   /* the instructions the model was last given, or NULL */
    struct plan_splitter plan_split; /* the Plan-mode message being streamed */
    char *plan_split_item;           /* its item id */
    bool plan_item_started;          /* the turn's plan item was announced */
    struct user_input_wait *user_input_waits;
    uint64_t next_user_input_ticket;
};

int64_t agent_now_ms(void);
/* Report an event (thread and turn filled in); completed items also go to
 * the rollout. */
void agent_emit(struct agent *a, struct agent_event *ev);
/* Record the steering input waiting for this request (steer.c); true when
 * there was some. */
bool agent_steer_flush(struct agent *a);
/* Input waiting for the running turn's next request (steering, quiet). */
bool agent_has_pending_input(const struct agent *a);
/* An item for that request, recorded without an item event (takes it). */
void agent_queue_quiet_input(struct agent *a, json_t *item);
/* Kill the user's commands still running; they report nothing more. */
void agent_user_shells_stop(struct agent *a);
/* The initial context goes into the history now if it is not there yet
 * (items recorded outside a turn must follow it). */
void agent_ensure_context(struct agent *a);
/* Append an input item to the history and the rollout. */
void agent_record_item(struct agent *a, json_t *item);
/* The tools' host, filled in from the agent. */
void agent_host_init(struct agent *a);
/* The model's context window: model_context_window, else the model's. */
int64_t agent_context_window(const struct agent *a);
/* The context the model gets at the start of a thread (and again after a
 * compaction): permissions and developer instructions, AGENTS.md, the
 * environment.  A new array; the base instructions are not in it. */
json_t *agent_initial_context(struct agent *a);
/* Skills (skills_session.c): find them (problems go to p.warn), the
 * list for the initial context (NULL when none), and the SKILL.md of each
 * skill the prompt names as $name, recorded as user messages. */
void agent_skills_load(struct agent *a);
char *agent_skills_instructions(const struct agent *a);
void agent_skills_inject(struct agent *a, const char *prompt);
/* The per-request headers: window id and x-codex-turn-metadata for a
 * request of kind ("turn", "compaction"; takes compaction). */
void agent_set_request_headers(struct agent *a, const char *kind, json_t *compaction);
/* The reasoning effort to send. */
const char *agent_effort(const struct agent *a);
/* request_user_input (user_input.c): offer it; forget open questions. */
void agent_user_input_attach(struct agent *a);
void agent_user_input_detach(struct agent *a);
/* Collaboration mode (collab_mode_agent.c): the <collaboration_mode> text
 * for the initial context (NULL when no mode was set; marks it told), and
 * the developer message a turn needs before its user message (recorded
 * when the instructions changed since the model last had them). */
char *agent_collab_context_text(struct agent *a);
void agent_collab_record_change(struct agent *a);
void agent_collab_resume(struct agent *a);
/* Plan mode: a streamed agent message delta (split into the message's
 * delta and the plan's), and a completed message item (its agentMessage
 * with the plan block removed, after the plan item completes). */
void agent_plan_stream_delta(struct agent *a, const char *item_id, const char *delta);
void agent_plan_message_done(struct agent *a, json_t *agent_message);
/* Send the history to the model (one sampling request). */
void agent_sample(struct agent *a);
void agent_finish_turn(struct agent *a, bool ok, const char *error);
void agent_write_token_count(struct agent *a);
/* The model's output, event by event and item by item. */
void agent_on_stream_event(void *ud, const struct stream_event *se);
void agent_on_output_item(struct agent *a, const json_t *item);
/* Compaction (compact.c). */
typedef void (*agent_compact_done_fn)(struct agent *a, bool ok, const char *error);
/* The usage at which the history is compacted before the next request. */
int64_t agent_auto_compact_limit(const struct agent *a);
bool agent_needs_compaction(const struct agent *a);
/* Summarize and replace the history; done runs when it is over (ok false:
 * the history is unchanged and the error was reported). */
/* A new turn: fresh id, usage and timers; TURN_STARTED is emitted.
 * Takes inputs (the turn's user messages as strings). */
void agent_begin_turn(struct agent *a, json_t *inputs, void (*done)(void *ud, bool ok),
                      void *done_ud);
/* Drop a review in flight (interrupt, free): its reviewer is stopped and
 * freed on the next loop iteration; no turn event. */
void agent_review_cancel(struct agent *a);
void agent_compact(struct agent *a, bool manual, const char *phase, agent_compact_done_fn done);
/* Drop a compaction in flight (its request was cancelled). */
void agent_compact_cancel(struct agent *a);
/* Sample now, or compact first when the last usage passed the limit. */
void agent_sample_or_compact(struct agent *a, const char *phase);

/* The provider settings for a thread this one starts (a reviewer, a
 * subagent): the front end's headers without this thread's. */
void agent_child_provider(const struct agent *a, struct provider_settings *out);

/* The registry and the tools of the next request (agent_tools.c). */
void agent_tools_init(struct agent *a);
void agent_tools_free(struct agent *a);
/* The <tools> note for the initial context's developer message, or NULL. */
char *agent_tools_note(struct agent *a);
/* Before each request: announce namespaces added since the last one (a
 * developer message) and bring a->tools up to date. */
void agent_tools_before_request(struct agent *a);
/* Run then once the session's tool providers are ready for the first
 * request of a turn (at once when nothing is starting). */
void agent_tools_when_ready(struct agent *a, void (*then)(struct agent *a));
/* The session's MCP servers (mcp_session.c): take the manager over, let
 * go of it, wait for servers still starting (false: nothing to wait for;
 * else then runs once they have settled), and the session's part of each
 * tools/call's _meta. */
void agent_mcp_attach(struct agent *a);
void agent_mcp_detach(struct agent *a);
void agent_mcp_interrupt(struct agent *a);
bool agent_mcp_wait(struct agent *a, void (*then)(struct agent *a));
json_t *agent_mcp_meta(struct agent *a);
/* Start the round of tool calls among the attempt's items, or end the turn
 * when there are none. */
void agent_run_calls(struct agent *a);
/* Lifecycle hooks (hook_points.c).  cont runs with the outcome of the
 * event's hooks, or with NULL (at once) when none applies. */
struct agent_hook_wait;
typedef void (*agent_hook_cont)(struct agent *a, void *ctx, const struct hook_outcome *o);
void agent_hooks_init(struct agent *a);
void agent_hooks_announce(struct agent *a);
void agent_hooks_cancel(struct agent *a);
void agent_hooks_free(struct agent *a);
bool agent_hooks_has(const struct agent *a, enum hook_event e);
const char *agent_permission_mode(const struct agent *a);
/* The fields every event carries (with_turn adds turn_id). */
json_t *agent_hook_payload(struct agent *a, enum hook_event e, bool with_turn);
/* Takes payload. */
void agent_hooks_fire(struct agent *a, enum hook_event e, const char *matcher_input, json_t *payload,
                      agent_hook_cont cont, void *ctx);
/* Fire and forget (the outcome decides nothing). */
void agent_hooks_notify(struct agent *a, enum hook_event e, const char *matcher_input,
                        json_t *payload);
/* The outcome's additional contexts become developer messages. */
void agent_record_developer_notes(struct agent *a, const struct hook_outcome *o);
const char *agent_hook_tool(const struct tool_call *c, json_t **input);
char *agent_hook_tool_response(const struct tool_call *c);
/* Run the configured `notify` program for a completed turn. */
void agent_notify_turn_complete(struct agent *a);

/* Network questions (network_approvals.c): whether the session's proxy
 * may ask about unlisted hosts, and the hooks that route its questions
 * through the approvals layer. */
bool agent_network_may_ask(const struct agent *a);
void agent_network_hooks(struct agent *a, struct netproxy_session_hooks *out);
/* The reviewer's note for a command whose network question it denied, or
 * NULL (borrowed). */
const char *agent_network_denial(const struct agent *a, uint64_t attachment);

#endif

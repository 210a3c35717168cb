/* The threads module: thread/... and turn/... methods.  Each loaded thread is
 * an agent (the same core as `codex exec`) with its own configuration,
 * owned by the connection that started, resumed or forked it.  All threads
 * share the server's one libuv loop and run independently.
 *
 * Files, each using only the ones listed before it:
 *   thread_registry.c  the module's state: loaded threads, subscribers,
 *                      notifications, unloading; the stored-session index
 *   thread_mcp.c       a thread's MCP servers: their start-up reported as
 *                      mcpServer/startupStatus/updated, requests the client
 *                      sends them, reloading them (the registry
 *                      stops them through a callback when a thread goes)
 *   thread_json.c      Thread, Turn and session objects as v2 sends them
 *   thread_events.c    agent events -> notifications
 *   thread_approvals.c approval questions as server requests
 *   approval_param.c   the approvalPolicy parameter
 *   thread_create.c    settings of thread/start, resume, fork; new agents
 *   thread_children.c  the subagents a thread's agent starts, each a loaded
 *                      thread of its own that the root's followers hear
 *   thread_methods.c   thread/start, loaded/list, unsubscribe, name/set
 *   thread_stored.c    read, list, archive, unarchive, resume, fork
 *   turn_methods.c     turn/start, turn/interrupt, thread/shellCommand
 *   thread_items.c     thread/items/list, thread/inject_items
 *   thread_revert.c    thread/revert (store/rollout_revert.c cuts the file)
 *   thread_goals.c     thread/goal/..., the goal tools, turns toward a goal
 *                      (the registry and thread_events.c reach it through
 *                      callbacks in the thread)
 *   thread_meta_methods.c  threadSection/..., thread/section/move,
 *                      thread/metadata/update, thread/attachment... (store/thread_meta.c)
 *   threads_module.c   the module descriptor
 * Only thread_create.c, thread_children.c, thread_approvals.c, thread_events.c,
 * turn_methods.c, thread_revert.c, thread_goals.c and thread_registry.c use
 * the core (core/agent.h). */
#ifndef CODEX_RPC_THREAD_H
#define CODEX_RPC_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "login/session.h"
#include "mcp/manager.h"
#include "config/config.h"
#include "core/agent.h"
#include "model/provider.h"
#include "rpc/request.h"
#include "store/rollout.h"
#include "store/rollout_files.h"
#include "store/rollout_summary.h"

struct thread_index;
struct rpc_thread;

/* thread/list's last complete ordering, reused while the index and the
 * request's filters are the same (clients list again and again, and page
 * through with cursors). */
struct rpc_list_cache {
    char *key;           /* the tree, filters and order it was made for */
    uint64_t generation; /* of the index then */
    const struct rollout_summary **order;
    size_t n;
};

/* The module's state, in the slot the server keeps for it. */
struct rpc_threads {
    struct rpc_server *server;
    struct rpc_thread *list;
    struct thread_index *index; /* stored sessions; created on first use */
    struct rpc_list_cache list_cache;
    uv_timer_t save_timer;      /* writes the index file a little later ... */
    uv_work_t save_work;        /* ... on the thread pool */
    struct thread_index_snapshot *saving;
    bool save_timer_ready;
    json_int_t next_request_id; /* of the questions we send to clients */
};

/* A connection other than the owner that follows a thread's notifications
 * (it resumed the loaded thread or started a turn on it).  Approval
 * requests still go to the owner alone; the thread lives as long as its
 * owner's connection. */
struct rpc_thread_sub {
    struct rpc_conn_resource res; /* the subscriber's connection lifetime */
    struct rpc_thread *thread;
    struct rpc_conn *conn;
    struct rpc_thread_sub *next;
};

/* A question sent to the client: our request id and the core's ticket.
 * Tickets are safe to answer late or twice, so forgetting one is all it
 * takes to drop it. */
enum rpc_question {
    RPC_QUESTION_APPROVAL,     /* a command or a patch: {decision} answers */
    RPC_QUESTION_MCP_APPROVAL, /* an MCP tool call, asked as an elicitation: {action} */
    RPC_QUESTION_ELICITATION,  /* an MCP server's own elicitation/create */
    RPC_QUESTION_USER_INPUT,   /* request_user_input: item/tool/requestUserInput */
    RPC_QUESTION_NETWORK,      /* the managed proxy's question about a host: {decision} */
};

struct rpc_approval {
    json_int_t id;
    uint64_t ticket;
    enum rpc_question kind;
    char item_id[128]; /* the command, patch or MCP call it is about */
    char asker[40];    /* the thread that asks: a subagent's, or the thread's own */
    json_t *request;   /* as sent: a connection that resumes the thread gets it again */
    struct rpc_approval *next;
};

/* A client request to one of a thread's MCP servers (thread_mcp.c). */
typedef void (*rpc_mcp_done_fn)(void *ud, const json_t *result, const struct mcp_failure *f);
struct rpc_mcp_request;

/* A thread's MCP servers. */
struct rpc_thread_mcp {
    struct mcp_manager *manager; /* NULL: none configured */
    /* The configuration the servers came from after a reload (they borrow
     * its mcp_servers); NULL: the thread's. */
    struct codex_config *cfg;
    bool *reported;              /* per server: its start-up outcome went out */
    struct codex_config *pending; /* config/mcpServer/reload: used from the next turn */
    struct rpc_mcp_request *requests; /* the client's, in flight */
    /* thread/start waiting for the required servers (rpc_thread_mcp_required). */
    void (*required_then)(struct rpc_thread *t, const char *error, void *ud);
    void *required_ud;
    /* Set by thread_mcp.c: the registry calls it when the thread goes
     * (after the agent). */
    void (*release)(struct rpc_thread *t);
};

struct rpc_thread {
    struct rpc_conn_resource res; /* the owning connection's lifetime */
    struct rpc_threads *reg;
    struct rpc_conn *conn; /* the owner; NULL once unsubscribed or closed */
    struct rpc_thread_sub *subs;
    struct codex_config cfg;
    struct provider_settings ps;
    bool have_ps;
    /* The thread's credentials (the provider settings borrow them). */
    struct auth_manager *auth;
    struct login_settings login;
    bool have_login;
    struct provider_auth provider_auth;
    struct agent *agent;
    char *model;          /* current model (the agent borrows it) */
    struct strvec old_models; /* earlier models, alive as long as the agent */
    char *provider_id;
    char *name;
    char *preview;
    char *forked_from;
    bool ephemeral;
    int64_t created_at;
    int64_t updated_at;
    /* What the client chose that the core does not keep. */
    char *history_mode;     /* "legacy" | "paginated" */
    char *thread_source;    /* "user", "thread_title", ... or NULL */
    char *originator;       /* the client that started it */
    json_t *git_info;       /* {sha, branch, originUrl} or null */
    json_t *output_schema;  /* text.format of the turn in flight, or NULL */
    bool settings_announced; /* thread/settings/updated was sent */
    /* Read state: the turn the client has not read yet, and a revision that
     * changes with it. */
    char *first_unread_turn;
    char read_revision[64];

    /* The turn in flight. */
    bool turn_running;
    bool quiet_turn;     /* the user's own command: no summary, nothing unread */
    bool interrupting;
    char turn_id[64];
    int64_t turn_started_ms;
    json_t *open_items; /* item id -> item started and not completed (as sent) */
    json_t *last_message; /* the turn's latest agentMessage (as sent), or NULL */
    char *client_message_id; /* turn/start's clientUserMessageId */
    /* turn/steer's clientUserMessageIds (strings or null), oldest first: the
     * core flushes steered input in the order it came, one userMessage each. */
    json_t *steer_client_ids;
    int waiting_approvals;   /* questions out: activeFlags waitingOnApproval */
    int waiting_user_input;  /* request_user_input out: activeFlags waitingOnUserInput */
    json_t *buffered;   /* notifications held until turn/start is answered */
    struct token_usage total;
    struct rpc_approval *approvals; /* requests sent to the client, unanswered */
    char *pending_error; /* an error event not yet known to be fatal */
    bool announced;      /* thread/started has gone out */
    json_t *early_notices; /* [method, params] the agent sent before that */
    struct rpc_thread_mcp mcp;

    /* Its goal (thread_goals.c): the next turn toward it, waiting to
     * start, and the thread's token total when the current turn started. */
    struct rpc_goal_kick *goal_kick;
    int64_t goal_tokens_mark;
    /* Whether the store may hold a goal for it: known when the agent
     * starts and kept by thread_goals.c, so a turn's end reads the goals
     * file only for a thread that has one. */
    bool may_have_goal;
    /* Set by thread_goals.c (rpc_thread_goal_attach), called by the turn
     * events and the registry, which it uses: a turn ended (turn/completed
     * about to go out) with its status; the thread goes. */
    void (*goal_turn_ended)(struct rpc_thread *t, const char *turn_status);
    void (*goal_release)(struct rpc_thread *t);

    /* A subagent's thread (thread_children.c): the thread at the top of its
     * tree, whose owner and followers hear it too, and which outlives it.
     * The core owns its agent and its configuration (cfg is a shallow copy
     * of the child's); NULL for every other thread. */
    struct rpc_thread *root;
    bool user_turn;           /* the turn starting was asked by a client */
    char root_turn_id[64];    /* the parent's turn that started this one, or "" */

    bool closing;
    uv_timer_t reaper; /* frees the agent outside any of its callbacks */
    struct rpc_thread *next;
};

/* ---- thread_registry.c ------------------------------------------------ */

/* The module's state for a request (created on first use). */
struct rpc_threads *rpc_threads_of(struct rpc_request *req);
/* The loaded thread with that id, for a module that uses the threads'
 * state (module.h, uses_state_of): NULL after answering "thread not
 * found: ID" (or that the id is no UUID). */
struct rpc_thread *rpc_thread_for(struct rpc_request *req, const char *id);
struct rpc_thread *rpc_thread_find(struct rpc_threads *reg, const char *id);
const char *rpc_thread_id(const struct rpc_thread *t);
/* The thread named by params.threadId; NULL after answering
 * "thread not found: ID". */
/* False after replying with the reference's words when id is not a UUID. */
bool rpc_check_thread_id(struct rpc_request *req, const char *id);
struct rpc_thread *rpc_thread_lookup(struct rpc_request *req, json_t *params);
/* Add a new thread, owned by c until c closes. */
void rpc_thread_register(struct rpc_threads *reg, struct rpc_thread *t, struct rpc_conn *c);
/* Send to the owner and every subscriber. */
void rpc_thread_notify(struct rpc_thread *t, const char *method, json_t *params);
/* Whether c owns or follows t. */
bool rpc_thread_subscribed(const struct rpc_thread *t, const struct rpc_conn *c);
/* Make c follow t's notifications (nothing when it already does). */
void rpc_thread_subscribe(struct rpc_thread *t, struct rpc_conn *c);
/* Stop c following t; false when c was no subscriber. */
bool rpc_thread_drop_subscriber(struct rpc_thread *t, struct rpc_conn *c);
/* The owner leaves: its longest follower owns the thread now; false when
 * nobody follows it. */
bool rpc_thread_pass_ownership(struct rpc_thread *t);
/* Unload: nothing more is sent; the agent goes once the current callback
 * (which may be the agent's own) has returned. */
void rpc_thread_unload(struct rpc_thread *t);
/* Free a thread that never got an agent (a failed create). */
void rpc_thread_discard(struct rpc_thread *t);
/* The stored sessions of one tree (thread_index_list), with the files of
 * loaded threads re-read as they change. */
size_t rpc_threads_stored(struct rpc_threads *reg, enum rollout_tree tree,
                          const struct rollout_summary *const **out, uint64_t *generation);
/* Current thread names (id -> name), borrowed. */
const json_t *rpc_threads_names(struct rpc_threads *reg);
/* The module's slot is released at shutdown (every thread is gone). */
void rpc_threads_free_state(void **slot);

/* ---- thread_mcp.c ------------------------------------------------------ */

/* What an MCP manager of the app server is given: the process
 * environment, and CODEX_HOME as the working directory of stdio servers
 * (where the reference runs them). */
void rpc_mcp_env(const struct rpc_server *s, const struct codex_config *cfg,
                 struct mcp_manager_env *env);
/* "MCP startup failed: WHY" for a server that failed (caller frees). */
char *rpc_mcp_startup_error(const struct mcp_server *srv);
/* Start the servers of t->cfg (none: nothing happens); the agent is
 * given t->mcp.manager. */
void rpc_thread_mcp_start(struct rpc_thread *t);
/* After thread/started: each server's start-up so far goes out. */
void rpc_thread_mcp_announced(struct rpc_thread *t);
/* Send method to server i for a client request (params taken).  done runs
 * exactly once: with the answer, or a failure (also when the thread goes
 * or its servers are replaced first). */
void rpc_thread_mcp_request(struct rpc_thread *t, size_t i, const char *method, json_t *params,
                            unsigned timeout_ms, rpc_mcp_done_fn done, void *ud);
/* config/mcpServer/reload: the servers of cfg (taken) replace the
 * thread's now, or at its next turn when one is running. */
void rpc_thread_mcp_reload(struct rpc_thread *t, struct codex_config *cfg);
/* Before a turn starts: a reload waiting is carried out. */
void rpc_thread_mcp_apply_reload(struct rpc_thread *t);

/* ---- thread_json.c ------------------------------------------------------- */

/* The v2 Thread object of a loaded thread (turns: []). */
json_t *rpc_thread_json(const struct rpc_thread *t);
/* Its ThreadStatus: idle, or active with the flags that apply. */
json_t *rpc_thread_status_json(const struct rpc_thread *t);
/* Its ThreadReadState {firstUnread, revision}. */
json_t *rpc_thread_read_state_json(const struct rpc_thread *t);
/* An item as the wire shows it: the members v2 requires that the core has
 * no use for, the item's times (completed_ms 0: not yet), and for a
 * starting item the content it does not have yet. */
json_t *rpc_wire_item(const json_t *item, int64_t started_ms, int64_t completed_ms, bool starting);
/* {thread, model, modelProvider, cwd, approvalPolicy, sandbox, ...}. */
json_t *rpc_thread_session_json(const struct rpc_thread *t);
/* ThreadSettings, as thread/settings/updated carries them. */
json_t *rpc_thread_settings_json(const struct rpc_thread *t);
/* The model's context window in tokens (0: unknown). */
int64_t rpc_thread_context_window(const struct rpc_thread *t);
/* What store/thread_meta.c keeps (sections, corrected Git facts) laid over
 * a Thread or an array of them. */
void rpc_threads_apply_meta(const char *codex_home, json_t *threads);
/* The v2 Thread of a stored session: status notLoaded, turns [] (the
 * caller may set them), name as given. */
json_t *rpc_thread_stored_json(const struct rollout_summary *s, const char *name);
/* The v2 SessionSource of a stored session_meta source ("unknown" for
 * shapes v2 has no name for). */
const char *rpc_session_source(const char *stored);
/* A Turn: started_ms 0 for one not started yet, ended_ms 0 while running;
 * items (stolen, may be NULL for []) with their view ("notLoaded",
 * "summary", "full"). */
json_t *rpc_turn_json(const char *id, const char *status, int64_t started_ms, int64_t ended_ms,
                      const char *error, json_t *items, const char *items_view);
/* Stored turns as sent: commandExecution items get their commandActions. */
void rpc_turns_complete(json_t *turns);
/* One stored turn as sent (rpc_turns_complete of one). */
void rpc_turn_complete(json_t *turn);

/* ---- thread_events.c ---------------------------------------------------- */

/* The agent's event callback (ud: the thread). */
void rpc_thread_event(void *ud, const struct agent_event *ev);
void rpc_thread_end_turn(struct rpc_thread *t, const char *status, const char *error);
/* Announce an item now (item/started), ahead of the core: a command or
 * patch waiting for approval is shown before the question. */
void rpc_thread_item_started(struct rpc_thread *t, const json_t *item);
/* End an item the core will not finish (a declined command or patch). */
void rpc_thread_item_declined(struct rpc_thread *t, const char *item_id);
/* thread/status/changed with the current status. */
void rpc_thread_status_changed(struct rpc_thread *t);
int64_t rpc_now_ms(void);

/* ---- thread_approvals.c ------------------------------------------------- */

/* The core's approval front (ud: the thread). */
bool rpc_thread_ask(void *ud, const struct approval_request *req, uint64_t ticket);
void rpc_thread_withdraw(void *ud, uint64_t ticket);
/* A question goes to every connection on the thread (the answer of any of
 * them settles it, as the reference does); a is already in t->approvals. */
void rpc_thread_send_question(struct rpc_thread *t, struct rpc_approval *a, const char *method,
                              json_t *params);
/* The questions still open, again, with their ids, to a connection that
 * has just resumed the thread. */
void rpc_thread_replay_questions(struct rpc_thread *t, struct rpc_conn *c);
/* Settled: every connection on the thread hears serverRequest/resolved. */
void rpc_thread_question_resolved(struct rpc_thread *t, const struct rpc_approval *a);
void rpc_approval_free(struct rpc_approval *a);
/* request_user_input as item/tool/requestUserInput (thread_user_input.c):
 * the agent's user_input_ask and user_input_withdraw, and the client's
 * answer to one (result NULL: it answered with an error). */
bool rpc_thread_ask_user_input(void *ud, const char *call_id, const json_t *questions,
                               uint64_t ticket);
void rpc_thread_withdraw_user_input(void *ud, uint64_t ticket);
void rpc_thread_user_input_answered(struct rpc_thread *t, struct rpc_approval *a,
                                    const json_t *result);
/* then runs once every server configured `required` has settled (now, if
 * none is starting): error is NULL, or why the thread cannot be used
 * ("required MCP servers failed to initialize: ..."), as the reference
 * words it. */
void rpc_thread_mcp_required(struct rpc_thread *t,
                             void (*then)(struct rpc_thread *t, const char *error, void *ud),
                             void *ud);
/* approval_front elicit: mcpServer/elicitation/request to the thread's owner. */
bool rpc_thread_elicit(void *ud, const char *server, const char *turn_id, const json_t *params,
                       uint64_t ticket);
/* A client's answer to one of our requests (result NULL for an error
 * answer); false when it answers nothing we asked. */
bool rpc_threads_client_response(void **slot, struct rpc_conn *c, const json_t *id,
                                 const json_t *result);

/* ---- approval_param.c --------------------------------------------------- */

/* approvalPolicy as given (set false when absent). */
struct approval_param {
    bool set;
    const char *name; /* the policy's name; NULL for granular */
    enum approval_policy policy;
    struct granular_approval granular;
};
/* Read params.approvalPolicy; false after replying. */
bool rpc_read_approval(struct rpc_request *req, json_t *params, struct approval_param *out);
void rpc_apply_approval(const struct approval_param *a, struct codex_config *cfg);

/* ---- thread_children.c -------------------------------------------------- */

/* The children t's agent will start are shown as threads (set before
 * agent_new). */
void rpc_thread_follow_children(struct rpc_thread *t, struct agent_params *ap);
/* turn/start on a subagent's thread: its own turn, as the core counts it
 * for the parent; false after replying. */
bool rpc_thread_child_turn(struct rpc_request *req, struct rpc_thread *t, json_t *params,
                           const char *prompt, const struct strvec *images);

/* ---- thread_create.c ---------------------------------------------------- */

struct thread_opts {
    const char *model, *provider, *cwd, *sandbox, *approval;
    struct approval_param approval_param;
    const char *base_instructions, *developer_instructions;
    const char *history_mode, *thread_source;
    const char *approvals_reviewer; /* "user", "auto_review" or "guardian_subagent", or NULL */
    json_t *config;
    bool ephemeral;
};
/* Settings shared by thread/start, resume and fork; false after replying. */
bool rpc_thread_read_opts(struct rpc_request *req, json_t *params, struct thread_opts *o);
/* Load the configuration and start the agent, owned by req's connection;
 * NULL after replying. */
struct rpc_thread *rpc_thread_create(struct rpc_request *req, const struct thread_opts *o,
                                     struct rollout_session *resume,
                                     const char *resume_path);
/* After thread/started: the notices the agent gave while starting go out. */
void rpc_thread_announced(struct rpc_thread *t);
/* A notification for the thread's subscribers, held until thread/started
 * has gone out when it comes earlier (the agent's start-up notices). */
void rpc_thread_notice(struct rpc_thread *t, const char *method, json_t *params);
/* A "warning" notification for the thread, held like rpc_thread_notice. */
void rpc_thread_warning(struct rpc_thread *t, const char *message);

/* ---- the methods -------------------------------------------------------- */

/* thread_methods.c */
void rpc_thread_start(struct rpc_request *req);
void rpc_thread_loaded_list(struct rpc_request *req);
void rpc_thread_unsubscribe(struct rpc_request *req);
void rpc_thread_name_set(struct rpc_request *req);
void rpc_thread_approve_denied_action(struct rpc_request *req);
void rpc_thread_read_state_update(struct rpc_request *req);
/* thread_stored.c */
void rpc_thread_read(struct rpc_request *req);
/* The Thread of a stored rollout (no turns), or NULL when unreadable. */
json_t *rpc_thread_stored_file_json(struct rpc_request *req, const char *path);
void rpc_thread_list(struct rpc_request *req);
void rpc_thread_archive(struct rpc_request *req);
void rpc_thread_delete(struct rpc_request *req);
void rpc_turn_steer(struct rpc_request *req);
void rpc_thread_unarchive(struct rpc_request *req);
void rpc_thread_resume(struct rpc_request *req);
void rpc_thread_fork(struct rpc_request *req);
void rpc_thread_turns_list(struct rpc_request *req);
/* turn_methods.c */
void rpc_turn_start(struct rpc_request *req);
void rpc_turn_interrupt(struct rpc_request *req);
void rpc_thread_background_terminals_clean(struct rpc_request *req);
void rpc_thread_compact_start(struct rpc_request *req);
void rpc_review_start(struct rpc_request *req);
void rpc_thread_shell_command(struct rpc_request *req);
/* thread_items.c */
void rpc_thread_items_list(struct rpc_request *req);
void rpc_thread_inject_items(struct rpc_request *req);
/* thread_revert.c */
void rpc_thread_revert(struct rpc_request *req);
/* thread_goals.c */
void rpc_thread_goal_set(struct rpc_request *req);
void rpc_thread_goal_get(struct rpc_request *req);
void rpc_thread_goal_clear(struct rpc_request *req);
/* A new agent: the model is offered get_goal, create_goal and update_goal,
 * and t's goal callbacks are set (each turn's tokens and time count toward
 * an active goal, and one that stays active gets the next turn). */
void rpc_thread_goal_attach(struct rpc_thread *t);
/* thread_meta_methods.c */
void rpc_thread_section_list(struct rpc_request *req);
void rpc_thread_section_create(struct rpc_request *req);
void rpc_thread_section_update(struct rpc_request *req);
void rpc_thread_section_delete(struct rpc_request *req);
void rpc_thread_section_move(struct rpc_request *req);
void rpc_thread_metadata_update(struct rpc_request *req);
void rpc_thread_attachment_add(struct rpc_request *req);
void rpc_thread_attachment_list(struct rpc_request *req);
void rpc_thread_attachment_remove(struct rpc_request *req);
void rpc_thread_attachment_owner_list(struct rpc_request *req);


#endif

/* Threads of the app server: each loaded thread is an agent (the same core
 * as `codex exec`) with its own configuration, subscribed to by the
 * connection that started, resumed or forked it.  All threads share the
 * server's one libuv loop and run independently. */
#ifndef CODEX_RPC_THREAD_H
#define CODEX_RPC_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "config/config.h"
#include "core/agent.h"
#include "model/provider.h"
#include "rpc/server.h"

struct rpc_approval;
struct thread_index;
struct rpc_thread;

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

struct rpc_thread {
    struct rpc_conn_resource res; /* the subscribing connection's lifetime */
    struct rpc_server *server;
    struct rpc_conn *conn; /* the owner; NULL once unsubscribed or closed */
    struct rpc_thread_sub *subs;
    struct codex_config cfg;
    struct provider_settings ps;
    bool have_ps;
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

    /* The turn in flight. */
    bool turn_running;
    bool interrupting;
    char turn_id[64];
    int64_t turn_started_ms;
    json_t *open_items; /* item id -> item started and not completed */
    json_t *buffered;   /* notifications held until turn/start is answered */
    struct token_usage total;
    struct rpc_approval *approvals; /* requests sent to the client, unanswered */
    char *pending_error; /* an error event not yet known to be fatal */

    bool closing;
    uv_timer_t reaper; /* frees the agent outside any of its callbacks */
    struct rpc_thread *next;
};

/* The server's loaded threads (rpc_server.threads). */
struct rpc_thread_state {
    struct rpc_thread *list;
    struct thread_index *index; /* thread_index.c, loaded on first use */
};

/* The server's registry (created on first use). */
struct rpc_thread_state *rpc_threads(struct rpc_server *s);
struct rpc_thread *rpc_thread_find(struct rpc_server *s, const char *id);
const char *rpc_thread_id(const struct rpc_thread *t);
/* The v2 Thread object of a loaded thread (turns: []). */
json_t *rpc_thread_json(const struct rpc_thread *t);
/* Answer "thread not found: ID" style errors; false when replied. */
struct rpc_thread *rpc_thread_lookup(struct rpc_request *req, json_t *params);
/* Send to the owner and every subscriber. */
void rpc_thread_notify(struct rpc_thread *t, const char *method, json_t *params);
/* Whether c owns or follows t. */
bool rpc_thread_subscribed(const struct rpc_thread *t, const struct rpc_conn *c);
/* Make c follow t's notifications (nothing when it already does). */
void rpc_thread_subscribe(struct rpc_thread *t, struct rpc_conn *c);
/* Stop c following t; false when c was no subscriber. */
bool rpc_thread_drop_subscriber(struct rpc_thread *t, struct rpc_conn *c);

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

struct thread_opts {
    const char *model, *provider, *cwd, *sandbox, *approval;
    struct approval_param approval_param;
    const char *base_instructions, *developer_instructions;
    json_t *config;
    bool ephemeral;
};
/* Settings shared by thread/start, resume and fork; false after replying. */
bool rpc_thread_read_opts(struct rpc_request *req, json_t *params, struct thread_opts *o);
/* Load the configuration and start the agent, subscribed by req's
 * connection; NULL after replying. */
struct rpc_thread *rpc_thread_create(struct rpc_request *req, const struct thread_opts *o,
                                     const struct rollout_session *resume,
                                     const char *resume_path);
/* {thread, model, modelProvider, cwd, approvalPolicy, sandbox, ...}. */
json_t *rpc_thread_session_json(const struct rpc_thread *t);
void rpc_thread_unload(struct rpc_thread *t);
int rpc_thread_store_name(const char *codex_home, const char *id, const char *name);
void rpc_thread_event(void *ud, const struct agent_event *ev);
void rpc_thread_end_turn(struct rpc_thread *t, const char *status, const char *error);
json_t *rpc_turn_json(const char *id, const char *status, int64_t started_ms, int64_t ended_ms,
                      const char *error);

/* thread_approvals.c: the core's approval callback; forgetting the
 * requests in flight (the core drops their continuations itself). */
bool rpc_thread_ask(void *ud, const struct approval_request *req, uint64_t ticket);
void rpc_thread_withdraw(void *ud, uint64_t ticket);
void rpc_thread_forget_approvals(struct rpc_thread *t);

/* The v2 Thread object of a stored session (thread_store.c); NULL when the
 * file is not a readable rollout.  turns is filled when include_turns. */
json_t *rpc_thread_from_rollout(const char *path, bool include_turns);

#endif

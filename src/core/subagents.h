/* Subagents (multi-agent v1): the model of one thread starts other threads
 * of the same core, on the same loop, and talks to them through the
 * deferred `multi_agent_v1` tools (spawn_agent, send_input, resume_agent,
 * wait_agent, close_agent).  Each child is a whole agent with its own
 * rollout (whose session_meta names its parent), sandbox and approvals;
 * its approval questions reach the root thread's front end, and stopping
 * the parent stops its children.
 *
 * Every agent of one tree shares the limits (agents.max_threads counts the
 * live children of the whole tree, agents.max_depth how deep it may go)
 * and the roles ([agents.<name>], $CODEX_HOME/agents/<name>.toml, and the
 * built-in default, explorer and worker). */
#ifndef CODEX_CORE_SUBAGENTS_H
#define CODEX_CORE_SUBAGENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "config/config.h"
#include "policy/approval.h"

struct agent;
struct agent_job;
struct subagent_tree;
struct subagents;
struct tool_call;

/* What a child knows of where it comes from (agent_params.subagent). */
struct subagent_link {
    struct subagent_tree *tree;
    int depth;                 /* 1 for a child of the root */
    const char *parent_thread_id;
    const char *parent_turn_id;
    const char *nickname;
    const char *role;          /* NULL for the default role */
    const char *parent_rollout_path; /* NULL for an ephemeral parent */
    /* A worker of spawn_agents_on_csv: its source label ("agent_job:<id>")
     * and the job it reports to; both NULL for a spawn_agent child. */
    const char *job_source;
    struct agent_job *job;
};

/* Give the agent its subagent tools (when features.multi_agent is on and
 * the depth allows it) and its place in the tree. */
void agent_subagents_attach(struct agent *a);
/* Close every child (and theirs); the agent is going away. */
void agent_subagents_detach(struct agent *a);
/* Stop the turns of every child, recursively (the parent was interrupted). */
void agent_subagents_interrupt(struct agent *a);
/* Before a request: the notifications of children that finished join the
 * history as user messages. */
void agent_subagents_flush_notes(struct agent *a);
/* A ticket the front end answers that belongs to a child's question. */
bool agent_subagents_is_child_ticket(uint64_t ticket);
bool agent_subagents_answer(struct agent *a, uint64_t ticket, enum review_decision decision);

/* ---- a child as its front end sees it (agent_params.children) ---------- */

/* Where the agent comes from; NULL for an agent no subagent tool started. */
const struct subagent_link *agent_subagent_link(const struct agent *a);
/* A child's settings (the parent's with its role's layer) and model. */
const struct codex_config *subagent_config(const struct agent *child);
const char *subagent_model(const struct agent *child);
/* A turn the user starts on a spawn_agent child from its front end: the
 * child's status follows it as for send_input, so its parent hears how it
 * ends.  False for an agent that is no such child (a job's worker). */
bool subagent_user_turn(struct agent *child, const char *prompt, const struct strvec *images);

/* ---- workers of agent jobs (agent_jobs.c) ------------------------------ */

/* A child that no spawn_agent tool sees: it runs one prompt, and when its
 * turn ends (ok: it ended normally) the job hears of it through on_end. */
struct child;
enum worker_spawn { WORKER_STARTED, WORKER_LIMIT, WORKER_FAILED };
enum worker_spawn subagents_spawn_worker(struct subagents *s, const char *prompt,
                                         const char *job_source, struct agent_job *job,
                                         void (*on_end)(void *ud, struct child *w, bool ok),
                                         void *ud, struct child **out, char **why);
const char *subagent_worker_id(const struct child *w);
/* Stop the worker if it still runs, and free it. */
void subagent_worker_close(struct child *w);

struct agent *subagents_agent(struct subagents *s);
/* May this agent start children (agents.max_depth)? */
bool subagents_may_spawn(const struct subagents *s);
int64_t subagents_max_threads(const struct subagents *s);
/* agents.job_max_runtime_seconds (1800 when unset). */
int64_t subagents_job_max_runtime(const struct subagents *s);
/* The agent's running jobs (a list through agent_job's own link). */
struct agent_job **subagents_jobs(struct subagents *s);

/* ---- roles (subagent_roles.c) ------------------------------------------ */

struct subagent_role {
    char *name;
    char *description;     /* NULL: none */
    char *config_file;     /* absolute, or NULL */
    toml_value *layer;     /* the role's settings (inline file keys), or NULL */
    struct strvec nicknames;
    bool builtin;
};

struct subagent_roles {
    struct subagent_role *v;
    size_t n;
    size_t n_custom;       /* the first n_custom are the user's */
};

/* Read [agents.<name>] and $CODEX_HOME/agents/<name>.toml (and a trusted
 * project's .codex/agents/<name>.toml), then add the built-in roles.  Problems
 * with a file are reported through warn and the role skipped. */
void subagent_roles_load(const struct codex_config *cfg, struct subagent_roles *out,
                         void (*warn)(void *ud, const char *msg), void *ud);
void subagent_roles_free(struct subagent_roles *r);
const struct subagent_role *subagent_roles_find(const struct subagent_roles *r, const char *name);
/* The role's settings as a layer over a copy of the parent's config: the
 * strings it sets are added to owned (freed by the caller). */
void subagent_role_apply(const struct subagent_role *role, struct codex_config *cfg,
                         struct strvec *owned);
/* The spawn_agent description of agent_type: every role, user's first. */
char *subagent_roles_describe(const struct subagent_roles *r);
/* A nickname for the nth spawn of the tree. */
const char *subagent_nickname(const struct subagent_role *role, unsigned n);

/* The functions of the multi_agent_v1 namespace (a new array), and what
 * tool_search matches each on. */
json_t *subagent_tool_specs(const struct subagent_roles *roles);
json_t *subagent_search_texts(void);

#endif

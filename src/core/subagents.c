/* Subagents at run time: the multi_agent_v1 tools of one agent, its
 * children, and the tree they share (limits, roles, the root's front end
 * for approval questions).  A child is an agent like any other, started
 * with agent_new on the parent's loop; this file only sees its turns end
 * (its status) and never its items, which stay in its own rollout. */
#include "core/subagents.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agent_internal.h"
#include "core/agent_jobs.h"
#include "model/provider.h"
#include "store/rollout.h"
#include "tools/registry.h"
#include "util/xalloc.h"

#define NAMESPACE "multi_agent_v1"
#define DEFAULT_MAX_THREADS 6
#define DEFAULT_MAX_DEPTH 1
#define DEFAULT_JOB_MAX_RUNTIME (30 * 60) /* seconds a job's worker may run */
#define WAIT_DEFAULT_MS 30000
#define WAIT_MIN_MS 10000
#define WAIT_MAX_MS 3600000
/* A child's approval ticket, as the root's front end sees it: the child's
 * serial in the tree above its own ticket number. */
#define TICKET_SHIFT 40

enum child_status {
    ST_PENDING_INIT,
    ST_RUNNING,
    ST_INTERRUPTED,
    ST_COMPLETED,
    ST_ERRORED,
    ST_SHUTDOWN,
    ST_NOT_FOUND,
};

struct node {
    uint32_t serial;
    struct agent *agent;
};

struct subagent_tree {
    int refs;
    struct approval_front front; /* the root's */
    int64_t max_threads, max_depth, job_max_runtime;
    struct subagent_roles roles;
    unsigned spawned;
    int64_t open;                /* open children over the whole tree */
    uint32_t next_serial;
    struct node *nodes;
    size_t n_nodes;
};

struct child {
    struct subagents *owner;
    struct agent *agent;     /* NULL once closed */
    uint32_t serial;
    char id[UUID_STR_LEN];
    char parent_turn_id[UUID_STR_LEN];
    char *nickname;
    char *role;
    enum child_status status;
    char *message;           /* completed: the last message (may be NULL); errored: why */
    char *failure;           /* the reason of the last failed turn */
    char *rollout_path;
    const char *model;       /* borrowed from keep or the parent */
    struct codex_config cfg; /* the parent's, with the role's layer */
    struct provider_settings ps;
    struct strvec keep;      /* strings cfg borrows */
    struct subagent_link link;
    struct strvec queue;     /* send_input messages waiting for the turn to end */
    bool quiet_end;          /* the turn ending now was stopped on purpose */
    /* A worker of an agent job: told when its turn ends, instead of a
     * notification to the parent. */
    void (*on_end)(void *ud, struct child *c, bool ok);
    void *end_ud;
    char *job_source;
    struct agent_job *job;
    /* The front end that shows the child as a thread, and what it gave us
     * for the child (NULL: not followed). */
    struct subagent_observer observer;
    void *observed;
};

struct waiter {
    struct waiter *next;
    struct subagents *s;
    struct tool_call *call;
    struct strvec ids;
    uv_timer_t *timer;
};

struct subagents {
    struct agent *a;
    struct subagent_tree *tree;
    int depth;
    uint32_t serial;
    struct child **kids;
    size_t n_kids;
    struct waiter *waiters;
    json_t *notes; /* user messages for the next request */
    struct agent_job *jobs;
};

static void child_turn_done(void *ud, bool ok);

/* ---- statuses ----------------------------------------------------------- */

static bool is_final(enum child_status s)
{
    return s != ST_PENDING_INIT && s != ST_RUNNING;
}

/* As the tools answer the model. */
static json_t *status_json(enum child_status s, const char *message)
{
    switch (s) {
    case ST_PENDING_INIT: return json_string("pending_init");
    case ST_RUNNING: return json_string("running");
    case ST_INTERRUPTED: return json_string("interrupted");
    case ST_COMPLETED: return json_pack("{s:s?}", "completed", message);
    case ST_ERRORED: return json_pack("{s:s}", "errored", message ? message : "");
    case ST_SHUTDOWN: return json_string("shutdown");
    case ST_NOT_FOUND: break;
    }
    return json_string("not_found");
}

/* As the v2 item reports it (CollabAgentState). */
static json_t *state_json(enum child_status s, const char *message)
{
    static const char *const names[] = {"pendingInit", "running", "interrupted", "completed",
                                        "errored",     "shutdown", "notFound"};
    bool has_message = s == ST_COMPLETED || s == ST_ERRORED;
    return json_pack("{s:s s:s?}", "status", names[s], "message", has_message ? message : NULL);
}

/* ---- the tree ----------------------------------------------------------- */

static void warn_role(void *ud, const char *msg)
{
    struct agent *a = ud;
    if (a->p.warn)
        a->p.warn(a->p.warn_ud, msg);
}

/* agents.<key>: an integer of at least min, else the default (said once). */
static int64_t agents_int(struct agent *a, const char *key, int64_t min, int64_t dflt)
{
    const struct codex_config *cfg = a->p.cfg;
    const toml_value *agents = cfg->root ? toml_table_get(cfg->root, "agents") : NULL;
    const toml_value *v = agents && toml_type(agents) == TOML_TABLE ? toml_table_get(agents, key) : NULL;
    if (!v)
        return dflt;
    if (toml_type(v) == TOML_INTEGER && toml_integer(v) >= min)
        return toml_integer(v);
    char *msg = xasprintf("config: agents.%s (line %d, column %d) must be an integer of at least "
                          "%lld; using %lld",
                          key, toml_line(v), toml_col(v), (long long)min, (long long)dflt);
    warn_role(a, msg);
    free(msg);
    return dflt;
}

static struct subagent_tree *tree_new(struct agent *root)
{
    struct subagent_tree *t = xcalloc(1, sizeof *t);
    t->refs = 1;
    t->front = root->p.approvals;
    t->max_threads = agents_int(root, "max_threads", 1, DEFAULT_MAX_THREADS);
    t->max_depth = agents_int(root, "max_depth", 0, DEFAULT_MAX_DEPTH);
    t->job_max_runtime = agents_int(root, "job_max_runtime_seconds", 1, DEFAULT_JOB_MAX_RUNTIME);
    subagent_roles_load(root->p.cfg, &t->roles, warn_role, root);
    return t;
}

static void tree_unref(struct subagent_tree *t)
{
    if (!t || --t->refs > 0)
        return;
    subagent_roles_free(&t->roles);
    free(t->nodes);
    free(t);
}

static void tree_add_node(struct subagent_tree *t, uint32_t serial, struct agent *a)
{
    t->nodes = xrealloc(t->nodes, (t->n_nodes + 1) * sizeof *t->nodes);
    t->nodes[t->n_nodes++] = (struct node){serial, a};
}

static void tree_drop_node(struct subagent_tree *t, struct agent *a)
{
    for (size_t i = 0; i < t->n_nodes; i++)
        if (t->nodes[i].agent == a) {
            t->nodes[i] = t->nodes[--t->n_nodes];
            return;
        }
}

/* ---- approvals: a child's questions go to the root's front end ---------- */

static bool forward_ask(void *ud, const struct approval_request *req, uint64_t ticket)
{
    struct child *c = ud;
    struct subagent_tree *t = c->link.tree;
    if (!t->front.ask)
        return false;
    /* The question names the child that asks, so a front end can say who. */
    struct approval_request named = *req;
    if (!named.thread_id)
        named.thread_id = c->id;
    return t->front.ask(t->front.ud, &named, ((uint64_t)c->serial << TICKET_SHIFT) | ticket);
}

static void forward_withdraw(void *ud, uint64_t ticket)
{
    struct child *c = ud;
    struct subagent_tree *t = c->link.tree;
    if (t->front.withdraw)
        t->front.withdraw(t->front.ud, ((uint64_t)c->serial << TICKET_SHIFT) | ticket);
}

bool agent_subagents_is_child_ticket(uint64_t ticket)
{
    return (ticket >> TICKET_SHIFT) != 0;
}

bool agent_subagents_answer(struct agent *a, uint64_t ticket, enum review_decision decision)
{
    struct subagents *s = a->subagents;
    if (!s)
        return false;
    uint32_t serial = (uint32_t)(ticket >> TICKET_SHIFT);
    for (size_t i = 0; i < s->tree->n_nodes; i++)
        if (s->tree->nodes[i].serial == serial)
            return approvals_answer(s->tree->nodes[i].agent->approvals,
                                    ticket & ((UINT64_C(1) << TICKET_SHIFT) - 1), decision);
    return false;
}

/* ---- children ----------------------------------------------------------- */

static struct child *find_child(struct subagents *s, const char *id)
{
    for (size_t i = 0; i < s->n_kids; i++)
        if (strcmp(s->kids[i]->id, id) == 0)
            return s->kids[i];
    return NULL;
}

/* agent_interrupt ends a turn without an event (whoever interrupts says
 * so); the front end that shows the child hears it from here. */
static void tell_interrupted(struct child *c)
{
    if (!c->observed)
        return;
    struct agent_event ev = {.kind = AGENT_EV_TURN_ABORTED, .thread_id = c->id};
    c->observer.event(c->observed, &ev);
}

static void child_stop(struct child *c)
{
    if (!c->agent)
        return;
    c->quiet_end = true;
    tree_drop_node(c->link.tree, c->agent);
    agent_interrupt(c->agent);
    tell_interrupted(c);
    if (c->observed) {
        c->observer.closed(c->observed);
        c->observed = NULL;
    }
    agent_free(c->agent);
    c->agent = NULL;
    c->owner->tree->open--;
}

static void child_free(struct child *c)
{
    child_stop(c);
    free(c->nickname);
    free(c->role);
    free(c->message);
    free(c->failure);
    free(c->rollout_path);
    free(c->job_source);
    provider_settings_free(&c->ps);
    strvec_free(&c->keep);
    strvec_free(&c->queue);
    free(c);
}

static void set_status(struct child *c, enum child_status st, const char *message)
{
    c->status = st;
    char *m = message ? xstrdup(message) : NULL;
    free(c->message);
    c->message = m;
}

static void waiters_check(struct subagents *s);

static void queue_note(struct child *c)
{
    json_t *body = json_pack("{s:s s:o}", "agent_path", c->id, "status",
                             status_json(c->status, c->message));
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    char *note = xasprintf("<subagent_notification>\n%s\n</subagent_notification>", text);
    free(text);
    json_array_append_new(c->owner->notes,
                          json_pack("{s:s s:s s:[{s:s s:s}]}", "type", "message", "role", "user",
                                    "content", "type", "input_text", "text", note));
    free(note);
}

static void child_start_turn(struct child *c, const char *prompt, const struct strvec *images)
{
    set_status(c, ST_RUNNING, NULL);
    agent_start_turn(c->agent, prompt, images, child_turn_done, c);
}

static void child_turn_done(void *ud, bool ok)
{
    struct child *c = ud;
    if (c->quiet_end) {
        c->quiet_end = false;
        return;
    }
    if (c->on_end) {
        set_status(c, ok ? ST_COMPLETED : ST_ERRORED, ok ? agent_last_message(c->agent) : c->failure);
        c->on_end(c->end_ud, c, ok);
        return;
    }
    if (ok) {
        set_status(c, ST_COMPLETED, agent_last_message(c->agent));
    } else {
        set_status(c, ST_ERRORED, c->failure ? c->failure : "Interrupted");
    }
    free(c->failure);
    c->failure = NULL;
    queue_note(c);
    waiters_check(c->owner);
    if (c->queue.n && c->agent) {
        char *next = xstrdup(c->queue.v[0]);
        free(c->queue.v[0]);
        memmove(c->queue.v, c->queue.v + 1, (c->queue.n - 1) * sizeof *c->queue.v);
        c->queue.v[--c->queue.n] = NULL;
        child_start_turn(c, next, NULL);
        free(next);
    }
}

static void child_event(void *ud, const struct agent_event *ev)
{
    struct child *c = ud;
    if (ev->kind == AGENT_EV_TURN_FAILED && ev->message) {
        free(c->failure);
        c->failure = xstrdup(ev->message);
    }
    if (c->observed)
        c->observer.event(c->observed, ev);
}

/* The agent of a child: the parent's settings, the role's layer on top. */
static struct agent *child_agent(struct subagents *s, struct child *c, const char *model,
                                 struct rollout_session *resume, const char *resume_path,
                                 struct codex_error *err)
{
    struct agent *a = s->a;
    struct agent_params p = a->p;
    p.cfg = &c->cfg;
    p.model = model;
    p.provider = &c->ps;
    p.thread_source = "subagent";
    p.parent_thread_id = a->thread_id;
    p.base_instructions = a->base_instructions;
    p.output_schema = NULL;
    p.resume = resume;
    p.resume_path = resume_path;
    p.mcp = NULL; /* the session's MCP servers answer the root thread only */
    p.approvals = (struct approval_front){.ask = forward_ask, .withdraw = forward_withdraw, .ud = c};
    p.subagent = &c->link;
    /* A child works in Default mode: nobody is asked its questions. */
    p.user_input_ask = NULL;
    p.user_input_withdraw = NULL;
    memcpy(c->parent_turn_id, a->turn_id, sizeof c->parent_turn_id);
    c->link = (struct subagent_link){s->tree, s->depth + 1, a->thread_id, c->parent_turn_id,
                                     c->nickname, c->role,
                                     a->rollout ? agent_rollout_path(a) : NULL,
                                     c->job_source, c->job};
    struct agent *child = agent_new(a->loop, &p, child_event, c, err);
    if (!child)
        return NULL;
    c->agent = child;
    snprintf(c->id, sizeof c->id, "%s", agent_thread_id(child));
    tree_add_node(s->tree, c->serial, child);
    s->tree->open++;
    c->observer = p.children;
    if (c->observer.started && c->observer.event && c->observer.closed)
        c->observed = c->observer.started(c->observer.ud, child);
    return child;
}

/* ---- a child seen from its front end ------------------------------------ */

static struct child *child_of(const struct agent *a)
{
    const struct subagent_link *l = a ? a->p.subagent : NULL;
    return l ? (struct child *)((char *)l - offsetof(struct child, link)) : NULL;
}

const struct subagent_link *agent_subagent_link(const struct agent *a)
{
    return a ? a->p.subagent : NULL;
}

const struct codex_config *subagent_config(const struct agent *child)
{
    return child->p.cfg;
}

const char *subagent_model(const struct agent *child)
{
    return child->p.model;
}

bool subagent_user_turn(struct agent *child, const char *prompt, const struct strvec *images)
{
    struct child *c = child_of(child);
    if (!c || c->agent != child || c->on_end)
        return false;
    child_start_turn(c, prompt, images);
    return true;
}

/* ---- workers of agent jobs ---------------------------------------------- */

enum worker_spawn subagents_spawn_worker(struct subagents *s, const char *prompt,
                                         const char *job_source, struct agent_job *job,
                                         void (*on_end)(void *ud, struct child *w, bool ok),
                                         void *ud, struct child **out, char **why)
{
    *out = NULL;
    if (s->tree->open >= s->tree->max_threads)
        return WORKER_LIMIT;
    struct child *c = xcalloc(1, sizeof *c);
    c->owner = s;
    c->serial = ++s->tree->next_serial;
    c->job_source = xstrdup(job_source);
    c->job = job;
    c->on_end = on_end;
    c->end_ud = ud;
    c->cfg = *s->a->p.cfg;
    c->model = s->a->p.model;
    agent_child_provider(s->a, &c->ps);
    struct codex_error err = CODEX_ERROR_INIT;
    if (!child_agent(s, c, c->model, NULL, NULL, &err)) {
        *why = codex_error_text(&err);
        codex_error_clear(&err);
        child_free(c);
        return WORKER_FAILED;
    }
    child_start_turn(c, prompt, NULL);
    *out = c;
    return WORKER_STARTED;
}

const char *subagent_worker_id(const struct child *w)
{
    return w->id;
}

void subagent_worker_close(struct child *w)
{
    child_free(w);
}

struct agent *subagents_agent(struct subagents *s)
{
    return s->a;
}

bool subagents_may_spawn(const struct subagents *s)
{
    return s->depth + 1 <= s->tree->max_depth;
}

int64_t subagents_max_threads(const struct subagents *s)
{
    return s->tree->max_threads;
}

int64_t subagents_job_max_runtime(const struct subagents *s)
{
    return s->tree->job_max_runtime;
}

struct agent_job **subagents_jobs(struct subagents *s)
{
    return &s->jobs;
}

/* ---- the tools' plumbing ------------------------------------------------ */

static json_t *new_item(struct subagents *s, const struct tool_call *call, const char *tool,
                        const char *status)
{
    return json_pack("{s:s s:s s:s s:s s:s s:[] s:n s:{}}", "type", "collabAgentToolCall", "id",
                     call->call_id, "tool", tool, "status", status, "senderThreadId",
                     s->a->thread_id, "receiverThreadIds", "prompt", "agentsStates");
}

static void emit(struct tool_call *call, json_t *item, bool started)
{
    tool_emit_item(call->host, started ? TOOL_EV_ITEM_STARTED : TOOL_EV_ITEM_COMPLETED, item);
}

static void finish_json(struct tool_call *call, json_t *out)
{
    char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(out);
    tool_call_finish(call, text);
}

static void finish_error(struct tool_call *call, const char *fmt, const char *arg)
{
    tool_call_finish(call, xasprintf(fmt, arg));
}

/* The uuid crate's complaint about a malformed id, as the reference
 * words it. */
static char *bad_id(const char *id)
{
    size_t n = strlen(id);
    if (!strchr(id, '-') && n != 32)
        return xasprintf("invalid agent id %s: Error(ParseSimpleLength { len: %zu })", id, n);
    for (size_t i = 0; i < n; i++) {
        char ch = id[i];
        bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        if (!hex && ch != '-')
            return xasprintf("invalid agent id %s: Error(ParseChar { character: '%c', index: %zu })",
                             id, ch, i + 1);
    }
    return xasprintf("invalid agent id %s: Error(ParseOther)", id);
}

/* The child a target names; else the call is finished with the error. */
static struct child *target(struct subagents *s, struct tool_call *call, const char *id)
{
    if (!id)
        id = "";
    if (!uuid_is_valid(id)) {
        tool_call_finish(call, bad_id(id));
        return NULL;
    }
    struct child *c = find_child(s, id);
    if (!c)
        finish_error(call, "agent with id %s not found", id);
    return c;
}

/* message or items: the text and the images of the input. */
static bool collab_input(struct tool_call *call, const json_t *args, char **text,
                         struct strvec *images)
{
    const json_t *msg = json_object_get(args, "message");
    const json_t *items = json_object_get(args, "items");
    bool has_msg = msg && !json_is_null(msg), has_items = items && !json_is_null(items);
    if (has_msg && has_items) {
        tool_call_finish(call, xstrdup("Provide either message or items, but not both"));
        return false;
    }
    if (!has_msg && !has_items) {
        tool_call_finish(call, xstrdup("Provide one of: message or items"));
        return false;
    }
    if (has_msg) {
        const char *m = json_string_value(msg);
        const char *p = m ? m : "";
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p) {
            tool_call_finish(call, xstrdup("Empty message can't be sent to an agent"));
            return false;
        }
        *text = xstrdup(m);
        return true;
    }
    if (!json_is_array(items) || !json_array_size(items)) {
        tool_call_finish(call, xstrdup("Items can't be empty"));
        return false;
    }
    struct buf b = BUF_INIT;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        const char *type = json_string_value(json_object_get(it, "type"));
        const char *t = json_string_value(json_object_get(it, "text"));
        const char *url = json_string_value(json_object_get(it, "image_url"));
        if (type && strcmp(type, "text") == 0 && t) {
            if (b.len)
                buf_puts(&b, "\n");
            buf_puts(&b, t);
        } else if (type && strcmp(type, "image") == 0 && url) {
            strvec_push(images, url);
        } else {
            buf_free(&b);
            strvec_free(images);
            tool_call_finish(call, xasprintf("items[%zu]: codex-c takes text and image items only "
                                             "so far; send the rest as text",
                                             i));
            return false;
        }
    }
    *text = buf_detach(&b, NULL);
    if (!*text)
        *text = xstrdup("");
    return true;
}

/* ---- spawn_agent -------------------------------------------------------- */

static bool valid_effort(const char *e)
{
    static const char *const known[] = {"none", "minimal", "low", "medium", "high", "xhigh"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(e, known[i]) == 0)
            return true;
    return false;
}

static void spawn_agent(struct subagents *s, struct tool_call *call, json_t *args)
{
    struct subagent_tree *t = s->tree;
    const char *role_name = json_string_value(json_object_get(args, "agent_type"));
    while (role_name && *role_name == ' ')
        role_name++;
    if (role_name && !*role_name)
        role_name = NULL;
    char *text = NULL;
    struct strvec images = STRVEC_INIT;
    if (!collab_input(call, args, &text, &images))
        return;
    if (s->depth + 1 > t->max_depth) {
        tool_call_finish(call, xstrdup("Agent depth limit reached. Solve the task yourself."));
        goto out;
    }
    const char *model = json_string_value(json_object_get(args, "model"));
    const char *effort = json_string_value(json_object_get(args, "reasoning_effort"));
    if (json_is_true(json_object_get(args, "fork_context"))) {
        tool_call_finish(call, xstrdup("fork_context is not supported by codex-c yet; spawn the "
                                       "agent without it and put what it needs in the message"));
        goto out;
    }
    json_t *item = new_item(s, call, "spawnAgent", "inProgress");
    json_object_set_new(item, "prompt", json_string(text));
    json_object_set_new(item, "model", model ? json_string(model) : json_null());
    json_object_set_new(item, "reasoningEffort", effort ? json_string(effort) : json_null());
    emit(call, item, true);
    json_object_set_new(item, "status", json_string("failed"));

    const struct subagent_role *role = subagent_roles_find(&t->roles, role_name ? role_name : "default");
    if (!role) {
        emit(call, item, false);
        finish_error(call, "unknown agent_type '%s'", role_name);
        json_decref(item);
        goto out;
    }
    if (effort && !valid_effort(effort)) {
        emit(call, item, false);
        finish_error(call, "unknown reasoning_effort '%s'", effort);
        json_decref(item);
        goto out;
    }
    if (t->open >= t->max_threads) {
        emit(call, item, false);
        tool_call_finish(call, xstrdup("collab spawn failed: agent thread limit reached"));
        json_decref(item);
        goto out;
    }

    struct child *c = xcalloc(1, sizeof *c);
    c->owner = s;
    c->serial = ++t->next_serial;
    c->nickname = xstrdup(subagent_nickname(role, t->spawned++));
    c->role = role_name ? xstrdup(role_name) : NULL;
    c->cfg = *s->a->p.cfg;
    c->cfg.model = NULL;
    subagent_role_apply(role, &c->cfg, &c->keep);
    if (model)
        c->cfg.model = (strvec_push(&c->keep, model), c->keep.v[c->keep.n - 1]);
    if (effort)
        c->cfg.model_reasoning_effort = (strvec_push(&c->keep, effort), c->keep.v[c->keep.n - 1]);
    /* The model the parent runs, unless the role or the call says otherwise. */
    c->model = c->cfg.model ? c->cfg.model : s->a->p.model;
    c->cfg.model = s->a->p.cfg->model;
    agent_child_provider(s->a, &c->ps);
    struct codex_error err = CODEX_ERROR_INIT;
    if (!child_agent(s, c, c->model, NULL, NULL, &err)) {
        char *why = codex_error_text(&err);
        codex_error_clear(&err);
        emit(call, item, false);
        finish_error(call, "collab spawn failed: %s", why);
        free(why);
        json_decref(item);
        child_free(c);
        goto out;
    }
    const char *path = agent_rollout_path(c->agent);
    c->rollout_path = path ? xstrdup(path) : NULL;
    s->kids = xrealloc(s->kids, (s->n_kids + 1) * sizeof *s->kids);
    s->kids[s->n_kids++] = c;

    json_object_set_new(item, "status", json_string("completed"));
    json_object_set_new(item, "receiverThreadIds", json_pack("[s]", c->id));
    json_object_set_new(item, "agentsStates", json_pack("{s:o}", c->id, state_json(ST_PENDING_INIT, NULL)));
    /* What the child runs, for a front end's "Spawned X (model effort)". */
    json_object_set_new(item, "model", c->model ? json_string(c->model) : json_null());
    const char *effort_used = agent_effort(c->agent); /* the model's default when unset */
    json_object_set_new(item, "reasoningEffort", effort_used ? json_string(effort_used) : json_null());
    emit(call, item, false);
    json_decref(item);
    finish_json(call, json_pack("{s:s s:s}", "agent_id", c->id, "nickname", c->nickname));
    child_start_turn(c, text, &images);
out:
    free(text);
    strvec_free(&images);
}

/* ---- send_input --------------------------------------------------------- */

static void send_input(struct subagents *s, struct tool_call *call, json_t *args)
{
    const char *id = json_string_value(json_object_get(args, "target"));
    if (!id)
        id = json_string_value(json_object_get(args, "id"));
    struct child *c = target(s, call, id);
    if (!c)
        return;
    char *text = NULL;
    struct strvec images = STRVEC_INIT;
    if (!collab_input(call, args, &text, &images))
        return;
    json_t *item = new_item(s, call, "sendInput", "inProgress");
    json_object_set_new(item, "prompt", json_string(text));
    json_object_set_new(item, "receiverThreadIds", json_pack("[s]", c->id));
    emit(call, item, true);
    if (!c->agent) {
        json_object_set_new(item, "status", json_string("failed"));
        emit(call, item, false);
        json_decref(item);
        finish_error(call, "agent with id %s is closed", c->id);
        free(text);
        strvec_free(&images);
        return;
    }
    bool interrupt = json_is_true(json_object_get(args, "interrupt"));
    if (interrupt && !is_final(c->status)) {
        c->quiet_end = true;
        agent_interrupt(c->agent);
        c->quiet_end = false;
        set_status(c, ST_INTERRUPTED, NULL);
    }
    if (is_final(c->status))
        child_start_turn(c, text, &images);
    else
        strvec_push(&c->queue, text);
    json_object_set_new(item, "status", json_string("completed"));
    json_object_set_new(item, "agentsStates", json_pack("{s:o}", c->id, state_json(c->status, c->message)));
    emit(call, item, false);
    json_decref(item);
    char submission[UUID_STR_LEN];
    uuid_v7(submission);
    finish_json(call, json_pack("{s:s}", "submission_id", submission));
    free(text);
    strvec_free(&images);
}

/* ---- resume_agent ------------------------------------------------------- */

static void resume_agent(struct subagents *s, struct tool_call *call, json_t *args)
{
    struct child *c = target(s, call, json_string_value(json_object_get(args, "id")));
    if (!c)
        return;
    if (s->depth + 1 > s->tree->max_depth) {
        tool_call_finish(call, xstrdup("Agent depth limit reached. Solve the task yourself."));
        return;
    }
    json_t *item = new_item(s, call, "resumeAgent", "inProgress");
    json_object_set_new(item, "receiverThreadIds", json_pack("[s]", c->id));
    emit(call, item, true);
    char *error = NULL;
    if (!c->agent) {
        struct rollout_session rs = {0};
        struct codex_error err = CODEX_ERROR_INIT;
        if (s->tree->open >= s->tree->max_threads) {
            error = xstrdup("collab spawn failed: agent thread limit reached");
        } else if (!c->rollout_path) {
            error = xasprintf("agent with id %s not found", c->id);
        } else if (rollout_load(c->rollout_path, &rs, &err) != 0 ||
                   !child_agent(s, c, c->model, &rs, c->rollout_path, &err)) {
            char *why = codex_error_text(&err);
            error = xasprintf("collab tool failed: %s", why);
            free(why);
        } else {
            set_status(c, ST_PENDING_INIT, NULL);
        }
        codex_error_clear(&err);
        rollout_session_free(&rs);
    }
    json_object_set_new(item, "status", json_string(error ? "failed" : "completed"));
    json_object_set_new(item, "agentsStates", json_pack("{s:o}", c->id, state_json(c->status, c->message)));
    emit(call, item, false);
    json_decref(item);
    if (error)
        tool_call_finish(call, error);
    else
        finish_json(call, json_pack("{s:o}", "status", status_json(c->status, c->message)));
}

/* ---- wait_agent --------------------------------------------------------- */

static void waiter_free(struct waiter *w)
{
    strvec_free(&w->ids);
    if (w->timer)
        uv_close((uv_handle_t *)w->timer, (uv_close_cb)free);
    free(w);
}

static void waiter_unlink(struct waiter *w)
{
    for (struct waiter **p = &w->s->waiters; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            return;
        }
}

static enum child_status status_of(struct subagents *s, const char *id, const char **message)
{
    struct child *c = find_child(s, id);
    *message = c ? c->message : NULL;
    return c ? c->status : ST_NOT_FOUND;
}

/* Answer the wait with the targets that have finished (none: timed out). */
static void waiter_finish(struct waiter *w, bool timed_out)
{
    struct subagents *s = w->s;
    json_t *status = json_object(), *states = json_object();
    for (size_t i = 0; i < w->ids.n; i++) {
        const char *msg;
        enum child_status st = status_of(s, w->ids.v[i], &msg);
        if (timed_out || !is_final(st))
            continue;
        json_object_set_new(status, w->ids.v[i], status_json(st, msg));
        json_object_set_new(states, w->ids.v[i], state_json(st, msg));
    }
    json_t *item = new_item(s, w->call, "wait", "completed");
    json_t *ids = json_array();
    for (size_t i = 0; i < w->ids.n; i++)
        json_array_append_new(ids, json_string(w->ids.v[i]));
    json_object_set_new(item, "receiverThreadIds", ids);
    json_object_set_new(item, "agentsStates", states);
    emit(w->call, item, false);
    json_decref(item);
    struct tool_call *call = w->call;
    call->on_drop = NULL;
    waiter_unlink(w);
    waiter_free(w);
    finish_json(call, json_pack("{s:o s:b}", "status", status, "timed_out", timed_out));
}

static bool waiter_ready(struct waiter *w)
{
    for (size_t i = 0; i < w->ids.n; i++) {
        const char *msg;
        if (is_final(status_of(w->s, w->ids.v[i], &msg)))
            return true;
    }
    return false;
}

static void waiters_check(struct subagents *s)
{
    struct waiter *w = s->waiters;
    while (w) {
        struct waiter *next = w->next;
        if (waiter_ready(w))
            waiter_finish(w, false);
        w = next;
    }
}

static void on_wait_timeout(uv_timer_t *t)
{
    waiter_finish(t->data, true);
}

static void on_wait_dropped(void *ud)
{
    struct waiter *w = ud;
    waiter_unlink(w);
    waiter_free(w);
}

static void wait_agent(struct subagents *s, struct tool_call *call, json_t *args)
{
    const json_t *targets = json_object_get(args, "targets");
    struct strvec ids = STRVEC_INIT;
    size_t i;
    json_t *v;
    json_array_foreach(targets, i, v) {
        const char *id = json_string_value(v);
        if (!id || !uuid_is_valid(id)) {
            tool_call_finish(call, bad_id(id ? id : ""));
            strvec_free(&ids);
            return;
        }
        strvec_push(&ids, id);
    }
    json_int_t timeout = WAIT_DEFAULT_MS;
    const json_t *tv = json_object_get(args, "timeout_ms");
    if (json_is_number(tv))
        timeout = (json_int_t)json_number_value(tv);
    if (timeout <= 0) {
        tool_call_finish(call, xstrdup("timeout_ms must be greater than zero"));
        strvec_free(&ids);
        return;
    }
    timeout = timeout < WAIT_MIN_MS ? WAIT_MIN_MS : timeout > WAIT_MAX_MS ? WAIT_MAX_MS : timeout;
    json_t *item = new_item(s, call, "wait", "inProgress");
    json_t *arr = json_array();
    for (i = 0; i < ids.n; i++)
        json_array_append_new(arr, json_string(ids.v[i]));
    json_object_set_new(item, "receiverThreadIds", arr);
    emit(call, item, true);
    json_decref(item);

    struct waiter *w = xcalloc(1, sizeof *w);
    w->s = s;
    w->call = call;
    w->ids = ids;
    w->next = s->waiters;
    s->waiters = w;
    if (waiter_ready(w) || !ids.n) {
        waiter_finish(w, !ids.n);
        return;
    }
    w->timer = xcalloc(1, sizeof *w->timer);
    uv_timer_init(s->a->loop, w->timer);
    w->timer->data = w;
    uv_timer_start(w->timer, on_wait_timeout, (uint64_t)timeout, 0);
    call->on_drop = on_wait_dropped;
    call->drop_ud = w;
}

/* ---- close_agent -------------------------------------------------------- */

static void close_agent(struct subagents *s, struct tool_call *call, json_t *args)
{
    struct child *c = target(s, call, json_string_value(json_object_get(args, "target")));
    if (!c)
        return;
    json_t *item = new_item(s, call, "closeAgent", "inProgress");
    json_object_set_new(item, "receiverThreadIds", json_pack("[s]", c->id));
    emit(call, item, true);
    if (!c->agent) {
        json_object_set_new(item, "status", json_string("failed"));
        emit(call, item, false);
        json_decref(item);
        finish_error(call, "agent with id %s is closed", c->id);
        return;
    }
    json_t *previous = status_json(c->status, c->message);
    json_object_set_new(item, "status", json_string("completed"));
    json_object_set_new(item, "agentsStates", json_pack("{s:o}", c->id, state_json(c->status, c->message)));
    child_stop(c);
    if (!is_final(c->status))
        set_status(c, ST_SHUTDOWN, NULL);
    emit(call, item, false);
    json_decref(item);
    finish_json(call, json_pack("{s:o}", "previous_status", previous));
    waiters_check(s);
}

/* ---- the group ---------------------------------------------------------- */

static void dispatch(void *ud, struct tool_call *call)
{
    struct subagents *s = ud;
    json_error_t jerr;
    json_t *args = json_loads(call->input && *call->input ? call->input : "{}", 0, &jerr);
    if (!json_is_object(args)) {
        json_decref(args);
        tool_call_finish(call, xasprintf("failed to parse function arguments: %s", jerr.text));
        return;
    }
    if (strcmp(call->name, "spawn_agent") == 0)
        spawn_agent(s, call, args);
    else if (strcmp(call->name, "send_input") == 0)
        send_input(s, call, args);
    else if (strcmp(call->name, "resume_agent") == 0)
        resume_agent(s, call, args);
    else if (strcmp(call->name, "wait_agent") == 0)
        wait_agent(s, call, args);
    else if (strcmp(call->name, "close_agent") == 0)
        close_agent(s, call, args);
    else
        tool_call_finish(call, xasprintf("unsupported call: %s", call->name));
    json_decref(args);
}

void agent_subagents_attach(struct agent *a)
{
    if (!config_feature_enabled(a->p.cfg, "multi_agent"))
        return;
    struct subagents *s = xcalloc(1, sizeof *s);
    s->a = a;
    s->notes = json_array();
    const struct subagent_link *link = a->p.subagent;
    if (link) {
        s->tree = link->tree;
        s->tree->refs++;
        s->depth = link->depth;
    } else {
        s->tree = tree_new(a);
    }
    a->subagents = s;
    if (link && link->job)
        agent_jobs_register_worker_tool(s, link->job);
    /* A child at the depth limit gets no tools to start agents with. */
    if (link && s->depth >= s->tree->max_depth)
        return;
    if (config_feature_enabled(a->p.cfg, "enable_fanout"))
        agent_jobs_register_tool(s);
    json_t *tools = subagent_tool_specs(&s->tree->roles);
    json_t *search = subagent_search_texts();
    struct tool_group g = {
        .name = NAMESPACE,
        .description = "Tools for spawning and managing sub-agents.",
        .deferred = true,
        .tools = tools,
        .search_texts = search,
        .dispatch = dispatch,
        .ud = s,
    };
    tool_registry_put(a->registry, &g);
    json_decref(tools);
    json_decref(search);
}

void agent_subagents_detach(struct agent *a)
{
    struct subagents *s = a->subagents;
    if (!s)
        return;
    a->subagents = NULL;
    agent_jobs_cancel_all(s);
    while (s->waiters) {
        struct waiter *w = s->waiters;
        w->call->on_drop = NULL;
        waiter_unlink(w);
        waiter_free(w);
    }
    for (size_t i = 0; i < s->n_kids; i++)
        child_free(s->kids[i]);
    free(s->kids);
    json_decref(s->notes);
    tree_unref(s->tree);
    free(s);
}

void agent_subagents_interrupt(struct agent *a)
{
    struct subagents *s = a->subagents;
    for (size_t i = 0; s && i < s->n_kids; i++) {
        struct child *c = s->kids[i];
        if (c->agent && !is_final(c->status)) {
            strvec_free(&c->queue);
            agent_interrupt(c->agent);
            tell_interrupted(c);
        }
    }
}

void agent_subagents_flush_notes(struct agent *a)
{
    struct subagents *s = a->subagents;
    if (!s || !json_array_size(s->notes))
        return;
    size_t i;
    json_t *m;
    json_array_foreach(s->notes, i, m)
        agent_record_item(a, m);
    json_array_clear(s->notes);
}

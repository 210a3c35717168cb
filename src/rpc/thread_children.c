/* Subagents as threads: each child a thread's agent starts (spawn_agent,
 * resume_agent, and theirs in turn) is a loaded thread of its own while the
 * core keeps it.  Its events become notifications with its own threadId,
 * heard by the root thread's owner and followers (and by any connection
 * that resumed the child), as the reference streams them; a client may
 * read, resume, steer, interrupt or start a turn on it.  It announces no
 * thread/started; it goes when its parent closes it (close_agent, or the
 * parent going), with thread/status/changed notLoaded.
 *
 * The core owns the child's agent and configuration: this file only
 * borrows them, and never frees the agent. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/subagents.h"
#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "util/xalloc.h"

static void *child_started(void *ud, struct agent *agent)
{
    struct rpc_thread *root = ud;
    if (root->closing)
        return NULL;
    struct rpc_thread *t = xcalloc(1, sizeof *t);
    t->root = root;
    t->reg = root->reg;
    t->agent = agent;
    t->cfg = *subagent_config(agent); /* shallow: see rpc_thread.root */
    t->model = xstrdup(subagent_model(agent) ? subagent_model(agent) : root->model);
    t->provider_id = xstrdup(root->provider_id);
    t->open_items = json_object();
    t->created_at = t->updated_at = (int64_t)time(NULL);
    t->history_mode = xstrdup("paginated");
    t->thread_source = xstrdup("subagent");
    t->originator = root->originator ? xstrdup(root->originator) : NULL;
    t->git_info = json_incref(root->git_info);
    t->ephemeral = root->ephemeral;
    t->announced = true; /* the reference sends no thread/started for it */
    snprintf(t->read_revision, sizeof t->read_revision, "initial:%s", agent_thread_id(agent));
    uv_timer_init(root->reg->server->loop, &t->reaper);
    t->reaper.data = t;
    t->next = root->reg->list;
    root->reg->list = t;
    rpc_thread_status_changed(t);
    return t;
}

static void child_event(void *ud, const struct agent_event *ev)
{
    struct rpc_thread *t = ud;
    /* The parent stopped it (interrupted or closed): a turn it had ends. */
    if (ev->kind == AGENT_EV_TURN_ABORTED && !t->turn_running)
        return;
    if (ev->kind == AGENT_EV_TURN_STARTED) {
        /* A turn the parent gave it belongs to the parent's turn. */
        const struct subagent_link *l = agent_subagent_link(t->agent);
        snprintf(t->root_turn_id, sizeof t->root_turn_id, "%s",
                 !t->user_turn && l && l->parent_turn_id ? l->parent_turn_id : "");
        t->user_turn = false;
    }
    rpc_thread_event(t, ev);
}

static void child_freed(uv_handle_t *h)
{
    rpc_thread_discard(h->data);
}

static void child_closed(void *ud)
{
    struct rpc_thread *t = ud;
    rpc_thread_notify(t, "thread/status/changed",
                      json_pack("{s:s s:{s:s}}", "threadId", rpc_thread_id(t), "status", "type",
                                "notLoaded"));
    t->closing = true;
    for (struct rpc_thread **p = &t->reg->list; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    while (t->subs)
        rpc_thread_drop_subscriber(t, t->subs->conn);
    t->agent = NULL;
    uv_close((uv_handle_t *)&t->reaper, child_freed);
}

void rpc_thread_follow_children(struct rpc_thread *t, struct agent_params *ap)
{
    ap->children = (struct subagent_observer){.started = child_started,
                                              .event = child_event,
                                              .closed = child_closed,
                                              .ud = t};
}

/* What turn/start may change on an ordinary thread; a subagent's settings
 * are its parent's choice (the core owns them). */
static const char *const fixed_settings[] = {
    "model", "effort", "summary", "cwd", "sandboxPolicy", "approvalPolicy",
    "collaborationMode", "outputSchema", "personality", "serviceTier",
};

bool rpc_thread_child_turn(struct rpc_request *req, struct rpc_thread *t, json_t *params,
                           const char *prompt, const struct strvec *images)
{
    const char *current[] = {t->model, t->cfg.model_reasoning_effort,
                             t->cfg.model_reasoning_summary, t->cfg.cwd};
    for (size_t i = 0; i < sizeof fixed_settings / sizeof *fixed_settings; i++) {
        json_t *v = json_object_get(params, fixed_settings[i]);
        /* The value it has already is no change. */
        const char *now = i < sizeof current / sizeof *current ? current[i] : NULL;
        if (now && json_is_string(v) && strcmp(json_string_value(v), now) == 0)
            continue;
        if (v && !json_is_null(v)) {
            rpc_reply_refused(req, "%s cannot be changed on subagent thread %s: its parent "
                                   "chose its settings; start the turn without it",
                              fixed_settings[i], rpc_thread_id(t));
            return false;
        }
    }
    const char *client_id;
    if (!rpc_get_string(req, params, "clientUserMessageId", false, &client_id))
        return false;
    free(t->client_message_id);
    t->client_message_id = client_id ? xstrdup(client_id) : NULL;
    t->user_turn = true;
    if (!subagent_user_turn(t->agent, prompt, images)) {
        t->user_turn = false;
        rpc_reply_refused(req, "thread %s is a worker of an agent job and takes no input",
                          rpc_thread_id(t));
        return false;
    }
    return true;
}

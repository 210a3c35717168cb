/* The threads module's state: the loaded threads, who follows each one,
 * sending their notifications, unloading them, and the index of stored
 * sessions. */
#include <stdlib.h>
#include <string.h>

#include "rpc/jsonrpc.h"
#include "rpc/server.h"
#include "rpc/thread.h"
#include "store/thread_index.h"
#include "util/uuid.h"
#include "util/xalloc.h"

struct rpc_threads *rpc_threads_of(struct rpc_request *req)
{
    if (!*req->state) {
        struct rpc_threads *reg = xcalloc(1, sizeof *reg);
        reg->server = req->server;
        *req->state = reg;
    }
    return *req->state;
}

bool rpc_check_thread_id(struct rpc_request *req, const char *id)
{
    if (!uuid_is_valid(id)) {
        /* The reference's words (its UUID parser's) for a stray character;
         * the character is shown whole, however many bytes it takes. */
        size_t bad = strspn(id, "0123456789abcdefABCDEF-");
        if (id[bad]) {
            int len = 1;
            while (((unsigned char)id[bad + (size_t)len] & 0xC0) == 0x80)
                len++;
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST,
                            "invalid thread id: invalid character: expected an optional prefix of "
                            "`urn:uuid:` followed by [0-9a-fA-F-], found `%.*s` at %zu",
                            len, id + bad, bad + 1);
        } else {
            rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "invalid thread id: %s is not a UUID",
                            id);
        }
        return false;
    }
    return true;
}

struct rpc_thread *rpc_thread_for(struct rpc_request *req, const char *id)
{
    if (!rpc_check_thread_id(req, id))
        return NULL;
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    if (!t)
        rpc_reply_error(req, JSONRPC_INVALID_REQUEST, "thread not found: %s", id);
    return t;
}

void rpc_threads_free_state(void **slot)
{
    struct rpc_threads *reg = *slot;
    /* Every thread was reaped when its connection closed; the loop has
     * finished, so no snapshot is being written. */
    thread_index_free(reg->index);
    free(reg->list_cache.key);
    free(reg->list_cache.order);
    free(reg);
    *slot = NULL;
}

const char *rpc_thread_id(const struct rpc_thread *t)
{
    return agent_thread_id(t->agent);
}

struct rpc_thread *rpc_thread_find(struct rpc_threads *reg, const char *id)
{
    for (struct rpc_thread *t = reg->list; t; t = t->next)
        if (!t->closing && strcmp(rpc_thread_id(t), id) == 0)
            return t;
    return NULL;
}

struct rpc_thread *rpc_thread_lookup(struct rpc_request *req, json_t *params)
{
    const char *id;
    if (!rpc_get_string(req, params, "threadId", true, &id))
        return NULL;
    struct rpc_thread *t = rpc_thread_find(rpc_threads_of(req), id);
    if (!t)
        rpc_reply_refused(req, "thread not found: %s", id);
    return t;
}

void rpc_thread_notify(struct rpc_thread *t, const char *method, json_t *params)
{
    /* A subagent's thread is heard by whoever hears its tree's root. */
    struct rpc_thread *home = t->root ? t->root : t;
    if (!home->conn || home->closing || t->closing) {
        json_decref(params);
        return;
    }
    if (t->buffered) {
        json_array_append_new(t->buffered, json_pack("{s:s s:o}", "method", method, "params",
                                                     params));
        return;
    }
    if (t->root)
        for (struct rpc_thread_sub *sub = t->subs; sub; sub = sub->next)
            if (!rpc_thread_subscribed(home, sub->conn))
                rpc_conn_notify(sub->conn, method, json_incref(params));
    for (struct rpc_thread_sub *sub = home->subs; sub; sub = sub->next)
        rpc_conn_notify(sub->conn, method, json_incref(params));
    rpc_conn_notify(home->conn, method, params);
}

bool rpc_thread_subscribed(const struct rpc_thread *t, const struct rpc_conn *c)
{
    if (t->conn == c)
        return true;
    for (const struct rpc_thread_sub *sub = t->subs; sub; sub = sub->next)
        if (sub->conn == c)
            return true;
    return false;
}

static void free_sub(struct rpc_thread *t, struct rpc_thread_sub *gone)
{
    for (struct rpc_thread_sub **p = &t->subs; *p; p = &(*p)->next)
        if (*p == gone) {
            *p = gone->next;
            break;
        }
    free(gone);
}

static void on_subscriber_closed(struct rpc_conn_resource *r)
{
    struct rpc_thread_sub *sub = (struct rpc_thread_sub *)r;
    free_sub(sub->thread, sub); /* the connection has unlinked it already */
}

void rpc_thread_subscribe(struct rpc_thread *t, struct rpc_conn *c)
{
    if (rpc_thread_subscribed(t, c) || t->closing)
        return;
    struct rpc_thread_sub *sub = xcalloc(1, sizeof *sub);
    sub->thread = t;
    sub->conn = c;
    sub->res.on_close = on_subscriber_closed;
    rpc_conn_add_resource(c, &sub->res);
    sub->next = t->subs;
    t->subs = sub;
}

bool rpc_thread_drop_subscriber(struct rpc_thread *t, struct rpc_conn *c)
{
    for (struct rpc_thread_sub *sub = t->subs; sub; sub = sub->next)
        if (sub->conn == c) {
            rpc_conn_remove_resource(c, &sub->res);
            free_sub(t, sub);
            return true;
        }
    return false;
}

static void on_owner_closed(struct rpc_conn_resource *r);

bool rpc_thread_pass_ownership(struct rpc_thread *t)
{
    if (!t->subs)
        return false;
    struct rpc_thread_sub *heir = t->subs;
    while (heir->next)
        heir = heir->next; /* the longest follower */
    struct rpc_conn *c = heir->conn;
    rpc_thread_drop_subscriber(t, c);
    if (t->conn)
        rpc_conn_remove_resource(t->conn, &t->res);
    t->conn = c;
    t->res.on_close = on_owner_closed;
    rpc_conn_add_resource(c, &t->res);
    return true;
}

/* ---- lifetime ----------------------------------------------------------- */

static void drop_approvals(struct rpc_thread *t)
{
    while (t->approvals) {
        struct rpc_approval *a = t->approvals;
        t->approvals = a->next;
        json_decref(a->request);
        free(a);
    }
}

void rpc_thread_discard(struct rpc_thread *t)
{
    if (t->goal_release)
        t->goal_release(t);
    if (t->mcp.release)
        t->mcp.release(t); /* after the agent, which borrows the servers */
    if (t->have_ps)
        provider_settings_free(&t->ps);
    auth_manager_free(t->auth);
    if (t->have_login)
        login_settings_free(&t->login);
    if (!t->root) /* a subagent's is the core's */
        config_free(&t->cfg);
    free(t->model);
    strvec_free(&t->old_models);
    free(t->provider_id);
    free(t->name);
    free(t->preview);
    free(t->forked_from);
    free(t->history_mode);
    free(t->thread_source);
    free(t->originator);
    json_decref(t->git_info);
    json_decref(t->output_schema);
    free(t->first_unread_turn);
    json_decref(t->last_message);
    free(t->client_message_id);
    json_decref(t->steer_client_ids);
    json_decref(t->open_items);
    json_decref(t->buffered);
    free(t->pending_error);
    json_decref(t->early_notices);
    drop_approvals(t);
    free(t);
}

static void thread_closed(uv_handle_t *h)
{
    rpc_thread_discard(h->data);
}

static void session_ended(void *ud)
{
    struct rpc_thread *t = ud;
    /* The agent withdraws the questions it still has out (nothing is
     * sent: the thread is closing); entries left are freed with t. */
    agent_free(t->agent); /* kills the commands it started */
    t->agent = NULL;
    uv_close((uv_handle_t *)&t->reaper, thread_closed);
}

static void reap(uv_timer_t *timer)
{
    struct rpc_thread *t = timer->data;
    for (struct rpc_thread **p = &t->reg->list; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    /* An unloaded thread's session ends: its SessionEnd hooks run first
     * (the loop, and so the server, waits for them). */
    if (t->agent)
        agent_end_session(t->agent, session_ended, t);
    else
        session_ended(t);
}

void rpc_thread_unload(struct rpc_thread *t)
{
    /* A subagent lives as long as its parent keeps it (close_agent, or the
     * parent going): only its followers leave. */
    if (t->root) {
        while (t->subs)
            rpc_thread_drop_subscriber(t, t->subs->conn);
        return;
    }
    if (t->closing)
        return;
    t->closing = true;
    if (t->conn)
        rpc_conn_remove_resource(t->conn, &t->res);
    t->conn = NULL;
    while (t->subs)
        rpc_thread_drop_subscriber(t, t->subs->conn);
    uv_timer_start(&t->reaper, reap, 0, 0);
}

static void on_owner_closed(struct rpc_conn_resource *r)
{
    struct rpc_thread *t = (struct rpc_thread *)r;
    t->conn = NULL; /* already unlinked by the connection */
    if (!rpc_thread_pass_ownership(t))
        rpc_thread_unload(t);
}

void rpc_thread_register(struct rpc_threads *reg, struct rpc_thread *t, struct rpc_conn *c)
{
    t->reg = reg;
    uv_timer_init(reg->server->loop, &t->reaper);
    t->reaper.data = t;
    t->conn = c;
    t->res.on_close = on_owner_closed;
    rpc_conn_add_resource(c, &t->res);
    t->next = reg->list;
    reg->list = t;
}

/* ---- stored sessions ---------------------------------------------------- */

static void write_snapshot(uv_work_t *w)
{
    struct rpc_threads *reg = w->data;
    struct codex_error err = CODEX_ERROR_INIT;
    /* A cache: when it cannot be written, the next process rebuilds it. */
    thread_index_write_snapshot(reg->saving, &err);
    codex_error_clear(&err);
}

static void snapshot_written(uv_work_t *w, int status)
{
    struct rpc_threads *reg = w->data;
    (void)status;
    thread_index_snapshot_free(reg->saving);
    reg->saving = NULL;
}

static void save_now(uv_timer_t *timer)
{
    struct rpc_threads *reg = timer->data;
    if (reg->saving || !(reg->saving = thread_index_snapshot(reg->index)))
        return;
    reg->save_work.data = reg;
    if (uv_queue_work(reg->server->loop, &reg->save_work, write_snapshot, snapshot_written) != 0) {
        thread_index_snapshot_free(reg->saving);
        reg->saving = NULL;
    }
}

/* The index file is written a second after a listing changed it, off the
 * loop; whatever is left is written when the server shuts down. */
static void schedule_save(struct rpc_threads *reg)
{
    if (!reg->save_timer_ready) {
        uv_timer_init(reg->server->loop, &reg->save_timer);
        uv_unref((uv_handle_t *)&reg->save_timer);
        reg->save_timer.data = reg;
        reg->save_timer_ready = true;
    }
    if (!uv_is_active((uv_handle_t *)&reg->save_timer))
        uv_timer_start(&reg->save_timer, save_now, 1000, 0);
}

static struct thread_index *index_of(struct rpc_threads *reg)
{
    if (!reg->index)
        reg->index = thread_index_new(reg->server->codex_home);
    return reg->index;
}

size_t rpc_threads_stored(struct rpc_threads *reg, enum rollout_tree tree,
                          const struct rollout_summary *const **out, uint64_t *generation)
{
    struct strvec live = STRVEC_INIT;
    for (struct rpc_thread *t = reg->list; t; t = t->next) {
        const char *p = t->agent && !t->ephemeral ? agent_rollout_path(t->agent) : NULL;
        if (p)
            strvec_push(&live, p);
    }
    size_t n = thread_index_list(index_of(reg), tree, (const char *const *)live.v, live.n, out);
    strvec_free(&live);
    *generation = thread_index_generation(reg->index);
    schedule_save(reg);
    return n;
}

const json_t *rpc_threads_names(struct rpc_threads *reg)
{
    return thread_index_names(index_of(reg));
}

/* The session's MCP servers.  The front end starts them (mcp/manager.h)
 * before the agent exists, so that a required server can stop the session
 * before anything is reported; the agent takes the manager over: every
 * server that becomes ready is offered to the model through the tool
 * registry (tools/mcp_tools.h), and a turn's first request waits until no
 * server is still starting.  The _meta every tools/call carries comes from
 * here too. */
#include "core/agent_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/git_head.h"
#include "tools/mcp_tools.h"
#include "util/xalloc.h"

static void resume_waiting_turn(struct agent *a)
{
    if (!a->waiting_for_tools || !mcp_manager_settled(a->p.mcp))
        return;
    a->waiting_for_tools = false;
    void (*then)(struct agent *) = a->tools_ready_then;
    a->tools_ready_then = NULL;
    if (then)
        then(a);
}

static void server_changed(struct agent *a, size_t i)
{
    struct strvec warnings = STRVEC_INIT;
    mcp_tools_server_changed(a->mcp_tools, i, &warnings);
    for (size_t k = 0; k < warnings.n && a->p.warn; k++)
        a->p.warn(a->p.warn_ud, warnings.v[k]);
    strvec_free(&warnings);
}

static void on_server_changed(void *ud, size_t i)
{
    struct agent *a = ud;
    server_changed(a, i);
    resume_waiting_turn(a);
}

/* An elicitation the front end holds: what to answer when it does. */
struct mcp_elicitation_wait {
    uint64_t ticket;
    size_t server;
    json_t *id;
    bool in_turn; /* asked while a turn ran: an interrupt cancels it */
    struct mcp_elicitation_wait *next;
};

/* Elicitation tickets never meet the approvals' (core/approvals.c counts
 * from 1): the front end keeps both in one list. */
#define ELICITATION_TICKET_BASE (UINT64_C(1) << 62)

static void decline(struct agent *a, size_t i, const json_t *id)
{
    mcp_manager_answer(a->p.mcp, i, id, json_pack("{s:s}", "action", "decline"), 0, NULL);
}

static void on_server_request(void *ud, size_t i, const json_t *id, const char *method,
                              const json_t *params)
{
    struct agent *a = ud;
    if (strcmp(method, "elicitation/create") != 0) {
        mcp_manager_answer(a->p.mcp, i, id, NULL, -32601, "Method not supported");
        return;
    }
    const struct codex_config *cfg = a->p.cfg;
    const char *mode = json_string_value(json_object_get(params, "mode"));
    const json_t *fields = json_object_get(json_object_get(params, "requestedSchema"), "properties");
    bool confirm_only = (!mode || strcmp(mode, "url") != 0) && json_object_size(fields) == 0;
    enum elicitation_gate gate = approval_decide_elicitation(
        cfg->approval_policy, &cfg->granular, !sandbox_policy_restricts(&a->policy), confirm_only);
    if (gate == ELICITATION_ACCEPT_EMPTY) {
        mcp_manager_answer(a->p.mcp, i, id, json_pack("{s:s s:{}}", "action", "accept", "content"),
                           0, NULL);
        return;
    }
    const struct approval_front *f = &a->p.approvals;
    if (gate == ELICITATION_DECLINE || !f->elicit) { /* nobody to ask, as in codex exec */
        decline(a, i, id);
        return;
    }
    struct mcp_elicitation_wait *w = xcalloc(1, sizeof *w);
    w->ticket = ELICITATION_TICKET_BASE + ++a->elicitation_tickets;
    w->server = i;
    w->id = json_deep_copy(id);
    w->in_turn = a->done != NULL;
    w->next = a->elicitations;
    a->elicitations = w;
    const char *server = mcp_manager_server(a->p.mcp, i)->cfg->name;
    if (!f->elicit(f->ud, server, a->done ? a->turn_id : NULL, params, w->ticket))
        agent_elicitation_answer(a, w->ticket, NULL);
}

/* The answer as the server gets it: the action, the content of an accept
 * ({} when the client sent none, as the reference fills it in) and _meta
 * when there is one (a client's nulls are not passed on). */
static json_t *elicitation_result(const json_t *answer)
{
    const char *action = json_string_value(json_object_get(answer, "action"));
    if (!action || (strcmp(action, "accept") != 0 && strcmp(action, "cancel") != 0))
        return json_pack("{s:s}", "action", "decline");
    json_t *r = json_pack("{s:s}", "action", action);
    const json_t *content = json_object_get(answer, "content");
    if (strcmp(action, "accept") == 0)
        json_object_set_new(r, "content", content && !json_is_null(content) ? json_deep_copy(content)
                                                                            : json_object());
    const json_t *meta = json_object_get(answer, "_meta");
    if (meta && !json_is_null(meta))
        json_object_set_new(r, "_meta", json_deep_copy(meta));
    return r;
}

bool agent_elicitation_answer(struct agent *a, uint64_t ticket, const json_t *result)
{
    for (struct mcp_elicitation_wait **p = &a->elicitations; *p; p = &(*p)->next) {
        struct mcp_elicitation_wait *w = *p;
        if (w->ticket != ticket)
            continue;
        *p = w->next;
        if (a->p.mcp)
            mcp_manager_answer(a->p.mcp, w->server, w->id, elicitation_result(result), 0, NULL);
        json_decref(w->id);
        free(w);
        return true;
    }
    return false;
}

/* The servers go (the session ends or gets new ones): what the front end
 * still holds is withdrawn; nobody is left to answer. */
static void withdraw_elicitations(struct agent *a)
{
    while (a->elicitations) {
        struct mcp_elicitation_wait *w = a->elicitations;
        a->elicitations = w->next;
        if (a->p.approvals.withdraw)
            a->p.approvals.withdraw(a->p.approvals.ud, w->ticket);
        json_decref(w->id);
        free(w);
    }
}

/* The turn is interrupted: what its tools asked is answered "cancel", as
 * the reference does, and withdrawn from the front end.  Questions of
 * calls made outside any turn stay. */
void agent_mcp_interrupt(struct agent *a)
{
    for (struct mcp_elicitation_wait **p = &a->elicitations; *p;) {
        struct mcp_elicitation_wait *w = *p;
        if (!w->in_turn) {
            p = &w->next;
            continue;
        }
        *p = w->next;
        if (a->p.mcp)
            mcp_manager_answer(a->p.mcp, w->server, w->id, json_pack("{s:s}", "action", "cancel"), 0,
                               NULL);
        if (a->p.approvals.withdraw)
            a->p.approvals.withdraw(a->p.approvals.ud, w->ticket);
        json_decref(w->id);
        free(w);
    }
}

void agent_mcp_attach(struct agent *a)
{
    struct mcp_manager *m = a->p.mcp;
    if (!m)
        return;
    a->mcp_tools = mcp_tools_new(a->registry, m);
    struct mcp_manager_callbacks cb = {.on_server_changed = on_server_changed,
                                       .on_server_request = on_server_request, .ud = a};
    mcp_manager_set_callbacks(m, &cb);
    /* Servers that settled before the agent existed. */
    for (size_t i = 0; i < mcp_manager_count(m); i++)
        if (mcp_manager_server(m, i)->state == MCP_SERVER_READY)
            server_changed(a, i);
}

void agent_mcp_detach(struct agent *a)
{
    withdraw_elicitations(a);
    if (a->p.mcp)
        mcp_manager_set_callbacks(a->p.mcp, NULL);
    mcp_tools_free(a->mcp_tools);
    a->mcp_tools = NULL;
}

bool agent_mcp_wait(struct agent *a, void (*then)(struct agent *a))
{
    if (!a->p.mcp || mcp_manager_settled(a->p.mcp))
        return false;
    a->waiting_for_tools = true;
    a->tools_ready_then = then;
    return true;
}

json_t *agent_mcp_meta(struct agent *a)
{
    const struct codex_config *cfg = a->p.cfg;
    json_t *turn = json_pack("{s:s s:s s:s? s:s s:s s:s s:s}", "session_id", a->thread_id,
                             "thread_id", a->thread_id, "reasoning_effort", agent_effort(a),
                             "turn_id", a->turn_id, "model", a->p.model, "thread_source", "user",
                             "turn_trigger", a->p.source ? a->p.source : "exec");
    json_object_set_new(turn, "sandbox",
                        json_string(cfg->sandbox_mode == SANDBOX_DANGER_FULL_ACCESS ? "none" : "seccomp"));
    json_object_set_new(turn, "sandbox_mode", json_string(sandbox_mode_name(cfg->sandbox_mode)));
    json_t *workspace = json_object();
    char *commit = NULL, *branch = NULL;
    if (git_head(cfg->cwd, &commit, &branch) == 0 && commit)
        json_object_set_new(workspace, "latest_git_commit_hash", json_string(commit));
    free(commit);
    free(branch);
    json_object_set_new(turn, "workspaces", json_pack("{s:o}", cfg->cwd, workspace));
    json_object_set_new(turn, "turn_started_at_unix_ms", json_integer(a->turn_started_ms));
    json_object_set_new(turn, "codex_version", json_string(CODEX_VERSION));
    json_t *meta = json_pack("{s:o s:s s:s}", "x-codex-turn-metadata", turn, "threadId",
                             a->thread_id, "sessionId", a->thread_id);
    json_object_set_new(meta, "windowId", json_sprintf("%s:0", a->thread_id));
    return meta;
}

void agent_set_mcp(struct agent *a, struct mcp_manager *m)
{
    mcp_tools_unregister(a->mcp_tools);
    agent_mcp_detach(a);
    a->p.mcp = m;
    agent_mcp_attach(a);
}

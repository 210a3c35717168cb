/* The session's MCP servers.  The front end starts them (mcp/manager.h)
 * before the agent exists, so that a required server can stop the session
 * before anything is reported; the agent takes the manager over: every
 * server that becomes ready is offered to the model through the tool
 * registry (tools/mcp_tools.h), and a turn's first request waits until no
 * server is still starting.  The _meta every tools/call carries comes from
 * here too. */
#include "core/agent_internal.h"

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

static void on_server_request(void *ud, size_t i, const json_t *id, const char *method,
                              const json_t *params)
{
    (void)params;
    struct agent *a = ud;
    /* Nobody is asked yet: an elicitation is declined, as codex exec does. */
    if (strcmp(method, "elicitation/create") == 0)
        mcp_manager_answer(a->p.mcp, i, id, json_pack("{s:s}", "action", "decline"), 0, NULL);
    else
        mcp_manager_answer(a->p.mcp, i, id, NULL, -32601, "Method not supported");
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

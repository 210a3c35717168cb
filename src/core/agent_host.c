/* What the tools see of the session (tools/tool.h): events, the approval
 * gates, questions to the user and process spawning with the session's
 * environment and sandbox. */
#include "core/agent_internal.h"

#include <stdlib.h>

#include <string.h>

#include "store/git_root.h"
#include "netproxy/profile.h"
#include "netproxy/session.h"
#include "tools/shell_env.h"
#include "util/envp.h"
#include "util/xalloc.h"

/* Tools report through the same path as the loop itself. */
static void host_emit(void *ctx, const struct tool_event *tev)
{
    struct agent *a = ctx;
    struct agent_event ev = {.item = tev->item, .item_id = tev->item_id, .plan = tev->plan};
    char *delta = NULL;
    switch (tev->kind) {
    case TOOL_EV_ITEM_STARTED: ev.kind = AGENT_EV_ITEM_STARTED; break;
    case TOOL_EV_ITEM_COMPLETED: ev.kind = AGENT_EV_ITEM_COMPLETED; break;
    case TOOL_EV_PLAN_UPDATED: ev.kind = AGENT_EV_PLAN_UPDATED; break;
    case TOOL_EV_OUTPUT_DELTA:
        ev.kind = AGENT_EV_COMMAND_OUTPUT_DELTA;
        ev.delta = delta = xstrndup(tev->delta, tev->delta_len);
        break;
    case TOOL_EV_MCP_PROGRESS:
        /* No front end shows an MCP call's progress yet (exec --json has no
         * event for it either). */
        return;
    }
    agent_emit(a, &ev);
    free(delta);
    if (tev->patch) {
        turn_diff_note(&a->turn_diff, tev->patch);
        char *root = git_repo_root(a->p.cfg->cwd);
        char *diff = turn_diff_render(&a->turn_diff, root ? root : a->p.cfg->cwd);
        struct agent_event d = {.kind = AGENT_EV_TURN_DIFF, .message = diff};
        agent_emit(a, &d);
        free(diff);
        free(root);
    }
}

static struct tool_gate host_gate_exec(void *ctx, const struct tool_exec_request *req)
{
    struct agent *a = ctx;
    return approvals_gate_exec(a->approvals, &a->policy, req);
}

static struct tool_gate host_gate_patch(void *ctx, const struct tool_patch_request *req)
{
    struct agent *a = ctx;
    return approvals_gate_patch(a->approvals, &a->policy, a->p.cfg->cwd, req);
}

static struct tool_gate host_gate_mcp(void *ctx, const struct tool_mcp_request *req)
{
    struct agent *a = ctx;
    return approvals_gate_mcp(a->approvals, &a->policy, req);
}

static json_t *host_mcp_meta(void *ctx)
{
    return agent_mcp_meta(ctx);
}

static struct tool_ask *host_ask(void *ctx, const struct approval_request *req, tool_answer_fn answer, void *ud)
{
    struct agent *a = ctx;
    return approvals_ask(a->approvals, req, answer, ud);
}

static void host_ask_cancel(void *ctx, struct tool_ask *ask)
{
    struct agent *a = ctx;
    approvals_ask_cancel(a->approvals, ask);
}

static const char *host_denial_note(void *ctx)
{
    struct agent *a = ctx;
    return approvals_denial_note(a->approvals);
}

/* The session's proxy, started when the first command needs it. */
static struct netproxy_session *session_proxy(struct agent *a, struct codex_error *err)
{
    if (a->netproxy)
        return a->netproxy;
    struct netproxy_inputs in;
    netproxy_inputs_from_envp(a->p.cfg->envp, &in);
    in.hosts = a->p.netproxy_hosts;
    in.n_hosts = a->p.n_netproxy_hosts;
    struct netproxy_config ncfg;
    if (netproxy_config_from_profile(a->p.cfg, &in, approvals_policy(a->approvals), &ncfg, err) != 0)
        return NULL;
    /* Unlisted hosts are asked about when the approval policy lets us ask
     * (network_approvals.c); otherwise they are refused. */
    struct netproxy_session_hooks hooks;
    agent_network_hooks(a, &hooks);
    ncfg.ask = agent_network_may_ask(a);
    struct netproxy_session_opts opts = {a->policy.host.self_exe ? a->policy.host.self_exe : "/proc/self/exe",
                                         a->p.cfg->envp, a->loop, &hooks};
    if (netproxy_session_start(&ncfg, &opts, &a->netproxy, err) != 0)
        a->netproxy = NULL;
    netproxy_config_free(&ncfg);
    return a->netproxy;
}

/* Every command a tool starts: the session's environment, and its sandbox
 * unless the gate or the user lifted it.  The writable roots always come
 * from the session's working directory, wherever the command runs. */
static struct proc *host_spawn(void *ctx, const struct tool_spawn *sp, const struct proc_callbacks *cb,
                               struct codex_error *err)
{
    struct agent *a = ctx;
    const struct codex_config *cfg = a->p.cfg;
    struct netproxy_session *proxy = NULL;
    if (!sp->unsandboxed && a->policy.network_proxy) {
        /* Fail closed: no proxy, no command. */
        proxy = session_proxy(a, err);
        if (!proxy)
            return NULL;
    }
    struct strvec env = STRVEC_INIT;
    shell_env_build(&cfg->shell_env, (char *const *)cfg->envp, a->p.path_prefix, &env);
    for (const char *const *e = sp->extra_env; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || eq == *e)
            continue;
        char *name = xstrndup(*e, (size_t)(eq - *e));
        envp_set(&env, name, eq + 1);
        free(name);
    }
    struct proc_spec spec = {
        .argv = sp->argv,
        .envp = (const char *const *)env.v,
        .cwd = sp->cwd,
        .io = sp->tty ? PROC_IO_PTY : PROC_IO_PIPES,
        .stdin_pipe = true,
        .merge_stderr = !sp->split_stderr,
        .drain_ms = sp->drain_ms,
        .sandbox = sp->unsandboxed ? NULL : &a->policy,
        .policy_cwd = cfg->cwd,
        .netproxy = proxy,
    };
    struct proc *p = proc_spawn(a->loop, &spec, cb, err);
    strvec_free(&env);
    return p;
}

/* A refused request fails the command: the reference's "Network access
 * to ... was blocked" message, or the reviewer's rationale when it was the
 * reviewer who said no. */
static char *host_network_blocked(void *ctx, uint64_t attachment, bool *reviewed)
{
    struct agent *a = ctx;
    *reviewed = false;
    if (!a->netproxy || !attachment)
        return NULL;
    /* The refusal is reported before the client gets its 403: read what
     * the proxy sent so far. */
    netproxy_session_pump(a->netproxy, NULL);
    const char *note = agent_network_denial(a, attachment);
    if (note) {
        *reviewed = true;
        return xstrdup(note);
    }
    const struct netproxy_block *b = netproxy_session_first_block(a->netproxy, attachment);
    return b ? netproxy_blocked_message(b->host, b->reason) : NULL;
}

static const struct tool_host_ops host_ops = {
    .emit = host_emit,
    .gate_exec = host_gate_exec,
    .gate_patch = host_gate_patch,
    .gate_mcp = host_gate_mcp,
    .mcp_meta = host_mcp_meta,
    .ask = host_ask,
    .ask_cancel = host_ask_cancel,
    .denial_note = host_denial_note,
    .spawn = host_spawn,
    .network_blocked = host_network_blocked,
};


void agent_host_init(struct agent *a)
{
    a->host = (struct tool_host){
        .ops = &host_ops,
        .ctx = a,
        .loop = a->loop,
        .cwd = a->p.cfg->cwd,
        .sessions = a->sessions,
        .allow_login_shell = a->p.cfg->allow_login_shell,
    };
}

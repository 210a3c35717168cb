/* The session's approval state and the gates the tools consult.  Nothing
 * here blocks: a question to the user is a ticket handed to the front end
 * and answered later through approvals_answer. */
#include "core/approvals.h"

#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "patch/patch.h"
#include "policy/execpolicy_requirements.h"
#include "policy/safe_commands.h"
#include "policy/shell_split.h"
#include "sandbox/sandbox.h"
#include "util/envp.h"
#include "util/xalloc.h"

/* A question in flight.  Its asker holds the pointer (struct tool_ask is
 * this struct); the front end holds only the ticket. */
struct tool_ask {
    struct approvals *ap;
    uint64_t ticket;
    enum approval_kind kind;
    char *session_key;
    struct strvec prefix; /* the offered "always" rule, may be empty */
    char *mcp_server, *mcp_tool; /* mcp: what "always" approves in config.toml */
    tool_answer_fn answer;
    void *ud;
    bool told_front; /* the front end holds the ticket */
    struct approval_request *held; /* the question, while the screen decides */
    bool auto_decline; /* nobody to ask: declined on the next loop turn */
    bool reviewing;    /* the reviewer holds the ticket */
    struct tool_ask *next;
};

struct approvals {
    uv_loop_t *loop;
    const struct codex_config *cfg;
    struct ep_policy *policy;
    struct strvec session; /* keys approved for the session */
    struct approval_front front;
    struct tool_ask *waiting;
    uint64_t next_ticket;
    uv_timer_t decline_timer; /* answers questions nobody can be asked */
    bool abort_turn;
    approval_screen_fn screen;
    void *screen_ud;
    approval_review_fn reviewer;
    approval_review_cancel_fn reviewer_cancel;
    void *reviewer_ud;
    const char *denial_note; /* while a reviewed question's answer runs */
};

/* ---- loading ------------------------------------------------------------- */

static int add_requirements(struct ep_policy *p, const struct codex_config *cfg, char **err)
{
    const char *path = config_requirements_path(cfg->envp);
    char buf[512];
    toml_value *root = NULL;
    int found = config_read_toml_file(path, 1u << 20, &root, buf, sizeof buf);
    if (found < 0)
        *err = xstrdup(buf);
    if (found <= 0)
        return found;
    int r = ep_policy_add_requirements(p, root, path, err);
    toml_free(root);
    return r;
}

static int load_rules(struct ep_policy *p, const struct codex_config *cfg, bool ignore_rules, char **err)
{
    if (!ignore_rules) {
        struct strvec dirs = STRVEC_INIT;
        /* Project rules count only for a trusted project. */
        const char *root = cfg->project_trusted ? (cfg->project_root ? cfg->project_root : cfg->cwd) : NULL;
        ep_rules_dirs(cfg->codex_home, root, cfg->cwd, &dirs);
        int r = ep_policy_load_dirs(p, (const char *const *)dirs.v, dirs.n, err);
        strvec_free(&dirs);
        if (r < 0)
            return -1;
    }
    return add_requirements(p, cfg, err);
}

static void timer_closed(uv_handle_t *h)
{
    free(h->data);
}

struct approvals *approvals_new(uv_loop_t *loop, const struct codex_config *cfg, bool ignore_rules,
                                const struct approval_front *front, struct codex_error *err)
{
    struct ep_policy *p = ep_policy_new();
    ep_policy_set_home(p, envp_get(cfg->envp, "HOME"));
    char *why = NULL;
    if (load_rules(p, cfg, ignore_rules, &why) < 0) {
        ep_policy_free(p);
        codex_error_set(err, "loading rules: %s", why);
        free(why);
        return NULL;
    }
    struct approvals *ap = xcalloc(1, sizeof *ap);
    ap->loop = loop;
    ap->cfg = cfg;
    ap->policy = p;
    if (front)
        ap->front = *front;
    uv_timer_init(loop, &ap->decline_timer);
    ap->decline_timer.data = ap;
    return ap;
}

/* A question kept while the screen decides: every string and list its
 * own. */
struct held_request {
    struct approval_request r;
    struct strvec strings; /* owns what r points at */
    struct strvec argv, prefix;
};

static const char *keep(struct held_request *h, const char *s)
{
    if (!s)
        return NULL;
    strvec_push(&h->strings, s);
    return h->strings.v[h->strings.n - 1];
}

static struct approval_request *hold_request(const struct approval_request *src)
{
    struct held_request *h = xcalloc(1, sizeof *h);
    h->r = *src;
    h->r.call_id = keep(h, src->call_id);
    h->r.command = keep(h, src->command);
    h->r.cwd = keep(h, src->cwd);
    h->r.reason = keep(h, src->reason);
    h->r.mcp_server = keep(h, src->mcp_server);
    h->r.mcp_tool = keep(h, src->mcp_tool);
    h->r.mcp_tool_description = keep(h, src->mcp_tool_description);
    h->r.session_key = keep(h, src->session_key);
    h->r.network_host = keep(h, src->network_host);
    h->r.network_protocol = keep(h, src->network_protocol);
    for (size_t i = 0; i < src->argc; i++)
        strvec_push(&h->argv, src->argv[i]);
    h->r.argv = (const char *const *)h->argv.v;
    for (size_t i = 0; i < src->n_proposed_prefix; i++)
        strvec_push(&h->prefix, src->proposed_prefix[i]);
    h->r.proposed_prefix = (const char *const *)h->prefix.v;
    h->r.changes = src->changes ? json_deep_copy(src->changes) : NULL;
    h->r.mcp_arguments = src->mcp_arguments ? json_deep_copy(src->mcp_arguments) : NULL;
    return &h->r;
}

static void release_request(struct approval_request *r)
{
    if (!r)
        return;
    struct held_request *h = (struct held_request *)r;
    json_decref((json_t *)h->r.changes);
    json_decref((json_t *)h->r.mcp_arguments);
    strvec_free(&h->strings);
    strvec_free(&h->argv);
    strvec_free(&h->prefix);
    free(h);
}

static void ask_free(struct tool_ask *a)
{
    release_request(a->held);
    free(a->session_key);
    free(a->mcp_server);
    free(a->mcp_tool);
    strvec_free(&a->prefix);
    free(a);
}

static bool unlink_ask(struct approvals *ap, struct tool_ask *a)
{
    for (struct tool_ask **pp = &ap->waiting; *pp; pp = &(*pp)->next)
        if (*pp == a) {
            *pp = a->next;
            return true;
        }
    return false;
}

void approvals_free(struct approvals *ap)
{
    if (!ap)
        return;
    while (ap->waiting) {
        struct tool_ask *a = ap->waiting;
        ap->waiting = a->next;
        if (a->told_front && ap->front.withdraw)
            ap->front.withdraw(ap->front.ud, a->ticket);
        ask_free(a);
    }
    ep_policy_free(ap->policy);
    strvec_free(&ap->session);
    /* The timer's memory is the struct itself: free it once closed. */
    uv_timer_stop(&ap->decline_timer);
    ap->decline_timer.data = ap;
    uv_close((uv_handle_t *)&ap->decline_timer, timer_closed);
}

bool approvals_take_abort(struct approvals *ap)
{
    if (!ap || !ap->abort_turn)
        return false;
    ap->abort_turn = false;
    return true;
}

const struct ep_policy *approvals_policy(const struct approvals *ap)
{
    return ap->policy;
}

/* ---- the session cache --------------------------------------------------- */

bool approvals_session_has(const struct approvals *ap, const char *key)
{
    for (size_t i = 0; i < ap->session.n; i++)
        if (strcmp(ap->session.v[i], key) == 0)
            return true;
    return false;
}

void approvals_session_add(struct approvals *ap, const char *key)
{
    if (key && !approvals_session_has(ap, key))
        strvec_push(&ap->session, key);
}

int approvals_persist_prefix(struct approvals *ap, const char *const *prefix, size_t n, struct codex_error *err)
{
    if (!ep_prefix_suggestion_ok(prefix, n)) {
        codex_error_set(err, "this prefix would allow arbitrary commands and cannot be allowed always");
        return -1;
    }
    char *why = NULL;
    if (execpolicy_append_rule(ap->cfg->codex_home, prefix, n, &why) < 0) {
        codex_error_set(err, "%s", why);
        free(why);
        return -1;
    }
    /* The file now has the rule; the loaded policy gets it too so that the
     * rest of the session agrees with the next one. */
    struct ep_pattern_word *words = xcalloc(n, sizeof *words);
    for (size_t i = 0; i < n; i++) {
        words[i].alts = &prefix[i];
        words[i].nalts = 1;
    }
    int r = ep_policy_add_prefix_rule(ap->policy, words, n, EP_ALLOW, NULL, false, &why);
    free(words);
    if (r < 0) {
        codex_error_set(err, "%s", why);
        free(why);
    }
    return r;
}

/* ---- questions ----------------------------------------------------------- */

static void settle(struct approvals *ap, struct tool_ask *a, enum review_decision d)
{
    if (d == REVIEW_APPROVED_ALWAYS && a->prefix.n) {
        struct codex_error err = CODEX_ERROR_INIT;
        /* A rule that cannot be written still leaves this approval valid:
         * the user said yes to this command. */
        approvals_persist_prefix(ap, (const char *const *)a->prefix.v, a->prefix.n, &err);
        codex_error_clear(&err);
    }
    if (d == REVIEW_APPROVED_ALWAYS && a->kind == APPROVAL_KIND_MCP && a->mcp_server && a->mcp_tool) {
        struct codex_error err = CODEX_ERROR_INIT;
        /* As with a rule: the call is approved even when the file cannot
         * take the setting. */
        config_mcp_tool_approve(ap->cfg, a->mcp_server, a->mcp_tool, &err);
        codex_error_clear(&err);
    }
    if (d == REVIEW_APPROVED_FOR_SESSION || d == REVIEW_APPROVED_ALWAYS)
        approvals_session_add(ap, a->session_key);
    /* A cancelled MCP question fails that call only, and a cancelled
     * network question that request only; the reference's turn goes on. */
    if (d == REVIEW_ABORT && a->kind != APPROVAL_KIND_MCP && a->kind != APPROVAL_KIND_NETWORK)
        ap->abort_turn = true;
    tool_answer_fn answer = a->answer;
    void *ud = a->ud;
    ask_free(a);
    answer(ud, d);
}

static void on_decline_timer(uv_timer_t *t)
{
    struct approvals *ap = t->data;
    for (;;) {
        struct tool_ask *a = ap->waiting;
        while (a && !a->auto_decline)
            a = a->next;
        if (!a)
            return;
        unlink_ask(ap, a);
        settle(ap, a, REVIEW_DENIED);
    }
}

static void tell_front(struct approvals *ap, struct tool_ask *a, const struct approval_request *req);

struct tool_ask *approvals_ask(struct approvals *ap, const struct approval_request *req, tool_answer_fn answer,
                               void *ud)
{
    struct tool_ask *a = xcalloc(1, sizeof *a);
    a->ap = ap;
    a->ticket = ++ap->next_ticket;
    a->kind = req->kind;
    a->session_key = req->session_key ? xstrdup(req->session_key) : NULL;
    a->mcp_server = req->mcp_server ? xstrdup(req->mcp_server) : NULL;
    a->mcp_tool = req->mcp_tool ? xstrdup(req->mcp_tool) : NULL;
    for (size_t i = 0; i < req->n_proposed_prefix; i++)
        strvec_push(&a->prefix, req->proposed_prefix[i]);
    a->answer = answer;
    a->ud = ud;
    a->next = ap->waiting;
    ap->waiting = a;
    if (ap->screen) {
        a->held = hold_request(req);
        ap->screen(ap->screen_ud, a->held, a->ticket);
        return a;
    }
    tell_front(ap, a, req);
    return a;
}

void approvals_set_screen(struct approvals *ap, approval_screen_fn screen, void *ud)
{
    ap->screen = screen;
    ap->screen_ud = ud;
}

void approvals_screened(struct approvals *ap, uint64_t ticket, int verdict)
{
    for (struct tool_ask *a = ap->waiting; a; a = a->next) {
        if (a->ticket != ticket || !a->held)
            continue;
        struct approval_request *req = a->held;
        if (verdict != 0) {
            unlink_ask(ap, a);
            settle(ap, a, verdict > 0 ? REVIEW_APPROVED : REVIEW_DENIED);
            return;
        }
        a->held = NULL;
        tell_front(ap, a, req);
        release_request(req);
        return;
    }
}

void approvals_set_reviewer(struct approvals *ap, approval_review_fn start, approval_review_cancel_fn cancel,
                            void *ud)
{
    ap->reviewer = start;
    ap->reviewer_cancel = cancel;
    ap->reviewer_ud = ud;
}

void approvals_reviewed(struct approvals *ap, uint64_t ticket, bool approved, const char *note)
{
    for (struct tool_ask *a = ap->waiting; a; a = a->next) {
        if (a->ticket != ticket || !a->reviewing)
            continue;
        unlink_ask(ap, a);
        ap->denial_note = approved ? NULL : note;
        settle(ap, a, approved ? REVIEW_APPROVED : REVIEW_DENIED);
        ap->denial_note = NULL;
        return;
    }
}

const char *approvals_denial_note(const struct approvals *ap)
{
    return ap->denial_note;
}

static void tell_front(struct approvals *ap, struct tool_ask *a, const struct approval_request *req)
{
    if (ap->reviewer) {
        a->reviewing = true;
        ap->reviewer(ap->reviewer_ud, req, a->ticket);
        return;
    }
    a->told_front = ap->front.ask != NULL;
    if (!a->told_front || !ap->front.ask(ap->front.ud, req, a->ticket)) {
        a->told_front = false;
        /* Nobody to ask: declined, but never before the asker has the
         * handle in hand. */
        a->auto_decline = true;
        uv_timer_start(&ap->decline_timer, on_decline_timer, 0, 0);
    }
}

bool approvals_answer(struct approvals *ap, uint64_t ticket, enum review_decision decision)
{
    for (struct tool_ask *a = ap->waiting; a; a = a->next) {
        if (a->ticket != ticket || !a->told_front)
            continue;
        unlink_ask(ap, a);
        settle(ap, a, decision);
        return true;
    }
    return false;
}

void approvals_ask_cancel(struct approvals *ap, struct tool_ask *a)
{
    if (!a || !unlink_ask(ap, a))
        return;
    if (a->told_front && ap->front.withdraw)
        ap->front.withdraw(ap->front.ud, a->ticket);
    if (a->reviewing && ap->reviewer_cancel)
        ap->reviewer_cancel(ap->reviewer_ud, a->ticket);
    tool_answer_fn answer = a->answer;
    void *ud = a->ud;
    ask_free(a);
    answer(ud, REVIEW_ABORT);
}

void approvals_cancel_all(struct approvals *ap)
{
    while (ap && ap->waiting)
        approvals_ask_cancel(ap, ap->waiting);
}

/* ---- the exec gate ------------------------------------------------------- */

static struct tool_gate gate_of(const struct approval_decision *d)
{
    struct tool_gate g = {.unsandboxed_if_approved = d->unsandboxed_if_approved};
    switch (d->action) {
    case APPROVAL_RUN: g.action = TOOL_GATE_RUN; break;
    case APPROVAL_RUN_UNSANDBOXED: g.action = TOOL_GATE_RUN_UNSANDBOXED; break;
    case APPROVAL_ASK: g.action = TOOL_GATE_ASK; break;
    case APPROVAL_REJECT: g.action = TOOL_GATE_REJECT; break;
    }
    return g;
}

/* A retry without the sandbox after the sandbox stopped a command: offered
 * only under on-failure (and granular with sandbox_approval). */
static struct tool_gate gate_retry(struct approvals *ap, const char *key)
{
    struct tool_gate g = {.action = TOOL_GATE_RUN};
    const struct codex_config *cfg = ap->cfg;
    if (!approval_may_retry_unsandboxed(cfg->approval_policy, &cfg->granular))
        return g; /* the sandboxed result stands */
    if (approvals_session_has(ap, key)) {
        g.action = TOOL_GATE_RUN_UNSANDBOXED;
        return g;
    }
    g.action = TOOL_GATE_ASK;
    g.unsandboxed_if_approved = true;
    g.session_key = xstrdup(key);
    return g;
}

/* What an "always" answer would allow when the model proposed no
 * prefix_rule, as the reference derives it: the first simple command of
 * the script that is not known to be safe (the whole argv when no shell
 * wraps it).  None when a rules file asks (allowing the command would not
 * lift that) or the script is opaque. */
static void derive_amendment(const struct tool_exec_request *req, enum ep_outcome rule,
                             struct strvec *out)
{
    if (req->n_prefix_rule || rule == EP_OUTCOME_ASK)
        return;
    const char *script = shell_wrapper_script(req->argv, req->argc);
    if (!script) {
        if (!safe_command_is_known_safe(req->argv, req->argc))
            for (size_t i = 0; i < req->argc; i++)
                strvec_push(out, req->argv[i]);
        return;
    }
    struct shell_commands cmds = {0};
    if (shell_split(script, strlen(script), &cmds) != 0)
        return;
    for (size_t i = 0; i < cmds.n; i++) {
        const struct strvec *c = &cmds.cmds[i];
        if (safe_command_is_known_safe((const char *const *)c->v, c->n))
            continue;
        for (size_t k = 0; k < c->n; k++)
            strvec_push(out, c->v[k]);
        break;
    }
    shell_commands_free(&cmds);
}

struct tool_gate approvals_gate_exec(struct approvals *ap, const struct sandbox_policy *policy,
                                     const struct tool_exec_request *req)
{
    const struct codex_config *cfg = ap->cfg;
    char *joined = ep_shlex_join(req->argv, req->argc);
    /* Approving a command outside the sandbox for the session also covers
     * its retries after a sandbox denial: both use the E key. */
    char *key = xasprintf("exec%c%s", req->escalation || req->retry ? 'E' : 'S', joined);
    free(joined);
    if (req->retry) {
        struct tool_gate g = gate_retry(ap, key);
        free(key);
        return g;
    }
    struct approval_inputs in = {
        .policy = cfg->approval_policy,
        .granular = cfg->granular,
        .sandbox = cfg->sandbox_mode,
        .known_safe = safe_command_is_known_safe(req->argv, req->argc),
        .escalation = req->escalation,
    };
    if (policy && !sandbox_policy_restricts(policy))
        in.sandbox = SANDBOX_DANGER_FULL_ACCESS;
    struct ep_evaluation ev = {0};
    ep_check_command(ap->policy, req->argv, req->argc, false, &ev);
    struct ep_verdict verdict;
    ep_verdict_for(&ev, req->argv, req->argc, true, true, &verdict);
    in.rule = verdict.outcome;
    in.session_approved = approvals_session_has(ap, key);
    struct approval_decision d = approval_decide(&in);
    struct tool_gate g = gate_of(&d);
    if (d.action == APPROVAL_REJECT) {
        g.message = approval_reject_message(d.reject, &in, &ev, req->argv, req->argc);
    } else if (d.action == APPROVAL_ASK) {
        g.session_key = key;
        key = NULL;
        const char *why = req->escalation ? req->justification : NULL;
        if (!why && in.rule == EP_OUTCOME_ASK)
            why = verdict.reason;
        g.message = why ? xstrdup(why) : NULL;
        derive_amendment(req, in.rule, &g.amendment);
    }
    free(verdict.reason);
    ep_evaluation_free(&ev);
    free(key);
    return g;
}

/* ---- the patch gate ------------------------------------------------------ */

/* Does any path the commit touches lie outside what the sandbox lets a
 * command write?  Decided on the resolved targets of the plan itself. */
static bool patch_writes_outside(const struct sandbox_policy *policy, const char *policy_cwd,
                                 const struct patch_plan *plan)
{
    if (!policy || !sandbox_policy_restricts(policy))
        return false;
    struct patch_target *targets;
    size_t n = patch_plan_targets(plan, &targets);
    bool outside = false;
    if (policy->kind == SANDBOX_KIND_READ_ONLY) {
        outside = n > 0;
    } else {
        struct sandbox_roots roots;
        struct codex_error err = CODEX_ERROR_INIT;
        if (sandbox_compute_roots(policy, policy_cwd, &roots, &err) != 0) {
            codex_error_clear(&err);
            outside = n > 0; /* roots unknown: nothing counts as inside */
        } else {
            for (size_t i = 0; i < n && !outside; i++)
                outside = !sandbox_path_writable(&roots, targets[i].path);
            sandbox_roots_free(&roots);
        }
    }
    free(targets);
    return outside;
}

struct tool_gate approvals_gate_patch(struct approvals *ap, const struct sandbox_policy *policy,
                                      const char *policy_cwd, const struct tool_patch_request *req)
{
    const struct codex_config *cfg = ap->cfg;
    bool read_only = policy && policy->kind == SANDBOX_KIND_READ_ONLY;
    bool outside = patch_writes_outside(policy, policy_cwd, req->plan);
    char *key = xasprintf("patch%c%s%c%s", 0x1f, req->cwd, 0x1f, req->patch);
    struct approval_decision d =
        approval_decide_patch(cfg->approval_policy, &cfg->granular, outside, approvals_session_has(ap, key));
    struct tool_gate g = gate_of(&d);
    if (d.action == APPROVAL_REJECT)
        g.message = approval_patch_reject_message(read_only);
    else if (d.action == APPROVAL_ASK)
        g.session_key = key;
    else
        free(key);
    if (d.action == APPROVAL_REJECT)
        free(key);
    return g;
}

/* ---- the MCP gate -------------------------------------------------------- */

struct tool_gate approvals_gate_mcp(struct approvals *ap, const struct sandbox_policy *policy,
                                    const struct tool_mcp_request *req)
{
    const struct codex_config *cfg = ap->cfg;
    bool full_access = policy ? !sandbox_policy_restricts(policy)
                              : cfg->sandbox_mode == SANDBOX_DANGER_FULL_ACCESS;
    char *key = xasprintf("mcp%c%s%c%s", 0x1f, req->server, 0x1f, req->tool);
    struct approval_decision d =
        approval_decide_mcp(cfg->approval_policy, &cfg->granular, full_access, req->mode,
                            req->read_only, approvals_session_has(ap, key));
    struct tool_gate g = gate_of(&d);
    if (d.action == APPROVAL_REJECT)
        g.message = approval_mcp_reject_message();
    if (d.action == APPROVAL_ASK)
        g.session_key = key;
    else
        free(key);
    return g;
}

/* The approval decision as a pure function, and the texts the model gets
 * when a command or patch is refused.
 *
 * Where the wording comes from (openai/codex 0.169, checked by running the
 * reference exec against a scripted model, see tests/approvals/):
 *   - escalation refused: core tools/handlers (unified exec handler),
 *     "approval policy is {policy:?}; reject command — you cannot ask for
 *     escalated permissions if the approval policy is {policy:?}", returned
 *     to the model as is;
 *   - rules: core exec_policy.rs, "approval required by policy, but
 *     AskForApproval is set to Never", the granular `rules = false` variant,
 *     and for forbidden rules "`CMD` rejected: JUSTIFICATION" or "`CMD`
 *     rejected: policy forbids commands starting with `PREFIX`";
 *   - a user's "no": core tools/orchestrator.rs, "rejected by user";
 *   - these ToolError::Rejected reasons reach the model through the unified
 *     exec error path as `exec_command failed: CreateProcess { message:
 *     "Rejected(\"REASON\")" }` (two levels of Rust Debug quoting);
 *   - patches: core safety.rs, "writing outside of the project; rejected by
 *     user approval settings" / "writing is blocked by read-only sandbox;
 *     rejected by user approval settings", prefixed "patch rejected: ". */
#include <string.h>

#include "policy/approval.h"
#include "policy/execpolicy_internal.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* Escalations may be asked for only where the user can be asked about them. */
static bool escalation_askable(const struct approval_inputs *in)
{
    if (in->policy == APPROVAL_ON_REQUEST)
        return true;
    return in->policy == APPROVAL_GRANULAR && in->granular.sandbox_approval;
}

struct approval_decision approval_decide(const struct approval_inputs *in)
{
    struct approval_decision d = {.action = APPROVAL_RUN};
    /* The tool refuses an unaskable escalation before any rule is read. */
    if (in->escalation && !escalation_askable(in)) {
        d.action = APPROVAL_REJECT;
        d.reject = APPROVAL_REJECT_ESCALATION;
        return d;
    }
    if (in->rule == EP_OUTCOME_REJECT) {
        d.action = APPROVAL_REJECT;
        d.reject = APPROVAL_REJECT_FORBIDDEN_RULE;
        return d;
    }
    bool escalate = in->escalation && in->sandbox != SANDBOX_DANGER_FULL_ACCESS;
    if (in->rule == EP_OUTCOME_ASK) {
        if (in->policy == APPROVAL_NEVER) {
            d.action = APPROVAL_REJECT;
            d.reject = APPROVAL_REJECT_PROMPT_NEVER;
        } else if (in->policy == APPROVAL_GRANULAR && !in->granular.rules) {
            d.action = APPROVAL_REJECT;
            d.reject = APPROVAL_REJECT_PROMPT_GRANULAR;
        } else if (in->session_approved) {
            d.action = escalate ? APPROVAL_RUN_UNSANDBOXED : APPROVAL_RUN;
        } else {
            d.action = APPROVAL_ASK;
            d.unsandboxed_if_approved = escalate;
        }
        return d;
    }
    if (escalate) {
        if (in->session_approved) {
            d.action = APPROVAL_RUN_UNSANDBOXED;
        } else {
            d.action = APPROVAL_ASK;
            d.unsandboxed_if_approved = true;
        }
        return d;
    }
    if (in->rule == EP_OUTCOME_RUN)
        return d; /* allowed by a rule: no question, still sandboxed */
    if (in->policy == APPROVAL_UNTRUSTED && !in->known_safe && !in->session_approved)
        d.action = APPROVAL_ASK;
    return d;
}

bool approval_may_retry_unsandboxed(enum approval_policy policy, const struct granular_approval *g)
{
    /* on-request and never report the denial to the model, which may then
     * ask for an escalation itself; the others offer the user a retry. */
    if (policy == APPROVAL_GRANULAR)
        return g->sandbox_approval;
    return policy == APPROVAL_ON_FAILURE || policy == APPROVAL_UNTRUSTED;
}

struct approval_decision approval_decide_patch(enum approval_policy policy, const struct granular_approval *g,
                                               bool write_denied, bool session_approved)
{
    struct approval_decision d = {.action = APPROVAL_RUN};
    if (session_approved)
        return d;
    if (policy == APPROVAL_UNTRUSTED) {
        /* Untrusted asks before every patch, inside the roots or not. */
        d.action = APPROVAL_ASK;
        d.unsandboxed_if_approved = write_denied;
        return d;
    }
    if (!write_denied)
        return d;
    if (policy == APPROVAL_NEVER || (policy == APPROVAL_GRANULAR && !g->sandbox_approval)) {
        d.action = APPROVAL_REJECT;
        return d;
    }
    d.action = APPROVAL_ASK;
    d.unsandboxed_if_approved = true;
    return d;
}

/* ---- messages ------------------------------------------------------------ */

/* A string as Rust's Debug prints it, quotes included. */
static void debug_quote(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                buf_printf(b, "\\u{%x}", c);
            else
                buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

/* How a ToolError::Rejected(reason) reaches the model from exec_command. */
static char *wrap_rejected(const char *reason)
{
    struct buf inner = BUF_INIT, outer = BUF_INIT;
    buf_puts(&inner, "Rejected(");
    debug_quote(&inner, reason);
    buf_putc(&inner, ')');
    char *in = buf_detach(&inner, NULL);
    buf_puts(&outer, "exec_command failed: CreateProcess { message: ");
    debug_quote(&outer, in);
    buf_puts(&outer, " }");
    free(in);
    return buf_detach(&outer, NULL);
}

static const char *tf(bool v)
{
    return v ? "true" : "false";
}

/* The policy as Rust's Debug prints AskForApproval. */
static char *policy_debug_name(const struct approval_inputs *in)
{
    switch (in->policy) {
    case APPROVAL_UNTRUSTED: return xstrdup("UnlessTrusted");
    case APPROVAL_ON_FAILURE: return xstrdup("OnFailure");
    case APPROVAL_ON_REQUEST: return xstrdup("OnRequest");
    case APPROVAL_NEVER: return xstrdup("Never");
    case APPROVAL_GRANULAR: break;
    }
    const struct granular_approval *g = &in->granular;
    return xasprintf("Granular(GranularApprovalConfig { sandbox_approval: %s, rules: %s, "
                     "skill_approval: %s, request_permissions: %s, mcp_elicitations: %s })",
                     tf(g->sandbox_approval), tf(g->rules), tf(g->skill_approval), tf(g->request_permissions),
                     tf(g->mcp_elicitations));
}

static const struct ep_match *pick_forbidden(const struct ep_evaluation *ev)
{
    const struct ep_match *best = NULL;
    for (size_t i = 0; i < ev->n; i++) {
        const struct ep_match *m = &ev->matches[i];
        if (m->decision != EP_FORBIDDEN)
            continue;
        if (m->justification)
            return m;
        if (!best || m->nprefix > best->nprefix)
            best = m;
    }
    return best;
}

char *approval_reject_message(enum approval_reject_reason reason, const struct approval_inputs *in,
                              const struct ep_evaluation *ev, const char *const *argv, size_t argc)
{
    switch (reason) {
    case APPROVAL_REJECT_ESCALATION: {
        char *name = policy_debug_name(in);
        char *msg = xasprintf("approval policy is %s; reject command \xe2\x80\x94 you cannot ask for escalated "
                              "permissions if the approval policy is %s",
                              name, name);
        free(name);
        return msg;
    }
    case APPROVAL_REJECT_PROMPT_NEVER:
        return wrap_rejected("approval required by policy, but AskForApproval is set to Never");
    case APPROVAL_REJECT_PROMPT_GRANULAR:
        return wrap_rejected("approval required by policy rule, but AskForApproval::Granular.rules is false");
    case APPROVAL_REJECT_FORBIDDEN_RULE: {
        const struct ep_match *m = ev ? pick_forbidden(ev) : NULL;
        char *cmd = ep_shlex_join(argv, argc);
        char *why;
        if (m && m->justification) {
            why = xasprintf("`%s` rejected: %.*s", cmd, (int)m->justification_len, m->justification);
        } else {
            char *prefix = m ? ep_shlex_join((const char *const *)m->prefix, m->nprefix) : xstrdup("");
            why = xasprintf("`%s` rejected: policy forbids commands starting with `%s`", cmd, prefix);
            free(prefix);
        }
        char *msg = wrap_rejected(why);
        free(why);
        free(cmd);
        return msg;
    }
    case APPROVAL_REJECT_NONE:
        break;
    }
    return wrap_rejected("rejected");
}

char *approval_rejected_message(const char *reason)
{
    return wrap_rejected(reason);
}

char *approval_denied_message(void)
{
    return wrap_rejected("rejected by user");
}

char *approval_patch_reject_message(bool read_only)
{
    return xstrdup(read_only ? "patch rejected: writing is blocked by read-only sandbox; rejected by user "
                               "approval settings"
                             : "patch rejected: writing outside of the project; rejected by user approval "
                               "settings");
}

char *approval_patch_denied_message(void)
{
    return xstrdup("patch rejected by user");
}

/* ---- MCP tool calls ------------------------------------------------------ */

struct approval_decision approval_decide_mcp(enum approval_policy policy, const struct granular_approval *g,
                                             bool full_access, enum mcp_approval_mode mode,
                                             bool read_only, bool session_approved)
{
    struct approval_decision d = {.action = APPROVAL_RUN};
    bool needs = mode == MCP_APPROVAL_PROMPT || (mode != MCP_APPROVAL_APPROVE && !read_only);
    if (!needs || session_approved)
        return d;
    if (policy == APPROVAL_NEVER) {
        /* Nobody may be asked: without a sandbox the answer is yes. */
        if (!full_access) {
            d.action = APPROVAL_REJECT;
            d.reject = APPROVAL_REJECT_PROMPT_NEVER;
        }
        return d;
    }
    if (policy == APPROVAL_GRANULAR && g && !g->mcp_elicitations) {
        d.action = APPROVAL_REJECT;
        d.reject = APPROVAL_REJECT_PROMPT_GRANULAR;
        return d;
    }
    d.action = APPROVAL_ASK;
    return d;
}

enum elicitation_gate approval_decide_elicitation(enum approval_policy policy,
                                                  const struct granular_approval *g,
                                                  bool full_access, bool confirm_only)
{
    if (policy == APPROVAL_NEVER && full_access && confirm_only)
        return ELICITATION_ACCEPT_EMPTY;
    if (policy == APPROVAL_NEVER || (policy == APPROVAL_GRANULAR && g && !g->mcp_elicitations))
        return ELICITATION_DECLINE;
    return ELICITATION_ASK;
}

char *approval_mcp_reject_message(void)
{
    return xstrdup("MCP tool call requires approval, but approval policy is never");
}

char *approval_mcp_denied_message(void)
{
    return xstrdup("user rejected MCP tool call");
}

char *approval_mcp_cancelled_message(void)
{
    return xstrdup("user cancelled MCP tool call");
}

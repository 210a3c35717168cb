/* The session's approval state: the loaded rules, the commands approved for
 * the session, and the requests waiting for the front end.  The gates the
 * tools call (approvals_hold_exec/patch) run on the loop and never block:
 * a question to the user is a callback to the front end, answered later
 * through approval_reply. */
#include "core/approvals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "policy/execpolicy_internal.h"
#include "policy/execpolicy_requirements.h"
#include "policy/safe_commands.h"
#include "tools/tool.h"
#include "util/fs.h"
#include "util/xalloc.h"

struct approvals {
    const struct codex_config *cfg;
    struct ep_policy *policy;
    struct strvec session; /* keys approved for the session */
    approval_request_fn ask;
    void *ask_ud;
    struct approval_pending *pending; /* waiting for the front end */
    bool abort_turn;
};

struct approval_pending {
    struct approvals *ap;
    struct tool_call *call;
    enum approval_kind kind;
    char *key;
    bool unsandboxed;
    struct strvec prefix; /* offered "always" rule, may be empty */
    json_t *args;
    void (*resume_exec)(struct tool_call *, json_t *);
    char *patch, *cwd;
    bool read_only;
    char *denied_result; /* for a retry: what the model gets if the user says no */
    void (*resume_patch)(struct tool_call *, const char *, const char *);
    struct approval_pending *next;
};

/* ---- loading ------------------------------------------------------------- */

static int add_requirements(struct ep_policy *p, char **err)
{
    const char *path = getenv("CODEX_REQUIREMENTS_PATH");
    if (!path || !*path)
        path = "/etc/codex/requirements.toml";
    size_t len = 0;
    char *text = fs_read_file(path, 1u << 20, &len);
    if (!text) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        *err = xasprintf("%s: cannot read: %s", path, strerror(errno));
        return -1;
    }
    struct toml_error te;
    toml_value *root = toml_parse(text, len, &te);
    free(text);
    if (!root) {
        char buf[512];
        toml_error_format(&te, path, buf, sizeof buf);
        *err = xstrdup(buf);
        return -1;
    }
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
    return add_requirements(p, err);
}

struct approvals *approvals_new(const struct codex_config *cfg, bool ignore_rules, approval_request_fn ask,
                                void *ask_ud, char **err)
{
    struct ep_policy *p = ep_policy_new();
    char *why = NULL;
    if (load_rules(p, cfg, ignore_rules, &why) < 0) {
        ep_policy_free(p);
        *err = xasprintf("loading rules: %s", why);
        free(why);
        return NULL;
    }
    struct approvals *ap = xcalloc(1, sizeof *ap);
    ap->cfg = cfg;
    ap->policy = p;
    ap->ask = ask;
    ap->ask_ud = ask_ud;
    return ap;
}

static void pending_free(struct approval_pending *pd)
{
    free(pd->key);
    strvec_free(&pd->prefix);
    json_decref(pd->args);
    free(pd->patch);
    free(pd->cwd);
    free(pd->denied_result);
    free(pd);
}

void approvals_cancel_pending(struct approvals *ap)
{
    while (ap && ap->pending) {
        struct approval_pending *pd = ap->pending;
        ap->pending = pd->next;
        pending_free(pd);
    }
}

void approvals_free(struct approvals *ap)
{
    if (!ap)
        return;
    approvals_cancel_pending(ap);
    ep_policy_free(ap->policy);
    strvec_free(&ap->session);
    free(ap);
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
    if (!approvals_session_has(ap, key))
        strvec_push(&ap->session, key);
}

int approvals_persist_prefix(struct approvals *ap, const char *const *prefix, size_t n, char **err)
{
    if (!ep_prefix_suggestion_ok(prefix, n)) {
        *err = xstrdup("this prefix would allow arbitrary commands and cannot be allowed always");
        return -1;
    }
    if (execpolicy_append_rule(ap->cfg->codex_home, prefix, n, err) < 0)
        return -1;
    /* The file now has the rule; the loaded policy gets it too so that the
     * rest of the session agrees with the next one. */
    struct ep_pattern_word *words = xcalloc(n, sizeof *words);
    for (size_t i = 0; i < n; i++) {
        words[i].alts = &prefix[i];
        words[i].nalts = 1;
    }
    int r = ep_policy_add_prefix_rule(ap->policy, words, n, EP_ALLOW, NULL, false, err);
    free(words);
    return r;
}

/* ---- asking -------------------------------------------------------------- */

static void unlink_pending(struct approvals *ap, struct approval_pending *pd)
{
    for (struct approval_pending **pp = &ap->pending; *pp; pp = &(*pp)->next)
        if (*pp == pd) {
            *pp = pd->next;
            return;
        }
}

void approval_reply(struct approval_pending *pd, enum review_decision decision)
{
    struct approvals *ap = pd->ap;
    unlink_pending(ap, pd);
    struct tool_call *call = pd->call;
    bool approved = decision == REVIEW_APPROVED || decision == REVIEW_APPROVED_FOR_SESSION ||
                    decision == REVIEW_APPROVED_ALWAYS;
    if (!approved) {
        if (decision == REVIEW_ABORT)
            ap->abort_turn = true;
        char *out;
        if (pd->denied_result && decision == REVIEW_DENIED) {
            out = pd->denied_result; /* a declined retry: the sandboxed run's result stands */
            pd->denied_result = NULL;
        } else {
            out = pd->kind == APPROVAL_KIND_EXEC ? approval_denied_message() : approval_patch_denied_message();
        }
        tool_call_finish(call, out);
        pending_free(pd);
        return;
    }
    if (decision == REVIEW_APPROVED_ALWAYS && pd->prefix.n) {
        char *err = NULL;
        /* A rule that cannot be written still leaves this approval valid:
         * the user said yes to this command. */
        if (approvals_persist_prefix(ap, (const char *const *)pd->prefix.v, pd->prefix.n, &err) < 0)
            free(err);
    }
    if (decision != REVIEW_APPROVED)
        approvals_session_add(ap, pd->key);
    call->gate_passed = true;
    call->unsandboxed = pd->unsandboxed;
    if (pd->kind == APPROVAL_KIND_EXEC)
        pd->resume_exec(call, pd->args);
    else
        pd->resume_patch(call, pd->patch, pd->cwd);
    pending_free(pd);
}

static void ask(struct approvals *ap, struct approval_pending *pd, const char *command, const char *cwd,
                const char *reason)
{
    pd->ap = ap;
    pd->next = ap->pending;
    ap->pending = pd;
    struct approval_request req = {
        .kind = pd->kind,
        .call_id = pd->call->call_id,
        .command = command,
        .cwd = cwd,
        .reason = reason,
        .proposed_prefix = (const char *const *)pd->prefix.v,
        .n_proposed_prefix = pd->prefix.n,
    };
    if (ap->ask)
        ap->ask(ap->ask_ud, &req, pd);
    else
        approval_reply(pd, REVIEW_DENIED); /* nobody to ask */
}

/* ---- the gates ----------------------------------------------------------- */

static const char *string_arg(json_t *args, const char *name)
{
    return json_string_value(json_object_get(args, name));
}

bool approvals_looks_sandbox_denied(int exit_code, const char *output, size_t len)
{
    /* What the reference looks for (core exec.rs, is_likely_sandbox_denied):
     * a failure, not one of the exit codes of usage errors and missing
     * programs, with a tell-tale phrase in the output. */
    static const char *const tells[] = {"operation not permitted", "permission denied", "read-only file system",
                                        "seccomp", "sandbox", "landlock", "failed to write file"};
    if (exit_code == 0 || exit_code == 2 || exit_code == 126 || exit_code == 127 || !output)
        return false;
    char *lower = xstrndup(output, len);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    bool hit = false;
    for (size_t i = 0; i < sizeof tells / sizeof tells[0] && !hit; i++)
        hit = strstr(lower, tells[i]) != NULL;
    free(lower);
    return hit;
}

bool approvals_offer_retry(struct tool_call *call, json_t *args, char *result,
                           void (*resume)(struct tool_call *call, json_t *args))
{
    struct approvals *ap = call->env->approvals;
    if (!ap || !approval_may_retry_unsandboxed(ap->cfg->approval_policy, &ap->cfg->granular))
        return false;
    /* The command as exec_command built it (shell, -lc or -c, script). */
    const char *shell = string_arg(args, "shell");
    const char *words[3] = {shell && *shell ? shell : "/bin/bash",
                            json_is_false(json_object_get(args, "login")) ? "-c" : "-lc",
                            string_arg(args, "cmd") ? string_arg(args, "cmd") : ""};
    char *joined = ep_shlex_join(words, 3);
    char *key = xasprintf("execE%s", joined);
    if (approvals_session_has(ap, key)) {
        free(key);
        free(joined);
        free(result);
        call->gate_passed = true;
        call->unsandboxed = true;
        resume(call, args);
        return true;
    }
    struct approval_pending *pd = xcalloc(1, sizeof *pd);
    pd->call = call;
    pd->kind = APPROVAL_KIND_EXEC;
    pd->key = key;
    pd->unsandboxed = true;
    pd->args = json_incref(args);
    pd->resume_exec = resume;
    pd->denied_result = result;
    /* The reference's question for this case (core tools/orchestrator.rs). */
    ask(ap, pd, joined, call->env->cwd, "command failed; retry without sandbox?");
    free(joined);
    return true;
}

static void proposed_prefix(json_t *args, struct strvec *out)
{
    json_t *rule = json_object_get(args, "prefix_rule");
    size_t i;
    json_t *w;
    json_array_foreach(rule, i, w) {
        if (!json_is_string(w)) {
            strvec_free(out);
            return;
        }
        strvec_push(out, json_string_value(w));
    }
    if (out->n && !ep_prefix_suggestion_ok((const char *const *)out->v, out->n))
        strvec_free(out);
}

/* Where the string value of "key" ends in the raw JSON text (1-based line
 * and column of its closing quote), which is where the reference's JSON
 * reader reports a bad value.  0/0 when it cannot be found. */
static void value_end(const char *text, const char *key, int *line, int *col)
{
    *line = *col = 0;
    char *quoted = xasprintf("\"%s\"", key);
    const char *p = text ? strstr(text, quoted) : NULL;
    size_t klen = strlen(quoted);
    free(quoted);
    if (!p)
        return;
    p += klen;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':')
        p++;
    if (*p != '"')
        return;
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1])
            p++;
    if (!*p)
        return;
    int l = 1, c = 0;
    for (const char *q = text; q <= p; q++) {
        if (*q == '\n') {
            l++;
            c = 0;
        } else {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* sandbox_permissions: absent or use_default (false), an escalation (true),
 * or a value the tool does not know, which fails the call like the
 * reference's argument parser does (-1, call finished). */
static int escalation_requested(struct tool_call *call, json_t *args)
{
    json_t *v = json_object_get(args, "sandbox_permissions");
    if (!v || json_is_null(v))
        return 0;
    const char *perm = json_string_value(v);
    if (perm && strcmp(perm, "use_default") == 0)
        return 0;
    /* with_additional_permissions is the reference's third variant; it
     * widens the sandbox, so it is treated as an escalation. */
    if (perm && (strcmp(perm, "require_escalated") == 0 || strcmp(perm, "with_additional_permissions") == 0))
        return 1;
    if (!perm) {
        tool_call_finish(call, xstrdup("failed to parse function arguments: sandbox_permissions must be one of "
                                       "`use_default`, `require_escalated`, `with_additional_permissions`"));
        return -1;
    }
    int line, col;
    value_end(call->input, "sandbox_permissions", &line, &col);
    tool_call_finish(call, xasprintf("failed to parse function arguments: unknown variant `%s`, expected one of "
                                     "`use_default`, `require_escalated`, `with_additional_permissions` at line "
                                     "%d column %d",
                                     perm, line, col));
    return -1;
}

bool approvals_hold_exec(struct tool_call *call, json_t *args, const struct strvec *argv,
                         void (*resume)(struct tool_call *call, json_t *args))
{
    struct approvals *ap = call->env->approvals;
    if (!ap || call->gate_passed)
        return false;
    int escalation = escalation_requested(call, args);
    if (escalation < 0)
        return true;
    const struct codex_config *cfg = ap->cfg;
    const char *const *words = (const char *const *)argv->v;
    struct approval_inputs in = {
        .policy = cfg->approval_policy,
        .granular = cfg->granular,
        .sandbox = call->env->sandbox,
        .known_safe = safe_command_is_known_safe(words, argv->n),
        .escalation = escalation == 1,
    };
    struct ep_evaluation ev = {0};
    ep_check_command(ap->policy, words, argv->n, false, &ev);
    struct ep_verdict verdict;
    ep_verdict_for(&ev, words, argv->n, true, true, &verdict);
    in.rule = verdict.outcome;
    char *joined = ep_shlex_join(words, argv->n);
    /* Approving a command outside the sandbox for the session also covers
     * its retries after a sandbox denial: both use the E key. */
    char *key = xasprintf("exec%c%s", in.escalation ? 'E' : 'S', joined);
    in.session_approved = approvals_session_has(ap, key);
    struct approval_decision d = approval_decide(&in);
    bool held = true;
    switch (d.action) {
    case APPROVAL_RUN:
    case APPROVAL_RUN_UNSANDBOXED:
        call->gate_passed = true;
        call->unsandboxed = d.action == APPROVAL_RUN_UNSANDBOXED;
        held = false;
        break;
    case APPROVAL_REJECT:
        tool_call_finish(call, approval_reject_message(d.reject, &in, &ev, words, argv->n));
        break;
    case APPROVAL_ASK: {
        struct approval_pending *pd = xcalloc(1, sizeof *pd);
        pd->call = call;
        pd->kind = APPROVAL_KIND_EXEC;
        pd->key = key;
        key = NULL;
        pd->unsandboxed = d.unsandboxed_if_approved;
        pd->args = json_incref(args);
        pd->resume_exec = resume;
        proposed_prefix(args, &pd->prefix);
        const char *why = in.escalation ? string_arg(args, "justification") : NULL;
        if (!why && in.rule == EP_OUTCOME_ASK)
            why = verdict.reason;
        ask(ap, pd, joined, call->env->cwd, why);
        break;
    }
    }
    free(verdict.reason);
    ep_evaluation_free(&ev);
    free(joined);
    free(key);
    return held;
}

bool approvals_hold_patch(struct tool_call *call, const char *patch, const char *cwd, bool write_denied,
                          bool read_only,
                          void (*resume)(struct tool_call *call, const char *patch, const char *cwd))
{
    struct approvals *ap = call->env->approvals;
    if (!ap || call->gate_passed)
        return false;
    char *key = xasprintf("patch%c%s%c%s", 0x1f, cwd, 0x1f, patch);
    struct approval_decision d = approval_decide_patch(ap->cfg->approval_policy, &ap->cfg->granular, write_denied,
                                                       approvals_session_has(ap, key));
    bool held = true;
    switch (d.action) {
    case APPROVAL_RUN:
    case APPROVAL_RUN_UNSANDBOXED:
        /* Within the roots (or approved before): the tool's own checks
         * still apply. */
        held = false;
        if (write_denied) {
            call->gate_passed = true;
            call->unsandboxed = true;
        }
        break;
    case APPROVAL_REJECT:
        tool_call_finish(call, approval_patch_reject_message(read_only));
        break;
    case APPROVAL_ASK: {
        struct approval_pending *pd = xcalloc(1, sizeof *pd);
        pd->call = call;
        pd->kind = APPROVAL_KIND_PATCH;
        pd->key = key;
        key = NULL;
        pd->unsandboxed = d.unsandboxed_if_approved;
        pd->patch = xstrdup(patch);
        pd->cwd = xstrdup(cwd);
        pd->read_only = read_only;
        pd->resume_patch = resume;
        ask(ap, pd, patch, cwd, NULL);
        break;
    }
    }
    free(key);
    return held;
}

/* Approvals: whether a command or patch the model proposes runs, runs after
 * the user agrees, or is refused, from the approval policy, the execpolicy
 * rules, the known-safe classifier and what the model asked for.
 *
 * The decision itself is a pure function (approval_decide) so that every
 * combination can be tested.  Asking is asynchronous: the agent hands an
 * approval request to the front end (TUI, app server) with a pending handle
 * and continues on the loop; the front end later answers with
 * approval_reply().  codex exec has no one to ask and answers "deny" at once,
 * although under its forced `never` policy nothing reaches it. */
#ifndef CODEX_CORE_APPROVALS_H
#define CODEX_CORE_APPROVALS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "config/config.h"
#include "policy/execpolicy.h"

/* ---- the pure decision ------------------------------------------------- */

enum approval_action {
    APPROVAL_RUN,             /* run now, inside the sandbox */
    APPROVAL_RUN_UNSANDBOXED, /* run now without the sandbox (already approved) */
    APPROVAL_ASK,             /* ask the user first */
    APPROVAL_REJECT,          /* refuse; the model is told why */
};

/* Why a command is refused; each has the reference's wording (see
 * approval_reject_message). */
enum approval_reject_reason {
    APPROVAL_REJECT_NONE,
    APPROVAL_REJECT_FORBIDDEN_RULE,     /* a forbidden rule matched */
    APPROVAL_REJECT_PROMPT_NEVER,       /* a prompt rule under `never` */
    APPROVAL_REJECT_PROMPT_GRANULAR,    /* a prompt rule under granular rules = false */
    APPROVAL_REJECT_ESCALATION,         /* require_escalated where it may not be asked for */
};

struct approval_inputs {
    enum approval_policy policy;
    struct granular_approval granular;  /* used when policy is APPROVAL_GRANULAR */
    enum sandbox_mode sandbox;
    enum ep_outcome rule;               /* ep_verdict_for(...).outcome, can_prompt = true */
    bool known_safe;                    /* safe_command_is_known_safe */
    bool escalation;                    /* sandbox_permissions = "require_escalated" */
    bool session_approved;              /* the user approved this command for the session */
};

struct approval_decision {
    enum approval_action action;
    /* For APPROVAL_ASK: whether the command, once approved, runs outside
     * the sandbox (an escalation) or inside it (a rule or untrusted prompt). */
    bool unsandboxed_if_approved;
    enum approval_reject_reason reject;
};

struct approval_decision approval_decide(const struct approval_inputs *in);

/* May a command that failed in the sandbox with a denial be offered for an
 * unsandboxed retry?  Only on-failure (and granular with sandbox_approval)
 * ask; the retry itself still needs the user's approval. */
bool approval_may_retry_unsandboxed(enum approval_policy policy, const struct granular_approval *g);

/* Patches: write_denied is true when the patch writes outside the writable
 * roots (or anywhere under read-only). */
struct approval_decision approval_decide_patch(enum approval_policy policy, const struct granular_approval *g,
                                               bool write_denied, bool session_approved);

/* ---- messages the model sees ------------------------------------------- */

/* The exec_command result for a refused command (caller frees).  argv is
 * the command as it would have run; ev the rules evaluation (may be NULL
 * unless reason is FORBIDDEN_RULE). */
char *approval_reject_message(enum approval_reject_reason reason, const struct approval_inputs *in,
                              const struct ep_evaluation *ev, const char *const *argv, size_t argc);
/* The exec_command result when the user said no. */
char *approval_denied_message(void);
/* The apply_patch result for a refused patch; read_only tells which
 * reference wording applies. */
char *approval_patch_reject_message(bool read_only);
/* The apply_patch result when the user said no. */
char *approval_patch_denied_message(void);

/* ---- the session's state ----------------------------------------------- */

enum review_decision {
    REVIEW_APPROVED,             /* approve once */
    REVIEW_APPROVED_FOR_SESSION, /* approve this command for the rest of the session */
    REVIEW_APPROVED_ALWAYS,      /* for the session, and persist the proposed prefix rule */
    REVIEW_DENIED,
    REVIEW_ABORT,                /* deny and end the turn */
};

enum approval_kind { APPROVAL_KIND_EXEC, APPROVAL_KIND_PATCH };

/* What the front end shows.  Strings are borrowed for the duration of the
 * request callback only. */
struct approval_request {
    enum approval_kind kind;
    const char *call_id;
    const char *command;    /* shell-joined argv, or the patch text */
    const char *cwd;
    const char *reason;     /* justification or rule explanation, or NULL */
    const char *const *proposed_prefix; /* prefix_rule the model suggests, if offerable */
    size_t n_proposed_prefix;
};

struct approval_pending;

/* The front end must call approval_reply() exactly once per request, on the
 * loop thread, now or later. */
typedef void (*approval_request_fn)(void *ud, const struct approval_request *req,
                                    struct approval_pending *pending);
void approval_reply(struct approval_pending *pending, enum review_decision decision);

struct approvals;

/* Loads the rules (CODEX_HOME/rules and the trusted project's .codex/rules
 * unless ignore_rules, then requirements.toml's admin rules).  NULL with
 * *err = "Error loading rules:\n<file:line:col: what>" (caller frees). */
struct approvals *approvals_new(const struct codex_config *cfg, bool ignore_rules, approval_request_fn ask,
                                void *ask_ud, char **err);
void approvals_free(struct approvals *ap);
/* Requests still waiting for the front end are answered "abort" and their
 * continuations dropped (the turn is going away). */
void approvals_cancel_pending(struct approvals *ap);
/* True once (and then cleared) after the user chose "abort turn". */
bool approvals_take_abort(struct approvals *ap);

/* The session cache: commands approved for the session. */
bool approvals_session_has(const struct approvals *ap, const char *key);
void approvals_session_add(struct approvals *ap, const char *key);

/* "Always": append the prefix rule to CODEX_HOME/rules/default.rules and
 * allow it for the rest of the session.  Refused (-1 with *err) when the
 * prefix may not be offered (ep_prefix_suggestion_ok). */
int approvals_persist_prefix(struct approvals *ap, const char *const *prefix, size_t n, char **err);

const struct ep_policy *approvals_policy(const struct approvals *ap);

/* ---- hooks for the tools ----------------------------------------------- */

struct tool_call;

/* Called by exec_command before it runs argv.  Returns false when the call
 * may go on now (call->unsandboxed says how); true when the gate took the
 * call over: it was refused (already finished) or waits for the user, in
 * which case resume(call, args) runs later with call->gate_passed set. */
bool approvals_hold_exec(struct tool_call *call, json_t *args, const struct strvec *argv,
                         void (*resume)(struct tool_call *call, json_t *args));

/* Does a failed command's output look like the sandbox stopped it? */
bool approvals_looks_sandbox_denied(int exit_code, const char *output, size_t len);

/* Called by exec_command when a sandboxed command failed with what looks
 * like a sandbox denial.  Returns false when no retry may be offered (the
 * caller then reports result as usual); true when the gate took the result
 * (ownership of result passes) and either asks the user, or re-runs at once
 * because the session already approved the command outside the sandbox.
 * Approved: resume(call, args) runs it again unsandboxed; denied: the model
 * gets the original result. */
bool approvals_offer_retry(struct tool_call *call, json_t *args, char *result,
                           void (*resume)(struct tool_call *call, json_t *args));

/* Called by apply_patch.  write_denied/read_only as for
 * approval_decide_patch.  Same contract; resume(call, patch, cwd). */
bool approvals_hold_patch(struct tool_call *call, const char *patch, const char *cwd, bool write_denied,
                          bool read_only,
                          void (*resume)(struct tool_call *call, const char *patch, const char *cwd));

#endif

/* Approval decisions as pure functions: whether a command or patch the
 * model proposes runs, runs after the user agrees, or is refused, from the
 * approval policy, the execpolicy rules, the known-safe classifier and what
 * the model asked for; and the texts the model gets when it is refused.
 * The session's state (rules loaded, approvals given) lives in core; every
 * combination of inputs can be tested here. */
#ifndef CODEX_POLICY_APPROVAL_H
#define CODEX_POLICY_APPROVAL_H

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
/* A command refused for another reason (an automatic review's verdict), in
 * the same wrapping. */
char *approval_rejected_message(const char *reason);
/* The apply_patch result for a refused patch; read_only tells which
 * reference wording applies. */
char *approval_patch_reject_message(bool read_only);
/* The apply_patch result when the user said no. */
char *approval_patch_denied_message(void);

enum review_decision {
    REVIEW_APPROVED,             /* approve once */
    REVIEW_APPROVED_FOR_SESSION, /* approve this command for the rest of the session */
    REVIEW_APPROVED_ALWAYS,      /* for the session, and persist the proposed prefix rule */
    REVIEW_DENIED,
    REVIEW_ABORT,                /* deny and end the turn */
    REVIEW_DENIED_ALWAYS,        /* network: deny, and persist a deny rule for the host */
};

/* ---- MCP tool calls ------------------------------------------------------- */

/* Does a call to an MCP tool run, wait for the user, or get refused?  mode
 * is the tool's approval_mode, else its server's default_tools_approval_mode
 * (config/mcp_servers.h; UNSET means auto).  auto and writes let tools
 * annotated readOnlyHint run and ask about the others; prompt asks about
 * every tool, approve about none.  Under the `never` policy a question is a
 * refusal, except without a sandbox, where it is an approval. */
struct approval_decision approval_decide_mcp(enum approval_policy policy, const struct granular_approval *g,
                                             bool full_access, enum mcp_approval_mode mode,
                                             bool read_only, bool session_approved);
/* The tool's output when it was refused / when the user said no. */
char *approval_mcp_reject_message(void);
char *approval_mcp_denied_message(void);
/* ... when the user cancelled the question: only the call fails, the turn
 * goes on (as the reference has it). */
char *approval_mcp_cancelled_message(void);

/* An MCP server's elicitation/create: answered without asking, or asked.
 * Under `never` nobody is asked: without a sandbox a bare confirmation (a
 * form with no fields) is accepted empty, anything else declined; a
 * granular policy without mcp_elicitations declines too. */
enum elicitation_gate { ELICITATION_ASK, ELICITATION_ACCEPT_EMPTY, ELICITATION_DECLINE };
enum elicitation_gate approval_decide_elicitation(enum approval_policy policy,
                                                  const struct granular_approval *g,
                                                  bool full_access, bool confirm_only);

/* NETWORK: a sandboxed command's request to a host no rule covers (the
 * managed proxy holds the connection until the answer). */
enum approval_kind { APPROVAL_KIND_EXEC, APPROVAL_KIND_PATCH, APPROVAL_KIND_MCP, APPROVAL_KIND_NETWORK };

/* A question to the user, as the front end shows it.  Strings are
 * borrowed for the duration of the call that hands the request over. */
struct approval_request {
    enum approval_kind kind;
    const char *call_id;    /* the item it is about */
    const char *command;    /* exec: the shell-joined command; patch: the patch text */
    const char *const *argv; /* exec: the command as it would run */
    size_t argc;
    const char *cwd;
    const char *reason;     /* justification or rule explanation, or NULL */
    const char *const *proposed_prefix; /* prefix_rule the model suggests, if offerable */
    size_t n_proposed_prefix;
    const json_t *changes;  /* patch: [{path, kind: {type, move_path?}, diff}] as shown */
    bool retry;             /* exec: again outside the sandbox, after a denial */
    /* mcp: the server (as configured), the tool (its MCP name) and the
     * arguments the call would carry (may be NULL). */
    const char *mcp_server;
    const char *mcp_tool;
    const char *mcp_tool_description; /* the server's description, or NULL */
    const json_t *mcp_arguments;
    /* network: the destination, as the app server's NetworkApprovalContext
     * names it (protocol "http", "https", "socks5Tcp", "socks5Udp"); command
     * and argv then read "network-access PROTO://HOST:PORT". */
    const char *network_host;
    const char *network_protocol;
    unsigned network_port;
    /* What an approval "for the session" covers (an opaque key). */
    const char *session_key;
    /* A subagent's question: the thread that asks (else NULL: the agent's own). */
    const char *thread_id;
};

#endif

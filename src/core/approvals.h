/* The session's approval state: the loaded rules, what the user approved
 * for the session, and the questions waiting for the front end.
 *
 * The gates decide from the exact request a tool is about to carry out (a
 * command's argv and working directory; a patch's resolved plan) and
 * return a decision; they never finish or resume a tool call.  Questions
 * are tickets: the front end gets a number, answers it later through
 * approvals_answer, and is told when a question it holds is withdrawn.  An
 * unknown or stale ticket is ignored, so no call order between the front
 * end and the agent's lifetime matters. */
#ifndef CODEX_CORE_APPROVALS_H
#define CODEX_CORE_APPROVALS_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "config/config.h"
#include "policy/approval.h"
#include "tools/tool.h"
#include "util/error.h"

struct sandbox_policy;

/* The front end is asked; it answers later with approvals_answer(ticket).
 * It returns false when nobody can be asked now: the question is then
 * declined. */
typedef bool (*approval_request_fn)(void *ud, const struct approval_request *req, uint64_t ticket);
/* A question the front end holds is no longer wanted (the turn ended). */
typedef void (*approval_withdraw_fn)(void *ud, uint64_t ticket);

/* An MCP server's elicitation/create for the user (core/mcp_session.c):
 * server as configured, the turn running (or NULL) and the request's
 * params.  The front end answers later with agent_elicitation_answer; it
 * returns false when nobody can be asked, and the request is declined.
 * Its tickets share withdraw with the approvals'. */
typedef bool (*elicitation_request_fn)(void *ud, const char *server, const char *turn_id,
                                       const json_t *params, uint64_t ticket);

struct approval_front {
    approval_request_fn ask;          /* NULL: nobody to ask; every question is declined */
    approval_withdraw_fn withdraw;    /* may be NULL */
    void *ud;
    /* Last, so that {ask, withdraw, ud} still initializes the rest. */
    elicitation_request_fn elicit;    /* NULL: every elicitation is declined, as codex exec does */
};

struct approvals;

/* Loads the rules (CODEX_HOME/rules and the trusted project's .codex/rules
 * unless ignore_rules, then requirements.toml's admin rules).  NULL with
 * err = "loading rules: <file:line:col: what>". */
struct approvals *approvals_new(uv_loop_t *loop, const struct codex_config *cfg, bool ignore_rules,
                                const struct approval_front *front, struct codex_error *err);
/* Waiting questions are withdrawn without answering their askers. */
void approvals_free(struct approvals *ap);

/* The gates.  policy and policy_cwd are the session's sandbox. */
struct tool_gate approvals_gate_exec(struct approvals *ap, const struct sandbox_policy *policy,
                                     const struct tool_exec_request *req);
struct tool_gate approvals_gate_patch(struct approvals *ap, const struct sandbox_policy *policy,
                                      const char *policy_cwd, const struct tool_patch_request *req);
struct tool_gate approvals_gate_mcp(struct approvals *ap, const struct sandbox_policy *policy,
                                    const struct tool_mcp_request *req);

/* Questions.  answer runs exactly once, never before approvals_ask
 * returns. */
struct tool_ask *approvals_ask(struct approvals *ap, const struct approval_request *req, tool_answer_fn answer,
                               void *ud);
/* A screen sees each question before the front end (the PermissionRequest
 * hooks) and settles it later with approvals_screened: verdict 1 approves,
 * -1 declines, 0 passes it on to the front end.  The request it gets stays
 * valid until then; a verdict for a question withdrawn meanwhile is
 * ignored. */
typedef void (*approval_screen_fn)(void *ud, const struct approval_request *req, uint64_t ticket);
void approvals_set_screen(struct approvals *ap, approval_screen_fn screen, void *ud);
void approvals_screened(struct approvals *ap, uint64_t ticket, int verdict);
/* A reviewer takes the questions the front end would get (auto-review):
 * start gets each one (the request is valid during the call only) and
 * settles it later with approvals_reviewed, never from inside start (the
 * asker must hold its handle first); cancel is told when a question
 * under review is withdrawn (the review's verdict then goes nowhere). */
typedef void (*approval_review_fn)(void *ud, const struct approval_request *req, uint64_t ticket);
typedef void (*approval_review_cancel_fn)(void *ud, uint64_t ticket);
void approvals_set_reviewer(struct approvals *ap, approval_review_fn start, approval_review_cancel_fn cancel,
                            void *ud);
/* The reviewer's verdict.  note (may be NULL) is what a denied tool tells
 * the model instead of its usual refusal; approvals_denial_note returns it
 * while the tool's answer callback runs, NULL otherwise. */
void approvals_reviewed(struct approvals *ap, uint64_t ticket, bool approved, const char *note);
const char *approvals_denial_note(const struct approvals *ap);
/* Withdraw one question: its answer runs with REVIEW_ABORT. */
void approvals_ask_cancel(struct approvals *ap, struct tool_ask *ask);
/* Withdraw every waiting question (an interrupted turn). */
void approvals_cancel_all(struct approvals *ap);
/* The front end's answer.  False when no such question waits. */
bool approvals_answer(struct approvals *ap, uint64_t ticket, enum review_decision decision);
/* True once (and then cleared) after the user chose "abort turn". */
bool approvals_take_abort(struct approvals *ap);

/* The session cache: requests approved for the session. */
bool approvals_session_has(const struct approvals *ap, const char *key);
void approvals_session_add(struct approvals *ap, const char *key);

/* "Always": append the prefix rule to CODEX_HOME/rules/default.rules and
 * allow it for the rest of the session.  Refused (-1 with err) when the
 * prefix may not be offered (ep_prefix_suggestion_ok). */
int approvals_persist_prefix(struct approvals *ap, const char *const *prefix, size_t n, struct codex_error *err);

const struct ep_policy *approvals_policy(const struct approvals *ap);

#endif

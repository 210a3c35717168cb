/* What the auto-reviewer is told: the transcript of the thread under
 * review from some item on, the action as it will run, and the app
 * server's view of that action (GuardianApprovalReviewAction). */
#ifndef CODEX_CORE_AUTO_REVIEW_PROMPT_H
#define CODEX_CORE_AUTO_REVIEW_PROMPT_H

#include <stddef.h>

#include <jansson.h>

#include "policy/approval.h"
#include "util/json_items.h"

/* How a note of the user's approval of a denied action starts: the
 * reference's words, so that each side's reviewer recognizes the other's
 * notes in a shared rollout. */
#define AUTO_REVIEW_APPROVED_PREFIX "The user has manually approved a specific action that was previously `Rejected`."

/* The action as the reviewer reads it (new reference). */
json_t *auto_review_planned_action(const struct approval_request *req);
/* The action as the front ends show it (new reference). */
json_t *auto_review_action(const struct approval_request *req);
/* The review's prompt: the conversation from item `from` of history on
 * (0: all of it, else what came since the reviewer's last review) and the
 * planned action.  Caller frees. */
char *auto_review_prompt(const struct json_items *history, size_t from, const char *thread_id,
                         const json_t *planned);

#endif

/* Auto-review: approval questions answered by a reviewer model request
 * instead of the user (approvals_reviewer = "auto_review").  The agent
 * installs these as its approvals' reviewer (approvals_set_reviewer). */
#ifndef CODEX_CORE_AUTO_REVIEW_H
#define CODEX_CORE_AUTO_REVIEW_H

#include <stdint.h>

#include "policy/approval.h"

struct agent;

/* ud is the agent. */
void agent_auto_review_start(void *ud, const struct approval_request *req, uint64_t ticket);
void agent_auto_review_cancel(void *ud, uint64_t ticket);
/* Stop every review in flight (the agent is going). */
void agent_auto_review_free_all(struct agent *a);

#endif

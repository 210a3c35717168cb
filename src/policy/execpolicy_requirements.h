/* Admin rules from requirements.toml ([rules] prefix_rules). */
#ifndef CODEX_POLICY_EXECPOLICY_REQUIREMENTS_H
#define CODEX_POLICY_EXECPOLICY_REQUIREMENTS_H

#include "config/toml.h"
#include "policy/execpolicy.h"

/* Add every [rules] prefix_rules entry of a parsed requirements.toml (root
 * table).  A document without [rules] adds nothing.  Returns 0, or -1 with
 * *err = "SOURCE:LINE:COL: what" (caller frees); decisions may only be
 * prompt or forbidden. */
int ep_policy_add_requirements(struct ep_policy *p, const toml_value *root, const char *source, char **err);

#endif

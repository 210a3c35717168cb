/* The execpolicy rules the agent checks model commands against. */
#ifndef CODEX_CORE_EXEC_RULES_H
#define CODEX_CORE_EXEC_RULES_H

#include "config/config.h"
#include "policy/execpolicy.h"

/* $CODEX_HOME/rules, the trusted project's .codex/rules directories and the
 * admin rules of requirements.toml.  NULL with *err naming the file on a
 * broken rules file (a startup error). */
struct ep_policy *exec_rules_load(const struct codex_config *cfg, char **err);

#endif

/* The environment of a spawned command, per shell_environment_policy. */
#ifndef CODEX_TOOLS_SHELL_ENV_H
#define CODEX_TOOLS_SHELL_ENV_H

#include "config/config.h"
#include "util/strvec.h"

/* The variables that carry Codex's own credentials (NULL-terminated): never
 * inherited by a spawned command, whatever the policy says; only an
 * explicit `set` entry can put one back. */
extern const char *const shell_env_auth_vars[];

/* Build "NAME=VALUE" strings from envp (usually environ) by the policy
 * (NULL: inherit everything minus the default excludes).  path_prefix, when
 * set, is put in front of PATH. */
void shell_env_build(const struct shell_environment_policy *p, char *const *envp,
                     const char *path_prefix, struct strvec *out);

#endif

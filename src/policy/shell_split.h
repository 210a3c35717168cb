/* Splitting `bash -lc "..."` scripts into the simple commands they run, so
 * rules can judge each one.  The splitter only accepts what it can prove:
 * words (plain, quoted, escaped) joined by &&, ||, ;, | or newlines.  Any
 * expansion, substitution, redirection, subshell, group, background job,
 * assignment or shell keyword makes the script opaque, and callers must then
 * not let an allow rule vouch for it. */
#ifndef CODEX_POLICY_SHELL_SPLIT_H
#define CODEX_POLICY_SHELL_SPLIT_H

#include <stddef.h>

#include "util/strvec.h"

/* If argv is `bash|zsh|sh -c|-lc SCRIPT` (any directory before the shell
 * name), return SCRIPT (borrowed from argv), else NULL. */
const char *shell_wrapper_script(const char *const *argv, size_t argc);

struct shell_commands {
    struct strvec *cmds; /* each one argv */
    size_t n;
};

/* Split script into simple commands.  Returns 0 with at least one command,
 * or -1 (out left empty) when the script is opaque or empty. */
int shell_split(const char *script, size_t len, struct shell_commands *out);
void shell_commands_free(struct shell_commands *c);

#endif

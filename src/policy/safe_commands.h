/* The known-safe command classifier behind the `untrusted` approval policy:
 * commands that only read (ls, cat, grep, git status ...) run without
 * asking; anything else, or anything it cannot prove harmless, asks. */
#ifndef CODEX_POLICY_SAFE_COMMANDS_H
#define CODEX_POLICY_SAFE_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

/* argv has argc words (no NULL needed).  `bash -lc SCRIPT` (also -c, zsh,
 * sh) is safe when SCRIPT is only plain words joined by &&, ||, ; and |,
 * and every command in it is safe on its own. */
bool safe_command_is_known_safe(const char *const *argv, size_t argc);

#endif

/* Environment arrays ("NAME=value", NULL-terminated) passed down from the
 * front end.  The library never reads the process environment itself: the
 * front end snapshots it once and hands the array to whatever needs it, so
 * every input of a library call is visible at the call. */
#ifndef CODEX_UTIL_ENVP_H
#define CODEX_UTIL_ENVP_H

#include <stdbool.h>

#include "util/strvec.h"

/* The value of name, or NULL (also for a NULL envp). */
const char *envp_get(const char *const *envp, const char *name);
/* Non-empty value of name, or NULL. */
const char *envp_get_nonempty(const char *const *envp, const char *name);
/* Copy envp into out (which stays NULL-terminated). */
void envp_copy(const char *const *envp, struct strvec *out);
/* Set or replace name in a strvec environment. */
void envp_set(struct strvec *env, const char *name, const char *value);
/* Remove name from a strvec environment. */
void envp_unset(struct strvec *env, const char *name);

#endif

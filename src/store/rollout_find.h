/* Finding a stored session: by thread id, by thread name, or the newest. */
#ifndef CODEX_STORE_ROLLOUT_FIND_H
#define CODEX_STORE_ROLLOUT_FIND_H

#include <stdbool.h>

#include "store/rollout_files.h"
#include "util/error.h"

/* The file of thread id in one tree, or NULL. */
char *rollout_find_id(const char *codex_home, const char *id, enum rollout_tree tree);
/* The file of thread id, active first, then archived (*archived says
 * which; may be NULL); NULL when there is none. */
char *rollout_locate(const char *codex_home, const char *id, bool *archived);

/* What `resume` looks for: a thread id (a UUID is always taken as one), else
 * a thread name set with thread/name/set (the latest thread of that name);
 * NULL with err when nothing matches. */
char *rollout_find(const char *codex_home, const char *id_or_name, struct codex_error *err);
/* The newest active session (by the stamp in its name); with cwd, the
 * newest one recorded in that working directory.  NULL with err when there
 * is none. */
char *rollout_find_last(const char *codex_home, const char *cwd, struct codex_error *err);

/* The parent a rollout's first line names (caller frees), or NULL; *is_child
 * also covers a subagent thread that names none. */
char *rollout_parent_thread_id(const char *path, bool *is_child);

/* Delete the threads that thread id started (a reviewer, subagents), in
 * both trees: they go with it.  Files that cannot be removed are left. */
void rollout_delete_children(const char *codex_home, const char *id);

#endif

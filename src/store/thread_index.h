/* The thread index: the summary of every stored session, so that
 * thread/list does not re-read thousands of rollouts.  It is kept in memory
 * and in $CODEX_HOME/thread_index.json (a cache, replaced atomically),
 * keyed by rollout path with the file's size and modification time.
 *
 * A listing stats the session directories: when one changed, the tree is
 * walked again and the files new to the index are read (their head and
 * tail, several at a time).  The first walk of a process also checks every
 * indexed file's size and time against the index file, since other
 * processes may have written sessions meanwhile.  The rollouts stay the
 * source of truth: a missing or unreadable index is rebuilt from them. */
#ifndef CODEX_STORE_THREAD_INDEX_H
#define CODEX_STORE_THREAD_INDEX_H

#include <stddef.h>

#include <jansson.h>

#include "store/rollout_files.h"
#include "store/rollout_summary.h"

struct thread_index;

struct thread_index *thread_index_new(const char *codex_home);
/* Saves the index file when it changed, then releases everything. */
void thread_index_free(struct thread_index *ix);

/* The sessions of one tree, oldest first (by file name, which starts with
 * the creation time); files that are not rollouts (no session_meta yet)
 * are left out.  live lists files this process is writing: they change
 * without their directory, so they are re-read on every call.  *out is
 * borrowed until the next call. */
size_t thread_index_list(struct thread_index *ix, enum rollout_tree tree, const char *const *live,
                         size_t n_live, const struct rollout_summary *const **out);

/* Thread names (session_names.h), reloaded when their file changed:
 * id -> name, borrowed until the next call. */
const json_t *thread_index_names(struct thread_index *ix);

#endif

/* The thread index: the summary of every stored session, so that
 * thread/list does not re-read thousands of rollouts.  It is kept in memory
 * and in $CODEX_HOME/thread_index.tsv (a cache, replaced atomically; see
 * thread_index_file.h), keyed by rollout path with the file's size and
 * modification time.
 *
 * A listing stats the session directories: when one changed, the tree is
 * walked again and the files new to the index are read (their head and
 * tail, several at a time).  The first walk of a process also checks every
 * indexed file's size and time (several at a time too), since other
 * processes may have written sessions meanwhile.  The rollouts stay the
 * source of truth: a missing or unreadable index is rebuilt from them. */
#ifndef CODEX_STORE_THREAD_INDEX_H
#define CODEX_STORE_THREAD_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/rollout_files.h"
#include "store/rollout_summary.h"

struct thread_index;

struct thread_index *thread_index_new(const char *codex_home);
/* Writes the index file when it changed, then releases everything. */
void thread_index_free(struct thread_index *ix);

/* Saving without blocking the caller: a snapshot of the index as its
 * file's text when it changed since the last one (NULL otherwise), which
 * any thread may then write (atomically) and free. */
struct thread_index_snapshot;
struct thread_index_snapshot *thread_index_snapshot(struct thread_index *ix);
int thread_index_write_snapshot(const struct thread_index_snapshot *snap, struct codex_error *err);
void thread_index_snapshot_free(struct thread_index_snapshot *snap);

/* The sessions of one tree, oldest first (by file name, which starts with
 * the creation time); files that are not rollouts (no session_meta yet)
 * are left out.  live lists files this process is writing: they change
 * without their directory, so they are re-read on every call.  *out is
 * borrowed until the next call. */
size_t thread_index_list(struct thread_index *ix, enum rollout_tree tree, const char *const *live,
                         size_t n_live, const struct rollout_summary *const **out);

/* A number that changes whenever a listing may have changed (a summary
 * read, a file found or gone): listings computed from the same generation
 * are the same. */
uint64_t thread_index_generation(const struct thread_index *ix);

/* Thread names (session_names.h), reloaded when their file changed:
 * id -> name, borrowed until the next call. */
const json_t *thread_index_names(struct thread_index *ix);

#endif

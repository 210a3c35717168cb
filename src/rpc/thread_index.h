/* The thread index: a summary of every stored session, so that thread/list
 * does not re-read thousands of rollouts.  It lives in
 * $CODEX_HOME/thread_index.json (JSON, replaced atomically), keyed by
 * rollout path with the file's size and mtime: an entry whose file changed
 * is rebuilt from the rollout, which stays the source of truth.  A missing
 * or unreadable index is rebuilt from scratch. */
#ifndef CODEX_RPC_THREAD_INDEX_H
#define CODEX_RPC_THREAD_INDEX_H

#include <stdbool.h>

#include <jansson.h>

/* Thread summaries (v2 Thread objects without turns) of sessions/ or
 * archived_sessions/, oldest first (by file name, which starts with the
 * creation time).  New reference. */
json_t *rpc_thread_index_list(const char *codex_home, bool archived);
/* Files moved (archive, fork): the next list re-checks the directories. */
void rpc_thread_index_touch(const char *codex_home);

#endif

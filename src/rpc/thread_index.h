/* The thread index: a summary of every stored session, so that thread/list
 * does not re-read thousands of rollouts.  The server keeps it in memory
 * and in $CODEX_HOME/thread_index.json (JSON, replaced atomically when it
 * changed), keyed by rollout path with the file's size and mtime.  Every
 * list walks the session directories and stats each file: an entry whose
 * file changed is rebuilt from the rollout, which stays the source of
 * truth; a missing or unreadable index is rebuilt from scratch. */
#ifndef CODEX_RPC_THREAD_INDEX_H
#define CODEX_RPC_THREAD_INDEX_H

#include <stdbool.h>

#include <jansson.h>

struct rpc_server;

/* Thread summaries (v2 Thread objects without turns, shared: do not
 * modify) of sessions/ or archived_sessions/, oldest first (by file name,
 * which starts with the creation time).  New array reference. */
json_t *rpc_thread_index_list(struct rpc_server *s, bool archived);
/* Release the in-memory index. */
void rpc_thread_index_free(struct rpc_server *s);

#endif

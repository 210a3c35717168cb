/* What a stored session is, read back from its rollout file: a summary from
 * the head and tail of the file (thread/list, thread/read without turns),
 * or every turn with its items (thread/read with turns, resume, fork).
 *
 * The head holds the session_meta line and the first user message; the
 * tail the latest turn_context (the model last used).  Only lines that can
 * matter are parsed, so a summary costs two short reads however long the
 * session grew.  Rollouts written by the reference are read too: their
 * items are converted to the v2 shape (rollout_items.h). */
#ifndef CODEX_STORE_ROLLOUT_SUMMARY_H
#define CODEX_STORE_ROLLOUT_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "util/error.h"

struct rollout_summary {
    char *path;
    char *id;
    int64_t created_at; /* session_meta timestamp, Unix seconds (0: unknown) */
    int64_t updated_at; /* the file's modification time, Unix seconds */
    int64_t size;       /* bytes, and the modification time in ns, as read */
    int64_t mtime_ns;
    /* From session_meta; NULL when absent. */
    char *cwd;
    char *cli_version;
    char *model_provider;
    char *originator;
    char *source; /* "cli", "vscode", "exec", ...; NULL for other shapes */
    char *forked_from_id;
    char *thread_source; /* "user", "thread_title", ... */
    char *history_mode;  /* "legacy" | "paginated" */
    char *git_sha, *git_branch, *git_origin_url; /* session_meta.git */
    /* From the latest turn_context; NULL when the session has none. */
    char *model;
    char *effort;
    char *preview; /* the first user message; "" when there is none */
};

/* Read the summary of path.  0, or -1 with err (unreadable, or not a
 * rollout: no session_meta line with an id). */
int rollout_summary_read(const char *path, struct rollout_summary *out, struct codex_error *err);
void rollout_summary_free(struct rollout_summary *s);

/* Every turn of the session, oldest first: a new array of
 * {id, status, startedAt, items} with v2 ThreadItems; status is
 * "completed", "interrupted" (aborted, or cut short in a file nobody
 * writes any more: pass still_written false) or "inProgress".  The summary
 * is filled too when sum is not NULL.  NULL with err when the file is not
 * a readable rollout. */
json_t *rollout_read_turns(const char *path, bool still_written, struct rollout_summary *sum,
                           struct codex_error *err);

#endif

/* thread/revert on disk: a session file cut back to the history before one
 * of its turns.  The cut is where that turn's task_started line begins, so
 * what stays is exactly what the reference's reverted lineage keeps (its
 * history_base ends at the same byte), and the shorter file is an ordinary
 * rollout that any reader, the reference's included, takes as it is.
 *
 * The file is replaced atomically (temp + fsync + rename): a kill -9 leaves
 * either the whole old file or the whole new one. */
#ifndef CODEX_STORE_ROLLOUT_REVERT_H
#define CODEX_STORE_ROLLOUT_REVERT_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* Where turn_id starts in the rollout at path: the byte offset of its
 * task_started line.  1 when found, 0 when the file has no such turn, -1
 * with err when it cannot be read. */
int rollout_turn_offset(const char *path, const char *turn_id, off_t *offset,
                        struct codex_error *err);

/* Keep the first `offset` bytes of path (a line boundary from
 * rollout_turn_offset) and drop the rest, atomically.  0, or -1 with err. */
int rollout_cut(const char *path, off_t offset, struct codex_error *err);

#endif

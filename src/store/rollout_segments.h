/* Threads the reference (0.169) reverted.  Its thread/revert leaves the
 * rollout as it is and starts a segment file next to it,
 * rollout-<stamp>-<thread id>_<segment id>.jsonl, whose session_meta names
 * a history_base {thread_id, end_ordinal_exclusive, end_byte_offset}: the
 * thread's history is the first end_byte_offset bytes of that base (the
 * plain file when thread_id is the thread's own id, else the segment of
 * that id, itself possibly a segment) followed by the segment.  Ordinals
 * run on across the cut, so the stitched text numbers its lines as one
 * file would.  New lines go to the newest segment, the thread's head. */
#ifndef CODEX_STORE_ROLLOUT_SEGMENTS_H
#define CODEX_STORE_ROLLOUT_SEGMENTS_H

#include <stdbool.h>
#include <sys/stat.h>

#include "util/error.h"

/* Whether a rollout file name (or path) belongs to thread id, as its plain
 * file or as one of its segments; *segment (when not NULL) points at the
 * segment id in name, or at "" for the plain file. */
bool rollout_segment_name(const char *name, const char *id, const char **segment);

/* Of two files of one thread, whether a is written after b (a later
 * segment; segment ids are time-ordered UUIDs). */
bool rollout_segment_newer(const char *a, const char *b, const char *id);

/* path opened for reading whole, with the stat of path itself except for
 * st_size, the size of what the descriptor reads: the file as it is, or
 * for a segment an anonymous file holding the stitched history.  -1 with
 * err. */
int rollout_segments_open(const char *path, struct stat *st, struct codex_error *err);

#endif

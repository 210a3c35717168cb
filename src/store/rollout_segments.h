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
#include <stddef.h>
#include <sys/stat.h>

#include "util/error.h"
#include "util/strvec.h"

/* Whether a rollout file name (or path) belongs to thread id, as its plain
 * file or as one of its segments; *segment (when not NULL) points at the
 * segment id in name, or at "" for the plain file. */
bool rollout_segment_name(const char *name, const char *id, const char **segment);

/* Of two files of one thread, whether a is written after b (a later
 * segment; segment ids are time-ordered UUIDs). */
bool rollout_segment_newer(const char *a, const char *b, const char *id);

/* Listing: of the files of one thread (paths[i] of thread ids[i]; ids[i]
 * NULL for a file that is not a session), all but the newest are marked in
 * superseded when the thread has segments: one thread is one row. */
void rollout_segments_mark_superseded(const char *const *paths, const char *const *ids, size_t n,
                                      bool *superseded);

/* The other files of the thread whose newest segment is path, in the same
 * tree (its bases and older segments), appended to out; none when path is
 * not a segment.  They are archived, unarchived and deleted with it. */
void rollout_segments_siblings(const char *path, struct strvec *out);

/* path opened for reading whole, with the stat of path itself except for
 * st_size, the size of what the descriptor reads: the file as it is, or
 * for a segment an anonymous file holding the stitched history.  -1 with
 * err. */
int rollout_segments_open(const char *path, struct stat *st, struct codex_error *err);

/* The whole history of path as one text (NUL-terminated, *len bytes;
 * caller frees), as rollout_segments_open reads it; NULL with err, also
 * when it is longer than max. */
char *rollout_segments_read(const char *path, size_t max, size_t *len, struct codex_error *err);

/* Whether turn_id lies in the kept history of a base of the segment at
 * path: 1, 0 (also for a file that is no segment), or -1 with err. */
int rollout_segments_turn_in_base(const char *path, const char *turn_id, struct codex_error *err);

/* thread/revert of a turn that lies in a base of the segment at path (a
 * turn in the segment itself is cut there, rollout_revert.h): the segment
 * is rewritten atomically as its first line alone, naming the history up
 * to where that turn started.  1 when done, 0 when the turn is not in the
 * kept history, -1 with err. */
int rollout_segments_cut_before(const char *path, const char *turn_id, struct codex_error *err);

#endif

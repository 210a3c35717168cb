/* The turns of a stored session without holding them.  One pass over the
 * rollout records each turn's id, start and status and where its
 * item_completed lines are; a turn is built alone from those lines, read
 * back with pread, when it is asked for.  So an answer with thousands of
 * turns holds one turn at a time, and a page of thread/turns/list parses
 * only the turns it returns.
 *
 * The index covers the file as it was when it was opened; lines appended
 * later are not in it, and the ones it names do not move (a rollout only
 * grows, except when thread/revert cuts it: an index must not outlive a
 * cut). */
#ifndef CODEX_STORE_ROLLOUT_TURN_INDEX_H
#define CODEX_STORE_ROLLOUT_TURN_INDEX_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "store/rollout_summary.h"
#include "util/error.h"

struct rollout_turn_index;

/* Index path.  Turns cut short are "inProgress" while the file is still
 * written (still_written), else "interrupted".  The summary is filled
 * when sum is not NULL (the caller frees it).  NULL with err when the file
 * is not a readable rollout. */
struct rollout_turn_index *rollout_turn_index_open(const char *path, bool still_written,
                                                   struct rollout_summary *sum,
                                                   struct codex_error *err);
size_t rollout_turn_index_count(const struct rollout_turn_index *ix);
/* The id of turn i (oldest first). */
const char *rollout_turn_index_id(const struct rollout_turn_index *ix, size_t i);
/* The position of the turn named id, or -1. */
long rollout_turn_index_find(const struct rollout_turn_index *ix, const char *id);
/* Turn i as {id, items, status, startedAt, error} with v2 ThreadItems (a
 * new reference), or NULL with err when its lines cannot be read back. */
json_t *rollout_turn_index_turn(struct rollout_turn_index *ix, size_t i, struct codex_error *err);
/* The same for a turn that is only to be written out: long command
 * outputs stay in h (cleared first) as their JSON text, and the turn holds
 * placeholders for them; json_hollow_fill on the turn's dump puts them
 * back (and when it cannot, build the turn again without h). */
struct json_hollow;
json_t *rollout_turn_index_turn_hollow(struct rollout_turn_index *ix, size_t i,
                                       struct json_hollow *h, struct codex_error *err);
void rollout_turn_index_close(struct rollout_turn_index *ix);

#endif

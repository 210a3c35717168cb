/* What one rollout line adds to a summary, shared by the summary reader
 * (rollout_summary.c) and the turn index (rollout_turn_index.c) so both
 * read a line the same way.  Store-internal. */
#ifndef CODEX_STORE_ROLLOUT_SUMMARY_PARTS_H
#define CODEX_STORE_ROLLOUT_SUMMARY_PARTS_H

#include <stdbool.h>
#include <sys/stat.h>

#include <jansson.h>

#include "store/rollout_summary.h"

/* The first session_meta with an id fills the session's facts. */
void rollout_summary_take_meta(struct rollout_summary *s, const json_t *payload);
/* A turn_context: the model and effort in use from then on. */
void rollout_summary_take_context(struct rollout_summary *s, const json_t *payload);
/* The preview: the first userMessage item. */
void rollout_summary_take_preview(struct rollout_summary *s, const json_t *item);
/* Path, size and times from st, and "" for a missing preview. */
void rollout_summary_finish(struct rollout_summary *s, const char *path, const struct stat *st);
/* The v2 item of an item_completed payload (new reference), or NULL; with
 * the event's times as startedAtMs and completedAtMs when it has them. */
json_t *rollout_completed_item(const json_t *payload);
/* A parsed line's type and payload; false when it has neither. */
bool rollout_split_line(const json_t *line, const char **type, const json_t **payload);
/* path opened for reading, with its stat: the descriptor, or -1 with err. */
int rollout_open_stat(const char *path, struct stat *st, struct codex_error *err);

#endif

/* The session record: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<ts>-<id>.jsonl.
 * One JSON object per line {timestamp, ordinal, type, payload}, each line
 * written with a single write(2) to an O_APPEND file as it happens, so a
 * killed process leaves every line it reported complete. */
#ifndef CODEX_STORE_ROLLOUT_H
#define CODEX_STORE_ROLLOUT_H

#include <jansson.h>

struct rollout;

/* NULL with *err (caller frees) when the file cannot be created. */
struct rollout *rollout_create(const char *codex_home, const char *thread_id, char **err);
/* Append {type, payload}; takes the payload reference.  Returns 0 or -1. */
int rollout_append(struct rollout *r, const char *type, json_t *payload);
const char *rollout_path(const struct rollout *r);
void rollout_close(struct rollout *r);

/* Append one prompt to $CODEX_HOME/history.jsonl. */
int history_append(const char *codex_home, const char *session_id, const char *text);

/* "2026-11-22T09:45:29.249Z" for now (UTC, milliseconds). */
void rollout_timestamp(char out[32]);

#endif

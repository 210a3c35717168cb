/* The session record: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<ts>-<id>.jsonl
 * (the layout is rollout_files.h's).  One JSON object per line {timestamp,
 * ordinal, type, payload}, each line written with a single write(2) to an
 * O_APPEND file as it happens, so a killed process leaves every line it
 * reported complete.
 *
 * The writer keeps its first error: a failed append is cut back off the
 * file, that append and every later one return -1, and rollout_error says
 * what went wrong, so the caller can report it once as an error event. */
#ifndef CODEX_STORE_ROLLOUT_H
#define CODEX_STORE_ROLLOUT_H

#include <jansson.h>

#include "store/rollout_files.h" /* the layout and rollout_timestamp */
#include "util/error.h"

struct rollout;

/* NULL with *err (caller frees) when the file cannot be created. */
struct rollout *rollout_create(const char *codex_home, const char *thread_id, char **err);
/* Append {type, payload}; takes the payload reference.  Returns 0, or -1
 * once an append has failed (see rollout_error). */
int rollout_append(struct rollout *r, const char *type, json_t *payload);
/* A response_item line with its top-level metadata (takes both references). */
int rollout_append_item(struct rollout *r, json_t *payload, json_t *metadata);
const char *rollout_path(const struct rollout *r);
/* The first append that failed, or NULL while every one succeeded. */
const struct codex_error *rollout_error(const struct rollout *r);
void rollout_close(struct rollout *r);

/* Append one prompt to $CODEX_HOME/history.jsonl; when max_bytes > 0 and
 * the file grows past it, the oldest entries are dropped (atomically). */
int history_append(const char *codex_home, const char *session_id, const char *text,
                   long long max_bytes);



/* ---- reading a session back (resume) ------------------------------------ */

struct rollout_session {
    char *thread_id;
    char *base_instructions; /* NULL when the file has none */
    json_t *history;         /* response_item payloads, in order */
    long n_lines;            /* complete lines read (the next ordinal) */
    long valid_bytes;        /* length up to the end of the last complete line */
};

/* Load path; a torn last line (killed writer) is ignored.  Returns 0, or -1
 * with err. */
int rollout_load(const char *path, struct rollout_session *out, struct codex_error *err);
void rollout_session_free(struct rollout_session *s);

/* Continue writing an existing file after its first valid_bytes (a torn
 * last line is cut off so that new lines start clean). */
struct rollout *rollout_reopen(const char *path, long next_ordinal, long valid_bytes, char **err);

#endif

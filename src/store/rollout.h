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
#include <stdbool.h>
#include <stdint.h>

#include "store/rollout_files.h" /* the layout and rollout_timestamp */
#include "util/error.h"
#include "util/json_items.h"
#include "util/strvec.h"

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
/* That failure as text, once: the first time it is asked for after it
 * happened (caller frees); NULL otherwise. */
char *rollout_take_error(struct rollout *r);
void rollout_close(struct rollout *r);

/* Append one prompt to $CODEX_HOME/history.jsonl; when max_bytes > 0 and
 * the file grows past it, the oldest entries are dropped (atomically). */
int history_append(const char *codex_home, const char *session_id, const char *text,
                   long long max_bytes);



/* ---- reading a session back (resume) ------------------------------------ */

struct rollout_session {
    char *thread_id;
    char *base_instructions; /* NULL when the file has none */
    /* What the model sees on resume: the items since the last compaction,
     * after that compaction's replacement history; most of it kept as the
     * text the model is sent. */
    struct json_items history;
    long n_lines;            /* complete lines read (the next ordinal) */
    bool torn_tail;          /* the file does not end with a newline */
    /* The context window the thread is in (0 and NULLs before any
     * compaction). */
    int window_number;
    char *window_id, *first_window_id;
    /* total_tokens of the last response the file reports (its last
     * token_count event), so a resumed thread knows how full it is. */
    int64_t last_total_tokens;
    struct strvec warnings;  /* things the user should hear about the file */
};

/* Load path; a torn last line (killed writer) is skipped with a warning.
 * Returns 0, or -1 with err naming path:line. */
int rollout_load(const char *path, struct rollout_session *out, struct codex_error *err);
void rollout_session_free(struct rollout_session *s);

/* Continue writing an existing file, only ever appending: after a torn
 * last line (torn_tail) a newline ends it first, so new lines start clean. */
struct rollout *rollout_reopen(const char *path, long next_ordinal, bool torn_tail, char **err);

#endif

/* Thread names: $CODEX_HOME/session_index.jsonl, the reference's file, one
 * appended line {id, thread_name, updated_at} per rename; a thread's last
 * line wins.  Appending keeps every earlier line intact if we are killed. */
#ifndef CODEX_STORE_SESSION_NAMES_H
#define CODEX_STORE_SESSION_NAMES_H

#include <jansson.h>

#include "util/error.h"

/* Record a new name for thread id.  0, or -1 with err. */
int session_name_set(const char *codex_home, const char *id, const char *name,
                     struct codex_error *err);

/* Every thread's current name: a new object id -> name (empty when the file
 * is missing; unreadable lines are skipped). */
json_t *session_names_load(const char *codex_home);

/* The current name of one thread (caller frees), or NULL. */
char *session_name_get(const char *codex_home, const char *id);

/* The id of the thread most recently given this name (caller frees), or
 * NULL. */
char *session_name_find(const char *codex_home, const char *name);

/* The names, reloaded only when the file changed since the last call;
 * for readers that ask often (thread/list). */
struct session_names;
struct session_names *session_names_new(const char *codex_home);
/* The current map (borrowed until the next call). */
const json_t *session_names_current(struct session_names *n);
void session_names_free(struct session_names *n);

#endif

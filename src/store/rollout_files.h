/* Where rollout files live and how they move.
 *
 * Layout: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<id>.jsonl
 * for active sessions, archived ones flat in $CODEX_HOME/archived_sessions/.
 * One clock rule: the day folder and the stamp in the name are the same
 * moment in local time, for a new session, a fork and an unarchived file
 * alike, so a file's folder can always be told from its name.
 *
 * Thread ids end the file name, so finding a thread (rollout_find.h) is a
 * directory walk (rollout_collect_files, the one walker) and a name
 * comparison. */
#ifndef CODEX_STORE_ROLLOUT_FILES_H
#define CODEX_STORE_ROLLOUT_FILES_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "util/error.h"
#include "util/strvec.h"

enum rollout_tree {
    ROLLOUT_ACTIVE,   /* sessions/ */
    ROLLOUT_ARCHIVED, /* archived_sessions/ */
};

/* $CODEX_HOME/sessions or $CODEX_HOME/archived_sessions (caller frees). */
char *rollout_tree_root(const char *codex_home, enum rollout_tree tree);

/* Called for every directory the walk enters, with its stat. */
typedef void (*rollout_dir_fn)(void *ud, const char *dir, const struct stat *st);

/* Every rollout-*.jsonl file under dir, recursively, appended to out in
 * directory order.  on_dir may be NULL. */
void rollout_collect_files(const char *dir, struct strvec *out, rollout_dir_fn on_dir, void *ud);

/* "2026-11-22T09:45:29.249Z" for now: the stamp of every record (UTC,
 * milliseconds, as the reference writes them). */
void rollout_timestamp(char out[32]);

/* The path a rollout of thread id started at `when` gets (directories not
 * created).  Caller frees. */
char *rollout_new_path(const char *codex_home, time_t when, const char *id);

/* The day folder "YYYY/MM/DD" of a rollout file name (its stamp); false
 * when the name does not have the layout's shape. */
bool rollout_name_day(const char *name, char day[11]);

/* Whether a rollout file name (or path) belongs to thread id. */
bool rollout_name_has_id(const char *name, const char *id);

/* Copy src as a new thread new_id forked from from_id: the first line
 * names the new thread and its origin, the rest is kept byte for byte.
 * Returns the new file's path (written atomically), or NULL with err. */
char *rollout_fork(const char *codex_home, const char *src, const char *new_id,
                   const char *from_id, struct codex_error *err);

/* Move an active rollout into archived_sessions/, or an archived one back
 * to the day folder its name gives.  Return the new path, or NULL with err
 * (err->os_errno set for a failed system call). */
char *rollout_archive(const char *codex_home, const char *path, struct codex_error *err);
char *rollout_unarchive(const char *codex_home, const char *path, struct codex_error *err);
/* Remove a rollout file for good.  0, or -1 with err. */
int rollout_delete(const char *path, struct codex_error *err);

#endif

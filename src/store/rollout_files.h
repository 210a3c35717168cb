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

#include "store/rollout_layout.h"
#include "util/error.h"
#include "util/strvec.h"

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

/* The sessions tree's layout: where a rollout file goes, what its name
 * says (day, thread id) and the one walker that finds them.  Below
 * rollout_files.c (which moves files) and rollout_segments.c (which
 * stitches a reverted thread's files), both of which use it. */
#ifndef CODEX_STORE_ROLLOUT_LAYOUT_H
#define CODEX_STORE_ROLLOUT_LAYOUT_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

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

#endif

/* What a turn changed on disk, as one git-style diff (turn/diff/updated):
 * each file as it was before the turn first changed it, against the file
 * now.  The thread records a file's old content when a fileChange item
 * starts, before anything is written. */
#ifndef CODEX_RPC_TURN_DIFF_H
#define CODEX_RPC_TURN_DIFF_H

#include <jansson.h>

struct turn_diff;

/* Paths are shown relative to root (the repository or the thread's cwd). */
struct turn_diff *turn_diff_new(const char *root);
void turn_diff_free(struct turn_diff *d);

/* A fileChange is about to be applied: remember the current content of
 * every path in changes ([{path, kind: {type, move_path}}]) that the turn
 * has not touched before. */
void turn_diff_before(struct turn_diff *d, const json_t *changes);

/* The diff of every remembered file against disk now (caller frees); NULL
 * when nothing differs. */
char *turn_diff_text(const struct turn_diff *d);

#endif

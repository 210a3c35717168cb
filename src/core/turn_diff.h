/* The turn's diff: every file a patch of the turn touched, from how it was
 * before the turn's first patch to how it is now, as `git diff` prints it
 * (exec's human output and the app server's turn/diff/updated). */
#ifndef CODEX_CORE_TURN_DIFF_H
#define CODEX_CORE_TURN_DIFF_H

#include <stddef.h>

#include "patch/patch.h"

struct turn_diff_file;

struct turn_diff {
    struct turn_diff_file *files;
    size_t n, cap;
};

/* Remember, for each path the plan touches and the turn has not seen, its
 * content before the plan (call before or after the plan is written: the
 * plan carries the old content). */
void turn_diff_note(struct turn_diff *d, const struct patch_plan *plan);
/* The diff from those baselines to the files on disk now, paths relative to
 * root; "" when nothing differs.  Caller frees. */
char *turn_diff_render(const struct turn_diff *d, const char *root);
void turn_diff_clear(struct turn_diff *d);

#endif

/* Shared between the files of src/patch; not part of the public API. */
#ifndef CODEX_PATCH_INTERNAL_H
#define CODEX_PATCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "patch/patch.h"

/* The final state of one path after the whole patch, as the commit step
 * must produce it. */
struct patch_fs_op {
    char *abs_path;
    /* Where the commit lands, resolved when planning: for a write through
     * a symlink its final target, then the parent directory canonical
     * (symlinks and ".." resolved); the approval gate checks these, and the
     * commit writes exactly these, never following a symlink on the way. */
    char *real_path;
    char *shown_path;  /* the write target as messages name it (symlinks followed lexically) */
    bool present;      /* a file with `content` must exist here */
    bool replace_link; /* the path was deleted earlier in the patch: write a
                          new file in place of any symlink instead of through it */
    bool touched;      /* some hunk changed this path */
    const char *content; /* owned by the plan's changes */
    size_t len;
    unsigned mode;       /* the existing file's mode when planning saw it, else 0 */
};

/* A located change: replace old_len lines at `start` with new_lines. */
struct patch_replacement {
    size_t start;
    size_t old_len;
    const struct patch_span *new_lines;
    size_t n_new;
    const size_t *new_origin; /* see struct patch_chunk; NULL: all added */
};

/* Where `pattern` occurs in `lines` at or after `start` (the last possible
 * position only, when at_eof), trying exact, trailing-whitespace,
 * whitespace and punctuation-folded comparison in turn.  -1 if nowhere. */
long patch_seek(const struct patch_span *lines, size_t n, const struct patch_span *pattern, size_t plen,
                size_t start, bool at_eof);

/* Join cwd and path ("/" separated) and fold "." and ".." lexically. */
char *patch_resolve_path(const char *cwd, const char *path);
/* The file a write to abs reaches: through symlinks of its last component,
 * to the file they name (which may not exist yet for a dangling link). */
char *patch_write_target(const char *abs);
/* The canonical form of a path whose last components may not exist yet:
 * the longest existing prefix through realpath(3), the rest appended with
 * "." and ".." folded.  The last component itself is not followed. */
char *patch_canonical_parent(const char *path);

/* The reference's wording for an OS error: "No such file or directory (os error 2)". */
void patch_describe_errno(int err, struct buf *out);

#endif

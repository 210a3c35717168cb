/* apply_patch: the Codex patch format ("*** Begin Patch" ... "*** End Patch").
 *
 * Three stages, each usable on its own:
 *   patch_parse()       text -> struct patch (hunks), no file system access
 *   patch_plan_build()  patch + cwd -> struct patch_plan: every hunk matched
 *                       against the current files, new contents computed,
 *                       nothing written.  The agent uses it for approvals.
 *   patch_plan_commit() writes the plan: every new file is staged in a temp
 *                       file next to its target first, then renamed into
 *                       place, so a patch that cannot be applied changes
 *                       nothing on disk.
 * Error texts match the reference implementation word for word, because the
 * models are trained on them.  No global state. */
#ifndef CODEX_PATCH_PATCH_H
#define CODEX_PATCH_PATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* A slice of the patch text (not NUL-terminated). */
struct patch_span {
    const char *ptr;
    size_t len;
};

enum patch_hunk_kind { PATCH_HUNK_ADD, PATCH_HUNK_DELETE, PATCH_HUNK_UPDATE };

/* One "@@" section of an update: old_lines are replaced by new_lines. */
struct patch_chunk {
    bool has_context;          /* "@@ something": narrows the search */
    struct patch_span context;
    struct patch_span *old_lines;
    size_t n_old;
    struct patch_span *new_lines;
    size_t n_new;
    bool end_of_file;          /* "*** End of File": old_lines end the file */
    /* For each new line: 1 + the index in old_lines of the same context
     * line, or 0 for an added line.  Context lines keep the file's own text
     * and line ending; added lines are written as the patch spells them. */
    size_t *new_origin;
};

struct patch_hunk {
    enum patch_hunk_kind kind;
    char *path;      /* as written in the patch */
    char *move_path; /* update only: "*** Move to:", or NULL */
    char *contents;  /* add only: the new file, every line ends with '\n' */
    size_t contents_len;
    struct patch_chunk *chunks; /* update only */
    size_t n_chunks;
};

struct patch {
    char *text; /* owned copy of the input; spans point into it */
    struct patch_hunk *hunks;
    size_t n_hunks;
};

enum patch_error_kind {
    PATCH_ERR_NONE,
    PATCH_ERR_PATCH, /* "Invalid patch: MESSAGE" */
    PATCH_ERR_HUNK,  /* "Invalid patch hunk on line LINE: MESSAGE" */
};

struct patch_error {
    enum patch_error_kind kind;
    size_t line;
    char *message; /* owned */
};

/* Parse a patch.  Leading and trailing whitespace is ignored, as is a
 * heredoc wrapper (<<EOF ... EOF) left around the patch by a model.
 * Returns NULL and fills err on failure. */
struct patch *patch_parse(const char *text, size_t len, struct patch_error *err);
void patch_free(struct patch *p);
/* The one-line message the reference prints, without a newline. */
void patch_error_format(const struct patch_error *err, struct buf *out);
void patch_error_clear(struct patch_error *err);

enum patch_change_kind { PATCH_CHANGE_ADD, PATCH_CHANGE_MODIFY, PATCH_CHANGE_DELETE };

/* What one hunk does, in patch order. */
struct patch_change {
    enum patch_change_kind kind;
    char *path;          /* as written in the patch */
    char *move_path;     /* as written; modify with "*** Move to:" only */
    char *abs_path;      /* resolved against cwd, lexically normalized */
    char *abs_move_path; /* likewise, or NULL */
    char *old_content;   /* before this hunk; NULL for add (or unreadable delete) */
    size_t old_len;
    char *new_content;   /* after this hunk; NULL for delete */
    size_t new_len;
};

struct patch_fs_op; /* private: the final state of one path */

struct patch_plan {
    struct patch_change *changes;
    size_t n_changes;
    struct patch_fs_op *ops;
    size_t n_ops;
};

/* Match every hunk against the files under cwd (which must be absolute) and
 * compute the result without writing.  Hunks see the effect of earlier hunks
 * of the same patch.  Returns 0, or -1 with the reference's message in err. */
int patch_plan_build(const struct patch *p, const char *cwd, struct patch_plan *plan, struct buf *err);
/* Write a built plan.  Returns 0, or -1 with a message in err; on failure
 * nothing was changed unless the final renames themselves failed. */
int patch_plan_commit(const struct patch_plan *plan, struct buf *err);
void patch_plan_free(struct patch_plan *plan);

/* Every path a built plan's commit writes (remove = false) or removes,
 * resolved as it will be reached: what an approval must cover.  The array
 * is the caller's to free; the strings belong to the plan. */
struct patch_target {
    const char *path;
    bool remove;
};
size_t patch_plan_targets(const struct patch_plan *plan, struct patch_target **out);

/* Build and commit. */
int patch_apply(const struct patch *p, const char *cwd, struct patch_plan *plan, struct buf *err);

/* "Success. Updated the following files:" and the A/M/D lines. */
void patch_plan_summary(const struct patch_plan *plan, struct buf *out);

/* Unified diff ("@@ -a,b +c,d @@" hunks, no file header) of one change, with
 * `context` lines of context.  Caller frees. */
char *patch_change_unified_diff(const struct patch_change *c, int context);
/* The same for two arbitrary texts. */
char *patch_unified_diff(const char *old_text, size_t old_len, const char *new_text, size_t new_len,
                         int context);

/* Recognize an apply_patch invocation in a command the model asked to run:
 *   ["apply_patch", PATCH]  or  ["applypatch", PATCH]
 *   [bash|sh|zsh, -c|-lc, "apply_patch <<'EOF'\n...\nEOF\n"]
 *   [bash|sh|zsh, -c|-lc, "cd DIR && apply_patch <<EOF ..."]
 * Returns 1 and sets *patch_text (and *workdir for the cd form, else NULL;
 * both caller-freed), or 0 if argv is not such an invocation. */
int patch_extract_heredoc(const char *const *argv, size_t argc, char **patch_text, char **workdir);

/* A bare patch given as the whole command (["*** Begin Patch\n..."]) or as
 * a shell script ([bash, -lc, "*** Begin Patch\n..."]): the reference
 * refuses to run it and answers with PATCH_IMPLICIT_INVOCATION_MESSAGE. */
bool patch_is_implicit_invocation(const char *const *argv, size_t argc);
#define PATCH_IMPLICIT_INVOCATION_MESSAGE \
    "patch detected without explicit call to apply_patch. Rerun as [\"apply_patch\", \"<patch>\"]"

#endif

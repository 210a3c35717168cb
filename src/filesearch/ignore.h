/* Ignore files (.gitignore, .ignore, .git/info/exclude) as git reads them.
 *
 * One struct ignore_rules holds the patterns of one file; paths are matched
 * relative to the directory that file governs.  Within a file the last
 * pattern that matches decides, and a "!pattern" re-includes.  Globs:
 * `*` and `?` stop at '/', `[...]` classes (with `!`/`^` and ranges), `\`
 * escapes, and `**` as a whole path component (leading, trailing or in the
 * middle); a pattern with a '/' before its end is anchored to the file's
 * directory, one without matches a name at any depth, and a trailing '/'
 * matches directories only.  Matching is linear in pattern x path length,
 * whatever the input. */
#ifndef CODEX_FILESEARCH_IGNORE_H
#define CODEX_FILESEARCH_IGNORE_H

#include <stdbool.h>
#include <stddef.h>

struct ignore_rules;

enum ignore_verdict {
    IGNORE_NONE,    /* no pattern of this file speaks about the path */
    IGNORE_EXCLUDE, /* the path is ignored */
    IGNORE_INCLUDE, /* a "!pattern" re-includes it */
};

/* The rules in text (len bytes, need not be NUL-terminated); never fails:
 * a line that cannot be a pattern is skipped, as git does. */
struct ignore_rules *ignore_rules_parse(const char *text, size_t len);
/* The rules of the file at path, or NULL when it cannot be read. */
struct ignore_rules *ignore_rules_load(const char *path);
size_t ignore_rules_count(const struct ignore_rules *r);
void ignore_rules_free(struct ignore_rules *r);

/* What the rules say about rel (relative to their directory, '/'-separated,
 * no leading '/'). */
enum ignore_verdict ignore_rules_match(const struct ignore_rules *r, const char *rel, bool is_dir);

#endif

/* Fuzzy file search: walk some roots once into an index, then match
 * queries against it as often as wanted (every keystroke of an @ mention).
 *
 * What is listed is what the reference lists: every file and directory
 * under the roots, hidden ones and .git included, except what .ignore
 * files exclude and, inside a git repository, .gitignore and
 * .git/info/exclude files (each in its own directory and below, the roots'
 * parent directories included; git's global excludes file is not read);
 * symbolic links are followed (a link back into
 * its own ancestry is skipped), entries that are not valid UTF-8 or cannot
 * be read are skipped.  An ignored directory is not entered.  A path under
 * several roots belongs to the deepest of them.
 *
 * Results are ordered by score (highest first), then path.  A score is the
 * fuzzy score of the whole relative path (fuzzy.h), except that a file whose
 * name alone matches the query scores its name's match plus 65536; a file
 * whose name equals the query (case ignored) adds 131072 more, and so does
 * one directory so named: the shallowest, then the first by path.  Indices
 * are the character positions in the relative path. */
#ifndef CODEX_FILESEARCH_FILESEARCH_H
#define CODEX_FILESEARCH_FILESEARCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many results the app server's fuzzyFileSearch answers with. */
#define FILESEARCH_DEFAULT_LIMIT 50

struct file_index;

/* Walk roots (relative ones are taken from cwd) into an index.  Never fails:
 * a root that is missing or not a directory contributes nothing.  When
 * *cancel becomes true (cancel may be NULL) the walk stops early and the
 * index holds what was found so far.  Thread-safe: runs on any thread. */
struct file_index *file_index_walk(const char *const *roots, size_t nroots, const char *cwd,
                                   const atomic_bool *cancel);
size_t file_index_count(const struct file_index *ix);
size_t file_index_root_count(const struct file_index *ix);
/* The root as it was given. */
const char *file_index_root(const struct file_index *ix, size_t i);
void file_index_free(struct file_index *ix);

struct file_hit {
    size_t root;           /* index into the index's roots */
    const char *path;      /* relative to the root; borrowed from the index */
    const char *file_name; /* its last component; borrowed */
    bool is_dir;
    uint32_t score;
    uint32_t *indices; /* ascending character positions in path */
    size_t nindices;
};

struct file_results {
    struct file_hit *hits;
    size_t n;
    size_t total; /* how many entries matched in all */
};

/* A query session over one index.  Typing narrows: a query that extends
 * the previous one only looks at what that one matched. */
struct file_searcher;
struct file_searcher *file_searcher_new(const struct file_index *ix);
void file_searcher_free(struct file_searcher *s);
/* The best `limit` matches of query (none for an empty query).  *out is
 * overwritten; free it with file_results_free. */
void file_searcher_run(struct file_searcher *s, const char *query, size_t limit,
                       struct file_results *out);
void file_results_free(struct file_results *r);

#endif

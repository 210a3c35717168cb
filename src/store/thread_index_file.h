/* The thread index's file, $CODEX_HOME/thread_index.tsv: a header line,
 * then one line per session with its path, size, modification time and
 * summary, fields separated by tabs.  In a field, backslash, tab, newline
 * and carriage return are escaped (\\ \t \n \r) and an absent value is \N.
 *
 * A text format of our own rather than JSON: ten thousand sessions load in
 * a few milliseconds, where a JSON parser spent a fifth of a second
 * building objects only to take them apart again. */
#ifndef CODEX_STORE_THREAD_INDEX_FILE_H
#define CODEX_STORE_THREAD_INDEX_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "store/rollout_summary.h"

/* The file's text for n summaries (caller frees); *len set. */
char *index_file_format(const struct rollout_summary *const *s, size_t n, size_t *len);

/* Parse the text of an index file: add(ud, summary) for each well-formed
 * line (the summary's strings pass to the callee; lines that are not
 * well-formed are skipped, so their sessions are read again).  False when
 * the text is not an index of this version. */
bool index_file_parse(const char *text, size_t len,
                      void (*add)(void *ud, struct rollout_summary *s), void *ud);

#endif

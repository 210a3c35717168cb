/* BM25 ranking over a small set of documents (the deferred tools'
 * metadata), as tool_search needs it.  Text is cut into words the way
 * Unicode word boundaries cut it ("get_sum" and "dotted.name" stay whole),
 * lowercased, stripped of English stop words and stemmed (Porter2), with
 * the usual k1 = 1.2, b = 0.75. */
#ifndef CODEX_TOOLS_BM25_H
#define CODEX_TOOLS_BM25_H

#include <stddef.h>

#include "util/strvec.h"

struct bm25_index;

struct bm25_hit {
    size_t doc;   /* index into the documents given to bm25_new */
    double score; /* > 0 */
};

struct bm25_index *bm25_new(const char *const *docs, size_t n);
void bm25_free(struct bm25_index *ix);
/* Documents sharing at least one term with the query, best first (ties in
 * document order).  Returns the count; *hits is malloc'd (NULL when 0). */
size_t bm25_search(const struct bm25_index *ix, const char *query, struct bm25_hit **hits);
/* The terms of text, in order (what the index sees). */
void bm25_terms(const char *text, struct strvec *out);

#endif

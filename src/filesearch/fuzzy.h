/* The fuzzy matcher behind file search: does a query match a path, how
 * well, and at which characters.
 *
 * The scoring follows the one the reference's results show (fzf's "v2"
 * scheme as the nucleo crate tunes it for paths): 16 per matched
 * character; a bonus where a match starts a word (9 after '/', 8 after
 * another separator or at a non-word character, 5 at a camelCase or digit
 * boundary), doubled for the first query character; inside a run of
 * consecutive matches every character earns the run's opening bonus (at
 * least 4); a gap between matches costs 3 plus 1 per further skipped
 * character; nothing before the first or after the last match costs
 * anything.  The best alignment wins; among equal ones the rightmost end.
 * Case is ignored.  A query with spaces is several words, each matched on
 * its own and their scores added.
 *
 * Positions are in characters (Unicode scalar values), not bytes. */
#ifndef CODEX_FILESEARCH_FUZZY_H
#define CODEX_FILESEARCH_FUZZY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fuzzy_matcher;

/* A matcher for query; split_words says whether spaces separate words
 * (false matches the query as one word, spaces included). */
struct fuzzy_matcher *fuzzy_matcher_new(const char *query, bool split_words);
void fuzzy_matcher_free(struct fuzzy_matcher *m);
/* True when the query has no word at all (then nothing matches). */
bool fuzzy_matcher_empty(const struct fuzzy_matcher *m);

/* Positions of matched characters, ascending, without repeats. */
struct fuzzy_positions {
    uint32_t *v;
    size_t n, cap;
};

/* Does text[0..len) (UTF-8) match?  Then *score is set and, when pos is
 * not NULL, the matched positions are appended to it (each plus
 * pos_offset), then pos is sorted and deduplicated.  The matcher keeps
 * scratch space: one matcher is used by one thread at a time. */
bool fuzzy_match(struct fuzzy_matcher *m, const char *text, size_t len, uint32_t *score,
                 struct fuzzy_positions *pos, uint32_t pos_offset);

/* A cheap test that can only say no: every word's characters occur in
 * order in text (ASCII case ignored). */
bool fuzzy_may_match(const struct fuzzy_matcher *m, const char *text, size_t len);

void fuzzy_positions_free(struct fuzzy_positions *p);

#endif

/* The Porter2 ("Snowball English") stemmer: "connections", "connected"
 * and "connecting" all become "connect", so a search for one finds the
 * others.  Input is one lowercase ASCII word (digits and '_' count as
 * consonants); words with upper case or non-ASCII bytes are returned
 * unchanged. */
#ifndef CODEX_UTIL_STEM_EN_H
#define CODEX_UTIL_STEM_EN_H

#include <stddef.h>

/* Stem word[0..len) in place; returns the new length (never longer). */
size_t stem_en(char *word, size_t len);

#endif

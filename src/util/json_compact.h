/* Reusing JSON text instead of parsing it.  A long session's history is
 * tens of megabytes of items that are only ever sent back to the model:
 * when a line is already exactly what jansson's compact dump would write,
 * its bytes can stand in for parse + dump, and most of the work of a
 * resume disappears. */
#ifndef CODEX_UTIL_JSON_COMPACT_H
#define CODEX_UTIL_JSON_COMPACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* True when text is one JSON object that jansson parses and whose
 * JSON_COMPACT dump is text itself: no whitespace, integers of at most 18
 * digits (no reals, no -0), only the escapes jansson writes (\" \\ \b \f
 * \n \r \t and \u00XX in upper case for the other control characters),
 * valid UTF-8, no key twice in one object, nesting under 512.  Anything
 * else is false, and the caller parses as usual.  When key is not NULL,
 * *off and *len give the span of that top-level member's value (0 and 0
 * when there is none). */
bool json_compact_check(const char *text, size_t len, const char *key, size_t *off, size_t *vlen);

/* The top-level members of an object that passed json_compact_check whose
 * values are strings of at most JSON_COMPACT_BRIEF_MAX bytes, as an object
 * ("type", "role", "call_id", ...: what a reader filters by). */
#define JSON_COMPACT_BRIEF_MAX 256
json_t *json_compact_brief(const char *text, size_t len);
/* The same members taken from a parsed object. */
json_t *json_compact_brief_of(const json_t *object);

#endif

#ifndef CODEX_UTIL_JSON_TEXT_H
#define CODEX_UTIL_JSON_TEXT_H

#include <jansson.h>
#include <stddef.h>

/* json_string() refuses invalid UTF-8; this replaces each bad sequence with
 * U+FFFD instead, for text that comes from files or processes. */
json_t *json_string_lossy(const char *data, size_t len);

struct strvec;
/* The strings as a JSON array (a new reference). */
json_t *json_string_array(const struct strvec *v);

#endif

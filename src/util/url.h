/* Percent-encoding for URLs and application/x-www-form-urlencoded bodies,
 * and reading one parameter back out of a query string. */
#ifndef CODEX_UTIL_URL_H
#define CODEX_UTIL_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Append s with everything but RFC 3986's unreserved characters encoded. */
void url_encode_append(struct buf *b, const char *s);
/* Append "key=value" (both encoded), with a '&' first unless b is empty. */
void url_param_append(struct buf *b, const char *key, const char *value);
/* The decoded value of key in a query string ("a=1&b=2", without '?'):
 * '+' is a space and %XX a byte.  NULL when absent or badly encoded
 * (caller frees).  *present, when given, says whether key occurs at all. */
char *url_query_get(const char *query, size_t len, const char *key, bool *present);
/* True for http://127.0.0.1, localhost or [::1] URLs (any port or path). */
bool url_is_loopback_http(const char *url);

#endif

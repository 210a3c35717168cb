/* Standard base64 (RFC 4648, with '=' padding), as the JSON wire formats use
 * for binary payloads. */
#ifndef CODEX_UTIL_BASE64_H
#define CODEX_UTIL_BASE64_H

#include <stddef.h>

/* Encode n bytes; returns a NUL-terminated string (caller frees). */
char *base64_encode(const void *data, size_t n);

/* Decode strictly: only the standard alphabet, padding only at the end and
 * only where canonical.  Returns a buffer (caller frees, NUL-terminated for
 * convenience) with *len_out set, or NULL with a one-line reason in errbuf
 * ("Invalid symbol 33, offset 0." and the like). */
unsigned char *base64_decode(const char *text, size_t len, size_t *len_out, char *errbuf,
                             size_t errlen);

/* base64url without padding (RFC 4648 §5), as JWTs and PKCE use it. */
char *base64url_encode(const void *data, size_t n);
/* Decode base64url; padding is accepted but not required.  NULL when the
 * text holds anything outside the URL-safe alphabet. */
unsigned char *base64url_decode(const char *text, size_t len, size_t *len_out);

#endif

/* SHA-1 (FIPS 180-4).  Only for protocols that require it, such as the
 * WebSocket handshake; never for anything that needs collision resistance. */
#ifndef CODEX_UTIL_SHA1_H
#define CODEX_UTIL_SHA1_H

#include <stddef.h>

void sha1_digest(const void *data, size_t n, unsigned char out[20]);

#endif

/* SHA-256 (FIPS 180-4), for content versions and token digests, and
 * HMAC-SHA256 for signed tokens. */
#ifndef CODEX_UTIL_SHA256_H
#define CODEX_UTIL_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t total;
    unsigned char block[64];
    size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* Lowercase hex digest of data into out (65 bytes with the NUL). */
void sha256_hex(const void *data, size_t n, char out[65]);
/* The digest written as 64 hex digits (either case) at hex; false when
 * any of them is not a hex digit. */
bool sha256_from_hex(const char *hex, unsigned char out[32]);
/* HMAC-SHA256 (RFC 2104) of data under key. */
void hmac_sha256(const void *key, size_t key_len, const void *data, size_t n,
                 unsigned char out[32]);

#endif

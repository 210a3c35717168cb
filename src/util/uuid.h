/* Identifiers: UUIDv7 (time-ordered, the reference's thread/turn ids) and
 * short random hex strings. */
#ifndef CODEX_UTIL_UUID_H
#define CODEX_UTIL_UUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UUID_STR_LEN 37 /* 36 characters plus NUL */

/* Write a fresh UUIDv7 for the current time into out. */
void uuid_v7(char out[UUID_STR_LEN]);
/* A random UUID (version 4), for identifiers with no time order. */
void uuid_v4(char out[UUID_STR_LEN]);
/* Same as uuid_v7, for a given Unix time in milliseconds (tests). */
void uuid_v7_at(char out[UUID_STR_LEN], uint64_t unix_ms);
/* Whether s is a UUID in its 8-4-4-4-12 hex form (any version). */
bool uuid_is_valid(const char *s);
/* n bytes from the kernel's CSPRNG (getrandom). */
void random_bytes(void *out, size_t n);
/* n random bytes as 2n lowercase hex digits plus NUL. */
void random_hex(char *out, size_t n_bytes);

#endif

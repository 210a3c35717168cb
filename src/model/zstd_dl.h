/* zstd compression of request bodies, with libzstd.so.1 loaded on first
 * use (Debian installs it with dpkg, so it is there in practice; without
 * it bodies go uncompressed, which every server accepts). */
#ifndef CODEX_MODEL_ZSTD_DL_H
#define CODEX_MODEL_ZSTD_DL_H

#include <stddef.h>

/* The compressed frame (caller frees) with *out_len set, or NULL when
 * libzstd cannot be loaded or fails. */
char *zstd_compress_body(const char *data, size_t len, size_t *out_len);

#endif

/* Buffers for whole files.  Large ones are mapped with their pages
 * populated up front: faulting them in one at a time cost more than the
 * patching itself on a 50,000-line file. */
#ifndef CODEX_PATCH_MEM_H
#define CODEX_PATCH_MEM_H

#include <stddef.h>

void *patch_mem_alloc(size_t n);
void patch_mem_free(void *p);
/* Copy n bytes into a new buffer with a NUL after them. */
char *patch_mem_dup(const char *s, size_t n);
/* Read a whole regular file (following symlinks) into a buffer with a NUL
 * after it; *mode gets its permission bits.  Returns NULL with errno set
 * (EFBIG beyond max_bytes), or NULL with errno 0 if the path is not a
 * regular file (a FIFO is never opened for a blocking read). */
char *patch_mem_read_file(const char *path, size_t max_bytes, size_t *len, unsigned *mode);

#endif

/* A growable byte buffer, always NUL-terminated so it can be used as a C
 * string when the content has no embedded NULs. */
#ifndef CODEX_UTIL_BUF_H
#define CODEX_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data; /* NULL until the first append; buf_cstr() never returns NULL */
    size_t len;
    size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_truncate(struct buf *b, size_t len);
const char *buf_cstr(const struct buf *b);
/* Hand the storage to the caller (never NULL) and reset the buffer. */
char *buf_detach(struct buf *b, size_t *len_out);
void buf_free(struct buf *b);

#endif

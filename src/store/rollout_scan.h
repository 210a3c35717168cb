/* Reading a rollout a line at a time without holding the file, and telling
 * a line's type without parsing it: a long session is mostly lines a given
 * reader does not need (resume wants the response items, thread/read the
 * events), and parsing those is where the time went. */
#ifndef CODEX_STORE_ROLLOUT_SCAN_H
#define CODEX_STORE_ROLLOUT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/error.h"

/* The top-level "type" of a line and, when ptype is not NULL, its
 * payload's "type" ("" when it has none), without parsing the line: one
 * byte scan that keeps the last of duplicate keys, as the parser does.
 * False when the line has no type or is not an object. */
bool rollout_line_type(const char *text, size_t len, char type[24], char ptype[24]);
/* The same, and the payload's own "turn_id" member (not one nested deeper)
 * into turn_id (turn_id_cap bytes, NUL-terminated; "" when it has none, it
 * is not a string or it does not fit; characters outside ASCII read as
 * '\1').  turn_id may be NULL. */
bool rollout_line_turn(const char *text, size_t len, char type[24], char ptype[24], char *turn_id,
                       size_t turn_id_cap);

/* Complete lines of an open file, front to back, read in chunks: only the
 * bytes present when it was opened (size) are read, and a last line
 * without its newline (a writer killed mid-line) is not returned. */
struct rollout_lines {
    int fd;
    off_t size, read_to; /* bytes to read; bytes read so far */
    struct buf b;        /* read but not yet returned, from `start` on */
    size_t start;
    long line_no;        /* of the line last returned, from 1 */
    off_t line_off;      /* where in the file that line starts */
    bool torn;           /* at the end: the file ended inside a line */
};

void rollout_lines_init(struct rollout_lines *r, int fd, off_t size);
/* 1 with the next line (without its newline; valid until the next call),
 * 0 at the end, -1 when a read fails (errno says why). */
int rollout_lines_next(struct rollout_lines *r, const char **text, size_t *len);
void rollout_lines_free(struct rollout_lines *r);
/* Open path and read its lines as they are now: 0, or -1 with "cannot read
 * PATH" in err.  rollout_lines_close frees and closes what it opened. */
int rollout_lines_open(struct rollout_lines *r, const char *path, struct codex_error *err);
void rollout_lines_close(struct rollout_lines *r);

#endif

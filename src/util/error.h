/* The library's one error type.  Every module boundary reports failure
 * through a struct codex_error: one line saying what went wrong and what to
 * do, plus where (file:line:col, an argument name, a JSON-RPC id ...), so a
 * front end can print "where: what" without knowing which module failed.
 *
 * An error keeps the first failure it is given: later codex_error_set calls
 * on an error that is already set do nothing.  A sequence of steps can then
 * report into one error and the caller sees the failure that started it,
 * not the last of its consequences. */
#ifndef CODEX_UTIL_ERROR_H
#define CODEX_UTIL_ERROR_H

#include <stdbool.h>

struct codex_error {
    char *message; /* NULL while no error is set */
    char *where;   /* NULL when there is no useful location */
    int os_errno;  /* the errno of a failed system call, else 0 */
};

#define CODEX_ERROR_INIT {NULL, NULL, 0}

void codex_error_set(struct codex_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* With a location (copied). */
void codex_error_set_at(struct codex_error *e, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* For a failed system call: the message gets ": <strerror(err)>" appended
 * and os_errno is kept for callers that branch on it. */
void codex_error_set_os(struct codex_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix the location of an error already set (a caller adding context,
 * e.g. the file a parser was reading); does nothing when unset. */
void codex_error_locate(struct codex_error *e, const char *where);

static inline bool codex_error_is_set(const struct codex_error *e)
{
    return e && e->message;
}

/* "where: message", or just the message (caller frees); NULL when unset. */
char *codex_error_text(const struct codex_error *e);
/* Move src into dst (when dst is unset), leaving src cleared. */
void codex_error_move(struct codex_error *dst, struct codex_error *src);
void codex_error_clear(struct codex_error *e);

#endif

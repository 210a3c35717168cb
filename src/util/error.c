#include "util/error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

static char *vformat(const char *fmt, va_list ap)
{
    struct buf b = BUF_INIT;
    buf_vprintf(&b, fmt, ap);
    return buf_detach(&b, NULL);
}

void codex_error_set(struct codex_error *e, const char *fmt, ...)
{
    if (!e || e->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    e->message = vformat(fmt, ap);
    va_end(ap);
}

void codex_error_set_at(struct codex_error *e, const char *where, const char *fmt, ...)
{
    if (!e || e->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    e->message = vformat(fmt, ap);
    va_end(ap);
    e->where = where ? xstrdup(where) : NULL;
}

void codex_error_set_os(struct codex_error *e, int err, const char *fmt, ...)
{
    if (!e || e->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *what = vformat(fmt, ap);
    va_end(ap);
    e->message = xasprintf("%s: %s", what, strerror(err));
    e->os_errno = err;
    free(what);
}

void codex_error_locate(struct codex_error *e, const char *where)
{
    if (!e || !e->message || !where)
        return;
    char *joined = e->where ? xasprintf("%s: %s", where, e->where) : xstrdup(where);
    free(e->where);
    e->where = joined;
}

char *codex_error_text(const struct codex_error *e)
{
    if (!e || !e->message)
        return NULL;
    return e->where ? xasprintf("%s: %s", e->where, e->message) : xstrdup(e->message);
}

void codex_error_move(struct codex_error *dst, struct codex_error *src)
{
    if (!src || !src->message)
        return;
    if (dst && !dst->message) {
        *dst = *src;
        *src = (struct codex_error)CODEX_ERROR_INIT;
        return;
    }
    codex_error_clear(src);
}

void codex_error_clear(struct codex_error *e)
{
    if (!e)
        return;
    free(e->message);
    free(e->where);
    *e = (struct codex_error)CODEX_ERROR_INIT;
}

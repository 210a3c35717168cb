#include "store/thread_index_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

#define HEADER "codex-c thread index 4\n"
#define FIELDS 20

static void put_string(struct buf *b, const char *s)
{
    if (!s) {
        buf_puts(b, "\\N");
        return;
    }
    for (const char *run = s;; s++) {
        char c = *s;
        if (c && c != '\\' && c != '\t' && c != '\n' && c != '\r')
            continue;
        buf_append(b, run, (size_t)(s - run));
        if (!c)
            return;
        buf_putc(b, '\\');
        buf_putc(b, c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\');
        run = s + 1;
    }
}

char *index_file_format(const struct rollout_summary *const *entries, size_t n, size_t *len)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, HEADER);
    for (size_t i = 0; i < n; i++) {
        const struct rollout_summary *s = entries[i];
        put_string(&b, s->path);
        buf_printf(&b, "\t%lld\t%lld\t", (long long)s->size, (long long)s->mtime_ns);
        put_string(&b, s->id);
        buf_printf(&b, "\t%lld\t%lld", (long long)s->created_at, (long long)s->updated_at);
        const char *rest[] = {s->cwd,           s->cli_version,   s->model_provider,
                              s->originator,    s->source,        s->forked_from_id,
                              s->thread_source, s->history_mode,  s->git_sha,
                              s->git_branch,    s->git_origin_url, s->model,
                              s->effort,        s->preview};
        for (size_t k = 0; k < sizeof rest / sizeof *rest; k++) {
            buf_putc(&b, '\t');
            put_string(&b, rest[k]);
        }
        buf_putc(&b, '\n');
    }
    return buf_detach(&b, len);
}

/* A field's value (NULL for \N); false when an escape is malformed. */
static bool take_string(const char *p, size_t n, char **out)
{
    *out = NULL;
    if (n == 2 && p[0] == '\\' && p[1] == 'N')
        return true;
    char *s = xmalloc(n + 1), *d = s;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\\') {
            *d++ = p[i];
            continue;
        }
        char e = ++i < n ? p[i] : '\0';
        if (e != '\\' && e != 't' && e != 'n' && e != 'r') {
            free(s);
            return false;
        }
        *d++ = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : '\\';
    }
    *d = '\0';
    *out = s;
    return true;
}

static bool take_int(const char *p, size_t n, int64_t *out)
{
    if (n == 0 || n > 20)
        return false;
    char tmp[24];
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    char *end;
    long long v = strtoll(tmp, &end, 10);
    if (*end != '\0')
        return false;
    *out = v;
    return true;
}

static bool parse_line(const char *line, size_t len, struct rollout_summary *s)
{
    const char *f[FIELDS];
    size_t flen[FIELDS];
    size_t k = 0;
    for (const char *p = line, *end = line + len; k < FIELDS; k++) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        const char *stop = tab ? tab : end;
        f[k] = p;
        flen[k] = (size_t)(stop - p);
        if (!tab) {
            k++;
            break;
        }
        p = tab + 1;
    }
    if (k != FIELDS || memchr(f[FIELDS - 1], '\t', flen[FIELDS - 1]))
        return false;
    memset(s, 0, sizeof *s);
    char **strs[] = {&s->cwd,           &s->cli_version,  &s->model_provider, &s->originator,
                     &s->source,        &s->forked_from_id, &s->thread_source, &s->history_mode,
                     &s->git_sha,       &s->git_branch,   &s->git_origin_url, &s->model,
                     &s->effort,        &s->preview};
    bool ok = take_string(f[0], flen[0], &s->path) && s->path &&
              take_int(f[1], flen[1], &s->size) && take_int(f[2], flen[2], &s->mtime_ns) &&
              take_string(f[3], flen[3], &s->id) && s->id &&
              take_int(f[4], flen[4], &s->created_at) && take_int(f[5], flen[5], &s->updated_at);
    for (size_t i = 0; ok && i < sizeof strs / sizeof *strs; i++)
        ok = take_string(f[6 + i], flen[6 + i], strs[i]);
    if (ok && !s->preview)
        s->preview = xstrdup("");
    if (!ok)
        rollout_summary_free(s);
    return ok;
}

bool index_file_parse(const char *text, size_t len,
                      void (*add)(void *ud, struct rollout_summary *s), void *ud)
{
    size_t hlen = strlen(HEADER);
    if (len < hlen || memcmp(text, HEADER, hlen) != 0)
        return false;
    for (const char *p = text + hlen, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a torn last line */
        struct rollout_summary s;
        if (parse_line(p, (size_t)(nl - p), &s))
            add(ud, &s);
        p = nl + 1;
    }
    return true;
}

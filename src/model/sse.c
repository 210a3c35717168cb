#include "model/sse.h"

#include <string.h>

void sse_init(struct sse_parser *p, size_t max_event_bytes, sse_event_fn fn, void *ud)
{
    memset(p, 0, sizeof *p);
    p->max_event_bytes = max_event_bytes;
    p->on_event = fn;
    p->ud = ud;
}

void sse_reset(struct sse_parser *p)
{
    buf_truncate(&p->line, 0);
    buf_truncate(&p->event, 0);
    buf_truncate(&p->data, 0);
    p->has_data = false;
    p->after_cr = false;
    p->stopped = 0;
}

void sse_free(struct sse_parser *p)
{
    buf_free(&p->line);
    buf_free(&p->event);
    buf_free(&p->data);
}

static int dispatch(struct sse_parser *p)
{
    int r = 0;
    if (p->has_data)
        r = p->on_event(p->ud, buf_cstr(&p->event), buf_cstr(&p->data), p->data.len);
    buf_truncate(&p->event, 0);
    buf_truncate(&p->data, 0);
    p->has_data = false;
    return r;
}

/* One complete line, without its terminator. */
static int process_line(struct sse_parser *p, const char *s, size_t n)
{
    if (n == 0)
        return dispatch(p);
    if (s[0] == ':')
        return 0; /* comment / keep-alive */
    const char *colon = memchr(s, ':', n);
    size_t name_len = colon ? (size_t)(colon - s) : n;
    const char *value = colon ? colon + 1 : s + n;
    size_t value_len = colon ? n - name_len - 1 : 0;
    if (value_len && value[0] == ' ')
        value++, value_len--;
    if (name_len == 4 && memcmp(s, "data", 4) == 0) {
        if (p->has_data)
            buf_putc(&p->data, '\n');
        buf_append(&p->data, value, value_len);
        p->has_data = true;
        if (p->data.len > p->max_event_bytes)
            return SSE_TOO_LARGE;
    } else if (name_len == 5 && memcmp(s, "event", 5) == 0) {
        buf_truncate(&p->event, 0);
        buf_append(&p->event, value, value_len);
    }
    /* id and retry carry nothing the client needs; unknown fields are ignored. */
    return 0;
}

int sse_feed(struct sse_parser *p, const char *bytes, size_t n)
{
    if (p->stopped)
        return p->stopped;
    size_t i = 0;
    while (i < n) {
        if (p->after_cr) {
            p->after_cr = false;
            if (bytes[i] == '\n') {
                i++;
                continue;
            }
        }
        const char *start = bytes + i;
        size_t left = n - i;
        const char *nl = memchr(start, '\n', left);
        const char *cr = memchr(start, '\r', nl ? (size_t)(nl - start) : left);
        const char *end = cr ? cr : nl;
        if (!end) {
            if (p->line.len + left > p->max_event_bytes)
                return p->stopped = SSE_TOO_LARGE;
            buf_append(&p->line, start, left);
            break;
        }
        size_t seg = (size_t)(end - start);
        int r;
        if (p->line.len) {
            if (p->line.len + seg > p->max_event_bytes)
                return p->stopped = SSE_TOO_LARGE;
            buf_append(&p->line, start, seg);
            r = process_line(p, p->line.data, p->line.len);
            buf_truncate(&p->line, 0);
        } else {
            r = process_line(p, start, seg);
        }
        if (r)
            return p->stopped = r;
        i += seg + 1;
        if (*end == '\r')
            p->after_cr = true;
    }
    return SSE_OK;
}

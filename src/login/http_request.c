#include "login/http_request.h"

#include <string.h>
#include <stdlib.h>

#include "util/xalloc.h"

static const char *find_end(const char *data, size_t len, size_t *end)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n')
            continue;
        if (i + 1 < len && data[i + 1] == '\n') {
            *end = i + 2;
            return data + i;
        }
        if (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n') {
            *end = i + 3;
            return data + i;
        }
    }
    return NULL;
}

int http_request_head_parse(const char *data, size_t len, struct http_request_head *out,
                            size_t *head_len)
{
    memset(out, 0, sizeof *out);
    size_t end;
    if (!find_end(data, len, &end))
        return len >= HTTP_REQUEST_MAX_HEAD ? -1 : 0;
    if (end > HTTP_REQUEST_MAX_HEAD)
        return -1;
    const char *eol = memchr(data, '\n', end);
    size_t line = (size_t)(eol - data);
    if (line && data[line - 1] == '\r')
        line--;
    const char *sp1 = memchr(data, ' ', line);
    if (!sp1 || sp1 == data || (size_t)(sp1 - data) >= sizeof out->method)
        return -1;
    const char *t = sp1 + 1;
    const char *sp2 = memchr(t, ' ', line - (size_t)(t - data));
    if (!sp2 || sp2 == t || *t != '/')
        return -1;
    const char *ver = sp2 + 1;
    size_t vlen = line - (size_t)(ver - data);
    if (vlen != 8 || memcmp(ver, "HTTP/1.", 7) != 0 || (ver[7] != '0' && ver[7] != '1'))
        return -1;
    for (const char *p = data; p < sp1; p++)
        if (*p < 'A' || *p > 'Z')
            return -1;
    for (const char *p = t; p < sp2; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return -1;
    memcpy(out->method, data, (size_t)(sp1 - data));
    out->target = xstrndup(t, (size_t)(sp2 - t));
    *head_len = end;
    return 1;
}

void http_request_head_free(struct http_request_head *h)
{
    free(h->target);
    h->target = NULL;
}

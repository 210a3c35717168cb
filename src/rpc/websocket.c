#include "rpc/websocket.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/base64.h"
#include "util/sha1.h"
#include "util/xalloc.h"

static const char *find_head_end(const char *data, size_t len)
{
    for (size_t i = 0; i + 3 < len; i++)
        if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
            return data + i;
    return NULL;
}

static char *trimmed_copy(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return xstrndup(s, n);
}

int ws_parse_http_request(const char *data, size_t len, struct ws_http_request *out, size_t *used,
                          const char **why)
{
    memset(out, 0, sizeof *out);
    const char *end = find_head_end(data, len);
    if (!end) {
        if (len > WS_MAX_HTTP_HEADER) {
            *why = "request head too large";
            return -1;
        }
        return 0;
    }
    if (memchr(data, '\0', (size_t)(end - data))) {
        *why = "NUL byte in request head";
        return -1;
    }
    const char *line = data;
    const char *eol = strstr(line, "\r\n");
    const char *sp1 = memchr(line, ' ', (size_t)(eol - line));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || strncmp(sp2 + 1, "HTTP/1.1", 8) != 0) {
        *why = "malformed request line";
        return -1;
    }
    out->method = xstrndup(line, (size_t)(sp1 - line));
    out->target = xstrndup(sp1 + 1, (size_t)(sp2 - sp1 - 1));
    for (line = eol + 2; line < end; line = eol + 2) {
        eol = strstr(line, "\r\n");
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (!colon) {
            ws_http_request_free(out);
            *why = "malformed header line";
            return -1;
        }
        size_t name_len = (size_t)(colon - line);
        static const struct {
            const char *name;
            size_t offset;
        } wanted[] = {
            {"upgrade", offsetof(struct ws_http_request, upgrade)},
            {"connection", offsetof(struct ws_http_request, connection)},
            {"sec-websocket-key", offsetof(struct ws_http_request, key)},
            {"sec-websocket-version", offsetof(struct ws_http_request, version)},
            {"authorization", offsetof(struct ws_http_request, authorization)},
            {"origin", offsetof(struct ws_http_request, origin)},
        };
        for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
            if (strlen(wanted[i].name) == name_len && strncasecmp(line, wanted[i].name, name_len) == 0) {
                char **slot = (char **)((char *)out + wanted[i].offset);
                if (*slot) { /* a repeated header we rely on is ambiguous */
                    ws_http_request_free(out);
                    *why = "repeated header";
                    return -1;
                }
                *slot = trimmed_copy(colon + 1, (size_t)(eol - colon - 1));
            }
        }
    }
    *used = (size_t)(end - data) + 4;
    return 1;
}

void ws_http_request_free(struct ws_http_request *r)
{
    free(r->method);
    free(r->target);
    free(r->upgrade);
    free(r->connection);
    free(r->key);
    free(r->version);
    free(r->authorization);
    free(r->origin);
    memset(r, 0, sizeof *r);
}

bool ws_header_has_token(const char *value, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = value; p && *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        const char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        if ((size_t)(last - p) == n && strncasecmp(p, token, n) == 0)
            return true;
        p = end;
    }
    return false;
}

void ws_accept_key(const char *client_key, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    size_t kn = strlen(client_key);
    char *joined = xmalloc(kn + sizeof guid);
    memcpy(joined, client_key, kn);
    memcpy(joined + kn, guid, sizeof guid);
    unsigned char digest[20];
    sha1_digest(joined, kn + sizeof guid - 1, digest);
    free(joined);
    char *b64 = base64_encode(digest, sizeof digest);
    memcpy(out, b64, 29);
    free(b64);
}

long ws_decode_frame(unsigned char *buf, size_t len, size_t max_payload, struct ws_frame *f,
                     const char **why)
{
    if (len < 2)
        return WS_DECODE_NEED_MORE;
    bool fin = buf[0] & 0x80;
    int opcode = buf[0] & 0x0F;
    if (buf[0] & 0x70) {
        *why = "reserved bits set (no extension was negotiated)";
        return WS_DECODE_ERROR;
    }
    if (!(buf[1] & 0x80)) {
        *why = "client frame is not masked";
        return WS_DECODE_ERROR;
    }
    bool control = opcode & 0x8;
    if ((opcode > WS_OP_BINARY && !control) || opcode > WS_OP_PONG) {
        *why = "unknown opcode";
        return WS_DECODE_ERROR;
    }
    uint64_t plen = buf[1] & 0x7F;
    size_t pos = 2;
    if (plen == 126) {
        if (len < 4)
            return WS_DECODE_NEED_MORE;
        plen = (uint64_t)buf[2] << 8 | buf[3];
        pos = 4;
    } else if (plen == 127) {
        if (len < 10)
            return WS_DECODE_NEED_MORE;
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | buf[2 + i];
        pos = 10;
        if (plen >> 63) {
            *why = "payload length has the high bit set";
            return WS_DECODE_ERROR;
        }
    }
    if (control && (plen > 125 || !fin)) {
        *why = "control frame too long or fragmented";
        return WS_DECODE_ERROR;
    }
    if (plen > max_payload)
        return WS_DECODE_TOO_BIG;
    if (len - pos < 4 || len - pos - 4 < plen)
        return WS_DECODE_NEED_MORE;
    const unsigned char *mask = buf + pos;
    unsigned char *payload = buf + pos + 4;
    for (uint64_t i = 0; i < plen; i++)
        payload[i] ^= mask[i & 3];
    f->fin = fin;
    f->opcode = opcode;
    f->payload = payload;
    f->len = (size_t)plen;
    return (long)(pos + 4 + plen);
}

size_t ws_frame_header(unsigned char out[10], int opcode, size_t payload_len)
{
    out[0] = (unsigned char)(0x80 | opcode);
    if (payload_len < 126) {
        out[1] = (unsigned char)payload_len;
        return 2;
    }
    if (payload_len <= 0xFFFF) {
        out[1] = 126;
        out[2] = (unsigned char)(payload_len >> 8);
        out[3] = (unsigned char)payload_len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (unsigned char)((uint64_t)payload_len >> (56 - 8 * i));
    return 10;
}

#include "tui/ws_frame.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rpc/websocket.h"

void wsc_request(struct buf *out, const char *host, const char *path, const char *key,
                 const char *bearer)
{
    buf_printf(out,
               "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n",
               path && *path ? path : "/", host, key);
    if (bearer)
        buf_printf(out, "Authorization: Bearer %s\r\n", bearer);
    buf_puts(out, "\r\n");
}

/* The value of header `name` in the head (without the status line), or
 * NULL; writes at most outlen-1 bytes. */
static bool header_value(const char *head, size_t len, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *p = memchr(head, '\n', len);
    while (p && (size_t)(p - head) < len) {
        p++;
        size_t rest = len - (size_t)(p - head);
        const char *eol = memchr(p, '\n', rest);
        size_t ll = eol ? (size_t)(eol - p) : rest;
        if (ll > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            size_t vl = ll - nlen - 1;
            while (vl && (*v == ' ' || *v == '\t'))
                v++, vl--;
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
                vl--;
            if (vl >= outlen)
                vl = outlen - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
        p = eol;
    }
    return false;
}

int wsc_check_response(const char *data, size_t len, const char *key, size_t *used,
                       char *why, size_t whylen)
{
    const char *end = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (memcmp(data + i, "\r\n\r\n", 4) == 0) {
            end = data + i + 4;
            break;
        }
    if (!end) {
        if (len > 16384) {
            snprintf(why, whylen, "the server's answer to the upgrade is too long");
            return -1;
        }
        return 0;
    }
    size_t hl = (size_t)(end - data);
    const char *eol = memchr(data, '\r', hl);
    int status_len = eol ? (int)(eol - data) : 0;
    int code = 0;
    if (sscanf(data, "HTTP/1.%*d %d", &code) != 1 || code != 101) {
        snprintf(why, whylen, "the server refused the WebSocket upgrade: %.*s", status_len, data);
        return -1;
    }
    char accept[64], want[29];
    ws_accept_key(key, want);
    if (!header_value(data, hl, "Sec-WebSocket-Accept", accept, sizeof accept) ||
        strcmp(accept, want) != 0) {
        snprintf(why, whylen, "the server's Sec-WebSocket-Accept does not match our key");
        return -1;
    }
    *used = hl;
    return 1;
}

void wsc_encode(struct buf *out, int opcode, const void *payload, size_t len,
                const unsigned char mask[4])
{
    unsigned char head[14];
    size_t n = ws_frame_header(head, opcode, len);
    head[1] |= 0x80;
    memcpy(head + n, mask, 4);
    buf_append(out, head, n + 4);
    size_t at = out->len;
    buf_append(out, payload, len);
    unsigned char *p = (unsigned char *)out->data + at;
    for (size_t i = 0; i < len; i++)
        p[i] ^= mask[i & 3];
}

long wsc_decode(const unsigned char *buf, size_t len, size_t max_payload, struct wsc_frame *f,
                const char **why)
{
    if (len < 2)
        return 0;
    int opcode = buf[0] & 0x0F;
    if (buf[0] & 0x70) {
        *why = "reserved bits set";
        return -1;
    }
    if (buf[1] & 0x80) {
        *why = "server frame is masked";
        return -1;
    }
    bool control = opcode & 0x8;
    if ((opcode > 2 && !control) || opcode > 0xA) {
        *why = "unknown opcode";
        return -1;
    }
    uint64_t plen = buf[1] & 0x7F;
    size_t pos = 2;
    if (plen == 126) {
        if (len < 4)
            return 0;
        plen = (uint64_t)buf[2] << 8 | buf[3];
        pos = 4;
    } else if (plen == 127) {
        if (len < 10)
            return 0;
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | buf[2 + i];
        pos = 10;
        if (plen >> 63) {
            *why = "payload length has the high bit set";
            return -1;
        }
    }
    if (control && (plen > 125 || !(buf[0] & 0x80))) {
        *why = "control frame too long or fragmented";
        return -1;
    }
    if (plen > max_payload)
        return -2;
    if (len - pos < plen)
        return 0;
    f->fin = (buf[0] & 0x80) != 0;
    f->opcode = opcode;
    f->payload = buf + pos;
    f->len = (size_t)plen;
    return (long)(pos + plen);
}

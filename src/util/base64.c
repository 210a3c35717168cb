#include "util/base64.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/xalloc.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t n)
{
    const unsigned char *in = data;
    char *out = xmalloc((n + 2) / 3 * 4 + 1);
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

unsigned char *base64_decode(const char *text, size_t len, size_t *len_out, char *errbuf,
                             size_t errlen)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t pad = 0;
    while (pad < 2 && len - pad > 0 && s[len - pad - 1] == '=')
        pad++;
    size_t body = len - pad;
    for (size_t i = 0; i < body; i++) {
        if (sextet(s[i]) < 0) {
            snprintf(errbuf, errlen, "Invalid symbol %u, offset %zu.", s[i], i);
            return NULL;
        }
    }
    if (len % 4 != 0 || (body % 4 == 1)) {
        snprintf(errbuf, errlen, "Invalid input length.");
        return NULL;
    }
    unsigned char *out = xmalloc(body / 4 * 3 + 3 + 1);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < body; i++) {
        acc = acc << 6 | (uint32_t)sextet(s[i]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Leftover bits must be zero, or the text is not the canonical encoding
     * of any byte string. */
    if (acc != 0) {
        free(out);
        snprintf(errbuf, errlen, "Invalid last symbol %u, offset %zu.", s[body - 1], body - 1);
        return NULL;
    }
    out[o] = '\0';
    *len_out = o;
    return out;
}

char *base64url_encode(const void *data, size_t n)
{
    char *s = base64_encode(data, n);
    size_t w = 0;
    for (size_t i = 0; s[i] && s[i] != '='; i++)
        s[w++] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    s[w] = '\0';
    return s;
}

unsigned char *base64url_decode(const char *text, size_t len, size_t *len_out)
{
    while (len && text[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return NULL;
    char *std = xmalloc(len + 4);
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '+' || c == '/' || c == '=') {
            free(std);
            return NULL;
        }
        std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    size_t n = len;
    while (n % 4)
        std[n++] = '=';
    std[n] = '\0';
    char err[64];
    unsigned char *out = base64_decode(std, n, len_out, err, sizeof err);
    free(std);
    return out;
}

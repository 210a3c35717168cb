/* SOCKS5 message parsing and encoding. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "netproxy/socks5.h"

enum socks5_parse_result socks5_parse_greeting(const uint8_t *buf, size_t len, bool *no_auth, size_t *consumed)
{
    if (len < 2)
        return len >= 1 && buf[0] != 5 ? SOCKS5_MALFORMED : SOCKS5_INCOMPLETE;
    if (buf[0] != 5 || buf[1] == 0)
        return SOCKS5_MALFORMED;
    size_t n = buf[1];
    if (len < 2 + n)
        return SOCKS5_INCOMPLETE;
    *no_auth = false;
    for (size_t i = 0; i < n; i++)
        if (buf[2 + i] == 0)
            *no_auth = true;
    *consumed = 2 + n;
    return SOCKS5_PARSED;
}

/* ATYP, address and port at buf; *used is their length. */
static enum socks5_parse_result parse_addr(const uint8_t *buf, size_t len, struct socks5_addr *dst, size_t *used)
{
    if (len < 1)
        return SOCKS5_INCOMPLETE;
    size_t alen;
    switch (buf[0]) {
    case SOCKS5_IPV4:
        alen = 4;
        break;
    case SOCKS5_IPV6:
        alen = 16;
        break;
    case SOCKS5_DOMAIN:
        if (len < 2)
            return SOCKS5_INCOMPLETE;
        alen = 1 + (size_t)buf[1];
        if (buf[1] == 0)
            return SOCKS5_MALFORMED;
        break;
    default:
        return SOCKS5_MALFORMED;
    }
    if (len < 1 + alen + 2)
        return SOCKS5_INCOMPLETE;
    dst->atyp = (enum socks5_atyp)buf[0];
    if (buf[0] == SOCKS5_DOMAIN) {
        size_t n = buf[1];
        if (memchr(buf + 2, '\0', n))
            return SOCKS5_MALFORMED;
        memcpy(dst->host, buf + 2, n);
        dst->host[n] = '\0';
    } else if (!inet_ntop(buf[0] == SOCKS5_IPV4 ? AF_INET : AF_INET6, buf + 1, dst->host, sizeof dst->host)) {
        return SOCKS5_MALFORMED;
    }
    dst->port = (uint16_t)(buf[1 + alen] << 8 | buf[2 + alen]);
    *used = 1 + alen + 2;
    return SOCKS5_PARSED;
}

enum socks5_parse_result socks5_parse_request(const uint8_t *buf, size_t len, enum socks5_cmd *cmd,
                                              struct socks5_addr *dst, size_t *consumed)
{
    memset(dst, 0, sizeof *dst);
    if (len >= 1 && buf[0] != 5)
        return SOCKS5_MALFORMED;
    if (len >= 3 && buf[2] != 0)
        return SOCKS5_MALFORMED;
    if (len < 4)
        return SOCKS5_INCOMPLETE;
    if (buf[1] < SOCKS5_CONNECT || buf[1] > SOCKS5_UDP_ASSOCIATE)
        return SOCKS5_MALFORMED;
    size_t used;
    enum socks5_parse_result r = parse_addr(buf + 3, len - 3, dst, &used);
    if (r != SOCKS5_PARSED)
        return r;
    *cmd = (enum socks5_cmd)buf[1];
    *consumed = 3 + used;
    return SOCKS5_PARSED;
}

enum socks5_parse_result socks5_parse_udp(const uint8_t *buf, size_t len, struct socks5_addr *dst,
                                          size_t *payload_off)
{
    memset(dst, 0, sizeof *dst);
    if (len < 4 || buf[0] != 0 || buf[1] != 0 || buf[2] != 0)
        return SOCKS5_MALFORMED;
    size_t used;
    if (parse_addr(buf + 3, len - 3, dst, &used) != SOCKS5_PARSED)
        return SOCKS5_MALFORMED; /* a datagram is complete or nothing */
    *payload_off = 3 + used;
    return SOCKS5_PARSED;
}

static size_t put_addr(uint8_t *out, const uint8_t *addr, size_t addr_len, uint16_t port)
{
    size_t n = 0;
    if (addr_len == 16) {
        out[n++] = SOCKS5_IPV6;
        memcpy(out + n, addr, 16);
        n += 16;
    } else {
        out[n++] = SOCKS5_IPV4;
        if (addr && addr_len == 4)
            memcpy(out + n, addr, 4);
        else
            memset(out + n, 0, 4);
        n += 4;
    }
    out[n++] = (uint8_t)(port >> 8);
    out[n++] = (uint8_t)port;
    return n;
}

size_t socks5_reply(uint8_t *out, enum socks5_reply code, const uint8_t *addr, size_t addr_len, uint16_t port)
{
    out[0] = 5;
    out[1] = (uint8_t)code;
    out[2] = 0;
    return 3 + put_addr(out + 3, addr, addr_len, port);
}

size_t socks5_udp_header(uint8_t *out, const uint8_t *addr, size_t addr_len, uint16_t port)
{
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    return 3 + put_addr(out + 3, addr, addr_len, port);
}

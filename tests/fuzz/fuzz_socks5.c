/* libFuzzer harness for the SOCKS5 parsers: greeting, request and UDP
 * header.  Parsed addresses must be NUL-terminated and within the input;
 * what a reply encodes must parse back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netproxy/socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bool no_auth;
    size_t used;
    if (socks5_parse_greeting(data, size, &no_auth, &used) == SOCKS5_PARSED && (used > size || used < 3))
        abort();
    enum socks5_cmd cmd;
    struct socks5_addr a;
    if (socks5_parse_request(data, size, &cmd, &a, &used) == SOCKS5_PARSED) {
        if (used > size || strlen(a.host) >= sizeof a.host || (cmd < SOCKS5_CONNECT || cmd > SOCKS5_UDP_ASSOCIATE))
            abort();
    }
    size_t off;
    if (socks5_parse_udp(data, size, &a, &off) == SOCKS5_PARSED && (off > size || !memchr(a.host, '\0', sizeof a.host)))
        abort();
    /* Round trip: a UDP header we encode is one we read back. */
    if (size >= 6) {
        uint8_t hdr[32], addr[16];
        size_t alen = data[0] & 1 ? 16 : 4;
        memset(addr, 0, sizeof addr);
        memcpy(addr, data + 2, size - 2 < alen ? size - 2 : alen);
        uint16_t port = (uint16_t)(data[1] << 8 | data[0]);
        size_t n = socks5_udp_header(hdr, addr, alen, port);
        struct socks5_addr back;
        if (socks5_parse_udp(hdr, n, &back, &off) != SOCKS5_PARSED || off != n || back.port != port)
            abort();
    }
    return 0;
}

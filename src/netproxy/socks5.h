/* SOCKS5 (RFC 1928) messages: the client greeting, the request, the UDP
 * datagram header, and the replies the proxy sends.  Only the "no
 * authentication" method is offered; BIND is refused. */
#ifndef CODEX_NETPROXY_SOCKS5_H
#define CODEX_NETPROXY_SOCKS5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum socks5_cmd { SOCKS5_CONNECT = 1, SOCKS5_BIND = 2, SOCKS5_UDP_ASSOCIATE = 3 };
enum socks5_atyp { SOCKS5_IPV4 = 1, SOCKS5_DOMAIN = 3, SOCKS5_IPV6 = 4 };

/* Reply codes. */
enum socks5_reply {
    SOCKS5_OK = 0,
    SOCKS5_GENERAL_FAILURE = 1,
    SOCKS5_NOT_ALLOWED = 2,
    SOCKS5_NET_UNREACHABLE = 3,
    SOCKS5_HOST_UNREACHABLE = 4,
    SOCKS5_REFUSED = 5,
    SOCKS5_TTL_EXPIRED = 6,
    SOCKS5_CMD_UNSUPPORTED = 7,
    SOCKS5_ATYP_UNSUPPORTED = 8,
};

struct socks5_addr {
    enum socks5_atyp atyp;
    char host[256]; /* domain as sent, or the IP literal formatted */
    uint16_t port;
};

enum socks5_parse_result { SOCKS5_INCOMPLETE = 0, SOCKS5_PARSED = 1, SOCKS5_MALFORMED = -1 };

/* The greeting: *no_auth says whether method 0 was offered; *consumed is
 * its length. */
enum socks5_parse_result socks5_parse_greeting(const uint8_t *buf, size_t len, bool *no_auth, size_t *consumed);
/* The request after the greeting. */
enum socks5_parse_result socks5_parse_request(const uint8_t *buf, size_t len, enum socks5_cmd *cmd,
                                              struct socks5_addr *dst, size_t *consumed);
/* A UDP datagram: destination and where the payload starts.  Fragmented
 * datagrams (FRAG != 0) are malformed here: they are dropped. */
enum socks5_parse_result socks5_parse_udp(const uint8_t *buf, size_t len, struct socks5_addr *dst,
                                          size_t *payload_off);

/* Encode a reply with a bound address (IPv4 or IPv6 bytes, 4 or 16 long);
 * returns its length (at most 22). */
size_t socks5_reply(uint8_t *out, enum socks5_reply code, const uint8_t *addr, size_t addr_len, uint16_t port);
/* Encode the UDP header for a datagram from src (IP bytes); returns its length. */
size_t socks5_udp_header(uint8_t *out, const uint8_t *addr, size_t addr_len, uint16_t port);

#endif

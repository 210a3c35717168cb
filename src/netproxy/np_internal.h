/* Shared by the proxy server's source files; nothing outside netproxy/. */
#ifndef CODEX_NETPROXY_NP_INTERNAL_H
#define CODEX_NETPROXY_NP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "util/domain.h"
#include "netproxy/http_head.h"
#include "netproxy/policy.h"
#include "netproxy/server.h"
#include "netproxy/socks5.h"
#include "util/buf.h"

#define NP_MAX_HEAD (64 * 1024)  /* request head, CONNECT head, SOCKS request */
#define NP_BUF_SIZE (8 * 1024)   /* per direction of a relay */
#define NP_HEAD_TIMEOUT_MS 30000 /* a client must send its request head by then */
#define NP_CONNECT_TIMEOUT_MS 30000
#define NP_DRAIN_MS 2000         /* after a refusal, read what the client still sends */
#define NP_MAX_ADDRS 8
#define NP_BLOCKED_KEEP 64       /* /blocked on the admin endpoint */

struct np_conn;
struct np_mitm;
struct np_tls_ctx;

/* A question about an unlisted host, shared by every connection waiting
 * for the same host, port and protocol. */
struct np_question {
    uint64_t id;
    char *host;
    uint16_t port;
    enum netproxy_protocol protocol;
    uint64_t attachment;
    struct np_conn **waiters;
    size_t n_waiters;
    struct np_question *next;
};

struct np_listener {
    uv_tcp_t tcp;
    enum np_listener_kind kind;
    uint64_t attachment;
    struct np_server *srv;
    struct np_listener *next;
};

struct np_udp_assoc;

/* One UDP socket inside a command's namespace: SOCKS5 UDP ASSOCIATE
 * clients send their datagrams to it. */
struct np_udp_relay {
    uv_udp_t udp;
    uint64_t attachment;
    uint16_t port;
    struct np_server *srv;
    struct np_udp_relay *next;
};

struct np_blocked_entry {
    char host[256];
    char reason[32];
    char protocol[16];
    char method[24];
    uint16_t port;
    long long ts;
};

struct np_server {
    uv_loop_t *loop;
    struct netproxy_config cfg;
    struct np_policy policy;
    struct np_server_hooks hooks;
    struct np_listener *listeners;
    struct np_udp_relay *udp_relays;
    struct np_udp_assoc *assocs;
    struct np_conn *conns;
    struct np_question *questions;
    uint64_t next_question;
    uint64_t next_conn;
    char admin_addr[64], http_addr[64], socks_addr[64];
    /* decision log */
    uv_file log_fd;
    struct buf log_pending;
    struct buf log_inflight;
    uv_fs_t log_req;
    bool log_busy;
    /* limited mode */
    struct np_tls_ctx *tls;
    /* recent refusals */
    struct np_blocked_entry blocked[NP_BLOCKED_KEEP];
    size_t n_blocked, blocked_next;
    bool closing;
};

enum np_conn_state {
    NP_READ_HEAD,    /* HTTP head, SOCKS greeting/request, admin request */
    NP_WAIT_ANSWER,  /* an unlisted host: the session is asked */
    NP_RESOLVING,
    NP_CONNECTING,
    NP_UPSTREAM_HANDSHAKE, /* CONNECT through an upstream proxy */
    NP_RELAY,        /* bytes flow both ways */
    NP_DRAINING,     /* a refusal was sent; reading until the client closes */
    NP_CLOSING,
};

enum np_conn_kind { NP_CONN_HTTP, NP_CONN_SOCKS, NP_CONN_ADMIN };

struct np_resolve;

/* The connection's other end: a TCP connection, or a Unix socket named by
 * x-unix-socket.  Heap-allocated so that a failed attempt can close while
 * the next address is tried. */
struct np_upstream {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    bool is_pipe;
    struct np_conn *conn;
};

/* One direction of a relay: from reads on one stream to writes on the other. */
struct np_pipe {
    char *buf;
    int writing;   /* writes in flight toward the destination: reading the source waits */
    bool eof;      /* the source ended */
    bool shut;     /* the destination got its shutdown */
};

struct np_conn {
    struct np_server *srv;
    struct np_conn *prev, *next;
    uint64_t id;
    uint64_t attachment;
    enum np_conn_kind kind;
    enum np_conn_state state;
    uv_tcp_t client;
    struct np_upstream *up; /* the origin (or upstream proxy) side, NULL before connecting */
    uv_timer_t timer;
    int open_handles;
    bool closing;
    struct buf in; /* client bytes read but not consumed yet */
    /* the request */
    enum netproxy_protocol protocol;
    char host[256]; /* normalized */
    uint16_t port;
    char method[24];
    struct np_decision decision;
    struct ip_addr addrs[NP_MAX_ADDRS];
    size_t n_addrs, next_addr;
    struct np_resolve *resolve;
    struct np_question *question;
    uv_connect_t connect_req;
    /* HTTP forwarding */
    struct buf upstream_head;  /* what to send once connected */
    struct http_body_framer body;
    bool body_streaming;       /* plain HTTP: client bytes go through the framer */
    bool upgrade;              /* the request asked for a protocol upgrade */
    bool via_upstream_proxy;
    char *unix_socket;
    struct buf upstream_in;    /* upstream proxy's answer to CONNECT */
    /* SOCKS */
    int socks_step;            /* 0 greeting, 1 request */
    bool socks_udp;
    /* relay */
    struct np_pipe c2u, u2c;
    /* limited-mode HTTPS */
    struct np_mitm *mitm;
};

/* server.c */
struct np_conn *np_conn_new(struct np_server *s, enum np_conn_kind kind, uint64_t attachment);
void np_conn_close(struct np_conn *c);
/* Send a complete HTTP response and close after the client stops sending. */
void np_conn_reply(struct np_conn *c, const char *status_line, const char *content_type, const char *extra_headers,
                   const char *body, size_t body_len);
void np_conn_reply_text(struct np_conn *c, int status, const char *body);
/* After a final message: stop forwarding, shut the client's side, read and
 * discard until it closes (or a short timer runs out). */
void np_conn_begin_drain(struct np_conn *c);
/* (Re)start reading the client. */
void np_conn_read_client(struct np_conn *c);
/* The decision flow: decide (ask when needed), resolve, connect; then
 * np_conn_on_connected() of the connection's kind runs. */
void np_conn_start(struct np_conn *c);
/* Connect to the Unix socket in c->unix_socket (already allowed). */
void np_conn_connect_unix(struct np_conn *c);
void np_conn_refuse(struct np_conn *c, const char *reason, const char *source, const char *message);
void np_log_decision(struct np_server *s, const struct np_conn *c, const char *decision, const char *reason,
                     const char *source);
void np_log_bad(struct np_server *s, const struct np_conn *c, const char *what, const char *why);
void np_record_blocked(struct np_server *s, const struct np_conn *c, const char *reason);
/* Write data to a stream (copied); cb may be NULL. */
void np_write_copy(struct np_conn *c, uv_stream_t *to, const void *data, size_t len);
uv_stream_t *np_up_stream(struct np_conn *c);
void np_relay_start(struct np_conn *c);
const char *np_blocked_header(const char *reason);
const char *np_blocked_text(const char *reason);

/* http.c */
void np_http_on_read(struct np_conn *c);
void np_http_on_connected(struct np_conn *c);
void np_http_refuse(struct np_conn *c, const char *reason, const char *source, const char *message);
/* socks.c */
void np_socks_on_read(struct np_conn *c);
void np_socks_on_connected(struct np_conn *c);
void np_socks_refuse(struct np_conn *c, const char *reason);
void np_udp_relay_start(struct np_udp_relay *r);
void np_udp_assoc_close_for(struct np_server *s, struct np_conn *c);
void np_udp_close_all(struct np_server *s, uint64_t attachment, bool all);
/* admin.c */
void np_admin_on_read(struct np_conn *c);
/* resolve.c */
typedef void (*np_resolve_cb)(struct np_conn *c, int status, const struct ip_addr *addrs, size_t n);
void np_resolve_start(struct np_conn *c, np_resolve_cb cb);
void np_resolve_cancel(struct np_conn *c);
/* log.c */
int np_log_open(struct np_server *s, struct codex_error *err);
void np_log_line(struct np_server *s, const char *line);
void np_log_close(struct np_server *s);
/* mitm.c (limited mode) */
int np_tls_init(struct np_server *s, struct codex_error *err);
void np_tls_free(struct np_server *s);
const char *np_tls_ca_cert(const struct np_server *s);
const char *np_tls_ca_bundle(const struct np_server *s);
void np_mitm_start(struct np_conn *c);
void np_mitm_on_client_data(struct np_conn *c, const char *data, size_t len);
void np_mitm_on_upstream_data(struct np_conn *c, const char *data, size_t len);
void np_mitm_on_eof(struct np_conn *c, bool from_client);
void np_mitm_free(struct np_conn *c);

#endif

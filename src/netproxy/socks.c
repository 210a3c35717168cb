/* SOCKS5: CONNECT tunnels, and UDP ASSOCIATE when enable_socks5_udp.
 *
 * A UDP association's datagrams arrive on one UDP socket per command
 * namespace (handed over with the listeners) and leave from a socket of
 * the proxy's own; each datagram's destination is decided like a
 * connection, and only peers the client wrote to may answer.  An unlisted
 * destination is refused rather than asked about: a datagram cannot wait
 * for a person. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netproxy/np_internal.h"
#include "util/xalloc.h"

#define UDP_MAX_PEERS 32
#define UDP_MAX_DATAGRAM 65535

struct np_udp_assoc {
    struct np_conn *conn;        /* the TCP connection that asked; the association lives with it */
    struct np_udp_relay *relay;  /* where the client sends from and gets answers */
    struct sockaddr_storage client;
    bool client_known;
    uv_udp_t out;                /* toward destinations, in the proxy's namespace */
    bool out_open;
    struct sockaddr_storage peers[UDP_MAX_PEERS];
    size_t n_peers, next_peer;
    struct np_udp_assoc *next;
};

static void socks_send_and_close(struct np_conn *c, const uint8_t *msg, size_t len)
{
    np_write_copy(c, (uv_stream_t *)&c->client, msg, len);
    if (!c->closing)
        np_conn_begin_drain(c);
}

void np_socks_refuse(struct np_conn *c, const char *reason)
{
    enum socks5_reply code = SOCKS5_NOT_ALLOWED;
    if (strcmp(reason, "refused") == 0)
        code = SOCKS5_REFUSED;
    else if (strcmp(reason, "unreachable") == 0)
        code = SOCKS5_HOST_UNREACHABLE;
    else if (strcmp(reason, "unsupported") == 0)
        code = SOCKS5_CMD_UNSUPPORTED;
    else if (strcmp(reason, "failure") == 0)
        code = SOCKS5_GENERAL_FAILURE;
    uint8_t msg[32];
    size_t n = socks5_reply(msg, code, NULL, 0, 0);
    socks_send_and_close(c, msg, n);
}

static void bad(struct np_conn *c, const char *why)
{
    np_log_bad(c->srv, c, "socks5", why);
    np_socks_refuse(c, "failure");
}

static struct np_udp_relay *relay_for(struct np_server *s, uint64_t attachment);
static void assoc_new(struct np_conn *c, struct np_udp_relay *r, const struct socks5_addr *hint);

void np_socks_on_read(struct np_conn *c)
{
    const uint8_t *buf = (const uint8_t *)c->in.data;
    size_t consumed = 0;
    if (c->socks_step == 0) {
        bool no_auth = false;
        enum socks5_parse_result r = socks5_parse_greeting(buf, c->in.len, &no_auth, &consumed);
        if (r == SOCKS5_INCOMPLETE)
            return;
        if (r == SOCKS5_MALFORMED) {
            np_log_bad(c->srv, c, "socks5", "malformed greeting");
            np_conn_close(c);
            return;
        }
        if (!no_auth) {
            static const uint8_t none[2] = {5, 0xff};
            np_log_bad(c->srv, c, "socks5", "no acceptable authentication method");
            socks_send_and_close(c, none, 2);
            return;
        }
        static const uint8_t ok[2] = {5, 0};
        np_write_copy(c, (uv_stream_t *)&c->client, ok, 2);
        if (c->closing)
            return;
        memmove(c->in.data, c->in.data + consumed, c->in.len - consumed);
        c->in.len -= consumed;
        c->socks_step = 1;
        buf = (const uint8_t *)c->in.data;
    }
    enum socks5_cmd cmd;
    struct socks5_addr dst;
    enum socks5_parse_result r = socks5_parse_request(buf, c->in.len, &cmd, &dst, &consumed);
    if (r == SOCKS5_INCOMPLETE) {
        if (c->in.len > 600)
            bad(c, "request too long");
        return;
    }
    if (r == SOCKS5_MALFORMED) {
        bad(c, "malformed request");
        return;
    }
    memmove(c->in.data, c->in.data + consumed, c->in.len - consumed);
    c->in.len -= consumed;
    snprintf(c->method, sizeof c->method, "%s",
             cmd == SOCKS5_CONNECT ? "CONNECT" : cmd == SOCKS5_BIND ? "BIND" : "UDP_ASSOCIATE");
    c->protocol = cmd == SOCKS5_UDP_ASSOCIATE ? NETPROXY_SOCKS5_UDP : NETPROXY_SOCKS5_TCP;
    if (cmd == SOCKS5_BIND) {
        np_log_bad(c->srv, c, "socks5", "BIND is not supported");
        np_socks_refuse(c, "unsupported");
        return;
    }
    if (c->srv->cfg.mode == NETPROXY_MODE_LIMITED) {
        /* SOCKS carries no method the proxy could check. */
        if (domain_normalize_host(dst.host, strlen(dst.host), c->host, sizeof c->host) != 0)
            snprintf(c->host, sizeof c->host, "%s", "invalid");
        c->port = dst.port;
        np_log_decision(c->srv, c, "deny", NETPROXY_REASON_METHOD_NOT_ALLOWED, "mode_guard");
        np_record_blocked(c->srv, c, NETPROXY_REASON_METHOD_NOT_ALLOWED);
        np_socks_refuse(c, NETPROXY_REASON_METHOD_NOT_ALLOWED);
        return;
    }
    if (cmd == SOCKS5_UDP_ASSOCIATE) {
        struct np_udp_relay *relay = c->srv->cfg.enable_socks5_udp ? relay_for(c->srv, c->attachment) : NULL;
        if (!relay) {
            np_log_bad(c->srv, c, "socks5", "UDP ASSOCIATE is not enabled (enable_socks5_udp)");
            np_socks_refuse(c, "unsupported");
            return;
        }
        assoc_new(c, relay, &dst);
        return;
    }
    if (domain_normalize_host(dst.host, strlen(dst.host), c->host, sizeof c->host) != 0) {
        bad(c, "invalid host");
        return;
    }
    c->port = dst.port;
    if (c->port == 0) {
        bad(c, "port 0");
        return;
    }
    np_conn_start(c);
}

void np_socks_on_connected(struct np_conn *c)
{
    uint8_t msg[32];
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    int len = sizeof ss;
    size_t n;
    if (!c->up->is_pipe && uv_tcp_getsockname(&c->up->h.tcp, (struct sockaddr *)&ss, &len) == 0 &&
        ss.ss_family == AF_INET6)
        n = socks5_reply(msg, SOCKS5_OK, (uint8_t *)&((struct sockaddr_in6 *)&ss)->sin6_addr, 16,
                         ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
    else if (ss.ss_family == AF_INET)
        n = socks5_reply(msg, SOCKS5_OK, (uint8_t *)&((struct sockaddr_in *)&ss)->sin_addr, 4,
                         ntohs(((struct sockaddr_in *)&ss)->sin_port));
    else
        n = socks5_reply(msg, SOCKS5_OK, NULL, 0, 0);
    np_write_copy(c, (uv_stream_t *)&c->client, msg, n);
    if (!c->closing)
        np_relay_start(c);
}

/* ---- UDP ---------------------------------------------------------------- */

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr *b)
{
    if (a->ss_family != b->sa_family)
        return false;
    if (b->sa_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

static void copy_addr(struct sockaddr_storage *to, const struct sockaddr *from)
{
    memset(to, 0, sizeof *to);
    memcpy(to, from, from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
}

static void on_udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    static char buf[UDP_MAX_DATAGRAM + 64]; /* one datagram at a time, handled before the next */
    *b = uv_buf_init(buf, sizeof buf);
}

struct udp_send {
    uv_udp_send_t req;
    char *data;
};

static void on_udp_sent(uv_udp_send_t *req, int status)
{
    struct udp_send *s = (struct udp_send *)req;
    free(s->data);
    free(s);
}

static void udp_send(uv_udp_t *h, const void *data, size_t len, const struct sockaddr *to)
{
    struct udp_send *s = xcalloc(1, sizeof *s);
    s->data = xmalloc(len ? len : 1);
    memcpy(s->data, data, len);
    uv_buf_t b = uv_buf_init(s->data, (unsigned)len);
    if (uv_udp_send(&s->req, h, &b, 1, to, on_udp_sent) != 0) {
        free(s->data);
        free(s);
    }
}

/* An answer from a destination: wrap it and pass it to the client. */
static void on_out_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *b, const struct sockaddr *from, unsigned flags)
{
    struct np_udp_assoc *a = h->data;
    if (n <= 0 || !from || !a->client_known)
        return;
    bool known = false;
    for (size_t i = 0; i < a->n_peers && !known; i++)
        known = same_addr(&a->peers[i], from);
    if (!known)
        return; /* only peers the client wrote to may answer */
    uint8_t hdr[32];
    size_t hl;
    if (from->sa_family == AF_INET6)
        hl = socks5_udp_header(hdr, (const uint8_t *)&((const struct sockaddr_in6 *)from)->sin6_addr, 16,
                               ntohs(((const struct sockaddr_in6 *)from)->sin6_port));
    else
        hl = socks5_udp_header(hdr, (const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr, 4,
                               ntohs(((const struct sockaddr_in *)from)->sin_port));
    char *pkt = xmalloc(hl + (size_t)n);
    memcpy(pkt, hdr, hl);
    memcpy(pkt + hl, b->base, (size_t)n);
    udp_send(&a->relay->udp, pkt, hl + (size_t)n, (const struct sockaddr *)&a->client);
    free(pkt);
}

struct udp_pending {
    uv_getaddrinfo_t req;
    struct np_server *srv;
    uint64_t conn_id;
    char host[256];
    uint16_t port;
    char *payload;
    size_t len;
};

static struct np_udp_assoc *assoc_by_conn_id(struct np_server *s, uint64_t id)
{
    for (struct np_udp_assoc *a = s->assocs; a; a = a->next)
        if (a->conn->id == id)
            return a;
    return NULL;
}

static void send_out(struct np_udp_assoc *a, const struct ip_addr *ip, uint16_t port, const char *payload, size_t len)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (ip->family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        memcpy(&in->sin_addr, ip->bytes, 4);
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        memcpy(&in6->sin6_addr, ip->bytes, 16);
    }
    bool known = false;
    for (size_t i = 0; i < a->n_peers && !known; i++)
        known = same_addr(&a->peers[i], (struct sockaddr *)&ss);
    if (!known) {
        copy_addr(&a->peers[a->next_peer], (struct sockaddr *)&ss);
        a->next_peer = (a->next_peer + 1) % UDP_MAX_PEERS;
        if (a->n_peers < UDP_MAX_PEERS)
            a->n_peers++;
    }
    udp_send(&a->out, payload, len, (struct sockaddr *)&ss);
}

static bool udp_address_ok(struct np_udp_assoc *a, const struct np_decision *d, const struct ip_addr *ip)
{
    if (np_policy_address_ok(&a->conn->srv->policy, d, ip))
        return true;
    struct np_conn *c = a->conn;
    np_log_decision(c->srv, c, "deny", NETPROXY_REASON_NOT_ALLOWED_LOCAL, "baseline_policy");
    np_record_blocked(c->srv, c, NETPROXY_REASON_NOT_ALLOWED_LOCAL);
    return false;
}

static void on_udp_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct udp_pending *p = req->data;
    struct np_udp_assoc *a = assoc_by_conn_id(p->srv, p->conn_id);
    if (a && status == 0 && res) {
        struct np_conn *c = a->conn;
        snprintf(c->host, sizeof c->host, "%s", p->host);
        c->port = p->port;
        struct np_decision d;
        np_policy_decide(&c->srv->policy, p->host, NETPROXY_SOCKS5_UDP, p->port, &d);
        struct ip_addr ip;
        memset(&ip, 0, sizeof ip);
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            if (ai->ai_family == AF_INET) {
                ip.family = AF_INET;
                memcpy(ip.bytes, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
            } else if (ai->ai_family == AF_INET6) {
                ip.family = AF_INET6;
                memcpy(ip.bytes, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
            } else {
                continue;
            }
            if (!udp_address_ok(a, &d, &ip)) {
                ip.family = 0;
                break;
            }
        }
        if (ip.family)
            send_out(a, &ip, p->port, p->payload, p->len);
    }
    uv_freeaddrinfo(res);
    free(p->payload);
    free(p);
}

/* A datagram from a client in a command's namespace. */
static void on_relay_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *b, const struct sockaddr *from, unsigned flags)
{
    struct np_udp_relay *r = h->data;
    if (n <= 0 || !from)
        return;
    struct np_udp_assoc *a = NULL;
    for (struct np_udp_assoc *x = r->srv->assocs; x; x = x->next) {
        if (x->relay != r)
            continue;
        if (x->client_known ? same_addr(&x->client, from) : true) {
            a = x;
            break;
        }
    }
    if (!a)
        return;
    if (!a->client_known) {
        copy_addr(&a->client, from);
        a->client_known = true;
    }
    struct socks5_addr dst;
    size_t off;
    if (socks5_parse_udp((const uint8_t *)b->base, (size_t)n, &dst, &off) != SOCKS5_PARSED) {
        np_log_bad(r->srv, a->conn, "socks5 udp", "malformed datagram");
        return;
    }
    struct np_conn *c = a->conn;
    char host[256];
    if (domain_normalize_host(dst.host, strlen(dst.host), host, sizeof host) != 0 || dst.port == 0) {
        np_log_bad(r->srv, c, "socks5 udp", "invalid destination");
        return;
    }
    snprintf(c->host, sizeof c->host, "%s", host);
    c->port = dst.port;
    struct np_decision d;
    np_policy_decide(&c->srv->policy, host, NETPROXY_SOCKS5_UDP, dst.port, &d);
    if (d.verdict != NP_ALLOW) {
        const char *reason = d.verdict == NP_ASK ? NETPROXY_REASON_NOT_ALLOWED : d.reason;
        np_log_decision(c->srv, c, "deny", reason, d.source);
        np_record_blocked(c->srv, c, reason);
        return;
    }
    np_log_decision(c->srv, c, "allow", NULL, d.source);
    const char *payload = b->base + off;
    size_t plen = (size_t)n - off;
    struct ip_addr ip;
    if (dst.atyp != SOCKS5_DOMAIN && ip_parse(dst.host, &ip)) {
        if (udp_address_ok(a, &d, &ip))
            send_out(a, &ip, dst.port, payload, plen);
        return;
    }
    /* The config's overrides answer first, as for connections. */
    const struct netproxy_config *cfg = &c->srv->cfg;
    size_t hl = strlen(host);
    for (size_t i = 0; i < cfg->hosts.n; i++) {
        const char *e = cfg->hosts.v[i], *eq = strchr(e, '=');
        if (eq && (size_t)(eq - e) == hl && strncmp(e, host, hl) == 0 && ip_parse(eq + 1, &ip)) {
            if (udp_address_ok(a, &d, &ip))
                send_out(a, &ip, dst.port, payload, plen);
            return;
        }
    }
    struct udp_pending *p = xcalloc(1, sizeof *p);
    p->srv = c->srv;
    p->conn_id = c->id;
    snprintf(p->host, sizeof p->host, "%s", host);
    p->port = dst.port;
    p->payload = xmalloc(plen ? plen : 1);
    memcpy(p->payload, payload, plen);
    p->len = plen;
    p->req.data = p;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_DGRAM;
    if (uv_getaddrinfo(c->srv->loop, &p->req, on_udp_resolved, host, NULL, &hints) != 0) {
        free(p->payload);
        free(p);
    }
}

void np_udp_relay_start(struct np_udp_relay *r)
{
    uv_udp_recv_start(&r->udp, on_udp_alloc, on_relay_recv);
}

static void on_relay_closed(uv_handle_t *h)
{
    free(h->data);
}

int np_server_adopt_udp(struct np_server *s, int fd, uint64_t attachment, struct codex_error *err)
{
    struct np_udp_relay *r = xcalloc(1, sizeof *r);
    r->srv = s;
    r->attachment = attachment;
    uv_udp_init(s->loop, &r->udp);
    r->udp.data = r;
    int rc = uv_udp_open(&r->udp, fd);
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (rc == 0)
        rc = uv_udp_getsockname(&r->udp, (struct sockaddr *)&ss, &len);
    if (rc != 0) {
        codex_error_set(err, "cannot use the command's UDP socket: %s", uv_strerror(rc));
        uv_close((uv_handle_t *)&r->udp, on_relay_closed);
        return -1;
    }
    r->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    r->next = s->udp_relays;
    s->udp_relays = r;
    np_udp_relay_start(r);
    return 0;
}

/* The relay for an attachment; the shared SOCKS listener gets one on
 * 127.0.0.1 of the proxy's own namespace, made on first use. */
static struct np_udp_relay *relay_for(struct np_server *s, uint64_t attachment)
{
    for (struct np_udp_relay *r = s->udp_relays; r; r = r->next)
        if (r->attachment == attachment)
            return r;
    if (attachment != 0)
        return NULL;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof in) != 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    struct codex_error err = CODEX_ERROR_INIT;
    if (np_server_adopt_udp(s, fd, 0, &err) != 0) {
        codex_error_clear(&err);
        return NULL;
    }
    return s->udp_relays;
}

static void assoc_new(struct np_conn *c, struct np_udp_relay *r, const struct socks5_addr *hint)
{
    struct np_udp_assoc *a = xcalloc(1, sizeof *a);
    a->conn = c;
    a->relay = r;
    uv_udp_init(c->srv->loop, &a->out);
    a->out.data = a;
    a->out_open = true;
    struct sockaddr_in any = {.sin_family = AF_INET};
    uv_udp_bind(&a->out, (struct sockaddr *)&any, 0);
    uv_udp_recv_start(&a->out, on_udp_alloc, on_out_recv);
    /* The client may name the address it will send from; 0.0.0.0:0 means
     * "the first datagram tells". */
    struct ip_addr ip;
    if (hint->port != 0 && ip_parse(hint->host, &ip)) {
        bool zero = true;
        for (int i = 0; i < (ip.family == AF_INET ? 4 : 16); i++)
            zero = zero && ip.bytes[i] == 0;
        if (!zero) {
            memset(&a->client, 0, sizeof a->client);
            if (ip.family == AF_INET) {
                struct sockaddr_in *in = (struct sockaddr_in *)&a->client;
                in->sin_family = AF_INET;
                in->sin_port = htons(hint->port);
                memcpy(&in->sin_addr, ip.bytes, 4);
            } else {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->client;
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons(hint->port);
                memcpy(&in6->sin6_addr, ip.bytes, 16);
            }
            a->client_known = true;
        }
    }
    a->next = c->srv->assocs;
    c->srv->assocs = a;
    c->socks_udp = true;
    snprintf(c->host, sizeof c->host, "udp-associate");
    np_log_decision(c->srv, c, "allow", NULL, "udp_associate");
    uint8_t msg[32];
    uint8_t lo[4] = {127, 0, 0, 1};
    size_t n = socks5_reply(msg, SOCKS5_OK, lo, 4, r->port);
    np_write_copy(c, (uv_stream_t *)&c->client, msg, n);
    if (c->closing)
        return;
    /* The TCP connection stays open for the association's life; its EOF
     * ends it. */
    c->state = NP_DRAINING;
    uv_timer_stop(&c->timer);
    np_conn_read_client(c);
}

static void on_out_closed(uv_handle_t *h)
{
    free(h->data);
}

void np_udp_assoc_close_for(struct np_server *s, struct np_conn *c)
{
    for (struct np_udp_assoc **pp = &s->assocs; *pp;) {
        struct np_udp_assoc *a = *pp;
        if (a->conn == c) {
            *pp = a->next;
            uv_close((uv_handle_t *)&a->out, on_out_closed);
        } else {
            pp = &a->next;
        }
    }
}

void np_udp_close_all(struct np_server *s, uint64_t attachment, bool all)
{
    for (struct np_udp_relay **pp = &s->udp_relays; *pp;) {
        struct np_udp_relay *r = *pp;
        if (all || (r->attachment == attachment && attachment != 0)) {
            *pp = r->next;
            uv_close((uv_handle_t *)&r->udp, on_relay_closed);
        } else {
            pp = &r->next;
        }
    }
}

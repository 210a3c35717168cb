/* Name resolution for the proxy: IP literals as they are, the config's
 * overrides ("hosts", given by whoever started the proxy, for tests), then
 * getaddrinfo on libuv's thread pool. */
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "netproxy/np_internal.h"
#include "util/xalloc.h"

struct np_resolve {
    uv_getaddrinfo_t req;
    struct np_conn *conn; /* NULL once the connection gave up on it */
    np_resolve_cb cb;
};

static void on_getaddrinfo(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct np_resolve *r = req->data;
    struct np_conn *c = r->conn;
    struct ip_addr addrs[NP_MAX_ADDRS];
    size_t n = 0;
    for (struct addrinfo *ai = res; ai && n < NP_MAX_ADDRS; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            addrs[n].family = AF_INET;
            memcpy(addrs[n].bytes, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
            n++;
        } else if (ai->ai_family == AF_INET6) {
            addrs[n].family = AF_INET6;
            memcpy(addrs[n].bytes, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
            n++;
        }
    }
    uv_freeaddrinfo(res);
    np_resolve_cb cb = r->cb;
    free(r);
    if (!c)
        return;
    c->resolve = NULL;
    cb(c, status, addrs, n);
}

static bool override(const struct netproxy_config *cfg, const char *host, struct ip_addr *out, size_t *n)
{
    size_t hl = strlen(host);
    *n = 0;
    for (size_t i = 0; i < cfg->hosts.n && *n < NP_MAX_ADDRS; i++) {
        const char *e = cfg->hosts.v[i];
        const char *eq = strchr(e, '=');
        if (eq && (size_t)(eq - e) == hl && strncasecmp(e, host, hl) == 0 && ip_parse(eq + 1, &out[*n]))
            (*n)++;
    }
    return *n > 0;
}

void np_resolve_start(struct np_conn *c, np_resolve_cb cb)
{
    const struct netproxy_config *cfg = &c->srv->cfg;
    char host[256];
    snprintf(host, sizeof host, "%s", c->host);
    if (c->via_upstream_proxy) {
        const char *s = strstr(cfg->upstream_proxy, "://");
        s = s ? s + 3 : cfg->upstream_proxy;
        struct http_target t;
        const char *why;
        if (http_parse_authority(s, strcspn(s, "/"), 80, &t, &why) == 0)
            snprintf(host, sizeof host, "%s", t.host);
    }
    struct ip_addr addrs[NP_MAX_ADDRS];
    size_t n = 0;
    char literal[64];
    size_t ln = strcspn(host, "%");
    if (ln < sizeof literal) {
        memcpy(literal, host, ln);
        literal[ln] = '\0';
        if (strlen(host) == ln && ip_parse(literal, &addrs[0])) {
            cb(c, 0, addrs, 1);
            return;
        }
    }
    if (override(cfg, host, addrs, &n)) {
        cb(c, 0, addrs, n);
        return;
    }
    struct np_resolve *r = xcalloc(1, sizeof *r);
    r->conn = c;
    r->cb = cb;
    r->req.data = r;
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    c->resolve = r;
    int rc = uv_getaddrinfo(c->srv->loop, &r->req, on_getaddrinfo, host, NULL, &hints);
    if (rc != 0) {
        c->resolve = NULL;
        free(r);
        cb(c, rc, NULL, 0);
    }
}

void np_resolve_cancel(struct np_conn *c)
{
    if (!c->resolve)
        return;
    c->resolve->conn = NULL;
    uv_cancel((uv_req_t *)&c->resolve->req);
    c->resolve = NULL;
}

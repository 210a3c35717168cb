/* The HTTP proxy: CONNECT tunnels and plain (absolute-form) requests.
 *
 * A plain request is forwarded with its hop-by-hop headers removed and
 * "Connection: close" added, so every request gets its own upstream
 * connection and a decision of its own; the origin's response is passed
 * back untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netproxy/np_internal.h"
#include "util/xalloc.h"

static bool method_allowed(const struct np_conn *c)
{
    if (c->srv->cfg.mode != NETPROXY_MODE_LIMITED)
        return true;
    return strcmp(c->method, "GET") == 0 || strcmp(c->method, "HEAD") == 0 || strcmp(c->method, "OPTIONS") == 0;
}

static void bad_request(struct np_conn *c, const char *why)
{
    np_log_bad(c->srv, c, "request", why);
    np_conn_reply_text(c, 400, why);
}

static void json_string_into(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            buf_printf(b, "\\%c", ch);
        else if (ch < 0x20)
            buf_printf(b, "\\u%04x", ch);
        else
            buf_putc(b, (char)ch);
    }
    buf_putc(b, '"');
}

void np_http_refuse(struct np_conn *c, const char *reason, const char *source, const char *message)
{
    const char *text = message ? message : np_blocked_text(reason);
    char header[96];
    snprintf(header, sizeof header, "x-proxy-error: %s\r\n", np_blocked_header(reason));
    if (c->protocol == NETPROXY_HTTPS_CONNECT) {
        np_conn_reply(c, "403 Forbidden", "text/plain", header, text, strlen(text));
        return;
    }
    struct buf body = BUF_INIT;
    buf_puts(&body, "{\"status\":\"blocked\",\"host\":");
    json_string_into(&body, c->host);
    buf_puts(&body, ",\"reason\":");
    json_string_into(&body, reason);
    buf_puts(&body, ",\"decision\":\"deny\",\"source\":");
    json_string_into(&body, source ? source : "baseline_policy");
    buf_puts(&body, ",\"protocol\":");
    json_string_into(&body, netproxy_protocol_name(c->protocol));
    buf_printf(&body, ",\"port\":%u,\"message\":", (unsigned)c->port);
    json_string_into(&body, text);
    buf_putc(&body, '}');
    np_conn_reply(c, "403 Forbidden", "application/json", header, body.data, body.len);
    buf_free(&body);
}

static bool token_in_list(const char *list, size_t len, const char *token)
{
    size_t tl = strlen(token), i = 0;
    while (i < len) {
        while (i < len && (list[i] == ' ' || list[i] == '\t' || list[i] == ','))
            i++;
        size_t s = i;
        while (i < len && list[i] != ',')
            i++;
        size_t e = i;
        while (e > s && (list[e - 1] == ' ' || list[e - 1] == '\t'))
            e--;
        if (e - s == tl && strncasecmp(list + s, token, tl) == 0)
            return true;
    }
    return false;
}

static bool is_hop_by_hop(const struct http_request_head *h, const struct http_header *f)
{
    static const char *const names[] = {"connection", "proxy-connection", "keep-alive", "proxy-authorization",
                                        "proxy-authenticate", "te", "trailer", "upgrade", "host",
                                        "x-unix-socket", NULL};
    for (const char *const *n = names; *n; n++)
        if (strlen(*n) == f->name_len && strncasecmp(f->name, *n, f->name_len) == 0)
            return true;
    /* Headers the client listed in Connection are hop-by-hop too. */
    for (size_t i = 0; i < h->n_headers; i++) {
        const struct http_header *conn = &h->headers[i];
        if (conn->name_len != 10 || strncasecmp(conn->name, "connection", 10) != 0)
            continue;
        char name[128];
        if (f->name_len >= sizeof name)
            continue;
        memcpy(name, f->name, f->name_len);
        name[f->name_len] = '\0';
        if (token_in_list(conn->value, conn->value_len, name))
            return true;
    }
    return false;
}

static void authority_text(const struct np_conn *c, char *out, size_t len, bool with_default_port)
{
    bool v6 = strchr(c->host, ':') != NULL;
    if (!with_default_port && c->port == 80)
        snprintf(out, len, v6 ? "[%s]" : "%s", c->host);
    else
        snprintf(out, len, v6 ? "[%s]:%u" : "%s:%u", c->host, (unsigned)c->port);
}

static void build_upstream_head(struct np_conn *c, const struct http_request_head *h, const struct http_target *t)
{
    struct buf *out = &c->upstream_head;
    char authority[300];
    authority_text(c, authority, sizeof authority, false);
    const struct netproxy_config *cfg = &c->srv->cfg;
    bool via_proxy = !c->unix_socket && cfg->allow_upstream_proxy && cfg->upstream_proxy;
    buf_append(out, h->method, h->method_len);
    buf_putc(out, ' ');
    if (via_proxy)
        buf_printf(out, "http://%s", authority);
    buf_append(out, t->path, t->path_len);
    buf_puts(out, " HTTP/1.1\r\n");
    const struct http_header *host_hdr = http_find_header(h, "host");
    if (c->unix_socket && host_hdr) {
        buf_puts(out, "Host: ");
        buf_append(out, host_hdr->value, host_hdr->value_len);
        buf_puts(out, "\r\n");
    } else if (c->unix_socket) {
        buf_puts(out, "Host: localhost\r\n");
    } else {
        buf_printf(out, "Host: %s\r\n", authority);
    }
    for (size_t i = 0; i < h->n_headers; i++) {
        const struct http_header *f = &h->headers[i];
        if (is_hop_by_hop(h, f))
            continue;
        buf_append(out, f->name, f->name_len);
        buf_puts(out, ": ");
        buf_append(out, f->value, f->value_len);
        buf_puts(out, "\r\n");
    }
    const struct http_header *conn = http_find_header(h, "connection");
    const struct http_header *upgrade = http_find_header(h, "upgrade");
    if (upgrade && conn && token_in_list(conn->value, conn->value_len, "upgrade")) {
        c->upgrade = true;
        buf_puts(out, "Upgrade: ");
        buf_append(out, upgrade->value, upgrade->value_len);
        buf_puts(out, "\r\nConnection: Upgrade\r\n\r\n");
    } else {
        buf_puts(out, "Connection: close\r\n\r\n");
    }
}

static bool unix_socket_allowed(const struct np_conn *c, const char *path)
{
    const struct netproxy_config *cfg = &c->srv->cfg;
    if (cfg->allow_all_unix_sockets)
        return true;
    for (size_t i = 0; i < cfg->allow_unix_sockets.n; i++)
        if (strcmp(cfg->allow_unix_sockets.v[i], path) == 0)
            return true;
    return false;
}

static void consume_head(struct np_conn *c, size_t n)
{
    memmove(c->in.data, c->in.data + n, c->in.len - n);
    c->in.len -= n;
}

static void start_unix_socket(struct np_conn *c, const struct http_request_head *h, const struct http_header *u)
{
    char path[4096];
    snprintf(c->host, sizeof c->host, "unix-socket");
    c->protocol = NETPROXY_HTTP;
    if (u->value_len == 0 || u->value_len >= sizeof path || memchr(u->value, '\0', u->value_len) ||
        u->value[0] != '/') {
        bad_request(c, "invalid x-unix-socket header");
        return;
    }
    memcpy(path, u->value, u->value_len);
    path[u->value_len] = '\0';
    if (!method_allowed(c)) {
        np_conn_refuse(c, NETPROXY_REASON_METHOD_NOT_ALLOWED, "mode_guard", NULL);
        return;
    }
    if (!unix_socket_allowed(c, path)) {
        np_conn_refuse(c, NETPROXY_REASON_NOT_ALLOWED, "baseline_policy", NULL);
        return;
    }
    struct http_target t;
    memset(&t, 0, sizeof t);
    if (h->target_len == 0 || h->target[0] != '/') {
        /* An absolute target: keep only its path. */
        const char *why;
        if (http_parse_proxy_target(h, &t, &why) != 0) {
            bad_request(c, why);
            return;
        }
    } else {
        t.path = h->target;
        t.path_len = h->target_len;
    }
    c->unix_socket = xstrdup(path);
    build_upstream_head(c, h, &t);
    http_body_framer_init(&c->body, h);
    c->body_streaming = true;
    consume_head(c, h->head_len);
    c->decision.source = "baseline_policy";
    np_log_decision(c->srv, c, "allow", NULL, "unix_socket");
    /* np_conn_start would look the name up; a socket path has no name. */
    np_conn_connect_unix(c);
}

void np_http_on_read(struct np_conn *c)
{
    struct http_request_head h;
    const char *why = "";
    switch (http_parse_request_head(c->in.data, c->in.len, NP_MAX_HEAD, &h, &why)) {
    case HTTP_PARSE_INCOMPLETE:
        return;
    case HTTP_PARSE_TOO_LARGE:
        bad_request(c, "request head too large");
        return;
    case HTTP_PARSE_BAD:
        bad_request(c, why);
        return;
    case HTTP_PARSE_OK:
        break;
    }
    if (h.method_len >= sizeof c->method) {
        bad_request(c, "unknown method");
        return;
    }
    memcpy(c->method, h.method, h.method_len);
    c->method[h.method_len] = '\0';
    struct http_target t;
    if (http_method_is(&h, "CONNECT")) {
        c->protocol = NETPROXY_HTTPS_CONNECT;
        if (http_parse_authority(h.target, h.target_len, 0, &t, &why) != 0) {
            bad_request(c, why);
            return;
        }
        if (domain_normalize_host(t.host, strlen(t.host), c->host, sizeof c->host) != 0) {
            bad_request(c, "invalid host");
            return;
        }
        c->port = t.port;
        consume_head(c, h.head_len);
        np_conn_start(c);
        return;
    }
    const struct http_header *u = http_find_header(&h, "x-unix-socket");
    if (u) {
        start_unix_socket(c, &h, u);
        return;
    }
    c->protocol = NETPROXY_HTTP;
    if (http_parse_proxy_target(&h, &t, &why) != 0) {
        bad_request(c, why);
        return;
    }
    if (domain_normalize_host(t.host, strlen(t.host), c->host, sizeof c->host) != 0) {
        bad_request(c, "invalid host");
        return;
    }
    c->port = t.port;
    build_upstream_head(c, &h, &t);
    http_body_framer_init(&c->body, &h);
    c->body_streaming = true;
    consume_head(c, h.head_len);
    if (!method_allowed(c)) {
        /* Limited mode: the host decides first, as the reference does, but
         * a request the method rule refuses anyway is not asked about. */
        struct np_decision d;
        np_policy_decide(&c->srv->policy, c->host, c->protocol, c->port, &d);
        if (d.verdict == NP_DENY)
            np_conn_refuse(c, d.reason, d.source, NULL);
        else
            np_conn_refuse(c, NETPROXY_REASON_METHOD_NOT_ALLOWED, "mode_guard", NULL);
        return;
    }
    np_conn_start(c);
}

void np_http_on_connected(struct np_conn *c)
{
    if (c->protocol == NETPROXY_HTTPS_CONNECT) {
        if (c->srv->cfg.mode == NETPROXY_MODE_LIMITED) {
            np_write_copy(c, (uv_stream_t *)&c->client, "HTTP/1.1 200 OK\r\n\r\n", 19);
            if (!c->closing)
                np_mitm_start(c);
            return;
        }
        np_write_copy(c, (uv_stream_t *)&c->client, "HTTP/1.1 200 OK\r\n\r\n", 19);
        if (!c->closing)
            np_relay_start(c);
        return;
    }
    np_write_copy(c, np_up_stream(c), c->upstream_head.data, c->upstream_head.len);
    buf_free(&c->upstream_head);
    if (!c->closing)
        np_relay_start(c);
}

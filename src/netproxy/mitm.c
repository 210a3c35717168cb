/* Limited mode over HTTPS: the proxy terminates the client's TLS with a
 * certificate for the CONNECT host, signed by a CA made when the proxy
 * starts, opens its own verified TLS connection to the origin, and reads
 * every request in between so that only GET, HEAD and OPTIONS pass.
 *
 * The CA's key exists only in this process's memory; its certificate is
 * written to $CODEX_HOME/proxy/ca-<sha256>.pem, and a bundle of the system
 * roots, codex's own SSL_CERT_FILE and the CA to ca-bundle-<sha256>.pem,
 * for the commands' environment.  Origins are verified against the system
 * roots plus codex's SSL_CERT_FILE. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netproxy/np_internal.h"
#include "netproxy/tls_dl.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define SYSTEM_ROOTS "/etc/ssl/certs/ca-certificates.crt"
#define LEAF_CACHE 64
#define STALE_CA_SECONDS (7 * 24 * 3600)

struct leaf {
    char *host;
    X509 *cert;
};

struct np_tls_ctx {
    const struct tls_api *api;
    EVP_PKEY *ca_key;
    X509 *ca;
    EVP_PKEY *leaf_key; /* one key for every leaf */
    SSL_CTX *server_ctx;
    SSL_CTX *client_ctx;
    struct leaf leaves[LEAF_CACHE];
    size_t next_leaf;
    char *ca_path;
    char *bundle_path;
};

enum inner_state { INNER_HEAD, INNER_BODY, INNER_TUNNEL, INNER_DONE };

struct np_mitm {
    SSL *srv; /* toward the client: we are the server */
    SSL *cli; /* toward the origin: we are the client */
    BIO *srv_in, *srv_out, *cli_in, *cli_out;
    bool cli_ready;
    bool bios_attached; /* SSL_free releases them from then on */
    struct buf plain; /* client plaintext not processed yet */
    enum inner_state inner;
    struct http_body_framer body;
};

static void tls_error(const struct tls_api *a, struct codex_error *err, const char *what)
{
    char buf[256] = "";
    unsigned long e = a->ERR_get_error();
    if (e)
        a->ERR_error_string_n(e, buf, sizeof buf);
    a->ERR_clear_error();
    codex_error_set(err, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

static int add_ext(const struct tls_api *a, X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    a->X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = a->X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return -1;
    int ok = a->X509_add_ext(cert, ext, -1);
    a->X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static void format_time(time_t t, char *out, size_t len)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%Y%m%d%H%M%SZ", &tm);
}

static X509 *make_cert(const struct tls_api *a, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                       const char *cn, const char *not_before, const char *not_after)
{
    X509 *x = a->X509_new();
    if (!x)
        return NULL;
    uint64_t serial = 0;
    a->RAND_bytes((unsigned char *)&serial, sizeof serial);
    serial >>= 1; /* positive */
    X509_NAME *name = a->X509_get_subject_name(x);
    bool ok = a->X509_set_version(x, 2) && a->ASN1_INTEGER_set_uint64(a->X509_get_serialNumber(x), serial | 1) &&
              a->ASN1_TIME_set_string_X509(a->X509_getm_notBefore(x), not_before) &&
              a->ASN1_TIME_set_string_X509(a->X509_getm_notAfter(x), not_after) && a->X509_set_pubkey(x, key) &&
              a->X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) &&
              a->X509_set_issuer_name(x, issuer ? a->X509_get_subject_name(issuer) : name);
    if (!ok) {
        a->X509_free(x);
        return NULL;
    }
    (void)issuer_key;
    return x;
}

static char *pem_of(const struct tls_api *a, X509 *x, size_t *len)
{
    BIO *b = a->BIO_new(a->BIO_s_mem());
    if (!b || !a->PEM_write_bio_X509(b, x)) {
        if (b)
            a->BIO_free(b);
        return NULL;
    }
    size_t n = (size_t)a->BIO_ctrl(b, BIO_CTRL_PENDING, 0, NULL);
    char *out = xmalloc(n + 1);
    int got = a->BIO_read(b, out, (int)n);
    a->BIO_free(b);
    if (got < 0 || (size_t)got != n) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *len = n;
    return out;
}

/* Files of earlier runs that nothing can still be using. */
static void remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "ca-", 3) != 0)
            continue;
        char *path = fs_join(dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && now - st.st_mtime > STALE_CA_SECONDS)
            unlink(path);
        free(path);
    }
    closedir(d);
}

static int write_ca_files(struct np_tls_ctx *t, const struct netproxy_config *cfg, struct codex_error *err)
{
    size_t pem_len;
    char *pem = pem_of(t->api, t->ca, &pem_len);
    if (!pem) {
        tls_error(t->api, err, "cannot encode the interception CA");
        return -1;
    }
    struct buf bundle = BUF_INIT;
    size_t n = 0;
    char *roots = fs_read_file(SYSTEM_ROOTS, 16u << 20, &n);
    if (roots) {
        buf_append(&bundle, roots, n);
        if (n && roots[n - 1] != '\n')
            buf_putc(&bundle, '\n');
        free(roots);
    }
    if (cfg->origin_ca_file) {
        char *extra = fs_read_file(cfg->origin_ca_file, 16u << 20, &n);
        if (extra) {
            buf_append(&bundle, extra, n);
            if (n && extra[n - 1] != '\n')
                buf_putc(&bundle, '\n');
            free(extra);
        }
    }
    buf_append(&bundle, pem, pem_len);
    char dir_hash[65], bundle_hash[65];
    sha256_hex(pem, pem_len, dir_hash);
    sha256_hex(bundle.data, bundle.len, bundle_hash);
    char *dir = fs_join(cfg->codex_home, "proxy");
    int rc = -1;
    if (fs_mkdir_p(dir, 0700) != 0) {
        codex_error_set_os(err, errno, "cannot create %s", dir);
        goto out;
    }
    remove_stale(dir);
    char *name = xasprintf("ca-%s.pem", dir_hash);
    t->ca_path = fs_join(dir, name);
    free(name);
    name = xasprintf("ca-bundle-%s.pem", bundle_hash);
    t->bundle_path = fs_join(dir, name);
    free(name);
    /* World-readable: commands running as other users must read it too. */
    if (fs_write_atomic(t->ca_path, pem, pem_len, 0644) != 0 ||
        fs_write_atomic(t->bundle_path, bundle.data, bundle.len, 0644) != 0) {
        codex_error_set_os(err, errno, "cannot write the interception CA under %s", dir);
        goto out;
    }
    rc = 0;
out:
    free(dir);
    free(pem);
    buf_free(&bundle);
    return rc;
}

int np_tls_init(struct np_server *s, struct codex_error *err)
{
    char why[300];
    const struct tls_api *a = tls_api_get(why, sizeof why);
    if (!a) {
        codex_error_set(err, "%s", why);
        return -1;
    }
    if (!s->cfg.codex_home) {
        codex_error_set(err, "limited mode needs CODEX_HOME for its CA certificate");
        return -1;
    }
    struct np_tls_ctx *t = xcalloc(1, sizeof *t);
    t->api = a;
    s->tls = t;
    t->ca_key = a->EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    t->leaf_key = a->EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!t->ca_key || !t->leaf_key) {
        tls_error(a, err, "cannot generate the interception keys");
        return -1;
    }
    t->ca = make_cert(a, t->ca_key, NULL, t->ca_key, "network_proxy MITM CA", "19750101000000Z",
                      "40960101000000Z");
    if (!t->ca || add_ext(a, t->ca, t->ca, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
        add_ext(a, t->ca, t->ca, NID_key_usage, "critical,keyCertSign,cRLSign") != 0 ||
        add_ext(a, t->ca, t->ca, NID_subject_key_identifier, "hash") != 0 ||
        !a->X509_sign(t->ca, t->ca_key, a->EVP_sha256())) {
        tls_error(a, err, "cannot make the interception CA");
        return -1;
    }
    if (write_ca_files(t, &s->cfg, err) != 0)
        return -1;
    t->server_ctx = a->SSL_CTX_new(a->TLS_server_method());
    t->client_ctx = a->SSL_CTX_new(a->TLS_client_method());
    if (!t->server_ctx || !t->client_ctx) {
        tls_error(a, err, "cannot create TLS contexts");
        return -1;
    }
    a->SSL_CTX_ctrl(t->server_ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    a->SSL_CTX_ctrl(t->client_ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    a->SSL_CTX_set_verify(t->client_ctx, SSL_VERIFY_PEER, NULL);
    if (!a->SSL_CTX_set_default_verify_paths(t->client_ctx)) {
        tls_error(a, err, "cannot load the system's trusted roots");
        return -1;
    }
    if (s->cfg.origin_ca_file &&
        !a->SSL_CTX_load_verify_locations(t->client_ctx, s->cfg.origin_ca_file, NULL)) {
        tls_error(a, err, "cannot load SSL_CERT_FILE");
        codex_error_locate(err, s->cfg.origin_ca_file);
        return -1;
    }
    return 0;
}

void np_tls_free(struct np_server *s)
{
    struct np_tls_ctx *t = s->tls;
    if (!t)
        return;
    const struct tls_api *a = t->api;
    for (size_t i = 0; i < LEAF_CACHE; i++) {
        free(t->leaves[i].host);
        if (t->leaves[i].cert)
            a->X509_free(t->leaves[i].cert);
    }
    if (t->server_ctx)
        a->SSL_CTX_free(t->server_ctx);
    if (t->client_ctx)
        a->SSL_CTX_free(t->client_ctx);
    if (t->ca)
        a->X509_free(t->ca);
    if (t->ca_key)
        a->EVP_PKEY_free(t->ca_key);
    if (t->leaf_key)
        a->EVP_PKEY_free(t->leaf_key);
    free(t->ca_path);
    free(t->bundle_path);
    free(t);
    s->tls = NULL;
}

const char *np_tls_ca_cert(const struct np_server *s)
{
    return s->tls->ca_path;
}

const char *np_tls_ca_bundle(const struct np_server *s)
{
    return s->tls->bundle_path;
}

static bool is_ip(const char *host)
{
    struct ip_addr ip;
    return ip_parse(host, &ip);
}

static X509 *leaf_for(struct np_tls_ctx *t, const char *host)
{
    const struct tls_api *a = t->api;
    for (size_t i = 0; i < LEAF_CACHE; i++)
        if (t->leaves[i].host && strcmp(t->leaves[i].host, host) == 0)
            return t->leaves[i].cert;
    char nb[32], na[32], cn[65], san[300];
    time_t now = time(NULL);
    format_time(now - 86400, nb, sizeof nb);
    format_time(now + 397 * 86400, na, sizeof na);
    snprintf(cn, sizeof cn, "%s", host);
    snprintf(san, sizeof san, "%s:%s", is_ip(host) ? "IP" : "DNS", host);
    X509 *x = make_cert(a, t->leaf_key, t->ca, t->ca_key, cn, nb, na);
    if (!x || add_ext(a, x, t->ca, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
        add_ext(a, x, t->ca, NID_key_usage, "critical,digitalSignature") != 0 ||
        add_ext(a, x, t->ca, NID_ext_key_usage, "serverAuth") != 0 ||
        add_ext(a, x, t->ca, NID_subject_alt_name, san) != 0 ||
        add_ext(a, x, t->ca, NID_authority_key_identifier, "keyid:always") != 0 ||
        !a->X509_sign(x, t->ca_key, a->EVP_sha256())) {
        if (x)
            a->X509_free(x);
        a->ERR_clear_error();
        return NULL;
    }
    struct leaf *slot = &t->leaves[t->next_leaf];
    t->next_leaf = (t->next_leaf + 1) % LEAF_CACHE;
    free(slot->host);
    if (slot->cert)
        a->X509_free(slot->cert);
    slot->host = xstrdup(host);
    slot->cert = x;
    return x;
}

/* ---- one intercepted connection ---------------------------------------- */

static void fail(struct np_conn *c, const char *why)
{
    np_log_bad(c->srv, c, "tls", why);
    c->srv->tls->api->ERR_clear_error();
    np_conn_close(c);
}

static void flush_bio(struct np_conn *c, BIO *b, bool to_client)
{
    const struct tls_api *a = c->srv->tls->api;
    char chunk[16384];
    int n;
    while ((n = a->BIO_read(b, chunk, sizeof chunk)) > 0) {
        np_write_copy(c, to_client ? (uv_stream_t *)&c->client : np_up_stream(c), chunk, (size_t)n);
        if (c->closing)
            return;
    }
}

static void send_plain(struct np_conn *c, bool to_client, const char *data, size_t len)
{
    struct np_mitm *m = c->mitm;
    const struct tls_api *a = c->srv->tls->api;
    SSL *ssl = to_client ? m->srv : m->cli;
    while (len > 0) {
        int n = a->SSL_write(ssl, data, len > 16384 ? 16384 : (int)len);
        if (n <= 0) {
            fail(c, "TLS write failed");
            return;
        }
        data += n;
        len -= (size_t)n;
    }
    flush_bio(c, to_client ? m->srv_out : m->cli_out, to_client);
}

/* A refusal inside the tunnel, then a clean TLS close. */
static void inner_reply(struct np_conn *c, const char *status, const char *header, const char *body)
{
    struct buf out = BUF_INIT;
    buf_printf(&out, "HTTP/1.1 %s\r\ncontent-type: text/plain\r\n%scontent-length: %zu\r\nconnection: close\r\n\r\n%s",
               status, header ? header : "", strlen(body), body);
    send_plain(c, true, out.data, out.len);
    buf_free(&out);
    if (c->closing)
        return;
    struct np_mitm *m = c->mitm;
    m->inner = INNER_DONE;
    c->srv->tls->api->SSL_shutdown(m->srv);
    flush_bio(c, m->srv_out, true);
    if (!c->closing)
        np_conn_begin_drain(c);
}

static bool limited_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

/* Work through the client's plaintext: request heads are checked, bodies
 * counted, everything allowed goes to the origin. */
static void process_plain(struct np_conn *c)
{
    struct np_mitm *m = c->mitm;
    while (m->plain.len > 0 && !c->closing && m->cli_ready) {
        if (m->inner == INNER_DONE) {
            m->plain.len = 0;
            return;
        }
        if (m->inner == INNER_TUNNEL) {
            send_plain(c, false, m->plain.data, m->plain.len);
            m->plain.len = 0;
            return;
        }
        size_t used;
        if (m->inner == INNER_BODY) {
            const char *why = "";
            long n = http_body_feed(&m->body, m->plain.data, m->plain.len, &why);
            if (n < 0) {
                np_log_bad(c->srv, c, "request body", why);
                inner_reply(c, "400 Bad Request", NULL, why);
                return;
            }
            send_plain(c, false, m->plain.data, (size_t)n);
            used = (size_t)n;
            if (m->body.done)
                m->inner = INNER_HEAD;
        } else {
            struct http_request_head h;
            const char *why = "";
            enum http_parse_result r = http_parse_request_head(m->plain.data, m->plain.len, NP_MAX_HEAD, &h, &why);
            if (r == HTTP_PARSE_INCOMPLETE)
                return;
            if (r != HTTP_PARSE_OK) {
                const char *what = r == HTTP_PARSE_TOO_LARGE ? "request head too large" : why;
                np_log_bad(c->srv, c, "request", what);
                inner_reply(c, "400 Bad Request", NULL, what);
                return;
            }
            snprintf(c->method, sizeof c->method, "%.*s", (int)h.method_len, h.method);
            if (!limited_method(c->method)) {
                np_log_decision(c->srv, c, "deny", NETPROXY_REASON_METHOD_NOT_ALLOWED, "mode_guard");
                np_record_blocked(c->srv, c, NETPROXY_REASON_METHOD_NOT_ALLOWED);
                inner_reply(c, "403 Forbidden", "x-proxy-error: blocked-by-method-policy\r\n",
                            np_blocked_text(NETPROXY_REASON_METHOD_NOT_ALLOWED));
                return;
            }
            np_log_decision(c->srv, c, "allow", NULL, "mode_guard");
            send_plain(c, false, m->plain.data, h.head_len);
            used = h.head_len;
            const struct http_header *up = http_find_header(&h, "upgrade");
            http_body_framer_init(&m->body, &h);
            if (up)
                m->inner = INNER_TUNNEL; /* after an upgrade, no more requests */
            else if (!m->body.done)
                m->inner = INNER_BODY;
        }
        memmove(m->plain.data, m->plain.data + used, m->plain.len - used);
        m->plain.len -= used;
    }
}

void np_mitm_start(struct np_conn *c)
{
    struct np_tls_ctx *t = c->srv->tls;
    const struct tls_api *a = t->api;
    X509 *leaf = leaf_for(t, c->host);
    struct np_mitm *m = xcalloc(1, sizeof *m);
    c->mitm = m;
    m->srv = a->SSL_new(t->server_ctx);
    m->cli = a->SSL_new(t->client_ctx);
    m->srv_in = a->BIO_new(a->BIO_s_mem());
    m->srv_out = a->BIO_new(a->BIO_s_mem());
    m->cli_in = a->BIO_new(a->BIO_s_mem());
    m->cli_out = a->BIO_new(a->BIO_s_mem());
    if (!leaf || !m->srv || !m->cli || !m->srv_in || !m->srv_out || !m->cli_in || !m->cli_out) {
        fail(c, "cannot set up interception");
        return;
    }
    a->SSL_set_bio(m->srv, m->srv_in, m->srv_out);
    a->SSL_set_bio(m->cli, m->cli_in, m->cli_out);
    m->bios_attached = true;
    a->SSL_use_certificate(m->srv, leaf);
    a->SSL_use_PrivateKey(m->srv, t->leaf_key);
    a->SSL_set_accept_state(m->srv);
    a->SSL_set_connect_state(m->cli);
    X509_VERIFY_PARAM *param = a->SSL_get0_param(m->cli);
    if (is_ip(c->host)) {
        a->X509_VERIFY_PARAM_set1_ip_asc(param, c->host);
    } else {
        a->SSL_ctrl(m->cli, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, c->host);
        a->X509_VERIFY_PARAM_set1_host(param, c->host, 0);
    }
    static const unsigned char alpn[] = "\x08http/1.1";
    a->SSL_set_alpn_protos(m->cli, alpn, sizeof alpn - 1);
    /* Start the origin's handshake now; the client's begins with its
     * ClientHello. */
    a->SSL_do_handshake(m->cli);
    flush_bio(c, m->cli_out, false);
    if (!c->closing)
        np_relay_start(c);
}

static void pause_if_backed_up(struct np_conn *c)
{
    if (c->closing)
        return;
    if (c->c2u.writing)
        uv_read_stop((uv_stream_t *)&c->client);
    if (c->u2c.writing && c->up)
        uv_read_stop(np_up_stream(c));
}

void np_mitm_on_client_data(struct np_conn *c, const char *data, size_t len)
{
    struct np_mitm *m = c->mitm;
    const struct tls_api *a = c->srv->tls->api;
    a->BIO_write(m->srv_in, data, (int)len);
    char chunk[16384];
    for (;;) {
        int n = a->SSL_read(m->srv, chunk, sizeof chunk);
        if (n > 0) {
            buf_append(&m->plain, chunk, (size_t)n);
            continue;
        }
        int e = a->SSL_get_error(m->srv, n);
        flush_bio(c, m->srv_out, true); /* handshake records */
        if (c->closing)
            return;
        if (e == SSL_ERROR_WANT_READ)
            break;
        if (e == SSL_ERROR_ZERO_RETURN) {
            np_mitm_on_eof(c, true);
            return;
        }
        fail(c, "client TLS handshake or record failed (does the client trust the proxy CA?)");
        return;
    }
    process_plain(c);
    pause_if_backed_up(c);
}

void np_mitm_on_upstream_data(struct np_conn *c, const char *data, size_t len)
{
    struct np_mitm *m = c->mitm;
    const struct tls_api *a = c->srv->tls->api;
    a->BIO_write(m->cli_in, data, (int)len);
    if (!m->cli_ready) {
        int r = a->SSL_do_handshake(m->cli);
        flush_bio(c, m->cli_out, false);
        if (c->closing)
            return;
        if (r != 1) {
            if (a->SSL_get_error(m->cli, r) == SSL_ERROR_WANT_READ)
                return;
            long v = a->SSL_get_verify_result(m->cli);
            char why[300];
            snprintf(why, sizeof why, "origin TLS handshake failed%s%s", v != X509_V_OK ? ": " : "",
                     v != X509_V_OK ? a->X509_verify_cert_error_string(v) : "");
            fail(c, why);
            return;
        }
        m->cli_ready = true;
        process_plain(c);
        if (c->closing)
            return;
    }
    char chunk[16384];
    for (;;) {
        int n = a->SSL_read(m->cli, chunk, sizeof chunk);
        if (n > 0) {
            send_plain(c, true, chunk, (size_t)n);
            if (c->closing)
                return;
            continue;
        }
        int e = a->SSL_get_error(m->cli, n);
        flush_bio(c, m->cli_out, false);
        if (c->closing)
            return;
        if (e == SSL_ERROR_WANT_READ)
            break;
        if (e == SSL_ERROR_ZERO_RETURN) {
            np_mitm_on_eof(c, false);
            return;
        }
        fail(c, "origin TLS record failed");
        return;
    }
    pause_if_backed_up(c);
}

void np_mitm_on_eof(struct np_conn *c, bool from_client)
{
    struct np_mitm *m = c->mitm;
    const struct tls_api *a = c->srv->tls->api;
    if (from_client) {
        /* The client is done: tell the origin and finish. */
        if (m->cli_ready) {
            a->SSL_shutdown(m->cli);
            flush_bio(c, m->cli_out, false);
        }
        if (!c->closing)
            np_conn_begin_drain(c);
        return;
    }
    /* The origin is done: pass its close on to the client. */
    a->SSL_shutdown(m->srv);
    flush_bio(c, m->srv_out, true);
    if (!c->closing)
        np_conn_begin_drain(c);
}

void np_mitm_free(struct np_conn *c)
{
    struct np_mitm *m = c->mitm;
    const struct tls_api *a = c->srv->tls->api;
    if (m->srv)
        a->SSL_free(m->srv);
    if (m->cli)
        a->SSL_free(m->cli);
    if (!m->bios_attached) {
        BIO *bios[] = {m->srv_in, m->srv_out, m->cli_in, m->cli_out};
        for (size_t i = 0; i < 4; i++)
            if (bios[i])
                a->BIO_free(bios[i]);
    }
    buf_free(&m->plain);
    free(m);
    c->mitm = NULL;
}

/* The managed network proxy: what a sandboxed command may reach.
 *
 * A command whose permission profile enables the network through the proxy
 * runs in its own network namespace holding only a loopback interface.
 * Listening sockets for the HTTP proxy and SOCKS5 are bound inside that
 * namespace (src/sandbox/netns.c) and handed over a Unix socket to the
 * proxy process, which accepts on them directly: those listeners are the
 * namespace's only way out, and every connection through them meets the
 * policy below.
 *
 * The proxy runs in a process of its own (codex re-executed as
 * codex-network-proxy), started for a session and stopped with it, so that
 * its parsers, TLS library and memory stay out of codex, and a proxy that
 * dies cuts the commands off (fail closed) instead of taking codex along.
 * session.c is codex's side of it; server.c and its neighbours are the
 * proxy.
 *
 * Decisions, in order:
 *   1. the denylist and deny rules: refused (blocked-by-denylist);
 *   2. a loopback or non-public target, by name or IP literal, unless
 *      allow_local_binding or the literal is listed: refused
 *      (not_allowed_local);
 *   3. the allowlist, allow rules, and hosts allowed for the session:
 *      allowed, after which a name that resolves to a local address is
 *      refused the same way (DNS rebinding);
 *   4. anything else asks the session (when it can answer) and waits for
 *      the answer, or is refused (blocked-by-allowlist).
 * In limited mode only GET, HEAD and OPTIONS pass; HTTPS is intercepted to
 * see its methods, and SOCKS5 is refused. */
#ifndef CODEX_NETPROXY_NETPROXY_H
#define CODEX_NETPROXY_NETPROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/error.h"
#include "util/strvec.h"

enum netproxy_mode { NETPROXY_MODE_FULL, NETPROXY_MODE_LIMITED };

enum netproxy_protocol {
    NETPROXY_HTTP,
    NETPROXY_HTTPS_CONNECT,
    NETPROXY_SOCKS5_TCP,
    NETPROXY_SOCKS5_UDP,
};

/* "http", "https_connect", "socks5_tcp", "socks5_udp" (the decision log
 * and the refusal bodies). */
const char *netproxy_protocol_name(enum netproxy_protocol p);
/* The app server's NetworkApprovalProtocol: "http", "https", "socks5Tcp",
 * "socks5Udp". */
const char *netproxy_protocol_approval_name(enum netproxy_protocol p);

/* A network_rule() from the rules files. */
enum netproxy_rule_decision { NETPROXY_RULE_ALLOW, NETPROXY_RULE_DENY, NETPROXY_RULE_PROMPT };
struct netproxy_rule {
    char *host;     /* exact, normalized */
    char *protocol; /* "http", "https", "socks5_tcp", "socks5_udp" */
    enum netproxy_rule_decision decision;
};

/* Everything the proxy process needs; sent to it as JSON. */
struct netproxy_config {
    enum netproxy_mode mode;
    struct strvec allowed_domains; /* patterns and presets */
    struct strvec denied_domains;
    bool allow_all_domains;        /* dangerously_allow_all_domains */
    bool allow_local_binding;
    bool enable_socks5;
    bool enable_socks5_udp;
    struct strvec allow_unix_sockets;
    bool allow_all_unix_sockets; /* dangerously_allow_all_unix_sockets */
    bool allow_upstream_proxy;
    char *upstream_proxy;        /* http://host:port from codex's HTTPS_PROXY/HTTP_PROXY, or NULL */
    /* Listeners in codex's own namespace, besides the per-command ones:
     * NULL for none (the admin endpoint always listens, on 127.0.0.1:0
     * unless admin_url says otherwise). */
    char *proxy_url;
    char *socks_url;
    char *admin_url;
    bool allow_non_loopback_proxy;
    bool allow_non_loopback_admin;
    struct netproxy_rule *rules;
    size_t n_rules;
    char *codex_home;     /* the decision log and the interception CA live here */
    char *origin_ca_file; /* extra roots for origins (codex's own SSL_CERT_FILE), or NULL */
    bool ask;             /* unlisted hosts are asked about rather than refused */
    struct strvec hosts;  /* resolver overrides "name=address" (tests), empty normally */
};

void netproxy_config_init(struct netproxy_config *c);
void netproxy_config_free(struct netproxy_config *c);
void netproxy_config_add_rule(struct netproxy_config *c, const char *host, const char *protocol,
                              enum netproxy_rule_decision d);
/* Check every pattern and address.  Returns 0 or -1 with err set. */
int netproxy_config_check(const struct netproxy_config *c, struct codex_error *err);
json_t *netproxy_config_to_json(const struct netproxy_config *c);
/* Returns 0, or -1 with err (nothing left to free). */
int netproxy_config_from_json(json_t *j, struct netproxy_config *c, struct codex_error *err);

/* Refusal reasons (the reference's words). */
#define NETPROXY_REASON_DENIED "denied"
#define NETPROXY_REASON_NOT_ALLOWED "not_allowed"
#define NETPROXY_REASON_NOT_ALLOWED_LOCAL "not_allowed_local"
#define NETPROXY_REASON_METHOD_NOT_ALLOWED "method_not_allowed"

/* What the model is told about a refused request:
 * Network access to "HOST" was blocked: DETAIL.  Caller frees. */
char *netproxy_blocked_message(const char *host, const char *reason);

/* The environment a command behind the proxy gets ("NAME=VALUE"): the
 * *_PROXY variables and their tool-specific copies pointing at the
 * listeners inside its namespace, CODEX_NETWORK_PROXY_ACTIVE, and with a
 * CA bundle (limited mode) every variable that names trusted roots. */
struct netproxy_env_spec {
    uint16_t http_port;
    uint16_t socks_port;   /* 0 when SOCKS5 is off */
    bool allow_local_binding;
    const char *ca_bundle; /* system roots + the interception CA; NULL in full mode */
    const char *ca_cert;   /* the interception CA alone (CODEX_PROXY_CERT) */
};
void netproxy_child_env(const struct netproxy_env_spec *spec, struct strvec *out);
/* The names netproxy_child_env may set (NULL-terminated), so a caller can
 * drop inherited values first. */
extern const char *const netproxy_env_names[];

#endif

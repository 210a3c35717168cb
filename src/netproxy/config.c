/* The proxy's configuration: defaults, checks, and its JSON form (how codex
 * hands it to the proxy process). */
#include <stdlib.h>
#include <string.h>

#include "util/domain.h"
#include "netproxy/netproxy.h"
#include "netproxy/policy.h"
#include "util/xalloc.h"
#include "util/json_text.h"

const char *netproxy_protocol_name(enum netproxy_protocol p)
{
    switch (p) {
    case NETPROXY_HTTP: return "http";
    case NETPROXY_HTTPS_CONNECT: return "https_connect";
    case NETPROXY_SOCKS5_TCP: return "socks5_tcp";
    case NETPROXY_SOCKS5_UDP: return "socks5_udp";
    }
    return "http";
}

const char *netproxy_protocol_approval_name(enum netproxy_protocol p)
{
    switch (p) {
    case NETPROXY_HTTP: return "http";
    case NETPROXY_HTTPS_CONNECT: return "https";
    case NETPROXY_SOCKS5_TCP: return "socks5Tcp";
    case NETPROXY_SOCKS5_UDP: return "socks5Udp";
    }
    return "http";
}

char *netproxy_blocked_message(const char *host, const char *reason)
{
    const char *detail = "request is blocked by network policy";
    if (strcmp(reason, NETPROXY_REASON_DENIED) == 0)
        detail = "domain is explicitly denied by policy and cannot be approved from this prompt";
    else if (strcmp(reason, NETPROXY_REASON_NOT_ALLOWED) == 0)
        detail = "domain is not on the allowlist for the current sandbox mode";
    else if (strcmp(reason, NETPROXY_REASON_NOT_ALLOWED_LOCAL) == 0)
        detail = "local/private network addresses are blocked by the sandbox policy";
    else if (strcmp(reason, NETPROXY_REASON_METHOD_NOT_ALLOWED) == 0)
        detail = "request method is blocked by the current network mode";
    if (!host || !*host)
        return xstrdup("Network access was blocked by policy.");
    return xasprintf("Network access to \"%s\" was blocked: %s.", host, detail);
}

void netproxy_config_init(struct netproxy_config *c)
{
    memset(c, 0, sizeof *c);
    c->mode = NETPROXY_MODE_FULL;
    c->enable_socks5 = true; /* on by default in profiles, as the reference */
}

void netproxy_config_free(struct netproxy_config *c)
{
    strvec_free(&c->allowed_domains);
    strvec_free(&c->denied_domains);
    strvec_free(&c->allow_unix_sockets);
    strvec_free(&c->hosts);
    free(c->upstream_proxy);
    free(c->proxy_url);
    free(c->socks_url);
    free(c->admin_url);
    for (size_t i = 0; i < c->n_rules; i++) {
        free(c->rules[i].host);
        free(c->rules[i].protocol);
    }
    free(c->rules);
    free(c->codex_home);
    free(c->origin_ca_file);
    memset(c, 0, sizeof *c);
}

void netproxy_config_add_rule(struct netproxy_config *c, const char *host, const char *protocol,
                              enum netproxy_rule_decision d)
{
    c->rules = xrealloc(c->rules, (c->n_rules + 1) * sizeof *c->rules);
    c->rules[c->n_rules++] = (struct netproxy_rule){xstrdup(host), xstrdup(protocol), d};
}

int netproxy_config_check(const struct netproxy_config *c, struct codex_error *err)
{
    struct np_policy p;
    if (np_policy_init(&p, c, err) != 0)
        return -1;
    np_policy_free(&p);
    for (size_t i = 0; i < c->allow_unix_sockets.n; i++)
        if (c->allow_unix_sockets.v[i][0] != '/') {
            codex_error_set(err, "allow_unix_sockets: \"%s\" is not an absolute path",
                            c->allow_unix_sockets.v[i]);
            return -1;
        }
    for (size_t i = 0; i < c->hosts.n; i++) {
        const char *eq = strchr(c->hosts.v[i], '=');
        struct ip_addr a;
        if (!eq || eq == c->hosts.v[i] || !ip_parse(eq + 1, &a)) {
            codex_error_set(err, "resolver override \"%s\" is not NAME=ADDRESS", c->hosts.v[i]);
            return -1;
        }
    }
    return 0;
}

static void json_strvec(json_t *a, struct strvec *out)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (json_is_string(v))
            strvec_push(out, json_string_value(v));
    }
}

static void set_opt(json_t *o, const char *key, const char *value)
{
    if (value)
        json_object_set_new(o, key, json_string(value));
}

static char *get_opt(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? xstrdup(s) : NULL;
}

static const char *rule_decision_name(enum netproxy_rule_decision d)
{
    return d == NETPROXY_RULE_ALLOW ? "allow" : d == NETPROXY_RULE_DENY ? "deny" : "prompt";
}

json_t *netproxy_config_to_json(const struct netproxy_config *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "mode", json_string(c->mode == NETPROXY_MODE_LIMITED ? "limited" : "full"));
    json_object_set_new(o, "allowed_domains", json_string_array(&c->allowed_domains));
    json_object_set_new(o, "denied_domains", json_string_array(&c->denied_domains));
    json_object_set_new(o, "allow_all_domains", json_boolean(c->allow_all_domains));
    json_object_set_new(o, "allow_local_binding", json_boolean(c->allow_local_binding));
    json_object_set_new(o, "enable_socks5", json_boolean(c->enable_socks5));
    json_object_set_new(o, "enable_socks5_udp", json_boolean(c->enable_socks5_udp));
    json_object_set_new(o, "allow_unix_sockets", json_string_array(&c->allow_unix_sockets));
    json_object_set_new(o, "allow_all_unix_sockets", json_boolean(c->allow_all_unix_sockets));
    json_object_set_new(o, "allow_upstream_proxy", json_boolean(c->allow_upstream_proxy));
    set_opt(o, "upstream_proxy", c->upstream_proxy);
    set_opt(o, "proxy_url", c->proxy_url);
    set_opt(o, "socks_url", c->socks_url);
    set_opt(o, "admin_url", c->admin_url);
    json_object_set_new(o, "allow_non_loopback_proxy", json_boolean(c->allow_non_loopback_proxy));
    json_object_set_new(o, "allow_non_loopback_admin", json_boolean(c->allow_non_loopback_admin));
    json_t *rules = json_array();
    for (size_t i = 0; i < c->n_rules; i++)
        json_array_append_new(rules, json_pack("{s:s s:s s:s}", "host", c->rules[i].host, "protocol",
                                               c->rules[i].protocol, "decision",
                                               rule_decision_name(c->rules[i].decision)));
    json_object_set_new(o, "rules", rules);
    set_opt(o, "codex_home", c->codex_home);
    set_opt(o, "origin_ca_file", c->origin_ca_file);
    json_object_set_new(o, "ask", json_boolean(c->ask));
    json_object_set_new(o, "hosts", json_string_array(&c->hosts));
    return o;
}

int netproxy_config_from_json(json_t *o, struct netproxy_config *c, struct codex_error *err)
{
    netproxy_config_init(c);
    if (!json_is_object(o)) {
        codex_error_set(err, "network proxy configuration is not a JSON object");
        return -1;
    }
    const char *mode = json_string_value(json_object_get(o, "mode"));
    c->mode = mode && strcmp(mode, "limited") == 0 ? NETPROXY_MODE_LIMITED : NETPROXY_MODE_FULL;
    json_strvec(json_object_get(o, "allowed_domains"), &c->allowed_domains);
    json_strvec(json_object_get(o, "denied_domains"), &c->denied_domains);
    c->allow_all_domains = json_is_true(json_object_get(o, "allow_all_domains"));
    c->allow_local_binding = json_is_true(json_object_get(o, "allow_local_binding"));
    c->enable_socks5 = json_is_true(json_object_get(o, "enable_socks5"));
    c->enable_socks5_udp = json_is_true(json_object_get(o, "enable_socks5_udp"));
    json_strvec(json_object_get(o, "allow_unix_sockets"), &c->allow_unix_sockets);
    c->allow_all_unix_sockets = json_is_true(json_object_get(o, "allow_all_unix_sockets"));
    c->allow_upstream_proxy = json_is_true(json_object_get(o, "allow_upstream_proxy"));
    c->upstream_proxy = get_opt(o, "upstream_proxy");
    c->proxy_url = get_opt(o, "proxy_url");
    c->socks_url = get_opt(o, "socks_url");
    c->admin_url = get_opt(o, "admin_url");
    c->allow_non_loopback_proxy = json_is_true(json_object_get(o, "allow_non_loopback_proxy"));
    c->allow_non_loopback_admin = json_is_true(json_object_get(o, "allow_non_loopback_admin"));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(o, "rules"), i, r) {
        const char *host = json_string_value(json_object_get(r, "host"));
        const char *protocol = json_string_value(json_object_get(r, "protocol"));
        const char *decision = json_string_value(json_object_get(r, "decision"));
        if (!host || !protocol || !decision)
            continue;
        enum netproxy_rule_decision d = strcmp(decision, "allow") == 0  ? NETPROXY_RULE_ALLOW
                                        : strcmp(decision, "deny") == 0 ? NETPROXY_RULE_DENY
                                                                        : NETPROXY_RULE_PROMPT;
        netproxy_config_add_rule(c, host, protocol, d);
    }
    c->codex_home = get_opt(o, "codex_home");
    c->origin_ca_file = get_opt(o, "origin_ca_file");
    c->ask = json_is_true(json_object_get(o, "ask"));
    json_strvec(json_object_get(o, "hosts"), &c->hosts);
    if (netproxy_config_check(c, err) != 0) {
        netproxy_config_free(c);
        return -1;
    }
    return 0;
}

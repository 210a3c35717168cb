/* From a permission profile's [network] table to the proxy's
 * configuration. */
#include <stdlib.h>
#include <string.h>

#include "netproxy/profile.h"
#include "util/envp.h"
#include "util/xalloc.h"

static void copy_list(struct strvec *to, const struct strvec *from)
{
    for (size_t i = 0; i < from->n; i++)
        strvec_push(to, from->v[i]);
}

static const char *either(const char *const *envp, const char *upper, const char *lower)
{
    const char *v = envp_get_nonempty(envp, upper);
    return v ? v : envp_get_nonempty(envp, lower);
}

void netproxy_inputs_from_envp(const char *const *envp, struct netproxy_inputs *in)
{
    memset(in, 0, sizeof *in);
    in->https_proxy = either(envp, "HTTPS_PROXY", "https_proxy");
    in->http_proxy = either(envp, "HTTP_PROXY", "http_proxy");
    in->ssl_cert_file = envp_get_nonempty(envp, "SSL_CERT_FILE");
}

static char *dup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

/* The first proxy of codex's own environment that the proxy can chain to:
 * an http:// one (the reference chains only to HTTP proxies). */
static char *upstream_from(const struct netproxy_inputs *in)
{
    const char *cands[] = {in->https_proxy, in->http_proxy};
    for (size_t i = 0; i < 2; i++) {
        const char *v = cands[i];
        if (!v || !*v)
            continue;
        if (strncmp(v, "http://", 7) == 0)
            return xstrdup(v);
        if (!strstr(v, "://"))
            return xasprintf("http://%s", v);
    }
    return NULL;
}

int netproxy_config_from_profile(const struct codex_config *cfg, const struct netproxy_inputs *in,
                                 const struct ep_policy *rules, struct netproxy_config *out,
                                 struct codex_error *err)
{
    netproxy_config_init(out);
    const struct permission_profile *p = cfg->permissions;
    if (!p) {
        codex_error_set(err, "no permission profile is loaded");
        return -1;
    }
    const struct network_permissions *n = &p->network;
    out->mode = n->mode == NETWORK_MODE_LIMITED ? NETPROXY_MODE_LIMITED : NETPROXY_MODE_FULL;
    copy_list(&out->allowed_domains, &n->allowed_domains);
    copy_list(&out->denied_domains, &n->denied_domains);
    out->allow_all_domains = n->dangerously_allow_all_domains;
    out->allow_local_binding = n->allow_local_binding;
    out->enable_socks5 = n->enable_socks5;
    out->enable_socks5_udp = n->enable_socks5 && n->enable_socks5_udp;
    copy_list(&out->allow_unix_sockets, &n->allow_unix_sockets);
    out->allow_all_unix_sockets = n->dangerously_allow_all_unix_sockets;
    out->allow_upstream_proxy = n->allow_upstream_proxy;
    if (n->allow_upstream_proxy && in)
        out->upstream_proxy = upstream_from(in);
    out->proxy_url = dup_or_null(n->proxy_url);
    out->socks_url = dup_or_null(n->socks_url);
    out->admin_url = dup_or_null(n->admin_url);
    out->allow_non_loopback_proxy = n->dangerously_allow_non_loopback_proxy;
    out->allow_non_loopback_admin = n->dangerously_allow_non_loopback_admin;
    out->codex_home = dup_or_null(cfg->codex_home);
    if (in) {
        out->origin_ca_file = dup_or_null(in->ssl_cert_file);
        for (size_t i = 0; i < in->n_hosts; i++)
            strvec_push(&out->hosts, in->hosts[i]);
    }
    if (rules) {
        const struct ep_network_rule *r;
        size_t count = ep_policy_network_rules(rules, &r);
        for (size_t i = 0; i < count; i++)
            netproxy_config_add_rule(out, r[i].host, r[i].protocol,
                                     r[i].decision == EP_NET_ALLOW    ? NETPROXY_RULE_ALLOW
                                     : r[i].decision == EP_NET_PROMPT ? NETPROXY_RULE_PROMPT
                                                                      : NETPROXY_RULE_DENY);
    }
    if (netproxy_config_check(out, err) != 0) {
        netproxy_config_free(out);
        return -1;
    }
    return 0;
}

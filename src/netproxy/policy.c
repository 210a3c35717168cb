/* Deciding one request: deny first, then the local-address guard, then
 * what allows, then ask or refuse. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netproxy/policy.h"
#include "util/xalloc.h"

static int compile_list(const struct strvec *src, struct domain_pattern **out, size_t *n,
                        struct codex_error *err, const char *what)
{
    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < src->n; i++) {
        const char *const *preset = domain_preset(src->v[i]);
        if (preset) {
            for (; *preset; preset++) {
                *out = xrealloc(*out, (*n + 1) * sizeof **out);
                (*out)[*n].kind = DOMAIN_APEX_AND_SUBDOMAINS;
                (*out)[(*n)++].text = xstrdup(*preset);
            }
            continue;
        }
        if (src->v[i][0] == ':') {
            codex_error_set(err, "%s: unknown domain preset \"%s\"; the preset is :common_dependencies", what,
                            src->v[i]);
            return -1;
        }
        struct domain_pattern pat;
        if (domain_pattern_parse(src->v[i], &pat, err) != 0) {
            codex_error_locate(err, what);
            return -1;
        }
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = pat;
    }
    return 0;
}

int np_policy_init(struct np_policy *p, const struct netproxy_config *c, struct codex_error *err)
{
    memset(p, 0, sizeof *p);
    p->allow_all = c->allow_all_domains;
    p->allow_local_binding = c->allow_local_binding;
    p->ask = c->ask;
    p->rules = c->rules;
    p->n_rules = c->n_rules;
    if (compile_list(&c->allowed_domains, &p->allow, &p->n_allow, err, "allowed_domains") != 0 ||
        compile_list(&c->denied_domains, &p->deny, &p->n_deny, err, "denied_domains") != 0) {
        np_policy_free(p);
        return -1;
    }
    return 0;
}

void np_policy_free(struct np_policy *p)
{
    for (size_t i = 0; i < p->n_allow; i++)
        domain_pattern_free(&p->allow[i]);
    for (size_t i = 0; i < p->n_deny; i++)
        domain_pattern_free(&p->deny[i]);
    for (size_t i = 0; i < p->n_grants; i++)
        free(p->grants[i].host);
    free(p->allow);
    free(p->deny);
    free(p->grants);
    memset(p, 0, sizeof *p);
}

bool np_rule_protocol_matches(const char *rule_protocol, enum netproxy_protocol p)
{
    switch (p) {
    case NETPROXY_HTTP:
        return strcmp(rule_protocol, "http") == 0;
    case NETPROXY_HTTPS_CONNECT:
        return strcmp(rule_protocol, "https") == 0 || strcmp(rule_protocol, "https_connect") == 0 ||
               strcmp(rule_protocol, "http-connect") == 0;
    case NETPROXY_SOCKS5_TCP:
        return strcmp(rule_protocol, "socks5_tcp") == 0;
    case NETPROXY_SOCKS5_UDP:
        return strcmp(rule_protocol, "socks5_udp") == 0;
    }
    return false;
}

static bool any_match(const struct domain_pattern *v, size_t n, const char *host)
{
    for (size_t i = 0; i < n; i++)
        if (domain_pattern_match(&v[i], host))
            return true;
    return false;
}

/* A local IP literal (or "localhost") is let through only when listed
 * exactly: a wildcard never names a local target by accident. */
static bool listed_exactly(const struct np_policy *p, const char *host)
{
    for (size_t i = 0; i < p->n_allow; i++)
        if (p->allow[i].kind == DOMAIN_EXACT && strcmp(p->allow[i].text, host) == 0)
            return true;
    for (size_t i = 0; i < p->n_rules; i++)
        if (p->rules[i].decision == NETPROXY_RULE_ALLOW && strcmp(p->rules[i].host, host) == 0)
            return true;
    for (size_t i = 0; i < p->n_grants; i++)
        if (p->grants[i].whole_host && !p->grants[i].deny && strcmp(p->grants[i].host, host) == 0)
            return true;
    return false;
}

static bool is_local_target(const char *host)
{
    if (host_is_loopback_name(host))
        return true;
    struct ip_addr a;
    char addr[64];
    size_t n = strcspn(host, "%");
    if (n >= sizeof addr)
        return false;
    memcpy(addr, host, n);
    addr[n] = '\0';
    return ip_parse(addr, &a) && ip_is_non_public(&a);
}

static void set(struct np_decision *d, enum np_verdict v, const char *reason, const char *source)
{
    d->verdict = v;
    d->reason = reason;
    d->source = source;
}

static bool grant_matches(const struct np_grant *g, const char *host, enum netproxy_protocol protocol,
                          uint16_t port)
{
    return (g->whole_host || (g->protocol == protocol && g->port == port)) && strcmp(g->host, host) == 0;
}

void np_policy_decide(const struct np_policy *p, const char *host, enum netproxy_protocol protocol,
                      uint16_t port, struct np_decision *out)
{
    memset(out, 0, sizeof *out);
    if (any_match(p->deny, p->n_deny, host)) {
        set(out, NP_DENY, NETPROXY_REASON_DENIED, "baseline_policy");
        return;
    }
    bool rule_allow = false, rule_prompt = false;
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct netproxy_rule *r = &p->rules[i];
        if (strcmp(r->host, host) != 0)
            continue;
        /* Allow and deny rules are about the host whatever the protocol
         * (the reference compiles them into domain lists); a deny rule
         * wins. */
        if (r->decision == NETPROXY_RULE_DENY) {
            set(out, NP_DENY, NETPROXY_REASON_DENIED, "rules");
            return;
        }
        if (r->decision == NETPROXY_RULE_ALLOW)
            rule_allow = true;
        else if (np_rule_protocol_matches(r->protocol, protocol))
            rule_prompt = true;
    }
    for (size_t i = 0; i < p->n_grants; i++)
        if (p->grants[i].deny && grant_matches(&p->grants[i], host, protocol, port)) {
            /* "Always no" put the host on the reference's denylist. */
            if (p->grants[i].whole_host)
                set(out, NP_DENY, NETPROXY_REASON_DENIED, "baseline_policy");
            else
                set(out, NP_DENY, NETPROXY_REASON_NOT_ALLOWED, "session");
            return;
        }
    if (!p->allow_local_binding && is_local_target(host)) {
        if (!listed_exactly(p, host)) {
            set(out, NP_DENY, NETPROXY_REASON_NOT_ALLOWED_LOCAL, "baseline_policy");
            return;
        }
        out->explicit_local = true;
    }
    if (rule_allow) {
        set(out, NP_ALLOW, NULL, "rules");
        return;
    }
    if (rule_prompt) {
        if (p->ask)
            set(out, NP_ASK, NETPROXY_REASON_NOT_ALLOWED, "rules");
        else
            set(out, NP_DENY, NETPROXY_REASON_NOT_ALLOWED, "rules");
        return;
    }
    if (p->allow_all || any_match(p->allow, p->n_allow, host)) {
        set(out, NP_ALLOW, NULL, "baseline_policy");
        return;
    }
    for (size_t i = 0; i < p->n_grants; i++)
        if (!p->grants[i].deny && grant_matches(&p->grants[i], host, protocol, port)) {
            set(out, NP_ALLOW, NULL, "session");
            return;
        }
    if (p->ask)
        set(out, NP_ASK, NETPROXY_REASON_NOT_ALLOWED, "decider");
    else
        set(out, NP_DENY, NETPROXY_REASON_NOT_ALLOWED, "baseline_policy");
}

bool np_policy_address_ok(const struct np_policy *p, const struct np_decision *d, const struct ip_addr *addr)
{
    if (p->allow_local_binding || d->explicit_local)
        return true;
    return !ip_is_non_public(addr);
}

void np_policy_grant(struct np_policy *p, const char *host, enum netproxy_protocol protocol, uint16_t port,
                     bool deny)
{
    p->grants = xrealloc(p->grants, (p->n_grants + 1) * sizeof *p->grants);
    p->grants[p->n_grants++] = (struct np_grant){xstrdup(host), protocol, port, deny, false};
}

void np_policy_grant_host(struct np_policy *p, const char *host, bool deny)
{
    p->grants = xrealloc(p->grants, (p->n_grants + 1) * sizeof *p->grants);
    p->grants[p->n_grants++] = (struct np_grant){xstrdup(host), NETPROXY_HTTP, 0, deny, true};
}

/* The proxy's compiled policy: patterns, rules and what the session has
 * allowed so far, and the decision for one request. */
#ifndef CODEX_NETPROXY_POLICY_H
#define CODEX_NETPROXY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/domain.h"
#include "netproxy/netproxy.h"
#include "util/error.h"

enum np_verdict { NP_ALLOW, NP_DENY, NP_ASK };

struct np_decision {
    enum np_verdict verdict;
    const char *reason; /* NETPROXY_REASON_* for NP_DENY and NP_ASK */
    const char *source; /* "baseline_policy", "rules", "session", "mode_guard", "decider" */
    bool explicit_local; /* allowed as a listed local literal: skip the rebinding check */
};

/* A session answer, for one destination as the reference keys it: host,
 * protocol and port; or, for an "always" answer, the whole host (the
 * reference adds it to its allowed or denied domains). */
struct np_grant {
    char *host;
    enum netproxy_protocol protocol;
    uint16_t port;
    bool deny;
    bool whole_host;
};

struct np_policy {
    struct domain_pattern *allow;
    size_t n_allow;
    struct domain_pattern *deny;
    size_t n_deny;
    bool allow_all;
    bool allow_local_binding;
    bool ask;
    struct netproxy_rule *rules; /* borrowed from the config */
    size_t n_rules;
    struct np_grant *grants; /* answered "for the session" */
    size_t n_grants;
};

/* Compile the config's lists.  Returns 0 or -1 with err naming the pattern. */
int np_policy_init(struct np_policy *p, const struct netproxy_config *c, struct codex_error *err);
void np_policy_free(struct np_policy *p);

/* The decision for a normalized host (and the port asked for) before it
 * is resolved. */
void np_policy_decide(const struct np_policy *p, const char *host, enum netproxy_protocol protocol,
                      uint16_t port, struct np_decision *out);
/* After resolution: may this allowed name connect to addr? */
bool np_policy_address_ok(const struct np_policy *p, const struct np_decision *d, const struct ip_addr *addr);
/* Remember a session answer. */
void np_policy_grant(struct np_policy *p, const char *host, enum netproxy_protocol protocol, uint16_t port,
                     bool deny);
/* Remember an "always" answer: the host, every protocol and port. */
void np_policy_grant_host(struct np_policy *p, const char *host, bool deny);

/* Does a prompt rule's protocol cover this request's? ("https" covers
 * CONNECT.)  Allow and deny rules cover the whole host, as the reference
 * compiles them into its allowed and denied domains. */
bool np_rule_protocol_matches(const char *rule_protocol, enum netproxy_protocol p);

#endif

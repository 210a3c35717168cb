/* The proxy's configuration for a session, from its permission profile. */
#ifndef CODEX_NETPROXY_PROFILE_H
#define CODEX_NETPROXY_PROFILE_H

#include <stddef.h>

#include "config/config.h"
#include "netproxy/netproxy.h"
#include "policy/execpolicy.h"
#include "util/error.h"

/* What the proxy takes from codex's own environment; the front end reads
 * it (the library reads no environment).  All optional. */
struct netproxy_inputs {
    const char *https_proxy;   /* HTTPS_PROXY / https_proxy: the upstream for allow_upstream_proxy */
    const char *http_proxy;    /* HTTP_PROXY / http_proxy */
    const char *ssl_cert_file; /* SSL_CERT_FILE: extra roots for origins in limited mode */
    const char *const *hosts;  /* "name=address" resolver overrides (tests) */
    size_t n_hosts;
};

/* HTTPS_PROXY/HTTP_PROXY (either case) and SSL_CERT_FILE of an
 * environment the front end passed down; hosts stays empty. */
void netproxy_inputs_from_envp(const char *const *envp, struct netproxy_inputs *in);

/* cfg->permissions' network settings, plus the network_rule lines of
 * rules (may be NULL).  ask is left false: the caller sets it when it can
 * answer questions.  Returns 0 or -1 with err. */
int netproxy_config_from_profile(const struct codex_config *cfg, const struct netproxy_inputs *in,
                                 const struct ep_policy *rules, struct netproxy_config *out,
                                 struct codex_error *err);

#endif

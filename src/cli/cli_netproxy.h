/* The front end's part of the managed network proxy. */
#ifndef CODEX_CLI_CLI_NETPROXY_H
#define CODEX_CLI_CLI_NETPROXY_H

#include "config/config.h"
#include "netproxy/profile.h"
#include "netproxy/session.h"
#include "policy/execpolicy.h"
#include "sandbox/sandbox.h"
#include "util/strvec.h"

struct cli_netproxy_inputs {
    struct netproxy_inputs in;
    struct strvec hosts;
};

/* HTTPS_PROXY/HTTP_PROXY, SSL_CERT_FILE and CODEX_NETWORK_PROXY_RESOLVE
 * (test origins: "name=address,...") of codex's environment. */
void cli_netproxy_inputs(const char *const *envp, struct cli_netproxy_inputs *e);
void cli_netproxy_inputs_free(struct cli_netproxy_inputs *e);

/* This process's environment without any variable the proxy sets (a
 * command behind the proxy must not inherit codex's own proxy settings). */
void cli_environ_without_proxy(const char *const *envp, struct strvec *out);

/* The rules files the agent reads, for their network_rule lines. */
int cli_network_rules(const struct codex_config *cfg, struct ep_policy **out, char **err);

/* Start the proxy, give the command its own network namespace, run it
 * there under pol, stop the proxy.  Returns the exit status to report; a
 * proxy that dies during the command is reported and fails the run. */
int cli_run_behind_proxy(const struct codex_config *cfg, struct sandbox_policy *pol, const char *cwd,
                         const char *const *envp, char *const argv[], const char *prog);

#endif

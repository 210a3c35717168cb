/* The body of the codex-network-proxy personality (src/cli/network_proxy.c). */
#ifndef CODEX_NETPROXY_PROXY_PROCESS_H
#define CODEX_NETPROXY_PROXY_PROCESS_H

/* Serve on the control channel sock until codex closes it.  Returns the
 * exit status: 0 after a normal end, 1 when the proxy could not start (the
 * reason went to codex), 2 for a malformed start. */
int netproxy_process_run(int sock);

#endif

/* Codex's side of the managed proxy: start the proxy process for a session,
 * hand it each command's listeners, relay its questions, stop it.
 *
 * Typical use, for every command that runs behind the proxy:
 *
 *   sandbox_netns_create()          the command's namespace and listeners
 *   netproxy_session_attach()       the proxy takes the listeners
 *   netproxy_session_env()          the command's *_PROXY variables
 *   ... run the command inside the namespace ...
 *   netproxy_session_detach()       its listeners and connections close
 *
 * Questions: with a loop and an ask hook, a request to a host no rule
 * covers calls hooks->ask; the connection waits until
 * netproxy_session_answer() (from any later point on the loop).  "Always"
 * answers are persisted as network_rule lines in
 * $CODEX_HOME/rules/default.rules. */
#ifndef CODEX_NETPROXY_SESSION_H
#define CODEX_NETPROXY_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "netproxy/netproxy.h"
#include "netproxy/server.h"
#include "util/error.h"
#include "util/strvec.h"

struct netproxy_session;

struct netproxy_question {
    uint64_t id;
    uint64_t attachment; /* which command's namespace asked */
    const char *host;
    uint16_t port;
    enum netproxy_protocol protocol;
};

struct netproxy_block {
    uint64_t attachment;
    const char *host;
    uint16_t port;
    enum netproxy_protocol protocol;
    const char *reason; /* NETPROXY_REASON_* */
    const char *method; /* or NULL */
};

struct netproxy_session_hooks {
    /* An unlisted host.  Answer with netproxy_session_answer(). */
    void (*ask)(void *ud, struct netproxy_session *s, const struct netproxy_question *q);
    /* Every client waiting on the question went away: withdraw the prompt. */
    void (*withdrawn)(void *ud, struct netproxy_session *s, uint64_t question);
    void (*blocked)(void *ud, struct netproxy_session *s, const struct netproxy_block *b);
    /* The proxy process is gone (why: "killed by signal 9", ...).  Commands
     * behind it can reach nothing from now on. */
    void (*exited)(void *ud, struct netproxy_session *s, const char *why);
    void *ud;
};

struct netproxy_session_opts {
    const char *exe;  /* the codex binary, re-executed as codex-network-proxy */
    const char *const *envp; /* its environment (it reads none of it itself); NULL: empty */
    uv_loop_t *loop;  /* NULL: nothing is watched; call netproxy_session_pump() */
    const struct netproxy_session_hooks *hooks; /* may be NULL */
};

/* Start the proxy and wait (a few milliseconds) until it listens.  With
 * cfg->ask, opts->loop and hooks->ask are required.  Returns 0 or -1 with
 * err (the proxy's own explanation when it refused the configuration). */
int netproxy_session_start(const struct netproxy_config *cfg, const struct netproxy_session_opts *opts,
                           struct netproxy_session **out, struct codex_error *err);

/* Hand over a command's listeners (any may be -1; the descriptors stay the
 * caller's, who may close them afterwards).  *id names the attachment in
 * questions and refusals; every attachment must be detached. */
int netproxy_session_attach(struct netproxy_session *s, int http_fd, int socks_fd, int udp_fd, uint64_t *id,
                            struct codex_error *err);
void netproxy_session_detach(struct netproxy_session *s, uint64_t id);

/* Answer a question.  reason is a one-line text the client's 403 carries
 * for a denial (NULL for the default). */
int netproxy_session_answer(struct netproxy_session *s, uint64_t question, enum netproxy_answer a,
                            const char *reason, struct codex_error *err);

/* The environment of a command whose namespace listens on these ports. */
void netproxy_session_env(const struct netproxy_session *s, uint16_t http_port, uint16_t socks_port,
                          struct strvec *out);

/* The first refusal a command's requests met (from the events read so
 * far), or NULL. */
const struct netproxy_block *netproxy_session_first_block(const struct netproxy_session *s, uint64_t attachment);

/* Without a loop: read what the proxy sent so far.  Returns false when the
 * proxy has exited, with *why (caller frees) saying how. */
bool netproxy_session_pump(struct netproxy_session *s, char **why);

const char *netproxy_session_admin_addr(const struct netproxy_session *s);
/* Listeners in codex's namespace from proxy_url / socks_url, or NULL. */
const char *netproxy_session_http_addr(const struct netproxy_session *s);
const char *netproxy_session_socks_addr(const struct netproxy_session *s);
const char *netproxy_session_ca_cert(const struct netproxy_session *s);
const char *netproxy_session_ca_bundle(const struct netproxy_session *s);
pid_t netproxy_session_pid(const struct netproxy_session *s);
bool netproxy_session_limited(const struct netproxy_session *s);
bool netproxy_session_socks5(const struct netproxy_session *s);
bool netproxy_session_socks5_udp(const struct netproxy_session *s);

/* Stop the proxy (its commands lose the network).  The session is freed
 * once every attachment is detached too (detach stays safe to call). */
void netproxy_session_stop(struct netproxy_session *s);

#endif

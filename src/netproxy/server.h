/* The proxy server: listeners, connections and the decisions between them,
 * all on one libuv loop.  Used by the proxy process (proxy_main.c) and, in
 * process, by tests. */
#ifndef CODEX_NETPROXY_SERVER_H
#define CODEX_NETPROXY_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "netproxy/netproxy.h"
#include "util/error.h"

struct np_server;

/* An answer to a question about an unlisted host. */
enum netproxy_answer {
    NETPROXY_ALLOW_ONCE,
    NETPROXY_ALLOW_SESSION,
    NETPROXY_ALLOW_ALWAYS, /* the session also persists a network_rule */
    NETPROXY_DENY,
    NETPROXY_DENY_ALWAYS,  /* likewise, a deny rule */
};
/* "allow_once", "allow_session", "allow_always", "deny", "deny_always". */
const char *netproxy_answer_name(enum netproxy_answer a);
int netproxy_answer_parse(const char *s, enum netproxy_answer *out);

struct np_question_info {
    uint64_t id;
    uint64_t attachment; /* the command's bridge, 0 for the shared listeners */
    const char *host;
    uint16_t port;
    enum netproxy_protocol protocol;
};

struct np_block_info {
    uint64_t attachment;
    const char *host;
    uint16_t port;
    enum netproxy_protocol protocol;
    const char *reason;
    const char *method; /* or NULL */
};

/* How the server reaches whoever answers questions (codex, through the
 * control channel).  All optional. */
struct np_server_hooks {
    void (*ask)(void *ud, const struct np_question_info *q);
    /* Nobody waits for the answer any more (every client went away). */
    void (*withdrawn)(void *ud, uint64_t question_id);
    void (*blocked)(void *ud, const struct np_block_info *b);
    void *ud;
};

/* Resolution: the default asks getaddrinfo on the thread pool; the
 * config's `hosts` entries answer first (tests name their origins so). */
struct np_server *np_server_new(uv_loop_t *loop, const struct netproxy_config *cfg,
                                const struct np_server_hooks *hooks, struct codex_error *err);
/* Start the listeners the config names (proxy_url, socks_url, admin).
 * Returns 0 or -1 with err. */
int np_server_listen(struct np_server *s, struct codex_error *err);

enum np_listener_kind { NP_LISTEN_HTTP, NP_LISTEN_SOCKS, NP_LISTEN_ADMIN };
/* Take over a listening TCP socket (bound in a command's namespace).  The
 * fd is owned by the server from here on. */
int np_server_adopt_listener(struct np_server *s, int fd, enum np_listener_kind kind, uint64_t attachment,
                             struct codex_error *err);
/* Take over a bound UDP socket for SOCKS5 UDP ASSOCIATE replies. */
int np_server_adopt_udp(struct np_server *s, int fd, uint64_t attachment, struct codex_error *err);
/* Close the listeners and connections of one attachment. */
void np_server_detach(struct np_server *s, uint64_t attachment);

/* Answer question id (unknown ids are ignored: the question may have been
 * withdrawn).  reason is a one-line text for a denial, or NULL. */
void np_server_answer(struct np_server *s, uint64_t id, enum netproxy_answer a, const char *reason);

/* "127.0.0.1:port" of each shared listener ("" when absent). */
const char *np_server_admin_addr(const struct np_server *s);
const char *np_server_http_addr(const struct np_server *s);
const char *np_server_socks_addr(const struct np_server *s);
/* Paths of the interception CA and bundle (limited mode), else NULL. */
const char *np_server_ca_cert(const struct np_server *s);
const char *np_server_ca_bundle(const struct np_server *s);

/* Close everything; the loop then runs out and np_server_free releases it. */
void np_server_close(struct np_server *s);
void np_server_free(struct np_server *s);

#endif

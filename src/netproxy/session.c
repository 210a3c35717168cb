/* Starting, feeding and stopping the proxy process (see session.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "netproxy/channel.h"
#include "netproxy/session.h"
#include "policy/execpolicy.h"
#include "util/xalloc.h"

#define START_TIMEOUT_MS 10000

struct pending_question {
    uint64_t id;
    char *host;
    enum netproxy_protocol protocol;
};

struct first_block {
    uint64_t attachment;
    struct netproxy_block b;
};

struct netproxy_session {
    int sock;
    pid_t pid;
    bool exited;
    char *exit_why;
    uv_loop_t *loop;
    uv_poll_t *poll;
    struct netproxy_session_hooks hooks;
    char *codex_home;
    bool allow_local_binding;
    bool limited;
    bool socks5, socks5_udp;
    bool stopped;
    int refs; /* the owner's, and one per attachment not yet detached */
    char *admin, *http, *socks, *ca_cert, *ca_bundle;
    uint64_t next_attachment;
    struct pending_question *questions;
    size_t n_questions;
    struct first_block *blocks;
    size_t n_blocks;
};

static enum netproxy_protocol protocol_from(const char *s)
{
    if (s && strcmp(s, "https_connect") == 0)
        return NETPROXY_HTTPS_CONNECT;
    if (s && strcmp(s, "socks5_tcp") == 0)
        return NETPROXY_SOCKS5_TCP;
    if (s && strcmp(s, "socks5_udp") == 0)
        return NETPROXY_SOCKS5_UDP;
    return NETPROXY_HTTP;
}

static char *describe_status(int status)
{
    if (WIFSIGNALED(status))
        return xasprintf("the network proxy was killed by signal %d", WTERMSIG(status));
    if (WIFEXITED(status))
        return xasprintf("the network proxy exited with status %d", WEXITSTATUS(status));
    return xstrdup("the network proxy stopped");
}

/* Reap the proxy, giving it a moment to exit on its own. */
static int reap(pid_t pid, bool kill_first)
{
    int status = 0;
    if (kill_first)
        kill(pid, SIGKILL);
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd >= 0) {
        struct pollfd pfd = {pidfd, POLLIN, 0};
        int r;
        do
            r = poll(&pfd, 1, 500);
        while (r < 0 && errno == EINTR);
        close(pidfd);
        if (r == 0)
            kill(pid, SIGKILL);
    } else {
        for (int i = 0; i < 500; i++) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid || (r < 0 && errno != EINTR))
                return status;
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

static void mark_exited(struct netproxy_session *s)
{
    if (s->exited)
        return;
    s->exited = true;
    int status = reap(s->pid, false);
    s->exit_why = describe_status(status);
    if (s->poll) {
        uv_poll_stop(s->poll);
    }
    if (s->hooks.exited)
        s->hooks.exited(s->hooks.ud, s, s->exit_why);
}

static void record_block(struct netproxy_session *s, json_t *msg)
{
    uint64_t att = (uint64_t)json_integer_value(json_object_get(msg, "attachment"));
    const char *host = json_string_value(json_object_get(msg, "host"));
    const char *reason = json_string_value(json_object_get(msg, "reason"));
    const char *method = json_string_value(json_object_get(msg, "method"));
    struct netproxy_block b = {att, host ? host : "", (uint16_t)json_integer_value(json_object_get(msg, "port")),
                               protocol_from(json_string_value(json_object_get(msg, "protocol"))),
                               reason ? reason : "", method};
    bool seen = false;
    for (size_t i = 0; i < s->n_blocks && !seen; i++)
        seen = s->blocks[i].attachment == att;
    if (!seen) {
        s->blocks = xrealloc(s->blocks, (s->n_blocks + 1) * sizeof *s->blocks);
        struct first_block *fb = &s->blocks[s->n_blocks++];
        fb->attachment = att;
        fb->b = b;
        fb->b.host = xstrdup(b.host);
        fb->b.reason = xstrdup(b.reason);
        fb->b.method = method ? xstrdup(method) : NULL;
    }
    if (s->hooks.blocked)
        s->hooks.blocked(s->hooks.ud, s, &b);
}

static void handle(struct netproxy_session *s, json_t *msg)
{
    const char *type = json_string_value(json_object_get(msg, "type"));
    if (!type)
        return;
    if (strcmp(type, "ask") == 0) {
        struct netproxy_question q = {
            (uint64_t)json_integer_value(json_object_get(msg, "question")),
            (uint64_t)json_integer_value(json_object_get(msg, "attachment")),
            json_string_value(json_object_get(msg, "host")),
            (uint16_t)json_integer_value(json_object_get(msg, "port")),
            protocol_from(json_string_value(json_object_get(msg, "protocol"))),
        };
        if (!q.host)
            return;
        s->questions = xrealloc(s->questions, (s->n_questions + 1) * sizeof *s->questions);
        s->questions[s->n_questions++] = (struct pending_question){q.id, xstrdup(q.host), q.protocol};
        if (s->hooks.ask)
            s->hooks.ask(s->hooks.ud, s, &q);
        else
            netproxy_session_answer(s, q.id, NETPROXY_DENY, NULL, NULL);
    } else if (strcmp(type, "withdrawn") == 0) {
        uint64_t id = (uint64_t)json_integer_value(json_object_get(msg, "question"));
        for (size_t i = 0; i < s->n_questions; i++)
            if (s->questions[i].id == id) {
                free(s->questions[i].host);
                s->questions[i] = s->questions[--s->n_questions];
                if (s->hooks.withdrawn)
                    s->hooks.withdrawn(s->hooks.ud, s, id);
                break;
            }
    } else if (strcmp(type, "blocked") == 0) {
        record_block(s, msg);
    }
}

bool netproxy_session_pump(struct netproxy_session *s, char **why)
{
    while (!s->exited && !s->stopped) {
        int fds[NP_CHANNEL_MAX_FDS];
        size_t nfds;
        bool eof;
        json_t *msg = np_channel_recv(s->sock, false, fds, NP_CHANNEL_MAX_FDS, &nfds, &eof);
        for (size_t i = 0; i < nfds; i++)
            close(fds[i]);
        if (msg) {
            handle(s, msg);
            json_decref(msg);
            continue;
        }
        if (eof || (errno != EAGAIN && errno != EBADMSG))
            mark_exited(s);
        else if (errno == EAGAIN)
            break;
    }
    if (s->exited && why)
        *why = xstrdup(s->exit_why);
    return !s->exited;
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    netproxy_session_pump(h->data, NULL);
}

/* posix_spawn rather than fork: the child shares our memory until it
 * execs, so starting the proxy costs the same whatever codex's size. */
static int spawn(const char *exe, const char *const *envp, int child_sock, pid_t *pid, struct codex_error *err)
{
    char *const argv[] = {"codex-network-proxy", "--control-fd", "3", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    /* dup2 clears close-on-exec on fd 3; nothing above it goes along. */
    posix_spawn_file_actions_adddup2(&fa, child_sock, 3);
    posix_spawn_file_actions_addclosefrom_np(&fa, 4);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    static char *const empty[] = {NULL};
    int rc = posix_spawn(pid, exe, &fa, &attr, argv, envp ? (char *const *)envp : empty);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        codex_error_set_os(err, rc, "cannot start the network proxy (%s)", exe);
        return -1;
    }
    return 0;
}

static char *opt_dup(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v && *v ? xstrdup(v) : NULL;
}

int netproxy_session_start(const struct netproxy_config *cfg, const struct netproxy_session_opts *opts,
                           struct netproxy_session **out, struct codex_error *err)
{
    *out = NULL;
    if (netproxy_config_check(cfg, err) != 0)
        return -1;
    if (cfg->ask && (!opts->loop || !opts->hooks || !opts->hooks->ask)) {
        codex_error_set(err, "network questions need an event loop and an ask hook");
        return -1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
        codex_error_set_os(err, errno, "cannot create the network proxy's control channel");
        return -1;
    }
    pid_t pid;
    if (spawn(opts->exe, opts->envp, sv[1], &pid, err) != 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    close(sv[1]);
    struct netproxy_session *s = xcalloc(1, sizeof *s);
    s->sock = sv[0];
    s->pid = pid;
    s->loop = opts->loop;
    if (opts->hooks)
        s->hooks = *opts->hooks;
    s->codex_home = cfg->codex_home ? xstrdup(cfg->codex_home) : NULL;
    s->allow_local_binding = cfg->allow_local_binding;
    s->limited = cfg->mode == NETPROXY_MODE_LIMITED;
    s->socks5 = cfg->enable_socks5;
    s->socks5_udp = cfg->enable_socks5 && cfg->enable_socks5_udp;
    s->refs = 1;
    json_t *msg = json_pack("{s:s s:o s:b}", "type", "config", "config", netproxy_config_to_json(cfg), "events",
                            opts->loop != NULL);
    int sent = np_channel_send(s->sock, msg, NULL, 0);
    json_decref(msg);
    json_t *reply = NULL;
    if (sent == 0) {
        struct pollfd pfd = {s->sock, POLLIN, 0};
        int r;
        do
            r = poll(&pfd, 1, START_TIMEOUT_MS);
        while (r < 0 && errno == EINTR);
        if (r > 0) {
            int fds[NP_CHANNEL_MAX_FDS];
            size_t nfds;
            bool eof;
            reply = np_channel_recv(s->sock, false, fds, NP_CHANNEL_MAX_FDS, &nfds, &eof);
            for (size_t i = 0; i < nfds; i++)
                close(fds[i]);
        }
    }
    const char *type = json_string_value(json_object_get(reply, "type"));
    if (!type || strcmp(type, "ready") != 0) {
        const char *why = json_string_value(json_object_get(reply, "message"));
        if (why) {
            codex_error_set(err, "network proxy: %s", why);
        } else {
            int status = reap(pid, true);
            char *d = describe_status(status);
            codex_error_set(err, "the network proxy did not start (%s); check that %s can run", d, opts->exe);
            free(d);
            s->pid = -1;
        }
        json_decref(reply);
        netproxy_session_stop(s);
        return -1;
    }
    s->admin = opt_dup(reply, "admin");
    s->http = opt_dup(reply, "http");
    s->socks = opt_dup(reply, "socks");
    s->ca_cert = opt_dup(reply, "ca_cert");
    s->ca_bundle = opt_dup(reply, "ca_bundle");
    json_decref(reply);
    fcntl(s->sock, F_SETFL, fcntl(s->sock, F_GETFL) | O_NONBLOCK);
    if (s->loop) {
        s->poll = xcalloc(1, sizeof *s->poll);
        uv_poll_init(s->loop, s->poll, s->sock);
        s->poll->data = s;
        uv_poll_start(s->poll, UV_READABLE | UV_DISCONNECT, on_readable);
    }
    *out = s;
    return 0;
}

int netproxy_session_attach(struct netproxy_session *s, int http_fd, int socks_fd, int udp_fd, uint64_t *id,
                            struct codex_error *err)
{
    if (s->stopped) {
        codex_error_set(err, "the network proxy has been stopped");
        return -1;
    }
    if (s->exited) {
        codex_error_set(err, "%s; network access is cut off", s->exit_why);
        return -1;
    }
    int fds[3];
    size_t n = 0;
    if (http_fd >= 0)
        fds[n++] = http_fd;
    if (socks_fd >= 0)
        fds[n++] = socks_fd;
    if (udp_fd >= 0)
        fds[n++] = udp_fd;
    *id = ++s->next_attachment;
    json_t *msg = json_pack("{s:s s:I s:b s:b s:b}", "type", "attach", "id", (json_int_t)*id, "http", http_fd >= 0,
                            "socks", socks_fd >= 0, "udp", udp_fd >= 0);
    /* A full channel means a stuck proxy: better to fail the command. */
    int r;
    for (int tries = 0;; tries++) {
        r = np_channel_send(s->sock, msg, fds, n);
        if (r == 0 || errno != EAGAIN || tries == 1000)
            break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    json_decref(msg);
    if (r != 0) {
        codex_error_set_os(err, errno, "cannot hand the command's network to the proxy");
        return -1;
    }
    s->refs++;
    return 0;
}

static void free_session(struct netproxy_session *s);

static void unref(struct netproxy_session *s)
{
    if (--s->refs == 0)
        free_session(s);
}

void netproxy_session_detach(struct netproxy_session *s, uint64_t id)
{
    if (!s->exited && !s->stopped) {
        json_t *msg = json_pack("{s:s s:I}", "type", "detach", "id", (json_int_t)id);
        np_channel_send(s->sock, msg, NULL, 0);
        json_decref(msg);
    }
    unref(s);
}

static const char *rule_protocol(enum netproxy_protocol p)
{
    switch (p) {
    case NETPROXY_HTTP: return "http";
    case NETPROXY_HTTPS_CONNECT: return "https";
    case NETPROXY_SOCKS5_TCP: return "socks5_tcp";
    case NETPROXY_SOCKS5_UDP: return "socks5_udp";
    }
    return "http";
}

int netproxy_session_answer(struct netproxy_session *s, uint64_t question, enum netproxy_answer a,
                            const char *reason, struct codex_error *err)
{
    struct pending_question q = {0, NULL, NETPROXY_HTTP};
    for (size_t i = 0; i < s->n_questions; i++)
        if (s->questions[i].id == question) {
            q = s->questions[i];
            s->questions[i] = s->questions[--s->n_questions];
            break;
        }
    int rc = 0;
    if (q.host && (a == NETPROXY_ALLOW_ALWAYS || a == NETPROXY_DENY_ALWAYS) && s->codex_home) {
        char *why = NULL;
        if (execpolicy_append_network_rule(s->codex_home, q.host, rule_protocol(q.protocol),
                                           a == NETPROXY_ALLOW_ALWAYS, &why) != 0) {
            /* The answer still holds for this session. */
            if (err)
                codex_error_set(err, "%s", why);
            free(why);
            rc = -1;
        }
    }
    free(q.host);
    if (s->exited || s->stopped)
        return rc;
    json_t *msg = json_pack("{s:s s:I s:s}", "type", "answer", "question", (json_int_t)question, "answer",
                            netproxy_answer_name(a));
    if (reason)
        json_object_set_new(msg, "reason", json_string(reason));
    np_channel_send(s->sock, msg, NULL, 0);
    json_decref(msg);
    return rc;
}

void netproxy_session_env(const struct netproxy_session *s, uint16_t http_port, uint16_t socks_port,
                          struct strvec *out)
{
    struct netproxy_env_spec spec = {http_port, socks_port, s->allow_local_binding, s->ca_bundle, s->ca_cert};
    netproxy_child_env(&spec, out);
}

const struct netproxy_block *netproxy_session_first_block(const struct netproxy_session *s, uint64_t attachment)
{
    for (size_t i = 0; i < s->n_blocks; i++)
        if (s->blocks[i].attachment == attachment)
            return &s->blocks[i].b;
    return NULL;
}

const char *netproxy_session_admin_addr(const struct netproxy_session *s)
{
    return s->admin;
}

const char *netproxy_session_http_addr(const struct netproxy_session *s)
{
    return s->http;
}

const char *netproxy_session_socks_addr(const struct netproxy_session *s)
{
    return s->socks;
}

const char *netproxy_session_ca_cert(const struct netproxy_session *s)
{
    return s->ca_cert;
}

const char *netproxy_session_ca_bundle(const struct netproxy_session *s)
{
    return s->ca_bundle;
}

pid_t netproxy_session_pid(const struct netproxy_session *s)
{
    return s->pid;
}

bool netproxy_session_limited(const struct netproxy_session *s)
{
    return s->limited;
}

bool netproxy_session_socks5(const struct netproxy_session *s)
{
    return s->socks5;
}

bool netproxy_session_socks5_udp(const struct netproxy_session *s)
{
    return s->socks5_udp;
}

static void free_session(struct netproxy_session *s)
{
    for (size_t i = 0; i < s->n_questions; i++)
        free(s->questions[i].host);
    free(s->questions);
    for (size_t i = 0; i < s->n_blocks; i++) {
        free((char *)s->blocks[i].b.host);
        free((char *)s->blocks[i].b.reason);
        free((char *)s->blocks[i].b.method);
    }
    free(s->blocks);
    free(s->exit_why);
    free(s->codex_home);
    free(s->admin);
    free(s->http);
    free(s->socks);
    free(s->ca_cert);
    free(s->ca_bundle);
    free(s);
}

static void on_poll_closed(uv_handle_t *h)
{
    free(h);
}

void netproxy_session_stop(struct netproxy_session *s)
{
    if (!s || s->stopped)
        return;
    s->stopped = true;
    if (s->poll) {
        uv_poll_stop(s->poll);
        uv_close((uv_handle_t *)s->poll, on_poll_closed);
        s->poll = NULL;
    }
    /* Closing the channel is the proxy's signal to stop. */
    close(s->sock);
    s->sock = -1;
    if (s->pid > 0 && !s->exited)
        reap(s->pid, false);
    /* Attachments not detached yet keep the (stopped) session. */
    unref(s);
}

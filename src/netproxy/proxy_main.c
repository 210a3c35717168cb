/* The proxy process: read the configuration from the control channel,
 * serve, and forward questions and refusals to codex until codex goes
 * away. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netproxy/channel.h"
#include "netproxy/proxy_process.h"
#include "netproxy/server.h"

struct proxy_proc {
    uv_loop_t loop;
    uv_poll_t poll;
    int sock;
    struct np_server *srv;
    bool events; /* codex wants refusals reported */
    bool stopping;
};

static void send_or_drop(struct proxy_proc *p, json_t *msg)
{
    /* A send that cannot complete within the socket's timeout is dropped:
     * codex not reading must not stall every connection. */
    np_channel_send(p->sock, msg, NULL, 0);
    json_decref(msg);
}

static void hook_ask(void *ud, const struct np_question_info *q)
{
    struct proxy_proc *p = ud;
    send_or_drop(p, json_pack("{s:s s:I s:I s:s s:i s:s}", "type", "ask", "question", (json_int_t)q->id,
                              "attachment", (json_int_t)q->attachment, "host", q->host, "port", (int)q->port,
                              "protocol", netproxy_protocol_name(q->protocol)));
}

static void hook_withdrawn(void *ud, uint64_t id)
{
    struct proxy_proc *p = ud;
    send_or_drop(p, json_pack("{s:s s:I}", "type", "withdrawn", "question", (json_int_t)id));
}

static void hook_blocked(void *ud, const struct np_block_info *b)
{
    struct proxy_proc *p = ud;
    if (!p->events)
        return;
    json_t *msg = json_pack("{s:s s:I s:s s:i s:s s:s}", "type", "blocked", "attachment",
                            (json_int_t)b->attachment, "host", b->host, "port", (int)b->port, "protocol",
                            netproxy_protocol_name(b->protocol), "reason", b->reason);
    if (b->method)
        json_object_set_new(msg, "method", json_string(b->method));
    send_or_drop(p, msg);
}

static void stop(struct proxy_proc *p)
{
    if (p->stopping)
        return;
    p->stopping = true;
    uv_poll_stop(&p->poll);
    uv_close((uv_handle_t *)&p->poll, NULL);
    np_server_close(p->srv);
}

static void handle(struct proxy_proc *p, json_t *msg, int *fds, size_t nfds)
{
    const char *type = json_string_value(json_object_get(msg, "type"));
    uint64_t id = (uint64_t)json_integer_value(json_object_get(msg, "id"));
    size_t used = 0;
    if (type && strcmp(type, "attach") == 0) {
        static const struct {
            const char *key;
            enum np_listener_kind kind;
        } kinds[] = {{"http", NP_LISTEN_HTTP}, {"socks", NP_LISTEN_SOCKS}};
        for (size_t i = 0; i < 2; i++) {
            if (!json_is_true(json_object_get(msg, kinds[i].key)) || used >= nfds)
                continue;
            struct codex_error err = CODEX_ERROR_INIT;
            if (np_server_adopt_listener(p->srv, fds[used], kinds[i].kind, id, &err) != 0) {
                fprintf(stderr, "codex-network-proxy: %s\n", err.message);
                codex_error_clear(&err);
                close(fds[used]);
            }
            used++;
        }
        if (json_is_true(json_object_get(msg, "udp")) && used < nfds) {
            struct codex_error err = CODEX_ERROR_INIT;
            if (np_server_adopt_udp(p->srv, fds[used], id, &err) != 0) {
                fprintf(stderr, "codex-network-proxy: %s\n", err.message);
                codex_error_clear(&err);
                close(fds[used]);
            }
            used++;
        }
    } else if (type && strcmp(type, "detach") == 0) {
        np_server_detach(p->srv, id);
    } else if (type && strcmp(type, "answer") == 0) {
        enum netproxy_answer a;
        const char *name = json_string_value(json_object_get(msg, "answer"));
        if (name && netproxy_answer_parse(name, &a) == 0)
            np_server_answer(p->srv, (uint64_t)json_integer_value(json_object_get(msg, "question")), a,
                             json_string_value(json_object_get(msg, "reason")));
    }
    for (size_t i = used; i < nfds; i++)
        close(fds[i]);
}

static void on_control(uv_poll_t *h, int status, int events)
{
    struct proxy_proc *p = h->data;
    for (;;) {
        int fds[NP_CHANNEL_MAX_FDS];
        size_t nfds;
        bool eof;
        json_t *msg = np_channel_recv(p->sock, false, fds, NP_CHANNEL_MAX_FDS, &nfds, &eof);
        if (!msg) {
            if (eof || (errno != EAGAIN && errno != EBADMSG))
                stop(p);
            if (errno == EBADMSG && !eof)
                continue;
            return;
        }
        handle(p, msg, fds, nfds);
        json_decref(msg);
        if (p->stopping)
            return;
    }
}

int netproxy_process_run(int sock)
{
    signal(SIGPIPE, SIG_IGN);
    struct proxy_proc p;
    memset(&p, 0, sizeof p);
    p.sock = sock;
    int fds[NP_CHANNEL_MAX_FDS];
    size_t nfds;
    bool eof;
    json_t *first = np_channel_recv(sock, true, fds, NP_CHANNEL_MAX_FDS, &nfds, &eof);
    for (size_t i = 0; i < nfds; i++)
        close(fds[i]);
    const char *type = json_string_value(json_object_get(first, "type"));
    if (!first || !type || strcmp(type, "config") != 0) {
        json_decref(first);
        fprintf(stderr, "codex-network-proxy: expected the configuration on the control channel\n");
        return 2;
    }
    struct netproxy_config cfg;
    struct codex_error err = CODEX_ERROR_INIT;
    int rc = netproxy_config_from_json(json_object_get(first, "config"), &cfg, &err);
    p.events = json_is_true(json_object_get(first, "events"));
    json_decref(first);
    uv_loop_init(&p.loop);
    struct np_server_hooks hooks = {cfg.ask ? hook_ask : NULL, hook_withdrawn, hook_blocked, &p};
    if (rc == 0)
        p.srv = np_server_new(&p.loop, &cfg, &hooks, &err);
    if (p.srv && np_server_listen(p.srv, &err) != 0) {
        np_server_close(p.srv);
        uv_run(&p.loop, UV_RUN_DEFAULT);
        np_server_free(p.srv);
        p.srv = NULL;
    }
    netproxy_config_free(&cfg);
    if (!p.srv) {
        char *text = codex_error_text(&err);
        json_t *msg = json_pack("{s:s s:s}", "type", "error", "message", text ? text : "cannot start");
        np_channel_send(sock, msg, NULL, 0);
        json_decref(msg);
        free(text);
        codex_error_clear(&err);
        uv_loop_close(&p.loop);
        return 1;
    }
    /* From here on a stuck codex costs at most a second per message. */
    struct timeval tv = {1, 0};
    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    json_t *ready = json_pack("{s:s s:s s:s s:s s:i}", "type", "ready", "admin", np_server_admin_addr(p.srv), "http",
                              np_server_http_addr(p.srv), "socks", np_server_socks_addr(p.srv), "pid",
                              (int)getpid());
    if (np_server_ca_cert(p.srv)) {
        json_object_set_new(ready, "ca_cert", json_string(np_server_ca_cert(p.srv)));
        json_object_set_new(ready, "ca_bundle", json_string(np_server_ca_bundle(p.srv)));
    }
    np_channel_send(sock, ready, NULL, 0);
    json_decref(ready);
    uv_poll_init(&p.loop, &p.poll, sock);
    p.poll.data = &p;
    uv_poll_start(&p.poll, UV_READABLE | UV_DISCONNECT, on_control);
    uv_run(&p.loop, UV_RUN_DEFAULT);
    np_server_free(p.srv);
    uv_loop_close(&p.loop);
    return 0;
}

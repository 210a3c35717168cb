/* Drives the managed network proxy through its session API, for the
 * tests/netproxy suite: starts the proxy process from a configuration
 * file, prints what it reports as JSON lines on stdout, and takes commands
 * as JSON lines on stdin.
 *
 *   build/tests/netproxy_harness CODEX_BIN CONFIG.json
 *
 * stdout:  {"event":"ready","admin":...,"http":...,"socks":...,"ca_cert":...,"ca_bundle":...,"pid":N,
 *           "start_us":N}  (how long netproxy_session_start took)
 *          {"event":"ask","question":N,"host":...,"port":N,"protocol":...,"attachment":N}
 *          {"event":"withdrawn","question":N}
 *          {"event":"blocked","host":...,"reason":...,"protocol":...,"port":N}
 *          {"event":"exited","why":...}
 *          {"event":"error","message":...}
 * stdin:   {"cmd":"answer","question":N,"answer":"allow_once|allow_session|allow_always|deny|deny_always","reason":...}
 *          {"cmd":"env","http_port":N,"socks_port":N}  -> {"event":"env","env":[...]}
 * EOF on stdin stops the proxy and exits. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "netproxy/session.h"
#include "util/buf.h"

static struct netproxy_session *session;
static struct buf line;
static uv_pipe_t in;

static void emit(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    printf("%s\n", s);
    fflush(stdout);
    free(s);
    json_decref(j);
}

static void on_ask(void *ud, struct netproxy_session *s, const struct netproxy_question *q)
{
    emit(json_pack("{s:s s:I s:s s:i s:s s:I}", "event", "ask", "question", (json_int_t)q->id, "host", q->host,
                   "port", (int)q->port, "protocol", netproxy_protocol_name(q->protocol), "attachment",
                   (json_int_t)q->attachment));
}

static void on_withdrawn(void *ud, struct netproxy_session *s, uint64_t id)
{
    emit(json_pack("{s:s s:I}", "event", "withdrawn", "question", (json_int_t)id));
}

static void on_blocked(void *ud, struct netproxy_session *s, const struct netproxy_block *b)
{
    char *msg = netproxy_blocked_message(b->host, b->reason);
    emit(json_pack("{s:s s:s s:s s:s s:i s:s}", "event", "blocked", "host", b->host, "reason", b->reason,
                   "protocol", netproxy_protocol_name(b->protocol), "port", (int)b->port, "message", msg));
    free(msg);
}

static void on_exited(void *ud, struct netproxy_session *s, const char *why)
{
    emit(json_pack("{s:s s:s}", "event", "exited", "why", why));
}

static void command(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    const char *cmd = json_string_value(json_object_get(j, "cmd"));
    if (cmd && strcmp(cmd, "answer") == 0) {
        enum netproxy_answer a;
        const char *name = json_string_value(json_object_get(j, "answer"));
        struct codex_error err = CODEX_ERROR_INIT;
        if (!name || netproxy_answer_parse(name, &a) != 0) {
            emit(json_pack("{s:s s:s}", "event", "error", "message", "unknown answer"));
        } else if (netproxy_session_answer(session, (uint64_t)json_integer_value(json_object_get(j, "question")), a,
                                           json_string_value(json_object_get(j, "reason")), &err) != 0) {
            emit(json_pack("{s:s s:s}", "event", "error", "message", err.message ? err.message : "?"));
            codex_error_clear(&err);
        }
    } else if (cmd && strcmp(cmd, "env") == 0) {
        struct strvec env = STRVEC_INIT;
        netproxy_session_env(session, (uint16_t)json_integer_value(json_object_get(j, "http_port")),
                             (uint16_t)json_integer_value(json_object_get(j, "socks_port")), &env);
        json_t *a = json_array();
        for (size_t i = 0; i < env.n; i++)
            json_array_append_new(a, json_string(env.v[i]));
        strvec_free(&env);
        emit(json_pack("{s:s s:o}", "event", "env", "env", a));
    }
    json_decref(j);
}

static void alloc_cb(uv_handle_t *h, size_t n, uv_buf_t *b)
{
    static char buf[65536];
    *b = uv_buf_init(buf, sizeof buf);
}

static void on_closed(uv_handle_t *h)
{
}

static void on_stdin(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    if (n < 0) {
        uv_close((uv_handle_t *)&in, on_closed);
        netproxy_session_stop(session);
        session = NULL;
        return;
    }
    buf_append(&line, b->base, (size_t)n);
    char *nl;
    while (line.data && (nl = memchr(line.data, '\n', line.len)) != NULL) {
        *nl = '\0';
        command(line.data);
        size_t used = (size_t)(nl - line.data) + 1;
        memmove(line.data, line.data + used, line.len - used);
        line.len -= used;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: netproxy_harness CODEX_BIN CONFIG.json\n");
        return 2;
    }
    json_error_t jerr;
    json_t *j = json_load_file(argv[2], 0, &jerr);
    struct netproxy_config cfg;
    struct codex_error err = CODEX_ERROR_INIT;
    if (!j || netproxy_config_from_json(j, &cfg, &err) != 0) {
        fprintf(stderr, "netproxy_harness: %s\n", j ? err.message : jerr.text);
        codex_error_clear(&err);
        json_decref(j);
        return 2;
    }
    json_decref(j);
    uv_loop_t *loop = uv_default_loop();
    struct netproxy_session_hooks hooks = {on_ask, on_withdrawn, on_blocked, on_exited, NULL};
    extern char **environ;
    struct netproxy_session_opts opts = {argv[1], (const char *const *)environ, loop, &hooks};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int started = netproxy_session_start(&cfg, &opts, &session, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (started != 0) {
        emit(json_pack("{s:s s:s}", "event", "error", "message", err.message));
        codex_error_clear(&err);
        netproxy_config_free(&cfg);
        return 1;
    }
    netproxy_config_free(&cfg);
    json_t *ready = json_pack("{s:s s:s s:i s:I}", "event", "ready", "admin", netproxy_session_admin_addr(session),
                              "pid", (int)netproxy_session_pid(session), "start_us",
                              (json_int_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000));
    if (netproxy_session_http_addr(session))
        json_object_set_new(ready, "http", json_string(netproxy_session_http_addr(session)));
    if (netproxy_session_socks_addr(session))
        json_object_set_new(ready, "socks", json_string(netproxy_session_socks_addr(session)));
    if (netproxy_session_ca_cert(session)) {
        json_object_set_new(ready, "ca_cert", json_string(netproxy_session_ca_cert(session)));
        json_object_set_new(ready, "ca_bundle", json_string(netproxy_session_ca_bundle(session)));
    }
    emit(ready);
    uv_pipe_init(loop, &in, 0);
    uv_pipe_open(&in, 0);
    uv_read_start((uv_stream_t *)&in, alloc_cb, on_stdin);
    uv_run(loop, UV_RUN_DEFAULT);
    buf_free(&line);
    uv_loop_close(loop);
    return 0;
}

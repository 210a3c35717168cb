#include "mcp/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum state { STARTING, READY, FAILED };

struct mcp_request {
    struct mcp_client *c;
    struct mcp_request *next;
    long id;
    long progress_token; /* -1: none */
    char *method;
    uv_timer_t *timer;
    struct mcp_request_opts opts;
};

struct mcp_client {
    uv_loop_t *loop;
    struct mcp_transport *t;
    char *name;
    char *version;
    bool http;
    unsigned startup_timeout_ms;
    struct mcp_client_callbacks cb;
    enum state state;
    long next_id;
    long next_progress_token;
    struct mcp_request *requests;
    uv_timer_t *startup_timer;
    json_t *tools;
    char *instructions;
    json_t *server_info;
    json_t *capabilities;
    char *protocol_version;
    int busy;   /* inside a callback to the owner */
    bool freed; /* mcp_client_free was called meanwhile */
};

static void timer_closed(uv_handle_t *h)
{
    free(h);
}

static void timer_drop(uv_timer_t **t)
{
    if (!*t)
        return;
    uv_timer_stop(*t);
    uv_close((uv_handle_t *)*t, timer_closed);
    *t = NULL;
}

static void client_destroy(struct mcp_client *c)
{
    while (c->requests) {
        struct mcp_request *r = c->requests;
        c->requests = r->next;
        timer_drop(&r->timer);
        free(r->method);
        free(r);
    }
    timer_drop(&c->startup_timer);
    if (c->t)
        c->t->ops->close(c->t);
    json_decref(c->tools);
    json_decref(c->server_info);
    json_decref(c->capabilities);
    free(c->instructions);
    free(c->protocol_version);
    free(c->name);
    free(c->version);
    free(c);
}

void mcp_client_free(struct mcp_client *c)
{
    if (!c)
        return;
    if (c->busy) {
        /* Inside our own callback: nothing more reaches the owner, and the
         * memory goes when the callback returns. */
        c->freed = true;
        if (c->t) {
            c->t->ops->close(c->t);
            c->t = NULL;
        }
        return;
    }
    client_destroy(c);
}

/* Around every call into the owner: it may free us. */
static void enter(struct mcp_client *c)
{
    c->busy++;
}

static bool leave(struct mcp_client *c)
{
    if (--c->busy == 0 && c->freed) {
        client_destroy(c);
        return false;
    }
    return !c->freed;
}

/* ---- sending --------------------------------------------------------------- */

static void send_msg(struct mcp_client *c, json_t *msg)
{
    if (c->t && c->state != FAILED)
        c->t->ops->send(c->t, msg);
    json_decref(msg);
}

void mcp_client_notify(struct mcp_client *c, const char *method, json_t *params)
{
    json_t *m = json_pack("{s:s s:s}", "jsonrpc", "2.0", "method", method);
    if (params)
        json_object_set_new(m, "params", params);
    send_msg(c, m);
}

void mcp_client_answer(struct mcp_client *c, const json_t *id, json_t *result, long code,
                       const char *message)
{
    json_t *m = json_pack("{s:s s:O}", "jsonrpc", "2.0", "id", id);
    if (result)
        json_object_set_new(m, "result", result);
    else
        json_object_set_new(m, "error", json_pack("{s:I s:s}", "code", (json_int_t)code, "message",
                                                  message ? message : "error"));
    send_msg(c, m);
}

static void unlink_request(struct mcp_request *r)
{
    struct mcp_request **pp = &r->c->requests;
    while (*pp && *pp != r)
        pp = &(*pp)->next;
    if (*pp)
        *pp = r->next;
}

static void request_free(struct mcp_request *r)
{
    unlink_request(r);
    timer_drop(&r->timer);
    free(r->method);
    free(r);
}

/* Hand the outcome to the requester; the request is gone afterwards. */
static bool finish_request(struct mcp_request *r, const json_t *result, const struct mcp_failure *f)
{
    struct mcp_client *c = r->c;
    struct mcp_request_opts o = r->opts;
    request_free(r);
    enter(c);
    o.done(o.ud, result, f);
    return leave(c);
}

static void on_request_timeout(uv_timer_t *timer)
{
    struct mcp_request *r = timer->data;
    struct mcp_client *c = r->c;
    mcp_client_notify(c, "notifications/cancelled",
                      json_pack("{s:I s:s}", "requestId", (json_int_t)r->id, "reason",
                                "MCP request cancelled by caller"));
    char msg[256];
    snprintf(msg, sizeof msg, "timed out awaiting %s after %ums", r->method, r->opts.timeout_ms);
    struct mcp_failure f = {.kind = MCP_FAIL_TIMEOUT, .message = msg};
    finish_request(r, NULL, &f);
}

struct mcp_request *mcp_client_request(struct mcp_client *c, const char *method, json_t *params,
                                       const struct mcp_request_opts *opts)
{
    if (!c || c->state == FAILED || c->freed || !c->t) {
        json_decref(params);
        return NULL;
    }
    struct mcp_request *r = xcalloc(1, sizeof *r);
    r->c = c;
    r->id = c->next_id++;
    r->method = xstrdup(method);
    r->opts = *opts;
    r->progress_token = -1;
    if (!params)
        params = json_object();
    if (opts->progress) {
        r->progress_token = c->next_progress_token++;
        json_t *meta = json_object_get(params, "_meta");
        if (!json_is_object(meta)) {
            meta = json_object();
            /* _meta leads, as in the reference's requests. */
            json_t *with = json_pack("{s:o}", "_meta", meta);
            json_object_update(with, params);
            json_decref(params);
            params = with;
        }
        json_object_set_new(meta, "progressToken", json_integer(r->progress_token));
    }
    r->next = c->requests;
    c->requests = r;
    if (opts->timeout_ms) {
        r->timer = xcalloc(1, sizeof *r->timer);
        uv_timer_init(c->loop, r->timer);
        r->timer->data = r;
        uv_timer_start(r->timer, on_request_timeout, opts->timeout_ms, 0);
    }
    json_t *m = json_pack("{s:s s:I s:s s:o}", "jsonrpc", "2.0", "id", (json_int_t)r->id, "method",
                          method, "params", params);
    send_msg(c, m);
    return r;
}

void mcp_request_cancel(struct mcp_request *r, const char *reason)
{
    if (!r)
        return;
    struct mcp_client *c = r->c;
    mcp_client_notify(c, "notifications/cancelled",
                      json_pack("{s:I s:s}", "requestId", (json_int_t)r->id, "reason",
                                reason ? reason : "MCP request cancelled by caller"));
    request_free(r);
}

long mcp_request_id(const struct mcp_request *r)
{
    return r->id;
}

/* ---- failing ----------------------------------------------------------------- */

static void fail(struct mcp_client *c, const char *why)
{
    if (c->state == FAILED)
        return;
    bool starting = c->state == STARTING;
    c->state = FAILED;
    timer_drop(&c->startup_timer);
    if (c->t) {
        c->t->ops->close(c->t);
        c->t = NULL;
    }
    enter(c);
    while (c->requests && !c->freed) {
        struct mcp_failure f = {.kind = MCP_FAIL_CLOSED, .message = why};
        struct mcp_request *r = c->requests;
        struct mcp_request_opts o = r->opts;
        request_free(r);
        o.done(o.ud, NULL, &f);
    }
    if (!c->freed) {
        char msg[1400];
        if (starting)
            snprintf(msg, sizeof msg, "handshaking with MCP server failed: %s", why);
        else
            snprintf(msg, sizeof msg, "%s", why);
        c->cb.on_failed(c->cb.ud, c, msg);
    }
    leave(c);
}

static void on_startup_timeout(uv_timer_t *timer)
{
    struct mcp_client *c = timer->data;
    char why[256];
    snprintf(why, sizeof why,
             "MCP client for `%s` timed out after %.0f seconds; raise startup_timeout_sec in "
             "[mcp_servers.%s] if the server needs longer",
             c->name, c->startup_timeout_ms / 1000.0, c->name);
    fail(c, why);
}

/* ---- the handshake ------------------------------------------------------------ */

static void list_tools(struct mcp_client *c, const char *cursor);

static void on_tools_page(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct mcp_client *c = ud;
    if (f) {
        char why[1200];
        snprintf(why, sizeof why, "tools/list failed: %s", f->message);
        fail(c, why);
        return;
    }
    const json_t *tools = json_object_get(result, "tools");
    size_t i;
    json_t *t;
    json_array_foreach(tools, i, t) if (json_is_object(t) && json_is_string(json_object_get(t, "name")))
        json_array_append(c->tools, t);
    const char *next = json_string_value(json_object_get(result, "nextCursor"));
    if (next && *next) {
        list_tools(c, next);
        return;
    }
    c->state = READY;
    timer_drop(&c->startup_timer);
    enter(c);
    c->cb.on_ready(c->cb.ud, c);
    leave(c);
}

static void list_tools(struct mcp_client *c, const char *cursor)
{
    json_t *params = cursor ? json_pack("{s:s}", "cursor", cursor) : json_object();
    struct mcp_request_opts o = {.done = on_tools_page, .ud = c};
    /* The first page carries a progress token, as the reference's does;
     * nothing listens to it. */
    if (!cursor) {
        json_t *p = json_pack("{s:{s:I}}", "_meta", "progressToken", (json_int_t)c->next_progress_token++);
        json_object_update(p, params);
        json_decref(params);
        params = p;
    }
    mcp_client_request(c, "tools/list", params, &o);
}

static void on_initialized(void *ud, const json_t *result, const struct mcp_failure *f)
{
    struct mcp_client *c = ud;
    if (f) {
        char why[1200];
        if (f->kind == MCP_FAIL_RPC)
            snprintf(why, sizeof why, "initialize failed: Mcp error: %ld: %s", f->code, f->message);
        else
            snprintf(why, sizeof why, "%s", f->message);
        fail(c, why);
        return;
    }
    const char *version = json_string_value(json_object_get(result, "protocolVersion"));
    c->protocol_version = xstrdup(version ? version : MCP_PROTOCOL_VERSION);
    const char *instructions = json_string_value(json_object_get(result, "instructions"));
    c->instructions = instructions ? xstrdup(instructions) : NULL;
    c->server_info = json_incref(json_object_get(result, "serverInfo"));
    c->capabilities = json_incref(json_object_get(result, "capabilities"));
    /* From here on every HTTP request names the protocol version. */
    if (c->t)
        c->t->ops->initialized(c->t, c->protocol_version);
    mcp_client_notify(c, "notifications/initialized", NULL);
    list_tools(c, NULL);
}

static void start_handshake(struct mcp_client *c)
{
    json_t *caps = json_object();
    if (!c->http)
        json_object_set_new(caps, "experimental", json_pack("{s:{}}", "codex/auth-change"));
    json_object_set_new(caps, "elicitation", json_pack("{s:{} s:{}}", "form", "url"));
    json_t *params = json_pack("{s:s s:o s:{s:s s:s s:s}}", "protocolVersion", MCP_PROTOCOL_VERSION,
                               "capabilities", caps, "clientInfo", "name", "codex-mcp-client",
                               "title", "Codex", "version", c->version);
    struct mcp_request_opts o = {.done = on_initialized, .ud = c};
    mcp_client_request(c, "initialize", params, &o);
}

/* ---- receiving ------------------------------------------------------------------ */

static struct mcp_request *find_by_id(struct mcp_client *c, const json_t *id)
{
    if (!json_is_integer(id))
        return NULL;
    for (struct mcp_request *r = c->requests; r; r = r->next)
        if (r->id == (long)json_integer_value(id))
            return r;
    return NULL;
}

static void on_response(struct mcp_client *c, const json_t *msg)
{
    struct mcp_request *r = find_by_id(c, json_object_get(msg, "id"));
    if (!r)
        return; /* late or unknown: dropped */
    const json_t *err = json_object_get(msg, "error");
    if (err) {
        const char *m = json_string_value(json_object_get(err, "message"));
        struct mcp_failure f = {
            .kind = MCP_FAIL_RPC,
            .code = (long)json_integer_value(json_object_get(err, "code")),
            .message = m ? m : "error",
            .data = json_object_get(err, "data"),
        };
        finish_request(r, NULL, &f);
        return;
    }
    const json_t *result = json_object_get(msg, "result");
    json_t *empty = NULL;
    if (!result)
        result = empty = json_object();
    finish_request(r, result, NULL);
    json_decref(empty);
}

static void on_notification(struct mcp_client *c, const char *method, const json_t *params)
{
    if (strcmp(method, "notifications/progress") == 0) {
        const json_t *token = json_object_get(params, "progressToken");
        for (struct mcp_request *r = c->requests; r && json_is_integer(token); r = r->next) {
            if (r->progress_token != (long)json_integer_value(token) || !r->opts.progress)
                continue;
            enter(c);
            r->opts.progress(r->opts.ud, params);
            leave(c);
            return;
        }
        return;
    }
    if (c->cb.on_notification) {
        enter(c);
        c->cb.on_notification(c->cb.ud, c, method, params);
        leave(c);
    }
}

static void on_server_request(struct mcp_client *c, const json_t *id, const char *method,
                              const json_t *params)
{
    if (strcmp(method, "ping") == 0) {
        mcp_client_answer(c, id, json_object(), 0, NULL);
        return;
    }
    if (c->cb.on_server_request && strcmp(method, "roots/list") != 0) {
        enter(c);
        c->cb.on_server_request(c->cb.ud, c, id, method, params);
        leave(c);
        return;
    }
    char msg[256];
    snprintf(msg, sizeof msg, "Method not found: %.200s", method);
    mcp_client_answer(c, id, NULL, -32601, msg);
}

static void on_message(void *ud, json_t *msg)
{
    struct mcp_client *c = ud;
    enter(c);
    const char *method = json_string_value(json_object_get(msg, "method"));
    const json_t *id = json_object_get(msg, "id");
    const json_t *params = json_object_get(msg, "params");
    if (c->state == FAILED || c->freed)
        ;
    else if (method && id && !json_is_null(id))
        on_server_request(c, id, method, params);
    else if (method)
        on_notification(c, method, params);
    else if (id)
        on_response(c, msg);
    json_decref(msg);
    leave(c);
}

static void on_closed(void *ud, const char *why)
{
    struct mcp_client *c = ud;
    enter(c);
    fail(c, why);
    leave(c);
}

struct mcp_client *mcp_client_new(uv_loop_t *loop, const struct mcp_client_opts *opts,
                                  const struct mcp_client_callbacks *cb, struct codex_error *err)
{
    struct mcp_client *c = xcalloc(1, sizeof *c);
    c->loop = loop;
    struct mcp_transport_events ev = {.on_message = on_message, .on_closed = on_closed, .ud = c};
    c->t = opts->http ? mcp_http_start(loop, opts->http, &ev, err)
                      : mcp_stdio_start(loop, opts->stdio, &ev, err);
    if (!c->t) {
        free(c);
        return NULL;
    }
    c->name = xstrdup(opts->name ? opts->name : "");
    c->version = xstrdup(opts->client_version ? opts->client_version : "0");
    c->http = opts->http != NULL;
    c->startup_timeout_ms = opts->startup_timeout_ms;
    c->cb = *cb;
    c->tools = json_array();
    if (opts->startup_timeout_ms) {
        c->startup_timer = xcalloc(1, sizeof *c->startup_timer);
        uv_timer_init(loop, c->startup_timer);
        c->startup_timer->data = c;
        uv_timer_start(c->startup_timer, on_startup_timeout, opts->startup_timeout_ms, 0);
    }
    start_handshake(c);
    return c;
}

bool mcp_client_ready(const struct mcp_client *c)
{
    return c && c->state == READY;
}

bool mcp_client_failed(const struct mcp_client *c)
{
    return !c || c->state == FAILED;
}

const json_t *mcp_client_tools(const struct mcp_client *c)
{
    return c->tools;
}

const char *mcp_client_instructions(const struct mcp_client *c)
{
    return c->instructions;
}

const json_t *mcp_client_server_info(const struct mcp_client *c)
{
    return c->server_info;
}

const json_t *mcp_client_capabilities(const struct mcp_client *c)
{
    return c->capabilities;
}

const char *mcp_client_protocol_version(const struct mcp_client *c)
{
    return c->protocol_version;
}

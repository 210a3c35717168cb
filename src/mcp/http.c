/* The streamable HTTP transport (MCP 2025-06-18): every message is a POST
 * to the server's URL; a request is answered with one JSON message or with
 * an SSE stream that may carry the server's own requests and notifications
 * before the response.  The session id the server hands out with the
 * initialize answer goes with every later request, as does the protocol
 * version once the handshake is done; a GET opens the server's event stream
 * (405 means it has none), and a DELETE ends the session at close.
 *
 * A request whose POST fails gets a JSON-RPC error answer made here, so the
 * client sees every request answered exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mcp/transport.h"
#include "model/http.h"
#include "model/sse.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define CONNECT_TIMEOUT_MS 10000
#define DELETE_TIMEOUT_MS 2000

struct http_transport;

struct post {
    struct http_transport *t;
    struct post *next;
    struct http_call *call;
    json_t *id;          /* of the request sent, NULL for a notification */
    bool sse;            /* the answer is an event stream */
    bool is_get;         /* the server's own event stream */
    struct buf body;     /* a JSON answer, collected */
    struct sse_parser parser;
    bool too_large;
    bool notification;
};

struct http_transport {
    struct mcp_transport base;
    struct mcp_transport_events ev;
    uv_loop_t *loop;
    struct http_client *client;
    char *url;
    struct strvec headers;
    char *session_id;
    char *protocol_version;
    struct post *posts;
    /* A notification is answered before anything after it goes out, so
     * the server sees notifications/initialized before tools/list. */
    int notifications_in_flight;
    json_t *held;       /* messages waiting for that */
    bool closed;
    int busy;
    bool freed;
};

static void post_free(struct post *p);

static void cancel_posts(struct http_transport *t)
{
    while (t->posts) {
        struct post *p = t->posts;
        if (p->call)
            http_call_cancel(p->call);
        post_free(p);
    }
}

static void transport_destroy(struct http_transport *t)
{
    cancel_posts(t);
    json_decref(t->held);
    http_client_free(t->client);
    free(t->url);
    strvec_free(&t->headers);
    free(t->session_id);
    free(t->protocol_version);
    free(t);
}

static void post_free(struct post *p)
{
    struct post **pp = &p->t->posts;
    while (*pp && *pp != p)
        pp = &(*pp)->next;
    if (*pp)
        *pp = p->next;
    json_decref(p->id);
    buf_free(&p->body);
    sse_free(&p->parser);
    free(p);
}

static void deliver(struct http_transport *t, json_t *msg)
{
    if (t->closed) {
        json_decref(msg);
        return;
    }
    if (json_is_array(msg)) { /* a batch */
        size_t i;
        json_t *m;
        json_array_foreach(msg, i, m) if (json_is_object(m) && !t->closed)
            t->ev.on_message(t->ev.ud, json_incref(m));
        json_decref(msg);
        return;
    }
    if (json_is_object(msg))
        t->ev.on_message(t->ev.ud, msg);
    else
        json_decref(msg);
}

static void deliver_text(struct http_transport *t, const char *s, size_t n)
{
    json_t *msg = json_loadb(s, n, 0, NULL);
    if (msg)
        deliver(t, msg);
}

static int on_sse_event(void *ud, const char *event, const char *data, size_t n)
{
    struct post *p = ud;
    if ((!*event || strcmp(event, "message") == 0) && n)
        deliver_text(p->t, data, n);
    return p->t->closed ? 1 : 0;
}

static void on_header(void *ud, const char *name, size_t nlen, const char *value, size_t vlen)
{
    struct post *p = ud;
    if (nlen == 12 && strncasecmp(name, "content-type", 12) == 0)
        p->sse = vlen >= 17 && strncasecmp(value, "text/event-stream", 17) == 0;
    if (nlen == 14 && strncasecmp(name, "mcp-session-id", 14) == 0 && vlen && vlen < 1024) {
        /* Visible ASCII only: the id goes back out in a header. */
        for (size_t i = 0; i < vlen; i++)
            if (value[i] < 0x21 || value[i] > 0x7e)
                return;
        free(p->t->session_id);
        p->t->session_id = xstrndup(value, vlen);
    }
}

static bool on_data(void *ud, const char *bytes, size_t n)
{
    struct post *p = ud;
    if (p->t->closed)
        return false;
    if (p->sse) {
        p->t->busy++;
        int r = sse_feed(&p->parser, bytes, n);
        p->t->busy--;
        if (r == SSE_TOO_LARGE)
            p->too_large = true;
        return r == SSE_OK;
    }
    if (p->body.len + n > MCP_MAX_MESSAGE_BYTES) {
        p->too_large = true;
        return false;
    }
    buf_append(&p->body, bytes, n);
    return true;
}

/* The answer a failed request gets, so its caller is not left waiting. */
static void answer_failure(struct http_transport *t, const json_t *id, const struct http_result *res)
{
    char msg[512];
    if (res->failure == HTTP_OK)
        snprintf(msg, sizeof msg, "HTTP %ld from the MCP server%s%.200s", res->status,
                 res->error_body ? ": " : "", res->error_body ? res->error_body : "");
    else if (res->failure == HTTP_IDLE_TIMEOUT)
        snprintf(msg, sizeof msg, "the MCP server stopped answering");
    else
        snprintf(msg, sizeof msg, "%s", res->error ? res->error : "the request failed");
    /* Strip what would break a one-line message. */
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    json_t *err = json_pack("{s:s s:O s:{s:i s:s}}", "jsonrpc", "2.0", "id", id, "error", "code",
                            res->status == 401 ? -32001 : -32000, "message", msg);
    if (res->status)
        json_object_set_new(json_object_get(err, "error"), "data",
                            json_pack("{s:i}", "httpStatus", (int)res->status));
    deliver(t, err);
}

static void finish_close(struct http_transport *t);
static int mcp_http_send(struct mcp_transport *base, const json_t *msg);

static void on_done(void *ud, const struct http_result *res)
{
    struct post *p = ud;
    struct http_transport *t = p->t;
    p->call = NULL;
    t->busy++;
    bool ok = res->failure == HTTP_OK && res->status >= 200 && res->status < 300;
    if (ok && !p->sse && p->body.len)
        deliver_text(t, p->body.data, p->body.len);
    if (p->too_large && !t->closed) {
        char why[128];
        snprintf(why, sizeof why, "the server sent a message longer than %u MiB; disconnected",
                 MCP_MAX_MESSAGE_BYTES >> 20);
        t->closed = true;
        t->ev.on_closed(t->ev.ud, why);
    } else if (p->id && !t->closed && (!ok || (p->sse && res->failure != HTTP_OK))) {
        answer_failure(t, p->id, res);
    }
    bool released = p->notification && --t->notifications_in_flight == 0;
    post_free(p);
    if (released && !t->closed && t->held) {
        json_t *held = t->held;
        t->held = NULL;
        size_t i;
        json_t *m;
        json_array_foreach(held, i, m) mcp_http_send(&t->base, m);
        json_decref(held);
    }
    if (--t->busy == 0 && t->freed)
        finish_close(t);
}

static struct post *start(struct http_transport *t, const char *method, const json_t *msg)
{
    struct post *p = xcalloc(1, sizeof *p);
    p->t = t;
    p->is_get = strcmp(method, "GET") == 0;
    const json_t *id = msg ? json_object_get(msg, "id") : NULL;
    if (id && json_object_get(msg, "method"))
        p->id = json_incref((json_t *)id);
    sse_init(&p->parser, MCP_MAX_MESSAGE_BYTES, on_sse_event, p);
    p->next = t->posts;
    t->posts = p;
    struct strvec h = STRVEC_INIT;
    for (size_t i = 0; i < t->headers.n; i++)
        strvec_push(&h, t->headers.v[i]);
    if (p->is_get)
        strvec_push(&h, "Accept: text/event-stream");
    else
        strvec_push(&h, "Accept: text/event-stream, application/json");
    if (strcmp(method, "POST") == 0)
        strvec_push(&h, "Content-Type: application/json");
    if (t->session_id)
        strvec_push_owned(&h, xasprintf("Mcp-Session-Id: %s", t->session_id));
    if (t->protocol_version)
        strvec_push_owned(&h, xasprintf("Mcp-Protocol-Version: %s", t->protocol_version));
    char *body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    struct http_request req = {
        .method = method,
        .url = t->url,
        .headers = &h,
        .body = body ? body : "",
        .body_len = body ? strlen(body) : 0,
        .connect_timeout_ms = CONNECT_TIMEOUT_MS,
        .idle_timeout_ms = strcmp(method, "DELETE") == 0 ? DELETE_TIMEOUT_MS : 0,
    };
    struct http_callbacks cbs = {.on_data = on_data, .on_done = on_done, .on_header = on_header,
                                 .ud = p};
    p->call = http_send(t->client, &req, &cbs);
    free(body);
    strvec_free(&h);
    return p;
}

static int mcp_http_send(struct mcp_transport *base, const json_t *msg)
{
    struct http_transport *t = (struct http_transport *)base;
    if (t->closed)
        return -1;
    if (t->notifications_in_flight) {
        if (!t->held)
            t->held = json_array();
        json_array_append(t->held, (json_t *)msg);
        return 0;
    }
    struct post *p = start(t, "POST", msg);
    if (!json_object_get(msg, "id") && json_object_get(msg, "method")) {
        p->notification = true;
        t->notifications_in_flight++;
    }
    return 0;
}

static void http_initialized(struct mcp_transport *base, const char *protocol_version)
{
    struct http_transport *t = (struct http_transport *)base;
    free(t->protocol_version);
    t->protocol_version = xstrdup(protocol_version);
    if (!t->closed)
        start(t, "GET", NULL);
}

static void destroy_timer_closed(uv_handle_t *h)
{
    transport_destroy(h->data);
    free(h);
}

static void on_destroy_timer(uv_timer_t *timer)
{
    uv_close((uv_handle_t *)timer, destroy_timer_closed);
}

/* The HTTP client may not be freed from inside its own callbacks: the
 * transport goes on the next turn of the loop. */
static void destroy_soon(struct http_transport *t)
{
    uv_timer_t *timer = xcalloc(1, sizeof *timer);
    uv_timer_init(t->loop, timer);
    timer->data = t;
    uv_timer_start(timer, on_destroy_timer, 0, 0);
}

static void on_delete_done(void *ud, const struct http_result *res)
{
    (void)res;
    destroy_soon(ud);
}

static bool ignore_data(void *ud, const char *bytes, size_t n)
{
    (void)ud;
    (void)bytes;
    (void)n;
    return true;
}

/* End the session (a DELETE when the server gave one); the memory goes
 * once the server has answered. */
static void finish_close(struct http_transport *t)
{
    cancel_posts(t);
    if (!t->session_id) {
        destroy_soon(t);
        return;
    }
    struct strvec h = STRVEC_INIT;
    for (size_t i = 0; i < t->headers.n; i++)
        strvec_push(&h, t->headers.v[i]);
    strvec_push_owned(&h, xasprintf("Mcp-Session-Id: %s", t->session_id));
    if (t->protocol_version)
        strvec_push_owned(&h, xasprintf("Mcp-Protocol-Version: %s", t->protocol_version));
    struct http_request req = {.method = "DELETE", .url = t->url, .headers = &h, .body = "",
                               .connect_timeout_ms = DELETE_TIMEOUT_MS,
                               .idle_timeout_ms = DELETE_TIMEOUT_MS};
    struct http_callbacks cbs = {.on_data = ignore_data, .on_done = on_delete_done, .ud = t};
    http_send(t->client, &req, &cbs);
    strvec_free(&h);
}

static void http_close(struct mcp_transport *base)
{
    struct http_transport *t = (struct http_transport *)base;
    t->closed = true;
    /* Inside one of our callbacks the calls in flight are left alone; the
     * one running ends the close when it returns. */
    if (t->busy)
        t->freed = true;
    else
        finish_close(t);
}

static const struct mcp_transport_ops http_ops = {
    .send = mcp_http_send,
    .initialized = http_initialized,
    .close = http_close,
};

struct mcp_transport *mcp_http_start(uv_loop_t *loop, const struct mcp_http_spec *spec,
                                     const struct mcp_transport_events *ev, struct codex_error *err)
{
    char errbuf[512];
    struct http_client *client = http_client_new(loop, spec->url, errbuf, sizeof errbuf);
    if (!client) {
        codex_error_set(err, "%s", errbuf);
        return NULL;
    }
    struct http_transport *t = xcalloc(1, sizeof *t);
    t->base.ops = &http_ops;
    t->ev = *ev;
    t->loop = loop;
    t->client = client;
    t->url = xstrdup(spec->url);
    if (spec->user_agent)
        strvec_push_owned(&t->headers, xasprintf("User-Agent: %s", spec->user_agent));
    for (size_t i = 0; spec->headers && i < spec->headers->n; i++)
        strvec_push(&t->headers, spec->headers->v[i]);
    return &t->base;
}

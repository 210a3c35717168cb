#include "model/http_fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/http.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define DEFAULT_TIMEOUT_MS 60000
#define CONNECT_TIMEOUT_MS 30000

struct http_fetch {
    uv_loop_t *loop;
    struct http_client *client;
    struct http_call *call;
    uv_timer_t *timer; /* the deadline, then the deferred teardown */
    struct buf body;
    http_fetch_fn done;
    void *ud;
    char error[256];
    bool over; /* done was called, or the fetch was cancelled */
};

static void close_free(uv_handle_t *h)
{
    free(h);
}

/* libcurl must not be torn down from inside its own completion callback,
 * so the client is released on a later loop turn. */
static void on_reap(uv_timer_t *t)
{
    struct http_fetch *f = t->data;
    http_client_free(f->client);
    uv_close((uv_handle_t *)f->timer, close_free);
    buf_free(&f->body);
    free(f);
}

static void teardown(struct http_fetch *f)
{
    f->over = true;
    uv_timer_stop(f->timer);
    uv_timer_start(f->timer, on_reap, 0, 0);
}

static void report(struct http_fetch *f, long status, const char *error, const char *body,
                   size_t len)
{
    struct http_fetch_result res = {.status = status, .error = error, .body = body ? body : "",
                                    .body_len = body ? len : 0};
    f->over = true;
    f->done(f->ud, &res);
}

static void on_deadline(uv_timer_t *t)
{
    struct http_fetch *f = t->data;
    if (f->call)
        http_call_cancel(f->call);
    f->call = NULL;
    report(f, 0, f->error[0] ? f->error : "request timed out", NULL, 0);
    teardown(f);
}

static bool on_data(void *ud, const char *bytes, size_t n)
{
    struct http_fetch *f = ud;
    size_t room = HTTP_FETCH_MAX_BODY - f->body.len;
    buf_append(&f->body, bytes, n < room ? n : room);
    return true;
}

static void on_done(void *ud, const struct http_result *res)
{
    struct http_fetch *f = ud;
    f->call = NULL;
    uv_timer_stop(f->timer);
    if (res->failure == HTTP_OK) {
        if (res->error_body)
            report(f, res->status, NULL, res->error_body, strlen(res->error_body));
        else
            report(f, res->status, NULL, buf_cstr(&f->body), f->body.len);
    } else {
        report(f, res->status, res->error && *res->error ? res->error : "connection failed", NULL,
               0);
    }
    teardown(f);
}

struct http_fetch *http_fetch_start(uv_loop_t *loop, const struct http_fetch_request *req,
                                    http_fetch_fn done, void *ud)
{
    struct http_fetch *f = xcalloc(1, sizeof *f);
    f->loop = loop;
    f->done = done;
    f->ud = ud;
    f->timer = xcalloc(1, sizeof *f->timer);
    uv_timer_init(loop, f->timer);
    f->timer->data = f;
    f->client = http_client_new(loop, req->url, f->error, sizeof f->error);
    if (!f->client) {
        uv_timer_start(f->timer, on_deadline, 0, 0);
        return f;
    }
    struct http_request hr = {
        .method = req->method,
        .url = req->url,
        .headers = req->headers,
        .body = req->body ? req->body : "",
        .body_len = req->body ? req->body_len : 0,
        .connect_timeout_ms = CONNECT_TIMEOUT_MS,
        .ca_file = req->ca_file,
    };
    struct http_callbacks cbs = {.on_data = on_data, .on_done = on_done, .ud = f};
    f->call = http_send(f->client, &hr, &cbs);
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : DEFAULT_TIMEOUT_MS;
    uv_timer_start(f->timer, on_deadline, (uint64_t)timeout, 0);
    return f;
}

void http_fetch_cancel(struct http_fetch *f)
{
    if (!f || f->over)
        return;
    if (f->call)
        http_call_cancel(f->call);
    f->call = NULL;
    teardown(f);
}

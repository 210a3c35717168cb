#include "model/http.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "model/curl_dl.h"
#include "model/http_plain.h"
#include "util/xalloc.h"

#define ERROR_BODY_MAX (64 * 1024)

struct http_client {
    uv_loop_t *loop;
    const struct curl_api *api;
    CURLM *multi;
    uv_timer_t timer; /* libcurl's own timeout timer */
    struct http_call *calls;
};

struct http_call {
    struct http_client *client;
    struct http_call *next;
    struct http_plain_call *plain; /* set for http:// URLs; the rest is libcurl's */
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    struct http_callbacks cbs;
    uv_timer_t *idle; /* heap: it is closed asynchronously */
    long idle_timeout_ms;
    long status;
    long retry_after_ms;
    struct buf error_body;
    bool aborted;
    char errbuf[CURL_ERROR_SIZE];
};

struct socket_ctx {
    uv_poll_t poll;
    curl_socket_t fd;
    struct http_client *client;
};

static void close_free(uv_handle_t *h)
{
    free(h);
}

static void free_client(uv_handle_t *h)
{
    free(h->data);
}

static void unlink_call(struct http_call *call)
{
    struct http_call **pp = &call->client->calls;
    while (*pp && *pp != call)
        pp = &(*pp)->next;
    if (*pp)
        *pp = call->next;
}

static void call_free(struct http_call *call)
{
    const struct curl_api *api = call->client->api;
    unlink_call(call);
    if (call->plain) {
        http_plain_cancel(call->plain);
        free(call);
        return;
    }
    api->multi_remove_handle(call->client->multi, call->easy);
    api->easy_cleanup(call->easy);
    api->slist_free_all(call->headers);
    if (call->idle) {
        uv_timer_stop(call->idle);
        uv_close((uv_handle_t *)call->idle, close_free);
    }
    free(call->body);
    buf_free(&call->error_body);
    free(call);
}

static void finish(struct http_call *call, enum http_failure failure, const char *error)
{
    /* The call is freed before the callback runs (which may start the next
     * call), so what the result points to is moved out first. */
    struct http_callbacks cbs = call->cbs;
    struct buf body = call->error_body;
    call->error_body = (struct buf)BUF_INIT;
    char err[CURL_ERROR_SIZE];
    snprintf(err, sizeof err, "%s", error ? error : "");
    struct http_result res = {
        .failure = failure,
        .status = call->status,
        .error = error ? err : NULL,
        .error_body = body.len ? buf_cstr(&body) : NULL,
        .retry_after_ms = call->retry_after_ms,
    };
    call_free(call);
    cbs.on_done(cbs.ud, &res);
    buf_free(&body);
}

static void check_done(struct http_client *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = c->api->multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct http_call *call = NULL;
        c->api->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
        CURLcode rc = msg->data.result;
        if (!call)
            continue;
        if (call->status == 0)
            c->api->easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &call->status);
        if (call->aborted)
            finish(call, HTTP_ABORTED, NULL);
        else if (rc != CURLE_OK)
            finish(call, HTTP_TRANSPORT,
                   call->errbuf[0] ? call->errbuf : c->api->easy_strerror(rc));
        else
            finish(call, HTTP_OK, NULL);
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct socket_ctx *s = h->data;
    int flags = 0, running;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    struct http_client *c = s->client;
    c->api->multi_socket_action(c->multi, s->fd, flags, &running);
    check_done(c);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct http_client *c = userp;
    struct socket_ctx *s = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            uv_poll_stop(&s->poll);
            uv_close((uv_handle_t *)&s->poll, close_free);
            c->api->multi_assign(c->multi, fd, NULL);
        }
        return 0;
    }
    if (!s) {
        s = xcalloc(1, sizeof *s);
        s->fd = fd;
        s->client = c;
        uv_poll_init_socket(c->loop, &s->poll, fd);
        s->poll.data = s;
        c->api->multi_assign(c->multi, fd, s);
    }
    int events = 0;
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    uv_poll_start(&s->poll, events, on_poll);
    return 0;
}

static void on_curl_timer(uv_timer_t *t)
{
    struct http_client *c = t->data;
    int running;
    c->api->multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(c);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct http_client *c = userp;
    if (timeout_ms < 0)
        uv_timer_stop(&c->timer);
    else
        uv_timer_start(&c->timer, on_curl_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

struct http_client *http_client_new(uv_loop_t *loop, const char *url, char *errbuf, size_t errlen)
{
    struct http_client *c = xcalloc(1, sizeof *c);
    c->loop = loop;
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    if (http_plain_handles(url))
        return c;
    const struct curl_api *api = curl_api_get(errbuf, errlen);
    if (!api) {
        uv_close((uv_handle_t *)&c->timer, free_client);
        return NULL;
    }
    c->api = api;
    c->multi = api->multi_init();
    api->multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    api->multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    api->multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    api->multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    return c;
}

static void on_idle_timeout(uv_timer_t *t)
{
    struct http_call *call = t->data;
    finish(call, HTTP_IDLE_TIMEOUT, "idle timeout waiting for SSE");
}

static void touch_idle(struct http_call *call)
{
    if (call->idle)
        uv_timer_start(call->idle, on_idle_timeout, (uint64_t)call->idle_timeout_ms, 0);
}

long http_parse_retry_after(const char *v, size_t n)
{
    char tmp[32];
    if (n >= sizeof tmp)
        return -1;
    memcpy(tmp, v, n);
    tmp[n] = '\0';
    char *end;
    double secs = strtod(tmp, &end);
    while (*end == ' ' || *end == '\r' || *end == '\n')
        end++;
    if (end == tmp || *end || secs < 0)
        return -1; /* HTTP-date form: ignored, the backoff applies */
    return (long)(secs * 1000.0);
}

static void report_header(struct http_call *call, const char *p, size_t len)
{
    const char *colon = memchr(p, ':', len);
    if (!call->cbs.on_header || !colon || (len >= 5 && strncmp(p, "HTTP/", 5) == 0))
        return;
    const char *v = colon + 1, *end = p + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    call->cbs.on_header(call->cbs.ud, p, (size_t)(colon - p), v, (size_t)(end - v));
}

static size_t header_cb(char *p, size_t size, size_t n, void *ud)
{
    struct http_call *call = ud;
    size_t len = size * n;
    report_header(call, p, len);
    static const char name[] = "retry-after:";
    if (len > sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) {
        const char *v = p + sizeof name - 1;
        while (v < p + len && *v == ' ')
            v++;
        call->retry_after_ms = http_parse_retry_after(v, (size_t)(p + len - v));
    }
    touch_idle(call);
    return len;
}

static size_t write_cb(char *p, size_t size, size_t n, void *ud)
{
    struct http_call *call = ud;
    size_t len = size * n;
    if (call->status == 0)
        call->client->api->easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &call->status);
    touch_idle(call);
    if (call->status < 200 || call->status >= 300) {
        size_t room = ERROR_BODY_MAX - call->error_body.len;
        buf_append(&call->error_body, p, len < room ? len : room);
        return len;
    }
    if (!call->cbs.on_data(call->cbs.ud, p, len)) {
        call->aborted = true;
        return 0; /* makes libcurl fail the transfer */
    }
    return len;
}

static bool plain_on_data(void *ud, const char *bytes, size_t n)
{
    struct http_call *call = ud;
    return call->cbs.on_data(call->cbs.ud, bytes, n);
}

static void plain_on_header(void *ud, const char *name, size_t nlen, const char *value, size_t vlen)
{
    struct http_call *call = ud;
    if (call->cbs.on_header)
        call->cbs.on_header(call->cbs.ud, name, nlen, value, vlen);
}

static void plain_on_done(void *ud, const struct http_result *res)
{
    struct http_call *call = ud;
    struct http_callbacks cbs = call->cbs;
    unlink_call(call);
    free(call);
    cbs.on_done(cbs.ud, res);
}

struct http_call *http_send(struct http_client *c, const struct http_request *req,
                            const struct http_callbacks *cbs)
{
    const struct curl_api *api = c->api;
    struct http_call *call = xcalloc(1, sizeof *call);
    call->client = c;
    call->cbs = *cbs;
    call->next = c->calls;
    c->calls = call;
    if (!api) { /* http_client_new chose the plain transport for this URL */
        struct http_callbacks inner = {.on_data = plain_on_data, .on_done = plain_on_done, .ud = call,
                                       .on_header = plain_on_header};
        call->plain = http_plain_post(c->loop, req, &inner);
        return call;
    }
    call->retry_after_ms = -1;
    size_t body_len = http_body_len(req);
    call->body = xmalloc(body_len + 1);
    if (req->n_parts == 0) {
        memcpy(call->body, req->body, body_len);
    } else {
        size_t at = 0;
        for (size_t i = 0; i < req->n_parts; i++) {
            memcpy(call->body + at, req->parts[i].data, req->parts[i].len);
            at += req->parts[i].len;
        }
    }
    call->body[body_len] = '\0';
    for (size_t i = 0; req->headers && i < req->headers->n; i++)
        call->headers = api->slist_append(call->headers, req->headers->v[i]);
    call->headers = api->slist_append(call->headers, "Expect:");

    CURL *e = call->easy = api->easy_init();
    api->easy_setopt(e, CURLOPT_URL, req->url);
    if (!req->method || strcmp(req->method, "POST") == 0) {
        api->easy_setopt(e, CURLOPT_POST, 1L);
        api->easy_setopt(e, CURLOPT_POSTFIELDS, call->body);
        api->easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else if (strcmp(req->method, "GET") == 0) {
        api->easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        api->easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
    }
    if (req->ca_file)
        api->easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
    /* Credentials never follow a redirect to another host. */
    api->easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    api->easy_setopt(e, CURLOPT_HTTPHEADER, call->headers);
    api->easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    api->easy_setopt(e, CURLOPT_WRITEDATA, call);
    api->easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    api->easy_setopt(e, CURLOPT_HEADERDATA, call);
    api->easy_setopt(e, CURLOPT_PRIVATE, (char *)call);
    api->easy_setopt(e, CURLOPT_ERRORBUFFER, call->errbuf);
    api->easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    api->easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, req->connect_timeout_ms);
    api->easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    api->easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    if (req->idle_timeout_ms > 0) {
        call->idle_timeout_ms = req->idle_timeout_ms;
        call->idle = xcalloc(1, sizeof *call->idle);
        uv_timer_init(c->loop, call->idle);
        call->idle->data = call;
        touch_idle(call);
    }
    api->multi_add_handle(c->multi, e);
    return call;
}

void http_call_cancel(struct http_call *call)
{
    call_free(call);
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    while (c->calls)
        call_free(c->calls);
    if (c->api)
        c->api->multi_cleanup(c->multi);
    uv_close((uv_handle_t *)&c->timer, free_client);
}

size_t http_body_len(const struct http_request *req)
{
    if (req->n_parts == 0)
        return req->body_len;
    size_t n = 0;
    for (size_t i = 0; i < req->n_parts; i++)
        n += req->parts[i].len;
    return n;
}

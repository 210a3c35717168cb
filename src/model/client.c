#include "model/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model/zstd_dl.h"
#include "util/uuid.h"
#include "util/xalloc.h"

#define MAX_EVENT_BYTES (16u * 1024 * 1024)
#define CONNECT_TIMEOUT_MS 30000

struct model_client {
    uv_loop_t *loop;
    struct http_client *http;
    const struct provider_settings *ps;
    struct response_stream stream;
    struct sample_callbacks cbs;
    struct http_call *call;
    uv_timer_t *backoff;
    char *body;
    size_t body_len;
    bool body_zstd;
    /* Or the body in three pieces, the middle one the caller's (see
     * model_client_sample_parts); head is NULL when not. */
    char *head, *tail;
    size_t head_len, tail_len;
    const char *input;
    size_t input_len;
    struct strvec attempt_headers; /* the settings' headers plus the credentials' */
    int request_attempt; /* retries used at the request level, this round */
    int stream_attempt;  /* reconnects used */
    int unauthorized;    /* 401s answered so far for this sampling */
    char *unauthorized_message; /* what a 401 that cannot be recovered reports */
    bool waiting_credentials;
    bool busy;
};

static void start_attempt(struct model_client *mc);
static bool recover_unauthorized(struct model_client *mc, const struct http_result *res);

static void on_stream_event(void *ud, const struct stream_event *ev)
{
    struct model_client *mc = ud;
    mc->cbs.on_event(mc->cbs.ud, ev);
}

static void close_free(uv_handle_t *h)
{
    free(h);
}

struct model_client *model_client_new(uv_loop_t *loop, const struct provider_settings *ps,
                                      struct codex_error *err)
{
    char errbuf[512];
    struct http_client *http = http_client_new(loop, ps->url, errbuf, sizeof errbuf);
    if (!http) {
        codex_error_set(err, "%s", errbuf);
        return NULL;
    }
    struct model_client *mc = xcalloc(1, sizeof *mc);
    mc->loop = loop;
    mc->http = http;
    mc->ps = ps;
    mc->backoff = xcalloc(1, sizeof *mc->backoff);
    uv_timer_init(loop, mc->backoff);
    mc->backoff->data = mc;
    response_stream_init(&mc->stream, MAX_EVENT_BYTES, on_stream_event, mc);
    return mc;
}

static long backoff_ms(const struct model_client *mc, int attempt, long retry_after_ms)
{
    if (retry_after_ms >= 0)
        return retry_after_ms;
    long base = mc->ps->backoff_base_ms > 0 ? mc->ps->backoff_base_ms : 200;
    long ms = base << (attempt > 10 ? 10 : attempt - 1);
    unsigned char r;
    char hex[3];
    random_hex(hex, 1);
    r = (unsigned char)strtoul(hex, NULL, 16);
    return ms * (90 + (long)(r % 21)) / 100; /* +-10% jitter */
}

static void on_backoff(uv_timer_t *t)
{
    start_attempt(t->data);
}

static void schedule(struct model_client *mc, long delay_ms)
{
    uv_timer_start(mc->backoff, on_backoff, (uint64_t)delay_ms, 0);
}

static void fail(struct model_client *mc, const char *message)
{
    mc->busy = false;
    struct sample_result res = {.ok = false, .error = message};
    mc->cbs.on_done(mc->cbs.ud, &res);
}

/* A broken stream (or exhausted request retries): reconnect or give up. */
static void stream_error(struct model_client *mc, const char *message, long retry_after_ms)
{
    if (mc->stream_attempt >= mc->ps->stream_max_retries) {
        fail(mc, message);
        return;
    }
    mc->stream_attempt++;
    mc->request_attempt = 0;
    char *notice = xasprintf("Reconnecting... %d/%d (%s)", mc->stream_attempt,
                             mc->ps->stream_max_retries, message);
    mc->cbs.on_retry(mc->cbs.ud, notice);
    free(notice);
    schedule(mc, backoff_ms(mc, mc->stream_attempt, retry_after_ms));
}

static bool status_retryable(long status)
{
    return status == 429 || status >= 500 || status == 408 || status == 409;
}

static char *status_message(const struct http_result *res)
{
    if (res->status >= 500)
        return xstrdup(MODEL_HIGH_DEMAND_MESSAGE);
    if (res->status == 429)
        return xasprintf("exceeded retry limit, last status: 429 Too Many Requests%s%s",
                         res->error_body ? ", body: " : "", res->error_body ? res->error_body : "");
    return xasprintf("unexpected status %ld: %s", res->status,
                     res->error_body ? res->error_body : "(no body)");
}

static char *unauthorized_message(const struct model_client *mc, const struct http_result *res)
{
    json_t *doc = res->error_body ? json_loads(res->error_body, 0, NULL) : NULL;
    const char *text = json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
    char *msg = xasprintf("unexpected status 401 Unauthorized: %s, url: %s",
                          text ? text : res->error_body ? res->error_body : "(no body)", mc->ps->url);
    json_decref(doc);
    return msg;
}

/* The API refuses an oversized request up front with an error body whose
 * code says so; it means the same as the streamed context-window failure. */
static bool body_is_context_window_error(const char *body)
{
    if (!body)
        return false;
    json_t *doc = json_loads(body, 0, NULL);
    const char *code = json_string_value(json_object_get(json_object_get(doc, "error"), "code"));
    bool yes = code && strcmp(code, "context_length_exceeded") == 0;
    json_decref(doc);
    return yes;
}

static void request_failed(struct model_client *mc, const struct http_result *res)
{
    char *msg;
    if (res->failure == HTTP_TRANSPORT)
        msg = xasprintf("stream disconnected before completion: %s", res->error);
    else
        msg = status_message(res);
    if (mc->request_attempt < mc->ps->request_max_retries) {
        mc->request_attempt++;
        schedule(mc, backoff_ms(mc, mc->request_attempt, res->retry_after_ms));
    } else {
        stream_error(mc, msg, res->retry_after_ms);
    }
    free(msg);
}

static void stream_finished(struct model_client *mc)
{
    struct response_stream *rs = &mc->stream;
    char *msg = NULL;
    switch (rs->outcome) {
    case STREAM_COMPLETED: {
        mc->busy = false;
        struct sample_result res = {.ok = true, .response_id = rs->response_id, .usage = rs->usage};
        mc->cbs.on_done(mc->cbs.ud, &res);
        return;
    }
    case STREAM_INCOMPLETE:
        msg = xasprintf("Incomplete response returned, reason: %s",
                        rs->error_message ? rs->error_message : "unknown");
        fail(mc, msg);
        break;
    case STREAM_FAILED:
        if (rs->error_code && strcmp(rs->error_code, "context_length_exceeded") == 0) {
            fail(mc, MODEL_CONTEXT_WINDOW_MESSAGE);
            return;
        }
        if (rs->error_code && (strcmp(rs->error_code, "insufficient_quota") == 0 ||
                               strcmp(rs->error_code, "invalid_prompt") == 0)) {
            fail(mc, rs->error_message ? rs->error_message : rs->error_code);
            return;
        }
        msg = xasprintf("stream disconnected before completion: %s",
                        rs->error_message ? rs->error_message : "response.failed");
        stream_error(mc, msg, -1);
        break;
    case STREAM_PENDING:
        stream_error(mc,
                     "stream disconnected before completion: stream closed before "
                     "response.completed",
                     -1);
        break;
    }
    free(msg);
}

static bool on_data(void *ud, const char *bytes, size_t n)
{
    struct model_client *mc = ud;
    if (mc->stream.outcome != STREAM_PENDING)
        return true; /* drain quietly after the terminal event */
    return response_stream_feed(&mc->stream, bytes, n) == SSE_OK;
}

static void on_http_done(void *ud, const struct http_result *res)
{
    struct model_client *mc = ud;
    mc->call = NULL;
    switch (res->failure) {
    case HTTP_ABORTED:
        stream_error(mc, "stream disconnected before completion: an SSE event exceeded 16 MiB", -1);
        return;
    case HTTP_IDLE_TIMEOUT:
        if (mc->stream.outcome == STREAM_PENDING) {
            stream_error(mc, "stream disconnected before completion: idle timeout waiting for SSE",
                         -1);
            return;
        }
        break;
    case HTTP_TRANSPORT:
        /* A transport error after the terminal event does not matter. */
        if (mc->stream.outcome != STREAM_PENDING)
            break;
        if (res->status >= 200 && res->status < 300) {
            char *msg = xasprintf("stream disconnected before completion: %s", res->error);
            stream_error(mc, msg, -1);
            free(msg);
        } else {
            request_failed(mc, res);
        }
        return;
    case HTTP_OK:
        break;
    }
    if (res->status < 200 || res->status >= 300) {
        if (recover_unauthorized(mc, res))
            return;
        if (status_retryable(res->status)) {
            request_failed(mc, res);
        } else if (res->status == 401) {
            /* As the reference: an unauthorized answer is retried like a
             * broken stream, then reported with the API's own message. */
            char *msg = unauthorized_message(mc, res);
            stream_error(mc, msg, -1);
            free(msg);
        } else if (body_is_context_window_error(res->error_body)) {
            fail(mc, MODEL_CONTEXT_WINDOW_MESSAGE);
        } else {
            char *msg = res->error_body ? xstrdup(res->error_body) : status_message(res);
            fail(mc, msg);
            free(msg);
        }
        return;
    }
    stream_finished(mc);
}

static void send_attempt(struct model_client *mc)
{
    struct strvec *h = &mc->attempt_headers;
    strvec_free(h);
    for (size_t i = 0; i < mc->ps->headers.n; i++)
        strvec_push(h, mc->ps->headers.v[i]);
    if (mc->ps->credentials)
        mc->ps->credentials->headers(mc->ps->credentials->self, h);
    if (mc->body_zstd)
        strvec_push(h, "content-encoding: zstd");
    struct http_body_part parts[3] = {
        {mc->head, mc->head_len}, {mc->input, mc->input_len}, {mc->tail, mc->tail_len}};
    struct http_request req = {
        .url = mc->ps->url,
        .headers = h,
        .body = mc->body,
        .body_len = mc->body_len,
        .parts = parts,
        .n_parts = mc->head ? 3 : 0,
        .connect_timeout_ms = CONNECT_TIMEOUT_MS,
        .idle_timeout_ms = mc->ps->stream_idle_timeout_ms,
        .ca_file = mc->ps->ca_file,
    };
    struct http_callbacks hc = {.on_data = on_data, .on_done = on_http_done, .ud = mc};
    mc->call = http_send(mc->http, &req, &hc);
}

static void on_deferred_failure(uv_timer_t *t)
{
    struct model_client *mc = t->data;
    char *msg = mc->unauthorized_message;
    mc->unauthorized_message = NULL;
    fail(mc, msg);
    free(msg);
}

static void on_credentials_ready(void *ud, const char *error)
{
    struct model_client *mc = ud;
    mc->waiting_credentials = false;
    if (!error) {
        send_attempt(mc);
        return;
    }
    /* The credentials may answer at once, inside model_client_sample: the
     * failure is reported from the loop like every other one. */
    free(mc->unauthorized_message);
    mc->unauthorized_message = xstrdup(error);
    uv_timer_start(mc->backoff, on_deferred_failure, 0, 0);
}

static void start_attempt(struct model_client *mc)
{
    if (mc->ps->missing_key) {
        fail(mc, mc->ps->missing_key);
        return;
    }
    response_stream_reset(&mc->stream);
    if (mc->cbs.on_attempt)
        mc->cbs.on_attempt(mc->cbs.ud);
    struct model_credentials *cr = mc->ps->credentials;
    if (!cr) {
        send_attempt(mc);
        return;
    }
    mc->waiting_credentials = true;
    cr->prepare(cr->self, on_credentials_ready, mc);
}

static void on_unauthorized_done(void *ud, const char *error)
{
    struct model_client *mc = ud;
    mc->waiting_credentials = false;
    if (!error)
        start_attempt(mc);
    else
        fail(mc, *error ? error : mc->unauthorized_message);
}

/* A 401: the credentials may know a way out (fresh tokens on disk, a
 * refresh); otherwise the answer stands. */
static bool recover_unauthorized(struct model_client *mc, const struct http_result *res)
{
    struct model_credentials *cr = mc->ps->credentials;
    if (!cr || res->status != 401)
        return false;
    free(mc->unauthorized_message);
    mc->unauthorized_message = res->error_body ? xstrdup(res->error_body)
                                               : xstrdup("unexpected status 401 Unauthorized");
    mc->waiting_credentials = true;
    cr->unauthorized(cr->self, ++mc->unauthorized, on_unauthorized_done, mc);
    return true;
}

static void drop_body(struct model_client *mc)
{
    free(mc->body);
    free(mc->head);
    free(mc->tail);
    mc->body = mc->head = mc->tail = NULL;
    mc->input = NULL;
    mc->body_zstd = false;
}

static void start_sampling(struct model_client *mc, const struct sample_callbacks *cbs);

void model_client_sample_parts(struct model_client *mc, char *head, size_t head_len,
                               const char *input, size_t input_len, char *tail, size_t tail_len,
                               const struct sample_callbacks *cbs)
{
    if (mc->ps->zstd_body) {
        /* Compression needs it whole. */
        char *body = xmalloc(head_len + input_len + tail_len + 1);
        memcpy(body, head, head_len);
        memcpy(body + head_len, input, input_len);
        memcpy(body + head_len + input_len, tail, tail_len);
        free(head);
        free(tail);
        model_client_sample(mc, body, head_len + input_len + tail_len, cbs);
        return;
    }
    drop_body(mc);
    mc->head = head;
    mc->head_len = head_len;
    mc->input = input;
    mc->input_len = input_len;
    mc->tail = tail;
    mc->tail_len = tail_len;
    start_sampling(mc, cbs);
}

void model_client_sample(struct model_client *mc, char *body, size_t len,
                         const struct sample_callbacks *cbs)
{
    drop_body(mc);
    if (mc->ps->zstd_body) {
        size_t n;
        char *z = zstd_compress_body(body, len, &n);
        if (z) {
            mc->body = z;
            mc->body_len = n;
            mc->body_zstd = true;
            free(body);
        }
    }
    if (!mc->body) {
        mc->body = body;
        mc->body_len = len;
    }
    start_sampling(mc, cbs);
}

static void start_sampling(struct model_client *mc, const struct sample_callbacks *cbs)
{
    mc->cbs = *cbs;
    mc->request_attempt = 0;
    mc->stream_attempt = 0;
    mc->unauthorized = 0;
    mc->busy = true;
    if (mc->ps->missing_key)
        schedule(mc, 0); /* fails on the loop, not inside the caller */
    else
        start_attempt(mc);
}

void model_client_cancel(struct model_client *mc)
{
    uv_timer_stop(mc->backoff);
    if (mc->waiting_credentials && mc->ps->credentials)
        mc->ps->credentials->cancel(mc->ps->credentials->self, mc);
    mc->waiting_credentials = false;
    if (mc->call)
        http_call_cancel(mc->call);
    mc->call = NULL;
    mc->busy = false;
}

void model_client_free(struct model_client *mc)
{
    if (!mc)
        return;
    model_client_cancel(mc);
    uv_close((uv_handle_t *)mc->backoff, close_free);
    http_client_free(mc->http);
    response_stream_free(&mc->stream);
    strvec_free(&mc->attempt_headers);
    free(mc->unauthorized_message);
    drop_body(mc);
    free(mc);
}

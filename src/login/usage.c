#include "login/usage.h"

#include <stdlib.h>
#include <string.h>

#include "login/oauth.h"
#include "model/http_fetch.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct usage_fetch {
    uv_loop_t *loop;
    struct auth_manager *m;
    struct model_credentials *creds;
    struct http_fetch *fetch;
    char *url;
    char *ca_file;
    usage_done_fn done;
    void *ud;
    uv_timer_t *defer; /* starts the work on the loop */
    char *early_error;
};

static void close_free(uv_handle_t *h)
{
    free(h);
}

static void destroy(struct usage_fetch *u)
{
    http_fetch_cancel(u->fetch);
    if (u->creds)
        u->creds->cancel(u->creds->self, u);
    uv_close((uv_handle_t *)u->defer, close_free);
    free(u->url);
    free(u->ca_file);
    free(u->early_error);
    free(u);
}

static void report(struct usage_fetch *u, const json_t *body, const char *error)
{
    usage_done_fn done = u->done;
    void *ud = u->ud;
    char *msg = error ? xstrdup(error) : NULL; /* error may be u's own */
    u->creds = NULL; /* nothing is in flight any more */
    u->fetch = NULL;
    destroy(u);
    done(ud, body, msg);
    free(msg);
}

static void on_answer(void *ud, const struct http_fetch_result *res)
{
    struct usage_fetch *u = ud;
    u->fetch = NULL;
    if (res->error) {
        char *msg = xasprintf("cannot reach %s: %s", u->url, res->error);
        report(u, NULL, msg);
        free(msg);
        return;
    }
    if (res->status < 200 || res->status >= 300) {
        const char *reason = http_reason_phrase(res->status);
        char *msg = xasprintf("usage request failed with status %ld%s%s", res->status,
                              *reason ? " " : "", reason);
        report(u, NULL, msg);
        free(msg);
        return;
    }
    json_t *j = json_loadb(res->body, res->body_len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        report(u, NULL, "the usage answer is not a JSON object");
        return;
    }
    report(u, j, NULL);
    json_decref(j);
}

static void on_prepared(void *ud, const char *error)
{
    struct usage_fetch *u = ud;
    if (error) {
        report(u, NULL, error);
        return;
    }
    struct strvec headers = STRVEC_INIT;
    u->creds->headers(u->creds->self, &headers);
    strvec_push(&headers, "accept: application/json");
    struct http_fetch_request req = {.method = "GET", .url = u->url, .headers = &headers,
                                     .ca_file = u->ca_file};
    u->creds = NULL;
    u->fetch = http_fetch_start(u->loop, &req, on_answer, u);
    strvec_free(&headers);
}

/* Runs on the loop, so no callback runs inside usage_fetch_start. */
static void on_start(uv_timer_t *t)
{
    struct usage_fetch *u = t->data;
    if (u->early_error) {
        report(u, NULL, u->early_error);
        return;
    }
    u->creds = auth_manager_credentials(u->m);
    u->creds->prepare(u->creds->self, on_prepared, u);
}

struct usage_fetch *usage_fetch_start(uv_loop_t *loop, struct auth_manager *m,
                                      const char *chatgpt_base_url, const char *ca_file,
                                      usage_done_fn done, void *ud)
{
    struct usage_fetch *u = xcalloc(1, sizeof *u);
    u->loop = loop;
    u->m = m;
    u->done = done;
    u->ud = ud;
    u->ca_file = ca_file ? xstrdup(ca_file) : NULL;
    u->defer = xcalloc(1, sizeof *u->defer);
    uv_timer_init(loop, u->defer);
    u->defer->data = u;
    struct buf b = BUF_INIT;
    buf_puts(&b, chatgpt_base_url && *chatgpt_base_url ? chatgpt_base_url
                                                         : "https://chatgpt.com/backend-api/");
    while (b.len && b.data[b.len - 1] == '/')
        buf_truncate(&b, b.len - 1);
    buf_puts(&b, "/wham/usage");
    u->url = buf_detach(&b, NULL);
    enum auth_kind k = auth_manager_kind(m);
    if (k != AUTH_KIND_CHATGPT && k != AUTH_KIND_CHATGPT_EXTERNAL &&
        k != AUTH_KIND_PERSONAL_TOKEN)
        u->early_error = xstrdup("chatgpt authentication required to read rate limits");
    uv_timer_start(u->defer, on_start, 0, 0);
    return u;
}

void usage_fetch_cancel(struct usage_fetch *u)
{
    if (u)
        destroy(u);
}

/* One-shot HTTP requests for the OAuth flow: the answer collected whole
 * (bounded), its status and content type.  Each request gets its own
 * client, freed on the next turn of the loop (a client may not be freed
 * from inside its own callback). */
#include "mcp/oauth_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/http.h"
#include "util/xalloc.h"

#define MAX_BODY (1u << 20)
#define TIMEOUT_MS 30000

struct fetch {
    uv_loop_t *loop;
    struct http_client *client;
    struct buf body;
    mcp_fetch_fn done;
    void *ud;
};

static void client_closed(uv_handle_t *h)
{
    struct fetch *f = h->data;
    http_client_free(f->client);
    buf_free(&f->body);
    free(f);
    free(h);
}

static void on_later(uv_timer_t *t)
{
    uv_close((uv_handle_t *)t, client_closed);
}

static bool on_data(void *ud, const char *bytes, size_t n)
{
    struct fetch *f = ud;
    if (f->body.len + n > MAX_BODY)
        return false;
    buf_append(&f->body, bytes, n);
    return true;
}

static void on_done(void *ud, const struct http_result *res)
{
    struct fetch *f = ud;
    struct mcp_fetch_result r = {
        .status = res->failure == HTTP_OK ? res->status : 0,
        .body = res->failure == HTTP_OK && res->status >= 200 && res->status < 300
                    ? buf_cstr(&f->body)
                    : res->error_body ? res->error_body : "",
        .error = res->failure == HTTP_OK ? NULL : res->error ? res->error : "the request failed",
    };
    f->done(f->ud, &r);
    uv_timer_t *t = xcalloc(1, sizeof *t);
    uv_timer_init(f->loop, t);
    t->data = f;
    uv_timer_start(t, on_later, 0, 0);
}

int mcp_fetch(uv_loop_t *loop, const char *method, const char *url, const char *content_type,
              const char *body, mcp_fetch_fn done, void *ud, char **err)
{
    char errbuf[512];
    struct http_client *client = http_client_new(loop, url, errbuf, sizeof errbuf);
    if (!client) {
        *err = xstrdup(errbuf);
        return -1;
    }
    struct fetch *f = xcalloc(1, sizeof *f);
    f->loop = loop;
    f->client = client;
    f->done = done;
    f->ud = ud;
    struct strvec h = STRVEC_INIT;
    strvec_push(&h, "Accept: application/json");
    if (content_type)
        strvec_push_owned(&h, xasprintf("Content-Type: %s", content_type));
    struct http_request req = {.method = method, .url = url, .headers = &h, .body = body ? body : "",
                               .body_len = body ? strlen(body) : 0,
                               .connect_timeout_ms = TIMEOUT_MS, .idle_timeout_ms = TIMEOUT_MS};
    struct http_callbacks cbs = {.on_data = on_data, .on_done = on_done, .ud = f};
    http_post(client, &req, &cbs);
    strvec_free(&h);
    return 0;
}

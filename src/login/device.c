/* The device-code flow: a one-time code the user enters on another
 * device, polled for at the interval the issuer asks, for at most 15
 * minutes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "login/flow.h"
#include "model/http_fetch.h"
#include "util/xalloc.h"

#define DEFAULT_INTERVAL_S 5

struct login_device {
    struct flow_options opt;
    struct login_device_callbacks cbs;
    struct http_fetch *fetch;
    struct oauth_call *call;
    uv_timer_t *timer;
    uint64_t started_ms;
    char *device_auth_id;
    char *user_code;
    long interval_ms;
    bool over;
    bool in_callback; /* on_code is running: a cancel waits for it to return */
};

static void close_free(uv_handle_t *h)
{
    free(h);
}

static void destroy(struct login_device *d)
{
    http_fetch_cancel(d->fetch);
    oauth_call_cancel(d->call);
    uv_close((uv_handle_t *)d->timer, close_free);
    free(d->device_auth_id);
    free(d->user_code);
    flow_options_free(&d->opt);
    free(d);
}

static void finish(struct login_device *d, const char *error)
{
    if (d->over)
        return;
    d->over = true;
    if (error)
        flow_log(&d->opt, "ERROR", "device code login failed: %s", error);
    else
        flow_log(&d->opt, "INFO", "device code login completed");
    struct login_device_callbacks cbs = d->cbs;
    destroy(d);
    cbs.on_done(cbs.ud, error);
}

static struct http_fetch *post_json(struct login_device *d, const char *path, json_t *body,
                                    http_fetch_fn done)
{
    char *url = xasprintf("%s/api/accounts%s", d->opt.issuer, path);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    struct strvec headers = STRVEC_INIT;
    strvec_push(&headers, "content-type: application/json");
    struct http_fetch_request req = {.method = "POST", .url = url, .headers = &headers,
                                     .body = text, .body_len = strlen(text),
                                     .ca_file = d->opt.ca_file};
    struct http_fetch *f = http_fetch_start(d->opt.loop, &req, done, d);
    strvec_free(&headers);
    free(text);
    free(url);
    return f;
}

static char *status_error(const char *what, const struct http_fetch_result *res)
{
    const char *reason = http_reason_phrase(res->status);
    char *detail = res->body_len ? oauth_error_detail(res->body, res->body_len) : NULL;
    bool useful = detail && strcmp(detail, "unknown error") != 0;
    char *msg = xasprintf("%s with status %ld%s%s%s%s", what, res->status, *reason ? " " : "",
                          reason, useful ? ": " : "", useful ? detail : "");
    free(detail);
    return msg;
}

static void on_tokens(void *ud, const struct oauth_tokens *t, const char *error)
{
    struct login_device *d = ud;
    d->call = NULL;
    if (error) {
        char *msg = xasprintf("device code exchange failed: %s", error);
        finish(d, msg);
        free(msg);
        return;
    }
    flow_log(&d->opt, "INFO", "oauth token exchange succeeded");
    char *msg = flow_check_workspace(&d->opt, t->id_token);
    if (!msg)
        msg = flow_persist(&d->opt, t, NULL);
    finish(d, msg);
    free(msg);
}

static void poll_again(struct login_device *d);

static void on_poll_answer(void *ud, const struct http_fetch_result *res)
{
    struct login_device *d = ud;
    d->fetch = NULL;
    if (res->error) {
        char *msg = xasprintf("device auth failed: %s", res->error);
        finish(d, msg);
        free(msg);
        return;
    }
    if (res->status == 403 || res->status == 404) {
        poll_again(d);
        return;
    }
    if (res->status < 200 || res->status >= 300) {
        char *msg = status_error("device auth failed", res);
        finish(d, msg);
        free(msg);
        return;
    }
    json_t *j = json_loadb(res->body, res->body_len, 0, NULL);
    const char *code = json_string_value(json_object_get(j, "authorization_code"));
    const char *verifier = json_string_value(json_object_get(j, "code_verifier"));
    if (!code || !verifier) {
        json_decref(j);
        finish(d, "device auth failed: the answer lacks authorization_code or code_verifier");
        return;
    }
    char *url = xasprintf("%s/oauth/token", d->opt.issuer);
    char *redirect = xasprintf("%s/deviceauth/callback", d->opt.issuer);
    flow_log(&d->opt, "INFO", "starting oauth token exchange token_endpoint=%s redirect_uri=%s",
             url, redirect);
    struct oauth_endpoint ep = {d->opt.loop, url, d->opt.client_id, d->opt.ca_file};
    d->call = oauth_exchange_code(&ep, redirect, verifier, code, on_tokens, d);
    free(url);
    free(redirect);
    json_decref(j);
}

static void on_poll_timer(uv_timer_t *t)
{
    struct login_device *d = t->data;
    d->fetch = post_json(d, "/deviceauth/token",
                         json_pack("{s:s s:s}", "device_auth_id", d->device_auth_id, "user_code",
                                   d->user_code),
                         on_poll_answer);
}

static void poll_again(struct login_device *d)
{
    uint64_t elapsed = uv_now(d->opt.loop) - d->started_ms;
    if (elapsed >= LOGIN_DEVICE_MAX_WAIT_MS) {
        finish(d, "device auth timed out after 15 minutes");
        return;
    }
    uint64_t wait = (uint64_t)d->interval_ms;
    if (wait > LOGIN_DEVICE_MAX_WAIT_MS - elapsed)
        wait = LOGIN_DEVICE_MAX_WAIT_MS - elapsed;
    uv_timer_start(d->timer, on_poll_timer, wait, 0);
}

static long parse_interval(json_t *v)
{
    long s = -1;
    if (json_is_integer(v))
        s = (long)json_integer_value(v);
    else if (json_is_string(v)) {
        char *end;
        s = strtol(json_string_value(v), &end, 10);
        if (end == json_string_value(v))
            s = -1;
    }
    if (s < 0)
        s = DEFAULT_INTERVAL_S;
    if (s < 1)
        s = 1; /* never hammer the issuer */
    if (s > 60)
        s = 60;
    return s * 1000;
}

static void on_user_code(void *ud, const struct http_fetch_result *res)
{
    struct login_device *d = ud;
    d->fetch = NULL;
    if (res->error) {
        char *msg = xasprintf("failed to request device code: %s", res->error);
        finish(d, msg);
        free(msg);
        return;
    }
    if (res->status == 404) {
        finish(d, "device code login is not enabled for this Codex server. Use the browser "
                  "login or verify the server URL.");
        return;
    }
    if (res->status < 200 || res->status >= 300) {
        char *msg = status_error("device code request failed", res);
        finish(d, msg);
        free(msg);
        return;
    }
    json_t *j = json_loadb(res->body, res->body_len, 0, NULL);
    const char *id = json_string_value(json_object_get(j, "device_auth_id"));
    const char *code = json_string_value(json_object_get(j, "user_code"));
    if (!code)
        code = json_string_value(json_object_get(j, "usercode"));
    if (!id || !code) {
        char *detail = oauth_error_detail(res->body, res->body_len);
        char *msg = j ? xstrdup("the device code answer lacks device_auth_id or user_code")
                      : xasprintf("failed to request device code: %s", detail);
        json_decref(j);
        finish(d, msg);
        free(msg);
        free(detail);
        return;
    }
    d->device_auth_id = xstrdup(id);
    d->user_code = xstrdup(code);
    d->interval_ms = parse_interval(json_object_get(j, "interval"));
    json_decref(j);
    char *verify = xasprintf("%s/codex/device", d->opt.issuer);
    d->in_callback = true;
    d->cbs.on_code(d->cbs.ud, verify, d->user_code);
    d->in_callback = false;
    free(verify);
    if (d->over)
        destroy(d);
    else
        on_poll_timer(d->timer);
}

struct login_device *login_device_start(const struct login_options *o,
                                        const struct login_device_callbacks *cbs)
{
    struct login_device *d = xcalloc(1, sizeof *d);
    flow_options_init(&d->opt, o);
    d->cbs = *cbs;
    d->timer = xcalloc(1, sizeof *d->timer);
    uv_timer_init(o->loop, d->timer);
    d->timer->data = d;
    d->started_ms = uv_now(o->loop);
    flow_log(&d->opt, "INFO", "starting device code login flow issuer=%s", d->opt.issuer);
    d->fetch = post_json(d, "/deviceauth/usercode", json_pack("{s:s}", "client_id",
                                                               d->opt.client_id),
                         on_user_code);
    return d;
}

void login_device_cancel(struct login_device *d)
{
    if (!d || d->over)
        return;
    d->over = true;
    flow_log(&d->opt, "INFO", "device code login cancelled");
    if (!d->in_callback)
        destroy(d);
}

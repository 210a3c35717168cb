#include "login/oauth.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "login/jwt.h"
#include "model/http_fetch.h"
#include "util/buf.h"
#include "util/url.h"
#include "util/xalloc.h"

enum call_kind { CALL_CODE, CALL_API_KEY, CALL_REFRESH, CALL_REVOKE };

struct oauth_call {
    enum call_kind kind;
    struct http_fetch *fetch;
    void *done;
    void *ud;
    char *url; /* for messages: the endpoint, never a token */
};

void oauth_tokens_free(struct oauth_tokens *t)
{
    free(t->id_token);
    free(t->access_token);
    free(t->refresh_token);
    memset(t, 0, sizeof *t);
}

const char *http_reason_phrase(long status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
    }
}

static bool looks_like_html(const char *body, size_t len)
{
    size_t i = 0;
    while (i < len && isspace((unsigned char)body[i]))
        i++;
    return i < len && body[i] == '<';
}

char *oauth_error_detail(const char *body, size_t len)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    if (j) {
        json_t *err = json_object_get(j, "error");
        const char *code = json_string_value(err);
        if (!code)
            code = json_string_value(json_object_get(err, "code"));
        const char *desc = json_string_value(json_object_get(j, "error_description"));
        const char *msg = json_string_value(json_object_get(err, "message"));
        char *out = desc && *desc ? xstrdup(desc)
                    : msg && *msg ? xstrdup(msg)
                    : code && *code ? xstrdup(code)
                                    : NULL;
        json_decref(j);
        if (out)
            return out;
        return xstrdup("unknown error");
    }
    if (looks_like_html(body, len))
        return xstrdup("the server answered with an HTML page instead of JSON");
    size_t n = len;
    while (n && isspace((unsigned char)body[n - 1]))
        n--;
    size_t start = 0;
    while (start < n && isspace((unsigned char)body[start]))
        start++;
    if (start == n)
        return xstrdup("unknown error");
    if (n - start > 200 || memchr(body + start, '\n', n - start))
        return xstrdup("the server answered with something that is not JSON");
    return xstrndup(body + start, n - start);
}

static char *status_text(long status)
{
    const char *reason = http_reason_phrase(status);
    return xasprintf("%ld%s%s", status, *reason ? " " : "", reason);
}

/* The answer as a JSON object, or NULL with *why set (caller frees). */
static json_t *answer_object(const struct http_fetch_result *res, char **why)
{
    json_t *j = json_loadb(res->body, res->body_len, 0, NULL);
    if (j && json_is_object(j))
        return j;
    json_decref(j);
    *why = xstrdup(looks_like_html(res->body, res->body_len)
                       ? "the server answered with an HTML page instead of JSON"
                       : "the server's answer is not a JSON object");
    return NULL;
}

static char *dup_string(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? xstrdup(s) : NULL;
}

/* ---- authorization code ------------------------------------------------ */

static void finish_code(struct oauth_call *c, const struct http_fetch_result *res)
{
    oauth_tokens_fn done = (oauth_tokens_fn)c->done;
    char *error = NULL;
    struct oauth_tokens t = {0};
    if (res->error) {
        error = xasprintf("error sending request for url (%s): %s", c->url, res->error);
    } else if (res->status < 200 || res->status >= 300) {
        char *st = status_text(res->status);
        char *detail = oauth_error_detail(res->body, res->body_len);
        error = xasprintf("token endpoint returned status %s: %s", st, detail);
        free(st);
        free(detail);
    } else {
        char *why = NULL;
        json_t *j = answer_object(res, &why);
        if (!j) {
            error = xasprintf("token endpoint %s: %s", c->url, why);
            free(why);
        } else {
            t.id_token = dup_string(j, "id_token");
            t.access_token = dup_string(j, "access_token");
            t.refresh_token = dup_string(j, "refresh_token");
            json_decref(j);
            json_t *claims = jwt_claims(t.id_token);
            if (!t.id_token || !t.access_token || !t.refresh_token)
                error = xstrdup("the token endpoint's answer lacks id_token, access_token or "
                                "refresh_token");
            else if (!claims || !json_is_object(json_object_get(claims,
                                                                "https://api.openai.com/auth")))
                error = xstrdup("the id_token the identity provider returned is not a JWT "
                                "with the ChatGPT account claims");
            json_decref(claims);
        }
    }
    done(c->ud, error ? NULL : &t, error);
    free(error);
    oauth_tokens_free(&t);
}

/* ---- API key exchange -------------------------------------------------- */

static void finish_api_key(struct oauth_call *c, const struct http_fetch_result *res)
{
    oauth_string_fn done = (oauth_string_fn)c->done;
    char *error = NULL, *key = NULL;
    if (res->error) {
        error = xasprintf("api key exchange failed: %s", res->error);
    } else if (res->status < 200 || res->status >= 300) {
        char *st = status_text(res->status);
        error = xasprintf("api key exchange failed with status %s", st);
        free(st);
    } else {
        char *why = NULL;
        json_t *j = answer_object(res, &why);
        if (!j) {
            error = xasprintf("api key exchange failed: %s", why);
            free(why);
        } else {
            key = dup_string(j, "access_token");
            json_decref(j);
            if (!key)
                error = xstrdup("api key exchange failed: the answer has no access_token");
        }
    }
    done(c->ud, key, error);
    free(key);
    free(error);
}

/* ---- refresh ------------------------------------------------------------ */

static enum oauth_refresh_failure classify_401(const char *body, size_t len)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    json_t *err = json_object_get(j, "error");
    const char *code = json_string_value(json_object_get(err, "code"));
    if (!code)
        code = json_string_value(err);
    if (!code)
        code = json_string_value(json_object_get(j, "code"));
    enum oauth_refresh_failure f = OAUTH_REFRESH_REJECTED;
    if (code && strcmp(code, "refresh_token_expired") == 0)
        f = OAUTH_REFRESH_EXPIRED;
    else if (code && strcmp(code, "refresh_token_reused") == 0)
        f = OAUTH_REFRESH_REUSED;
    else if (code && strcmp(code, "refresh_token_invalidated") == 0)
        f = OAUTH_REFRESH_REVOKED;
    json_decref(j);
    return f;
}

const char *oauth_refresh_failure_message(enum oauth_refresh_failure f)
{
    switch (f) {
    case OAUTH_REFRESH_EXPIRED:
        return "Your access token could not be refreshed because your refresh token has "
               "expired. Please log out and sign in again.";
    case OAUTH_REFRESH_REUSED:
        return "Your access token could not be refreshed because your refresh token was "
               "already used. Please log out and sign in again.";
    case OAUTH_REFRESH_REVOKED:
        return "Your access token could not be refreshed because your refresh token was "
               "revoked. Please log out and sign in again.";
    default:
        return "Your access token could not be refreshed. Please log out and sign in again.";
    }
}

static void finish_refresh(struct oauth_call *c, const struct http_fetch_result *res)
{
    oauth_refresh_fn done = (oauth_refresh_fn)c->done;
    struct oauth_tokens t = {0};
    enum oauth_refresh_failure f = OAUTH_REFRESH_OK;
    char *error = NULL;
    if (res->error) {
        f = OAUTH_REFRESH_TRANSIENT;
        error = xasprintf("Failed to refresh token: error sending request for url (%s): %s",
                          c->url, res->error);
    } else if (res->status == 401) {
        f = classify_401(res->body, res->body_len);
        error = xstrdup(oauth_refresh_failure_message(f));
    } else if (res->status < 200 || res->status >= 300) {
        f = res->status >= 500 || res->status == 429 ? OAUTH_REFRESH_TRANSIENT
                                                     : OAUTH_REFRESH_REJECTED;
        char *st = status_text(res->status);
        char *detail = oauth_error_detail(res->body, res->body_len);
        error = xasprintf("Failed to refresh token: %s: %s", st, detail);
        free(st);
        free(detail);
    } else {
        char *why = NULL;
        json_t *j = answer_object(res, &why);
        if (!j) {
            f = OAUTH_REFRESH_TRANSIENT;
            error = xasprintf("Failed to refresh token: %s", why);
            free(why);
        } else {
            t.id_token = dup_string(j, "id_token");
            t.access_token = dup_string(j, "access_token");
            t.refresh_token = dup_string(j, "refresh_token");
            json_decref(j);
            json_t *claims = t.id_token ? jwt_claims(t.id_token) : NULL;
            if (!t.access_token || (t.id_token && !claims)) {
                f = OAUTH_REFRESH_TRANSIENT;
                error = xstrdup("Failed to refresh token: the answer lacks a usable "
                                "access_token or id_token");
            }
            json_decref(claims);
        }
    }
    done(c->ud, f == OAUTH_REFRESH_OK ? &t : NULL, f, error);
    free(error);
    oauth_tokens_free(&t);
}

/* ---- revoke ------------------------------------------------------------- */

static void finish_revoke(struct oauth_call *c, const struct http_fetch_result *res)
{
    oauth_done_fn done = (oauth_done_fn)c->done;
    char *error = NULL;
    if (res->error) {
        error = xasprintf("cannot reach %s: %s", c->url, res->error);
    } else if (res->status < 200 || res->status >= 300) {
        char *st = status_text(res->status);
        error = xasprintf("token revocation at %s returned status %s", c->url, st);
        free(st);
    }
    done(c->ud, error);
    free(error);
}

/* ---- plumbing ----------------------------------------------------------- */

static void on_fetched(void *ud, const struct http_fetch_result *res)
{
    struct oauth_call *c = ud;
    c->fetch = NULL;
    switch (c->kind) {
    case CALL_CODE:
        finish_code(c, res);
        break;
    case CALL_API_KEY:
        finish_api_key(c, res);
        break;
    case CALL_REFRESH:
        finish_refresh(c, res);
        break;
    case CALL_REVOKE:
        finish_revoke(c, res);
        break;
    }
    free(c->url);
    free(c);
}

static struct oauth_call *start(const struct oauth_endpoint *ep, enum call_kind kind, bool json,
                                const char *body, void *done, void *ud)
{
    struct oauth_call *c = xcalloc(1, sizeof *c);
    c->kind = kind;
    c->done = done;
    c->ud = ud;
    c->url = xstrdup(ep->url);
    struct strvec headers = STRVEC_INIT;
    strvec_push(&headers, json ? "content-type: application/json"
                               : "content-type: application/x-www-form-urlencoded");
    strvec_push(&headers, "accept: application/json");
    struct http_fetch_request req = {
        .method = "POST",
        .url = ep->url,
        .headers = &headers,
        .body = body,
        .body_len = strlen(body),
        .ca_file = ep->ca_file,
    };
    c->fetch = http_fetch_start(ep->loop, &req, on_fetched, c);
    strvec_free(&headers);
    return c;
}

struct oauth_call *oauth_exchange_code(const struct oauth_endpoint *ep, const char *redirect_uri,
                                       const char *code_verifier, const char *code,
                                       oauth_tokens_fn done, void *ud)
{
    struct buf b = BUF_INIT;
    url_param_append(&b, "grant_type", "authorization_code");
    url_param_append(&b, "code", code);
    url_param_append(&b, "redirect_uri", redirect_uri);
    url_param_append(&b, "client_id", ep->client_id);
    url_param_append(&b, "code_verifier", code_verifier);
    struct oauth_call *c = start(ep, CALL_CODE, false, buf_cstr(&b), (void *)done, ud);
    buf_free(&b);
    return c;
}

struct oauth_call *oauth_obtain_api_key(const struct oauth_endpoint *ep, const char *id_token,
                                        oauth_string_fn done, void *ud)
{
    struct buf b = BUF_INIT;
    url_param_append(&b, "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
    url_param_append(&b, "client_id", ep->client_id);
    url_param_append(&b, "requested_token", "openai-api-key");
    url_param_append(&b, "subject_token", id_token);
    url_param_append(&b, "subject_token_type", "urn:ietf:params:oauth:token-type:id_token");
    struct oauth_call *c = start(ep, CALL_API_KEY, false, buf_cstr(&b), (void *)done, ud);
    buf_free(&b);
    return c;
}

struct oauth_call *oauth_refresh(const struct oauth_endpoint *ep, const char *refresh_token,
                                 const char *reason, oauth_refresh_fn done, void *ud)
{
    json_t *body = json_pack("{s:s s:s s:s s:s}", "client_id", ep->client_id, "grant_type",
                             "refresh_token", "refresh_reason", reason, "refresh_token",
                             refresh_token);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    struct oauth_call *c = start(ep, CALL_REFRESH, true, text, (void *)done, ud);
    free(text);
    return c;
}

struct oauth_call *oauth_revoke(const struct oauth_endpoint *ep, const char *token,
                                const char *token_type_hint, oauth_done_fn done, void *ud)
{
    json_t *body = json_pack("{s:s s:s s:s}", "token", token, "token_type_hint", token_type_hint,
                             "client_id", ep->client_id);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    struct oauth_call *c = start(ep, CALL_REVOKE, true, text, (void *)done, ud);
    free(text);
    return c;
}

void oauth_call_cancel(struct oauth_call *c)
{
    if (!c)
        return;
    http_fetch_cancel(c->fetch);
    free(c->url);
    free(c);
}

#include "rpc/request.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "plugins/plugins.h"
#include "rpc/server.h"

#include "rpc/jsonrpc.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* ---- Answers ------------------------------------------------------------ */

struct rpc_request *rpc_request_new(struct rpc_conn *c, json_t *id, char *id_key,
                                    const char *method, json_t *params, void **state)
{
    struct rpc_request *req = xcalloc(1, sizeof *req);
    req->conn = c;
    req->server = c->server;
    req->id = json_incref(id);
    req->id_key = id_key;
    req->method = method;
    req->params = params ? json_incref(params) : NULL;
    req->state = state;
    rpc_conn_request_started(c, id_key);
    return req;
}

static void request_free(struct rpc_request *req)
{
    rpc_conn_request_done(req->conn, req->id_key);
    json_decref(req->id);
    json_decref(req->params);
    free(req->id_key);
    free(req);
}

void rpc_reply(struct rpc_request *req, json_t *result)
{
    rpc_conn_send(req->conn, jsonrpc_make_response(req->id, result));
    request_free(req);
}

/* Stands in for the streamed array while the rest is serialized. */
static const char stream_mark[] = "\x01" "codex-c streamed array" "\x01";
static const char stream_mark_json[] = "\"\\u0001codex-c streamed array\\u0001\"";

/* An element of an array given whole, as text: taken out of the array,
 * so its memory goes back once written. */
static char *array_element(void *ud, size_t i, size_t *len)
{
    json_t *array = ud;
    char *text = jsonrpc_serialize(json_array_get(array, i), len);
    json_array_set_new(array, i, json_null());
    return text;
}

void rpc_reply_streaming(struct rpc_request *req, json_t *result, json_t *owner, const char *key)
{
    json_t *array = json_incref(json_object_get(owner, key));
    if (!json_is_array(array)) {
        json_decref(array);
        rpc_reply(req, result);
        return;
    }
    rpc_reply_streaming_each(req, result, owner, key, json_array_size(array), array_element, array);
    json_decref(array);
}

void rpc_reply_streaming_each(struct rpc_request *req, json_t *result, json_t *owner,
                              const char *key, size_t n,
                              char *(*element)(void *ud, size_t i, size_t *len), void *ud)
{
    json_object_set_new(owner, key, json_string(stream_mark)); /* in the array's place */
    json_t *msg = jsonrpc_make_response(req->id, result);
    size_t len, mark_len = sizeof stream_mark_json - 1;
    char *text = jsonrpc_serialize(msg, &len);
    const char *at = memmem(text, len, stream_mark_json, mark_len);
    if (!at || memmem(at + mark_len, len - (size_t)(at - text) - mark_len, stream_mark_json, mark_len)) {
        /* The mark is also someone's text: no telling which is ours, so
         * the answer is made whole. */
        free(text);
        json_t *array = json_array();
        for (size_t i = 0; i < n; i++) {
            size_t elen;
            char *etext = element(ud, i, &elen);
            json_t *e = etext ? json_loadb(etext, elen, JSON_DECODE_ANY, NULL) : NULL;
            free(etext);
            if (e)
                json_array_append_new(array, e);
        }
        json_object_set_new(owner, key, array);
        rpc_conn_send(req->conn, msg);
        request_free(req);
        return;
    }
    json_decref(msg);
    struct rpc_conn_stream s;
    rpc_conn_stream_begin(req->conn, &s);
    rpc_conn_stream_write(&s, text, (size_t)(at - text));
    rpc_conn_stream_write(&s, "[", 1);
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        size_t elen;
        char *etext = element(ud, i, &elen);
        if (!etext)
            continue;
        if (!first)
            rpc_conn_stream_write(&s, ",", 1);
        first = false;
        rpc_conn_stream_write(&s, etext, elen);
        free(etext);
    }
    rpc_conn_stream_write(&s, "]", 1);
    const char *rest = at + mark_len;
    rpc_conn_stream_write(&s, rest, len - (size_t)(rest - text));
    rpc_conn_stream_end(&s);
    free(text);
    request_free(req);
}

static void reply_error_v(struct rpc_request *req, int code, const char *prefix, const char *fmt,
                          va_list ap)
{
    struct buf msg = BUF_INIT;
    buf_puts(&msg, prefix);
    buf_vprintf(&msg, fmt, ap);
    rpc_conn_send(req->conn, jsonrpc_make_error(req->id, code, buf_cstr(&msg)));
    buf_free(&msg);
    request_free(req);
}

void rpc_reply_error(struct rpc_request *req, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, code, "", fmt, ap);
    va_end(ap);
}

void rpc_reply_error_data(struct rpc_request *req, int code, json_t *data, const char *fmt, ...)
{
    struct buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    json_t *e = json_object();
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "data", data);
    json_object_set_new(e, "message", json_string_lossy(msg.data ? msg.data : "", msg.len));
    buf_free(&msg);
    json_t *o = json_object();
    json_object_set_new(o, "error", e);
    json_object_set(o, "id", req->id);
    rpc_conn_send(req->conn, o);
    request_free(req);
}

void rpc_reply_invalid(struct rpc_request *req, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, JSONRPC_INVALID_REQUEST, "Invalid request: ", fmt, ap);
    va_end(ap);
}

void rpc_reply_refused(struct rpc_request *req, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reply_error_v(req, JSONRPC_INVALID_REQUEST, "", fmt, ap);
    va_end(ap);
}

/* The OS error text the way Rust's io::Error prints it. */
void rpc_reply_errno(struct rpc_request *req, int err)
{
    const char *text = strerror(err);
    /* glibc and Rust agree on most texts; this one differs. */
    if (err == ENOTEMPTY)
        text = "Directory not empty";
    rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s (os error %d)", text, err);
}

/* ---- Pages ---------------------------------------------------------------- */

void rpc_reply_page(struct rpc_request *req, json_t *data, long next)
{
    json_t *result = json_object();
    json_object_set_new(result, "data", data);
    if (next >= 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%ld", next);
        json_object_set_new(result, "nextCursor", json_string(buf));
    } else {
        json_object_set_new(result, "nextCursor", json_null());
    }
    rpc_reply(req, result);
}

long rpc_parse_cursor(const char *cursor)
{
    if (!cursor)
        return 0;
    char *end;
    long v = strtol(cursor, &end, 10);
    if (*cursor == '\0' || *end != '\0' || v < 0)
        return -1;
    return v;
}

/* ---- Params --------------------------------------------------------------- */

char *rpc_describe_value(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        return xasprintf("integer `%lld`", (long long)json_integer_value(v));
    case JSON_REAL:
        return xasprintf("floating point `%g`", json_real_value(v));
    case JSON_STRING:
        return xasprintf("string \"%s\"", json_string_value(v));
    case JSON_TRUE:
        return xstrdup("boolean `true`");
    case JSON_FALSE:
        return xstrdup("boolean `false`");
    case JSON_NULL:
        return xstrdup("null");
    case JSON_ARRAY:
        return xstrdup("sequence");
    case JSON_OBJECT:
        return xstrdup("map");
    }
    return xstrdup("value");
}

static bool type_error(struct rpc_request *req, const json_t *v, const char *expected)
{
    char *what = rpc_describe_value(v);
    rpc_reply_invalid(req, "invalid type: %s, expected %s", what, expected);
    free(what);
    return false;
}

static bool missing(struct rpc_request *req, const char *key)
{
    rpc_reply_invalid(req, "missing field `%s`", key);
    return false;
}

json_t *rpc_params(struct rpc_request *req, const char *struct_name, bool optional)
{
    if (!req->params) {
        if (optional) {
            req->params = json_object();
            return req->params;
        }
        missing(req, "params");
        return NULL;
    }
    if (!json_is_object(req->params)) {
        char *expected = xasprintf("struct %s", struct_name);
        type_error(req, req->params, expected);
        free(expected);
        return NULL;
    }
    return req->params;
}

bool rpc_get_string(struct rpc_request *req, json_t *obj, const char *key, bool required,
                    const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || (json_is_null(v) && !required))
        return required ? missing(req, key) : true;
    if (!json_is_string(v))
        return type_error(req, v, "a string");
    *out = json_string_value(v);
    return true;
}

char *rpc_normalize_abs_path(const char *path)
{
    struct buf out = BUF_INIT;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t n = (size_t)(end - p);
        if (n == 0 || (n == 1 && p[0] == '.')) {
            /* nothing */
        } else if (n == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = out.len ? strrchr(out.data, '/') : NULL;
            buf_truncate(&out, slash ? (size_t)(slash - out.data) : 0);
        } else {
            buf_putc(&out, '/');
            buf_append(&out, p, n);
        }
        p = end;
    }
    if (out.len == 0)
        buf_putc(&out, '/');
    return buf_detach(&out, NULL);
}

bool rpc_get_abs_path(struct rpc_request *req, json_t *obj, const char *key, bool required,
                      char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || (json_is_null(v) && !required))
        return required ? missing(req, key) : true;
    if (!json_is_string(v))
        return type_error(req, v, "path string");
    const char *s = json_string_value(v);
    if (s[0] != '/') {
        rpc_reply_invalid(req, "AbsolutePathBuf deserialized without a base path");
        return false;
    }
    *out = rpc_normalize_abs_path(s);
    return true;
}

bool rpc_get_bool(struct rpc_request *req, json_t *obj, const char *key, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return true;
    if (!json_is_boolean(v))
        return type_error(req, v, "a boolean");
    *out = json_is_true(v);
    return true;
}

bool rpc_get_int(struct rpc_request *req, json_t *obj, const char *key, const char *type_name,
                 int64_t min, int64_t max, bool *present, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (present)
        *present = false;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v))
        return type_error(req, v, type_name);
    int64_t i = json_integer_value(v);
    if (i < min || i > max) {
        rpc_reply_invalid(req, "invalid value: integer `%lld`, expected %s", (long long)i,
                          type_name);
        return false;
    }
    *out = i;
    if (present)
        *present = true;
    return true;
}

bool rpc_get_string_array(struct rpc_request *req, json_t *obj, const char *key, bool required,
                          json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || (json_is_null(v) && !required))
        return required ? missing(req, key) : true;
    if (!json_is_array(v))
        return type_error(req, v, "a sequence");
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item))
            return type_error(req, item, "a string");
    }
    *out = v;
    return true;
}

/* The server's -c overrides, then extra ones; listing_profiles lets
 * [permissions.<name>] tables load with no default_permissions. */
static int load_config(struct rpc_server *s, const char *cwd, const char *const *extra,
                       size_t n_extra, bool listing_profiles, struct codex_config *cfg,
                       struct codex_error *err)
{
    struct strvec overrides = STRVEC_INIT;
    for (int i = 0; i < s->n_config_overrides; i++)
        strvec_push(&overrides, s->config_overrides[i]);
    for (size_t i = 0; i < n_extra; i++)
        strvec_push(&overrides, extra[i]);
    struct config_load_opts opts = {
        .envp = s->envp,
        .overrides = (const char *const *)overrides.v,
        .n_overrides = (int)overrides.n,
        .cd = cwd,
        .listing_profiles = listing_profiles,
    };
    int rc = config_load(&opts, cfg, err);
    strvec_free(&overrides);
    if (rc == 0 && !listing_profiles) {
        /* a plugin file that cannot be used leaves its servers out; the
         * CLI says so, plugin/read shows the file's servers */
        struct strvec warnings = STRVEC_INIT;
        plugins_merge_mcp_servers(cfg, &warnings);
        strvec_free(&warnings);
    }
    return rc;
}

int rpc_server_load_config_with(struct rpc_server *s, const char *cwd, const char *const *extra,
                                size_t n_extra, struct codex_config *cfg, struct codex_error *err)
{
    return load_config(s, cwd, extra, n_extra, false, cfg, err);
}

int rpc_server_load_config(struct rpc_server *s, const char *cwd, struct codex_config *cfg,
                           struct codex_error *err)
{
    return load_config(s, cwd, NULL, 0, false, cfg, err);
}

bool rpc_load_config_for_profiles(struct rpc_request *req, const char *cwd, struct codex_config *cfg)
{
    struct codex_error err = CODEX_ERROR_INIT;
    if (load_config(req->server, cwd, NULL, 0, true, cfg, &err) != 0) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", err.message);
        codex_error_clear(&err);
        return false;
    }
    return true;
}

bool rpc_load_config(struct rpc_request *req, const char *cwd, struct codex_config *cfg)
{
    return rpc_load_config_with(req, cwd, NULL, 0, cfg);
}

bool rpc_load_config_with(struct rpc_request *req, const char *cwd, const char *const *extra,
                          size_t n_extra, struct codex_config *cfg)
{
    struct codex_error err = CODEX_ERROR_INIT;
    if (rpc_server_load_config_with(req->server, cwd, extra, n_extra, cfg, &err) != 0) {
        rpc_reply_error(req, JSONRPC_INTERNAL_ERROR, "%s", err.message);
        codex_error_clear(&err);
        return false;
    }
    return true;
}

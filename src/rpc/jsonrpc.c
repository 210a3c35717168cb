#include "rpc/jsonrpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void jsonrpc_framer_init(struct jsonrpc_framer *f, size_t max_message)
{
    memset(f, 0, sizeof *f);
    f->max_message = max_message;
}

void jsonrpc_framer_free(struct jsonrpc_framer *f)
{
    buf_free(&f->pending);
}

static bool emit_line(const char *line, size_t len, jsonrpc_line_fn fn, void *ctx)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    return fn(ctx, line, len);
}

enum jsonrpc_feed_result jsonrpc_framer_feed(struct jsonrpc_framer *f, const char *data, size_t n,
                                             jsonrpc_line_fn fn, void *ctx)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        size_t chunk = nl ? (size_t)(nl - data) : n;
        if (f->pending.len + chunk > f->max_message) {
            f->overflow = true;
            buf_truncate(&f->pending, 0);
            return JSONRPC_FEED_OVERSIZE;
        }
        if (!nl) {
            buf_append(&f->pending, data, chunk);
            return JSONRPC_FEED_OK;
        }
        bool go_on;
        if (f->pending.len == 0) {
            go_on = emit_line(data, chunk, fn, ctx); /* common case: no copy */
        } else {
            buf_append(&f->pending, data, chunk);
            go_on = emit_line(f->pending.data, f->pending.len, fn, ctx);
            buf_truncate(&f->pending, 0);
        }
        data += chunk + 1;
        n -= chunk + 1;
        if (!go_on)
            return JSONRPC_FEED_STOPPED;
    }
    return JSONRPC_FEED_OK;
}

static bool valid_id(const json_t *id)
{
    return json_is_integer(id) || json_is_string(id);
}

void jsonrpc_parse(const char *text, size_t len, struct jsonrpc_message *msg)
{
    memset(msg, 0, sizeof *msg);
    msg->kind = JSONRPC_INVALID;
    json_error_t jerr;
    msg->root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!msg->root) {
        snprintf(msg->error_text, sizeof msg->error_text, "%s at line %d column %d", jerr.text,
                 jerr.line, jerr.column);
        return;
    }
    if (!json_is_object(msg->root)) {
        snprintf(msg->error_text, sizeof msg->error_text, "expected a JSON object");
        return;
    }
    json_t *id = json_object_get(msg->root, "id");
    json_t *method = json_object_get(msg->root, "method");
    json_t *params = json_object_get(msg->root, "params");
    json_t *result = json_object_get(msg->root, "result");
    json_t *error = json_object_get(msg->root, "error");

    if (id && !valid_id(id)) {
        snprintf(msg->error_text, sizeof msg->error_text, "\"id\" must be a string or an integer");
        return;
    }
    if (method) {
        if (!json_is_string(method)) {
            snprintf(msg->error_text, sizeof msg->error_text, "\"method\" must be a string");
            return;
        }
        msg->method = json_string_value(method);
        msg->params = json_is_null(params) ? NULL : params;
        msg->id = id;
        msg->kind = id ? JSONRPC_REQUEST : JSONRPC_NOTIFICATION;
        return;
    }
    if (id && result) {
        msg->id = id;
        msg->result = result;
        msg->kind = JSONRPC_RESPONSE;
        return;
    }
    if (id && json_is_object(error)) {
        msg->id = id;
        msg->error = error;
        msg->kind = JSONRPC_ERROR;
        return;
    }
    snprintf(msg->error_text, sizeof msg->error_text,
             "not a request, notification, response or error");
}

void jsonrpc_message_free(struct jsonrpc_message *msg)
{
    json_decref(msg->root);
    memset(msg, 0, sizeof *msg);
}

json_t *jsonrpc_make_response(json_t *id, json_t *result)
{
    json_t *o = json_object();
    json_object_set(o, "id", id);
    json_object_set_new(o, "result", result ? result : json_object());
    return o;
}

json_t *jsonrpc_make_error(json_t *id, int code, const char *message)
{
    json_t *o = json_object();
    json_t *e = json_object();
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "message", json_string_lossy(message, strlen(message)));
    json_object_set_new(o, "error", e);
    json_object_set(o, "id", id);
    return o;
}

json_t *jsonrpc_make_notification(const char *method, json_t *params)
{
    json_t *o = json_object();
    json_object_set_new(o, "method", json_string(method));
    if (params)
        json_object_set_new(o, "params", params);
    return o;
}

json_t *jsonrpc_make_request(json_t *id, const char *method, json_t *params)
{
    json_t *o = json_object();
    json_object_set(o, "id", id);
    json_object_set_new(o, "method", json_string(method));
    if (params)
        json_object_set_new(o, "params", params);
    return o;
}

char *jsonrpc_serialize(const json_t *msg, size_t *len_out)
{
    char *s = json_dumps(msg, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s) {
        fprintf(stderr, "codex: out of memory while serializing a message\n");
        abort();
    }
    *len_out = strlen(s);
    return s;
}

char *jsonrpc_id_key(const json_t *id)
{
    if (json_is_integer(id))
        return xasprintf("i:%lld", (long long)json_integer_value(id));
    return xasprintf("s:%s", json_string_value(id));
}


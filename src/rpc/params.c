#include "rpc/params.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

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

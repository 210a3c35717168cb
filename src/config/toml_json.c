/* TOML values as JSON (the app server's config/read, the TUI's -c
 * overrides sent to its server). */
#include "config/toml.h"

#include <stdlib.h>

#include <jansson.h>

#include "util/buf.h"

json_t *toml_to_json(const toml_value *v)
{
    switch (toml_type(v)) {
    case TOML_STRING: {
        size_t len;
        const char *s = toml_string(v, &len);
        json_t *j = json_stringn(s, len);
        /* The parser only lets UTF-8 through; anything else is not a string
         * a client could use. */
        return j ? j : json_string("");
    }
    case TOML_INTEGER:
        return json_integer(toml_integer(v));
    case TOML_FLOAT:
        return json_real(toml_float(v));
    case TOML_BOOLEAN:
        return json_boolean(toml_bool(v));
    case TOML_OFFSET_DATETIME:
    case TOML_LOCAL_DATETIME:
    case TOML_LOCAL_DATE:
    case TOML_LOCAL_TIME:
        return json_string(toml_datetime(v) ? toml_datetime(v) : "");
    case TOML_ARRAY: {
        json_t *a = json_array();
        for (size_t i = 0; i < toml_array_len(v); i++)
            json_array_append_new(a, toml_to_json(toml_array_at(v, i)));
        return a;
    }
    case TOML_TABLE: {
        json_t *o = json_object();
        for (size_t i = 0; i < toml_table_len(v); i++)
            json_object_set_new(o, toml_table_key_at(v, i), toml_to_json(toml_table_value_at(v, i)));
        return o;
    }
    }
    return json_null();
}

static void toml_literal(struct buf *b, const json_t *v)
{
    size_t i;
    const char *k;
    json_t *x;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        buf_puts(b, "{");
        i = 0;
        json_object_foreach((json_t *)v, k, x) {
            json_t *name = json_string(k);
            char *key = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
            json_decref(name);
            buf_printf(b, "%s%s = ", i++ ? ", " : "", key ? key : "\"\"");
            free(key);
            toml_literal(b, x);
        }
        buf_puts(b, "}");
        break;
    case JSON_ARRAY:
        buf_puts(b, "[");
        json_array_foreach(v, i, x) {
            if (i)
                buf_puts(b, ", ");
            toml_literal(b, x);
        }
        buf_puts(b, "]");
        break;
    default: {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        buf_puts(b, s ? s : "\"\"");
        free(s);
    }
    }
}

char *toml_override_from_json(const char *key, const json_t *v)
{
    struct buf b = BUF_INIT;
    buf_printf(&b, "%s=", key);
    toml_literal(&b, v);
    return buf_detach(&b, NULL);
}

toml_value *toml_from_json(const json_t *v, bool skip_nulls, const char **why)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return toml_new_string(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return toml_new_integer(json_integer_value(v));
    case JSON_REAL:
        return toml_new_float(json_real_value(v));
    case JSON_TRUE:
    case JSON_FALSE:
        return toml_new_bool(json_is_true(v));
    case JSON_NULL:
        *why = "null cannot be stored inside a TOML value";
        return NULL;
    case JSON_ARRAY: {
        toml_value *a = toml_new_array();
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (skip_nulls && json_is_null(item))
                continue;
            toml_value *t = toml_from_json(item, skip_nulls, why);
            if (!t) {
                toml_free(a);
                return NULL;
            }
            toml_array_push(a, t);
        }
        return a;
    }
    case JSON_OBJECT: {
        toml_value *o = toml_new_table();
        const char *key;
        json_t *item;
        json_object_foreach((json_t *)v, key, item)
        {
            if (skip_nulls && json_is_null(item))
                continue;
            toml_value *t = toml_from_json(item, skip_nulls, why);
            if (!t) {
                toml_free(o);
                return NULL;
            }
            toml_table_set(o, key, t);
        }
        return o;
    }
    }
    *why = "unsupported value";
    return NULL;
}

/* An MCP tool's inputSchema as the model is given it: the subset of JSON
 * Schema the Responses API takes, in the reference's shape.  Kept: type
 * (also as a list), description, enum, anyOf, oneOf, $ref, $defs, items,
 * minItems, properties (sorted by name), required, additionalProperties
 * (never added).  const becomes a one-value string enum; an object always
 * has properties; a property without any type information becomes {}.
 * Everything else (defaults, bounds, formats, patterns, $schema) goes. */
#include "tools/mcp_tools.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define MAX_DEPTH 32

static json_t *trim(const json_t *s, int depth);

static bool has_type(const json_t *type, const char *name)
{
    if (json_is_string(type))
        return strcmp(json_string_value(type), name) == 0;
    size_t i;
    const json_t *t;
    json_array_foreach(type, i, t) if (json_is_string(t) && strcmp(json_string_value(t), name) == 0)
        return true;
    return false;
}

/* A type that is a string or a non-empty list of strings, or NULL. */
static const json_t *valid_type(const json_t *type)
{
    if (json_is_string(type))
        return type;
    if (!json_is_array(type) || json_array_size(type) == 0)
        return NULL;
    size_t i;
    const json_t *t;
    json_array_foreach(type, i, t) if (!json_is_string(t))
        return NULL;
    return type;
}

static json_t *trim_list(const json_t *list, int depth)
{
    json_t *out = json_array();
    size_t i;
    const json_t *s;
    json_array_foreach(list, i, s) json_array_append_new(out, trim(s, depth + 1));
    return out;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *trim_properties(const json_t *props, int depth)
{
    json_t *out = json_object();
    if (!json_is_object(props))
        return out;
    size_t n = json_object_size(props), k = 0;
    const char **keys = xcalloc(n ? n : 1, sizeof *keys);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)props, key, v) keys[k++] = key;
    qsort(keys, n, sizeof *keys, cmp_keys);
    for (size_t i = 0; i < n; i++)
        json_object_set_new(out, keys[i], trim(json_object_get(props, keys[i]), depth + 1));
    free(keys);
    return out;
}

static json_t *trim_defs(const json_t *defs, int depth)
{
    json_t *out = json_object();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)defs, key, v) json_object_set_new(out, key, trim(v, depth + 1));
    return out;
}

static json_t *strings_only(const json_t *list)
{
    json_t *out = json_array();
    size_t i;
    const json_t *v;
    json_array_foreach(list, i, v) if (json_is_string(v))
        json_array_append(out, (json_t *)v);
    return out;
}

static json_t *trim(const json_t *s, int depth)
{
    json_t *out = json_object();
    if (!json_is_object(s) || depth > MAX_DEPTH)
        return out;
    const json_t *type = valid_type(json_object_get(s, "type"));
    const json_t *konst = json_object_get(s, "const");
    const json_t *enumv = json_object_get(s, "enum");
    const json_t *any = json_object_get(s, "anyOf");
    const json_t *one = json_object_get(s, "oneOf");
    const json_t *ref = json_object_get(s, "$ref");
    const json_t *props = json_object_get(s, "properties");
    const json_t *desc = json_object_get(s, "description");
    if (!type && json_is_object(props))
        type = NULL; /* properties alone make it an object below */
    bool object = (type && has_type(type, "object")) || (!type && json_is_object(props));
    bool typed = type || object || konst || json_is_array(enumv) || json_is_array(any) ||
                 json_is_array(one) || json_is_string(ref);
    if (!typed)
        return out; /* nothing the model could use: {} */
    if (type)
        json_object_set(out, "type", (json_t *)type);
    else if (object)
        json_object_set_new(out, "type", json_string("object"));
    else if (konst)
        json_object_set_new(out, "type", json_string(json_is_string(konst) ? "string"
                                                     : json_is_boolean(konst) ? "boolean"
                                                     : json_is_integer(konst) ? "integer"
                                                     : "number"));
    if (json_is_string(desc))
        json_object_set(out, "description", (json_t *)desc);
    if (konst)
        json_object_set_new(out, "enum", json_pack("[O]", konst));
    else if (json_is_array(enumv))
        json_object_set(out, "enum", (json_t *)enumv);
    if (json_is_array(any))
        json_object_set_new(out, "anyOf", trim_list(any, depth));
    if (json_is_array(one))
        json_object_set_new(out, "oneOf", trim_list(one, depth));
    if (json_is_string(ref))
        json_object_set(out, "$ref", (json_t *)ref);
    if (type && has_type(type, "array")) {
        const json_t *items = json_object_get(s, "items");
        if (items)
            json_object_set_new(out, "items", trim(items, depth + 1));
        const json_t *min = json_object_get(s, "minItems");
        if (json_is_integer(min))
            json_object_set(out, "minItems", (json_t *)min);
    }
    if (object) {
        json_object_set_new(out, "properties", trim_properties(props, depth));
        const json_t *req = json_object_get(s, "required");
        if (json_is_array(req))
            json_object_set_new(out, "required", strings_only(req));
        const json_t *extra = json_object_get(s, "additionalProperties");
        if (json_is_boolean(extra))
            json_object_set(out, "additionalProperties", (json_t *)extra);
        else if (json_is_object(extra))
            json_object_set_new(out, "additionalProperties", trim(extra, depth + 1));
    }
    const json_t *defs = json_object_get(s, "$defs");
    if (json_is_object(defs))
        json_object_set_new(out, "$defs", trim_defs(defs, depth));
    return out;
}

json_t *mcp_schema_for_model(const json_t *input_schema, char **warning)
{
    *warning = NULL;
    if (!input_schema || json_is_null(input_schema))
        return json_pack("{s:s s:{}}", "type", "object", "properties");
    if (!json_is_object(input_schema)) {
        *warning = xstrdup("its inputSchema is not a JSON object");
        return NULL;
    }
    const json_t *type = json_object_get(input_schema, "type");
    if (type && !has_type(type, "object")) {
        *warning = xstrdup("its inputSchema does not describe an object");
        return NULL;
    }
    json_t *out = trim(input_schema, 0);
    if (!json_object_get(out, "type")) {
        /* Parameters are always an object, even when the server did not
         * say so. */
        json_t *fixed = json_pack("{s:s s:{}}", "type", "object", "properties");
        json_object_update_missing(fixed, out);
        json_decref(out);
        out = fixed;
    }
    return out;
}

/* The TOML value tree: construction, access, ownership, deep copy and merge. */
#include "config/toml_internal.h"

#include "util/xalloc.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static toml_value *new_value(enum toml_type type)
{
    toml_value *v = xcalloc(1, sizeof *v);
    v->type = type;
    return v;
}

toml_value *toml_new_table(void) { return new_value(TOML_TABLE); }
toml_value *toml_new_array(void) { return new_value(TOML_ARRAY); }

/* The text lives in the same allocation as the value: one malloc per
 * string instead of two matters for large documents. */
toml_value *toml_new_string(const char *s, size_t len)
{
    toml_value *v = xmalloc(sizeof *v + len + 1);
    memset(v, 0, sizeof *v);
    v->type = TOML_STRING;
    v->u.str.ptr = (char *)(v + 1);
    if (len)
        memcpy(v->u.str.ptr, s, len);
    v->u.str.ptr[len] = '\0';
    v->u.str.len = len;
    return v;
}

toml_value *toml_new_datetime(enum toml_type type, const char *text, size_t len)
{
    toml_value *v = toml_new_string(text, len);
    v->type = type;
    return v;
}

toml_value *toml_new_integer(int64_t i)
{
    toml_value *v = new_value(TOML_INTEGER);
    v->u.integer = i;
    return v;
}

toml_value *toml_new_float(double d)
{
    toml_value *v = new_value(TOML_FLOAT);
    v->u.real = d;
    return v;
}

toml_value *toml_new_bool(bool b)
{
    toml_value *v = new_value(TOML_BOOLEAN);
    v->u.boolean = b;
    return v;
}

static bool is_stringish(enum toml_type t)
{
    return t == TOML_STRING || t == TOML_OFFSET_DATETIME || t == TOML_LOCAL_DATETIME ||
           t == TOML_LOCAL_DATE || t == TOML_LOCAL_TIME;
}

void toml_free(toml_value *v)
{
    if (!v)
        return;
    if (is_stringish(v->type)) {
        /* text allocated with the value */
    } else if (v->type == TOML_ARRAY) {
        for (size_t i = 0; i < v->u.arr.len; i++)
            toml_free(v->u.arr.items[i]);
        free(v->u.arr.items);
    } else if (v->type == TOML_TABLE) {
        for (size_t i = 0; i < v->u.tab.len; i++) {
            free(v->u.tab.keys[i]);
            toml_free(v->u.tab.vals[i]);
        }
        free(v->u.tab.keys);
        free(v->u.tab.vals);
        free(v->u.tab.index);
    }
    free(v);
}

enum toml_type toml_type(const toml_value *v) { return v->type; }

const char *toml_type_name(enum toml_type t)
{
    switch (t) {
    case TOML_STRING: return "string";
    case TOML_INTEGER: return "integer";
    case TOML_FLOAT: return "float";
    case TOML_BOOLEAN: return "boolean";
    case TOML_OFFSET_DATETIME: return "offset datetime";
    case TOML_LOCAL_DATETIME: return "local datetime";
    case TOML_LOCAL_DATE: return "local date";
    case TOML_LOCAL_TIME: return "local time";
    case TOML_ARRAY: return "array";
    case TOML_TABLE: return "table";
    }
    return "unknown";
}

int toml_line(const toml_value *v) { return v->line; }
int toml_col(const toml_value *v) { return v->col; }

const char *toml_string(const toml_value *v, size_t *len_out)
{
    assert(v->type == TOML_STRING);
    if (len_out)
        *len_out = v->u.str.len;
    return v->u.str.ptr;
}

int64_t toml_integer(const toml_value *v)
{
    assert(v->type == TOML_INTEGER);
    return v->u.integer;
}

double toml_float(const toml_value *v)
{
    assert(v->type == TOML_FLOAT);
    return v->u.real;
}

bool toml_bool(const toml_value *v)
{
    assert(v->type == TOML_BOOLEAN);
    return v->u.boolean;
}

const char *toml_datetime(const toml_value *v)
{
    assert(is_stringish(v->type) && v->type != TOML_STRING);
    return v->u.str.ptr;
}

size_t toml_array_len(const toml_value *v)
{
    assert(v->type == TOML_ARRAY);
    return v->u.arr.len;
}

toml_value *toml_array_at(const toml_value *v, size_t i)
{
    assert(v->type == TOML_ARRAY);
    return i < v->u.arr.len ? v->u.arr.items[i] : NULL;
}

void toml_array_push(toml_value *array, toml_value *item)
{
    assert(array->type == TOML_ARRAY);
    if (array->u.arr.len == array->u.arr.cap) {
        array->u.arr.cap = array->u.arr.cap ? array->u.arr.cap * 2 : 4;
        array->u.arr.items = xrealloc(array->u.arr.items, array->u.arr.cap * sizeof(toml_value *));
    }
    array->u.arr.items[array->u.arr.len++] = item;
}

/* ---- Tables ---------------------------------------------------------- */

#define INDEX_THRESHOLD 8

static uint32_t hash_key(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static void index_insert(struct toml_table_data *t, size_t slot)
{
    size_t mask = t->index_cap - 1;
    size_t i = hash_key(t->keys[slot]) & mask;
    while (t->index[i])
        i = (i + 1) & mask;
    t->index[i] = (uint32_t)(slot + 1);
}

static void index_rebuild(struct toml_table_data *t)
{
    free(t->index);
    t->index_cap = 16;
    while (t->index_cap < t->len * 2 + 2)
        t->index_cap *= 2;
    t->index = xcalloc(t->index_cap, sizeof *t->index);
    for (size_t i = 0; i < t->len; i++)
        index_insert(t, i);
}

long toml_table_find(const toml_value *table, const char *key)
{
    assert(table->type == TOML_TABLE);
    const struct toml_table_data *t = &table->u.tab;
    if (t->index) {
        size_t mask = t->index_cap - 1;
        for (size_t i = hash_key(key) & mask; t->index[i]; i = (i + 1) & mask) {
            size_t slot = t->index[i] - 1;
            if (strcmp(t->keys[slot], key) == 0)
                return (long)slot;
        }
        return -1;
    }
    for (size_t i = 0; i < t->len; i++)
        if (strcmp(t->keys[i], key) == 0)
            return (long)i;
    return -1;
}

size_t toml_table_len(const toml_value *v)
{
    assert(v->type == TOML_TABLE);
    return v->u.tab.len;
}

const char *toml_table_key_at(const toml_value *v, size_t i)
{
    assert(v->type == TOML_TABLE && i < v->u.tab.len);
    return v->u.tab.keys[i];
}

toml_value *toml_table_value_at(const toml_value *v, size_t i)
{
    assert(v->type == TOML_TABLE && i < v->u.tab.len);
    return v->u.tab.vals[i];
}

toml_value *toml_table_get(const toml_value *table, const char *key)
{
    if (!table || table->type != TOML_TABLE)
        return NULL;
    long i = toml_table_find(table, key);
    return i < 0 ? NULL : table->u.tab.vals[i];
}

toml_value *toml_table_get_path(const toml_value *table, const char *const *keys, size_t n)
{
    const toml_value *cur = table;
    for (size_t i = 0; i < n; i++) {
        cur = toml_table_get(cur, keys[i]);
        if (!cur)
            return NULL;
    }
    return (toml_value *)cur;
}

void toml_table_insert_owned(toml_value *table, char *key, toml_value *value)
{
    struct toml_table_data *t = &table->u.tab;
    if (t->len == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 4;
        t->keys = xrealloc(t->keys, t->cap * sizeof(char *));
        t->vals = xrealloc(t->vals, t->cap * sizeof(toml_value *));
    }
    t->keys[t->len] = key;
    t->vals[t->len] = value;
    t->len++;
    if (t->len > INDEX_THRESHOLD) {
        if (!t->index || t->len * 2 > t->index_cap)
            index_rebuild(t);
        else
            index_insert(t, t->len - 1);
    }
}

void toml_table_set(toml_value *table, const char *key, toml_value *value)
{
    assert(table->type == TOML_TABLE);
    long i = toml_table_find(table, key);
    if (i >= 0) {
        if (table->u.tab.vals[i] != value)
            toml_free(table->u.tab.vals[i]);
        table->u.tab.vals[i] = value;
        return;
    }
    toml_table_insert_owned(table, xstrdup(key), value);
}

void toml_table_set_path(toml_value *table, const char *const *keys, size_t n, toml_value *value)
{
    assert(n > 0);
    toml_value *cur = table;
    for (size_t i = 0; i + 1 < n; i++) {
        toml_value *next = toml_table_get(cur, keys[i]);
        if (!next || next->type != TOML_TABLE) {
            next = toml_new_table();
            toml_table_set(cur, keys[i], next);
        }
        cur = next;
    }
    toml_table_set(cur, keys[n - 1], value);
}

bool toml_table_remove(toml_value *table, const char *key)
{
    assert(table->type == TOML_TABLE);
    struct toml_table_data *t = &table->u.tab;
    long i = toml_table_find(table, key);
    if (i < 0)
        return false;
    free(t->keys[i]);
    toml_free(t->vals[i]);
    memmove(t->keys + i, t->keys + i + 1, (t->len - (size_t)i - 1) * sizeof(char *));
    memmove(t->vals + i, t->vals + i + 1, (t->len - (size_t)i - 1) * sizeof(toml_value *));
    t->len--;
    if (t->index) {
        if (t->len > INDEX_THRESHOLD) {
            index_rebuild(t);
        } else {
            free(t->index);
            t->index = NULL;
            t->index_cap = 0;
        }
    }
    return true;
}

/* ---- Copy and merge -------------------------------------------------- */

toml_value *toml_clone(const toml_value *v)
{
    if (!v)
        return NULL;
    toml_value *c;
    if (is_stringish(v->type)) {
        c = toml_new_string(v->u.str.ptr, v->u.str.len);
        c->type = v->type;
    } else if (v->type == TOML_ARRAY) {
        c = toml_new_array();
        for (size_t i = 0; i < v->u.arr.len; i++)
            toml_array_push(c, toml_clone(v->u.arr.items[i]));
    } else if (v->type == TOML_TABLE) {
        c = toml_new_table();
        for (size_t i = 0; i < v->u.tab.len; i++)
            toml_table_set(c, v->u.tab.keys[i], toml_clone(v->u.tab.vals[i]));
    } else {
        c = new_value(v->type);
        c->u = v->u;
    }
    c->flags = v->flags;
    c->line = v->line;
    c->col = v->col;
    return c;
}

void toml_merge(toml_value *base, const toml_value *overlay)
{
    assert(base->type == TOML_TABLE && overlay->type == TOML_TABLE);
    for (size_t i = 0; i < overlay->u.tab.len; i++) {
        const char *key = overlay->u.tab.keys[i];
        const toml_value *ov = overlay->u.tab.vals[i];
        toml_value *bv = toml_table_get(base, key);
        if (bv && bv->type == TOML_TABLE && ov->type == TOML_TABLE)
            toml_merge(bv, ov);
        else
            toml_table_set(base, key, toml_clone(ov));
    }
}

/* ---- Errors ---------------------------------------------------------- */

void toml_set_error(struct toml_error *err, int line, int col, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->line = line;
    err->col = col;
}

void toml_error_format(const struct toml_error *err, const char *filename, char *out, size_t outlen)
{
    if (!outlen)
        return;
    snprintf(out, outlen, "%s:%d:%d: %s", filename ? filename : "<input>", err->line, err->col,
             err->message);
}

/* ---- Equality -------------------------------------------------------- */

bool toml_equal(const toml_value *a, const toml_value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case TOML_INTEGER: return a->u.integer == b->u.integer;
    case TOML_BOOLEAN: return a->u.boolean == b->u.boolean;
    case TOML_FLOAT:
        if (a->u.real != a->u.real)
            return b->u.real != b->u.real;
        return a->u.real == b->u.real;
    case TOML_ARRAY:
        if (a->u.arr.len != b->u.arr.len)
            return false;
        for (size_t i = 0; i < a->u.arr.len; i++)
            if (!toml_equal(a->u.arr.items[i], b->u.arr.items[i]))
                return false;
        return true;
    case TOML_TABLE:
        if (a->u.tab.len != b->u.tab.len)
            return false;
        for (size_t i = 0; i < a->u.tab.len; i++) {
            const toml_value *other = toml_table_get(b, a->u.tab.keys[i]);
            if (!other || !toml_equal(a->u.tab.vals[i], other))
                return false;
        }
        return true;
    default:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.ptr, b->u.str.ptr, a->u.str.len) == 0;
    }
}

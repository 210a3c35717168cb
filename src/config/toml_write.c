/* Rendering values as TOML source: inline values, keys, whole documents. */
#include "config/toml_internal.h"

#include "util/buf.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool toml_key_is_bare(const char *key)
{
    if (!*key)
        return false;
    for (const char *p = key; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static void write_basic_string(struct buf *out, const char *s, size_t len)
{
    buf_putc(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': buf_puts(out, "\\\""); break;
        case '\\': buf_puts(out, "\\\\"); break;
        case '\b': buf_puts(out, "\\b"); break;
        case '\t': buf_puts(out, "\\t"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\f': buf_puts(out, "\\f"); break;
        case '\r': buf_puts(out, "\\r"); break;
        default:
            if (c < 0x20 || c == 0x7F)
                buf_printf(out, "\\u%04X", c);
            else
                buf_putc(out, (char)c);
        }
    }
    buf_putc(out, '"');
}

void toml_write_key(struct buf *out, const char *key)
{
    if (toml_key_is_bare(key))
        buf_puts(out, key);
    else
        write_basic_string(out, key, strlen(key));
}

void toml_write_key_path(struct buf *out, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(out, '.');
        toml_write_key(out, keys[i]);
    }
}

static void write_float(struct buf *out, double d)
{
    if (isnan(d)) {
        buf_puts(out, signbit(d) ? "-nan" : "nan");
        return;
    }
    if (isinf(d)) {
        buf_puts(out, d < 0 ? "-inf" : "inf");
        return;
    }
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    buf_puts(out, tmp);
    if (!strpbrk(tmp, ".e"))
        buf_puts(out, ".0");
}

void toml_write_inline(struct buf *out, const toml_value *v)
{
    switch (v->type) {
    case TOML_STRING: write_basic_string(out, v->u.str.ptr, v->u.str.len); break;
    case TOML_INTEGER: buf_printf(out, "%lld", (long long)v->u.integer); break;
    case TOML_FLOAT: write_float(out, v->u.real); break;
    case TOML_BOOLEAN: buf_puts(out, v->u.boolean ? "true" : "false"); break;
    case TOML_OFFSET_DATETIME:
    case TOML_LOCAL_DATETIME:
    case TOML_LOCAL_DATE:
    case TOML_LOCAL_TIME: buf_append(out, v->u.str.ptr, v->u.str.len); break;
    case TOML_ARRAY:
        buf_putc(out, '[');
        for (size_t i = 0; i < v->u.arr.len; i++) {
            if (i)
                buf_puts(out, ", ");
            toml_write_inline(out, v->u.arr.items[i]);
        }
        buf_putc(out, ']');
        break;
    case TOML_TABLE:
        if (!v->u.tab.len) {
            buf_puts(out, "{}");
            break;
        }
        buf_puts(out, "{ ");
        for (size_t i = 0; i < v->u.tab.len; i++) {
            if (i)
                buf_puts(out, ", ");
            toml_write_key(out, v->u.tab.keys[i]);
            buf_puts(out, " = ");
            toml_write_inline(out, v->u.tab.vals[i]);
        }
        buf_puts(out, " }");
        break;
    }
}

char *toml_to_inline(const toml_value *v)
{
    struct buf out = BUF_INIT;
    toml_write_inline(&out, v);
    return buf_detach(&out, NULL);
}

/* ---- Documents -------------------------------------------------------- */

/* An array written as [[header]] sections rather than inline. */
static bool is_table_array(const toml_value *v)
{
    if (v->type != TOML_ARRAY || v->u.arr.len == 0)
        return false;
    for (size_t i = 0; i < v->u.arr.len; i++)
        if (v->u.arr.items[i]->type != TOML_TABLE)
            return false;
    return true;
}

static bool is_section_value(const toml_value *v)
{
    return v->type == TOML_TABLE || is_table_array(v);
}

struct path {
    const char **keys;
    size_t n, cap;
};

static void path_push(struct path *p, const char *key)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->keys = xrealloc(p->keys, p->cap * sizeof *p->keys);
    }
    p->keys[p->n++] = key;
}

static void write_body(struct buf *out, const toml_value *table, struct path *path);

static void write_section(struct buf *out, const toml_value *table, struct path *path, bool aot)
{
    if (out->len)
        buf_putc(out, '\n');
    buf_puts(out, aot ? "[[" : "[");
    toml_write_key_path(out, path->keys, path->n);
    buf_puts(out, aot ? "]]\n" : "]\n");
    write_body(out, table, path);
}

/* The plain keys of table, then its sub-tables as sections under path. */
static void write_body(struct buf *out, const toml_value *table, struct path *path)
{
    const struct toml_table_data *t = &table->u.tab;
    for (size_t i = 0; i < t->len; i++) {
        if (is_section_value(t->vals[i]))
            continue;
        toml_write_key(out, t->keys[i]);
        buf_puts(out, " = ");
        toml_write_inline(out, t->vals[i]);
        buf_putc(out, '\n');
    }
    for (size_t i = 0; i < t->len; i++) {
        const toml_value *v = t->vals[i];
        if (!is_section_value(v))
            continue;
        path_push(path, t->keys[i]);
        if (v->type == TOML_TABLE) {
            write_section(out, v, path, false);
        } else {
            for (size_t k = 0; k < v->u.arr.len; k++)
                write_section(out, v->u.arr.items[k], path, true);
        }
        path->n--;
    }
}

void toml_write_sections(struct buf *out, const char *const *keys, size_t n, const toml_value *table)
{
    struct path path = {0};
    for (size_t i = 0; i < n; i++)
        path_push(&path, keys[i]);
    buf_putc(out, '[');
    toml_write_key_path(out, keys, n);
    buf_puts(out, "]\n");
    write_body(out, table, &path);
    free(path.keys);
}

char *toml_to_document(const toml_value *root)
{
    struct buf out = BUF_INIT;
    struct path path = {0};
    write_body(&out, root, &path);
    free(path.keys);
    return buf_detach(&out, NULL);
}

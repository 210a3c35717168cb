#include "util/json_items.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/json_compact.h"
#include "util/xalloc.h"

size_t json_items_count(const struct json_items *l)
{
    return l->n;
}

/* Huge pages for a long history: filling tens of megabytes a 4 KiB page
 * fault at a time was a fifth of a resume. */
#define HUGE_PAGE ((uintptr_t)2 << 20)

void json_items_reserve(struct json_items *l, size_t bytes)
{
    buf_reserve(&l->text, bytes);
    if (bytes < 4 * HUGE_PAGE)
        return;
    uintptr_t from = ((uintptr_t)l->text.data + l->text.len + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    uintptr_t to = ((uintptr_t)l->text.data + l->text.cap) & ~(HUGE_PAGE - 1);
    if (to > from)
        (void)madvise((void *)from, to - from, MADV_HUGEPAGE); /* only advice */
}

static struct json_item *push(struct json_items *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct json_item *e = &l->v[l->n++];
    memset(e, 0, sizeof *e);
    return e;
}

/* An item whose dump fails adds nothing, not even its comma, as a request
 * built item by item never had it. */
static void add_text(struct json_items *l, struct json_item *e, const char *text, size_t len)
{
    if (len && l->text.len)
        buf_putc(&l->text, ',');
    e->off = l->text.len;
    e->len = len;
    buf_append(&l->text, text, len);
}

static void serialize_pending(struct json_items *l)
{
    for (; l->serialized < l->n; l->serialized++) {
        struct json_item *e = &l->v[l->serialized];
        char *s = json_dumps(e->tree, JSON_COMPACT);
        add_text(l, e, s ? s : "", s ? strlen(s) : 0);
        free(s);
        if (e->len > JSON_ITEMS_TREE_MAX) {
            e->brief = json_compact_brief_of(e->tree);
            json_decref(e->tree);
            e->tree = NULL;
        }
    }
}

void json_items_append(struct json_items *l, json_t *item)
{
    push(l)->tree = json_incref(item);
}

void json_items_append_text(struct json_items *l, const char *text, size_t len)
{
    serialize_pending(l);
    struct json_item *e = push(l);
    add_text(l, e, text, len);
    if (len > JSON_ITEMS_TREE_MAX)
        e->brief = json_compact_brief(text, len);
    else
        e->tree = json_loadb(text, len, 0, NULL);
    l->serialized = l->n;
}

const json_t *json_items_peek(const struct json_items *l, size_t i)
{
    if (i >= l->n)
        return NULL;
    return l->v[i].tree ? l->v[i].tree : l->v[i].brief;
}

json_t *json_items_get(const struct json_items *l, size_t i)
{
    if (i >= l->n)
        return NULL;
    const struct json_item *e = &l->v[i];
    if (e->tree)
        return json_incref(e->tree);
    return json_loadb(l->text.data + e->off, e->len, 0, NULL);
}

json_t *json_items_to_array(const struct json_items *l)
{
    json_t *all = json_array();
    for (size_t i = 0; i < l->n; i++) {
        json_t *item = json_items_get(l, i);
        json_array_append_new(all, item ? item : json_null());
    }
    return all;
}

const char *json_items_text(struct json_items *l, size_t *len)
{
    serialize_pending(l);
    *len = l->text.len;
    return l->text.data ? l->text.data : "";
}

const char *json_items_span(struct json_items *l, size_t from, size_t to, size_t *len)
{
    serialize_pending(l);
    size_t start = SIZE_MAX, end = 0;
    for (size_t i = from; i < to && i < l->n; i++) {
        if (!l->v[i].len)
            continue;
        if (start == SIZE_MAX)
            start = l->v[i].off;
        end = l->v[i].off + l->v[i].len;
    }
    if (start == SIZE_MAX) {
        *len = 0;
        return "";
    }
    *len = end - start;
    return l->text.data + start;
}

void json_items_move_all(struct json_items *dst, struct json_items *src)
{
    serialize_pending(dst);
    serialize_pending(src);
    if (src->text.len >= dst->text.len) {
        /* dst's text goes in front of src's, in src's buffer. */
        size_t shift = dst->text.len + (dst->text.len && src->text.len ? 1 : 0);
        if (shift) {
            buf_reserve(&src->text, shift);
            memmove(src->text.data + shift, src->text.data, src->text.len);
            memcpy(src->text.data, dst->text.data, dst->text.len);
            if (src->text.len)
                src->text.data[dst->text.len] = ',';
            src->text.len += shift;
            src->text.data[src->text.len] = '\0';
            for (size_t i = 0; i < src->n; i++)
                src->v[i].off += shift;
        }
        struct buf t = dst->text;
        dst->text = src->text;
        src->text = t;
    } else {
        size_t base = dst->text.len + (dst->text.len && src->text.len ? 1 : 0);
        if (src->text.len) {
            if (dst->text.len)
                buf_putc(&dst->text, ',');
            buf_append(&dst->text, src->text.data, src->text.len);
        }
        for (size_t i = 0; i < src->n; i++)
            src->v[i].off += base;
    }
    for (size_t i = 0; i < src->n; i++)
        *push(dst) = src->v[i];
    dst->serialized = dst->n;
    src->n = src->serialized = 0;
    json_items_free(src);
}

void json_items_clear(struct json_items *l)
{
    for (size_t i = 0; i < l->n; i++) {
        json_decref(l->v[i].tree);
        json_decref(l->v[i].brief);
    }
    l->n = l->serialized = 0;
    buf_free(&l->text); /* a long history's megabytes go back */
}

void json_items_free(struct json_items *l)
{
    json_items_clear(l);
    free(l->v);
    memset(l, 0, sizeof *l);
}

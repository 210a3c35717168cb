/* A list of JSON objects kept mainly as their compact serialization: the
 * history a thread sends the model.  Every request carries all of it, so
 * it is kept as the text a request is sent from (items joined by ','); a
 * parsed tree is kept beside it only for small items, and a large one is
 * parsed again on the rare occasions something needs its structure
 * (compaction, the auto-reviewer's transcript).  What readers filter by
 * (type, role, call_id: the short string members) stays at hand. */
#ifndef CODEX_UTIL_JSON_ITEMS_H
#define CODEX_UTIL_JSON_ITEMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Items whose text is longer than this keep no tree once serialized. */
#define JSON_ITEMS_TREE_MAX 2048

struct json_item {
    json_t *tree;  /* NULL when only the text is kept */
    json_t *brief; /* the short string members, when tree is NULL */
    size_t off, len; /* the text, once serialized */
};

struct json_items {
    struct buf text;    /* the serialized items, joined by ',' */
    struct json_item *v;
    size_t n, cap;
    size_t serialized;  /* items [0, serialized) are in text */
};

#define JSON_ITEMS_INIT {BUF_INIT, NULL, 0, 0, 0}

size_t json_items_count(const struct json_items *l);
/* Room for bytes more of text: a long history read from a file of known
 * size grows without being copied at every doubling (pages not written
 * cost no memory). */
void json_items_reserve(struct json_items *l, size_t bytes);
/* Appends a reference to item (an object); it is serialized when the text
 * is next asked for. */
void json_items_append(struct json_items *l, json_t *item);
/* Appends an item given as its text, which must be exactly its compact
 * serialization (json_compact_check: what json_dumps would have written). */
void json_items_append_text(struct json_items *l, const char *text, size_t len);
/* The item's tree if it is kept, else its short string members only:
 * enough to filter by type, role or call_id.  Borrowed. */
const json_t *json_items_peek(const struct json_items *l, size_t i);
/* The whole item (a new reference; parsed from its text when no tree is
 * kept), or NULL if that text does not parse. */
json_t *json_items_get(const struct json_items *l, size_t i);
/* Every item, parsed, as an array (a new one; for tests and small lists). */
json_t *json_items_to_array(const struct json_items *l);
/* Serializes what is not yet, drops the trees of large items, and returns
 * the text of every item ("" when none). */
const char *json_items_text(struct json_items *l, size_t *len);
/* The text of items [from, to), serializing first as json_items_text. */
const char *json_items_span(struct json_items *l, size_t from, size_t to, size_t *len);
/* Moves every item of src after those of dst (src is left empty).  The
 * larger text is kept and the smaller copied to it, so a long history is
 * never held twice. */
void json_items_move_all(struct json_items *dst, struct json_items *src);
void json_items_clear(struct json_items *l);
void json_items_free(struct json_items *l);

#endif

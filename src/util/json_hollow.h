/* Long strings that are only passed through, kept as their JSON text.  A
 * long thread's stored turns are mostly command output: a reader that
 * converts each item and writes it out again would decode every byte of
 * that output into a tree and encode it back.  Instead such a string is
 * swapped for a short placeholder before parsing, and the placeholder in
 * the written text is swapped back for the original bytes, which are
 * already exactly what the dump would write (json_compact_check). */
#ifndef CODEX_UTIL_JSON_HOLLOW_H
#define CODEX_UTIL_JSON_HOLLOW_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct json_hollow_string {
    size_t off, len; /* in raw: the string's text between its quotes */
};

struct json_hollow {
    struct buf raw;  /* the strings taken out */
    struct json_hollow_string *v;
    size_t n, cap;
    struct buf text; /* the last text with placeholders */
    bool poisoned;   /* a text held the marker: fill gives NULL */
};

#define JSON_HOLLOW_INIT {BUF_INIT, NULL, 0, 0, BUF_INIT, false}

/* When text passes json_compact_check, its copy in h->text, with
 * every string value of a member named key that is at least min bytes
 * long replaced by a placeholder string; the strings are kept in h, after
 * those of earlier calls.  False, taking nothing, when text is not compact
 * or has no such string; or when it holds the placeholders' marker
 * (U+0001) already, and then fill gives NULL until h is cleared. */
bool json_hollow_take(struct json_hollow *h, const char *text, size_t len, const char *key,
                      size_t min);
/* text (a JSON dump of what was parsed from h's texts) with each
 * placeholder replaced by its string's original text: a new string, its
 * length in *out_len.  NULL when some placeholder is not there exactly
 * once or the marker appears otherwise (the caller then builds the text
 * again without placeholders). */
char *json_hollow_fill(const struct json_hollow *h, const char *text, size_t len,
                       size_t *out_len);
/* Forget the strings taken (the buffers are kept for reuse). */
void json_hollow_clear(struct json_hollow *h);
void json_hollow_free(struct json_hollow *h);

#endif

/* The Responses API request body. */
#ifndef CODEX_MODEL_REQUEST_H
#define CODEX_MODEL_REQUEST_H

#include <stdbool.h>

#include <jansson.h>

struct request_parts {
    const char *model;
    /* The history, already serialized: items joined by ',' without the
     * brackets.  Items are serialized once when they join the history, so a
     * request costs a copy of it, not a new encoding. */
    const char *input_json;
    size_t input_json_len;
    const json_t *tools;
    const char *reasoning_effort; /* NULL: no reasoning field... */
    const char *reasoning_summary; /* ...unless a summary is asked for */
    const char *verbosity;
    const json_t *output_schema;
    bool output_schema_lenient; /* "strict": false (a schema with optional properties) */
    const char *prompt_cache_key;
    const json_t *client_metadata;
    int parallel_tool_calls;
    const char *service_tier; /* "priority", "flex", or NULL: not sent */
};

/* The body around its input: head is everything up to the input array's
 * '[', tail from its ']' on (both malloc'd), so the history is sent from
 * where it is kept instead of copied into every request. */
struct request_split {
    char *head, *tail;
    size_t head_len, tail_len;
};
void request_body_split(const struct request_parts *rp, struct request_split *out);
/* Serialized body (caller frees). */
char *request_body(const struct request_parts *rp, size_t *len);
/* Append item's serialization to a history buffer (with the ',' between). */
struct buf;
void request_append_item(struct buf *input_json, const json_t *item);

#endif

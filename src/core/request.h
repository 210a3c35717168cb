/* The Responses API request body. */
#ifndef CODEX_CORE_REQUEST_H
#define CODEX_CORE_REQUEST_H

#include <jansson.h>

struct request_parts {
    const char *model;
    const json_t *input;  /* the history */
    const json_t *tools;
    const char *reasoning_effort; /* NULL: no reasoning field... */
    const char *reasoning_summary; /* ...unless a summary is asked for */
    const char *verbosity;
    const json_t *output_schema;
    const char *prompt_cache_key;
    const json_t *client_metadata;
    int parallel_tool_calls;
};

/* Serialized body (caller frees). */
char *request_body(const struct request_parts *rp, size_t *len);

#endif

/* Interpretation of one Responses API SSE stream: turns `data:` payloads
 * into the few things the agent needs (deltas, finished output items, the
 * terminal outcome with usage).  Transport-free so it can be fuzzed. */
#ifndef CODEX_MODEL_STREAM_H
#define CODEX_MODEL_STREAM_H

#include <stdbool.h>

#include <jansson.h>

#include "model/sse.h"
#include "model/usage.h"

enum stream_outcome {
    STREAM_PENDING,    /* no terminal event yet */
    STREAM_COMPLETED,  /* response.completed */
    STREAM_FAILED,     /* response.failed */
    STREAM_INCOMPLETE, /* response.incomplete */
};

enum stream_event_kind {
    STREAM_EV_TEXT_DELTA,      /* text: a piece of assistant text */
    STREAM_EV_REASONING_DELTA, /* text: a piece of reasoning summary or text */
    STREAM_EV_ITEM_DONE,       /* item: a finished output item (borrowed) */
};

struct stream_event {
    enum stream_event_kind kind;
    const char *item_id; /* may be NULL */
    const char *text;
    const json_t *item;
};

typedef void (*stream_event_fn)(void *ud, const struct stream_event *ev);

struct response_stream {
    struct sse_parser sse;
    enum stream_outcome outcome;
    char *response_id;
    struct token_usage usage;
    char *error_code;    /* response.failed error.code, or NULL */
    char *error_message; /* response.failed error.message / incomplete reason */
    stream_event_fn on_event;
    void *ud;
};

void response_stream_init(struct response_stream *rs, size_t max_event_bytes, stream_event_fn fn,
                          void *ud);
/* Feed raw bytes of the HTTP body.  Returns SSE_OK or SSE_TOO_LARGE. */
int response_stream_feed(struct response_stream *rs, const char *bytes, size_t n);
/* Forget everything (before a retry). */
void response_stream_reset(struct response_stream *rs);
void response_stream_free(struct response_stream *rs);

#endif

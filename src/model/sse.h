/* An incremental Server-Sent Events parser (the framing of the Responses
 * API stream).  Bytes are fed in arbitrary chunks; each complete event
 * (ended by a blank line) is handed to a callback with its `event:` name (""
 * when absent) and its `data:` lines joined by '\n'.  An event larger than
 * the configured bound stops the parser with SSE_TOO_LARGE instead of
 * growing without limit. */
#ifndef CODEX_MODEL_SSE_H
#define CODEX_MODEL_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

enum { SSE_OK = 0, SSE_TOO_LARGE = -1 };

/* Return 0 to go on; any other value stops the parser and is returned by
 * sse_feed. */
typedef int (*sse_event_fn)(void *ud, const char *event, const char *data, size_t data_len);

struct sse_parser {
    struct buf line;  /* the current, unfinished line */
    struct buf event; /* event name of the pending event */
    struct buf data;  /* data of the pending event */
    bool has_data;
    bool after_cr;    /* last byte was '\r': a following '\n' belongs to it */
    int stopped;      /* sticky result once non-zero */
    size_t max_event_bytes;
    sse_event_fn on_event;
    void *ud;
};

void sse_init(struct sse_parser *p, size_t max_event_bytes, sse_event_fn fn, void *ud);
/* Returns SSE_OK, SSE_TOO_LARGE or the callback's stop value; once stopped,
 * later calls return the same value without parsing. */
int sse_feed(struct sse_parser *p, const char *bytes, size_t n);
/* Forget any partial event (e.g. before a reconnect). */
void sse_reset(struct sse_parser *p);
void sse_free(struct sse_parser *p);

#endif

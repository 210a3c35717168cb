/* JSON-RPC 2.0 as the app-server speaks it: one JSON object per message,
 * the "jsonrpc" member omitted on output and not required on input.
 *
 * Two independent pieces: a line framer that cuts a byte stream into
 * messages (stdio transport), and a classifier that turns one message's text
 * into a request, notification, response or error. */
#ifndef CODEX_RPC_JSONRPC_H
#define CODEX_RPC_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/json_text.h"

#include "util/buf.h"

/* Largest message we accept; a bigger one drops its connection. */
#define JSONRPC_MAX_MESSAGE (64u * 1024 * 1024)

/* Standard error codes (the reference answers bad requests with -32600). */
#define JSONRPC_PARSE_ERROR -32700
#define JSONRPC_INVALID_REQUEST -32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS -32602
#define JSONRPC_INTERNAL_ERROR -32603

/* ---- Line framing ------------------------------------------------------- */

struct jsonrpc_framer {
    struct buf pending; /* bytes of the current, unfinished line */
    size_t max_message;
    bool overflow; /* the current line passed max_message */
};

void jsonrpc_framer_init(struct jsonrpc_framer *f, size_t max_message);
void jsonrpc_framer_free(struct jsonrpc_framer *f);

/* Called once per complete line (without the '\n'; a trailing '\r' is
 * dropped too).  Return false to stop feeding. */
typedef bool (*jsonrpc_line_fn)(void *ctx, const char *line, size_t len);

enum jsonrpc_feed_result {
    JSONRPC_FEED_OK,
    JSONRPC_FEED_STOPPED,  /* the callback returned false */
    JSONRPC_FEED_OVERSIZE, /* a line grew past max_message */
};

/* Feed bytes; complete lines go to fn, the remainder is kept. */
enum jsonrpc_feed_result jsonrpc_framer_feed(struct jsonrpc_framer *f, const char *data, size_t n,
                                             jsonrpc_line_fn fn, void *ctx);

/* ---- Messages ----------------------------------------------------------- */

enum jsonrpc_kind {
    JSONRPC_INVALID,      /* not a JSON-RPC message; why is in error */
    JSONRPC_REQUEST,      /* id + method */
    JSONRPC_NOTIFICATION, /* method, no id */
    JSONRPC_RESPONSE,     /* id + result */
    JSONRPC_ERROR,        /* id + error */
};

struct jsonrpc_message {
    enum jsonrpc_kind kind;
    json_t *root;         /* owned; NULL when the text was not JSON */
    json_t *id;           /* borrowed from root: integer or string */
    const char *method;   /* borrowed from root */
    json_t *params;       /* borrowed; NULL when absent */
    json_t *result;       /* borrowed */
    json_t *error;        /* borrowed */
    char error_text[200]; /* for JSONRPC_INVALID */
};

/* Classify one message's text.  Always fills *msg; free with
 * jsonrpc_message_free. */
void jsonrpc_parse(const char *text, size_t len, struct jsonrpc_message *msg);
void jsonrpc_message_free(struct jsonrpc_message *msg);

/* Builders; each returns a new object (caller owns).  result/params/data
 * are stolen (may be NULL for an empty params). */
json_t *jsonrpc_make_response(json_t *id, json_t *result);
json_t *jsonrpc_make_error(json_t *id, int code, const char *message);
json_t *jsonrpc_make_notification(const char *method, json_t *params);
json_t *jsonrpc_make_request(json_t *id, const char *method, json_t *params);

/* Serialize compactly (no newline).  Strings are emitted as UTF-8. */
char *jsonrpc_serialize(const json_t *msg, size_t *len_out);

/* A stable text key for a request id ("i:5", "s:abc"), for bookkeeping. */
char *jsonrpc_id_key(const json_t *id);


#endif

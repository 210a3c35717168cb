/* One client connection of the app server, independent of its transport.
 *
 * A transport (stdio today, WebSocket later) owns the bytes: it hands each
 * complete incoming message to rpc_conn_receive() and implements `send` for
 * outgoing ones.  The connection owns the session state (initialized,
 * capabilities, in-flight request ids) and a bounded outgoing queue: a
 * client that stops reading is disconnected with a logged reason instead of
 * growing memory without limit. */
#ifndef CODEX_RPC_CONN_H
#define CODEX_RPC_CONN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util/strvec.h"

struct rpc_conn;
struct rpc_server;

/* What a connection hands to the server above it. */
struct rpc_conn_host {
    /* One complete incoming message. */
    void (*receive)(struct rpc_conn *c, const char *text, size_t len);
    /* The transport has closed; c is released after this returns. */
    void (*closed)(struct rpc_conn *c);
};

/* Limits of the outgoing queue (bytes handed to the transport and not yet
 * written).  Generous enough for one maximal fs/readFile answer. */
#define RPC_CONN_MAX_QUEUED_BYTES (256u * 1024 * 1024)
#define RPC_CONN_MAX_QUEUED_MESSAGES 16384u

struct rpc_transport_ops {
    /* Queue one serialized message (data is malloc'd, ownership passes to
     * the transport, no trailing newline).  The transport calls
     * rpc_conn_sent() with len once it is written. */
    void (*send)(struct rpc_conn *c, char *data, size_t len);
    /* Optional: queue one piece of a message (last: it ends there), so a
     * long answer goes out while it is being written.  The transport calls
     * rpc_conn_sent_part() with len and last once a piece is written.
     * Without it a streamed message is gathered and sent whole. */
    void (*send_part)(struct rpc_conn *c, char *data, size_t len, bool last);
    /* Stop reading, flush what is queued (unless c->aborting), then close
     * and call rpc_conn_transport_closed(). */
    void (*close)(struct rpc_conn *c);
};

/* Something tied to a connection's lifetime (running processes, ...):
 * on_close runs once when the connection goes away. */
struct rpc_conn_resource {
    void (*on_close)(struct rpc_conn_resource *r);
    struct rpc_conn_resource *next;
};

struct rpc_conn {
    struct rpc_server *server; /* opaque here: for the modules */
    const struct rpc_conn_host *host;
    const struct rpc_transport_ops *ops;
    void *transport;
    const char *label; /* "stdio", "ws 127.0.0.1:5000 #3", for logs */

    size_t queued_bytes;
    size_t queued_messages;
    bool closing; /* no more sends or dispatch */
    bool aborting; /* close without flushing: the client is not reading */
    bool input_ended; /* no more requests will come; close once all are answered */

    /* Session state set by initialize. */
    bool initialized;
    bool announced; /* the notifications due after `initialized` were sent */
    bool experimental_api;
    struct strvec opt_out_notifications;
    char *client_name;
    char *client_version;

    json_t *inflight; /* object: id key -> true, for requests not yet answered */
    struct rpc_conn_resource *resources;
    int refs; /* the transport holds one; each unanswered request one more */
};

/* Transports open connections through the server (rpc_server_open_conn),
 * which passes itself as host. */
struct rpc_conn *rpc_conn_new(struct rpc_server *server, const struct rpc_conn_host *host,
                              const struct rpc_transport_ops *ops, void *transport,
                              const char *label);

/* One complete incoming message (a line for stdio, a text frame for ws). */
void rpc_conn_receive(struct rpc_conn *c, const char *text, size_t len);

/* Send a message (stolen).  Dropped silently once the connection is
 * closing; disconnects the client when the queue limits are exceeded. */
void rpc_conn_send(struct rpc_conn *c, json_t *msg);
/* Send a notification unless the client opted out of that method. */
void rpc_conn_notify(struct rpc_conn *c, const char *method, json_t *params);

/* Called by the transport when len bytes of a message were written. */
void rpc_conn_sent(struct rpc_conn *c, size_t len);
void rpc_conn_sent_part(struct rpc_conn *c, size_t len, bool last);

/* One message written in pieces: a long answer (every turn of a thread)
 * serialized a piece at a time, each piece handed to the transport as it
 * is written, so the whole text never exists at once.  Nothing else can
 * be sent on c between begin and end (they run in one call, on the loop). */
struct rpc_conn_stream {
    struct rpc_conn *c;
    char *gathered; /* without send_part: the pieces so far */
    size_t gathered_len, gathered_cap;
    bool dropped; /* closing, or the queue overflowed */
};
void rpc_conn_stream_begin(struct rpc_conn *c, struct rpc_conn_stream *s);
/* A piece (copied). */
void rpc_conn_stream_write(struct rpc_conn_stream *s, const char *data, size_t len);
void rpc_conn_stream_end(struct rpc_conn_stream *s);

/* Begin closing (reason is logged when not NULL). */
void rpc_conn_close(struct rpc_conn *c, const char *reason);
/* The client finished sending (end of stdin): running processes are
 * killed, requests already received are still answered, then the
 * connection closes. */
void rpc_conn_input_ended(struct rpc_conn *c);
/* Close without waiting for queued output to be written. */
void rpc_conn_abort(struct rpc_conn *c, const char *reason);
/* Called by the transport once it has closed: releases its reference. */
void rpc_conn_transport_closed(struct rpc_conn *c);

/* A request id is in flight until answered: the connection stays open
 * (and referenced) until every request it received has its answer. */
void rpc_conn_request_started(struct rpc_conn *c, const char *id_key);
void rpc_conn_request_done(struct rpc_conn *c, const char *id_key);
bool rpc_conn_request_in_flight(const struct rpc_conn *c, const char *id_key);

void rpc_conn_add_resource(struct rpc_conn *c, struct rpc_conn_resource *r);
void rpc_conn_remove_resource(struct rpc_conn *c, struct rpc_conn_resource *r);

void rpc_conn_ref(struct rpc_conn *c);
void rpc_conn_unref(struct rpc_conn *c);

#endif

/* The TUI's side of the app-server v2 protocol: a JSON-RPC client over any
 * message transport (the in-process server, or a WebSocket to a remote
 * one).  Requests carry a callback for their answer; notifications and the
 * server's own requests (approvals) go to handlers. */
#ifndef CODEX_TUI_CLIENT_H
#define CODEX_TUI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct tclient;

/* How the client sends (implemented by a transport). */
struct tclient_transport {
    void (*send)(void *t, const char *text, size_t len);
    void (*close)(void *t);
    void *t;
};

struct tclient_handlers {
    void (*notification)(void *ud, const char *method, json_t *params);
    /* A request from the server; answer it with tclient_respond. */
    void (*request)(void *ud, json_t *id, const char *method, json_t *params);
    /* The connection is gone (reason for a message, NULL when it closed
     * normally). */
    void (*closed)(void *ud, const char *reason);
    void *ud;
};

/* The answer to a request: result (borrowed) or an error message. */
typedef void (*tclient_result_fn)(void *ud, json_t *result, const char *error);

struct tclient *tclient_new(const struct tclient_handlers *h);
void tclient_set_transport(struct tclient *c, const struct tclient_transport *t);
void tclient_free(struct tclient *c);

/* For the transport: one incoming message; the connection ended. */
void tclient_receive(struct tclient *c, const char *text, size_t len);
void tclient_transport_closed(struct tclient *c, const char *reason);

/* Send a request (params stolen, may be NULL); fn may be NULL. */
void tclient_request(struct tclient *c, const char *method, json_t *params, tclient_result_fn fn,
                     void *ud);
void tclient_notify(struct tclient *c, const char *method, json_t *params);
/* Answer a server request (result stolen). */
void tclient_respond(struct tclient *c, json_t *id, json_t *result);
void tclient_respond_error(struct tclient *c, json_t *id, int code, const char *message);

/* Requests still waiting for an answer. */
size_t tclient_pending(const struct tclient *c);
/* Forget the callbacks of requests made with this ud (it is going away). */
void tclient_forget(struct tclient *c, void *ud);
/* Close the transport; pending callbacks are dropped. */
void tclient_close(struct tclient *c);
bool tclient_is_closed(const struct tclient *c);

#endif

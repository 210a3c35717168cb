/* The sign-in callback server: plain HTTP on 127.0.0.1 only, for the
 * browser's redirect back from the identity provider.  Each connection
 * carries one request (bounded head, short timeout) and gets one answer
 * with Connection: close; the owner decides what each request means and
 * closes the server once sign-in is over, so nothing is served after.
 *
 * Binding follows the reference: when the port is taken, a "GET /cancel"
 * asks an earlier sign-in server there to stop and the bind is retried
 * (10 times, 200 ms apart); then the fallback port gets the same retries. */
#ifndef CODEX_LOGIN_CALLBACK_SERVER_H
#define CODEX_LOGIN_CALLBACK_SERVER_H

#include <uv.h>

struct callback_server;
struct callback_conn;

struct callback_server_callbacks {
    /* Listening on port (the one chosen when 0 was asked): sign-in can start. */
    void (*on_ready)(void *ud, int port);
    /* Could not bind (message names the address); the server is closed. */
    void (*on_fail)(void *ud, const char *message);
    /* A request: answer it with callback_conn_respond (now or later). */
    void (*on_request)(void *ud, struct callback_conn *c, const char *method, const char *path,
                       const char *query);
    void *ud;
};

/* fallback_port 0: none. */
struct callback_server *callback_server_start(uv_loop_t *loop, int port, int fallback_port,
                                              const struct callback_server_callbacks *cbs);
/* Answer and close the connection.  location: a Location header, or NULL. */
void callback_conn_respond(struct callback_conn *c, int status, const char *content_type,
                           const char *body, const char *location);
/* Stop listening and drop unanswered connections (answers being written
 * still reach the browser); no callback runs after this, and the memory
 * goes once the handles have closed.  A connection is valid until it is
 * answered or the server is closed. */
void callback_server_close(struct callback_server *s);

#endif

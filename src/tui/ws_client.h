/* `--remote`: a WebSocket connection to an app server, over TCP
 * (ws://HOST:PORT[/PATH], with the upgrade handshake) or over a Unix socket
 * (unix://PATH, frames straight away, as the reference's control socket
 * speaks).  One JSON-RPC message per text frame. */
#ifndef CODEX_TUI_WS_CLIENT_H
#define CODEX_TUI_WS_CLIENT_H

#include <stddef.h>

#include <uv.h>

#include "util/error.h"

struct wsclient;

struct wsclient_callbacks {
    void (*opened)(void *ud);
    void (*message)(void *ud, const char *text, size_t len);
    /* The connection failed or ended; reason is NULL for a normal close. */
    void (*closed)(void *ud, const char *reason);
    void *ud;
};

/* Check an address given to --remote: 0, or -1 with err set (one line that
 * says what is wrong and what is accepted).  A bearer token is sent only to
 * a loopback ws:// address or a Unix socket. */
int wsclient_check_url(const char *url, const char *bearer, struct codex_error *err);

/* Start connecting; `opened` or `closed` follows.  Returns NULL with err
 * set when the address is unusable. */
struct wsclient *wsclient_connect(uv_loop_t *loop, const char *url, const char *bearer,
                                  const struct wsclient_callbacks *cb, struct codex_error *err);
void wsclient_send(struct wsclient *w, const char *text, size_t len);
/* Close; no callback follows; w is freed once its handles are closed. */
void wsclient_close(struct wsclient *w);

#endif

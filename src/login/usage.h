/* The ChatGPT plan's usage and rate limits, as the backend reports them at
 * GET {chatgpt_base_url}/wham/usage with the session's credentials (the
 * app server's account/rateLimits/read and the TUI's /status read it). */
#ifndef CODEX_LOGIN_USAGE_H
#define CODEX_LOGIN_USAGE_H

#include <jansson.h>
#include <uv.h>

#include "login/auth_manager.h"

/* body: the backend's JSON answer (borrowed for the call), or NULL with
 * error set ("not signed in with ChatGPT", a status, a transport error). */
typedef void (*usage_done_fn)(void *ud, const json_t *body, const char *error);

struct usage_fetch;
/* The credentials are prepared first (an expired token is refreshed). */
struct usage_fetch *usage_fetch_start(uv_loop_t *loop, struct auth_manager *m,
                                      const char *chatgpt_base_url, const char *ca_file,
                                      usage_done_fn done, void *ud);
void usage_fetch_cancel(struct usage_fetch *u);

#endif

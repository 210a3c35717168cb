/* Pieces the sign-in flows share (internal to src/login). */
#ifndef CODEX_LOGIN_FLOW_H
#define CODEX_LOGIN_FLOW_H

#include <stdarg.h>

#include "login/login.h"
#include "login/oauth.h"

/* The options with defaults filled in; strings owned. */
struct flow_options {
    uv_loop_t *loop;
    char *codex_home;
    enum auth_store_mode store_mode;
    char *issuer; /* without a trailing '/' */
    char *client_id;
    char *originator;
    char *forced_workspace_id;
    char *ca_file;
    char *log_path; /* codex-login.log, or NULL */
    int port, fallback_port;
};

void flow_options_init(struct flow_options *f, const struct login_options *o);
void flow_options_free(struct flow_options *f);

/* One line in codex-login.log: endpoints and outcomes only, never a token
 * or a code. */
void flow_log(const struct flow_options *f, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The workspace restriction: NULL when id_token's account may sign in,
 * else the message (static or caller-freed per *owned). */
char *flow_check_workspace(const struct flow_options *f, const char *id_token);

/* Store a fresh ChatGPT sign-in.  NULL, or the error (caller frees). */
char *flow_persist(const struct flow_options *f, const struct oauth_tokens *t,
                   const char *api_key);

#endif

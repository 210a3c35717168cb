/* Signing in with ChatGPT: the browser flow (authorization code with PKCE
 * and a one-shot loopback callback server) and the device-code flow.  The
 * library API behind `codex login`, the TUI's login screen and the app
 * server's account/login/start.
 *
 * A flow runs on the caller's loop and reports through its callbacks;
 * on success the credentials are stored (auth.json or the keyring, per
 * store_mode) before on_done runs.  Cancelling a flow stops it at once:
 * no callback runs after login_*_cancel. */
#ifndef CODEX_LOGIN_LOGIN_H
#define CODEX_LOGIN_LOGIN_H

#include <uv.h>

#include "store/auth.h"

#define LOGIN_DEFAULT_PORT 1455
#define LOGIN_FALLBACK_PORT 1457

struct login_options {
    uv_loop_t *loop;
    const char *codex_home;
    enum auth_store_mode store_mode;
    const char *issuer;      /* NULL: https://auth.openai.com */
    const char *client_id;   /* NULL: the Codex CLI's */
    const char *originator;  /* the authorize URL's originator ("codex_cli_rs") */
    /* forced_chatgpt_workspace_id: sign-in must land in this workspace. */
    const char *forced_workspace_id;
    const char *ca_file;     /* extra HTTPS roots, or NULL */
    const char *log_dir;     /* where codex-login.log goes; NULL: no log */
    int port;                /* 0: 1455 (browser flow) */
    int fallback_port;       /* 0: 1457; -1: none */
};

/* ---- browser ------------------------------------------------------------ */

struct login_browser_callbacks {
    /* The callback server listens: show (and open) auth_url. */
    void (*on_url)(void *ud, const char *auth_url, int port);
    /* Finished: error NULL when the credentials are stored. */
    void (*on_done)(void *ud, const char *error);
    void *ud;
};

struct login_browser;
struct login_browser *login_browser_start(const struct login_options *o,
                                          const struct login_browser_callbacks *cbs);
void login_browser_cancel(struct login_browser *b);

/* ---- device code -------------------------------------------------------- */

struct login_device_callbacks {
    /* Show these to the user; polling has started. */
    void (*on_code)(void *ud, const char *verification_url, const char *user_code);
    void (*on_done)(void *ud, const char *error);
    void *ud;
};

struct login_device;
struct login_device *login_device_start(const struct login_options *o,
                                        const struct login_device_callbacks *cbs);
void login_device_cancel(struct login_device *d);

#define LOGIN_DEVICE_MAX_WAIT_MS (15 * 60 * 1000)

#endif

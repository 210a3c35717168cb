/* Who may upgrade to a WebSocket on `--listen ws://`: anyone (the default,
 * loopback only), the holder of a capability token (`--ws-auth
 * capability-token`, the token in a file or its SHA-256 given), or the
 * bearer of a JWT signed with HS256 under a shared secret (`--ws-auth
 * signed-bearer-token`), checked for expiry, not-before, issuer and
 * audience with a clock skew.  The flags, their errors and the 401 reasons
 * are the reference's.  Credentials are read once, at start. */
#ifndef CODEX_RPC_WS_AUTH_H
#define CODEX_RPC_WS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The flags as given (NULL when absent). */
struct ws_auth_flags {
    const char *mode;          /* --ws-auth */
    const char *token_file;    /* --ws-token-file */
    const char *token_sha256;  /* --ws-token-sha256 */
    const char *secret_file;   /* --ws-shared-secret-file */
    const char *issuer;        /* --ws-issuer */
    const char *audience;      /* --ws-audience */
    bool has_max_skew;         /* --ws-max-clock-skew-seconds given */
    int64_t max_skew;          /* its value, parsed by the caller */
};

enum ws_auth_mode { WS_AUTH_NONE, WS_AUTH_CAPABILITY_TOKEN, WS_AUTH_SIGNED_BEARER };

struct ws_auth_policy {
    enum ws_auth_mode mode;
    unsigned char token_sha256[32];
    unsigned char *secret;
    size_t secret_len;
    char *issuer;   /* NULL: any */
    char *audience; /* NULL: any */
    int64_t max_skew_seconds;
};

#define WS_AUTH_DEFAULT_SKEW_SECONDS 30
#define WS_AUTH_MIN_SECRET_BYTES 32

/* Is value one of the --ws-auth modes? */
bool ws_auth_mode_valid(const char *value);

/* Check the flags together and read the credential files (relative paths
 * are taken from cwd).  0 with *p filled; -1 with *error set to one line
 * (caller frees) for a usage error, 1 for a failure (a file unreadable,
 * empty or too short). */
int ws_auth_policy_load(struct ws_auth_policy *p, const struct ws_auth_flags *f, const char *cwd,
                        char **error);
void ws_auth_policy_free(struct ws_auth_policy *p);

/* NULL when the upgrade may go on; else why it is refused with 401 (a
 * static string, sent as the body).  authorization is the header's value
 * or NULL; now is unix seconds.  A NULL policy lets everyone in. */
const char *ws_auth_check(const struct ws_auth_policy *p, const char *authorization, int64_t now);

#endif

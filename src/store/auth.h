/* Stored credentials: $CODEX_HOME/auth.json in the reference's format, or
 * the same document in the Secret Service keyring.
 *
 * The document (the reference's AuthDotJson):
 *   {"auth_mode": "apikey" | "chatgpt" | "chatgptAuthTokens" (optional),
 *    "OPENAI_API_KEY": string | null,
 *    "tokens": {"id_token", "access_token", "refresh_token", "account_id", ...},
 *    "last_refresh": RFC 3339 time,
 *    "agent_identity": JWT, "personal_access_token": "at-..."}
 * Fields we do not interpret are kept and written back, so a file written
 * by either binary works in the other.
 *
 * The file is mode 0600 in a 0700 directory and is only ever replaced
 * atomically.  Writers that read, change and write back (a token refresh)
 * hold the cross-process lock auth.json.lock meanwhile. */
#ifndef CODEX_STORE_AUTH_H
#define CODEX_STORE_AUTH_H

#include <stdbool.h>

#include <jansson.h>

#include "util/error.h"

enum auth_store_mode {
    AUTH_STORE_FILE,      /* auth.json (the default) */
    AUTH_STORE_KEYRING,   /* the Secret Service only */
    AUTH_STORE_AUTO,      /* the keyring when one answers, else the file */
    AUTH_STORE_EPHEMERAL, /* this process's memory only */
};

/* "file" | "keyring" | "auto" | "ephemeral"; false for anything else. */
bool auth_store_mode_parse(const char *s, enum auth_store_mode *out);

struct auth_tokens {
    char *id_token;
    char *access_token;
    char *refresh_token;
    char *account_id; /* may be NULL */
};

struct auth_record {
    char *auth_mode; /* as stored; NULL when absent */
    char *api_key;   /* OPENAI_API_KEY; NULL for null */
    bool has_tokens;
    struct auth_tokens tokens;
    char *last_refresh; /* RFC 3339, or NULL */
    char *agent_identity;
    char *personal_access_token;
    json_t *doc; /* the document as read (owned), for the fields kept as is */
};

/* Parse an auth.json text.  where names the source in errors ("PATH" or
 * "keyring").  0, or -1 with err saying what is wrong and where. */
int auth_record_parse(const char *text, size_t len, const char *where, struct auth_record *out,
                      struct codex_error *err);
/* Pretty-printed JSON (caller frees): the reference's field order, then
 * the fields kept from the document as read. */
char *auth_record_serialize(const struct auth_record *r, bool pretty);
void auth_record_free(struct auth_record *r);
/* Replace the token set (strings copied; account_id may be NULL). */
void auth_record_set_tokens(struct auth_record *r, const char *id_token, const char *access_token,
                            const char *refresh_token, const char *account_id);
/* "2026-12-05T03:07:10.645064256Z" for now, as the reference writes it. */
char *auth_now_rfc3339(void);
/* Seconds since the epoch of an RFC 3339 time; -1 when unreadable. */
long long auth_parse_rfc3339(const char *s);

struct auth_store {
    const char *codex_home;
    enum auth_store_mode mode;
};

/* Load the stored document.  1 with *out filled, 0 when nothing is stored,
 * -1 with err set (a malformed file names the file and what is wrong; it is
 * left untouched). */
int auth_store_load(const struct auth_store *st, struct auth_record *out, struct codex_error *err);
/* Store r: atomically, 0600, in a 0700 directory (or in the keyring, and
 * then any auth.json is removed).  0, or -1 with err set. */
int auth_store_save(const struct auth_store *st, const struct auth_record *r,
                    struct codex_error *err);
/* Remove what is stored (keyring entry and file).  1 removed, 0 nothing was
 * stored, -1 with err set. */
int auth_store_delete(const struct auth_store *st, struct codex_error *err);

/* The cross-process lock around read-modify-write of the credentials:
 * $CODEX_HOME/auth.json.lock, flock(2).  Returns the lock's descriptor, or
 * -1: with errno EWOULDBLOCK when another process holds it (only without
 * wait), else with err set. */
int auth_store_lock(const char *codex_home, bool wait, struct codex_error *err);
void auth_store_unlock(int fd);

/* Compatibility helpers for API-key logins, on the file store. */
/* The stored key, or NULL (caller frees). */
char *auth_load_api_key(const char *codex_home);

#endif

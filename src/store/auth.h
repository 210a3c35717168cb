/* $CODEX_HOME/auth.json: the stored API key (`codex login --with-api-key`). */
#ifndef CODEX_STORE_AUTH_H
#define CODEX_STORE_AUTH_H

/* The stored key, or NULL (caller frees). */
char *auth_load_api_key(const char *codex_home);
/* Store key atomically with mode 0600.  Returns 0 or -1 with errno set. */
int auth_save_api_key(const char *codex_home, const char *key);
/* Remove auth.json.  Returns 1 if removed, 0 if there was none, -1 on error. */
int auth_remove(const char *codex_home);

#endif

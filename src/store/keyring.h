/* The desktop keyring (the freedesktop Secret Service) through libsecret,
 * loaded with dlopen on first use: nothing that never touches the keyring
 * pays for loading it and GLib, and a system without either still runs.
 *
 * Entries are generic secrets with the attributes service and username.
 * The calls are synchronous D-Bus round trips; they are made before a
 * session starts or when credentials are written, never per request. */
#ifndef CODEX_STORE_KEYRING_H
#define CODEX_STORE_KEYRING_H

#include "util/error.h"

/* 1 with *secret set (free with keyring_free_secret), 0 when there is no
 * such entry, -1 with err set (libsecret missing, no Secret Service, ...). */
int keyring_lookup(const char *service, const char *account, char **secret,
                   struct codex_error *err);
/* 0, or -1 with err set. */
int keyring_store(const char *service, const char *account, const char *label, const char *secret,
                  struct codex_error *err);
/* 1 removed, 0 there was none, -1 with err set. */
int keyring_clear(const char *service, const char *account, struct codex_error *err);
void keyring_free_secret(char *secret);

#endif

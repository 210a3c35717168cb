/* $CODEX_HOME/installation_id: a random UUID naming this Codex home, as the
 * reference keeps it (36 characters, no newline), created on first use. */
#ifndef CODEX_STORE_INSTALLATION_ID_H
#define CODEX_STORE_INSTALLATION_ID_H

#include "util/error.h"

/* The id (caller frees): the stored one, or a new one written atomically
 * when the file is missing or does not hold a UUID.  NULL with err only
 * when a new id cannot be written. */
char *installation_id(const char *codex_home, struct codex_error *err);

#endif

/* The shape of config.toml: which keys exist and what type the ones we read
 * must have.  Every layer is checked on its own before merging, so an error
 * can name the file, line and column the bad value came from. */
#ifndef CODEX_CONFIG_CONFIG_KEYS_H
#define CODEX_CONFIG_CONFIG_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/toml.h"

/* Where a layer came from, for messages. */
struct layer_source {
    const char *name; /* a file path, or the "-c key=value" argument */
    bool is_file;     /* name is a file: positions are printed as name:line:col */
    bool session;     /* loading to run a session: unsupported restricting keys refuse */
};

/* Check one layer.  Unknown keys print one warning line each on stderr, or
 * with strict fail like type errors.  Returns 0, or -1 with err set to one
 * line "WHERE: what; what to do". */
int config_check_layer(const toml_value *root, const struct layer_source *src, bool strict,
                       char *err, size_t errlen);

/* Keys codex-c reads but does not act on yet (unsupported.c): each set one
 * warns once per process, or refuses the load when ignoring it would leave
 * the user less restricted than asked.  0, or -1 with err set. */
int config_check_unsupported(const toml_value *root, const struct layer_source *src, char *err, size_t errlen);
/* Warn (once per process) about [features] flags set away from their
 * default that codex-c does not act on, in the merged config. */
void config_warn_unsupported_features(const toml_value *merged);
/* Is path such a key?  *refused tells which kind. */
bool config_key_unsupported(const char *path, bool *refused);
/* Every such key (dotted paths), for tests and `features`. */
size_t config_unsupported_keys(const char *const **paths);

/* "FILE:LINE:COL" for a value of a file layer, "-c ARG" for an override. */
void config_where(const struct layer_source *src, const toml_value *v, char *out, size_t outlen);

#endif

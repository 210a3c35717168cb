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
};

/* Check one layer.  Unknown keys print one warning line each on stderr, or
 * with strict fail like type errors.  Returns 0, or -1 with err set to one
 * line "WHERE: what; what to do". */
int config_check_layer(const toml_value *root, const struct layer_source *src, bool strict,
                       char *err, size_t errlen);

/* "FILE:LINE:COL" for a value of a file layer, "-c ARG" for an override. */
void config_where(const struct layer_source *src, const toml_value *v, char *out, size_t outlen);

#endif

/* Pieces of config loading shared between its source files. */
#ifndef CODEX_CONFIG_CONFIG_INTERNAL_H
#define CODEX_CONFIG_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "config/toml.h"

enum trust_level { TRUST_UNKNOWN, TRUST_TRUSTED, TRUST_UNTRUSTED };

/* Read, parse and check one file layer.  Returns 1 with *out set, 0 when
 * the file does not exist, -1 with err set. */
int config_read_layer(const char *path, bool strict, bool session, toml_value **out, char *err, size_t errlen);

/* Make the path-valued keys of a layer absolute, relative to base_dir (the
 * directory of the file that set them, or cwd for -c). */
void config_absolutize_paths(toml_value *layer, const char *base_dir);

/* Absolute, lexically normalised form of path relative to base (caller frees). */
char *config_abs_path(const char *base, const char *path);

/* The project root of dir: the nearest ancestor (or dir itself) holding one
 * of markers; dir itself when none does (caller frees). */
char *config_project_root(const char *dir, const toml_value *markers);

/* projects."<dir>".trust_level from the merged config; when dir has no entry,
 * that of root. */
enum trust_level config_trust_of(const toml_value *root, const char *dir, const char *project_root);

/* Fill the typed fields of cfg from cfg->root.  Returns 0 or -1 with err. */
int config_extract(struct codex_config *cfg, const struct config_load_opts *opts, char *err,
                   size_t errlen);

/* Check cfg against requirements.toml (CODEX_REQUIREMENTS_PATH overrides the
 * path).  Returns 0 or -1 with err. */
int config_apply_requirements(struct codex_config *cfg, char *err, size_t errlen);

/* Apply requirements.toml [network] (kept in cfg->network_requirements) to
 * cfg->permissions: an explicit setting it forbids is an error naming both
 * places.  Returns 0 or -1 with err. */
int config_apply_network_requirements(struct codex_config *cfg, char *err, size_t errlen);

#endif

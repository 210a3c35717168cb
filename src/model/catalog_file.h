/* model_catalog_json: a catalog file in the reference's models.json shape
 * ({"models": [{slug, display_name, description, default_reasoning_level,
 * supported_reasoning_levels, shell_type, visibility, context_window,
 * apply_patch_tool_type, supports_parallel_tool_calls, default_verbosity,
 * base_instructions, upgrade, ...}]}) that replaces the built-in catalog
 * for the models it lists. */
#ifndef CODEX_MODEL_CATALOG_FILE_H
#define CODEX_MODEL_CATALOG_FILE_H

#include <stddef.h>

#include "model/catalog.h"
#include "model/models.h"
#include "util/error.h"

struct model_catalog_file;

/* NULL with err ("FILE: what") when the file cannot be read or is not such
 * a catalog. */
struct model_catalog_file *model_catalog_file_load(const char *path, struct codex_error *err);
void model_catalog_file_free(struct model_catalog_file *c);

/* The request facts of a listed model, or NULL. */
const struct model_request_facts *model_catalog_file_facts(const struct model_catalog_file *c, const char *slug);
/* Its base instructions, or NULL when the file gives none. */
const char *model_catalog_file_instructions(const struct model_catalog_file *c, const char *slug);
/* The models, in file order, for pickers and model/list. */
size_t model_catalog_file_count(const struct model_catalog_file *c);
const struct model_info *model_catalog_file_model(const struct model_catalog_file *c, size_t i);

#endif

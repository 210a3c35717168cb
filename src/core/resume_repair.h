/* Repairing a resumed history: calls that never got their output. */
#ifndef CODEX_CORE_RESUME_REPAIR_H
#define CODEX_CORE_RESUME_REPAIR_H

#include <jansson.h>

#include "util/json_items.h"

/* What the model is told about a call the previous process never finished
 * (the reference's word). */
#define RESUME_INTERRUPTED_OUTPUT "aborted"

/* The outputs to append for every function, custom-tool and local-shell
 * call in history that has none, in call order (a new array). */
json_t *resume_missing_outputs(const struct json_items *history);

#endif

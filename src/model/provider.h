/* Turning a configured model provider into what the model client needs:
 * the POST URL, the headers (auth included) and the retry settings. */
#ifndef CODEX_MODEL_PROVIDER_H
#define CODEX_MODEL_PROVIDER_H

#include "config/config.h"
#include "model/client.h"

/* Returns 0, or -1 with *err (caller frees) saying what is missing.
 * originator is sent as the user-agent's product ("codex_exec"). */
int provider_settings_init(struct provider_settings *ps, const struct codex_config *cfg,
                           const char *originator, char **err);
void provider_settings_free(struct provider_settings *ps);

#endif

/* Turning a configured model provider into what the model client needs:
 * the POST URL, the headers (auth included) and the retry settings. */
#ifndef CODEX_MODEL_PROVIDER_H
#define CODEX_MODEL_PROVIDER_H

#include "config/config.h"
#include "model/client.h"

/* How the providers that use OpenAI auth (the built-in openai provider,
 * requires_openai_auth = true) authenticate; filled in from the login layer
 * by core or the front end. */
struct provider_auth {
    /* The bearer and its recovery (API key, ChatGPT tokens, access token).
     * NULL: no OpenAI credentials are known (the request goes without). */
    struct model_credentials *credentials;
    /* ChatGPT sign-in: requests go to the Codex backend under
     * chatgpt_base_url, zstd-compressed. */
    bool chatgpt;
    const char *chatgpt_base_url; /* NULL: https://chatgpt.com/backend-api/ */
    const char *ca_file;          /* extra HTTPS roots, or NULL */
};

/* Returns 0, or -1 with *err (caller frees) saying what is missing.
 * originator is sent as the user-agent's product ("codex_exec").  auth
 * NULL: the key of an OpenAI provider comes from CODEX_API_KEY, the stored
 * API key, then OPENAI_API_KEY. */
int provider_settings_init_auth(struct provider_settings *ps, const struct codex_config *cfg,
                                const char *originator, const struct provider_auth *auth,
                                char **err);
int provider_settings_init(struct provider_settings *ps, const struct codex_config *cfg,
                           const char *originator, char **err);
/* The Codex backend's responses URL under a chatgpt_base_url (caller frees). */
char *provider_chatgpt_responses_url(const char *chatgpt_base_url);
/* Settings for another thread of the same session (a reviewer): the same
 * provider and credentials, without the first thread's own headers. */
void provider_settings_copy(struct provider_settings *dst, const struct provider_settings *src);
void provider_settings_free(struct provider_settings *ps);

#endif

#include "model/provider.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "store/auth.h"
#include "util/buf.h"
#include "util/envp.h"
#include "util/url.h"
#include "util/xalloc.h"

static const char *root_string(const struct codex_config *cfg, const char *key)
{
    toml_value *v = cfg->root ? toml_table_get(cfg->root, key) : NULL;
    return v && toml_type(v) == TOML_STRING ? toml_string(v, NULL) : NULL;
}

static char *build_url(const struct model_provider *mp, const struct codex_config *cfg)
{
    const char *base = mp->base_url;
    if (strcmp(mp->id, "openai") == 0 && root_string(cfg, "openai_base_url"))
        base = root_string(cfg, "openai_base_url");
    if (!base)
        base = "https://api.openai.com/v1";
    struct buf b = BUF_INIT;
    buf_puts(&b, base);
    while (b.len && b.data[b.len - 1] == '/')
        buf_truncate(&b, b.len - 1);
    buf_puts(&b, "/responses");
    const toml_value *q = mp->query_params;
    for (size_t i = 0; q && toml_type(q) == TOML_TABLE && i < toml_table_len(q); i++) {
        const toml_value *v = toml_table_value_at(q, i);
        if (toml_type(v) != TOML_STRING)
            continue;
        buf_printf(&b, "%c%s=%s", i ? '&' : '?', toml_table_key_at(q, i), toml_string(v, NULL));
    }
    return buf_detach(&b, NULL);
}

static void add_table_headers(struct strvec *h, const toml_value *t, const char *const *envp)
{
    for (size_t i = 0; t && toml_type(t) == TOML_TABLE && i < toml_table_len(t); i++) {
        const toml_value *v = toml_table_value_at(t, i);
        if (toml_type(v) != TOML_STRING)
            continue;
        const char *value = toml_string(v, NULL);
        if (envp)
            value = envp_get(envp, value);
        if (value && *value)
            strvec_push_owned(h, xasprintf("%s: %s", toml_table_key_at(t, i), value));
    }
}

static bool uses_openai_auth(const struct model_provider *mp)
{
    return strcmp(mp->id, "openai") == 0 || mp->requires_openai_auth;
}

/* The key for the provider: its env_key, or for OpenAI the exec override
 * CODEX_API_KEY, the stored login, then OPENAI_API_KEY. */
static int find_key(const struct model_provider *mp, const struct codex_config *cfg, char **key,
                    char **err)
{
    *key = NULL;
    bool openai = strcmp(mp->id, "openai") == 0;
    if (openai) {
        const char *k = envp_get(cfg->envp, "CODEX_API_KEY");
        if (k && *k)
            return *key = xstrdup(k), 0;
        if ((*key = auth_load_api_key(cfg->codex_home)))
            return 0;
    }
    if (mp->env_key) {
        const char *k = envp_get(cfg->envp, mp->env_key);
        if (k && *k)
            return *key = xstrdup(k), 0;
        if (!openai) {
            *err = xasprintf("Missing environment variable: `%s`.", mp->env_key);
            return -1;
        }
    }
    return 0;
}

char *provider_chatgpt_responses_url(const char *chatgpt_base_url)
{
    struct buf b = BUF_INIT;
    buf_puts(&b, chatgpt_base_url ? chatgpt_base_url : "https://chatgpt.com/backend-api/");
    while (b.len && b.data[b.len - 1] == '/')
        buf_truncate(&b, b.len - 1);
    buf_puts(&b, "/codex/responses");
    return buf_detach(&b, NULL);
}

int provider_settings_init(struct provider_settings *ps, const struct codex_config *cfg,
                           const char *originator, char **err)
{
    return provider_settings_init_auth(ps, cfg, originator, NULL, err);
}

int provider_settings_init_auth(struct provider_settings *ps, const struct codex_config *cfg,
                                const char *originator, const struct provider_auth *auth,
                                char **err)
{
    memset(ps, 0, sizeof *ps);
    const char *id = cfg->model_provider ? cfg->model_provider : "openai";
    const struct model_provider *mp = config_provider(cfg, id);
    if (!mp) {
        *err = xasprintf("Model provider `%s` not found; define [model_providers.%s] in "
                         "config.toml",
                         id, id);
        return -1;
    }
    char *key = NULL;
    bool managed = auth && uses_openai_auth(mp);
    if (!managed && find_key(mp, cfg, &key, err) < 0) {
        /* As the reference: the thread starts and its first request fails. */
        ps->missing_key = *err;
        *err = NULL;
    }
    if (managed)
        ps->credentials = auth->credentials;
    if (managed && auth->chatgpt) {
        ps->url = provider_chatgpt_responses_url(auth->chatgpt_base_url);
        /* ChatGPT tokens never cross the network in clear text; plain
         * http is for a backend on this machine only. */
        if (strncasecmp(ps->url, "https://", 8) != 0 && !url_is_loopback_http(ps->url)) {
            *err = xasprintf("chatgpt_base_url must be an https:// URL (or http:// on this "
                             "machine), not %s",
                             auth->chatgpt_base_url);
            free(ps->url);
            ps->url = NULL;
            return -1;
        }
        ps->zstd_body = true;
    } else {
        ps->url = build_url(mp, cfg);
    }
    if (auth)
        ps->ca_file = auth->ca_file;
    if (key)
        strvec_push_owned(&ps->headers, xasprintf("authorization: Bearer %s", key));
    free(key);
    strvec_push(&ps->headers, "accept: text/event-stream");
    strvec_push(&ps->headers, "content-type: application/json");
    struct utsname u;
    uname(&u);
    strvec_push_owned(&ps->headers, xasprintf("user-agent: %s/%s (%s %s; %s)", originator,
                                              CODEX_VERSION, u.sysname, u.release, u.machine));
    if (managed && auth->chatgpt)
        strvec_push_owned(&ps->headers, xasprintf("version: %s", CODEX_VERSION));
    add_table_headers(&ps->headers, mp->http_headers, NULL);
    add_table_headers(&ps->headers, mp->env_http_headers, cfg->envp);
    ps->request_max_retries = mp->request_max_retries >= 0 ? (int)mp->request_max_retries : 4;
    ps->stream_max_retries = mp->stream_max_retries >= 0 ? (int)mp->stream_max_retries : 5;
    if (ps->request_max_retries > 100)
        ps->request_max_retries = 100;
    if (ps->stream_max_retries > 100)
        ps->stream_max_retries = 100;
    ps->stream_idle_timeout_ms = mp->stream_idle_timeout_ms > 0 ? (long)mp->stream_idle_timeout_ms
                                                                : 300000;
    ps->backoff_base_ms = 200;
    ps->n_base_headers = ps->headers.n;
    return 0;
}

void provider_settings_copy(struct provider_settings *dst, const struct provider_settings *src)
{
    *dst = *src;
    dst->url = src->url ? xstrdup(src->url) : NULL;
    dst->missing_key = src->missing_key ? xstrdup(src->missing_key) : NULL;
    dst->headers = (struct strvec)STRVEC_INIT;
    for (size_t i = 0; i < src->n_base_headers && i < src->headers.n; i++)
        strvec_push(&dst->headers, src->headers.v[i]);
}

void provider_settings_free(struct provider_settings *ps)
{
    free(ps->url);
    free(ps->missing_key);
    strvec_free(&ps->headers);
}

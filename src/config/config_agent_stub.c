/* TEMPORARY stand-in for config loading until the `config` branch lands:
 * reads $CODEX_HOME/config.toml and -c overrides for the few keys the agent
 * needs.  Delete this file when merging the real config_load. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "util/fs.h"
#include "util/xalloc.h"

static const char *tstr(const toml_value *t, const char *k)
{
    const toml_value *v = t ? toml_table_get(t, k) : NULL;
    return v && toml_type(v) == TOML_STRING ? toml_string(v, NULL) : NULL;
}

static int64_t tint(const toml_value *t, const char *k, int64_t d)
{
    const toml_value *v = t ? toml_table_get(t, k) : NULL;
    return v && toml_type(v) == TOML_INTEGER ? toml_integer(v) : d;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

char *config_codex_home(char *errbuf, size_t errlen)
{
    const char *h = getenv("CODEX_HOME");
    if (h && *h)
        return xstrdup(h);
    const char *home = getenv("HOME");
    if (!home) {
        snprintf(errbuf, errlen, "HOME is not set");
        return NULL;
    }
    return fs_join(home, ".codex");
}

static void add_provider(struct codex_config *c, const char *id, const toml_value *t)
{
    c->providers = xrealloc(c->providers, (size_t)(c->n_providers + 1) * sizeof *c->providers);
    struct model_provider *p = &c->providers[c->n_providers++];
    memset(p, 0, sizeof *p);
    p->id = xstrdup(id);
    p->name = dup_or_null(tstr(t, "name"));
    p->base_url = dup_or_null(tstr(t, "base_url"));
    p->env_key = dup_or_null(tstr(t, "env_key"));
    p->wire_api = xstrdup("responses");
    p->http_headers = t ? toml_table_get(t, "http_headers") : NULL;
    p->env_http_headers = t ? toml_table_get(t, "env_http_headers") : NULL;
    p->query_params = t ? toml_table_get(t, "query_params") : NULL;
    p->request_max_retries = tint(t, "request_max_retries", 4);
    p->stream_max_retries = tint(t, "stream_max_retries", 5);
    p->stream_idle_timeout_ms = tint(t, "stream_idle_timeout_ms", 300000);
}

static int apply_override(toml_value *root, const char *kv, char *errbuf, size_t errlen)
{
    const char *eq = strchr(kv, '=');
    if (!eq) {
        snprintf(errbuf, errlen, "-c %s: expected key=value", kv);
        return -1;
    }
    char *key = xstrndup(kv, (size_t)(eq - kv));
    struct toml_error terr;
    char **keys;
    int n = toml_parse_dotted_key(key, &keys, &terr);
    free(key);
    if (n < 0) {
        snprintf(errbuf, errlen, "-c %s: %s", kv, terr.message);
        return -1;
    }
    toml_value *v = toml_parse_value(eq + 1, strlen(eq + 1), &terr);
    if (!v)
        v = toml_new_string(eq + 1, strlen(eq + 1));
    toml_table_set_path(root, (const char *const *)keys, (size_t)n, v);
    toml_free_keys(keys, n);
    return 0;
}

static enum sandbox_mode parse_sandbox(const char *s)
{
    if (s && strcmp(s, "danger-full-access") == 0)
        return SANDBOX_DANGER_FULL_ACCESS;
    if (s && strcmp(s, "workspace-write") == 0)
        return SANDBOX_WORKSPACE_WRITE;
    return SANDBOX_READ_ONLY;
}

int config_load(const struct config_load_opts *o, struct codex_config *c, char *errbuf,
                size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->codex_home = config_codex_home(errbuf, errlen);
    if (!c->codex_home)
        return -1;
    char *path = fs_join(c->codex_home, "config.toml");
    size_t len;
    char *text = fs_read_file(path, 16u << 20, &len);
    struct toml_error terr;
    c->root = text ? toml_parse(text, len, &terr) : toml_new_table();
    free(text);
    if (!c->root) {
        toml_error_format(&terr, path, errbuf, errlen);
        free(path);
        return -1;
    }
    free(path);
    for (int i = 0; i < o->n_overrides; i++)
        if (apply_override(c->root, o->overrides[i], errbuf, errlen) < 0)
            return -1;
    char cwd[PATH_MAX];
    if (o->cd) {
        if (!realpath(o->cd, cwd)) {
            snprintf(errbuf, errlen, "--cd %s: %s", o->cd, strerror(errno));
            return -1;
        }
    } else if (!getcwd(cwd, sizeof cwd)) {
        snprintf(errbuf, errlen, "cannot read the working directory: %s", strerror(errno));
        return -1;
    }
    c->cwd = xstrdup(cwd);
    c->model = dup_or_null(o->model ? o->model : tstr(c->root, "model"));
    c->model_provider = xstrdup(tstr(c->root, "model_provider") ? tstr(c->root, "model_provider") : "openai");
    c->model_reasoning_effort = dup_or_null(tstr(c->root, "model_reasoning_effort"));
    c->model_reasoning_summary = dup_or_null(tstr(c->root, "model_reasoning_summary"));
    c->model_verbosity = dup_or_null(tstr(c->root, "model_verbosity"));
    c->developer_instructions = dup_or_null(tstr(c->root, "developer_instructions"));
    c->model_instructions_file = dup_or_null(tstr(c->root, "model_instructions_file"));
    c->web_search = dup_or_null(tstr(c->root, "web_search"));
    c->history_persistence = dup_or_null(tstr(toml_table_get(c->root, "history"), "persistence"));
    c->project_doc_max_bytes = tint(c->root, "project_doc_max_bytes", 32768);
    const char *sb = o->sandbox_mode ? o->sandbox_mode : tstr(c->root, "sandbox_mode");
    if (o->full_auto)
        sb = "workspace-write";
    if (o->yolo)
        sb = "danger-full-access";
    c->sandbox_mode = parse_sandbox(sb);
    c->approval_policy = APPROVAL_NEVER;
    add_provider(c, "openai", NULL);
    c->providers[0].env_key = xstrdup("OPENAI_API_KEY");
    const toml_value *mps = toml_table_get(c->root, "model_providers");
    for (size_t i = 0; mps && toml_type(mps) == TOML_TABLE && i < toml_table_len(mps); i++)
        add_provider(c, toml_table_key_at(mps, i), toml_table_value_at(mps, i));
    return 0;
}

void config_free(struct codex_config *c)
{
    for (int i = 0; i < c->n_providers; i++) {
        free(c->providers[i].id);
        free(c->providers[i].name);
        free(c->providers[i].base_url);
        free(c->providers[i].env_key);
        free(c->providers[i].wire_api);
    }
    free(c->providers);
    toml_free(c->root);
    free(c->codex_home);
    free(c->cwd);
    free(c->model);
    free(c->model_provider);
    free(c->model_reasoning_effort);
    free(c->model_reasoning_summary);
    free(c->model_verbosity);
    free(c->developer_instructions);
    free(c->model_instructions_file);
    free(c->web_search);
    free(c->history_persistence);
    memset(c, 0, sizeof *c);
}

const struct model_provider *config_provider(const struct codex_config *c, const char *id)
{
    for (int i = c->n_providers - 1; i >= 0; i--)
        if (strcmp(c->providers[i].id, id) == 0)
            return &c->providers[i];
    return NULL;
}

bool config_feature_enabled(const struct codex_config *c, const char *name)
{
    const toml_value *f = toml_table_get(c->root, "features");
    const toml_value *v = f ? toml_table_get(f, name) : NULL;
    return v && toml_type(v) == TOML_BOOLEAN && toml_bool(v);
}

const char *sandbox_mode_name(enum sandbox_mode m)
{
    return m == SANDBOX_DANGER_FULL_ACCESS ? "danger-full-access"
           : m == SANDBOX_WORKSPACE_WRITE  ? "workspace-write"
                                           : "read-only";
}

const char *approval_policy_name(enum approval_policy p)
{
    switch (p) {
    case APPROVAL_UNTRUSTED: return "untrusted";
    case APPROVAL_ON_FAILURE: return "on-failure";
    case APPROVAL_ON_REQUEST: return "on-request";
    case APPROVAL_NEVER: return "never";
    default: return "granular";
    }
}

/* Settings codex-c reads but does not act on yet.  Nothing is accepted and
 * ignored in silence: each such key, when set, prints one warning (once per
 * process), or, when ignoring it would leave the user less restricted than
 * they asked to be, stops the load with an error.  A feature that starts
 * working removes its lines here; tests/e2e/test_no_silent_noops.py checks
 * every line of this table. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_keys.h"
#include "config/features.h"
#include "util/strvec.h"
#include "util/xalloc.h"

enum disposition {
    WARN,   /* ignoring it changes nothing the user relies on for safety */
    REFUSE, /* it restricts something: running without it would be less safe */
};

struct unsupported_key {
    const char *path; /* dotted */
    enum disposition what;
};

static const struct unsupported_key table[] = {
    {"apps", WARN},
    {"apps_mcp_product_sku", WARN},
    {"audio", WARN},
    {"background_terminal_max_timeout", WARN},
    {"commit_attribution", WARN},
    {"debug", WARN},
    {"desktop", WARN},
    {"disable_paste_burst", WARN},
    {"experimental_realtime_start_instructions", WARN},
    {"experimental_realtime_ws_backend_prompt", WARN},
    {"experimental_realtime_ws_base_url", WARN},
    {"experimental_realtime_ws_model", WARN},
    {"experimental_realtime_ws_startup_context", WARN},
    {"experimental_thread_config_endpoint", WARN},
    {"experimental_thread_store", WARN},
    {"experimental_use_freeform_apply_patch", WARN},
    {"experimental_use_unified_exec_tool", WARN},
    {"feedback", WARN},
    {"file_opener", WARN},
    {"ghost_snapshot", WARN},
    {"include_apps_instructions", WARN},
    {"instructions", WARN},
    {"log_dir", WARN},
    {"mcp_oauth_credentials_store", WARN},
    {"memories", WARN},
    {"model_max_output_tokens", WARN},
    {"model_reasoning_summary_format", WARN},
    {"model_supports_reasoning_summaries", WARN},
    {"notice", WARN},
    {"otel", WARN},
    {"preferred_auth_method", WARN},
    {"realtime", WARN},
    {"sandbox_permissions", WARN},
    {"show_raw_agent_reasoning", WARN},
    {"sqlite_home", WARN},
    {"tool_output_token_limit", WARN},
    {"tool_suggest", WARN},
    {"tools_view_image", WARN},
    {"tools_web_search", WARN},
    /* [tui]: the interactive UI acts on alternate_screen, notifications,
     * notification_method, status_line, status_line_use_colors,
     * terminal_title and theme; model_availability_nux is the reference's
     * own bookkeeping.  These it does not act on yet: */
    {"tui.animations", WARN},
    {"tui.keymap", WARN},
    {"tui.notification_condition", WARN},
    {"tui.pet", WARN},
    {"tui.pet_anchor", WARN},
    {"tui.raw_output_mode", WARN},
    {"tui.resume_cwd", WARN},
    {"tui.session_picker_view", WARN},
    {"tui.show_tooltips", WARN},
    {"tui.terminal_resize_reflow_max_rows", WARN},
    {"tui.vim_mode_default", WARN},
    {NULL, WARN},
};

static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static struct strvec warned; /* keys already warned about in this process */

/* True the first time per process for key. */
static bool first_time(const char *key)
{
    pthread_mutex_lock(&warned_lock);
    bool seen = false;
    for (size_t i = 0; i < warned.n && !seen; i++)
        seen = strcmp(warned.v[i], key) == 0;
    if (!seen)
        strvec_push(&warned, key);
    pthread_mutex_unlock(&warned_lock);
    return !seen;
}

static const toml_value *lookup(const toml_value *root, const char *path)
{
    char *copy = xstrdup(path);
    const char *keys[8];
    size_t n = 0;
    char *save = NULL;
    for (char *k = strtok_r(copy, ".", &save); k && n < 8; k = strtok_r(NULL, ".", &save))
        keys[n++] = k;
    const toml_value *v = toml_table_get_path(root, keys, n);
    free(copy);
    return v;
}

/* [features] entries set away from their default on a flag codex-c does
 * not act on. */
void config_warn_unsupported_features(const toml_value *merged)
{
    const toml_value *features = toml_table_get(merged, "features");
    for (size_t i = 0; features && toml_type(features) == TOML_TABLE && i < toml_table_len(features); i++) {
        const struct feature_info *f = feature_lookup(toml_table_key_at(features, i));
        const toml_value *v = toml_table_value_at(features, i);
        bool on = toml_type(v) == TOML_BOOLEAN ? toml_bool(v) : toml_type(v) == TOML_TABLE;
        if (!f || feature_supported(f) || on == f->default_enabled)
            continue;
        char *key = xasprintf("features.%s", f->name);
        if (first_time(key))
            fprintf(stderr, "codex-c: %s is not supported yet; ignored\n", key);
        free(key);
    }
}

int config_check_unsupported(const toml_value *root, const struct layer_source *src, char *err, size_t errlen)
{
    for (const struct unsupported_key *k = table; k->path; k++) {
        const toml_value *v = lookup(root, k->path);
        if (!v)
            continue;
        if (k->what == REFUSE && src->session) {
            char where[512];
            config_where(src, v, where, sizeof where);
            snprintf(err, errlen,
                     "%s: `%s` is not supported by codex-c yet, and running without it could be less "
                     "safe than you asked for; remove it to continue",
                     where, k->path);
            return -1;
        }
        if (first_time(k->path))
            fprintf(stderr, "codex-c: %s is not supported yet; ignored\n", k->path);
    }
    return 0;
}

bool config_key_unsupported(const char *path, bool *refused)
{
    for (const struct unsupported_key *k = table; k->path; k++)
        if (strcmp(k->path, path) == 0) {
            if (refused)
                *refused = k->what == REFUSE;
            return true;
        }
    return false;
}

size_t config_unsupported_keys(const char *const **paths)
{
    static const char *list[sizeof table / sizeof table[0]];
    size_t n = 0;
    for (const struct unsupported_key *k = table; k->path; k++)
        list[n++] = k->path;
    *paths = list;
    return n;
}

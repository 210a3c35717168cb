/* The one way subcommands load their configuration from the shared flags. */
#include <stdio.h>

#include "cli/cli.h"
#include "config/config.h"
#include "plugins/plugins.h"

static int load(struct cli_opts *o, struct codex_config *cfg, bool session)
{
    struct config_load_opts lo = {
        .session = session,
        .envp = o->envp,
        .overrides = (const char *const *)o->config_overrides.v,
        .n_overrides = (int)o->config_overrides.n,
        .enable = (const char *const *)o->enable.v,
        .n_enable = (int)o->enable.n,
        .disable = (const char *const *)o->disable.v,
        .n_disable = (int)o->disable.n,
        .add_dirs = (const char *const *)o->add_dirs.v,
        .n_add_dirs = (int)o->add_dirs.n,
        .profile = o->profile,
        .model = o->model,
        .sandbox_mode = o->sandbox_mode,
        .approval_policy = o->approval_policy,
        .cd = o->cd,
        .local_provider = o->local_provider,
        .full_auto = o->full_auto,
        .yolo = o->yolo,
        .oss = o->oss,
        .search = o->search,
        .strict_config = o->strict_config,
        .approve_for_me = o->approve_for_me,
    };
    struct codex_error err = CODEX_ERROR_INIT;
    if (config_load(&lo, cfg, &err) < 0) {
        /* The reference exits 1 for every configuration error. */
        fprintf(stderr, "Error: %s\n", err.message);
        codex_error_clear(&err);
        return 1;
    }
    if (session)
        cli_add_plugin_mcp_servers(cfg);
    return 0;
}

void cli_add_plugin_mcp_servers(struct codex_config *cfg)
{
    struct strvec warnings = STRVEC_INIT;
    plugins_merge_mcp_servers(cfg, &warnings);
    for (size_t i = 0; i < warnings.n; i++)
        fprintf(stderr, "codex-c: %s; its MCP servers are not started\n", warnings.v[i]);
    strvec_free(&warnings);
}

int cli_load_config(struct cli_opts *o, struct codex_config *cfg)
{
    return load(o, cfg, false);
}

int cli_load_session_config(struct cli_opts *o, struct codex_config *cfg)
{
    return load(o, cfg, true);
}

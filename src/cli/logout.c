/* `codex logout`: revoke ChatGPT tokens with the issuer (best effort) and
 * remove the stored credentials (auth.json and the keyring entry). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "cli/cli.h"
#include "config/config.h"
#include "login/logout.h"
#include "login/session.h"

static void on_logged_out(void *ud, int removed, const char *error)
{
    int *rc = ud;
    if (error) {
        fprintf(stderr, "Error logging out: %s\n", error);
        *rc = 1;
    } else {
        fputs(removed ? "Successfully logged out\n" : "Not logged in\n", stderr);
        *rc = 0;
    }
}

int cmd_logout(struct cli_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Remove stored authentication credentials\n\nUsage: codex logout [OPTIONS]\n");
            return 0;
        }
        int r = argv[i][0] == '-' ? cli_shared_flag(o, "codex logout", argc, argv, &i) : 0;
        if (r < 0)
            return 2;
        if (r == 0)
            return cli_usage_error("codex logout", "unexpected argument '%s' found", argv[i]);
    }
    struct codex_config cfg;
    if (cli_load_config(o, &cfg) != 0)
        return 1;
    struct codex_error err = CODEX_ERROR_INIT;
    struct login_env env;
    struct login_settings settings;
    int rc = 1;
    if (login_env_read(o->envp, &env, &err) < 0 ||
        login_settings_read(&cfg, &settings, &err) < 0) {
        char *text = codex_error_text(&err);
        fprintf(stderr, "Error: %s\n", text);
        free(text);
        codex_error_clear(&err);
        config_free(&cfg);
        return 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct logout_options lo = {
        .loop = &loop,
        .codex_home = cfg.codex_home,
        .store_mode = settings.store_mode,
        .revoke_url = env.revoke_url,
        .ca_file = env.ca_file,
    };
    logout_start(&lo, on_logged_out, &rc);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    login_settings_free(&settings);
    config_free(&cfg);
    return rc;
}

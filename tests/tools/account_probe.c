/* Drives the login library the way the app server's account module will:
 * builds the session's auth manager from CODEX_HOME and the environment,
 * then prints one JSON line per step.
 *
 *   build/tests/account_probe read        {"kind", "email", "plan", "account"}
 *   build/tests/account_probe usage URL   the backend's usage answer
 *   build/tests/account_probe refresh     a forced refresh: {"ok"} or {"error"} */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "login/auth_manager.h"
#include "login/session.h"
#include "login/usage.h"

extern char **environ;

static int status;

static void print(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    puts(s);
    free(s);
    json_decref(j);
}

static void on_usage(void *ud, const json_t *body, const char *error)
{
    (void)ud;
    if (error) {
        print(json_pack("{s:s}", "error", error));
        status = 1;
    } else {
        print(json_deep_copy(body));
    }
}

static void on_refresh(void *ud, const char *error)
{
    (void)ud;
    print(error ? json_pack("{s:s}", "error", error) : json_pack("{s:b}", "ok", 1));
    status = error ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *const *envp = (const char *const *)environ;
    const char *home = getenv("CODEX_HOME");
    if (argc < 2 || !home)
        return 2;
    struct codex_config cfg = {.codex_home = (char *)home, .envp = envp};
    struct login_env env;
    struct login_settings settings = {0};
    struct codex_error err = CODEX_ERROR_INIT;
    if (login_env_read(envp, &env, &err) < 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct auth_manager *m = login_session_auth(&loop, &cfg, &env, &settings, false, &err);
    if (!m) {
        print(json_pack("{s:s}", "error", err.message));
        codex_error_clear(&err);
        return 1;
    }
    if (strcmp(argv[1], "read") == 0) {
        struct auth_account a;
        auth_manager_account(m, &a);
        const char *kind = auth_kind_name(auth_manager_kind(m));
        print(json_pack("{s:s? s:s? s:s? s:s?}", "kind", kind, "email", a.email, "plan",
                        a.plan_type, "account", a.account_id));
    } else if (strcmp(argv[1], "usage") == 0 && argc > 2) {
        usage_fetch_start(&loop, m, argv[2], env.ca_file, on_usage, NULL);
    } else if (strcmp(argv[1], "refresh") == 0) {
        auth_manager_refresh(m, on_refresh, NULL);
    } else {
        status = 2;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    auth_manager_free(m);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return status;
}

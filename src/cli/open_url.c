/* Opening a URL in the user's browser (xdg-open) when there is a display
 * to show it on.  Best effort: the URL is always printed as well.
 *
 * xdg-open is started detached, in a session of its own, and is not
 * waited for: the browser it starts may stay in its process group for as
 * long as the user keeps it open, and must neither be killed when Codex is
 * done nor keep Codex waiting.  The process runner (src/proc) always owns
 * and kills its groups, so this one spawn goes through libuv directly. */
#include <stdlib.h>

#include <uv.h>

#include "cli/cli.h"
#include "tools/shell_env.h"
#include "util/envp.h"
#include "util/strvec.h"

static void on_closed(uv_handle_t *h)
{
    free(h);
}

static void on_exit_cb(uv_process_t *p, int64_t status, int signal)
{
    (void)status;
    (void)signal;
    uv_close((uv_handle_t *)p, on_closed);
}

void cli_open_url(uv_loop_t *loop, const char *const *envp, const char *url)
{
    if (!envp_get_nonempty(envp, "DISPLAY") && !envp_get_nonempty(envp, "WAYLAND_DISPLAY"))
        return;
    struct strvec env = STRVEC_INIT;
    envp_copy(envp, &env);
    /* The browser has no business with Codex's own credentials. */
    for (const char *const *v = shell_env_auth_vars; *v; v++)
        envp_unset(&env, *v);
    char *argv[] = {"xdg-open", (char *)url, NULL};
    uv_stdio_container_t stdio[3] = {{.flags = UV_IGNORE}, {.flags = UV_IGNORE},
                                     {.flags = UV_IGNORE}};
    uv_process_options_t opts = {
        .exit_cb = on_exit_cb,
        .file = "xdg-open",
        .args = argv,
        .env = env.v,
        .flags = UV_PROCESS_DETACHED,
        .stdio_count = 3,
        .stdio = stdio,
    };
    uv_process_t *p = calloc(1, sizeof *p);
    if (uv_spawn(loop, p, &opts) == 0)
        uv_unref((uv_handle_t *)p);
    else
        uv_close((uv_handle_t *)p, on_closed);
    strvec_free(&env);
}

/* `codex mcp-server`: Codex as an MCP server over stdio (src/mcpserver/).
 * The shared flags become the defaults of every session it starts: -c as
 * given, -m/-s/-a/-p/--enable/--disable as the equivalent -c overrides,
 * -C as the directory relative `cwd` arguments start from. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cli/cli.h"
#include "mcpserver/stdio.h"
#include "util/strvec.h"
#include "util/xalloc.h"

static const char usage[] =
    "Run Codex as an MCP server over stdio: the tools `codex` (start a session) and\n"
    "`codex-reply` (continue one).\n"
    "\n"
    "Usage: codex mcp-server [OPTIONS]\n"
    "\n"
    "Options:\n"
    "  -c, --config <key=value>  Override a configuration value for every session\n"
    "      --enable <FEATURE>    Enable a feature (repeatable)\n"
    "      --disable <FEATURE>   Disable a feature (repeatable)\n"
    "  -m, --model <MODEL>       The default model of the sessions\n"
    "  -s, --sandbox <MODE>      The default sandbox of the sessions\n"
    "  -a, --ask-for-approval <POLICY>  The default approval policy of the sessions\n"
    "  -p, --profile <PROFILE>   The configuration profile of the sessions\n"
    "  -C, --cd <DIR>            Where relative `cwd` arguments start\n"
    "  -h, --help                Print help\n";

static void push_string_override(struct strvec *v, const char *key, const char *value)
{
    /* A TOML basic string: quotes and backslashes escaped. */
    size_t n = strlen(value);
    char *quoted = xmalloc(2 * n + 3), *q = quoted;
    *q++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (value[i] == '"' || value[i] == '\\')
            *q++ = '\\';
        *q++ = value[i];
    }
    *q++ = '"';
    *q = '\0';
    strvec_push_owned(v, xasprintf("%s=%s", key, quoted));
    free(quoted);
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

int cmd_mcp_server(struct cli_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        int r = cli_shared_flag(o, "codex mcp-server", argc, argv, &i);
        if (r < 0)
            return 2;
        if (r == 0)
            return cli_usage_error("codex mcp-server", "unexpected argument '%s' found", argv[i]);
    }
    if (o->images.n || o->add_dirs.n || o->full_auto || o->yolo || o->oss || o->search ||
        o->local_provider || o->approve_for_me || o->remote || o->worktree) {
        fputs("codex-c: of the shared options, codex mcp-server takes -c, -m, -s, -a, -p, -C, "
              "--enable and --disable; the others are refused\n",
              stderr);
        return 2;
    }
    struct strvec overrides = STRVEC_INIT;
    for (size_t i = 0; i < o->config_overrides.n; i++)
        strvec_push(&overrides, o->config_overrides.v[i]);
    if (o->model)
        push_string_override(&overrides, "model", o->model);
    if (o->sandbox_mode)
        push_string_override(&overrides, "sandbox_mode", o->sandbox_mode);
    if (o->approval_policy)
        push_string_override(&overrides, "approval_policy", o->approval_policy);
    if (o->profile)
        push_string_override(&overrides, "profile", o->profile);
    for (size_t i = 0; i < o->enable.n; i++)
        strvec_push_owned(&overrides, xasprintf("features.%s=true", o->enable.v[i]));
    for (size_t i = 0; i < o->disable.n; i++)
        strvec_push_owned(&overrides, xasprintf("features.%s=false", o->disable.v[i]));

    char here[PATH_MAX];
    const char *cwd = getcwd(here, sizeof here) ? here : "/";
    char *cd = NULL;
    if (o->cd) {
        cd = realpath(o->cd, NULL);
        if (!cd) {
            fprintf(stderr, "Error: -C %s: no such directory\n", o->cd);
            strvec_free(&overrides);
            return 1;
        }
        cwd = cd;
    }
    /* A client that goes away must not kill us in the middle of a write. */
    signal(SIGPIPE, SIG_IGN);
    uv_loop_t *loop = uv_default_loop();
    struct mcpserver_params p = {
        .loop = loop,
        .envp = o->envp,
        .cwd = cwd,
        .config_overrides = (const char *const *)overrides.v,
        .n_config_overrides = (int)overrides.n,
    };
    int rc = mcpserver_run_stdio(&p);
    /* Close what is left unreferenced (the SIGCHLD watcher). */
    uv_walk(loop, close_walk, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    strvec_free(&overrides);
    free(cd);
    return rc;
}

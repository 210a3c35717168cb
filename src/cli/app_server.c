/* `codex app-server`: serve the v2 JSON-RPC protocol that IDEs embed, on
 * stdio (default).  The protocol itself lives in src/rpc/. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cli/cli.h"
#include "cli/cli_netproxy.h"
#include "rpc/server.h"
#include "rpc/stdio_transport.h"
#include "rpc/ws_auth.h"
#include "rpc/ws_transport.h"
#include "util/xalloc.h"

static const char usage[] =
    "[experimental] Run the app server or related tooling\n"
    "\n"
    "Usage: codex app-server [OPTIONS]\n"
    "\n"
    "Options:\n"
    "  -c, --config <key=value>  Override a configuration value (dotted path, TOML value)\n"
    "      --enable <FEATURE>    Enable a feature (repeatable)\n"
    "      --disable <FEATURE>   Disable a feature (repeatable)\n"
    "      --strict-config       Error out on unknown config.toml fields\n"
    "      --listen <URL>        Transport endpoint: `stdio://` (default), `unix://`, `unix://PATH` or\n"
    "                            `ws://IP:PORT`\n"
    "                            (port 0 picks a free port; a non-loopback address needs --ws-auth)\n"
    "      --stdio               Use stdio as the transport (same as --listen stdio://)\n"
    "      --ws-auth <MODE>      WebSocket authentication mode [possible values: "
    "capability-token, signed-bearer-token]\n"
    "      --ws-token-file <PATH>  Path to the capability-token file\n"
    "      --ws-token-sha256 <HEX>  Hex-encoded SHA-256 digest of the capability token\n"
    "      --ws-shared-secret-file <PATH>  Shared secret file for signed JWT bearer tokens (HS256)\n"
    "      --ws-issuer <ISSUER>  Expected issuer (`iss`) of signed JWT bearer tokens\n"
    "      --ws-audience <AUDIENCE>  Expected audience (`aud`) of signed JWT bearer tokens\n"
    "      --ws-max-clock-skew-seconds <SECONDS>  Clock skew allowed for `exp` and `nbf` "
    "(default 30)\n"
    "  -h, --help                Print help\n";

static int take(int argc, char **argv, int *i, const char *flag, const char **out)
{
    const char *arg = argv[*i];
    size_t n = strlen(flag);
    if (strncmp(arg, flag, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *out = arg + n + 1;
        return 1;
    }
    if (arg[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return cli_usage_error("codex app-server",
                               "a value is required for '%s <VALUE>' but none was supplied", flag),
               -1;
    *out = argv[++*i];
    return 1;
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static int serve(struct cli_opts *o, const char *listen, bool socket_listener,
                 const struct ws_auth_policy *auth, const char *cwd)
{
    char errbuf[512];
    char *home = NULL;
    const char *env_home = getenv("CODEX_HOME");
    if (env_home && *env_home) {
        char *real = realpath(env_home, NULL);
        home = real ? real : xstrdup(env_home);
    } else if (getenv("HOME")) {
        home = xasprintf("%s/.codex", getenv("HOME"));
    } else {
        snprintf(errbuf, sizeof errbuf, "cannot find the Codex home: set CODEX_HOME or HOME");
        fprintf(stderr, "codex app-server: %s\n", errbuf);
        return 1;
    }

    /* A client that goes away must not kill us in the middle of a write. */
    signal(SIGPIPE, SIG_IGN);

    uv_loop_t *loop = uv_default_loop();
    struct rpc_server server;
    rpc_server_init(&server, loop);
    server.codex_home = home;
    server.envp = o->envp;
    server.cwd = xstrdup(cwd);
    server.config_overrides = (const char *const *)o->config_overrides.v;
    server.n_config_overrides = (int)o->config_overrides.n;
    struct cli_netproxy_inputs np_in;
    cli_netproxy_inputs(o->envp, &np_in);
    server.netproxy_hosts = np_in.in.hosts;
    server.n_netproxy_hosts = np_in.in.n_hosts;

    if (socket_listener) {
        struct ws_options ws = {.listen_url = listen, .auth = auth};
        int rc = rpc_ws_start(&server, &ws);
        if (rc != 0) {
            uv_loop_close(loop);
            rpc_server_free(&server);
            cli_netproxy_inputs_free(&np_in);
            return rc;
        }
    } else if (rpc_stdio_start(&server) != 0) {
        rpc_server_free(&server);
        cli_netproxy_inputs_free(&np_in);
        return 1;
    }
    /* Runs until stdin is closed and every process it started is reaped. */
    uv_run(loop, UV_RUN_DEFAULT);
    /* Close what is left unreferenced (the SIGCHLD watcher). */
    uv_walk(loop, close_walk, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    rpc_server_free(&server);
    cli_netproxy_inputs_free(&np_in);
    return 0;
}

int cmd_app_server(struct cli_opts *o, int argc, char **argv)
{
    const char *listen = "stdio://";
    struct ws_auth_flags auth_flags = {0};
    const char *max_skew = NULL;
    const struct {
        const char *flag;
        const char **value;
    } valued[] = {
        {"--listen", &listen},
        {"--ws-auth", &auth_flags.mode},
        {"--ws-token-file", &auth_flags.token_file},
        {"--ws-token-sha256", &auth_flags.token_sha256},
        {"--ws-shared-secret-file", &auth_flags.secret_file},
        {"--ws-issuer", &auth_flags.issuer},
        {"--ws-audience", &auth_flags.audience},
        {"--ws-max-clock-skew-seconds", &max_skew},
    };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int r = 0;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(arg, "--stdio") == 0) {
            listen = "stdio://";
            continue;
        }
        for (size_t k = 0; r == 0 && k < sizeof valued / sizeof *valued; k++)
            r = take(argc, argv, &i, valued[k].flag, valued[k].value);
        if (r < 0)
            return 2;
        if (r > 0)
            continue;
        if ((r = cli_shared_flag(o, "codex app-server", argc, argv, &i)) != 0) {
            if (r < 0)
                return 2;
            continue;
        }
        if (strcmp(arg, "generate-json-schema") == 0 || strcmp(arg, "generate-ts") == 0 ||
            strcmp(arg, "daemon") == 0 || strcmp(arg, "proxy") == 0) {
            fprintf(stderr, "codex app-server %s: not supported by codex-c\n", arg);
            return 2;
        }
        return cli_usage_error("codex app-server", "unexpected argument '%s' found", arg);
    }
    if (auth_flags.mode && !ws_auth_mode_valid(auth_flags.mode))
        return cli_usage_error("codex app-server",
                               "invalid value '%s' for '--ws-auth <MODE>'\n  [possible values: "
                               "capability-token, signed-bearer-token]",
                               auth_flags.mode);
    if (max_skew) {
        const char *d = max_skew;
        while (*d >= '0' && *d <= '9')
            d++;
        if (*d || d == max_skew)
            return cli_usage_error("codex app-server",
                                   "invalid value '%s' for '--ws-max-clock-skew-seconds "
                                   "<SECONDS>': invalid digit found in string",
                                   max_skew);
        if (d - max_skew > 18)
            return cli_usage_error("codex app-server",
                                   "invalid value '%s' for '--ws-max-clock-skew-seconds "
                                   "<SECONDS>': number too large to fit in target type",
                                   max_skew);
        auth_flags.has_max_skew = true;
        auth_flags.max_skew = strtoll(max_skew, NULL, 10);
    }
    bool websocket = strncmp(listen, "ws://", 5) == 0;
    bool unix_socket = strncmp(listen, "unix://", 7) == 0;
    if (!websocket && !unix_socket && strcmp(listen, "stdio://") != 0)
        return cli_usage_error("codex app-server",
                               "invalid value '%s' for '--listen <URL>': unsupported --listen URL "
                               "`%s`; expected `stdio://`, `unix://`, `unix://PATH` or "
                               "`ws://IP:PORT`",
                               listen, listen);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        strcpy(cwd, "/");
    struct ws_auth_policy auth;
    char *auth_error = NULL;
    int auth_rc = ws_auth_policy_load(&auth, &auth_flags, cwd, &auth_error);
    if (auth_rc != 0) {
        fprintf(stderr, "Error: %s\n", auth_error);
        free(auth_error);
        return 1;
    }
    /* The reference takes these flags with any listener and checks nothing
     * on a unix socket or stdio; a restriction that would do nothing is
     * refused instead. */
    if (!websocket && auth.mode != WS_AUTH_NONE) {
        ws_auth_policy_free(&auth);
        fprintf(stderr, "Error: --ws-auth applies to a ws:// listener only\n");
        return 1;
    }
    int rc = serve(o, listen, websocket || unix_socket, &auth, cwd);
    ws_auth_policy_free(&auth);
    return rc;
}
